// Copyright mtty-lab authors.
#include "fuzz/bar_access/harness.h"

#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/irq.h"
#include "core/pci_config.h"
#include "core/uart16550.h"
#include "core/vfio_uapi.h"
#include "fuzz/bar_access/ops.h"
#include "fuzz/byte_reader.h"
#include "fuzz/models/reference_uart.h"
#include "fuzz/oracle_code.h"

namespace mtty::fuzz {
namespace {

using bar::Ioctl;

// A port's migration record as the device saved it; its fields are read
// with Uart16550::State::Fields, which checks nothing, so a bad record is
// still described before it is judged.
using Record = std::array<uint8_t, Uart16550::kStateSize>;

constexpr uint8_t kCanary = 0xa5;
constexpr size_t kMaxAccess = 16;

// What IIR must read in a port whose migration record is `rec`.
MTTY_ORACLE_CODE_BEGIN
uint8_t ExpectedIir(Profile profile, const Uart16550::State& st) {
  const uint8_t ier = st.ier;
  const unsigned count = st.rx_count;
  const unsigned trigger = st.trigger_level;
  const bool err_oe = (st.lsr_errors & kLsrOe) != 0;
  const bool err_bi = (st.lsr_errors & kLsrBi) != 0;
  if (profile == Profile::kKernel) {
    // The sample ORs every live condition's id together.
    uint8_t ids = 0;
    if ((ier & kIerRlsi) && err_oe) ids |= kIirRlsi;
    if ((ier & kIerRdi) && count >= trigger) ids |= kIirRdi;
    if ((ier & kIerThri) && count == 0) ids |= kIirThri;
    return static_cast<uint8_t>((ids == 0 ? kIirNoInt : ids) | 0xc0);
  }
  // Priority: RLS > RDA > CTI > THRE > MSI.
  uint8_t id = kIirNoInt;
  if ((ier & kIerRlsi) && (err_oe || err_bi)) {
    id = kIirRlsi;
  } else if ((ier & kIerRdi) && count > 0 && count >= trigger) {
    id = kIirRdi;
  } else if ((ier & kIerRdi) && st.cti_pending) {
    id = kIirCti;
  } else if ((ier & kIerThri) && st.thre_pending) {
    id = kIirThri;
  } else if ((ier & kIerMsi) && (st.msr_delta & kMsrDeltaMask)) {
    id = kIirMsi;
  }
  return static_cast<uint8_t>(id | ((st.fcr & kFcrEnable) ? 0xc0 : 0));
}
MTTY_ORACLE_CODE_END

struct Op {
  const char* kind = "setup";
  uint64_t pos = 0;
  size_t len = 0;
  uint32_t arg = 0;

  std::string ToString() const {
    return Format(
        "%s pos=0x%llx (region %llu offset 0x%llx) len=%zu arg=%u", kind,
        static_cast<unsigned long long>(pos),
        static_cast<unsigned long long>(pos >> 40),
        static_cast<unsigned long long>(pos & vfio::kRegionOffsetMask), len,
        arg);
  }
};

class Run {
 public:
  Run(std::span<const uint8_t> input, const BarAccessOptions& options)
      : in_(input), options_(options) {}

  MaybeFinding Go();

 private:
  void Setup(uint8_t setup);
  void SetUpOracles();
  bool CheckInitialState();
  void Access(uint64_t pos, bool write, std::span<const uint8_t> data,
              size_t len);
  void Time(uint64_t ns);
  void DoIoctl(uint8_t which, uint8_t index);

  // Checks that hold in every state.
  void CheckState(const DeviceState& s);
  void CheckPort(int port, const Record& rec);
  // 16550a: the device's registers (Peek 0..7 of its record) and FIFO count
  // against the port's reference model.
  void CompareWithReference(
      int port, const Record& rec,
      const std::array<uint8_t, kUartRegisterCount>& peeked);
  // A 1-byte read of `reg` returned `value`; `rec` is the port before it.
  void CheckRegisterRead(int port, const Record& rec, uint8_t reg,
                         uint8_t value);
  // Interrupt bookkeeping across an operation that cannot change the IRQ
  // configuration (region access, time). `edges` is the reference models'
  // count of rising edges (16550a only).
  void CheckIrqAcrossAccess(const DeviceState& before, const DeviceState& after,
                            int edges);
  void Fail(const char* oracle, std::string detail);
  bool failed() const { return finding_.has_value(); }
  uint64_t RegionSize(uint64_t index) const;
  int TakeEdges();

