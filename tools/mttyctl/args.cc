// Copyright mtty-lab authors.
#include "tools/mttyctl/args.h"

#include <cerrno>
#include <cstdlib>
#include <iostream>

#include "core/status.h"
#include "tools/mttyctl/help.h"

namespace mtty::mttyctl {

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

std::optional<Uuid> ParseUuidArg(std::string_view text) {
  if (text.size() != Uuid::kStringLength) return std::nullopt;
  Result<Uuid> u = Uuid::Parse(text);
  if (!u.ok()) return std::nullopt;
  return *u;
}

Outcome BadUuid(const std::string& text) {
  return Fail(EINVAL,
              "'" + text + "' is not a UUID (want 8-4-4-4-12 hex digits)");
}

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

}  // namespace mtty::mttyctl
