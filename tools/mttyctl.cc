// mttyctl: an mdevctl-style command line for the userspace mtty parent.
//
// Each process owns one in-process MdevParent that starts empty and dies with
// the process, so `exec` (a script of commands run against one parent) is how
// a session that creates, uses and removes devices is run. See --help and
// core/MDEV.md for the grammar.
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/irq.h"
#include "core/mdev_parent.h"
#include "core/status.h"
#include "core/sysfs.h"
#include "core/uuid.h"
#include "core/vfio_device.h"
#include "core/vfio_uapi.h"

namespace mtty {
namespace {

using Args = std::vector<std::string>;

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr size_t kMaxReadCount = 4096;

// ---------------------------------------------------------------------------
// Help

constexpr char kMainHelp[] = R"(Usage: mttyctl COMMAND [ARGS]
       mttyctl exec [-x] FILE|-

An mdevctl-style tool for the userspace mtty parent device "mtty" with the
kernel sample's types mtty-1 (Single port serial) and mtty-2 (Dual port
serial), sharing 24 ports.

Every mttyctl process has its own in-process parent, empty at start and gone
at exit: `mttyctl start ...` then `mttyctl list` in a second process shows
nothing. Run a whole session (create, access registers, remove) with `exec`,
which reads one command per line against a single parent.

Commands shared with mdevctl:
  types [-p mtty] [--dumpjson|--json]
  list [-u UUID] [-p mtty] [-v] [--dumpjson|--json]
  start [-u UUID] [-p mtty] -t TYPE [--profile kernel|16550a]
  stop -u UUID

Session commands (most useful inside exec):
  exec [-x] FILE|-                 run a script (- = standard input)
  open UUID | close UUID           hold / release a device handle
  read UUID REGION OFFSET [COUNT]  region read, prints the bytes in hex
  write UUID REGION OFFSET BYTE... region write
  ioctl UUID SUBCOMMAND [ARGS]     device ioctls (mttyctl ioctl --help)
  time UUID NS                     advance the device's virtual clock
  state UUID                       print the device state
  eventfd FD | signals FD          fake eventfd number for SET_IRQS, its count
  sysfs-read PATH                  read a file of the sysfs view
  sysfs-write PATH DATA            one write(2) of DATA, prints bytes consumed
  sysfs-list [PATH]                list a directory of the sysfs view
  echo [TEXT...]                   print TEXT
  help [COMMAND]                   this text, or a command's

`mttyctl COMMAND --help` describes each command. Errors are printed as
`mttyctl: COMMAND: ERRNO (description): sentence` on standard error; the
exit status is 1, or 2 for a malformed command line.
)";

