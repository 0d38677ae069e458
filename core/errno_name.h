// Copyright mtty-lab authors.
//
// A symbolic name for any errno, for messages and text formats that must
// name errnos the device model never returns (ENXIO, ENOSYS, ENAMETOOLONG
// from opening a script, ...). ErrnoName (core/status.h) stays the one table
// of names the device model uses; this only widens it.
//
// Promises: SystemErrnoName(err) is ErrnoName(err) where that has a name,
// else the C library's name (strerrorname_np), else "E<number>". It takes a
// positive errno; a negative one means the same as its absolute value, as in
// ErrnoName.
#ifndef MTTY_CORE_ERRNO_NAME_H_
#define MTTY_CORE_ERRNO_NAME_H_

#include <string>

namespace mtty {

std::string SystemErrnoName(int err);

}  // namespace mtty

#endif  // MTTY_CORE_ERRNO_NAME_H_
