#include "core/vfio_device.h"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "core/uart16550_inl.h"  // the BAR fast path inlines port access

namespace mtty {
namespace {

template <typename T>
T LoadStruct(std::span<const uint8_t> arg) {
  T v{};
  std::memcpy(&v, arg.data(), std::min(sizeof(T), arg.size()));
  return v;
}

uint32_t LoadU32(std::span<const uint8_t> arg, size_t at) {
  uint32_t v = 0;
  std::memcpy(&v, arg.data() + at, sizeof(v));
  return v;
}

int ClampPorts(int n) { return n == 2 ? 2 : 1; }

}  // namespace

// The device's ports as the migration stream sees them. Called by Migration
// with the device lock held.
class MttyDevice::Ports : public MigrationPorts {
 public:
  explicit Ports(MttyDevice* dev) : dev_(dev) {}
  uint32_t nr_ports() const override {
    return static_cast<uint32_t>(dev_->nr_ports_);
  }
  size_t port_record_size() const override { return Uart16550::kStateSize; }
  void SavePorts(std::span<uint8_t> out) const override {
    for (size_t i = 0; i < dev_->uarts_.size(); ++i) {
      dev_->uarts_[i]->SaveState(out.subspan(i * Uart16550::kStateSize)
                                     .first<Uart16550::kStateSize>());
    }
  }
  Status ValidatePorts(std::span<const uint8_t> in) const override {
    if (in.size() != dev_->uarts_.size() * Uart16550::kStateSize) {
      return Status::Error(-EINVAL);
    }
    for (size_t i = 0; i < dev_->uarts_.size(); ++i) {
      // A scratch port without a callback: validation must not interrupt.
      Uart16550 scratch(dev_->profile_);
      Status s = scratch.LoadState(
          in.subspan(i * Uart16550::kStateSize, Uart16550::kStateSize));
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }
  void LoadPorts(std::span<const uint8_t> in) override {
    for (size_t i = 0; i < dev_->uarts_.size(); ++i) {
      (void)dev_->uarts_[i]->LoadState(
          in.subspan(i * Uart16550::kStateSize, Uart16550::kStateSize));
    }
  }

 private:
  MttyDevice* dev_;
};

MttyDevice::MttyDevice(const DeviceOptions& options)
    : nr_ports_(ClampPorts(options.nr_ports)),
      profile_(options.profile),
      config_(nr_ports_),
      irq_(options.resolver, options.irq_surface),
      ports_(std::make_unique<Ports>(this)),
      migration_(ports_.get()) {
  for (int i = 0; i < nr_ports_; ++i) {
    uarts_.push_back(std::make_unique<Uart16550>(profile_));
    uarts_.back()->set_interrupt_callback([this] { OnPortInterrupt(); });
    bar_ports_[static_cast<size_t>(i)] = uarts_.back().get();
  }
}

MttyDevice::~MttyDevice() = default;

void MttyDevice::OnPortInterrupt() { irq_.Trigger(); }

uint64_t MttyDevice::RegionSize(uint32_t index) const {
#if defined(MTTY_CANARY_BAR_INDEX_OOB)
  // Canary bar_index_oob (tools/canary): the sample serves BAR2..BAR5.
  if (index >= 2 && index <= 5) return kBarSize;
#endif
  switch (index) {
    case vfio::kConfigRegionIndex:
      return PciConfig::kRegionSize;
    case vfio::kBar0RegionIndex:
      return kBarSize;
    case vfio::kBar1RegionIndex:
      return nr_ports_ == 2 ? kBarSize : 0;
    default:
      return 0;
  }
}

Status MttyDevice::CheckRange(uint32_t index, uint64_t offset,
                              size_t count) const {
#if defined(MTTY_CANARY_CONFIG_OOB_READ)
  // Canary config_oob_read: the sample never checks config offsets.
  if (index == vfio::kConfigRegionIndex) return Status::Ok();
#endif
  const uint64_t size = RegionSize(index);
  if (count > size || offset > size - count) return Status::Error(-EFAULT);
  return Status::Ok();
}

uint32_t MttyDevice::ReadPiece(uint32_t index, uint64_t offset, int width) {
  if (index == vfio::kConfigRegionIndex) {
    Result<uint32_t> v = config_.Read(static_cast<uint32_t>(offset), width);
    return v.ok() ? *v : 0;
  }
#if defined(MTTY_CANARY_BAR_INDEX_OOB)
  // Canary bar_index_oob: `s[index]` of the sample's two-element array.
  Uart16550* s[2] = {uarts_.front().get(), uarts_.back().get()};
  Uart16550& uart = *s[index];
#else
  Uart16550& uart = *uarts_[index];
#endif
  const auto reg = static_cast<uint8_t>(offset);
  if (!behaviour().wide_bar_access_per_lane) {
    // The sample decodes only the access's first byte; it leaves the rest
    // of the value uninitialised, we return zeros.
#if defined(MTTY_CANARY_BAR_READ_UNINIT)
    // Canary bar_read_uninit (tools/canary): those bytes carry whatever the
    // stack held; 0xbe stands in for it (no MSan here to see the real thing).
    if (width > 1) {
      return uart.Read(reg) | (width == 4 ? 0xbebebe00u : 0x0000be00u);
    }
#endif
    return uart.Read(reg);
  }
  // An 8-bit device on a wider access: one byte cycle per lane, in order,
  // as QEMU's memory core splits accesses for its serial device.
  uint32_t v = 0;
  for (int i = 0; i < width; ++i) {
    v |= uint32_t{uart.Read(static_cast<uint8_t>(reg + i))} << (8 * i);
  }
  return v;
}

void MttyDevice::WritePiece(uint32_t index, uint64_t offset, int width,
                            uint32_t value) {
  if (index == vfio::kConfigRegionIndex) {
    (void)config_.Write(static_cast<uint32_t>(offset), width, value);
    return;
  }
#if defined(MTTY_CANARY_BAR_INDEX_OOB)
  // Canary bar_index_oob: `s[index]` of the sample's two-element array.
  Uart16550* s[2] = {uarts_.front().get(), uarts_.back().get()};
  Uart16550& uart = *s[index];
#else
  Uart16550& uart = *uarts_[index];
#endif
  const auto reg = static_cast<uint8_t>(offset);
  if (!behaviour().wide_bar_access_per_lane) {
    uart.Write(reg, static_cast<uint8_t>(value));
    return;
  }
  for (int i = 0; i < width; ++i) {
    uart.Write(static_cast<uint8_t>(reg + i),
               static_cast<uint8_t>(value >> (8 * i)));
  }
}

Result<size_t> MttyDevice::Access(uint64_t pos, uint8_t* buf, size_t count,
                                  bool write) {
  if (count == 0) return size_t{0};
  const uint64_t index64 = pos >> vfio::kRegionIndexShift;
  const uint64_t offset = pos & vfio::kRegionOffsetMask;
  if (index64 >= vfio::kNumRegions) return Status::Error(-EFAULT);
  const auto index = static_cast<uint32_t>(index64);
  if (Status s = CheckRange(index, offset, count); !s.ok()) return s;

  size_t done = 0;
  while (done < count) {
    const uint64_t at = offset + done;
    const size_t left = count - done;
    int width = 1;
    if (left >= 4 && at % 4 == 0) {
      width = 4;
    } else if (left >= 2 && at % 2 == 0) {
      width = 2;
    }
    if (write) {
      uint32_t v = 0;
      for (int i = 0; i < width; ++i) v |= uint32_t{buf[done + i]} << (8 * i);
      WritePiece(index, at, width, v);
    } else {
      const uint32_t v = ReadPiece(index, at, width);
      for (int i = 0; i < width; ++i) {
        buf[done + i] = static_cast<uint8_t>(v >> (8 * i));
      }
    }
    done += static_cast<size_t>(width);
  }
  return count;
}

Uart16550* MttyDevice::SingleByteBarPort(uint64_t pos, size_t count) const {
  // A guest's inb/outb: one byte inside a BAR the device has. Everything
  // else (config space, wider or straddling accesses, absent regions) takes
  // Access, which gives the same answer for these too, only slower. Reads
  // only what the constructor fixed: safe before the lock is taken.
  if (count != 1) return nullptr;
  const uint64_t index = pos >> vfio::kRegionIndexShift;
  const uint64_t offset = pos & vfio::kRegionOffsetMask;
  if (index >= bar_ports_.size() || offset >= kBarSize) return nullptr;
  return bar_ports_[index];
}

// Read and Write keep only the owner's 1-byte BAR access inline; anything
// else goes to LockedAccess, out of line, so that the fast path needs
// almost no registers saved (bench/bar_access_bench). `flatten` pulls the
// whole register access (core/uart16550_inl.h) into the fast path.
[[gnu::flatten]] Result<size_t> MttyDevice::Read(uint64_t pos,
                                                 std::span<uint8_t> buf) {
  Uart16550* port = SingleByteBarPort(pos, buf.size());
  if (port != nullptr && lock_.TryEnterBiased()) [[likely]] {
    BiasedSectionExit exit(lock_);  // also if an interrupt sink throws
    buf[0] = port->ReadInline(static_cast<uint8_t>(pos & (kBarSize - 1)));
    return size_t{1};
  }
  return LockedAccess(pos, buf.data(), buf.size(), port, /*write=*/false);
}

[[gnu::flatten]] Result<size_t> MttyDevice::Write(
    uint64_t pos, std::span<const uint8_t> buf) {
  Uart16550* port = SingleByteBarPort(pos, buf.size());
  if (port != nullptr && lock_.TryEnterBiased()) [[likely]] {
    BiasedSectionExit exit(lock_);
    port->WriteInline(static_cast<uint8_t>(pos & (kBarSize - 1)), buf[0]);
    return size_t{1};
  }
  // Access only reads from `buf` when writing.
  return LockedAccess(pos, const_cast<uint8_t*>(buf.data()), buf.size(), port,
                      /*write=*/true);
}

Result<size_t> MttyDevice::LockedAccess(uint64_t pos, uint8_t* buf,
                                        size_t count, Uart16550* port,
                                        bool write) {
  BiasedLockGuard lock(lock_);
  if (port == nullptr) return Access(pos, buf, count, write);
  lock_.OfferBias();
  const auto reg = static_cast<uint8_t>(pos & (kBarSize - 1));
  if (write) {
    port->Write(reg, buf[0]);
  } else {
    buf[0] = port->Read(reg);
  }
  return size_t{1};
}

Status MttyDevice::Ioctl(uint32_t cmd, std::span<uint8_t> arg) {
  BiasedLockGuard lock(lock_);
  return IoctlLocked(cmd, arg);
}

uint32_t MttyDevice::IrqLimit() const {
  return behaviour().irq_limit_from_get_info ? reported_num_irqs_
                                             : vfio::kNumIrqs;
}

Status MttyDevice::IoctlLocked(uint32_t cmd, std::span<uint8_t> arg) {
  switch (cmd) {
    case vfio::kDeviceGetInfo: {
      constexpr size_t minsz = vfio::kDeviceInfoMinsz;
      if (arg.size() < minsz) return Status::Error(-EFAULT);
      auto info = LoadStruct<vfio::DeviceInfo>(arg.first(minsz));
      if (info.argsz < minsz) return Status::Error(-EINVAL);
      info.flags = vfio::kDeviceFlagsPci;
      info.num_regions = vfio::kNumRegions;
      info.num_irqs = vfio::kNumIrqs;
      reported_num_irqs_ = info.num_irqs;
      std::memcpy(arg.data(), &info, minsz);
      return Status::Ok();
    }
    case vfio::kDeviceGetRegionInfo: {
      constexpr size_t minsz = vfio::kRegionInfoMinsz;
      if (arg.size() < minsz) return Status::Error(-EFAULT);
      auto info = LoadStruct<vfio::RegionInfo>(arg.first(minsz));
      if (info.argsz < minsz) return Status::Error(-EINVAL);
      if (info.index >= vfio::kNumRegions) return Status::Error(-EINVAL);
      info.size = RegionSize(info.index);
      info.offset = vfio::RegionOffset(info.index);
      // Zero-sized regions still say READ|WRITE, as the sample reports them.
      info.flags = vfio::kRegionInfoFlagRead | vfio::kRegionInfoFlagWrite;
      // cap_offset goes back as the caller wrote it: mtty has no
      // capabilities, and the kernel copies the caller's struct back with only
      // the fields it fills changed.
      std::memcpy(arg.data(), &info, minsz);
      return Status::Ok();
    }
    case vfio::kDeviceGetIrqInfo:
      return irq_.GetIrqInfo(arg, IrqLimit());
    case vfio::kDeviceSetIrqs: {
      const bool was_masked = irq_.state().intx_masked;
      Status s = irq_.SetIrqs(arg, IrqLimit());
      if (s.ok() && was_masked && !irq_.state().intx_masked &&
          behaviour().intx_unmask_reasserts) {
        // The sample loses this signal (defect #14).
        for (const auto& u : uarts_) {
          if (u->InterruptAsserted()) {
            irq_.Trigger();
            break;
          }
        }
      }
      return s;
    }
    case vfio::kDeviceReset:
      ResetLocked();
      return Status::Ok();
    case vfio::kDeviceFeature:
      return FeatureLocked(arg);
    default:
      return Status::Error(-ENOTTY);
  }
}

void MttyDevice::ResetLocked() {
  // Returns migration to RUNNING and drops its files.
  migration_.Reset();
  if (behaviour().reset_resets_uarts) {
    for (auto& u : uarts_) u->Reset();
  }
}

Status MttyDevice::FeatureLocked(std::span<uint8_t> arg) {
  constexpr size_t hdr = sizeof(vfio::DeviceFeatureHeader);
  if (arg.size() < hdr) return Status::Error(-EFAULT);
  const uint32_t argsz = LoadU32(arg, 0);
  const uint32_t flags = LoadU32(arg, 4);
  if (argsz < hdr) return Status::Error(-EINVAL);
  constexpr uint32_t known = vfio::kFeatureMask | vfio::kFeatureGet |
                             vfio::kFeatureSet | vfio::kFeatureProbe;
  if (flags & ~known) return Status::Error(-EINVAL);
  const bool get = flags & vfio::kFeatureGet;
  const bool set = flags & vfio::kFeatureSet;
  const bool probe = flags & vfio::kFeatureProbe;
  if (get && set && !probe) return Status::Error(-EINVAL);
  const uint32_t feature = flags & vfio::kFeatureMask;

  // vfio_check_feature(): supported ops, probe, minimum payload size.
  auto check = [&](bool can_get, bool can_set, size_t minsz) -> int {
    if ((get && !can_get) || (set && !can_set)) return -EINVAL;
    if (probe) return 0;
    if (!get && !set) return -EINVAL;
    if (argsz - hdr < minsz) return -EINVAL;
    return 1;
  };
  std::span<uint8_t> data = arg.subspan(hdr);
  switch (feature) {
    case vfio::kFeatureMigration: {
      int c = check(true, false, sizeof(uint64_t));
      if (c <= 0) return Status::Error(c);
      if (data.size() < sizeof(uint64_t)) return Status::Error(-EFAULT);
      const uint64_t f = migration_.flags();
      std::memcpy(data.data(), &f, sizeof(f));
      return Status::Ok();
    }
    case vfio::kFeatureMigDataSize: {
      int c = check(true, false, sizeof(uint64_t));
      if (c <= 0) return Status::Error(c);
      if (data.size() < sizeof(uint64_t)) return Status::Error(-EFAULT);
      const uint64_t len = migration_.stop_copy_length();
      std::memcpy(data.data(), &len, sizeof(len));
      return Status::Ok();
    }
    case vfio::kFeatureMigDeviceState: {
      int c = check(true, true, sizeof(vfio::FeatureMigState));
      if (c <= 0) return Status::Error(c);
      if (data.size() < sizeof(vfio::FeatureMigState)) {
        return Status::Error(-EFAULT);
      }
      auto st = LoadStruct<vfio::FeatureMigState>(data);
      if (get) {
        st.device_state = static_cast<uint32_t>(migration_.state());
        st.data_fd = -1;
        std::memcpy(data.data(), &st, sizeof(st));
        return Status::Ok();
      }
      // As the core: on failure the requested state is echoed back with
      // data_fd -1; the caller must GET to learn the real state.
      st.data_fd = -1;
      Result<std::shared_ptr<MigrationFile>> r =
          migration_.SetState(static_cast<vfio::MigState>(st.device_state));
      if (r.ok() && *r) {
        last_file_ = *r;
        st.data_fd = kMigrationFileToken;
      }
      std::memcpy(data.data(), &st, sizeof(st));
      return r.status();
    }
    default:
      return Status::Error(-EINVAL);
  }
}

std::shared_ptr<MigrationFile> MttyDevice::TakeMigrationFile(int32_t token) {
  BiasedLockGuard lock(lock_);
  if (token != kMigrationFileToken) return nullptr;
  return std::exchange(last_file_, nullptr);
}

namespace {
template <typename T>
std::span<uint8_t> AsBytes(T& v) {
  return {reinterpret_cast<uint8_t*>(&v), sizeof(v)};
}
}  // namespace

// The typed GET_* forms all fill argsz (and index), run the raw ioctl on the
// struct's bytes, and hand back the struct the kernel would have copied out.
template <typename Info>
Result<Info> MttyDevice::TypedIoctl(uint32_t cmd, Info info) {
  info.argsz = sizeof(info);
  if (Status s = Ioctl(cmd, AsBytes(info)); !s.ok()) return s;
  return info;
}

Result<vfio::DeviceInfo> MttyDevice::GetInfo() {
  return TypedIoctl(vfio::kDeviceGetInfo, vfio::DeviceInfo{});
}

Result<vfio::RegionInfo> MttyDevice::GetRegionInfo(uint32_t index) {
  vfio::RegionInfo info{};
  info.index = index;
  return TypedIoctl(vfio::kDeviceGetRegionInfo, info);
}

Result<vfio::IrqInfo> MttyDevice::GetIrqInfo(uint32_t index) {
  vfio::IrqInfo info{};
  info.index = index;
  return TypedIoctl(vfio::kDeviceGetIrqInfo, info);
}

Status MttyDevice::SetIrqs(uint32_t flags, uint32_t index, uint32_t start,
                           uint32_t count, std::span<const uint8_t> data) {
  std::vector<uint8_t> arg(sizeof(vfio::IrqSetHeader) + data.size());
  vfio::IrqSetHeader h{static_cast<uint32_t>(arg.size()), flags, index, start,
                       count};
  std::memcpy(arg.data(), &h, sizeof(h));
  if (!data.empty()) {
    std::memcpy(arg.data() + sizeof(h), data.data(), data.size());
  }
  return Ioctl(vfio::kDeviceSetIrqs, arg);
}

Status MttyDevice::Reset() { return Ioctl(vfio::kDeviceReset, {}); }

Result<std::shared_ptr<MigrationFile>> MttyDevice::SetMigState(
    vfio::MigState target) {
  BiasedLockGuard lock(lock_);
  return migration_.SetState(target);
}

vfio::MigState MttyDevice::mig_state() const {
  BiasedLockGuard lock(lock_);
  return migration_.state();
}

uint64_t MttyDevice::MigDataSize() const {
  BiasedLockGuard lock(lock_);
  return migration_.stop_copy_length();
}

void MttyDevice::AdvanceTime(uint64_t ns) {
  BiasedLockGuard lock(lock_);
  for (auto& u : uarts_) u->AdvanceTime(ns);
}

void MttyDevice::Close() {
  BiasedLockGuard lock(lock_);
  migration_.DropFiles();
  last_file_.reset();
  // Linux 6.1's mtty has no close_device: its eventfds stay installed.
  if (irq_.surface() == IrqSurface::kUpstream) irq_.DisableAll();
}

DeviceState MttyDevice::state() const {
  BiasedLockGuard lock(lock_);
  DeviceState s;
  s.profile = profile_;
  s.nr_ports = nr_ports_;
  std::copy_n(config_.bytes().begin(), s.config.size(), s.config.begin());
  // nr_ports_ is clamped to 1..2 at construction, so every port fits.
  static_assert(decltype(s.ports)::capacity() == 2);
  for (const auto& u : uarts_) {
    std::array<uint8_t, Uart16550::kStateSize> rec{};
    u->SaveState(rec);
    const bool kept = s.ports.push_back(rec);
    (void)kept;
  }
  s.irq = irq_.state();
  s.mig_state = migration_.state();
  s.reported_num_irqs = reported_num_irqs_;
  return s;
}

std::string MttyDevice::DebugString() const {
  BiasedLockGuard lock(lock_);
  std::ostringstream os;
  os << "mtty " << nr_ports_ << "-port profile=" << ProfileName(profile_)
     << "\n";
  for (size_t i = 0; i < uarts_.size(); ++i) {
    os << "  port" << i << ": " << uarts_[i]->DebugString() << "\n";
  }
  const IrqController::State irq = irq_.state();
  os << "  irq: index=" << irq.irq_index << " intx_masked=" << irq.intx_masked
     << " signals=" << irq.signals << "\n";
  os << "  migration: state=" << static_cast<uint32_t>(migration_.state())
     << "\n";
  return os.str();
}

}  // namespace mtty