const std::map<std::string, std::string, std::less<>>& CommandHelp() {
  static const auto* help = new std::map<std::string, std::string, std::less<>>{
      {"types", R"(Usage: mttyctl types [-p|--parent mtty] [--dumpjson|--json]

Lists the parent's mdev types with their available instances, as
`mdevctl types` does:
  mtty
    mtty-1
      Available instances: 24
      Device API: vfio-pci
      Name: Single port serial
    ...
--dumpjson (or --json) prints the same as mdevctl's JSON. A --parent other
than mtty matches nothing.
)"},
      {"list",
       R"(Usage: mttyctl list [-u|--uuid UUID] [-p|--parent mtty] [-v|--verbose]
                   [--dumpjson|--json]

Lists the active devices of this process's parent, sorted by UUID, one line
each as `mdevctl list` prints them: `UUID mtty TYPE manual`. --verbose adds
the UART profile and the number of open handles. --dumpjson (or --json)
prints mdevctl's JSON; with --uuid alone and a match, only that device's
object. There are no persistent definitions (no --defined).
)"},
      {"start",
       R"(Usage: mttyctl start [-u|--uuid UUID] [-p|--parent mtty] -t|--type TYPE
                    [--profile kernel|16550a]

Creates a device of TYPE (mtty-1 or mtty-2) named UUID, like writing the
UUID to mdev_supported_types/TYPE/create. Without --uuid a random one is
made and printed. --profile picks the UART behaviour: kernel (the sample's
register quirks, default) or 16550a (the datasheet's). Errors: EINVAL bad
UUID, type or profile; EEXIST the UUID is taken; ENOSPC not enough free
ports; ENODEV a parent other than mtty.
Note: the device lives only as long as this process (use exec).
)"},
      {"stop", R"(Usage: mttyctl stop -u|--uuid UUID

Removes the device, like writing 1 to UUID/remove. ENODEV if there is no
such device; EBUSY if a handle from `open` is still held (close it first:
the kernel would wait for it, but in a single mttyctl session nothing could
close it while stop waits, so stop does not wait).
)"},
      {"exec", R"(Usage: mttyctl exec [-x] FILE|-

Runs the commands in FILE (or standard input for -) against one parent, one
command per line. Blank lines and lines starting with # are skipped. Words
are split at blanks; "double quotes" group words and understand \n \t \r \0
\\ \" and \xHH; 'single quotes' are literal. A line starting with - runs
the command but carries on if it fails (the error is still printed).
Otherwise the first failure stops the script and sets the exit status.
-x echoes each command as `+ command` before running it.

Example:
  start -u 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 -t mtty-2
  write 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 bar0 0x0 0x41
  read 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 bar0 0x0 1
  stop -u 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001
)"},
      {"open", R"(Usage: mttyctl open UUID

Opens the device and keeps the handle for later commands, as a VMM keeps
the vfio device fd. Interrupt wiring (SET_IRQS) and migration state only
survive between commands while a handle is held: without one, each command
opens the device and closes it again, and the last close disables
interrupts and drops migration files (close_device). ENODEV if no device.
)"},
      {"close", R"(Usage: mttyctl close UUID

Releases the handle taken by `open`. EBADF if none is held.
)"},
      {"read", R"(Usage: mttyctl read UUID REGION OFFSET [COUNT]

Reads COUNT (default 1, at most 4096) bytes at OFFSET of REGION and prints
them as hex bytes separated by spaces. REGION is bar0..bar5, rom, config,
vga or a region index; OFFSET is within the region (numbers may be decimal,
0x hex or 0 octal). The device splits the access into 4/2/1-byte pieces;
EFAULT for an access outside what the device decodes.
)"},
      {"write", R"(Usage: mttyctl write UUID REGION OFFSET BYTE...

Writes the bytes (each 0..255) at OFFSET of REGION, as one write(2) on the
device. Example: `write U bar0 0x0 0x41` sends 'A' to the first UART.
)"},
      {"ioctl", R"(Usage: mttyctl ioctl UUID SUBCOMMAND [ARGS]

  get-info                     VFIO_DEVICE_GET_INFO
  get-region-info INDEX        VFIO_DEVICE_GET_REGION_INFO
  get-irq-info INDEX           VFIO_DEVICE_GET_IRQ_INFO (GET_INFO first:
                               the sample's quirk)
  set-irqs FLAGS INDEX START COUNT [VALUE...]
                               VFIO_DEVICE_SET_IRQS; VALUEs are bytes for
                               DATA_BOOL (0x2) and fds for DATA_EVENTFD (0x4);
                               FLAGS e.g. 0x24 = TRIGGER|DATA_EVENTFD
  reset                        VFIO_DEVICE_RESET
  mig-state [STATE]            get or set the migration state: stop, running,
                               stop-copy, resuming, running-p2p, pre-copy,
                               pre-copy-p2p (error cannot be set)
  mig-data-size                VFIO_DEVICE_FEATURE_MIG_DATA_SIZE
Results are printed as `name value` pairs, numbers in hex where vfio.h uses
flags.
)"},
      {"time", R"(Usage: mttyctl time UUID NS

Advances the device's virtual clock by NS nanoseconds (drives the 16550A
character timeout).
)"},
      {"state", R"(Usage: mttyctl state UUID

Prints the device's debug state: one line per port plus IRQ and migration
state.
)"},
      {"eventfd", R"(Usage: mttyctl eventfd FD

Makes FD a fake eventfd of this session (a counter, not a real descriptor),
so `ioctl U set-irqs 0x24 0 0 1 FD` can wire INTx to it. Numbers never
registered are EBADF to SET_IRQS.
)"},
      {"signals", R"(Usage: mttyctl signals FD

Prints how many times the fake eventfd FD has been signalled.
)"},
      {"sysfs-read", R"(Usage: mttyctl sysfs-read PATH

Prints a file of the sysfs view, byte for byte. PATH is relative to the
parent device directory: mdev_supported_types/mtty-2/name,
UUID/vendor/sample_mdev_dev, ... Links print the name of their target.
EACCES for write-only files, EISDIR for directories, ENOENT if absent.
)"},
      {"sysfs-write", R"(Usage: mttyctl sysfs-write PATH DATA

One write(2) of DATA to a file of the sysfs view; prints the byte count the
attribute consumed. E.g. inside exec:
  sysfs-write mdev_supported_types/mtty-2/create "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001\n"
  sysfs-write 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001/remove 1
EACCES for read-only files.
)"},
      {"sysfs-list", R"(Usage: mttyctl sysfs-list [PATH]

Lists a directory of the sysfs view (default: the parent directory), one
name per line, sorted.
)"},
      {"echo", R"(Usage: mttyctl echo [TEXT...]

Prints TEXT, words separated by one space.
)"},
      {"help", R"(Usage: mttyctl help [COMMAND]

Prints the overview, or COMMAND's help.
)"},
  };
  return *help;
}

// ---------------------------------------------------------------------------
// Outcomes

struct Outcome {
  int err = 0;  // positive errno; 0 is success
  std::string sentence;
  bool usage = false;

  bool ok() const { return err == 0; }
};

Outcome Ok() { return {}; }
Outcome Fail(Status status, std::string sentence) {
  return {status.ok() ? EIO : -status.code(), std::move(sentence), false};
}
Outcome Fail(int err, std::string sentence) {
  return {err, std::move(sentence), false};
}
Outcome Usage(std::string sentence) {
  return {EINVAL, std::move(sentence), true};
}

// ---------------------------------------------------------------------------
// Parsing helpers

std::optional<uint64_t> ParseU64(std::string_view text) {
  if (text.empty() || text[0] == '-' || text[0] == '+') return std::nullopt;
  std::string s(text);
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (errno != 0 || end != s.c_str() + s.size()) return std::nullopt;
  return static_cast<uint64_t>(v);
}

std::optional<int32_t> ParseI32(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::string s(text);
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 0);
  if (errno != 0 || end != s.c_str() + s.size() || v < INT32_MIN ||
      v > INT32_MAX) {
    return std::nullopt;
  }
  return static_cast<int32_t>(v);
}