  ByteReader in_;
  const BarAccessOptions& options_;
  Profile profile_ = Profile::kKernel;
  int nr_ports_ = 1;
  FakeFdTable fds_;
  std::shared_ptr<CountingSink> sink_a_;
  std::shared_ptr<CountingSink> sink_b_;
  std::unique_ptr<DeviceUnderTest> dev_;
  std::vector<ReferenceUart> ref_;
  std::unique_ptr<Uart16550> scratch_;
  std::array<uint8_t, PciConfig::kRegionSize> initial_config_{};
  std::array<bool, PciConfig::kRegionSize> may_change_{};  // ByteMayChange
  // The last record each port was checked with; an unchanged record needs
  // no second look (the reference is still compared every time).
  std::vector<Record> checked_;
  std::vector<std::array<uint8_t, kUartRegisterCount>> peeked_;
  DeviceState prev_;
  size_t op_index_ = 0;
  Op op_;
  bool quiet_ = false;  // options_.oracles is false
  MaybeFinding finding_;
};

// Fail, RegionSize and TakeEdges serve the oracles only.
MTTY_ORACLE_CODE_BEGIN

void Run::Fail(const char* oracle, std::string detail) {
  if (failed() || OracleIgnored(oracle)) return;
  finding_ = Finding{oracle, op_index_, op_.ToString() + ": " + detail};
}

uint64_t Run::RegionSize(uint64_t index) const {
  if (index == vfio::kConfigRegionIndex) return PciConfig::kRegionSize;
  if (index == vfio::kBar0RegionIndex) return MttyDevice::kBarSize;
  if (index == vfio::kBar1RegionIndex && nr_ports_ == 2) {
    return MttyDevice::kBarSize;
  }
  return 0;
}

int Run::TakeEdges() {
  int edges = 0;
  for (ReferenceUart& r : ref_) edges += r.TakeRisingEdges();
  return edges;
}

MTTY_ORACLE_CODE_END

MaybeFinding Run::Go() {
  const uint8_t setup = in_.U8();
  nr_ports_ = (setup & bar::kSetupDualPort) ? 2 : 1;
  profile_ = (setup & bar::kSetup16550a) ? Profile::k16550a : Profile::kKernel;

  sink_a_ = fds_.Register(bar::kEventfdA);
  sink_b_ = fds_.Register(bar::kEventfdB);
  fds_.RegisterNonEventfd(bar::kNotEventfd);
  dev_ = options_.factory(DeviceOptions{nr_ports_, profile_, &fds_});
  // With the oracles off (benchmarks) the same decoding below drives the
  // device; Access, Time and DoIoctl stop right after their device call.
  quiet_ = !options_.oracles;
  if (!quiet_) {
    SetUpOracles();
    if (!CheckInitialState()) return finding_;
  }

  Setup(setup);
  while (!failed() && !in_.empty() && op_index_ < options_.max_ops) {
    ++op_index_;
    const uint8_t opcode = in_.U8() % bar::kNumOps;
    switch (opcode) {
      case bar::kWrite:
      case bar::kRead: {
        const uint8_t sel = in_.U8();
        const size_t len = bar::LenFromCode((sel >> 4) & 3);
        const uint64_t pos = vfio::RegionOffset((sel >> 3) & 1) + (sel & 7);
        const bool write = opcode == bar::kWrite;
        std::span<const uint8_t> data =
            write ? in_.Bytes(len) : std::span<const uint8_t>();
        Access(pos, write, data, len);
        break;
      }
      case bar::kWriteRepeat:
      case bar::kReadRepeat: {
        const uint8_t sel = in_.U8();
        const bool write = opcode == bar::kWriteRepeat;
        const uint8_t value = write ? in_.U8() : 0;
        const int count = in_.U8() % 33;
        const size_t len = bar::LenFromCode((sel >> 4) & 3);
        const uint64_t pos = vfio::RegionOffset((sel >> 3) & 1) + (sel & 7);
        std::array<uint8_t, 4> data;
        data.fill(value);
        for (int i = 0; i < count && !failed(); ++i) {
          Access(pos, write, std::span<const uint8_t>(data.data(), len), len);
        }
        break;
      }
      case bar::kConfigWrite:
      case bar::kConfigRead: {
        const uint8_t offset = in_.U8();
        const size_t len = bar::LenFromCode(in_.U8() & 3);
        const bool write = opcode == bar::kConfigWrite;
        std::span<const uint8_t> data =
            write ? in_.Bytes(len) : std::span<const uint8_t>();
        Access(vfio::RegionOffset(vfio::kConfigRegionIndex) + offset, write,
               data, len);
        break;
      }
      case bar::kRaw: {
        const uint8_t ctl = in_.U8();
        const bool write = (ctl & 1) != 0;
        const size_t len = (ctl >> 1) & 15;
        const uint64_t pos = in_.U64();
        std::span<const uint8_t> data =
            write ? in_.Bytes(len) : std::span<const uint8_t>();
        Access(pos, write, data, len);
        break;
      }
      case bar::kTime: {
        static constexpr uint64_t kUnits[4] = {1, 1000, 1000000, 1000000000};
        const uint64_t unit = kUnits[in_.U8() & 3];
        Time(unit * in_.U32());
        break;
      }
      case bar::kIoctl: {
        const uint8_t which = in_.U8() % bar::kNumIoctls;
        const uint8_t index =
            (which == bar::kGetIrqInfo || which == bar::kGetRegionInfo)
                ? in_.U8()
                : 0;
        DoIoctl(which, index);
        break;
      }
    }
  }
  return finding_;
}

void Run::Setup(uint8_t setup) {
  if (setup & bar::kSetupGetInfo) DoIoctl(bar::kGetInfo, 0);
  switch ((setup >> 3) & 3) {
    case 1:
    case 3:
      DoIoctl(bar::kIntxEventfd, 0);
      break;
    case 2:
      DoIoctl(bar::kMsiEventfd, 0);
      break;
    default:
      break;
  }
}

// From here on: the per-operation steps (Access, Time, DoIoctl), which make
// one device call each and then judge it, and the checks they use. Not
// coverage-instrumented (fuzz/oracle_code.h): the device's coverage comes
// from core/, and the op decoder (Go, Setup) stays instrumented.
MTTY_ORACLE_CODE_BEGIN

void Run::SetUpOracles() {
  scratch_ = std::make_unique<Uart16550>(profile_);
  if (profile_ == Profile::k16550a) ref_.resize(nr_ports_);
  // The pristine layout and the write masks depend only on the port count:
  // computed once per process, not per input.
  struct Layout {
    std::array<uint8_t, PciConfig::kRegionSize> bytes{};
    std::array<bool, PciConfig::kRegionSize> may_change{};
  };
  static const std::array<Layout, 2> layouts = [] {
    std::array<Layout, 2> l;
    for (int ports = 1; ports <= 2; ++ports) {
      const PciConfig pristine(ports);
      Layout& out = l[ports - 1];
      std::copy_n(pristine.bytes().begin(), out.bytes.size(),
                  out.bytes.begin());
      for (uint32_t i = 0; i < out.may_change.size(); ++i) {
        out.may_change[i] = PciConfig::ByteMayChange(i, ports);
      }
    }
    return l;
  }();
  initial_config_ = layouts[nr_ports_ - 1].bytes;
  may_change_ = layouts[nr_ports_ - 1].may_change;
  checked_.assign(nr_ports_, Record{});
  peeked_.resize(nr_ports_);
}

// The device as created: its shape, the sample's config layout, and every
// state invariant. False when the shape is wrong (nothing else can be judged).
bool Run::CheckInitialState() {
  prev_ = dev_->state();
  if (prev_.nr_ports != nr_ports_ || prev_.profile != profile_ ||
      prev_.ports.size() != static_cast<size_t>(nr_ports_)) {
    Fail("device-shape",
         Format("asked for %d ports, profile %d; got %d "
                "ports (%zu records), profile %d",
                nr_ports_, static_cast<int>(profile_), prev_.nr_ports,
                prev_.ports.size(), static_cast<int>(prev_.profile)));
    return false;
  }
  if (prev_.config != initial_config_) {
    Fail("config-initial", "config space differs from the sample's layout");
  }
  CheckState(prev_);  // config already compared with the initial layout
  return true;
}

void Run::Access(uint64_t pos, bool write, std::span<const uint8_t> data,
                 size_t len) {
  op_ = Op{write ? "write" : "read", pos, len, 0};
  std::array<uint8_t, kMaxAccess> buf;
  buf.fill(kCanary);
  if (write) {
    // Operands cut short by the end of the input are zero-filled.
    std::fill(buf.begin(), buf.begin() + len, 0);
    std::copy(data.begin(), data.end(), buf.begin());
  }
  const DeviceState& before = prev_;
  const Result<size_t> result =
      write ? dev_->Write(pos, std::span<const uint8_t>(buf.data(), len))
            : dev_->Read(pos, std::span<uint8_t>(buf.data(), len));
  if (quiet_) return;
  DeviceState after = dev_->state();

  const uint64_t index = pos >> vfio::kRegionIndexShift;
  const uint64_t offset = pos & vfio::kRegionOffsetMask;
  const bool valid = len > 0 && offset + len <= RegionSize(index);

  if (len == 0 || !valid) {
    const Status want = len == 0 ? Status::Ok() : Status::Error(-EFAULT);
    if (result.status() != want || (result.ok() && result.value() != 0)) {
      Fail("access-result",
           Format("%s access: want %s, got %s",
                  len == 0 ? "empty" : "out-of-range", want.ToString().c_str(),
                  result.ok() ? Format("%zu bytes", result.value()).c_str()
                              : result.status().ToString().c_str()));
    }
    if (!(after == before)) {
      Fail("invalid-access-changes-nothing",
           "state() differs after a failed or empty access");
    }
    if (!write) {
      for (size_t i = 0; i < len; ++i) {
        if (buf[i] != kCanary) {
          Fail("invalid-access-changes-nothing",
               Format("failed read wrote 0x%02x into the caller's buffer "
                      "at byte %zu",
                      buf[i], i));
          break;
        }
      }
    }
    CheckState(after);
    prev_ = std::move(after);
    return;
  }

  if (!result.ok() || result.value() != len) {
    Fail("access-result",
         Format("valid access: want %zu bytes, got %s", len,
                result.ok() ? Format("%zu bytes", result.value()).c_str()
                            : result.status().ToString().c_str()));
  }
  if (after.mig_state != before.mig_state ||
      after.reported_num_irqs != before.reported_num_irqs) {
    Fail("access-scope", "a region access changed migration or GET_INFO state");
  }

  int edges = 0;
  if (index == vfio::kConfigRegionIndex) {
    if (!(after.ports == before.ports)) {
      Fail("access-scope", "a config access changed a UART port");
    }
    // Byte by byte only when something changed (rarely, and never on reads).
    const bool config_changed = after.config != before.config;
    for (size_t i = 0; config_changed && i < after.config.size(); ++i) {
      const bool in_access = i >= offset && i < offset + len;
      // A write re-evaluates the whole dword of every BAR it touches.
      const bool in_bar =
          write && i >= PciConfig::kBar0Offset && i < PciConfig::kBar5End &&
          (i & ~size_t{3}) + 4 > offset && (i & ~size_t{3}) < offset + len;
      if (!write || !(in_access || in_bar)) {
        if (after.config[i] != before.config[i]) {
          Fail("config-write-scope",
               Format("config byte 0x%zx changed 0x%02x -> 0x%02x outside "
                      "the access",
                      i, before.config[i], after.config[i]));
          break;
        }
      }
    }
    if (!write) {
      for (size_t i = 0; i < len; ++i) {
        if (buf[i] != after.config[offset + i]) {
          Fail("config-read-value",
               Format("byte %zu read 0x%02x, config holds 0x%02x", i, buf[i],
                      after.config[offset + i]));
          break;
        }
      }
    }
  } else {
    if (after.config != before.config) {
      Fail("access-scope", "a BAR access changed config space");
    }
    const int port = static_cast<int>(index);
    if (!write && len == 1)
      CheckRegisterRead(port, before.ports[port], static_cast<uint8_t>(offset),
                        buf[0]);
    if (profile_ == Profile::kKernel) {
      if (!write) {
        // Pieces of 4/2/1 bytes by alignment; only a piece's first byte
        // comes from the UART, the rest must read 0, not stale memory.
        size_t done = 0;
        while (done < len) {
          const uint64_t p = offset + done;
          const size_t rem = len - done;
          const size_t w = (rem >= 4 && p % 4 == 0)   ? 4
                           : (rem >= 2 && p % 2 == 0) ? 2
                                                      : 1;
          for (size_t k = 1; k < w; ++k) {
            if (buf[done + k] != 0) {
              Fail("kernel-wide-read-zero-fill",
                   Format("byte %zu of a %zu-byte piece read 0x%02x", k, w,
                          buf[done + k]));
            }
          }
          done += w;
        }
      }
    } else {
      ReferenceUart& ref = ref_[port];
      for (size_t i = 0; i < len; ++i) {
        const uint8_t reg = static_cast<uint8_t>(offset + i);
        if (write) {
          ref.Write(reg, buf[i]);
        } else {
          const uint8_t want = ref.Read(reg);
          if (buf[i] != want) {
            Fail("reference-read-value",
                 Format("port %d register %u (lane %zu) read 0x%02x, "
                        "reference 0x%02x",
                        port, reg, i, buf[i], want));
            break;
          }
        }
      }
      edges = TakeEdges();
    }
  }
  CheckIrqAcrossAccess(before, after, edges);
  CheckState(after);
  prev_ = std::move(after);
}

void Run::Time(uint64_t ns) {
  op_ = Op{"advance-time", 0, 0, static_cast<uint32_t>(ns)};
  const DeviceState& before = prev_;
  dev_->AdvanceTime(ns);
  if (quiet_) return;
  DeviceState after = dev_->state();
  for (ReferenceUart& r : ref_) r.AdvanceTime(ns);
  const int edges = TakeEdges();
  if (after.config != before.config || after.mig_state != before.mig_state) {
    Fail("access-scope", "AdvanceTime changed config or migration state");
  }
  if (profile_ == Profile::kKernel && !(after.ports == before.ports)) {
    Fail("kernel-time-inert", "AdvanceTime changed a kernel-profile port");
  }
  CheckIrqAcrossAccess(before, after, edges);
  CheckState(after);
  prev_ = std::move(after);
}

std::vector<uint8_t> IrqSet(uint32_t flags, uint32_t index, uint32_t count,
                            std::span<const uint8_t> data) {
  std::vector<uint8_t> arg;
  PutLe(arg, vfio::kIrqSetMinsz + data.size(), 4);
  PutLe(arg, flags, 4);
  PutLe(arg, index, 4);
  PutLe(arg, 0, 4);  // start
  PutLe(arg, count, 4);
  arg.insert(arg.end(), data.begin(), data.end());
  return arg;
}

std::vector<uint8_t> EventfdSet(uint32_t index, int32_t fd) {
  std::vector<uint8_t> data;
  PutLe(data, static_cast<uint32_t>(fd), 4);
  return IrqSet(vfio::kIrqSetDataEventfd | vfio::kIrqSetActionTrigger, index, 1,
                data);
}

void Run::DoIoctl(uint8_t which, uint8_t index) {
  op_ = Op{"ioctl", 0, 0, which};
  const DeviceState& before = prev_;
  uint32_t cmd = vfio::kDeviceSetIrqs;
  std::vector<uint8_t> arg;
  bool closed = false;
  constexpr uint32_t kNone = vfio::kIrqSetDataNone;
  constexpr uint32_t kTrigger = vfio::kIrqSetActionTrigger;
  switch (which) {
    case bar::kGetInfo:
      cmd = vfio::kDeviceGetInfo;
      PutLe(arg, vfio::kDeviceInfoMinsz, 4);
      arg.resize(vfio::kDeviceInfoMinsz, 0);
      break;
    case bar::kReset:
      cmd = vfio::kDeviceReset;
      break;
    case bar::kIntxEventfd:
      arg = EventfdSet(vfio::kIntxIrqIndex, bar::kEventfdA);
      break;
    case bar::kMsiEventfd:
      arg = EventfdSet(vfio::kMsiIrqIndex, bar::kEventfdB);
      break;
    case bar::kIntxMask:
      arg = IrqSet(kNone | vfio::kIrqSetActionMask, vfio::kIntxIrqIndex, 1, {});
      break;
    case bar::kIntxUnmask:
      arg =
          IrqSet(kNone | vfio::kIrqSetActionUnmask, vfio::kIntxIrqIndex, 1, {});
      break;
    case bar::kIntxDisable:
      arg = IrqSet(kNone | kTrigger, vfio::kIntxIrqIndex, 0, {});
      break;
    case bar::kMsiDisable:
      arg = IrqSet(kNone | kTrigger, vfio::kMsiIrqIndex, 0, {});
      break;
    case bar::kIntxLoopback:
      arg = IrqSet(kNone | kTrigger, vfio::kIntxIrqIndex, 1, {});
      break;
    case bar::kMsiLoopback:
      arg = IrqSet(kNone | kTrigger, vfio::kMsiIrqIndex, 1, {});
      break;
    case bar::kIntxFdMinus1:
      arg = EventfdSet(vfio::kIntxIrqIndex, -1);
      break;
    case bar::kIntxBadFd:
      arg = EventfdSet(vfio::kIntxIrqIndex, bar::kClosedFd);
      break;
    case bar::kMsiNotEventfd:
      arg = EventfdSet(vfio::kMsiIrqIndex, bar::kNotEventfd);
      break;
    case bar::kGetIrqInfo:
      cmd = vfio::kDeviceGetIrqInfo;
      PutLe(arg, vfio::kIrqInfoMinsz, 4);
      PutLe(arg, 0, 4);
      PutLe(arg, index, 4);
      PutLe(arg, 0, 4);
      break;
    case bar::kGetRegionInfo:
      cmd = vfio::kDeviceGetRegionInfo;
      PutLe(arg, vfio::kRegionInfoMinsz, 4);
      PutLe(arg, 0, 4);
      PutLe(arg, index, 4);
      arg.resize(vfio::kRegionInfoMinsz, 0);
      break;
    case bar::kClose:
    default:
      closed = true;
      break;
  }
  Status status = Status::Ok();
  if (closed) {
    dev_->Close();
  } else {
    status = dev_->Ioctl(cmd, arg);
  }
  if (quiet_) return;
  DeviceState after = dev_->state();
  const uint64_t d = after.irq.signals - before.irq.signals;

  if (!status.ok()) {
    if (!(after == before)) {
      Fail("ioctl-error-changes-nothing",
           Format("ioctl failed with %s but state() changed",
                  status.ToString().c_str()));
    }
    CheckState(after);
    prev_ = std::move(after);
    return;
  }
  if (after.config != before.config) {
    Fail("ioctl-scope", "an ioctl changed config space");
  }
  const bool resets_ports =
      which == bar::kReset && profile_ == Profile::k16550a;
  if (resets_ports) {
    for (ReferenceUart& r : ref_) r.Reset();
  } else if (!(after.ports == before.ports)) {
    Fail("ioctl-scope", "an ioctl other than a 16550a RESET changed a port");
  }
  uint64_t want_d = 0;
  switch (which) {
    case bar::kGetInfo: {
      const uint32_t flags = arg[4] | arg[5] << 8;
      if (flags != vfio::kDeviceFlagsPci || arg[8] != vfio::kNumRegions ||
          arg[12] != vfio::kNumIrqs || after.reported_num_irqs != 5) {
        Fail("get-info", "GET_INFO must report PCI, 9 regions, 5 irqs");
      }
      break;
    }
    case bar::kReset:
      if (after.mig_state != vfio::MigState::kRunning) {
        Fail("reset", "RESET must leave migration in RUNNING");
      }
      break;
    case bar::kIntxLoopback:
      want_d = before.irq.intx_masked ? 0 : 1;
      if (!after.irq.intx_masked) {
        Fail("irq-automask", "INTx loopback trigger must leave INTx masked");
      }
      break;
    case bar::kMsiLoopback:
      want_d = 1;
      break;
    case bar::kIntxUnmask:
    case bar::kIntxEventfd:
      // 16550a: INTx is level-triggered (core/README.md), so taking INTx
      // from masked to unmasked while a port asserts its line signals again.
      // An eventfd install unmasks too. Enabling INTx from disabled does not
      // count as an unmask (the device's rule; see fuzz/README.md).
      if (profile_ == Profile::k16550a && before.irq.irq_index == 0 &&
          before.irq.intx_masked && after.irq.irq_index == 0) {
        bool asserted = false;
        for (const ReferenceUart& r : ref_) asserted |= r.Interrupt();
        want_d = asserted ? 1 : 0;
      }
      break;
    case bar::kClose:
      if (after.irq.irq_index != -1 || after.irq.intx_masked ||
          after.irq.intx_has_sink || after.irq.msi_has_sink) {
        Fail("close", "close_device must disable every interrupt");
      }
      break;
    default:
      break;
  }
  if (d != want_d) {
    Fail("ioctl-signals", Format("ioctl signalled %llu times, expected %llu",
                                 static_cast<unsigned long long>(d),
                                 static_cast<unsigned long long>(want_d)));
  }
  CheckState(after);
  prev_ = std::move(after);
}

void Run::CheckIrqAcrossAccess(const DeviceState& before,
                               const DeviceState& after, int edges) {
  const IrqController::State& b = before.irq;
  const IrqController::State& a = after.irq;
  if (a.irq_index != b.irq_index || a.intx_has_sink != b.intx_has_sink ||
      a.msi_has_sink != b.msi_has_sink || (b.intx_masked && !a.intx_masked)) {
    Fail("irq-config-stable",
         "a region access or time advance changed the IRQ configuration");
    return;
  }
  const uint64_t d = a.signals - b.signals;
  if (b.irq_index == -1 && d != 0) {
    Fail("irq-not-when-disabled",
         Format("%llu signals with no interrupt enabled",
                static_cast<unsigned long long>(d)));
  } else if (b.irq_index == 0 && b.intx_masked && d != 0) {
    Fail("irq-not-when-masked", Format("%llu signals while INTx is masked",
                                       static_cast<unsigned long long>(d)));
  } else if (b.irq_index == 0 && d > 1) {
    Fail("irq-intx-automask", Format("INTx signalled %llu times in one access",
                                     static_cast<unsigned long long>(d)));
  } else if (b.irq_index == 0 && d == 1 && !a.intx_masked) {
    Fail("irq-intx-automask", "INTx signalled but was not masked");
  } else if (!b.intx_masked && a.intx_masked && d == 0) {
    Fail("irq-intx-automask", "INTx masked itself without signalling");
  }
  if (profile_ == Profile::k16550a && !failed()) {
    uint64_t want = 0;
    if (b.irq_index == 1) want = static_cast<uint64_t>(edges);
    if (b.irq_index == 0 && !b.intx_masked) want = edges > 0 ? 1 : 0;
    if (d != want) {
      Fail("reference-interrupts",
           Format("device signalled %llu times; reference saw %d rising "
                  "edge(s), so %llu expected (irq_index %d, masked %d)",
                  static_cast<unsigned long long>(d), edges,
                  static_cast<unsigned long long>(want), b.irq_index,
                  b.intx_masked));
    }
  }
}

void Run::CheckState(const DeviceState& s) {
  if (failed()) return;
  // The config snapshot's size is fixed by its type; the port count is not.
  static_assert(std::tuple_size_v<decltype(s.config)> ==
                std::tuple_size_v<decltype(initial_config_)>);
  if (s.ports.size() != static_cast<size_t>(nr_ports_)) {
    Fail("device-shape", Format("state() has %zu port records, the device %d",
                                s.ports.size(), nr_ports_));
    return;
  }
  // prev_ was checked already: only a changed config space needs a look.
  const bool config_changed = !(s.config == prev_.config);
  for (uint32_t i = 0; config_changed && i < s.config.size(); ++i) {
    if (s.config[i] != initial_config_[i] && !may_change_[i]) {
      Fail("config-read-only-bytes",
           Format("read-only config byte 0x%02x is 0x%02x, was 0x%02x", i,
                  s.config[i], initial_config_[i]));
      return;
    }
  }
  const IrqController::State& irq = s.irq;
  if (irq.irq_index < -1 || irq.irq_index > 1 ||
      (irq.irq_index == 0) != irq.intx_has_sink ||
      (irq.irq_index == 1) != irq.msi_has_sink ||
      (irq.intx_masked && irq.irq_index != 0)) {
    Fail("irq-invariants",
         Format("irq_index %d intx_masked %d intx_sink %d msi_sink %d",
                irq.irq_index, irq.intx_masked, irq.intx_has_sink,
                irq.msi_has_sink));
    return;
  }
  const uint64_t counted = sink_a_->count() + sink_b_->count();
  if (counted != irq.signals) {
    Fail("irq-signal-count",
         Format("eventfds counted %llu signals, the controller %llu",
                static_cast<unsigned long long>(counted),
                static_cast<unsigned long long>(irq.signals)));
    return;
  }
  if (s.mig_state != vfio::MigState::kRunning) {
    Fail("migration-untouched", "bar_access never migrates, yet state moved");
    return;
  }
  for (int p = 0; p < nr_ports_ && !failed(); ++p) CheckPort(p, s.ports[p]);
}

void Run::CheckRegisterRead(int port, const Record& rec, uint8_t reg,
                            uint8_t value) {
  const Uart16550::State st = Uart16550::State::Fields(rec);
  const unsigned count = st.rx_count;
  const bool dlab = (st.lcr & kLcrDlab) != 0;
  if (reg == kLsr && ((value & kLsrDr) != 0) != (count > 0)) {
    Fail("lsr-dr-matches-fifo",
         Format("port %d LSR read 0x%02x with %u bytes queued", port, value,
                count));
  } else if (reg == kIirFcr && value != ExpectedIir(profile_, st)) {
    Fail("iir-matches-sources",
         Format("port %d IIR read 0x%02x; IER 0x%02x and the pending sources "
                "imply 0x%02x",
                port, value, st.ier, ExpectedIir(profile_, st)));
  } else if (reg == kIer && !dlab && value != (st.ier & 0x0f)) {
    Fail("ier-readback",
         Format("port %d IER read 0x%02x, stored 0x%02x", port, value, st.ier));
  }
}

void Run::CheckPort(int port, const Record& rec) {
  // Unchanged since its last full check (checked_ starts all zero, which no
  // saved record is: its version byte is 1).
  if (rec == checked_[port] && rec != Record{}) {
    CompareWithReference(port, rec, peeked_[port]);
    return;
  }
  const Uart16550::State st = Uart16550::State::Fields(rec);
  const unsigned count = st.rx_count;
  const unsigned capacity = st.rx_capacity;
  if (count > 16) {
    Fail("fifo-count-range", Format("port %d FIFO count %u", port, count));
    return;
  }
  if (profile_ == Profile::k16550a && count > capacity) {
    Fail("fifo-count-range", Format("port %d FIFO count %u above capacity %u",
                                    port, count, capacity));
    return;
  }
  const Status loaded = scratch_->LoadState(rec);
  if (!loaded.ok()) {
    Fail("port-record-loads",
         Format("port %d: the device's own record is rejected: %s", port,
                loaded.ToString().c_str()));
    return;
  }
  const uint8_t ier = st.ier;
  const bool dlab = (scratch_->Peek(kLcr) & kLcrDlab) != 0;
  const uint8_t lsr = scratch_->Peek(kLsr);
  const uint8_t iir = scratch_->Peek(kIirFcr);
  if (((lsr & kLsrDr) != 0) != (count > 0)) {
    Fail("lsr-dr-matches-fifo",
         Format("port %d LSR 0x%02x with %u bytes queued", port, lsr, count));
    return;
  }
  if (!dlab && scratch_->Peek(kIer) != (ier & 0x0f)) {
    Fail("ier-readback", Format("port %d IER reads 0x%02x, stored 0x%02x", port,
                                scratch_->Peek(kIer), ier));
    return;
  }
  const bool err_oe = (st.lsr_errors & kLsrOe) != 0;
  const bool err_bi = (st.lsr_errors & kLsrBi) != 0;
  const uint8_t want_iir = ExpectedIir(profile_, st);
  if (profile_ == Profile::kKernel) {
    const uint8_t want_lsr_bits = static_cast<uint8_t>(
        (count == 0 ? kLsrThre | kLsrTemt : 0) | (err_oe ? kLsrOe : 0));
    if ((lsr & (kLsrThre | kLsrTemt | kLsrOe)) != want_lsr_bits) {
      Fail("kernel-lsr", Format("port %d LSR 0x%02x, count %u, overrun %d",
                                port, lsr, count, err_oe));
      return;
    }
  } else {
    bool break_queued = false;
    for (unsigned i = 0; i < count; ++i) {
      break_queued |= (st.rx_flags[i] & kLsrBi) != 0;
    }
    const uint8_t want_lsr = static_cast<uint8_t>(
        (count > 0 ? kLsrDr : 0) | (err_oe ? kLsrOe : 0) |
        (err_bi ? kLsrBi : 0) | kLsrThre | kLsrTemt |
        ((st.fcr & kFcrEnable) && break_queued ? kLsrFifoError : 0));
    if (lsr != want_lsr) {
      Fail("16550a-lsr", Format("port %d LSR 0x%02x, the record implies 0x%02x",
                                port, lsr, want_lsr));
      return;
    }
  }
  if (iir != want_iir) {
    Fail("iir-matches-sources",
         Format("port %d IIR 0x%02x, IER 0x%02x and the pending sources "
                "imply 0x%02x",
                port, iir, ier, want_iir));
    return;
  }
  for (uint8_t reg = 0; reg < kUartRegisterCount; ++reg) {
    peeked_[port][reg] = scratch_->Peek(reg);
  }
  checked_[port] = rec;
  CompareWithReference(port, rec, peeked_[port]);
}

void Run::CompareWithReference(
    int port, const Record& rec,
    const std::array<uint8_t, kUartRegisterCount>& peeked) {
  if (profile_ != Profile::k16550a) return;
  const ReferenceUart& ref = ref_[port];
  const unsigned count = Uart16550::State::Fields(rec).rx_count;
  if (ref.rx_count() != count) {
    Fail("reference-fifo-count", Format("port %d holds %u bytes, reference %zu",
                                        port, count, ref.rx_count()));
    return;
  }
  for (uint8_t reg = 0; reg < kUartRegisterCount; ++reg) {
    const uint8_t want = ref.Peek(reg);
    if (peeked[reg] != want) {
      Fail("reference-register",
           Format("port %d register %u is 0x%02x, reference 0x%02x", port, reg,
                  peeked[reg], want));
      return;
    }
  }
}

MTTY_ORACLE_CODE_END

}  // namespace

MaybeFinding RunBarAccess(std::span<const uint8_t> input,
                          const BarAccessOptions& options) {
  Run run(input, options);
  return run.Go();
}

}  // namespace mtty::fuzz
