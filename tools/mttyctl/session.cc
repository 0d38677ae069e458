// Copyright mtty-lab authors.
#include "tools/mttyctl/session.h"

#include <chrono>
#include <optional>
#include <utility>

#include "core/status.h"
#include "tools/mttyctl/args.h"

namespace mtty::mttyctl {

Session::Session()
    : parent_(MdevParent::Options{
          .resolver = &fds_, .remove_timeout = std::chrono::milliseconds(0)}),
      sysfs_(parent_) {}

void Session::AddEventFd(int32_t fd) { sinks_[fd] = fds_.Register(fd); }

const CountingSink* Session::EventFd(int32_t fd) const {
  auto it = sinks_.find(fd);
  return it == sinks_.end() ? nullptr : it->second.get();
}

bool Session::Holds(const Uuid& uuid) const { return held_.count(uuid) != 0; }

void Session::Hold(const Uuid& uuid, MdevHandle handle) {
  held_.emplace(uuid, std::move(handle));
}

bool Session::Release(const Uuid& uuid) { return held_.erase(uuid) != 0; }

Outcome Session::WithDevice(const std::string& uuid_text,
                            const std::function<Outcome(MttyDevice&)>& fn) {
  std::optional<Uuid> uuid = ParseUuidArg(uuid_text);
  if (!uuid) return BadUuid(uuid_text);
  auto it = held_.find(*uuid);
  if (it != held_.end()) return fn(*it->second.device());
  Result<MdevHandle> h = parent_.Open(*uuid);
  if (!h.ok()) {
    return Fail(h.status(), "Device " + uuid->ToString() + " is not active");
  }
  MdevHandle handle = std::move(h).value();
  return fn(*handle.device());
}

}  // namespace mtty::mttyctl