std::string Hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
  return buf;
}

std::optional<uint32_t> ParseRegion(std::string_view name) {
  static const std::pair<std::string_view, uint32_t> kNames[] = {
      {"bar0", 0}, {"bar1", 1}, {"bar2", 2},   {"bar3", 3}, {"bar4", 4},
      {"bar5", 5}, {"rom", 6},  {"config", 7}, {"vga", 8},
  };
  for (const auto& [n, index] : kNames) {
    if (n == name) return index;
  }
  std::optional<uint64_t> v = ParseU64(name);
  // The index lives in bits 40..63 of the file offset.
  if (v && *v < (uint64_t{1} << (64 - vfio::kRegionIndexShift))) {
    return static_cast<uint32_t>(*v);
  }
  return std::nullopt;
}

constexpr std::pair<std::string_view, vfio::MigState> kMigStates[] = {
    {"error", vfio::MigState::kError},
    {"stop", vfio::MigState::kStop},
    {"running", vfio::MigState::kRunning},
    {"stop-copy", vfio::MigState::kStopCopy},
    {"resuming", vfio::MigState::kResuming},
    {"running-p2p", vfio::MigState::kRunningP2p},
    {"pre-copy", vfio::MigState::kPreCopy},
    {"pre-copy-p2p", vfio::MigState::kPreCopyP2p},
};

std::string MigStateName(vfio::MigState s) {
  for (const auto& [name, state] : kMigStates) {
    if (state == s) return std::string(name);
  }
  return "state-" + std::to_string(static_cast<uint32_t>(s));
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Options of one command: `--name value`, `--name=value`, `-n value`, flags.
struct OptionSpec {
  std::string_view long_name;
  char short_name;  // 0 if none
  bool takes_value;
};

struct ParsedOptions {
  std::map<std::string, std::string, std::less<>> values;  // by long name
  Args positional;
  bool help = false;

  bool has(std::string_view name) const { return values.count(name) != 0; }
  std::optional<std::string> get(std::string_view name) const {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  }
};

std::optional<Outcome> ParseOptions(const Args& args,
                                    std::initializer_list<OptionSpec> specs,
                                    ParsedOptions* out) {
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      out->help = true;
      continue;
    }
    if (a.size() < 2 || a[0] != '-' || a == "--") {
      out->positional.push_back(a);
      continue;
    }
    const OptionSpec* spec = nullptr;
    std::optional<std::string> inline_value;
    if (a[1] == '-') {
      std::string_view name = std::string_view(a).substr(2);
      const size_t eq = name.find('=');
      if (eq != std::string_view::npos) {
        inline_value = std::string(name.substr(eq + 1));
        name = name.substr(0, eq);
      }
      for (const OptionSpec& s : specs) {
        if (s.long_name == name) spec = &s;
      }
    } else if (a.size() == 2) {
      for (const OptionSpec& s : specs) {
        if (s.short_name != 0 && s.short_name == a[1]) spec = &s;
      }
    }
    if (spec == nullptr) {
      // Negative numbers (fds) are positional, not options.
      if (ParseI32(a)) {
        out->positional.push_back(a);
        continue;
      }
      return Usage("unknown option '" + a + "'");
    }
    std::string value;
    if (spec->takes_value) {
      if (inline_value) {
        value = *inline_value;
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return Usage("option '" + a + "' needs a value");
      }
    } else if (inline_value) {
      return Usage("option '--" + std::string(spec->long_name) +
                   "' takes no value");
    }
    out->values[std::string(spec->long_name)] = value;
  }
  return std::nullopt;
}

std::optional<Uuid> ParseUuidArg(std::string_view text) {
  // The CLI wants the canonical 36 characters; the kernel's 37th-byte
  // leniency is for `echo`, not for command lines.
  if (text.size() != Uuid::kStringLength) return std::nullopt;
  Result<Uuid> u = Uuid::Parse(text);
  if (!u.ok()) return std::nullopt;
  return *u;
}

// Splits one script line into words (see `mttyctl exec --help`).
std::optional<Outcome> Tokenize(std::string_view line, Args* words) {
  size_t i = 0;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  while (true) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::string word;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') {
      const char c = line[i];
      if (c == '\'') {
        const size_t end = line.find('\'', i + 1);
        if (end == std::string_view::npos) return Usage("unterminated '");
        word.append(line.substr(i + 1, end - i - 1));
        i = end + 1;
      } else if (c == '"') {
        ++i;
        bool closed = false;
        while (i < line.size()) {
          const char d = line[i++];
          if (d == '"') {
            closed = true;
            break;
          }
          if (d != '\\') {
            word += d;
            continue;
          }
          if (i >= line.size()) break;
          const char e = line[i++];
          switch (e) {
            case 'n':
              word += '\n';
              break;
            case 't':
              word += '\t';
              break;
            case 'r':
              word += '\r';
              break;
            case '0':
              word += '\0';
              break;
            case '\\':
              word += '\\';
              break;
            case '"':
              word += '"';
              break;
            case 'x': {
              if (i + 1 < line.size() && hex(line[i]) >= 0 &&
                  hex(line[i + 1]) >= 0) {
                word += static_cast<char>(hex(line[i]) * 16 + hex(line[i + 1]));
                i += 2;
              } else {
                return Usage("\\x needs two hex digits");
              }
              break;
            }
            default:
              return Usage(std::string("unknown escape \\") + e);
          }
        }
        if (!closed) return Usage("unterminated \"");
      } else {
        word += c;
        ++i;
      }
    }
    words->push_back(std::move(word));
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// The session: one parent and what the commands keep between lines.

