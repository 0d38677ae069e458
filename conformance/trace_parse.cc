// Copyright mtty-lab authors.
//
// The statement parser: one Statement per line (TRACE_FORMAT.md), built on
// the lexer (trace_lex.h) and the shared cursor and clause parser
// (trace_line_parser.h).
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "conformance/trace.h"
#include "conformance/trace_lex.h"
#include "conformance/trace_line_parser.h"
#include "conformance/trace_names.h"

namespace mtty::conformance {
namespace {

using trace_internal::ExpectRules;
using trace_internal::IsProfileToken;
using trace_internal::kIrqIndexNames;
using trace_internal::Line;
using trace_internal::LineParser;
using trace_internal::ParseClause;
using trace_internal::ParseProfileSetName;
using trace_internal::ParseProfileToken;
using trace_internal::ParseSigned;
using trace_internal::ParseSpace;
using trace_internal::ParseUnsigned;
using trace_internal::Token;
using trace_internal::TokenValue;

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
  constexpr std::string_view kPrefix = "profile=";
  std::optional<ProfileSet> set;
  if (prof.starts_with(kPrefix)) {
    set = ParseProfileSetName(std::string_view(prof).substr(kPrefix.size()));
  }
  if (!set) {
    return p.Fail("expected profile=any|kernel|16550a, got '" + prof + "'");
  }
  d.profiles = *set;
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

}  // namespace

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

}  // namespace mtty::conformance
