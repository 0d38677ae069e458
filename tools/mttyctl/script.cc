// Copyright mtty-lab authors.
#include "tools/mttyctl/script.h"

#include <cerrno>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/hex.h"
#include "tools/mttyctl/print_error.h"

namespace mtty::mttyctl {
namespace {

// Splits one script line into words (see `mttyctl exec --help`).
std::optional<Outcome> Tokenize(std::string_view line, Args* words) {
  size_t i = 0;
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
              if (i + 1 >= line.size() || HexDigitValue(line[i]) < 0 ||
                  HexDigitValue(line[i + 1]) < 0) {
                return Usage("\\x needs two hex digits");
              }
              word += static_cast<char>(HexDigitValue(line[i]) * 16 +
                                        HexDigitValue(line[i + 1]));
              i += 2;
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

}  // namespace

Outcome ScriptInterpreter::Exec(const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {{"trace", 'x', false}}, &o)) return *bad;
  if (o.positional.empty() && o.values.empty() && !o.help) {
    return Usage("exec needs a FILE or -; see 'mttyctl exec --help'");
  }
  if (auto done = WantHelpOrArgs(o, "exec", 1, 1)) return *done;
  if (running_) return Usage("exec cannot be nested");
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
  running_ = true;
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
      r = run_(words);
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
  running_ = false;
  return result;
}

}  // namespace mtty::mttyctl
