// Copyright mtty-lab authors.
//
// MdevParent: the `mtty` parent device of the kernel sample as the mdev core
// and the sample's probe/remove/open/close callbacks see it — two types
// sharing a pool of 24 ports, devices created and removed by UUID, and
// handles (the vfio device file) that open and close them.
//
// Promises:
//  * Create/Remove/Open/List and handle close may race from any number of
//    threads. A device's ports leave the pool when Create succeeds and come
//    back exactly once, when Remove succeeds; a failed call changes nothing.
//  * Remove while open: the kernel's remove blocks until the last fd closes.
//    Here Remove waits the same way but only up to a timeout; while it waits,
//    new Opens are refused (-ENODEV) and the device is otherwise untouched.
//    If the handles are not all closed in time Remove returns -EBUSY and the
//    device stays, usable and removable later. Nothing blocks forever and
//    no call can free a device that a handle still points to.
//  * A handle owns a share of its device: it stays valid even after the
//    parent is destroyed (the device then lives until its last handle
//    closes). The parent's SinkResolver must outlive every device and handle.
//
// Lock order (never taken in the other direction):
//   MdevParent::mu_  ->  per-device instance lock  ->  MttyDevice's lock
// Remove waits for handles holding only the instance lock, so other devices
// stay fully usable meanwhile. The instance lock is held across
// MttyDevice::Close() so a concurrent Open cannot interleave with
// close_device. Interrupt sinks run under the MttyDevice lock and therefore
// must not call back into the parent or a handle.
//
// The parent's and the instances' locks and condition variables are
// SyncMutex / SyncCondVar (core/sync_hooks.h): Options::sync_hooks, null in
// production, lets fuzz/mdev_race watch and schedule every lock, unlock, wait and
// notify of this code (not the MttyDevice lock, which it never waits under).
#ifndef MTTY_CORE_MDEV_PARENT_H_
#define MTTY_CORE_MDEV_PARENT_H_

#include <chrono>
#include <map>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/irq.h"
#include "core/status.h"
#include "core/sync_hooks.h"
#include "core/uart16550.h"
#include "core/uuid.h"
#include "core/vfio_device.h"

namespace mtty {

// One mdev type. `name` is the mdev_supported_types directory name (the
// kernel's "<driver>-<sysfs_name>"), `pretty_name` the `name` attribute.
struct MdevType {
  std::string_view name;
  std::string_view pretty_name;
  int nr_ports;
};

class MdevInstance;  // one created device; defined in mdev_parent.cc

// An open device, as the vfio device file is. Closing the last handle of a
// device runs MttyDevice::Close() (close_device). Move-only. One handle is
// not itself thread-safe (use one per thread), but any number of handles on
// the same device may be used concurrently.
class MdevHandle {
 public:
  MdevHandle() = default;  // closed
  MdevHandle(MdevHandle&& other) noexcept = default;
  MdevHandle& operator=(MdevHandle&& other) noexcept;
  MdevHandle(const MdevHandle&) = delete;
  MdevHandle& operator=(const MdevHandle&) = delete;
  ~MdevHandle();

  bool is_open() const { return instance_ != nullptr; }
  // The device; nullptr once closed. Valid until this handle closes.
  MttyDevice* device() const;
  // The device's UUID; nil once closed.
  Uuid uuid() const;
  // Idempotent.
  void Close();

 private:
  friend class MdevParent;
  explicit MdevHandle(std::shared_ptr<MdevInstance> instance)
      : instance_(std::move(instance)) {}

  std::shared_ptr<MdevInstance> instance_;
};

class MdevParent {
 public:
  static constexpr std::string_view kName = "mtty";
  static constexpr std::string_view kDeviceApi = "vfio-pci";
  static constexpr int kTotalPorts = 24;
  static constexpr std::chrono::milliseconds kDefaultRemoveTimeout{1000};
  // Longer timeouts are cut to this.
  static constexpr std::chrono::milliseconds kMaxRemoveTimeout{3600 * 1000};

  struct Options {
    // Passed to every device (DeviceOptions::resolver). Not owned.
    SinkResolver* resolver = nullptr;
    // What Remove(uuid) and the sysfs `remove` attribute wait for handles.
    std::chrono::milliseconds remove_timeout = kDefaultRemoveTimeout;
    // Test-only (fuzz/mdev_race): told of every lock, unlock, wait and notify of
    // the parent and its devices' instance locks. Not owned; must outlive
    // the parent and every handle. Null: plain std::mutex behaviour.
    SyncHooks* sync_hooks = nullptr;
  };

  struct DeviceInfo {
    Uuid uuid;
    const MdevType* type;  // points into types()
    Profile profile;
    int open_handles;
    bool removing;  // a Remove is waiting for the handles to close
  };

  // A consistent picture: the pool and the devices at one instant.
  struct Inventory {
    int free_ports;
    std::vector<DeviceInfo> devices;  // sorted by UUID
  };

  MdevParent() : MdevParent(Options()) {}
  explicit MdevParent(const Options& options);
  MdevParent(const MdevParent&) = delete;
  MdevParent& operator=(const MdevParent&) = delete;
  // Drops every device; devices with open handles live on until closed.
  ~MdevParent();

  // mtty-1 ("Single port serial", 1 port), mtty-2 ("Dual port serial", 2).
  static std::span<const MdevType> types();
  // nullptr for an unknown name (exact, case-sensitive).
  static const MdevType* FindType(std::string_view name);

  // free ports / ports per device of the type; -EINVAL for an unknown type.
  Result<unsigned> AvailableInstances(std::string_view type) const;
  int free_ports() const;

  // Creates a device of `type` named `uuid`. Errors, in the kernel's order:
  // -EINVAL unknown type, -EINVAL a UUID Uuid::Parse rejects (text form),
  // -EINVAL a profile outside the enum, -EEXIST a device with that UUID
  // exists (including one being removed), -ENOSPC not enough free ports.
  Status Create(std::string_view type, const Uuid& uuid,
                Profile profile = Profile::kKernel);
  Status Create(std::string_view type, std::string_view uuid,
                Profile profile = Profile::kKernel);

  // Removes a device once its handles are closed, waiting up to `timeout`
  // (Options::remove_timeout for the first form; clamped to
  // [0, kMaxRemoveTimeout]). -ENODEV no such device; -EAGAIN another Remove
  // of it is already waiting; -EBUSY handles still open at the deadline
  // (the device is left exactly as it was).
  Status Remove(const Uuid& uuid);
  Status Remove(const Uuid& uuid, std::chrono::milliseconds timeout);

  // Opens a device. -ENODEV no such device or its removal is under way.
  Result<MdevHandle> Open(const Uuid& uuid);

  // -ENODEV if no such device.
  Result<DeviceInfo> Find(const Uuid& uuid) const;
  std::vector<DeviceInfo> List() const;  // sorted by UUID
  Inventory Snapshot() const;

 private:
  Result<std::shared_ptr<MdevInstance>> FindLocked(const Uuid& uuid) const;

  const Options options_;
  mutable SyncMutex mu_;
  int free_ports_ = kTotalPorts;                           // mu_
  std::map<Uuid, std::shared_ptr<MdevInstance>> devices_;  // mu_
};

}  // namespace mtty

#endif  // MTTY_CORE_MDEV_PARENT_H_
