// Copyright mtty-lab authors.
#include "fuzz/kernel/lockstep_device.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <vector>

#include "core/hex.h"
#include "core/pci_config.h"
#include "core/uart16550.h"
#include "core/vfio_uapi.h"
#include "kshim/kernel_mtty.h"
#include "kshim/kshim.h"
#include "mtty_sites.h"

namespace mtty::fuzz::kernel {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kHaveAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kHaveAddressSanitizer = true;
#else
constexpr bool kHaveAddressSanitizer = false;
#endif
#else
constexpr bool kHaveAddressSanitizer = false;
#endif

// -ftrivial-auto-var-init=pattern (kshim/BUILD.bazel) fills the sample's
// uninitialised stack bytes with this value.
constexpr uint8_t kUninitPattern = 0xaa;
// The kernel's BAR and config offsets are u16 (handle_bar_write/read,
// handle_pci_cfg_write take a u16 offset).
constexpr uint64_t kU16 = 0xffff;

struct Chunk {
  uint64_t pos;
  size_t len;
};

// mtty_read/mtty_write split an access into naturally aligned 4/2/1-byte
// pieces, each its own mdev_access.
std::vector<Chunk> Chunks(uint64_t pos, size_t len) {
  std::vector<Chunk> out;
  while (len > 0) {
    size_t n = 1;
    if (len >= 4 && pos % 4 == 0) {
      n = 4;
    } else if (len >= 2 && pos % 2 == 0) {
      n = 2;
    }
    out.push_back({pos, n});
    pos += n;
    len -= n;
  }
  return out;
}

uint32_t RegionIndex(uint64_t pos) {
  return static_cast<uint32_t>(pos >> vfio::kRegionIndexShift);
}
uint64_t RegionOffset(uint64_t pos) { return pos & vfio::kRegionOffsetMask; }

// A config chunk the 6.1 sample ignores but our byte-wise BAR merge
// applies: a 1- or 2-byte write inside BAR0/BAR1 that does not start at the
// BAR (core/README.md, "config partial BAR write").
bool PartialBarChunk(const Chunk& c) {
  const uint64_t o = RegionOffset(c.pos) & kU16;
  return (o > 0x10 && o <= 0x13) || (o > 0x14 && o <= 0x17);
}

bool ServesMissingRegister(Defect d) {
  return d == Defect::kBarIndexOob || d == Defect::kPhantomBar1 ||
         d == Defect::kBarOffsetUnchecked || d == Defect::kConfigWriteUnchecked;
}

// Whether an access reaches past the 8-byte BAR (the sample serves it).
bool BeyondBar(uint64_t pos, size_t len) {
  return len > 0 && RegionOffset(pos) + len > MttyDevice::kBarSize;
}

std::string Hex(std::span<const uint8_t> b) {
  return b.empty() ? "(none)" : HexDump(b, 32);
}

std::string StatusText(const Status& s) { return s.ToString(); }

// What differs between two states, in words ("" if nothing).
std::string StateDiff(const DeviceState& k, const DeviceState& o) {
  for (size_t i = 0; i < k.config.size(); ++i) {
    if (k.config[i] != o.config[i]) {
      return Format("config byte 0x%02zx: sample 0x%02x, ours 0x%02x", i,
                    k.config[i], o.config[i]);
    }
  }
  if (k.ports.size() != o.ports.size()) {
    return Format("port count: sample %zu, ours %zu", k.ports.size(),
                  o.ports.size());
  }
  for (size_t p = 0; p < k.ports.size(); ++p) {
    for (size_t i = 0; i < k.ports[p].size(); ++i) {
      if (k.ports[p][i] != o.ports[p][i]) {
        return Format(
            "port %zu %s (record byte %zu): sample 0x%02x, ours "
            "0x%02x",
            p, Uart16550::State::FieldAt(i).c_str(), i, k.ports[p][i],
            o.ports[p][i]);
      }
    }
  }
  if (k.irq.irq_index != o.irq.irq_index) {
    return Format("irq_index: sample %d, ours %d", k.irq.irq_index,
                  o.irq.irq_index);
  }
  if (k.irq.intx_has_sink != o.irq.intx_has_sink ||
      k.irq.msi_has_sink != o.irq.msi_has_sink) {
    return Format("eventfds held (intx, msi): sample (%d, %d), ours (%d, %d)",
                  k.irq.intx_has_sink, k.irq.msi_has_sink, o.irq.intx_has_sink,
                  o.irq.msi_has_sink);
  }
  if (k.irq.intx_masked != o.irq.intx_masked) {
    return Format("intx_masked: sample %d, ours %d", k.irq.intx_masked,
                  o.irq.intx_masked);
  }
  if (k.reported_num_irqs != o.reported_num_irqs) {
    return Format("num_irqs of the last GET_INFO: sample %u, ours %u",
                  k.reported_num_irqs, o.reported_num_irqs);
  }
  return "";
}

}  // namespace

