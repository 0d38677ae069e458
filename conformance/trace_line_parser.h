// Copyright mtty-lab authors.
//
// Internal to //conformance:trace. What every statement parser shares: a
// cursor over one line's tokens, and the `== expected ([profile] == other)*`
// clause statements end with.
//
// Promises: the first Fail wins, so the message names the first thing wrong
// on the line; every method that fails returns false and the caller stops.
// Nothing reads past the line's tokens.
#ifndef MTTY_CONFORMANCE_TRACE_LINE_PARSER_H_
#define MTTY_CONFORMANCE_TRACE_LINE_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/trace.h"
#include "conformance/trace_lex.h"

namespace mtty::conformance::trace_internal {

class LineParser {
 public:
  LineParser(const std::vector<Token>& tokens, size_t pos)
      : toks_(tokens), pos_(pos) {}

  bool AtEnd() const { return pos_ >= toks_.size(); }
  const Token* Peek() const { return AtEnd() ? nullptr : &toks_[pos_]; }
  // Precondition: !AtEnd().
  const Token& Next() { return toks_[pos_++]; }
  size_t pos() const { return pos_; }
  const std::string& error() const { return error_; }
  // Records `msg` unless an error is already recorded; returns false.
  bool Fail(std::string msg);

  // The next token is the word `word`.
  bool Expect(std::string_view word);
  // The next token is a number (or character) at most `max`; `what` names it
  // in messages.
  bool Unsigned(const char* what, uint64_t max, uint64_t& out);
  // No tokens are left.
  bool Done();

 private:
  const std::vector<Token>& toks_;
  size_t pos_;
  std::string error_;
};

// What an expectation may be, per statement.
struct ExpectRules {
  bool ok = false;
  bool err = false;
  bool value = false;
  bool mask = false;
  int width = 0;  // for value/mask range checks; 0: any uint64
  const char* const* fields = nullptr;
  size_t n_fields = 0;
};

// "[kernel]" or "[16550a]".
bool IsProfileToken(const Token& token);

// `== base ([profile] == other)*` up to the end of the line, or nothing when
// !required.
bool ParseClause(LineParser& p, const ExpectRules& rules, bool required,
                 ExpectClause& clause);

}  // namespace mtty::conformance::trace_internal

#endif  // MTTY_CONFORMANCE_TRACE_LINE_PARSER_H_
