// mttyctl: an mdevctl-style command line for the userspace mtty parent.
//
// Each process owns one in-process MdevParent that starts empty and dies with
// the process, so `exec` (a script of commands run against one parent) is how
// a session that creates, uses and removes devices is run. See --help and
// core/MDEV.md for the grammar.
//
// This file is the command table and the process's exit status; the commands
// live in tools/mttyctl/, one file per family.
#include <functional>
#include <iostream>
#include <map>
#include <string>

#include "tools/mttyctl/args.h"
#include "tools/mttyctl/help.h"
#include "tools/mttyctl/ioctl_command.h"
#include "tools/mttyctl/mdevctl_commands.h"
#include "tools/mttyctl/outcome.h"
#include "tools/mttyctl/print_error.h"
#include "tools/mttyctl/region_commands.h"
#include "tools/mttyctl/script.h"
#include "tools/mttyctl/session.h"
#include "tools/mttyctl/session_commands.h"
#include "tools/mttyctl/sysfs_commands.h"

namespace mtty::mttyctl {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

// Dispatches command lines, from argv or from a script, to one session.
class Cli {
 public:
  Cli() : script_([this](const Args& args) { return Run(args); }) {}

  Outcome Run(const Args& args);

 private:
  Session session_;
  ScriptInterpreter script_;
};

Outcome Cli::Run(const Args& args) {
  if (args.empty()) return Usage("no command; see 'mttyctl --help'");
  const std::string& cmd = args[0];
  using Handler = Outcome (*)(Session&, const Args&);
  static const std::map<std::string, Handler, std::less<>> kHandlers = {
      {"types", &RunTypes},
      {"list", &RunList},
      {"start", &RunStart},
      {"stop", &RunStop},
      {"open", &RunOpen},
      {"close", &RunClose},
      {"read", &RunRead},
      {"write", &RunWrite},
      {"ioctl", &RunIoctl},
      {"time", &RunTime},
      {"state", &RunState},
      {"eventfd", &RunEventFd},
      {"signals", &RunSignals},
      {"sysfs-read", &RunSysfsRead},
      {"sysfs-write", &RunSysfsWrite},
      {"sysfs-list", &RunSysfsList},
      {"echo", &RunEcho},
  };
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    if (args.size() > 2) return Usage("help takes at most one command");
    if (args.size() == 2) {
      const bool self = args[1] == "--help" || args[1] == "-h";
      auto it = CommandHelp().find(self ? "help" : args[1]);
      if (it == CommandHelp().end()) {
        return Usage("unknown command '" + args[1] + "'");
      }
      std::cout << it->second;
    } else {
      std::cout << kMainHelp;
    }
    return Ok();
  }
  if (cmd == "exec") return script_.Exec(args);
  auto it = kHandlers.find(cmd);
  if (it == kHandlers.end()) {
    return Usage("unknown command '" + cmd + "'; see 'mttyctl --help'");
  }
  return it->second(session_, args);
}

int Main(int argc, char** argv) {
  Args args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kMainHelp;
    return kExitUsage;
  }
  Cli cli;
  Outcome r = cli.Run(args);
  std::cout.flush();
  if (r.ok()) return kExitOk;
  if (!r.sentence.empty()) PrintError("", args[0], r);
  return r.usage ? kExitUsage : kExitError;
}

}  // namespace
}  // namespace mtty::mttyctl

int main(int argc, char** argv) { return mtty::mttyctl::Main(argc, argv); }
