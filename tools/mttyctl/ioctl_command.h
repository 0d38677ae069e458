// Copyright mtty-lab authors.
//
// `ioctl UUID SUBCOMMAND [ARGS]`: the vfio device ioctls (GET_INFO,
// GET_REGION_INFO, GET_IRQ_INFO, SET_IRQS, RESET) and the migration state
// feature, issued as a VMM would. Results are printed as `name value` pairs,
// in hex where vfio.h uses flags; the device's errno is the Outcome's.
#ifndef MTTY_TOOLS_MTTYCTL_IOCTL_COMMAND_H_
#define MTTY_TOOLS_MTTYCTL_IOCTL_COMMAND_H_

#include "tools/mttyctl/args.h"
#include "tools/mttyctl/outcome.h"
#include "tools/mttyctl/session.h"

namespace mtty::mttyctl {

Outcome RunIoctl(Session& session, const Args& args);

}  // namespace mtty::mttyctl

#endif  // MTTY_TOOLS_MTTYCTL_IOCTL_COMMAND_H_
