// Copyright mtty-lab authors.
#include "kshim/kernel_mtty.h"

#include <cerrno>
#include <cstring>

#include "core/pci_config.h"
#include "core/uart16550.h"
#include "core/vfio_uapi.h"
#include "kshim/kshim.h"

namespace mtty::kshim {
namespace {

constexpr uint32_t kFeatureHeaderSize = sizeof(vfio::DeviceFeatureHeader);

Status FromErrno(long ret) {
  return ret < 0 ? Status::Error(static_cast<int>(ret)) : Status::Ok();
}

// The port record of a kernel port: the sample's fields with the meaning the
// kKernel profile gives them (LSR errors = `overrun`, capacity =
// max_fifo_size, no latches, no timer), encoded as is, even where the
// sample's defects leave them out of range.
std::array<uint8_t, Uart16550::kStateSize> EncodePort(
    const kmtty_port_view& p) {
  Uart16550::State st;
  st.profile = Profile::kKernel;
  st.ier = p.uart_reg[kIer];  // as stored
  st.lcr = p.uart_reg[kLcr];
  st.mcr = p.uart_reg[kMcr];
  st.scr = p.uart_reg[kScr];
  st.fcr = p.fcr;
  st.divisor = p.divisor;
  st.lsr_errors = p.overrun ? kLsrOe : uint8_t{0};
  st.trigger_level = p.intr_trigger_level;
  st.rx_capacity = p.max_fifo_size;
  st.rx_count = p.count;
  // Oldest first from the read index; the ring is 16 entries.
  for (uint8_t i = 0; i < p.count && i < kFifoCapacity; ++i) {
    st.rx_bytes[i] = p.fifo[(p.tail + i) % kFifoCapacity];
  }
  return st.Encode();
}

}  // namespace

KernelMtty::KernelMtty(const DeviceOptions& options)
    : resolver_(options.resolver) {
  kshim_set_fd_resolver(&KernelMtty::ResolveFd, this);
  kshim_set_signal_hook(&KernelMtty::OnSignal, this);
  if (const int ret = kshim_module_load(); ret != 0) {
    create_status_ = Status::Error(ret);
    return;
  }
  // The parent's types in the order the driver registers them: mtty-1
  // (one port), mtty-2 (two).
  const unsigned type = options.nr_ports == 2 ? 1 : 0;
  static uint8_t serial = 0;
  uint8_t uuid[16] = {0x83, 0xb8, 0xf4, 0xf2, 0x50, 0x9f, 0x38, 0x2f,
                      0x3c, 0x1e, 0xe6, 0xbf, 0xe0, 0xfa, 0x10, ++serial};
  int err = 0;
  mdev_ = kshim_mdev_create(type, uuid, &err);
  if (mdev_ == nullptr) {
    create_status_ = Status::Error(err);
    return;
  }
  vdev_ = kshim_mdev_vfio(mdev_);
  if (vdev_ == nullptr) create_status_ = Status::Error(-ENODEV);
}

KernelMtty::~KernelMtty() {
  if (mdev_ != nullptr) kshim_mdev_remove(mdev_);
  // The user's side of every eventfd goes; what the driver still holds
  // after its device is gone is a leak.
  kshim_eventfd_close_all(/*device_gone=*/1);
  kshim_set_signal_hook(nullptr, nullptr);
  kshim_set_fd_resolver(nullptr, nullptr);
}

int KernelMtty::ResolveFd(void* cookie, int fd, const void** identity) {
  auto* self = static_cast<KernelMtty*>(cookie);
  if (self->resolver_ == nullptr) return -EBADF;
  Result<std::shared_ptr<IrqSink>> sink = self->resolver_->Resolve(fd);
  if (!sink.ok()) return sink.status().code();
  *identity = sink.value().get();
  self->sinks_[sink.value().get()] = sink.value();
  return 0;
}

void KernelMtty::OnSignal(void* cookie, const void* identity, uint64_t n) {
  auto* self = static_cast<KernelMtty*>(cookie);
  auto it = self->sinks_.find(identity);
  if (it == self->sinks_.end()) return;
  for (uint64_t i = 0; i < n; ++i) it->second->Signal();
  self->signals_ += n;
}

Result<size_t> KernelMtty::Read(uint64_t pos, std::span<uint8_t> buf) {
  if (vdev_ == nullptr) return Status::Error(-ENODEV);
  const ssize_t ret = kshim_vfio_read(vdev_, buf.data(), buf.size(),
                                      static_cast<int64_t>(pos));
  if (ret < 0) return FromErrno(ret);
  return static_cast<size_t>(ret);
}

Result<size_t> KernelMtty::Write(uint64_t pos, std::span<const uint8_t> buf) {
  if (vdev_ == nullptr) return Status::Error(-ENODEV);
  const ssize_t ret = kshim_vfio_write(vdev_, buf.data(), buf.size(),
                                       static_cast<int64_t>(pos));
  if (ret < 0) return FromErrno(ret);
  return static_cast<size_t>(ret);
}

// drivers/vfio/vfio_main.c (6.1) vfio_ioctl_device_feature: the header
// checks, then every feature this driver could have needs mig_ops, log_ops
// or a device_feature op, and mtty 6.1 has none of them.
Status KernelMtty::Feature61(std::span<uint8_t> arg) const {
  if (arg.size() < kFeatureHeaderSize) return Status::Error(-EFAULT);
  vfio::DeviceFeatureHeader h;
  std::memcpy(&h, arg.data(), sizeof(h));
  if (h.argsz < kFeatureHeaderSize) return Status::Error(-EINVAL);
  const uint32_t known = vfio::kFeatureMask | vfio::kFeatureGet |
                         vfio::kFeatureSet | vfio::kFeatureProbe;
  if ((h.flags & ~known) != 0) return Status::Error(-EINVAL);
  if ((h.flags & vfio::kFeatureProbe) == 0 && (h.flags & vfio::kFeatureSet) &&
      (h.flags & vfio::kFeatureGet)) {
    return Status::Error(-EINVAL);
  }
  return Status::Error(-ENOTTY);
}

Status KernelMtty::Ioctl(uint32_t cmd, std::span<uint8_t> arg) {
  if (vdev_ == nullptr) return Status::Error(-ENODEV);
  if (cmd == vfio::kDeviceFeature) return Feature61(arg);
  return FromErrno(kshim_vfio_ioctl(vdev_, cmd, arg.data(), arg.size()));
}

Result<vfio::RegionInfo> KernelMtty::GetRegionInfo(uint32_t index) {
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

Result<vfio::IrqInfo> KernelMtty::GetIrqInfo(uint32_t index) {
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

Result<std::shared_ptr<MigrationFile>> KernelMtty::SetMigState(
    vfio::MigState /*target*/) {
  return Status::Error(-ENOTTY);  // 6.1's mtty has no mig_ops
}

std::shared_ptr<MigrationFile> KernelMtty::TakeMigrationFile(int32_t) {
  return nullptr;
}

void KernelMtty::AdvanceTime(uint64_t) {}  // the sample has no timers

void KernelMtty::Close() {
  if (vdev_ != nullptr) kshim_vfio_close(vdev_);  // none in 6.1
}

kmtty_view KernelMtty::view() const {
  kmtty_view v{};
  if (vdev_ != nullptr) kmtty_peek(vdev_, &v);
  return v;
}

DeviceState KernelMtty::state() const {
  const kmtty_view v = view();
  DeviceState s{};
  s.profile = Profile::kKernel;
  s.nr_ports = v.nr_ports;
  static_assert(PciConfig::kRegionSize == KMTTY_CONFIG_SIZE);
  std::memcpy(s.config.data(), v.config, KMTTY_CONFIG_SIZE);
  for (int p = 0; p < v.nr_ports && p < 2; ++p) {
    (void)s.ports.push_back(EncodePort(v.ports[p]));
  }
  s.irq = IrqController::State{v.irq_index, false, v.has_intx_ctx,
                               v.has_msi_ctx, signals_};
  s.mig_state = vfio::MigState::kRunning;
  s.reported_num_irqs = v.num_irqs;
  return s;
}

std::unique_ptr<fuzz::DeviceUnderTest> MakeKernelMtty(
    const DeviceOptions& options) {
  return std::make_unique<KernelMtty>(options);
}

}  // namespace mtty::kshim
