// Copyright mtty-lab authors.
#include "tools/mttyctl/print_error.h"

#include <cstring>
#include <iostream>

#include "core/errno_name.h"

namespace mtty::mttyctl {
namespace {

// "EACCES (Permission denied)", naming errnos the device model never returns
// too (a script that cannot be opened: ENAMETOOLONG, ELOOP).
std::string ErrnoText(int err) {
  return SystemErrnoName(err) + " (" + std::strerror(err) + ")";
}

}  // namespace

void PrintError(const std::string& where, const std::string& command,
                const Outcome& outcome) {
  std::cout.flush();
  std::cerr << "mttyctl: " << where << command << ": " << ErrnoText(outcome.err)
            << ": " << outcome.sentence << "\n";
}

}  // namespace mtty::mttyctl
