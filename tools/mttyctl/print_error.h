// Copyright mtty-lab authors.
//
// How mttyctl reports a failed command, on standard error:
//   mttyctl: [FILE:LINE: ]COMMAND: ENAME (description): sentence
// Standard output is flushed first, so a script's output and its errors
// appear in the order they happened when both go to one terminal.
#ifndef MTTY_TOOLS_MTTYCTL_PRINT_ERROR_H_
#define MTTY_TOOLS_MTTYCTL_PRINT_ERROR_H_

#include <string>

#include "tools/mttyctl/outcome.h"

namespace mtty::mttyctl {

// `where` is "" or "FILE:LINE: ".
void PrintError(const std::string& where, const std::string& command,
                const Outcome& outcome);

}  // namespace mtty::mttyctl

#endif  // MTTY_TOOLS_MTTYCTL_PRINT_ERROR_H_
