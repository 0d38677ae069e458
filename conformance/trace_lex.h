// Copyright mtty-lab authors.
//
// Internal to //conformance:trace. Splits one line of a trace into tokens
// and reads the numbers tokens spell (TRACE_FORMAT.md, "Lines and tokens").
//
// Promises: Lex is total and linear in the line; it rejects control
// characters other than tab and malformed character literals with a message
// and never reads past the line. The number readers accept exactly decimal
// and 0x hex that fit their type, nothing else (no sign, no spaces).
#ifndef MTTY_CONFORMANCE_TRACE_LEX_H_
#define MTTY_CONFORMANCE_TRACE_LEX_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mtty::conformance::trace_internal {

struct Token {
  std::string text;  // raw spelling, quotes included for char literals
  bool is_char = false;
  uint8_t char_value = 0;
};

struct Line {
  std::vector<Token> tokens;
  bool has_comment = false;
  std::string comment;  // text after '#', trimmed
};

// Lexes one line (without its '\n'; a trailing '\r' already removed) into
// `out`. Returns an error message, or empty on success.
std::string Lex(std::string_view text, Line& out);

// Decimal or 0x hex, at most 2^64 - 1.
std::optional<uint64_t> ParseUnsigned(std::string_view text);
// ParseUnsigned with an optional leading '-', magnitude at most 2^62.
std::optional<int64_t> ParseSigned(std::string_view text);
// A number token: ParseUnsigned, or a character literal's byte.
std::optional<uint64_t> TokenValue(const Token& token);

}  // namespace mtty::conformance::trace_internal

#endif  // MTTY_CONFORMANCE_TRACE_LEX_H_