class Session {
 public:
  Session()
      : parent_(MdevParent::Options{
            .resolver = &fds_, .remove_timeout = std::chrono::milliseconds(0)}),
        sysfs_(parent_) {}

  Outcome Run(const Args& args);

 private:
  Outcome Types(const Args& args);
  Outcome List(const Args& args);
  Outcome Start(const Args& args);
  Outcome Stop(const Args& args);
  Outcome Open(const Args& args);
  Outcome Close(const Args& args);
  Outcome ReadRegion(const Args& args);
  Outcome WriteRegion(const Args& args);
  Outcome Ioctl(const Args& args);
  Outcome Time(const Args& args);
  Outcome State(const Args& args);
  Outcome EventFd(const Args& args);
  Outcome Signals(const Args& args);
  Outcome SysfsRead(const Args& args);
  Outcome SysfsWrite(const Args& args);
  Outcome SysfsList(const Args& args);
  Outcome Echo(const Args& args);
  Outcome Exec(const Args& args);

  // Runs `fn` on the device: through the held handle if `open` took one,
  // else through a handle opened for this command only.
  template <typename Fn>
  Outcome WithDevice(const std::string& uuid_text, Fn fn);

  FakeFdTable fds_;  // must outlive the parent and every handle
  std::map<int32_t, std::shared_ptr<CountingSink>> sinks_;
  MdevParent parent_;
  SysfsView sysfs_;
  std::map<Uuid, MdevHandle> held_;
  bool in_exec_ = false;
};

std::optional<Outcome> WantHelpOrArgs(const ParsedOptions& opts,
                                      const std::string& command, size_t min,
                                      size_t max) {
  if (opts.help) {
    std::cout << CommandHelp().find(command)->second;
    return Ok();
  }
  if (opts.positional.size() < min || opts.positional.size() > max) {
    return Usage("wrong number of arguments; see 'mttyctl " + command +
                 " --help'");
  }
  return std::nullopt;
}

Outcome BadUuid(const std::string& text) {
  return Fail(EINVAL,
              "'" + text + "' is not a UUID (want 8-4-4-4-12 hex digits)");
}

Outcome Session::Run(const Args& args) {
  if (args.empty()) return Usage("no command; see 'mttyctl --help'");
  const std::string& cmd = args[0];
  using Handler = Outcome (Session::*)(const Args&);
  static const std::map<std::string, Handler, std::less<>> kHandlers = {
      {"types", &Session::Types},
      {"list", &Session::List},
      {"start", &Session::Start},
      {"stop", &Session::Stop},
      {"open", &Session::Open},
      {"close", &Session::Close},
      {"read", &Session::ReadRegion},
      {"write", &Session::WriteRegion},
      {"ioctl", &Session::Ioctl},
      {"time", &Session::Time},
      {"state", &Session::State},
      {"eventfd", &Session::EventFd},
      {"signals", &Session::Signals},
      {"sysfs-read", &Session::SysfsRead},
      {"sysfs-write", &Session::SysfsWrite},
      {"sysfs-list", &Session::SysfsList},
      {"echo", &Session::Echo},
      {"exec", &Session::Exec},
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
  auto it = kHandlers.find(cmd);
  if (it == kHandlers.end()) {
    return Usage("unknown command '" + cmd + "'; see 'mttyctl --help'");
  }
  return (this->*(it->second))(args);
}

Outcome Session::Types(const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(
          args,
          {{"parent", 'p', true}, {"dumpjson", 0, false}, {"json", 0, false}},
          &o)) {
    return *bad;
  }
  if (auto done = WantHelpOrArgs(o, "types", 0, 0)) return *done;
  const bool json = o.has("dumpjson") || o.has("json");
  const bool match = !o.has("parent") || *o.get("parent") == MdevParent::kName;
  if (json) {
    if (!match) {
      std::cout << "[]\n";
      return Ok();
    }
    std::string out = "[\n  {\n    " + JsonString(MdevParent::kName) + ": [\n";
    bool first = true;
    for (const MdevType& t : MdevParent::types()) {
      if (!first) out += ",\n";
      first = false;
      out += "      {\n        " + JsonString(t.name) + ": {\n";
      out += "          \"available_instances\": " +
             std::to_string(*parent_.AvailableInstances(t.name)) + ",\n";
      out += "          \"device_api\": " + JsonString(MdevParent::kDeviceApi) +
             ",\n";
      out += "          \"name\": " + JsonString(t.pretty_name) + "\n";
      out += "        }\n      }";
    }
    out += "\n    ]\n  }\n]\n";
    std::cout << out;
    return Ok();
  }
  if (!match) return Ok();
  std::cout << MdevParent::kName << "\n";
  for (const MdevType& t : MdevParent::types()) {
    std::cout << "  " << t.name << "\n"
              << "    Available instances: "
              << *parent_.AvailableInstances(t.name) << "\n"
              << "    Device API: " << MdevParent::kDeviceApi << "\n"
              << "    Name: " << t.pretty_name << "\n";
  }
  return Ok();
}

