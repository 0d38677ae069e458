// Copyright mtty-lab authors.
//
// The commands that act on the session rather than issue a vfio call:
// `open`/`close` (hold a device handle between commands, as a VMM holds the
// device fd), `time` (the device's virtual clock), `state` (its debug
// dump), `eventfd`/`signals` (fake eventfds for SET_IRQS and their counts)
// and `echo`.
#ifndef MTTY_TOOLS_MTTYCTL_SESSION_COMMANDS_H_
#define MTTY_TOOLS_MTTYCTL_SESSION_COMMANDS_H_

#include "tools/mttyctl/args.h"
#include "tools/mttyctl/outcome.h"
#include "tools/mttyctl/session.h"

namespace mtty::mttyctl {

Outcome RunOpen(Session& session, const Args& args);
Outcome RunClose(Session& session, const Args& args);
Outcome RunTime(Session& session, const Args& args);
Outcome RunState(Session& session, const Args& args);
Outcome RunEventFd(Session& session, const Args& args);
Outcome RunSignals(Session& session, const Args& args);
// Prints args[1..] joined by single spaces; `echo --help` alone is help.
Outcome RunEcho(Session& session, const Args& args);

}  // namespace mtty::mttyctl

#endif  // MTTY_TOOLS_MTTYCTL_SESSION_COMMANDS_H_
