// Copyright mtty-lab authors.
//
// Outcome: what every mttyctl command returns. Success, or a positive errno
// with the sentence that explains it; `usage` marks a malformed command line
// (exit status 2 rather than 1). Commands print their results themselves and
// never print errors: the caller reports an Outcome (print_error.h) once, with
// the script line it came from.
#ifndef MTTY_TOOLS_MTTYCTL_OUTCOME_H_
#define MTTY_TOOLS_MTTYCTL_OUTCOME_H_

#include <cerrno>
#include <string>
#include <utility>

#include "core/status.h"

namespace mtty::mttyctl {

struct Outcome {
  int err = 0;  // positive errno; 0 is success
  std::string sentence;
  bool usage = false;

  bool ok() const { return err == 0; }
};

inline Outcome Ok() { return {}; }
// A failed call: its errno (EIO if `status` is, wrongly, OK).
inline Outcome Fail(Status status, std::string sentence) {
  return {status.ok() ? EIO : -status.code(), std::move(sentence), false};
}
inline Outcome Fail(int err, std::string sentence) {
  return {err, std::move(sentence), false};
}
// A malformed command line: EINVAL, exit status 2.
inline Outcome Usage(std::string sentence) {
  return {EINVAL, std::move(sentence), true};
}

}  // namespace mtty::mttyctl

#endif  // MTTY_TOOLS_MTTYCTL_OUTCOME_H_