Outcome Session::List(const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args,
                              {{"uuid", 'u', true},
                               {"parent", 'p', true},
                               {"verbose", 'v', false},
                               {"dumpjson", 0, false},
                               {"json", 0, false}},
                              &o)) {
    return *bad;
  }
  if (auto done = WantHelpOrArgs(o, "list", 0, 0)) return *done;
  std::optional<Uuid> only;
  if (o.has("uuid")) {
    only = ParseUuidArg(*o.get("uuid"));
    if (!only) return BadUuid(*o.get("uuid"));
  }
  const bool parent_match =
      !o.has("parent") || *o.get("parent") == MdevParent::kName;
  std::vector<MdevParent::DeviceInfo> devices;
  if (parent_match) {
    for (const MdevParent::DeviceInfo& d : parent_.List()) {
      if (!only || d.uuid == *only) devices.push_back(d);
    }
  }
  if (o.has("dumpjson") || o.has("json")) {
    auto object = [](const MdevParent::DeviceInfo& d, const std::string& pad) {
      return pad + "\"mdev_type\": " + JsonString(d.type->name) + ",\n" + pad +
             "\"start\": \"manual\",\n" + pad + "\"attrs\": []\n";
    };
    if (devices.empty()) {
      std::cout << "[]\n";
    } else if (only && !o.has("parent")) {
      std::cout << "{\n" << object(devices[0], "  ") << "}\n";
    } else {
      std::string out =
          "[\n  {\n    " + JsonString(MdevParent::kName) + ": [\n";
      for (size_t i = 0; i < devices.size(); ++i) {
        out += "      {\n        " + JsonString(devices[i].uuid.ToString()) +
               ": {\n" + object(devices[i], "          ") +
               "        }\n      }";
        out += i + 1 < devices.size() ? ",\n" : "\n";
      }
      out += "    ]\n  }\n]\n";
      std::cout << out;
    }
    return Ok();
  }
  for (const MdevParent::DeviceInfo& d : devices) {
    std::cout << d.uuid.ToString() << " " << MdevParent::kName << " "
              << d.type->name << " manual\n";
    if (o.has("verbose")) {
      std::cout << "  Profile: " << ProfileName(d.profile) << "\n"
                << "  Open handles: " << d.open_handles << "\n";
    }
  }
  return Ok();
}

Outcome Session::Start(const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args,
                              {{"uuid", 'u', true},
                               {"parent", 'p', true},
                               {"type", 't', true},
                               {"profile", 0, true}},
                              &o)) {
    return *bad;
  }
  if (auto done = WantHelpOrArgs(o, "start", 0, 0)) return *done;
  if (o.has("parent") && *o.get("parent") != MdevParent::kName) {
    return Fail(ENODEV,
                "Unable to find parent device '" + *o.get("parent") + "'");
  }
  if (!o.has("type")) {
    return Usage("Device is insufficiently specified (--type is required)");
  }
  const std::string type = *o.get("type");
  Uuid uuid;
  if (o.has("uuid")) {
    std::optional<Uuid> u = ParseUuidArg(*o.get("uuid"));
    if (!u) return BadUuid(*o.get("uuid"));
    uuid = *u;
  } else {
    uuid = Uuid::RandomV4();
  }
  Profile profile = Profile::kKernel;
  if (o.has("profile")) {
    std::optional<Profile> p = ParseProfile(*o.get("profile"));
    if (!p) {
      return Fail(EINVAL, "unknown profile '" + *o.get("profile") +
                              "' (want kernel or 16550a)");
    }
    profile = *p;
  }
  if (MdevParent::FindType(type) == nullptr) {
    return Fail(EINVAL, "Parent mtty does not support mdev type " + type);
  }
  Status s = parent_.Create(type, uuid, profile);
  if (s.code() == -EEXIST) {
    Result<MdevParent::DeviceInfo> existing = parent_.Find(uuid);
    if (existing.ok() && existing->type->name != type) {
      return Fail(s, "Device exists with different type");
    }
    return Fail(s, "Device already exists");
  }
  if (s.code() == -ENOSPC) {
    return Fail(s, "No available instances of " + type + " on mtty");
  }
  if (!s.ok()) return Fail(s, "Failed to create mdev " + uuid.ToString());
  if (!o.has("uuid")) std::cout << uuid.ToString() << "\n";
  return Ok();
}