std::string SampleSite(const char* function) {
  for (const mtty_site& s : kMttySites) {
    if (std::strcmp(s.function, function) == 0) {
      return Format("%s:%d (%s)", MTTY_SOURCE_FILE, s.line, function);
    }
  }
  return Format("%s (%s)", MTTY_SOURCE_FILE, function);
}

// For the crash note and findings: the known defect an op reaches, if any.
static std::string Reaches(std::optional<Defect> d) {
  if (!d) return "";
  return Format(" -- it reaches the known defect %s at %s: %s", Info(*d).name,
                SampleSite(Info(*d).function).c_str(), Info(*d).what);
}

bool LockstepDevice::AnnounceHunted(std::optional<Defect> d,
                                    const std::string& what) {
  // A sanitizer report names the sample's line but not the defect, and
  // libFuzzer owns the sanitizers' death callback: say it before the op.
  if (!d || Info(*d).detector != Detector::kSanitizer) return true;
  std::fprintf(stderr, "==mtty-kernel== op #%llu, %s%s\n",
               static_cast<unsigned long long>(op_), what.c_str(),
               Reaches(d).c_str());
  if (kHaveAddressSanitizer) return true;
  // Without ASan (--config=tsan, gcc) nothing would catch it: the op is
  // not run, and the defect is reported as reached.
  FoundDefect(*d, what +
                      " reached it; not run: this build has no "
                      "AddressSanitizer to catch it");
  return false;
}

unsigned KshimFatalMask(const Hunt& hunt) {
  unsigned mask =
      (1u << KSHIM_BUG_MUTEX_DEADLOCK) | (1u << KSHIM_BUG_MUTEX_NOT_HELD);
  const std::pair<Defect, int> kinds[] = {
      {Defect::kNullEventfdSignal, KSHIM_BUG_NULL_EVENTFD_SIGNAL},
      {Defect::kEventfdUseAfterPut, KSHIM_BUG_EVENTFD_USE_AFTER_PUT},
      {Defect::kEventfdPutUnderflow, KSHIM_BUG_EVENTFD_PUT_UNDERFLOW},
      {Defect::kEventfdLeak, KSHIM_BUG_EVENTFD_LEAK},
  };
  for (const auto& [defect, kind] : kinds) {
    if (hunt.hunts(defect)) mask |= 1u << kind;
  }
  return mask;
}

// MirrorResolver

class MirrorResolver::TeeSink : public IrqSink {
 public:
  explicit TeeSink(std::shared_ptr<IrqSink> next) : next_(std::move(next)) {}
  void Signal() override {
    ++count_;
    if (next_ != nullptr) next_->Signal();
  }
  uint64_t count() const { return count_; }

 private:
  std::shared_ptr<IrqSink> next_;
  uint64_t count_ = 0;
};

Result<std::shared_ptr<IrqSink>> MirrorResolver::Resolve(int32_t fd) {
  if (base_ == nullptr) return Status::Error(-EBADF);
  Result<std::shared_ptr<IrqSink>> r = base_->Resolve(fd);
  if (!r.ok()) return r.status();
  std::shared_ptr<TeeSink>& sink = sinks_[fd];
  if (sink == nullptr) {
    sink = std::make_shared<TeeSink>(forward_ ? r.value() : nullptr);
  }
  return std::shared_ptr<IrqSink>(sink);
}

