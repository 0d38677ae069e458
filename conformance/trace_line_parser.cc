// Copyright mtty-lab authors.
#include "conformance/trace_line_parser.h"

#include <limits>
#include <optional>
#include <utility>

#include "conformance/trace_names.h"
#include "core/hex.h"

namespace mtty::conformance::trace_internal {
namespace {

// "-EFAULT" or "-14".
std::optional<int> ParseErrno(std::string_view t) {
  if (t.size() < 2 || t[0] != '-') return std::nullopt;
  t.remove_prefix(1);
  if (std::optional<int> named = ErrnoFromSymbol(t)) return named;
  if (t[0] == 'E') {
    std::optional<uint64_t> n = ParseUnsigned(t.substr(1));
    if (n && *n > 0 && *n < 4096) return static_cast<int>(*n);
    return std::nullopt;
  }
  std::optional<uint64_t> n = ParseUnsigned(t);
  if (n && *n > 0 && *n < 4096) return static_cast<int>(*n);
  return std::nullopt;
}

// Parses tokens up to the next "[profile]" or the end.
bool ParseExpectation(LineParser& p, const ExpectRules& r, Expectation& e) {
  std::vector<const Token*> toks;
  while (!p.AtEnd() && !IsProfileToken(*p.Peek())) toks.push_back(&p.Next());
  if (toks.empty()) return p.Fail("missing expected value after '=='");
  const Token& first = *toks[0];
  if (!first.is_char && first.text == "ok") {
    if (!r.ok) return p.Fail("'ok' is not a possible result here");
    if (toks.size() != 1) return p.Fail("unexpected '" + toks[1]->text + "'");
    e.kind = Expectation::Kind::kOk;
    return true;
  }
  if (!first.is_char && !first.text.empty() && first.text[0] == '-') {
    std::optional<int> err = ParseErrno(first.text);
    if (!err) return p.Fail("bad errno '" + first.text + "'");
    if (!r.err) return p.Fail("an errno is not a possible result here");
    if (toks.size() != 1) return p.Fail("unexpected '" + toks[1]->text + "'");
    e.kind = Expectation::Kind::kErrno;
    e.err = *err;
    return true;
  }
  if (r.fields != nullptr && !first.is_char && !first.text.empty() &&
      first.text[0] >= 'a' && first.text[0] <= 'z') {
    e.kind = Expectation::Kind::kFields;
    if (toks.size() % 2 != 0) return p.Fail("field without a value");
    for (size_t i = 0; i < toks.size(); i += 2) {
      const std::string& name = toks[i]->text;
      bool known = false;
      for (size_t k = 0; k < r.n_fields; ++k) known |= name == r.fields[k];
      if (toks[i]->is_char || !known) {
        return p.Fail("unknown field '" + name + "'");
      }
      for (const auto& f : e.fields) {
        if (f.first == name) return p.Fail("field '" + name + "' twice");
      }
      std::optional<uint64_t> v = TokenValue(*toks[i + 1]);
      if (!v) return p.Fail("bad value '" + toks[i + 1]->text + "'");
      e.fields.emplace_back(name, *v);
    }
    return true;
  }
  if (!r.value) return p.Fail("unexpected '" + first.text + "'");
  std::optional<uint64_t> v = TokenValue(first);
  if (!v) return p.Fail("bad value '" + first.text + "'");
  e.kind = Expectation::Kind::kValue;
  e.value = *v;
  const uint64_t width_mask = r.width == 0
                                  ? std::numeric_limits<uint64_t>::max()
                                  : (uint64_t{1} << (8 * r.width)) - 1;
  if ((*v & ~width_mask) != 0) {
    return p.Fail("value " + first.text + " is wider than " +
                  std::to_string(r.width) + " byte(s)");
  }
  if (toks.size() == 1) return true;
  if (!r.mask || toks[1]->is_char || toks[1]->text != "mask") {
    return p.Fail("unexpected '" + toks[1]->text + "'");
  }
  if (toks.size() != 3) {
    return p.Fail(toks.size() == 2 ? "missing mask value"
                                   : "unexpected '" + toks[3]->text + "'");
  }
  std::optional<uint64_t> m = TokenValue(*toks[2]);
  if (!m) return p.Fail("bad mask '" + toks[2]->text + "'");
  if ((*m & ~width_mask) != 0) {
    return p.Fail("mask " + toks[2]->text + " is wider than the access");
  }
  if (*m == 0) return p.Fail("mask 0 checks nothing");
  if ((*v & ~*m) != 0) {
    return p.Fail("expected value " + first.text + " has bits outside mask " +
                  toks[2]->text);
  }
  e.mask = *m;
  return true;
}

}  // namespace

bool LineParser::Fail(std::string msg) {
  if (error_.empty()) error_ = std::move(msg);
  return false;
}

bool LineParser::Expect(std::string_view word) {
  if (AtEnd()) return Fail("expected '" + std::string(word) + "'");
  const Token& t = Next();
  if (t.is_char || t.text != word) {
    return Fail("expected '" + std::string(word) + "', got '" + t.text + "'");
  }
  return true;
}

bool LineParser::Unsigned(const char* what, uint64_t max, uint64_t& out) {
  if (AtEnd()) return Fail(std::string("missing ") + what);
  const Token& t = Next();
  std::optional<uint64_t> v = TokenValue(t);
  if (!v) return Fail(std::string("bad ") + what + " '" + t.text + "'");
  if (*v > max) {
    return Fail(std::string(what) + " " + t.text + " is above " + Hex(max, 1));
  }
  out = *v;
  return true;
}

bool LineParser::Done() {
  if (!AtEnd()) return Fail("unexpected '" + Peek()->text + "'");
  return true;
}

bool IsProfileToken(const Token& t) {
  return !t.is_char && ParseProfileToken(t.text).has_value();
}

bool ParseClause(LineParser& p, const ExpectRules& r, bool required,
                 ExpectClause& c) {
  if (p.AtEnd()) {
    if (required)
      return p.Fail("missing '== expected' (every read is checked)");
    return true;
  }
  if (!p.Expect("==")) return false;
  c.written = true;
  if (!ParseExpectation(p, r, c.base)) return false;
  while (!p.AtEnd()) {
    const Token& t = p.Next();
    const Profile prof = *ParseProfileToken(t.text);
    for (const auto& o : c.overrides) {
      if (o.first == prof) return p.Fail("two " + t.text + " overrides");
    }
    if (!p.Expect("==")) return false;
    Expectation e;
    if (!ParseExpectation(p, r, e)) return false;
    c.overrides.emplace_back(prof, std::move(e));
  }
  return true;
}

}  // namespace mtty::conformance::trace_internal
