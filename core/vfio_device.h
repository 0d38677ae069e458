// Copyright mtty-lab authors.
//
// MttyDevice: one mtty mediated device as its vfio device file sees it —
// region read/write at `index << 40 | offset`, the device ioctls and the
// migration feature — built from PciConfig, one or two Uart16550 ports, an
// IrqController and a Migration state machine.
//
// Promises:
//  * Any byte sequence, offset, length or ioctl argument is answered with a
//    byte count / 0 or a negative errno (the kernel's value where the kernel
//    sample has one); a failed call changes no state.
//  * Thread-safe: every public method may be called from any thread. One
//    lock (`lock_`, a BiasedLock) serialises region access, ioctls, time and
//    migration; interrupt sinks are signalled with it held, so a sink must
//    not call back into the device (nor wait for another thread that uses
//    it). MigrationFile objects have their own lock and never take the
//    device's.
//  * The first thread to make a 1-byte BAR access becomes the lock's owner:
//    its later 1-byte BAR accesses (a guest's inb/outb) take no mutex and
//    make no system call. The first call of any kind from a second thread
//    ends that for the device's lifetime (core/biased_lock.h).
#ifndef MTTY_CORE_VFIO_DEVICE_H_
#define MTTY_CORE_VFIO_DEVICE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/biased_lock.h"
#include "core/fixed_vector.h"
#include "core/irq.h"
#include "core/migration.h"
#include "core/pci_config.h"
#include "core/status.h"
#include "core/uart16550.h"
#include "core/vfio_uapi.h"

namespace mtty {

struct DeviceOptions {
  int nr_ports = 1;  // 1 (mtty-1) or 2 (mtty-2)
  Profile profile = Profile::kKernel;
  // Resolves SET_IRQS eventfds; null means every fd is -EBADF. Not owned;
  // must outlive the device.
  SinkResolver* resolver = nullptr;
  // Which kernel's interrupt code (SET_IRQS, GET_IRQ_INFO, signalling,
  // close) the device follows; core/README.md lists the differences.
  IrqSurface irq_surface = IrqSurface::kUpstream;
};

// A comparable snapshot of everything guest- or host-visible. Fixed-size
// members: taking, copying and comparing one never allocates (fuzzers take
// one after every operation).
struct DeviceState {
  Profile profile;
  int nr_ports;
  std::array<uint8_t, PciConfig::kRegionSize> config;  // PciConfig bytes
  FixedVector<std::array<uint8_t, Uart16550::kStateSize>, 2> ports;
  IrqController::State irq;
  vfio::MigState mig_state;
  uint32_t reported_num_irqs;  // last GET_INFO (kernel quirk)
  friend bool operator==(const DeviceState&, const DeviceState&) = default;
};

class MttyDevice {
 public:
  // Region sizes as the sample reports them.
  static constexpr uint64_t kBarSize = 8;

  // `options.nr_ports` outside 1..2 is clamped to 1..2; use
  // MdevParent to get validated creation.
  explicit MttyDevice(const DeviceOptions& options);
  ~MttyDevice();
  MttyDevice(const MttyDevice&) = delete;
  MttyDevice& operator=(const MttyDevice&) = delete;

  int nr_ports() const { return nr_ports_; }
  Profile profile() const { return profile_; }

  // mtty_read / mtty_write: `buf.size()` bytes at `pos` (region index in
  // bits 40+), split into 4/2/1-byte pieces by alignment. Returns the byte
  // count, 0 for an empty request, or -EFAULT (the sample's answer for any
  // failed piece). Unlike the sample the whole request is validated before
  // the first piece runs, so a failing request has no side effect.
  Result<size_t> Read(uint64_t pos, std::span<uint8_t> buf);
  Result<size_t> Write(uint64_t pos, std::span<const uint8_t> buf);

  // The device-fd ioctl: `arg` is the caller's argument memory (argsz first,
  // as in the uAPI). Reading beyond `arg` is the caller's copy_from_user
  // failing: -EFAULT. Unknown commands: -ENOTTY. Results are written back
  // into `arg` as the kernel copies them to user space.
  Status Ioctl(uint32_t cmd, std::span<uint8_t> arg);

  // Typed forms of the same ioctls.
  Result<vfio::DeviceInfo> GetInfo();
  Result<vfio::RegionInfo> GetRegionInfo(uint32_t index);
  Result<vfio::IrqInfo> GetIrqInfo(uint32_t index);
  // `data` is the payload after the header (bools or int32 fds).
  Status SetIrqs(uint32_t flags, uint32_t index, uint32_t start, uint32_t count,
                 std::span<const uint8_t> data = {});
  Status Reset();