uint64_t MirrorResolver::count(int32_t fd) const {
  auto it = sinks_.find(fd);
  return it == sinks_.end() ? 0 : it->second->count();
}

std::vector<int32_t> MirrorResolver::fds() const {
  std::vector<int32_t> out;
  for (const auto& [fd, sink] : sinks_) out.push_back(fd);
  return out;
}

// LockstepDevice

LockstepDevice::LockstepDevice(const DeviceOptions& options,
                               LockstepOptions lockstep)
    : nr_ports_(options.nr_ports == 2 ? 2 : 1),
      options_(std::move(lockstep)),
      kernel_fds_(options.resolver, /*forward=*/true),
      our_fds_(options.resolver, /*forward=*/false) {
  kshim_set_fatal_bugs(KshimFatalMask(options_.hunt));
  DeviceOptions k = options;
  k.nr_ports = nr_ports_;
  k.resolver = &kernel_fds_;
  kernel_ = std::make_unique<kshim::KernelMtty>(k);
  DeviceOptions o = k;
  o.profile = Profile::kKernel;
  o.irq_surface = IrqSurface::kLinux6_1;
  o.resolver = &our_fds_;
  ours_ = options_.ours(o);
  if (!kernel_->create_status().ok()) {
    Found("kernel-create",
          "the sample refused to create a " + std::to_string(nr_ports_) +
              "-port device: " + StatusText(kernel_->create_status()));
    return;
  }
  Compare("creation", Status::Ok(), Status::Ok(), {}, {}, false);
}

LockstepDevice::~LockstepDevice() {
  // The sample's remove, then every eventfd closes: what it still holds is
  // an eventfd-leak (kshim reports it, fatally when hunted).
  kernel_.reset();
}

void LockstepDevice::Found(const std::string& oracle, std::string detail) {
  if (finding_) return;
  finding_ = Finding{oracle, op_, std::move(detail)};
  if (options_.on_finding) options_.on_finding(*finding_);
}

void LockstepDevice::FoundDefect(Defect d, const std::string& detail,
                                 const std::string& site) {
  const DefectInfo& info = Info(d);
  Found(std::string("kernel-defect/") + info.name,
        Format("%s at %s: %s (%s)", info.name,
               site.empty() ? SampleSite(info.function).c_str() : site.c_str(),
               detail.c_str(), info.what));
}

bool LockstepDevice::Avoid(std::optional<Defect> d) {
  if (!d || options_.hunt.hunts(*d)) return false;
  ++stats_.avoided;
  return true;
}

std::optional<Defect> LockstepDevice::ReadDefect(uint64_t pos,
                                                 size_t len) const {
  const uint32_t index = RegionIndex(pos);
  const uint64_t off = RegionOffset(pos);
  if (index == vfio::kConfigRegionIndex && len > 0 &&
      off + len > PciConfig::kRegionSize) {
    return Defect::kConfigReadOob;
  }
  if (index >= 2 && index <= vfio::kBar5RegionIndex) {
    return Defect::kBarIndexOob;
  }
  if (index == vfio::kBar1RegionIndex && nr_ports_ == 1) {
    return Defect::kPhantomBar1;
  }
  if (index <= vfio::kBar1RegionIndex && BeyondBar(pos, len)) {
    return Defect::kBarOffsetUnchecked;
  }
  return std::nullopt;
}

