#include "core/status.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace mtty {

std::string ErrnoName(int err) {
  if (err < 0) err = -err;
  switch (err) {
#define MTTY_ERRNO(e) \
  case e:             \
    return #e;
    MTTY_ERRNO(EPERM)
    MTTY_ERRNO(ENOENT)
    MTTY_ERRNO(EINTR)
    MTTY_ERRNO(EIO)
    MTTY_ERRNO(EACCES)
    MTTY_ERRNO(EISDIR)
    MTTY_ERRNO(ENOTDIR)
    MTTY_ERRNO(EMFILE)
    MTTY_ERRNO(E2BIG)
    MTTY_ERRNO(EBADF)
    MTTY_ERRNO(EAGAIN)
    MTTY_ERRNO(ENOMEM)
    MTTY_ERRNO(EFAULT)
    MTTY_ERRNO(EBUSY)
    MTTY_ERRNO(EEXIST)
    MTTY_ERRNO(ENODEV)
    MTTY_ERRNO(EINVAL)
    MTTY_ERRNO(ENOSPC)
    MTTY_ERRNO(ESPIPE)
    MTTY_ERRNO(ENOTTY)
    MTTY_ERRNO(ERANGE)
    MTTY_ERRNO(ENOMSG)
    MTTY_ERRNO(EOVERFLOW)
    MTTY_ERRNO(EUSERS)
    MTTY_ERRNO(ETIMEDOUT)
#undef MTTY_ERRNO
    default:
      return "E" + std::to_string(err);
  }
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out = ErrnoName(-code_) + " (" + std::strerror(-code_) + ")";
  if (*reason() != '\0') out += std::string(": ") + reason();
  return out;
}

namespace status_internal {

void BadResultAccess(Status status) {
  std::fprintf(stderr, "mtty: value() of a Result holding %s\n",
               status.ToString().c_str());
  std::abort();
}

}  // namespace status_internal

}  // namespace mtty
