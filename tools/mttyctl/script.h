// Copyright mtty-lab authors.
//
// The script interpreter behind `exec [-x] FILE|-`: runs a file (or standard
// input) of mttyctl command lines, one per line, against the one session of
// this process. Blank lines and # comments are skipped; words are split at
// blanks with "double quotes" (understanding \n \t \r \0 \\ \" \xHH) and
// 'single quotes' (literal); a leading - carries on past a failure.
//
// Promises: each failure is printed once, as "FILE:LINE: COMMAND: ..."; the
// first failure on a line without - stops the script and becomes exec's own
// Outcome, with its sentence cleared so that it is not printed twice. -x
// echoes each command as `+ command` before running it. exec inside a script
// is refused (EINVAL) rather than nested.
#ifndef MTTY_TOOLS_MTTYCTL_SCRIPT_H_
#define MTTY_TOOLS_MTTYCTL_SCRIPT_H_

#include <functional>
#include <utility>

#include "tools/mttyctl/args.h"
#include "tools/mttyctl/outcome.h"

namespace mtty::mttyctl {

// Runs one command line: what a script line turns into.
using CommandRunner = std::function<Outcome(const Args&)>;

class ScriptInterpreter {
 public:
  explicit ScriptInterpreter(CommandRunner run) : run_(std::move(run)) {}

  // `exec [-x] FILE|-`, the whole command line.
  Outcome Exec(const Args& args);

 private:
  CommandRunner run_;
  bool running_ = false;
};

}  // namespace mtty::mttyctl

#endif  // MTTY_TOOLS_MTTYCTL_SCRIPT_H_
