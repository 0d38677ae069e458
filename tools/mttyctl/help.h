// Copyright mtty-lab authors.
//
// mttyctl's help texts: the overview (`mttyctl --help`) and one text per
// command (`mttyctl COMMAND --help`, `mttyctl help COMMAND`). Every command
// the dispatcher knows, and `help` itself, has an entry; each text starts
// "Usage: mttyctl COMMAND" and ends with a newline.
#ifndef MTTY_TOOLS_MTTYCTL_HELP_H_
#define MTTY_TOOLS_MTTYCTL_HELP_H_

#include <functional>
#include <map>
#include <string>

namespace mtty::mttyctl {

extern const char kMainHelp[];

// Command name -> its help text.
const std::map<std::string, std::string, std::less<>>& CommandHelp();

}  // namespace mtty::mttyctl

#endif  // MTTY_TOOLS_MTTYCTL_HELP_H_