Outcome Session::Stop(const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {{"uuid", 'u', true}}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "stop", 0, 0)) return *done;
  if (!o.has("uuid")) return Usage("--uuid is required");
  std::optional<Uuid> uuid = ParseUuidArg(*o.get("uuid"));
  if (!uuid) return BadUuid(*o.get("uuid"));
  Status s = parent_.Remove(*uuid);
  switch (-s.code()) {
    case 0:
      return Ok();
    case ENODEV:
      return Fail(s, "Device " + uuid->ToString() + " is not active");
    case EBUSY:
      return Fail(s, "Device " + uuid->ToString() +
                         " is open; close it before stopping it");
    case EAGAIN:
      return Fail(s,
                  "Device " + uuid->ToString() + " is already being removed");
    default:
      return Fail(s, "Error removing device " + uuid->ToString());
  }
}

Outcome Session::Open(const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "open", 1, 1)) return *done;
  std::optional<Uuid> uuid = ParseUuidArg(o.positional[0]);
  if (!uuid) return BadUuid(o.positional[0]);
  if (held_.count(*uuid) != 0) {
    return Fail(EBUSY,
                "this session already holds a handle on " + uuid->ToString());
  }
  Result<MdevHandle> h = parent_.Open(*uuid);
  if (!h.ok()) {
    return Fail(h.status(), "Device " + uuid->ToString() + " is not active");
  }
  held_.emplace(*uuid, std::move(h).value());
  return Ok();
}

Outcome Session::Close(const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "close", 1, 1)) return *done;
  std::optional<Uuid> uuid = ParseUuidArg(o.positional[0]);
  if (!uuid) return BadUuid(o.positional[0]);
  auto it = held_.find(*uuid);
  if (it == held_.end()) {
    return Fail(EBADF, "no handle on " + uuid->ToString() + " is held");
  }
  held_.erase(it);
  return Ok();
}

template <typename Fn>
Outcome Session::WithDevice(const std::string& uuid_text, Fn fn) {
  std::optional<Uuid> uuid = ParseUuidArg(uuid_text);
  if (!uuid) return BadUuid(uuid_text);
  auto it = held_.find(*uuid);
  if (it != held_.end()) return fn(*it->second.device());
  Result<MdevHandle> h = parent_.Open(*uuid);
  if (!h.ok()) {
    return Fail(h.status(), "Device " + uuid->ToString() + " is not active");
  }
  MdevHandle handle = std::move(h).value();
  return fn(*handle.device());
}

std::optional<Outcome> RegionPosition(const std::string& region,
                                      const std::string& offset,
                                      uint64_t* pos) {
  std::optional<uint32_t> index = ParseRegion(region);
  if (!index) return Usage("bad region '" + region + "'");
  std::optional<uint64_t> off = ParseU64(offset);
  if (!off || *off > vfio::kRegionOffsetMask) {
    return Usage("bad offset '" + offset + "'");
  }
  *pos = vfio::RegionOffset(*index) | *off;
  return std::nullopt;
}

Outcome Session::ReadRegion(const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "read", 3, 4)) return *done;
  const Args& p = o.positional;
  uint64_t pos = 0;
  if (auto bad = RegionPosition(p[1], p[2], &pos)) return *bad;
  size_t count = 1;
  if (p.size() == 4) {
    std::optional<uint64_t> c = ParseU64(p[3]);
    if (!c || *c > kMaxReadCount) return Usage("bad count '" + p[3] + "'");
    count = static_cast<size_t>(*c);
  }
  return WithDevice(p[0], [&](MttyDevice& d) {
    std::vector<uint8_t> buf(count);
    Result<size_t> n = d.Read(pos, buf);
    if (!n.ok()) {
      return Fail(n.status(), "read of " + std::to_string(count) +
                                  " byte(s) at " + p[1] + "+" + p[2] +
                                  " failed");
    }
    std::string line;
    for (size_t i = 0; i < *n; ++i) {
      char b[4];
      std::snprintf(b, sizeof(b), "%02x", buf[i]);
      if (i) line += ' ';
      line += b;
    }
    std::cout << line << "\n";
    return Ok();
  });
}

Outcome Session::WriteRegion(const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "write", 4, 3 + kMaxReadCount)) {
    return *done;
  }
  const Args& p = o.positional;
  uint64_t pos = 0;
  if (auto bad = RegionPosition(p[1], p[2], &pos)) return *bad;
  std::vector<uint8_t> bytes;
  for (size_t i = 3; i < p.size(); ++i) {
    std::optional<uint64_t> b = ParseU64(p[i]);
    if (!b || *b > 0xff) return Usage("bad byte '" + p[i] + "'");
    bytes.push_back(static_cast<uint8_t>(*b));
  }
  return WithDevice(p[0], [&](MttyDevice& d) {
    Result<size_t> n = d.Write(pos, bytes);
    if (!n.ok()) {
      return Fail(n.status(), "write of " + std::to_string(bytes.size()) +
                                  " byte(s) at " + p[1] + "+" + p[2] +
                                  " failed");
    }
    return Ok();
  });
}