std::optional<Defect> LockstepDevice::WriteDefect(uint64_t pos,
                                                  size_t len) const {
  const uint32_t index = RegionIndex(pos);
  if (index == vfio::kConfigRegionIndex) {
    if (len > 0 && RegionOffset(pos) + len > PciConfig::kRegionSize) {
      return Defect::kConfigWriteUnchecked;
    }
    for (const Chunk& c : Chunks(pos, len)) {
      const uint64_t o = RegionOffset(c.pos) & kU16;
      const bool bar = o == 0x10 || (o == 0x14 && nr_ports_ == 2);
      if (bar && c.len < 4) return Defect::kConfigWriteOverread;
    }
    return std::nullopt;
  }
  if (index >= 2 && index <= vfio::kBar5RegionIndex) {
    return Defect::kBarIndexOob;
  }
  if (index == vfio::kBar1RegionIndex && nr_ports_ == 1) {
    return Defect::kPhantomBar1;
  }
  if (index <= vfio::kBar1RegionIndex && BeyondBar(pos, len)) {
    return Defect::kBarOffsetUnchecked;
  }
  if (index <= vfio::kBar1RegionIndex) {
    // The 16th queued byte makes head == tail (a 16-entry ring): count the
    // THR pushes this write can make. A chunk at LCR may change DLAB on the
    // way, so then every THR chunk counts.
    const kmtty_port_view p = kernel_->view().ports[index];
    int pushes = 0;
    bool lcr = false;
    for (const Chunk& c : Chunks(pos, len)) {
      const uint64_t o = RegionOffset(c.pos) & kU16;
      if (o == 3) lcr = true;
      if (o == 0 && (!p.dlab || lcr)) ++pushes;
    }
    if (pushes > 0 && p.max_fifo_size == 16 && p.count + pushes >= 16) {
      return Defect::kFifoFullReadsEmpty;
    }
  }
  return std::nullopt;
}

std::optional<Defect> LockstepDevice::IoctlDefect(
    uint32_t cmd, std::span<const uint8_t> arg) const {
  if (cmd != vfio::kDeviceSetIrqs || arg.size() < vfio::kIrqSetMinsz) {
    return std::nullopt;
  }
  vfio::IrqSetHeader h;
  std::memcpy(&h, arg.data(), sizeof(h));
  const bool trigger =
      (h.flags & vfio::kIrqSetActionTypeMask) == vfio::kIrqSetActionTrigger;
  if (trigger && (h.flags & vfio::kIrqSetDataEventfd) && h.count == 0 &&
      h.index <= vfio::kMsiIrqIndex) {
    return Defect::kSetIrqsNullPayload;
  }
  return std::nullopt;
}

void LockstepDevice::CheckWedgedFifo(const std::string& what) {
  const kmtty_view v = kernel_->view();
  for (int p = 0; p < v.nr_ports && p < 2; ++p) {
    const kmtty_port_view& port = v.ports[p];
    if (port.count >= 16 && port.head == port.tail) {
      FoundDefect(Defect::kFifoFullReadsEmpty,
                  Format("after %s port %d holds %u bytes with head == tail "
                         "== %u, so LSR.DR is clear and RX reads nothing",
                         what.c_str(), p, port.count, port.head),
                  SampleSite("handle_bar_write"));
      return;
    }
  }
}

void LockstepDevice::Compare(const std::string& what,
                             const Status& kernel_status,
                             const Status& our_status,
                             std::span<const uint8_t> kernel_out,
                             std::span<const uint8_t> our_out, bool bar_read) {
  if (finding_) return;
  ++stats_.compared;
  if (options_.hunt.hunts(Defect::kFifoFullReadsEmpty)) CheckWedgedFifo(what);
  if (finding_) return;
  if (kernel_status != our_status) {
    Found("kernel-differential",
          Format("%s: the sample returned %s, ours %s", what.c_str(),
                 StatusText(kernel_status).c_str(),
                 StatusText(our_status).c_str()));
    return;
  }
  if (kernel_out.size() != our_out.size() ||
      !std::equal(kernel_out.begin(), kernel_out.end(), our_out.begin())) {
    bool uninit = bar_read && kernel_out.size() == our_out.size();
    for (size_t i = 0; uninit && i < kernel_out.size(); ++i) {
      if (kernel_out[i] != our_out[i] &&
          !(kernel_out[i] == kUninitPattern && our_out[i] == 0)) {
        uninit = false;
      }
    }
    const std::string detail =
        Format("%s: the sample copied %s to the caller, ours %s", what.c_str(),
               Hex(kernel_out).c_str(), Hex(our_out).c_str());
    if (!uninit) {
      Found("kernel-differential", detail);
      return;
    }
    if (options_.hunt.hunts(Defect::kBarReadUninit)) {
      FoundDefect(Defect::kBarReadUninit,
                  detail + " (0xaa = an uninitialised stack byte)",
                  kshim_last_copy_to_user_site());
      return;
    }
    ++stats_.tolerated;
  }
  std::set<int32_t> fds;
  for (int32_t fd : kernel_fds_.fds()) fds.insert(fd);
  for (int32_t fd : our_fds_.fds()) fds.insert(fd);
  for (int32_t fd : fds) {
    if (kernel_fds_.count(fd) != our_fds_.count(fd)) {
      Found("kernel-differential",
            Format("%s: eventfd %d signalled %llu times by the sample, %llu "
                   "by ours",
                   what.c_str(), fd,
                   static_cast<unsigned long long>(kernel_fds_.count(fd)),
                   static_cast<unsigned long long>(our_fds_.count(fd))));
      return;
    }
  }
  const std::string diff = StateDiff(kernel_->state(), ours_->state());
  if (!diff.empty()) {
    Found("kernel-differential", what + ": " + diff);
  }
}

