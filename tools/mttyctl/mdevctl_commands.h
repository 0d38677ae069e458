// Copyright mtty-lab authors.
//
// The commands mttyctl shares with mdevctl: types, list, start, stop. Their
// options, plain output and --dumpjson/--json output follow mdevctl's, so
// scripts written for mdevctl read ours; what differs (no persistent
// definitions, --profile, stop refusing an open device) is in their help.
#ifndef MTTY_TOOLS_MTTYCTL_MDEVCTL_COMMANDS_H_
#define MTTY_TOOLS_MTTYCTL_MDEVCTL_COMMANDS_H_

#include "tools/mttyctl/args.h"
#include "tools/mttyctl/outcome.h"
#include "tools/mttyctl/session.h"

namespace mtty::mttyctl {

// Each takes the whole command line, args[0] being the command's name.
Outcome RunTypes(Session& session, const Args& args);
Outcome RunList(Session& session, const Args& args);
Outcome RunStart(Session& session, const Args& args);
Outcome RunStop(Session& session, const Args& args);

}  // namespace mtty::mttyctl

#endif  // MTTY_TOOLS_MTTYCTL_MDEVCTL_COMMANDS_H_
