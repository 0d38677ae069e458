// Copyright mtty-lab authors.
#include "tools/mttyctl/session_commands.h"

#include <cerrno>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <utility>

#include "core/irq.h"
#include "core/mdev_parent.h"
#include "core/status.h"
#include "core/uuid.h"
#include "core/vfio_device.h"
#include "tools/mttyctl/help.h"

namespace mtty::mttyctl {

Outcome RunOpen(Session& session, const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "open", 1, 1)) return *done;
  std::optional<Uuid> uuid = ParseUuidArg(o.positional[0]);
  if (!uuid) return BadUuid(o.positional[0]);
  if (session.Holds(*uuid)) {
    return Fail(EBUSY,
                "this session already holds a handle on " + uuid->ToString());
  }
  Result<MdevHandle> h = session.parent().Open(*uuid);
  if (!h.ok()) {
    return Fail(h.status(), "Device " + uuid->ToString() + " is not active");
  }
  session.Hold(*uuid, std::move(h).value());
  return Ok();
}

Outcome RunClose(Session& session, const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "close", 1, 1)) return *done;
  std::optional<Uuid> uuid = ParseUuidArg(o.positional[0]);
  if (!uuid) return BadUuid(o.positional[0]);
  if (!session.Release(*uuid)) {
    return Fail(EBADF, "no handle on " + uuid->ToString() + " is held");
  }
  return Ok();
}

Outcome RunTime(Session& session, const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "time", 2, 2)) return *done;
  std::optional<uint64_t> ns = ParseU64(o.positional[1]);
  if (!ns) return Usage("bad nanoseconds '" + o.positional[1] + "'");
  return session.WithDevice(o.positional[0], [&](MttyDevice& d) {
    d.AdvanceTime(*ns);
    return Ok();
  });
}

Outcome RunState(Session& session, const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "state", 1, 1)) return *done;
  return session.WithDevice(o.positional[0], [&](MttyDevice& d) {
    std::string s = d.DebugString();
    if (s.empty() || s.back() != '\n') s += '\n';
    std::cout << s;
    return Ok();
  });
}

Outcome RunEventFd(Session& session, const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "eventfd", 1, 1)) return *done;
  std::optional<int32_t> fd = ParseI32(o.positional[0]);
  if (!fd || *fd < 0) return Usage("bad fd '" + o.positional[0] + "'");
  session.AddEventFd(*fd);
  return Ok();
}

Outcome RunSignals(Session& session, const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "signals", 1, 1)) return *done;
  std::optional<int32_t> fd = ParseI32(o.positional[0]);
  if (!fd) return Usage("bad fd '" + o.positional[0] + "'");
  const CountingSink* sink = session.EventFd(*fd);
  if (sink == nullptr) {
    return Fail(EBADF, "fd " + o.positional[0] + " is not a fake eventfd");
  }
  std::cout << sink->count() << "\n";
  return Ok();
}

Outcome RunEcho(Session&, const Args& args) {
  if (args.size() == 2 && (args[1] == "--help" || args[1] == "-h")) {
    std::cout << CommandHelp().find("echo")->second;
    return Ok();
  }
  for (size_t i = 1; i < args.size(); ++i) {
    if (i > 1) std::cout << ' ';
    std::cout << args[i];
  }
  std::cout << "\n";
  return Ok();
}

}  // namespace mtty::mttyctl
