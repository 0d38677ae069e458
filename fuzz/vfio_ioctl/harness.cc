// Copyright mtty-lab authors.
#include "fuzz/vfio_ioctl/harness.h"

#include <cstring>
#include <string>
#include <vector>

#include "core/hex.h"
#include "core/irq.h"
#include "core/vfio_uapi.h"
#include "fuzz/byte_reader.h"
#include "fuzz/models/ioctl_model.h"
#include "fuzz/models/mig_model.h"
#include "fuzz/vfio_ioctl/ops.h"

namespace mtty::fuzz {
namespace {

class Run {
 public:
  Run(std::span<const uint8_t> input, const VfioIoctlOptions& options)
      : in_(input), options_(options) {}
  MaybeFinding Go();

 private:
  void Call(uint32_t cmd, std::vector<uint8_t> arg);
  void CheckTypedInfo(uint32_t cmd, uint32_t index);
  void CheckState(const DeviceState& s);
  void Fail(const char* oracle, std::string detail) {
    if (finding_ || OracleIgnored(oracle)) return;
    finding_ = Finding{oracle, op_index_, op_ + ": " + detail};
  }

  ByteReader in_;
  const VfioIoctlOptions& options_;
  FakeFdTable fds_;
  std::shared_ptr<CountingSink> sink_a_, sink_b_;
  std::unique_ptr<DeviceUnderTest> dev_;
  IoctlModel model_;
  DeviceState initial_;
  size_t op_index_ = 0;
  std::string op_;
  MaybeFinding finding_;
};

std::string Hex(const std::vector<uint8_t>& b) { return HexDump(b, 48); }

MaybeFinding Run::Go() {
  const uint8_t setup = in_.U8();
  model_.nr_ports = (setup & ioc::kSetupDualPort) ? 2 : 1;
  model_.profile =
      (setup & ioc::kSetup16550a) ? Profile::k16550a : Profile::kKernel;
  sink_a_ = fds_.Register(ioc::kEventfdA);
  sink_b_ = fds_.Register(ioc::kEventfdB);
  fds_.RegisterNonEventfd(ioc::kNotEventfd);
  model_.eventfds = {ioc::kEventfdA, ioc::kEventfdB};
  model_.other_files = {ioc::kNotEventfd};
  dev_ =
      options_.factory(DeviceOptions{model_.nr_ports, model_.profile, &fds_});
  initial_ = dev_->state();
  op_ = "initial";
  CheckState(initial_);

  while (!finding_ && !in_.empty() && op_index_ < options_.max_ops) {
    ++op_index_;
    switch (in_.U8() % ioc::kNumOps) {
      case ioc::kRaw: {
        const uint32_t cmd = ioc::kRawCommands[in_.U8() % ioc::kNumRawCommands];
        const size_t len = in_.U8();
        std::span<const uint8_t> bytes = in_.Bytes(len);
        std::vector<uint8_t> arg(bytes.begin(), bytes.end());
        arg.resize(len, 0);
        Call(cmd, std::move(arg));
        break;
      }
      case ioc::kIrqSet: {
        const uint8_t flags = in_.U8(), index = in_.U8(), start = in_.U8(),
                      count = in_.U8();
        const int8_t adjust = static_cast<int8_t>(in_.U8());
        const uint8_t cut = in_.U8();
        const uint32_t type = flags & vfio::kIrqSetDataTypeMask;
        std::vector<uint8_t> data;
        for (int i = 0; i < (count < 16 ? count : 16); ++i) {
          const uint8_t item = in_.U8();
          if (type == vfio::kIrqSetDataEventfd) {
            PutLe(data, static_cast<uint32_t>(ioc::kFds[item % 8]), 4);
          } else {
            data.push_back(item);
          }
        }
        std::vector<uint8_t> arg;
        PutLe(arg, static_cast<uint32_t>(20 + data.size() + adjust), 4);
        for (uint32_t v : {uint32_t{flags}, uint32_t{index}, uint32_t{start},
                           uint32_t{count}}) {
          PutLe(arg, v, 4);
        }
        arg.insert(arg.end(), data.begin(), data.end());
        if (cut & 0x80)
          arg.resize(arg.size() - std::min<size_t>(arg.size(), cut & 31));
        Call(vfio::kDeviceSetIrqs, std::move(arg));
        break;
      }
      case ioc::kIrqSetWide: {
        // Encoded flags, index, start, count, argsz (ops.h); the
        // struct vfio_irq_set starts with argsz.
        uint32_t fields[5];
        for (uint32_t& v : fields) v = in_.U32();
        std::vector<uint8_t> arg;
        PutLe(arg, fields[4], 4);
        for (int i = 0; i < 4; ++i) PutLe(arg, fields[i], 4);
        const size_t len = in_.U8();
        std::span<const uint8_t> bytes = in_.Bytes(len);
        arg.insert(arg.end(), bytes.begin(), bytes.end());
        arg.resize(20 + len, 0);
        Call(vfio::kDeviceSetIrqs, std::move(arg));
        break;
      }
      case ioc::kInfo: {
        static constexpr uint32_t kCmds[3] = {vfio::kDeviceGetInfo,
                                              vfio::kDeviceGetRegionInfo,
                                              vfio::kDeviceGetIrqInfo};
        const uint32_t cmd = kCmds[in_.U8() % 3];
        const uint32_t argsz = in_.U32(), index = in_.U32();
        const size_t len = in_.U8() % 64;
        std::vector<uint8_t> arg;
        PutLe(arg, argsz, 4);
        PutLe(arg, 0x5a5a5a5a, 4);  // flags: caller garbage, overwritten
        PutLe(arg, index, 4);
        PutLe(arg, 0, 4);  // count / cap_offset: zeroed, as QEMU does
        while (arg.size() < 64)
          arg.push_back(static_cast<uint8_t>(0xc0 + arg.size()));
        arg.resize(len);
        Call(cmd, std::move(arg));
        if (cmd != vfio::kDeviceGetInfo) CheckTypedInfo(cmd, index);
        break;
      }
      case ioc::kFeature: {
        std::vector<uint8_t> arg;
        for (int i = 0; i < 4; ++i) PutLe(arg, in_.U32(), 4);
        // argsz, flags, then the 8-byte payload.
        std::swap_ranges(arg.begin(), arg.begin() + 4, arg.begin() + 4);
        const size_t len = in_.U8() % 32;
        arg.resize(len, 0xee);
        Call(vfio::kDeviceFeature, std::move(arg));
        break;
      }
      case ioc::kReset:
        Call(vfio::kDeviceReset, {});
        break;
      case ioc::kClose: {
        op_ = "close_device";
        dev_->Close();
        model_.Close();
        CheckState(dev_->state());
        break;
      }
    }
  }
  return finding_;
}

void Run::Call(uint32_t cmd, std::vector<uint8_t> arg) {
  op_ = Format("ioctl 0x%x arg[%zu]=%s", cmd, arg.size(), Hex(arg).c_str());
  const DeviceState before = dev_->state();
  const IoctlModel::Outcome want = model_.Ioctl(cmd, arg);
  std::vector<uint8_t> got = arg;
  const Status status = dev_->Ioctl(cmd, got);
  const DeviceState after = dev_->state();
  if (status != want.status) {
    Fail("ioctl-result",
         Format("returned %s, the rules say %s", status.ToString().c_str(),
                want.status.ToString().c_str()));
    return;
  }
  if (got != want.arg) {
    // A difference confined to GET_REGION_INFO's cap_offset gets its own
    // name so it can be told (and ignored) apart from the rest.
    bool only_cap_offset = cmd == vfio::kDeviceGetRegionInfo &&
                           got.size() == want.arg.size() && got.size() >= 16;
    for (size_t i = 0; only_cap_offset && i < got.size(); ++i) {
      if (got[i] != want.arg[i] && (i < 12 || i >= 16)) only_cap_offset = false;
    }
    Fail(only_cap_offset ? "region-info-cap-offset" : "ioctl-copy-back",
         Format("argument memory became %s, the rules say %s", Hex(got).c_str(),
                Hex(want.arg).c_str()));
    return;
  }
  if (!status.ok() && !(after == before)) {
    Fail("ioctl-error-changes-nothing",
         Format("failed with %s but state() changed",
                status.ToString().c_str()));
    return;
  }
  if (cmd == vfio::kDeviceFeature && status.ok() && arg.size() >= 16 &&
      (Get32(arg, 4) & vfio::kFeatureSet)) {
    const std::shared_ptr<MigrationFile> file =
        dev_->TakeMigrationFile(MttyDevice::kMigrationFileToken);
    if ((file != nullptr) != want.file ||
        dev_->TakeMigrationFile(MttyDevice::kMigrationFileToken) != nullptr) {
      Fail("file-handed-out",
           Format("data_fd promised %s file, TakeMigrationFile gave %s",
                  want.file ? "a" : "no", file ? "one" : "none"));
      return;
    }
  }
  CheckState(after);
}

namespace {
template <typename Info>
std::vector<uint8_t> InfoBytes(const Info& info) {
  std::vector<uint8_t> b(sizeof(info));
  std::memcpy(b.data(), &info, sizeof(info));
  return b;
}
}  // namespace

void Run::CheckTypedInfo(uint32_t cmd, uint32_t index) {
  if (finding_) return;
  op_ =
      Format("typed %s(%u)",
             cmd == vfio::kDeviceGetRegionInfo ? "GetRegionInfo" : "GetIrqInfo",
             index);
  // What the typed form sends: the whole struct, zeroed, argsz and index set.
  const size_t size = cmd == vfio::kDeviceGetRegionInfo
                          ? sizeof(vfio::RegionInfo)
                          : sizeof(vfio::IrqInfo);
  std::vector<uint8_t> arg(size, 0);
  Put(arg, 0, size, 4);
  Put(arg, 8, index, 4);
  IoctlModel scratch = model_;  // info requests change nothing; be sure
  const IoctlModel::Outcome want = scratch.Ioctl(cmd, arg);
  const DeviceState before = dev_->state();
  Status status = Status::Ok();
  std::vector<uint8_t> got;
  if (cmd == vfio::kDeviceGetRegionInfo) {
    const Result<vfio::RegionInfo> r = dev_->GetRegionInfo(index);
    status = r.status();
    if (r.ok()) got = InfoBytes(r.value());
  } else {
    const Result<vfio::IrqInfo> r = dev_->GetIrqInfo(index);
    status = r.status();
    if (r.ok()) got = InfoBytes(r.value());
  }
  if (status != want.status || (status.ok() && got != want.arg)) {
    Fail("typed-info",
         Format("returned %s %s, the rules say %s %s",
                status.ToString().c_str(), Hex(got).c_str(),
                want.status.ToString().c_str(), Hex(want.arg).c_str()));
    return;
  }
  if (!(dev_->state() == before)) {
    Fail("typed-info", "an info request changed state()");
  }
}

void Run::CheckState(const DeviceState& s) {
  if (finding_) return;
  const IrqController::State& irq = s.irq;
  if (irq.irq_index != model_.irq_index ||
      irq.intx_masked != model_.intx_masked ||
      irq.intx_has_sink != (model_.irq_index == 0) ||
      irq.msi_has_sink != (model_.irq_index == 1) ||
      irq.signals != model_.signals) {
    Fail("irq-state",
         Format("irq_index %d masked %d sinks %d/%d signals %llu; the rules "
                "say irq_index %d masked %d signals %llu",
                irq.irq_index, irq.intx_masked, irq.intx_has_sink,
                irq.msi_has_sink, static_cast<unsigned long long>(irq.signals),
                model_.irq_index, model_.intx_masked,
                static_cast<unsigned long long>(model_.signals)));
  } else if (sink_a_->count() + sink_b_->count() != irq.signals) {
    Fail("irq-signal-count", "the eventfd counters do not add up to signals");
  } else if (static_cast<uint8_t>(s.mig_state) != model_.mig) {
    Fail("migration-state",
         Format("device in %u, the table says %u",
                static_cast<unsigned>(s.mig_state), model_.mig));
  } else if (s.reported_num_irqs != model_.reported_num_irqs) {
    Fail("get-info-quirk",
         Format("reported_num_irqs %u, expected %u", s.reported_num_irqs,
                model_.reported_num_irqs));
  } else if (s.config != initial_.config || s.ports != initial_.ports) {
    Fail("ioctl-scope", "an ioctl changed config space or a port");
  }
}

}  // namespace

MaybeFinding RunVfioIoctl(std::span<const uint8_t> input,
                          const VfioIoctlOptions& options) {
  Run run(input, options);
  return run.Go();
}

}  // namespace mtty::fuzz