Result<size_t> LockstepDevice::Read(uint64_t pos, std::span<uint8_t> buf) {
  ++op_;
  if (finding_) return Status::Error(-EIO);
  const std::optional<Defect> d = ReadDefect(pos, buf.size());
  if (Avoid(d)) return Status::Error(-EPERM);
  const std::string what =
      Format("read region %u offset 0x%llx len %zu", RegionIndex(pos),
             static_cast<unsigned long long>(RegionOffset(pos)), buf.size());
  if (!AnnounceHunted(d, what)) return Status::Error(-EIO);
  std::vector<uint8_t> mine(buf.begin(), buf.end());
  const Result<size_t> k = kernel_->Read(pos, buf);
  const Result<size_t> o = ours_->Read(pos, mine);
  if (d && !finding_ && ServesMissingRegister(*d)) {
    // Hunted: the sample served a register it does not have.
    if (k.ok()) {
      FoundDefect(*d, Format("%s returned %zu bytes (%s); ours %s",
                             what.c_str(), k.value(), Hex(buf).c_str(),
                             StatusText(o.status()).c_str()));
      return k;
    }
  }
  const bool bar_read = RegionIndex(pos) <= vfio::kBar1RegionIndex;
  Compare(what, k.status(), o.status(), k.ok() ? buf : std::span<uint8_t>(),
          o.ok() ? std::span<uint8_t>(mine) : std::span<uint8_t>(), bar_read);
  if (k.ok() && o.ok() && k.value() != o.value()) {
    Found("kernel-differential",
          Format("%s: the sample read %zu bytes, ours %zu", what.c_str(),
                 k.value(), o.value()));
  }
  return k;
}

Result<size_t> LockstepDevice::Write(uint64_t pos,
                                     std::span<const uint8_t> buf) {
  ++op_;
  if (finding_) return Status::Error(-EIO);
  const std::optional<Defect> d = WriteDefect(pos, buf.size());
  if (Avoid(d)) return Status::Error(-EPERM);
  const std::string what =
      Format("write region %u offset 0x%llx len %zu data %s", RegionIndex(pos),
             static_cast<unsigned long long>(RegionOffset(pos)), buf.size(),
             Hex(buf).c_str());
  if (!AnnounceHunted(d, what)) return Status::Error(-EIO);
  const Result<size_t> k = kernel_->Write(pos, buf);
  Result<size_t> o = Status::Error(-EIO);
  const std::vector<Chunk> chunks = Chunks(pos, buf.size());
  const bool partial_bar =
      RegionIndex(pos) == vfio::kConfigRegionIndex &&
      std::any_of(chunks.begin(), chunks.end(), PartialBarChunk);
  if (partial_bar) {
    // Documented deviation: our config space merges these bytes into the
    // BAR; the 6.1 sample ignores them. Ours gets only the pieces the
    // sample acts on, each as the sample's own mdev_access sees it.
    ++stats_.deviations;
    o = buf.size();
    for (const Chunk& c : chunks) {
      if (PartialBarChunk(c)) continue;
      const Result<size_t> r =
          ours_->Write(c.pos, buf.subspan(c.pos - pos, c.len));
      if (!r.ok()) {
        o = r;
        break;
      }
    }
  } else {
    o = ours_->Write(pos, buf);
  }
  if (d && !finding_ && ServesMissingRegister(*d)) {
    if (k.ok()) {
      FoundDefect(*d,
                  Format("%s was accepted (%zu bytes); ours %s", what.c_str(),
                         k.value(), StatusText(o.status()).c_str()));
      return k;
    }
  }
  Compare(what, k.status(), o.status(), {}, {}, false);
  if (k.ok() && o.ok() && k.value() != o.value()) {
    Found("kernel-differential",
          Format("%s: the sample wrote %zu bytes, ours %zu", what.c_str(),
                 k.value(), o.value()));
  }
  return k;
}

