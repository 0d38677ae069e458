// Copyright mtty-lab authors.
#include "core/errno_name.h"

#include <cstring>

#include "core/status.h"

namespace mtty {

std::string SystemErrnoName(int err) {
  if (err < 0) err = -err;
  std::string name = ErrnoName(err);
  // ErrnoName's fallback spelling is "E<digits>".
  if (name.size() > 1 && name[0] == 'E' && name[1] >= '0' && name[1] <= '9') {
    if (const char* n = strerrorname_np(err)) name = n;
  }
  return name;
}

}  // namespace mtty
