// Copyright mtty-lab authors.
#include "conformance/trace_lex.h"

#include <limits>

#include "core/hex.h"

namespace mtty::conformance::trace_internal {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string Trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && IsSpace(s[b])) ++b;
  while (e > b && IsSpace(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

std::string Lex(std::string_view text, Line& out) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      return "control character " + Hex(u, 2) + " in line";
    }
  }
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    if (c == '#') {
      out.has_comment = true;
      out.comment = Trim(text.substr(i + 1));
      return "";
    }
    Token tok;
    if (c == '\'') {
      // 'x', '\n', '\r', '\t', '\0', '\\', '\'', '\xHH'
      size_t j = i + 1;
      if (j >= text.size()) return "unterminated character literal";
      uint8_t value = 0;
      if (text[j] == '\\') {
        ++j;
        if (j >= text.size()) return "unterminated character literal";
        const char e = text[j];
        switch (e) {
          case 'n':
            value = '\n';
            break;
          case 'r':
            value = '\r';
            break;
          case 't':
            value = '\t';
            break;
          case '0':
            value = 0;
            break;
          case '\\':
            value = '\\';
            break;
          case '\'':
            value = '\'';
            break;
          case 'x': {
            if (j + 2 >= text.size()) return "bad \\x escape";
            const int hi = HexDigitValue(text[j + 1]);
            const int lo = HexDigitValue(text[j + 2]);
            if (hi < 0 || lo < 0) return "bad \\x escape";
            value = static_cast<uint8_t>(hi * 16 + lo);
            j += 2;
            break;
          }
          default:
            return std::string("unknown escape \\") + e;
        }
      } else {
        const auto u = static_cast<unsigned char>(text[j]);
        if (text[j] == '\'' || u >= 0x80 || u < 0x20) {
          return "bad character literal";
        }
        value = u;
      }
      ++j;
      if (j >= text.size() || text[j] != '\'') {
        return "unterminated character literal";
      }
      ++j;
      if (j < text.size() && !IsSpace(text[j]) && text[j] != '#') {
        return "character literal followed by '" + std::string(1, text[j]) +
               "'";
      }
      tok.text = std::string(text.substr(i, j - i));
      tok.is_char = true;
      tok.char_value = value;
      out.tokens.push_back(std::move(tok));
      i = j;
      continue;
    }
    size_t j = i;
    while (j < text.size() && !IsSpace(text[j]) && text[j] != '#') {
      if (text[j] == '\'') return "quote inside a word";
      ++j;
    }
    tok.text = std::string(text.substr(i, j - i));
    out.tokens.push_back(std::move(tok));
    i = j;
  }
  return "";
}

std::optional<uint64_t> ParseUnsigned(std::string_view t) {
  if (t.empty()) return std::nullopt;
  uint64_t v = 0;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    t.remove_prefix(2);
    if (t.size() > 16) return std::nullopt;
    for (char c : t) {
      const int d = HexDigitValue(c);
      if (d < 0) return std::nullopt;
      v = (v << 4) | static_cast<uint64_t>(d);
    }
    return v;
  }
  for (char c : t) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) {
      return std::nullopt;
    }
    v = v * 10 + d;
  }
  return v;
}

std::optional<uint64_t> TokenValue(const Token& t) {
  if (t.is_char) return t.char_value;
  return ParseUnsigned(t.text);
}

std::optional<int64_t> ParseSigned(std::string_view t) {
  bool neg = false;
  if (!t.empty() && t[0] == '-') {
    neg = true;
    t.remove_prefix(1);
  }
  std::optional<uint64_t> u = ParseUnsigned(t);
  if (!u || *u > uint64_t{1} << 62) return std::nullopt;
  const auto v = static_cast<int64_t>(*u);
  return neg ? -v : v;
}

}  // namespace mtty::conformance::trace_internal