Outcome Session::Ioctl(const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "ioctl", 2, 4 + kMaxReadCount)) {
    return *done;
  }
  const Args& p = o.positional;
  const std::string& sub = p[1];
  auto want_args = [&](size_t n) { return p.size() == 2 + n; };
  auto index_arg = [&](size_t i) -> std::optional<uint32_t> {
    std::optional<uint64_t> v = ParseU64(p[i]);
    if (!v || *v > UINT32_MAX) return std::nullopt;
    return static_cast<uint32_t>(*v);
  };
  if (sub == "get-info" && want_args(0)) {
    return WithDevice(p[0], [&](MttyDevice& d) {
      Result<vfio::DeviceInfo> r = d.GetInfo();
      if (!r.ok()) return Fail(r.status(), "VFIO_DEVICE_GET_INFO failed");
      std::cout << "flags " << Hex(r->flags) << " num_regions "
                << r->num_regions << " num_irqs " << r->num_irqs << "\n";
      return Ok();
    });
  }
  if (sub == "get-region-info" && want_args(1)) {
    std::optional<uint32_t> index = index_arg(2);
    if (!index) return Usage("bad region index '" + p[2] + "'");
    return WithDevice(p[0], [&](MttyDevice& d) {
      Result<vfio::RegionInfo> r = d.GetRegionInfo(*index);
      if (!r.ok()) {
        return Fail(r.status(),
                    "VFIO_DEVICE_GET_REGION_INFO " + p[2] + " failed");
      }
      std::cout << "index " << r->index << " flags " << Hex(r->flags)
                << " size " << Hex(r->size) << " offset " << Hex(r->offset)
                << "\n";
      return Ok();
    });
  }
  if (sub == "get-irq-info" && want_args(1)) {
    std::optional<uint32_t> index = index_arg(2);
    if (!index) return Usage("bad irq index '" + p[2] + "'");
    return WithDevice(p[0], [&](MttyDevice& d) {
      Result<vfio::IrqInfo> r = d.GetIrqInfo(*index);
      if (!r.ok()) {
        return Fail(r.status(), "VFIO_DEVICE_GET_IRQ_INFO " + p[2] +
                                    " failed (GET_INFO must come first)");
      }
      std::cout << "index " << r->index << " flags " << Hex(r->flags)
                << " count " << r->count << "\n";
      return Ok();
    });
  }
  if (sub == "set-irqs" && p.size() >= 6) {
    std::optional<uint32_t> flags = index_arg(2), index = index_arg(3),
                            start = index_arg(4), count = index_arg(5);
    if (!flags || !index || !start || !count) {
      return Usage("set-irqs wants FLAGS INDEX START COUNT [VALUE...]");
    }
    std::vector<uint8_t> data;
    for (size_t i = 6; i < p.size(); ++i) {
      if (*flags & vfio::kIrqSetDataEventfd) {
        std::optional<int32_t> fd = ParseI32(p[i]);
        if (!fd) return Usage("bad fd '" + p[i] + "'");
        uint8_t b[4];
        std::memcpy(b, &*fd, 4);
        data.insert(data.end(), b, b + 4);
      } else {
        std::optional<uint64_t> v = ParseU64(p[i]);
        if (!v || *v > 0xff) return Usage("bad byte '" + p[i] + "'");
        data.push_back(static_cast<uint8_t>(*v));
      }
    }
    return WithDevice(p[0], [&](MttyDevice& d) {
      Status s = d.SetIrqs(*flags, *index, *start, *count, data);
      if (!s.ok()) return Fail(s, "VFIO_DEVICE_SET_IRQS failed");
      return Ok();
    });
  }
  if (sub == "reset" && want_args(0)) {
    return WithDevice(p[0], [&](MttyDevice& d) {
      Status s = d.Reset();
      if (!s.ok()) return Fail(s, "VFIO_DEVICE_RESET failed");
      return Ok();
    });
  }
  if (sub == "mig-state" && (want_args(0) || want_args(1))) {
    std::optional<vfio::MigState> target;
    if (want_args(1)) {
      for (const auto& [name, state] : kMigStates) {
        if (name == p[2]) target = state;
      }
      if (!target) return Usage("unknown migration state '" + p[2] + "'");
    }
    return WithDevice(p[0], [&](MttyDevice& d) {
      if (target) {
        Result<std::shared_ptr<MigrationFile>> r = d.SetMigState(*target);
        if (!r.ok()) {
          return Fail(r.status(), "cannot go from " +
                                      MigStateName(d.mig_state()) + " to " +
                                      MigStateName(*target));
        }
      }
      std::cout << "state " << MigStateName(d.mig_state()) << "\n";
      return Ok();
    });
  }
  if (sub == "mig-data-size" && want_args(0)) {
    return WithDevice(p[0], [&](MttyDevice& d) {
      std::cout << "stop_copy_length " << d.MigDataSize() << "\n";
      return Ok();
    });
  }
  return Usage("bad ioctl '" + sub +
               "' or arguments; see 'mttyctl ioctl --help'");
}

Outcome Session::Time(const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "time", 2, 2)) return *done;
  std::optional<uint64_t> ns = ParseU64(o.positional[1]);
  if (!ns) return Usage("bad nanoseconds '" + o.positional[1] + "'");
  return WithDevice(o.positional[0], [&](MttyDevice& d) {
    d.AdvanceTime(*ns);
    return Ok();
  });
}

Outcome Session::State(const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "state", 1, 1)) return *done;
  return WithDevice(o.positional[0], [&](MttyDevice& d) {
    std::string s = d.DebugString();
    if (s.empty() || s.back() != '\n') s += '\n';
    std::cout << s;
    return Ok();
  });
}