  // VFIO_DEVICE_FEATURE MIG_DEVICE_STATE set/get, and MIG_DATA_SIZE.
  Result<std::shared_ptr<MigrationFile>> SetMigState(vfio::MigState target);
  vfio::MigState mig_state() const;
  uint64_t MigDataSize() const;

  // The raw VFIO_DEVICE_FEATURE path cannot hand out a real fd: a SET that
  // produces a data file reports `kMigrationFileToken` as data_fd, and the
  // file is collected here (once). Any other token gives nullptr.
  static constexpr int32_t kMigrationFileToken = 0x6d74;  // "mt"
  std::shared_ptr<MigrationFile> TakeMigrationFile(int32_t token);

  // Advances the virtual clock that drives the 16550A character timeout.
  void AdvanceTime(uint64_t ns);

  // close_device: interrupts disabled, migration files dropped; UART state
  // persists (as mtty_close).
  void Close();

  DeviceState state() const;
  // One line per port plus IRQ and migration state, for traces and triage.
  std::string DebugString() const;

 private:
  class Ports;  // MigrationPorts over uarts_

  Uart16550* SingleByteBarPort(uint64_t pos, size_t count) const;
  // Takes the lock; `port` is SingleByteBarPort(pos, count).
  [[gnu::noinline]] Result<size_t> LockedAccess(uint64_t pos, uint8_t* buf,
                                                size_t count, Uart16550* port,
                                                bool write);
  Result<size_t> Access(uint64_t pos, uint8_t* buf, size_t count, bool write);
  Status CheckRange(uint32_t index, uint64_t offset, size_t count) const;
  uint64_t RegionSize(uint32_t index) const;
  uint32_t ReadPiece(uint32_t index, uint64_t offset, int width);
  void WritePiece(uint32_t index, uint64_t offset, int width, uint32_t value);
  void OnPortInterrupt();
  Status IoctlLocked(uint32_t cmd, std::span<uint8_t> arg);
  template <typename Info>
  Result<Info> TypedIoctl(uint32_t cmd, Info info);
  Status FeatureLocked(std::span<uint8_t> arg);
  void ResetLocked();
  uint32_t IrqLimit() const;

  // What the device does differently per profile, above the UARTs (whose
  // differences are Uart16550's): decided once, from the profile, here.
  struct Behaviour {
    // A 2- or 4-byte BAR access is one register access per byte lane, in
    // order (QEMU's memory core on an 8-bit device); otherwise only the
    // first byte is decoded, as in the sample, and the rest read as 0.
    bool wide_bar_access_per_lane;
    // IRQ indexes are checked against the num_irqs of the last GET_INFO
    // (0 before the first), the sample's call-order dependency.
    bool irq_limit_from_get_info;
    // Unmasking INTx while a port's line is asserted signals again
    // (level-triggered, as vfio-pci); the sample loses it.
    bool intx_unmask_reasserts;
    // VFIO_DEVICE_RESET master-resets the UARTs too; the sample's only
    // returns migration to RUNNING.
    bool reset_resets_uarts;
  };
  static constexpr Behaviour BehaviourOf(Profile profile) {
    const bool uart = profile == Profile::k16550a;
    return {.wide_bar_access_per_lane = uart,
            .irq_limit_from_get_info = !uart,
            .intx_unmask_reasserts = uart,
            .reset_resets_uarts = uart};
  }

  Behaviour behaviour() const { return BehaviourOf(profile_); }

  const int nr_ports_;
  const Profile profile_;
  mutable BiasedLock lock_;
  PciConfig config_;
  std::vector<std::unique_ptr<Uart16550>> uarts_;
  // uarts_ by BAR index, null past nr_ports_; fixed after construction, so
  // the lock-free fast path may read it. Derived from uarts_ so that the
  // fast path makes one load instead of three (vector bounds, then the
  // unique_ptr) on every access; bench/bar_access_bench shows the cost.
  std::array<Uart16550*, 2> bar_ports_{};
  IrqController irq_;
  std::unique_ptr<Ports> ports_;
  Migration migration_;
  uint32_t reported_num_irqs_ = 0;
  std::shared_ptr<MigrationFile> last_file_;
};

}  // namespace mtty

#endif  // MTTY_CORE_VFIO_DEVICE_H_
