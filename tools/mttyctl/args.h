// Copyright mtty-lab authors.
//
// Reading one mttyctl command line: options (`--name value`, `--name=value`,
// `-n value`, flags, `-h`/`--help`), positional arguments, and the numbers
// and UUIDs they spell.
//
// Promises: parsers never print; a malformed line comes back as a Usage
// Outcome naming what was wrong. Only WantHelpOrArgs prints (the help text
// the user asked for).
#ifndef MTTY_TOOLS_MTTYCTL_ARGS_H_
#define MTTY_TOOLS_MTTYCTL_ARGS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/uuid.h"
#include "tools/mttyctl/outcome.h"

namespace mtty::mttyctl {

// A command line, the command's name first.
using Args = std::vector<std::string>;

// strtoull's base-0 syntax (decimal, 0x hex, 0 octal) without a leading
// sign, all of `text`, in range; else nullopt.
std::optional<uint64_t> ParseU64(std::string_view text);
// strtoll's base-0 syntax, sign allowed, in int32 range (fds).
std::optional<int32_t> ParseI32(std::string_view text);

// A canonical 36-character UUID. The kernel's 37th-byte leniency is for
// `echo` into sysfs, not for command lines.
std::optional<Uuid> ParseUuidArg(std::string_view text);
// The EINVAL Outcome for `text` that ParseUuidArg refused.
Outcome BadUuid(const std::string& text);

// One option a command accepts.
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

// Parses args[1..] into `out`. Words not starting with '-', a lone "-",
// "--" and unknown options that read as an int32 ("-5") are positional.
// Returns a Usage Outcome for another unknown option, a missing value or a
// value given to a flag.
std::optional<Outcome> ParseOptions(const Args& args,
                                    std::initializer_list<OptionSpec> specs,
                                    ParsedOptions* out);

// The common end of option parsing: prints `command`'s help and returns Ok
// if it was asked for; a Usage Outcome unless min <= positionals <= max;
// else nullopt (go on).
std::optional<Outcome> WantHelpOrArgs(const ParsedOptions& opts,
                                      const std::string& command, size_t min,
                                      size_t max);

}  // namespace mtty::mttyctl

#endif  // MTTY_TOOLS_MTTYCTL_ARGS_H_
