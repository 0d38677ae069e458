// Copyright mtty-lab authors.
#include "conformance/trace.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <limits>

namespace mtty::conformance {
namespace {

// ---------------------------------------------------------------------------
// Names.

struct ErrnoName {
  int err;
  const char* name;
};
constexpr ErrnoName kErrnoNames[] = {
    {EPERM, "EPERM"},   {ENOENT, "ENOENT"}, {EIO, "EIO"},
    {ENXIO, "ENXIO"},   {E2BIG, "E2BIG"},   {EBADF, "EBADF"},
    {EAGAIN, "EAGAIN"}, {ENOMEM, "ENOMEM"}, {EFAULT, "EFAULT"},
    {EBUSY, "EBUSY"},   {EEXIST, "EEXIST"}, {ENODEV, "ENODEV"},
    {EINVAL, "EINVAL"}, {ENOTTY, "ENOTTY"}, {ENOSPC, "ENOSPC"},
    {ERANGE, "ERANGE"}, {ENOSYS, "ENOSYS"},
};

struct RegName {
  const char* name;
  uint8_t offset;
  bool readable;  // the name is what a read at this offset returns
  bool writable;
};
constexpr RegName kRegNames[] = {
    {"RBR", 0, true, false}, {"THR", 0, false, true}, {"DLL", 0, true, true},
    {"IER", 1, true, true},  {"DLM", 1, true, true},  {"IIR", 2, true, false},
    {"FCR", 2, false, true}, {"LCR", 3, true, true},  {"MCR", 4, true, true},
    {"LSR", 5, true, true},  {"MSR", 6, true, true},  {"SCR", 7, true, true},
};

constexpr const char* kIrqIndexNames[] = {"intx", "msi", "msix", "err", "req"};

const char* ProfileToken(Profile p) {
  return p == Profile::kKernel ? "[kernel]" : "[16550a]";
}

std::optional<Profile> ParseProfileToken(std::string_view t) {
  if (t == "[kernel]") return Profile::kKernel;
  if (t == "[16550a]") return Profile::k16550a;
  return std::nullopt;
}

const char* ProfileSetName(ProfileSet s) {
  switch (s) {
    case ProfileSet::kKernelOnly:
      return "kernel";
    case ProfileSet::k16550aOnly:
      return "16550a";
    case ProfileSet::kAny:
      break;
  }
  return "any";
}

std::string Hex(uint64_t v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%0*llx", digits,
                static_cast<unsigned long long>(v));
  return buf;
}

// ---------------------------------------------------------------------------
// Lexing.

struct Token {
  std::string text;  // raw spelling, quotes included for char literals
  bool is_char = false;
  uint8_t char_value = 0;
};

struct Line {
  std::vector<Token> tokens;
  bool has_comment = false;
  std::string comment;
};

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string Trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && IsSpace(s[b])) ++b;
  while (e > b && IsSpace(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

// Lexes one line (without its '\n'; a trailing '\r' already removed).
// Returns an error message or empty.
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
            unsigned v = 0;
            for (int k = 1; k <= 2; ++k) {
              const char h = text[j + k];
              v <<= 4;
              if (h >= '0' && h <= '9') {
                v |= static_cast<unsigned>(h - '0');
              } else if (h >= 'a' && h <= 'f') {
                v |= static_cast<unsigned>(h - 'a' + 10);
              } else if (h >= 'A' && h <= 'F') {
                v |= static_cast<unsigned>(h - 'A' + 10);
              } else {
                return "bad \\x escape";
              }
            }
            value = static_cast<uint8_t>(v);
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

// ---------------------------------------------------------------------------
// Numbers.

std::optional<uint64_t> ParseUnsigned(std::string_view t) {
  if (t.empty()) return std::nullopt;
  uint64_t v = 0;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    t.remove_prefix(2);
    if (t.size() > 16) return std::nullopt;
    for (char c : t) {
      int d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
      } else {
        return std::nullopt;
      }
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

// "-EFAULT" or "-14".
std::optional<int> ParseErrno(std::string_view t) {
  if (t.size() < 2 || t[0] != '-') return std::nullopt;
  t.remove_prefix(1);
  for (const ErrnoName& e : kErrnoNames) {
    if (t == e.name) return e.err;
  }
  if (t[0] == 'E') {
    std::optional<uint64_t> n = ParseUnsigned(t.substr(1));
    if (n && *n > 0 && *n < 4096) return static_cast<int>(*n);
    return std::nullopt;
  }
  std::optional<uint64_t> n = ParseUnsigned(t);
  if (n && *n > 0 && *n < 4096) return static_cast<int>(*n);
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Parsing.

class LineParser {
 public:
  LineParser(const std::vector<Token>& tokens, size_t pos)
      : toks_(tokens), pos_(pos) {}

  bool AtEnd() const { return pos_ >= toks_.size(); }
  const Token* Peek() const { return AtEnd() ? nullptr : &toks_[pos_]; }
  const Token& Next() { return toks_[pos_++]; }
  size_t pos() const { return pos_; }
  const std::string& error() const { return error_; }
  bool Fail(std::string msg) {
    if (error_.empty()) error_ = std::move(msg);
    return false;
  }

  bool Expect(std::string_view word) {
    if (AtEnd()) return Fail("expected '" + std::string(word) + "'");
    const Token& t = Next();
    if (t.is_char || t.text != word) {
      return Fail("expected '" + std::string(word) + "', got '" + t.text + "'");
    }
    return true;
  }

  bool Unsigned(const char* what, uint64_t max, uint64_t& out) {
    if (AtEnd()) return Fail(std::string("missing ") + what);
    const Token& t = Next();
    std::optional<uint64_t> v = TokenValue(t);
    if (!v) return Fail(std::string("bad ") + what + " '" + t.text + "'");
    if (*v > max) {
      return Fail(std::string(what) + " " + t.text + " is above " +
                  Hex(max, 1));
    }
    out = *v;
    return true;
  }

  bool Done() {
    if (!AtEnd()) return Fail("unexpected '" + Peek()->text + "'");
    return true;
  }

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

bool IsProfileToken(const Token& t) {
  return !t.is_char && ParseProfileToken(t.text).has_value();
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

// `== base ([profile] == other)*`, or nothing when !required.
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

std::optional<Space> ParseSpace(std::string_view t) {
  if (t == "cfg") return Space::kCfg;
  if (t == "rom") return Space::kRom;
  if (t == "vga") return Space::kVga;
  if (t.size() == 4 && t.substr(0, 3) == "bar" && t[3] >= '0' && t[3] <= '5') {
    return static_cast<Space>(t[3] - '0');
  }
  return std::nullopt;
}

bool IsBar(Space s) { return static_cast<uint8_t>(s) <= 5; }

bool ParseAccess(LineParser& p, Space space, Access& a) {
  a.space = space;
  if (p.AtEnd()) return p.Fail("missing r1/r2/r4/w1/w2/w4");
  const Token& op = p.Next();
  if (op.is_char || op.text.size() != 2 ||
      (op.text[0] != 'r' && op.text[0] != 'w') ||
      (op.text[1] != '1' && op.text[1] != '2' && op.text[1] != '4')) {
    return p.Fail("expected r1/r2/r4/w1/w2/w4, got '" + op.text + "'");
  }
  a.write = op.text[0] == 'w';
  a.width = op.text[1] - '0';
  if (p.AtEnd()) return p.Fail("missing offset");
  const Token& off = p.Next();
  bool named = false;
  for (const RegName& r : kRegNames) {
    if (off.is_char || off.text != r.name) continue;
    named = true;
    if (!IsBar(space)) {
      return p.Fail("register name " + off.text + " outside a BAR");
    }
    if (a.write ? !r.writable : !r.readable) {
      return p.Fail(off.text + (a.write ? " is not written" : " is not read") +
                    "; use the name for this direction");
    }
    a.reg_name = r.name;
    a.offset = r.offset;
  }
  if (!named) {
    std::optional<uint64_t> v = TokenValue(off);
    if (!v || off.is_char) return p.Fail("bad offset '" + off.text + "'");
    if (*v > kMaxRegionOffset) {
      return p.Fail("offset " + off.text + " is beyond 2^40");
    }
    a.offset = *v;
  }
  ExpectRules rules;
  if (a.write) {
    uint64_t value = 0;
    const uint64_t max = (uint64_t{1} << (8 * a.width)) - 1;
    if (!p.Unsigned("value", max, value)) return false;
    a.value = static_cast<uint32_t>(value);
    rules.ok = true;
    rules.err = true;
    return ParseClause(p, rules, false, a.expect);
  }
  rules.value = true;
  rules.mask = true;
  rules.err = true;
  rules.width = a.width;
  return ParseClause(p, rules, true, a.expect);
}

constexpr const char* kDeviceInfoFields[] = {"flags", "regions", "irqs"};
constexpr const char* kRegionInfoFields[] = {"flags", "size", "offset"};
constexpr const char* kIrqInfoFields[] = {"flags", "count"};

bool ParseIoctl(LineParser& p, Command& cmd) {
  if (p.AtEnd()) return p.Fail("missing ioctl name");
  const std::string name = p.Next().text;
  ExpectRules rules;
  rules.ok = true;
  rules.err = true;
  if (name == "get-info" || name == "get-region-info" ||
      name == "get-irq-info") {
    InfoIoctl io;
    if (name == "get-info") {
      io.kind = InfoIoctl::Kind::kDeviceInfo;
      rules.fields = kDeviceInfoFields;
      rules.n_fields = std::size(kDeviceInfoFields);
    } else {
      io.kind = name == "get-region-info" ? InfoIoctl::Kind::kRegionInfo
                                          : InfoIoctl::Kind::kIrqInfo;
      uint64_t index = 0;
      if (!p.Unsigned("index", 0xffffffff, index)) return false;
      io.index = static_cast<uint32_t>(index);
      if (io.kind == InfoIoctl::Kind::kRegionInfo) {
        rules.fields = kRegionInfoFields;
        rules.n_fields = std::size(kRegionInfoFields);
      } else {
        rules.fields = kIrqInfoFields;
        rules.n_fields = std::size(kIrqInfoFields);
      }
    }
    if (!ParseClause(p, rules, false, io.expect)) return false;
    cmd = std::move(io);
    return true;
  }
  if (name != "set-irqs") return p.Fail("unknown ioctl '" + name + "'");
  SetIrqs s;
  if (p.AtEnd()) return p.Fail("missing irq index");
  {
    const Token& t = p.Next();
    bool found = false;
    for (size_t i = 0; i < std::size(kIrqIndexNames); ++i) {
      if (!t.is_char && t.text == kIrqIndexNames[i]) {
        s.index = static_cast<uint32_t>(i);
        found = true;
      }
    }
    if (!found) {
      std::optional<uint64_t> v = TokenValue(t);
      if (!v || t.is_char || *v > 0xffffffff) {
        return p.Fail("bad irq index '" + t.text + "'");
      }
      s.index = static_cast<uint32_t>(*v);
    }
  }
  if (p.AtEnd()) return p.Fail("missing action mask/unmask/trigger");
  {
    const std::string& a = p.Next().text;
    if (a == "mask") {
      s.action = SetIrqs::Action::kMask;
    } else if (a == "unmask") {
      s.action = SetIrqs::Action::kUnmask;
    } else if (a == "trigger") {
      s.action = SetIrqs::Action::kTrigger;
    } else {
      return p.Fail("bad action '" + a + "' (mask/unmask/trigger)");
    }
  }
  // Data type and values; `none` may be left out.
  if (!p.AtEnd()) {
    const std::string& d = p.Peek()->text;
    if (d == "none" || d == "bool" || d == "eventfd") {
      p.Next();
      s.data = d == "none"   ? SetIrqs::Data::kNone
               : d == "bool" ? SetIrqs::Data::kBool
                             : SetIrqs::Data::kEventfd;
    }
  }
  while (!p.AtEnd()) {
    const Token& t = *p.Peek();
    if (t.is_char || t.text == "start" || t.text == "count" || t.text == "==") {
      break;
    }
    std::optional<int64_t> v = ParseSigned(t.text);
    if (!v) return p.Fail("bad value '" + t.text + "'");
    if (s.data == SetIrqs::Data::kNone) {
      return p.Fail("values given with data 'none'");
    }
    if (s.data == SetIrqs::Data::kBool && (*v < 0 || *v > 255)) {
      return p.Fail("bool value " + t.text + " is not a byte");
    }
    if (s.data == SetIrqs::Data::kEventfd &&
        (*v < std::numeric_limits<int32_t>::min() ||
         *v > std::numeric_limits<int32_t>::max())) {
      return p.Fail("fd " + t.text + " is not an int32");
    }
    if (s.values.size() >= 64) return p.Fail("more than 64 values");
    s.values.push_back(*v);
    p.Next();
  }
  s.count = s.data == SetIrqs::Data::kNone
                ? 1
                : static_cast<uint32_t>(s.values.size());
  bool saw_start = false;
  bool saw_count = false;
  while (!p.AtEnd() && p.Peek()->text != "==") {
    const std::string w = p.Next().text;
    uint64_t v = 0;
    if (w == "start" && !saw_start) {
      saw_start = true;
      if (!p.Unsigned("start", 0xffffffff, v)) return false;
      s.start = static_cast<uint32_t>(v);
    } else if (w == "count" && !saw_count) {
      saw_count = true;
      if (!p.Unsigned("count", 0xffffffff, v)) return false;
      s.count = static_cast<uint32_t>(v);
    } else {
      return p.Fail("unexpected '" + w + "'");
    }
  }
  if (!ParseClause(p, rules, false, s.expect)) return false;
  cmd = std::move(s);
  return true;
}

bool ParseFd(LineParser& p, int32_t& fd) {
  uint64_t v = 0;
  if (!p.Unsigned("fd", std::numeric_limits<int32_t>::max(), v)) return false;
  fd = static_cast<int32_t>(v);
  return true;
}

bool ParseTime(LineParser& p, Time& t) {
  if (p.AtEnd()) return p.Fail("missing '+duration'");
  std::string_view s = p.Next().text;
  if (s.empty() || s[0] != '+') return p.Fail("duration must start with '+'");
  s.remove_prefix(1);
  uint64_t scale = 1;
  auto ends = [&](std::string_view suf) {
    return s.size() > suf.size() && s.substr(s.size() - suf.size()) == suf;
  };
  if (ends("ns")) {
    s.remove_suffix(2);
  } else if (ends("us")) {
    s.remove_suffix(2);
    scale = 1000;
  } else if (ends("ms")) {
    s.remove_suffix(2);
    scale = 1000000;
  } else if (ends("s")) {
    s.remove_suffix(1);
    scale = 1000000000;
  }
  std::optional<uint64_t> v = ParseUnsigned(s);
  if (!v) return p.Fail("bad duration");
  if (*v > std::numeric_limits<uint64_t>::max() / scale) {
    return p.Fail("duration overflows 64-bit nanoseconds");
  }
  t.ns = *v * scale;
  return p.Done();
}

bool ParseIrq(LineParser& p, IrqCheck& c) {
  if (p.AtEnd()) return p.Fail("missing intx/msi/fd/none");
  const std::string w = p.Next().text;
  if (w == "none") {
    c.target = IrqCheck::Target::kNone;
    return p.Done();
  }
  if (w == "intx") {
    c.target = IrqCheck::Target::kIntx;
  } else if (w == "msi") {
    c.target = IrqCheck::Target::kMsi;
  } else if (w == "fd") {
    c.target = IrqCheck::Target::kFd;
    if (!ParseFd(p, c.fd)) return false;
  } else {
    return p.Fail("bad irq target '" + w + "' (intx/msi/fd N/none)");
  }
  ExpectRules rules;
  rules.value = true;
  return ParseClause(p, rules, true, c.expect);
}

bool ParseWordArg(LineParser& p, const char* what, std::string& out) {
  if (p.AtEnd()) return p.Fail(std::string("missing ") + what);
  const Token& t = p.Next();
  if (t.text == "==" || IsProfileToken(t)) {
    return p.Fail(std::string("missing ") + what);
  }
  out = t.text;
  return true;
}

bool ParseLifecycle(LineParser& p, const std::string& word, Lifecycle& l) {
  ExpectRules rules;
  rules.ok = true;
  rules.err = true;
  if (word == "create") {
    l.kind = Lifecycle::Kind::kCreate;
    if (!ParseWordArg(p, "type", l.type)) return false;
    if (!ParseWordArg(p, "uuid", l.uuid)) return false;
  } else if (word == "remove" || word == "open") {
    l.kind =
        word == "remove" ? Lifecycle::Kind::kRemove : Lifecycle::Kind::kOpen;
    if (!ParseWordArg(p, "uuid", l.uuid)) return false;
  } else if (word == "close") {
    l.kind = Lifecycle::Kind::kClose;
    return p.Done();
  } else {
    l.kind = Lifecycle::Kind::kAvailable;
    if (!ParseWordArg(p, "type", l.type)) return false;
    rules.ok = false;
    rules.value = true;
    return ParseClause(p, rules, true, l.expect);
  }
  return ParseClause(p, rules, false, l.expect);
}

bool ParseDevice(LineParser& p, DeviceDecl& d) {
  if (p.AtEnd()) return p.Fail("missing device type (mtty-1/mtty-2/none)");
  d.type = p.Next().text;
  if (d.type != "mtty-1" && d.type != "mtty-2" && d.type != "none") {
    return p.Fail("unknown device type '" + d.type + "' (mtty-1/mtty-2/none)");
  }
  if (p.AtEnd()) return true;
  const std::string& prof = p.Next().text;
  if (prof == "profile=any") {
    d.profiles = ProfileSet::kAny;
  } else if (prof == "profile=kernel") {
    d.profiles = ProfileSet::kKernelOnly;
  } else if (prof == "profile=16550a") {
    d.profiles = ProfileSet::k16550aOnly;
  } else {
    return p.Fail("expected profile=any|kernel|16550a, got '" + prof + "'");
  }
  return p.Done();
}

// Parses one non-empty token list into `st.command`.
bool ParseCommand(LineParser& p, Statement& st) {
  const Token& head = p.Next();
  if (head.is_char) return p.Fail("a line cannot start with a character");
  const std::string& w = head.text;
  if (std::optional<Space> space = ParseSpace(w)) {
    Access a;
    if (!ParseAccess(p, *space, a)) return false;
    st.command = std::move(a);
    return true;
  }
  if (w == "device") {
    DeviceDecl d;
    if (!ParseDevice(p, d)) return false;
    st.command = std::move(d);
    return true;
  }
  if (w == "time") {
    Time t;
    if (!ParseTime(p, t)) return false;
    st.command = t;
    return true;
  }
  if (w == "reset") {
    Reset r;
    ExpectRules rules;
    rules.ok = true;
    rules.err = true;
    if (!ParseClause(p, rules, false, r.expect)) return false;
    st.command = std::move(r);
    return true;
  }
  if (w == "ioctl") return ParseIoctl(p, st.command);
  if (w == "eventfd" || w == "file" || w == "close-fd") {
    FdOp f;
    f.kind = w == "eventfd" ? FdOp::Kind::kEventfd
             : w == "file"  ? FdOp::Kind::kFile
                            : FdOp::Kind::kClose;
    if (!ParseFd(p, f.fd) || !p.Done()) return false;
    st.command = f;
    return true;
  }
  if (w == "irq") {
    IrqCheck c;
    if (!ParseIrq(p, c)) return false;
    st.command = std::move(c);
    return true;
  }
  if (w == "create" || w == "remove" || w == "open" || w == "close" ||
      w == "available") {
    Lifecycle l;
    if (!ParseLifecycle(p, w, l)) return false;
    st.command = std::move(l);
    return true;
  }
  return p.Fail("unknown command '" + w + "'");
}

// ---------------------------------------------------------------------------
// Printing.

std::string PrintExpectation(const Expectation& e, int width) {
  switch (e.kind) {
    case Expectation::Kind::kOk:
      return "ok";
    case Expectation::Kind::kErrno:
      return "-" + ErrnoSymbol(e.err);
    case Expectation::Kind::kValue: {
      if (width == 0) return std::to_string(e.value);
      std::string out = Hex(e.value, 2 * width);
      if (e.mask) out += " mask " + Hex(*e.mask, 2 * width);
      return out;
    }
    case Expectation::Kind::kFields: {
      std::string out;
      for (const auto& f : e.fields) {
        if (!out.empty()) out += ' ';
        const bool decimal =
            f.first == "regions" || f.first == "irqs" || f.first == "count";
        out += f.first + " " +
               (decimal ? std::to_string(f.second) : Hex(f.second, 1));
      }
      return out;
    }
  }
  return "";
}

std::string PrintClause(const ExpectClause& c, int width) {
  if (!c.written) return "";
  std::string out = " == " + PrintExpectation(c.base, width);
  for (const auto& o : c.overrides) {
    out += std::string(" ") + ProfileToken(o.first) +
           " == " + PrintExpectation(o.second, width);
  }
  return out;
}

std::string PrintDuration(uint64_t ns) {
  if (ns != 0 && ns % 1000000000 == 0) {
    return "+" + std::to_string(ns / 1000000000) + "s";
  }
  if (ns != 0 && ns % 1000000 == 0) {
    return "+" + std::to_string(ns / 1000000) + "ms";
  }
  if (ns != 0 && ns % 1000 == 0) {
    return "+" + std::to_string(ns / 1000) + "us";
  }
  return "+" + std::to_string(ns) + "ns";
}

struct CommandPrinter {
  std::string operator()(const Comment&) const { return ""; }
  std::string operator()(const DeviceDecl& d) const {
    return "device " + d.type + " profile=" + ProfileSetName(d.profiles);
  }
  std::string operator()(const Access& a) const {
    std::string out = std::string(SpaceName(a.space)) + " " +
                      (a.write ? "w" : "r") + std::to_string(a.width) + " ";
    if (!a.reg_name.empty()) {
      out += a.reg_name;
    } else {
      out += Hex(a.offset, a.space == Space::kCfg ? 2 : 1);
    }
    if (a.write) out += " " + Hex(a.value, 2 * a.width);
    return out + PrintClause(a.expect, a.width);
  }
  std::string operator()(const Time& t) const {
    return "time " + PrintDuration(t.ns);
  }
  std::string operator()(const Reset& r) const {
    return "reset" + PrintClause(r.expect, 0);
  }
  std::string operator()(const InfoIoctl& io) const {
    std::string out = "ioctl ";
    switch (io.kind) {
      case InfoIoctl::Kind::kDeviceInfo:
        out += "get-info";
        break;
      case InfoIoctl::Kind::kRegionInfo:
        out += "get-region-info " + std::to_string(io.index);
        break;
      case InfoIoctl::Kind::kIrqInfo:
        out += "get-irq-info " + std::to_string(io.index);
        break;
    }
    return out + PrintClause(io.expect, 0);
  }
  std::string operator()(const SetIrqs& s) const {
    std::string out = "ioctl set-irqs ";
    out += s.index < std::size(kIrqIndexNames) ? kIrqIndexNames[s.index]
                                               : std::to_string(s.index);
    switch (s.action) {
      case SetIrqs::Action::kMask:
        out += " mask";
        break;
      case SetIrqs::Action::kUnmask:
        out += " unmask";
        break;
      case SetIrqs::Action::kTrigger:
        out += " trigger";
        break;
    }
    switch (s.data) {
      case SetIrqs::Data::kNone:
        out += " none";
        break;
      case SetIrqs::Data::kBool:
        out += " bool";
        break;
      case SetIrqs::Data::kEventfd:
        out += " eventfd";
        break;
    }
    for (int64_t v : s.values) out += " " + std::to_string(v);
    const uint32_t default_count = s.data == SetIrqs::Data::kNone
                                       ? 1
                                       : static_cast<uint32_t>(s.values.size());
    if (s.start != 0) out += " start " + std::to_string(s.start);
    if (s.count != default_count) out += " count " + std::to_string(s.count);
    return out + PrintClause(s.expect, 0);
  }
  std::string operator()(const FdOp& f) const {
    const char* w = f.kind == FdOp::Kind::kEventfd ? "eventfd"
                    : f.kind == FdOp::Kind::kFile  ? "file"
                                                   : "close-fd";
    return std::string(w) + " " + std::to_string(f.fd);
  }
  std::string operator()(const IrqCheck& c) const {
    switch (c.target) {
      case IrqCheck::Target::kNone:
        return "irq none";
      case IrqCheck::Target::kIntx:
        return "irq intx" + PrintClause(c.expect, 0);
      case IrqCheck::Target::kMsi:
        return "irq msi" + PrintClause(c.expect, 0);
      case IrqCheck::Target::kFd:
        return "irq fd " + std::to_string(c.fd) + PrintClause(c.expect, 0);
    }
    return "";
  }
  std::string operator()(const Lifecycle& l) const {
    switch (l.kind) {
      case Lifecycle::Kind::kCreate:
        return "create " + l.type + " " + l.uuid + PrintClause(l.expect, 0);
      case Lifecycle::Kind::kRemove:
        return "remove " + l.uuid + PrintClause(l.expect, 0);
      case Lifecycle::Kind::kOpen:
        return "open " + l.uuid + PrintClause(l.expect, 0);
      case Lifecycle::Kind::kClose:
        return "close";
      case Lifecycle::Kind::kAvailable:
        return "available " + l.type + PrintClause(l.expect, 0);
    }
    return "";
  }
};

}  // namespace

bool ProfileSetContains(ProfileSet set, Profile profile) {
  switch (set) {
    case ProfileSet::kAny:
      return true;
    case ProfileSet::kKernelOnly:
      return profile == Profile::kKernel;
    case ProfileSet::k16550aOnly:
      return profile == Profile::k16550a;
  }
  return false;
}

const Expectation& ExpectClause::For(Profile profile) const {
  for (const auto& o : overrides) {
    if (o.first == profile) return o.second;
  }
  return base;
}

bool ExpectClause::HasOverride(Profile profile) const {
  for (const auto& o : overrides) {
    if (o.first == profile) return true;
  }
  return false;
}

const char* SpaceName(Space space) {
  static constexpr std::array<const char*, 9> kNames = {
      "bar0", "bar1", "bar2", "bar3", "bar4", "bar5", "rom", "cfg", "vga"};
  const auto i = static_cast<size_t>(space);
  return i < kNames.size() ? kNames[i] : "region?";
}

const DeviceDecl& Trace::device() const {
  static const DeviceDecl kNone{"none", ProfileSet::kAny};
  for (const Statement& s : statements) {
    if (const auto* d = std::get_if<DeviceDecl>(&s.command)) return *d;
  }
  return kNone;
}

std::string ParseError::ToString() const {
  return filename + ":" + std::to_string(line) + ": " + message;
}

std::string ErrnoSymbol(int err) {
  for (const ErrnoName& e : kErrnoNames) {
    if (e.err == err) return e.name;
  }
  return "E" + std::to_string(err);
}

ParseResult Parse(std::string_view text, std::string_view filename) {
  Trace trace;
  trace.filename = std::string(filename);
  auto error = [&](int line, std::string msg) {
    return ParseError{std::string(filename), line, std::move(msg)};
  };
  if (text.size() > kMaxTraceBytes) {
    return error(
        0, "trace larger than " + std::to_string(kMaxTraceBytes) + " bytes");
  }
  bool seen_device = false;
  size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    ++line_no;
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);

    Line line;
    if (std::string msg = Lex(raw, line); !msg.empty()) {
      return error(line_no, msg);
    }
    if (line.tokens.empty()) {
      if (!line.has_comment) continue;
      Statement st;
      st.line = line_no;
      st.command = Comment{};
      st.comment = line.comment;
      trace.statements.push_back(std::move(st));
      continue;
    }
    Statement st;
    st.line = line_no;
    st.comment = line.comment;
    size_t first = 0;
    if (!line.tokens[0].is_char) {
      if (std::optional<Profile> only =
              ParseProfileToken(line.tokens[0].text)) {
        st.only = only;
        first = 1;
        if (line.tokens.size() == 1) {
          return error(line_no,
                       "expected a command after " + line.tokens[0].text);
        }
      }
    }
    LineParser p(line.tokens, first);
    if (!ParseCommand(p, st)) return error(line_no, p.error());
    if (!p.AtEnd()) {
      return error(line_no, "unexpected '" + p.Peek()->text + "'");
    }
    const bool is_device = std::holds_alternative<DeviceDecl>(st.command);
    if (is_device) {
      if (seen_device) return error(line_no, "second 'device' line");
      if (st.only) {
        return error(line_no, "'device' cannot be limited to one profile");
      }
      seen_device = true;
    } else if (!seen_device) {
      return error(line_no,
                   "the first command must be 'device TYPE profile=...'");
    }
    trace.statements.push_back(std::move(st));
  }
  if (!seen_device) {
    return error(line_no, "no 'device TYPE profile=...' line");
  }
  return trace;
}

std::string PrintStatement(const Statement& st) {
  std::string out;
  if (std::holds_alternative<Comment>(st.command)) {
    return st.comment.empty() ? "#" : "# " + st.comment;
  }
  if (st.only) out += std::string(ProfileToken(*st.only)) + " ";
  out += std::visit(CommandPrinter{}, st.command);
  if (!st.comment.empty()) out += "  # " + st.comment;
  return out;
}

std::string Print(const Trace& trace) {
  std::string out;
  for (const Statement& st : trace.statements) {
    out += PrintStatement(st);
    out += '\n';
  }
  return out;
}

}  // namespace mtty::conformance
