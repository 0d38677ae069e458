// Copyright mtty-lab authors.
//
// `read UUID REGION OFFSET [COUNT]` and `write UUID REGION OFFSET BYTE...`:
// one read(2) or write(2) on the device at a region's file offset, as a VMM
// issues them. The device splits the access; mttyctl only checks the command
// line (region name or index, offset below 2^40, at most kMaxReadCount
// bytes).
#ifndef MTTY_TOOLS_MTTYCTL_REGION_COMMANDS_H_
#define MTTY_TOOLS_MTTYCTL_REGION_COMMANDS_H_

#include <cstddef>

#include "tools/mttyctl/args.h"
#include "tools/mttyctl/outcome.h"
#include "tools/mttyctl/session.h"

namespace mtty::mttyctl {

// The most bytes one command moves (and so the most values a command line
// carries).
inline constexpr size_t kMaxReadCount = 4096;

Outcome RunRead(Session& session, const Args& args);
Outcome RunWrite(Session& session, const Args& args);

}  // namespace mtty::mttyctl

#endif  // MTTY_TOOLS_MTTYCTL_REGION_COMMANDS_H_