Status LockstepDevice::Ioctl(uint32_t cmd, std::span<uint8_t> arg) {
  ++op_;
  if (finding_) return Status::Error(-EIO);
  const std::optional<Defect> d = IoctlDefect(cmd, arg);
  if (Avoid(d)) return Status::Error(-EPERM);
  const std::string what =
      Format("ioctl 0x%x arg[%zu]=%s", cmd, arg.size(), Hex(arg).c_str());
  if (!AnnounceHunted(d, what)) return Status::Error(-EIO);
  if (cmd == vfio::kDeviceFeature) {
    // Documented version difference: 6.1's mtty has no migration and no
    // device_feature op, so its core answers every feature; our device has
    // the v6.7+ migration feature and is not asked.
    ++stats_.deviations;
    return kernel_->Ioctl(cmd, arg);
  }
  std::vector<uint8_t> mine(arg.begin(), arg.end());
  const Status k = kernel_->Ioctl(cmd, arg);
  const Status o = ours_->Ioctl(cmd, mine);
  Compare(what, k, o, arg, mine, false);
  return k;
}

Result<vfio::RegionInfo> LockstepDevice::GetRegionInfo(uint32_t index) {
  vfio::RegionInfo info{};
  info.argsz = sizeof(info);
  info.index = index;
  if (Status s = Ioctl(vfio::kDeviceGetRegionInfo,
                       {reinterpret_cast<uint8_t*>(&info), sizeof(info)});
      !s.ok()) {
    return s;
  }
  return info;
}

Result<vfio::IrqInfo> LockstepDevice::GetIrqInfo(uint32_t index) {
  vfio::IrqInfo info{};
  info.argsz = sizeof(info);
  info.index = index;
  if (Status s = Ioctl(vfio::kDeviceGetIrqInfo,
                       {reinterpret_cast<uint8_t*>(&info), sizeof(info)});
      !s.ok()) {
    return s;
  }
  return info;
}

Result<std::shared_ptr<MigrationFile>> LockstepDevice::SetMigState(
    vfio::MigState target) {
  ++op_;
  if (finding_) return Status::Error(-EIO);
  // 6.1 has no migration (version difference); ours is not asked.
  ++stats_.deviations;
  return kernel_->SetMigState(target);
}

std::shared_ptr<MigrationFile> LockstepDevice::TakeMigrationFile(
    int32_t token) {
  return kernel_->TakeMigrationFile(token);
}

void LockstepDevice::AdvanceTime(uint64_t ns) {
  ++op_;
  if (finding_) return;
  kernel_->AdvanceTime(ns);
  ours_->AdvanceTime(ns);
  Compare("AdvanceTime", Status::Ok(), Status::Ok(), {}, {}, false);
}

void LockstepDevice::Close() {
  ++op_;
  if (finding_) return;
  kernel_->Close();
  ours_->Close();
  Compare("close_device", Status::Ok(), Status::Ok(), {}, {}, false);
}

DeviceState LockstepDevice::state() const { return kernel_->state(); }

DeviceFactory LockstepFactory(const Hunt& hunt, std::optional<Finding>* sink) {
  return [hunt, sink](const DeviceOptions& options) {
    LockstepOptions lo;
    lo.hunt = hunt;
    lo.on_finding = [sink](const Finding& f) {
      if (!*sink) *sink = f;
    };
    return std::unique_ptr<DeviceUnderTest>(
        std::make_unique<LockstepDevice>(options, std::move(lo)));
  };
}

}  // namespace mtty::fuzz::kernel