Outcome Session::EventFd(const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "eventfd", 1, 1)) return *done;
  std::optional<int32_t> fd = ParseI32(o.positional[0]);
  if (!fd || *fd < 0) return Usage("bad fd '" + o.positional[0] + "'");
  sinks_[*fd] = fds_.Register(*fd);
  return Ok();
}

Outcome Session::Signals(const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "signals", 1, 1)) return *done;
  std::optional<int32_t> fd = ParseI32(o.positional[0]);
  if (!fd) return Usage("bad fd '" + o.positional[0] + "'");
  auto it = sinks_.find(*fd);
  if (it == sinks_.end()) {
    return Fail(EBADF, "fd " + o.positional[0] + " is not a fake eventfd");
  }
  std::cout << it->second->count() << "\n";
  return Ok();
}

Outcome Session::SysfsRead(const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "sysfs-read", 1, 1)) return *done;
  Result<std::string> r = sysfs_.Read(o.positional[0]);
  if (!r.ok()) return Fail(r.status(), "cannot read " + o.positional[0]);
  std::string s = *r;
  if (s.empty() || s.back() != '\n') s += '\n';  // links have no newline
  std::cout << s;
  return Ok();
}

Outcome Session::SysfsWrite(const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "sysfs-write", 2, 2)) return *done;
  Result<size_t> n = sysfs_.Write(o.positional[0], o.positional[1]);
  if (!n.ok()) return Fail(n.status(), "cannot write " + o.positional[0]);
  std::cout << *n << "\n";
  return Ok();
}

Outcome Session::SysfsList(const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "sysfs-list", 0, 1)) return *done;
  const std::string path = o.positional.empty() ? "" : o.positional[0];
  Result<std::vector<std::string>> names = sysfs_.List(path);
  if (!names.ok()) {
    return Fail(names.status(), "cannot list '" + path + "'");
  }
  for (const std::string& n : *names) std::cout << n << "\n";
  return Ok();
}

Outcome Session::Echo(const Args& args) {
  if (args.size() == 2 && (args[1] == "--help" || args[1] == "-h")) {
    std::cout << CommandHelp().find("echo")->second;
    return Ok();
  }
  for (size_t i = 1; i < args.size(); ++i) {
    if (i > 1) std::cout << ' ';
    std::cout << args[i];
  }
  std::cout << "\n";
  return Ok();
}

// "EACCES (Permission denied)". glibc names errnos that ErrnoName does not.
std::string ErrnoText(int err) {
  std::string name = ErrnoName(err);
  if (name.size() > 1 && name[0] == 'E' && name[1] >= '0' && name[1] <= '9') {
    if (const char* n = strerrorname_np(err)) name = n;
  }
  return name + " (" + std::strerror(err) + ")";
}

void PrintError(const std::string& where, const std::string& command,
                const Outcome& r) {
  std::cout.flush();
  std::cerr << "mttyctl: " << where << command << ": " << ErrnoText(r.err)
            << ": " << r.sentence << "\n";
}

Outcome Session::Exec(const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {{"trace", 'x', false}}, &o)) return *bad;
  if (o.positional.empty() && o.values.empty() && !o.help) {
    return Usage("exec needs a FILE or -; see 'mttyctl exec --help'");
  }
  if (auto done = WantHelpOrArgs(o, "exec", 1, 1)) return *done;
  if (in_exec_) return Usage("exec cannot be nested");
  const std::string& file = o.positional[0];
  std::ifstream in_file;
  std::istream* in = &std::cin;
  if (file != "-") {
    in_file.open(file);
    if (!in_file) {
      const int err = errno != 0 ? errno : ENOENT;
      return Fail(err, "cannot open script '" + file + "'");
    }
    in = &in_file;
  }
  const bool trace = o.has("trace");
  in_exec_ = true;
  std::string line;
  int number = 0;
  Outcome result = Ok();
  while (std::getline(*in, line)) {
    ++number;
    std::string_view rest = line;
    if (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
    const size_t first = rest.find_first_not_of(" \t");
    if (first == std::string_view::npos || rest[first] == '#') continue;
    rest.remove_prefix(first);
    const bool keep_going = rest[0] == '-';
    if (keep_going) rest.remove_prefix(1);
    const std::string where = file + ":" + std::to_string(number) + ": ";
    Args words;
    Outcome r = Ok();
    if (auto bad = Tokenize(rest, &words)) {
      r = *bad;
    } else if (words.empty()) {
      continue;
    } else {
      if (trace) std::cout << "+ " << rest << "\n";
      r = Run(words);
    }
    if (!r.ok()) {
      PrintError(where, words.empty() ? "" : words[0], r);
      if (!keep_going) {
        result = r;
        result.sentence.clear();  // already printed
        break;
      }
    }
  }
  in_exec_ = false;
  return result;
}

int Main(int argc, char** argv) {
  Args args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kMainHelp;
    return kExitUsage;
  }
  Session session;
  Outcome r = session.Run(args);
  std::cout.flush();
  if (r.ok()) return kExitOk;
  if (!r.sentence.empty()) PrintError("", args[0], r);
  return r.usage ? kExitUsage : kExitError;
}

}  // namespace
}  // namespace mtty

int main(int argc, char** argv) { return mtty::Main(argc, argv); }
