// Copyright mtty-lab authors.
//
// KernelMtty: one device of the real Linux 6.1 samples/vfio-mdev/mtty.c
// (compiled unmodified by //kshim:mtty_unit) behind the DeviceUnderTest
// interface the fuzz harnesses drive, so every harness can drive the
// kernel's code exactly as it drives ours.
//
// Promises:
//  * Read/Write/Ioctl go through what Linux 6.1's vfio core does before
//    the driver (vfio_device_fops_read/_write/_unl_ioctl), with the caller's
//    buffer as the only user memory the driver may touch.
//  * VFIO_DEVICE_FEATURE is answered as 6.1's vfio core answers a driver
//    with no migration and no device_feature op (the driver never sees it);
//    SetMigState is -ENOTTY, TakeMigrationFile null.
//  * Close() does nothing: 6.1's mtty has no close_device.
//  * Eventfds come from DeviceOptions::resolver; every eventfd_signal the
//    driver makes signals the IrqSink that resolver gave for the fd.
//  * The destructor removes the device (the driver's remove) and then
//    closes every eventfd: references the driver still holds are reported
//    as kshim eventfd-leak bugs with the fdget's file:line.
//  * state() is the driver's own struct mdev_state, in DeviceState terms.
//
// One KernelMtty at a time per process (the kshim runtime is global and
// not thread-safe). The kernel sample's own defects are live: what they do
// is reported by the sanitizers or by kshim (see kshim/kshim.h).
#ifndef MTTY_KSHIM_KERNEL_MTTY_H_
#define MTTY_KSHIM_KERNEL_MTTY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "core/irq.h"
#include "core/status.h"
#include "core/vfio_device.h"
#include "fuzz/device_under_test.h"
#include "kshim/mtty_view.h"

struct mdev_device;
struct vfio_device;

namespace mtty::kshim {

class KernelMtty : public fuzz::DeviceUnderTest {
 public:
  // options.nr_ports selects the type (mtty-1 or mtty-2); profile and
  // irq_surface are ignored (the kernel is what it is). If the module or
  // the create fails, every call returns -ENODEV and create_status() says
  // why.
  explicit KernelMtty(const DeviceOptions& options);
  ~KernelMtty() override;
  KernelMtty(const KernelMtty&) = delete;
  KernelMtty& operator=(const KernelMtty&) = delete;

  Status create_status() const { return create_status_; }

  Result<size_t> Read(uint64_t pos, std::span<uint8_t> buf) override;
  Result<size_t> Write(uint64_t pos, std::span<const uint8_t> buf) override;
  Status Ioctl(uint32_t cmd, std::span<uint8_t> arg) override;
  Result<vfio::RegionInfo> GetRegionInfo(uint32_t index) override;
  Result<vfio::IrqInfo> GetIrqInfo(uint32_t index) override;
  Result<std::shared_ptr<MigrationFile>> SetMigState(
      vfio::MigState target) override;
  std::shared_ptr<MigrationFile> TakeMigrationFile(int32_t token) override;
  void AdvanceTime(uint64_t ns) override;
  void Close() override;
  DeviceState state() const override;

  // The driver's private state, as kshim/mtty_unit.c copies it out.
  kmtty_view view() const;
  // Signals the driver made, by sink (the resolver's sink for an fd).
  uint64_t signals() const { return signals_; }

 private:
  static int ResolveFd(void* cookie, int fd, const void** identity);
  static void OnSignal(void* cookie, const void* identity, uint64_t n);
  Status Feature61(std::span<uint8_t> arg) const;

  SinkResolver* resolver_;
  Status create_status_;
  mdev_device* mdev_ = nullptr;
  vfio_device* vdev_ = nullptr;
  // Sinks handed to the driver, by identity: kept alive as long as the
  // driver may signal them, as the kernel keeps an eventfd context.
  std::map<const void*, std::shared_ptr<IrqSink>> sinks_;
  uint64_t signals_ = 0;
};

// A DeviceFactory for the harnesses.
std::unique_ptr<fuzz::DeviceUnderTest> MakeKernelMtty(
    const DeviceOptions& options);

}  // namespace mtty::kshim

#endif  // MTTY_KSHIM_KERNEL_MTTY_H_
