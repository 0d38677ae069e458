// Copyright mtty-lab authors.
//
// `sysfs-read`, `sysfs-write` and `sysfs-list`: the parent's sysfs view
// (core/sysfs.h) as cat, one write(2) and ls would see it, paths relative to
// the parent device directory. The view's errno is the Outcome's.
#ifndef MTTY_TOOLS_MTTYCTL_SYSFS_COMMANDS_H_
#define MTTY_TOOLS_MTTYCTL_SYSFS_COMMANDS_H_

#include "tools/mttyctl/args.h"
#include "tools/mttyctl/outcome.h"
#include "tools/mttyctl/session.h"

namespace mtty::mttyctl {

Outcome RunSysfsRead(Session& session, const Args& args);
Outcome RunSysfsWrite(Session& session, const Args& args);
Outcome RunSysfsList(Session& session, const Args& args);

}  // namespace mtty::mttyctl

#endif  // MTTY_TOOLS_MTTYCTL_SYSFS_COMMANDS_H_
