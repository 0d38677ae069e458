// Copyright mtty-lab authors.
//
// Session: what one mttyctl process keeps between the commands it runs. It
// owns the in-process parent "mtty" (empty at start, gone at exit) with its
// sysfs view, the fake eventfds SET_IRQS can be wired to, and the device
// handles `open` holds until `close`.
//
// Promises: the fake fd table outlives the parent and every handle, so a
// device never signals a freed eventfd; handles are released before the
// parent goes away. Removing a device never waits (remove_timeout 0): in a
// single-threaded session nothing could close a handle while remove waited.
#ifndef MTTY_TOOLS_MTTYCTL_SESSION_H_
#define MTTY_TOOLS_MTTYCTL_SESSION_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/irq.h"
#include "core/mdev_parent.h"
#include "core/sysfs.h"
#include "core/uuid.h"
#include "core/vfio_device.h"
#include "tools/mttyctl/outcome.h"

namespace mtty::mttyctl {

class Session {
 public:
  Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  MdevParent& parent() { return parent_; }
  SysfsView& sysfs() { return sysfs_; }

  // Makes `fd` a fake eventfd with a fresh counter (replacing any earlier
  // one), resolvable by SET_IRQS.
  void AddEventFd(int32_t fd);
  // The counter behind `fd`; nullptr if `fd` was never added.
  const CountingSink* EventFd(int32_t fd) const;

  // Handles taken by `open`.
  bool Holds(const Uuid& uuid) const;
  void Hold(const Uuid& uuid, MdevHandle handle);
  // False if no handle on `uuid` is held.
  bool Release(const Uuid& uuid);

  // Runs `fn` on the device named `uuid_text`: through the held handle if
  // `open` took one, else through a handle opened for this call only (whose
  // close, the last one, disables interrupts and drops migration files).
  // EINVAL for a malformed UUID, the open's errno for an absent device.
  Outcome WithDevice(const std::string& uuid_text,
                     const std::function<Outcome(MttyDevice&)>& fn);

 private:
  FakeFdTable fds_;  // must outlive the parent and every handle
  std::map<int32_t, std::shared_ptr<CountingSink>> sinks_;
  MdevParent parent_;
  SysfsView sysfs_;
  std::map<Uuid, MdevHandle> held_;
};

}  // namespace mtty::mttyctl

#endif  // MTTY_TOOLS_MTTYCTL_SESSION_H_
