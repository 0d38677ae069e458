// Copyright mtty-lab authors.
#include "conformance/qtest_log.h"

#include <array>
#include <cstdio>
#include <deque>
#include <vector>

#include "core/hex.h"
#include "core/uart16550.h"

namespace mtty::conformance {
namespace {

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool StartsWith(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// qtest numbers: "0x..." hex or decimal (strtoull base 0 without octal).
std::optional<uint64_t> Number(std::string_view t) {
  if (t.empty()) return std::nullopt;
  uint64_t v = 0;
  int base = 10;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    base = 16;
    t.remove_prefix(2);
  }
  if (t.empty() || t.size() > 20) return std::nullopt;
  for (char c : t) {
    const int d = HexDigitValue(c);
    if (d < 0 || d >= base) return std::nullopt;
    const auto b = static_cast<uint64_t>(base);
    if (v > (~uint64_t{0} - static_cast<uint64_t>(d)) / b) return std::nullopt;
    v = v * b + static_cast<uint64_t>(d);
  }
  return v;
}

// A comment must stay one printable line.
std::string Clean(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  return std::string(TrimView(out));
}

const char* RegisterName(uint8_t offset, bool dlab, bool write) {
  switch (offset) {
    case kRbrThr:
      return dlab ? "DLL" : (write ? "THR" : "RBR");
    case kIer:
      return dlab ? "DLM" : "IER";
    case kIirFcr:
      return write ? "FCR" : "IIR";
    case kLcr:
      return "LCR";
    case kMcr:
      return "MCR";
    case kLsr:
      return "LSR";
    case kMsr:
      return "MSR";
    default:
      return "SCR";
  }
}

class Builder {
 public:
  explicit Builder(const ConvertOptions& o) : opt_(o) {}

  void Comment(std::string text, int line) {
    Statement st;
    st.line = line;
    st.command = mtty::conformance::Comment{};
    st.comment = Clean(text);
    body_.push_back(std::move(st));
  }

  // An I/O port access; false if the address is not a UART register.
  bool Io(uint64_t addr, int width, bool write, uint64_t value, int line) {
    int bar = -1;
    uint64_t off = 0;
    if (addr >= opt_.base0 &&
        addr + static_cast<uint64_t>(width) <= uint64_t{opt_.base0} + 8) {
      bar = 0;
      off = addr - opt_.base0;
    } else if (opt_.base1 && addr >= *opt_.base1 &&
               addr + static_cast<uint64_t>(width) <=
                   uint64_t{*opt_.base1} + 8) {
      bar = 1;
      off = addr - *opt_.base1;
    }
    if (bar < 0) return false;
    Add(bar, static_cast<uint8_t>(off), width, write, value, line);
    return true;
  }

  // Capture mode: QEMU's power-on state first (ConvertOptions::capture).
  void QemuResetPreamble() {
    Comment(
        "converter: QEMU's power-on state, which the datasheet leaves "
        "open: MCR 0x08 (OUT2), divisor 12; the 16550a profile powers on "
        "with 0 in both",
        0);
    for (const auto& [off, v] : {std::pair<uint8_t, uint8_t>{kLcr, 0x80},
                                 {0, 12},
                                 {1, 0},
                                 {kLcr, 0x00},
                                 {kMcr, 0x08}}) {
      Add(0, off, 1, true, v, 0);
    }
  }

  void Add(int bar, uint8_t off, int width, bool write, uint64_t value,
           int line) {
    if (opt_.capture && ElideLsrPoll(bar, off, width, write, value)) return;
    FlushElided();
    AddAccess(bar, off, width, write, value, line, "");
    if (opt_.capture && bar == 0 && width == 1)
      Loopback(off, write, value, line);
  }

  // A guest waiting for THRE, or for input at a prompt, reads LSR in a
  // tight loop. After two identical reads, further ones are counted, not
  // written: an LSR read with no error bit set (OE, PE, FE, BI, bit 7)
  // changes nothing, on QEMU and on the 16550a profile.
  bool ElideLsrPoll(int bar, uint8_t off, int width, bool write,
                    uint64_t value) {
    const bool poll =
        bar == 0 && off == kLsr && width == 1 && !write && (value & 0x9e) == 0;
    if (!poll || value != lsr_run_value_) {
      lsr_run_value_ = poll ? value : ~uint64_t{0};
      lsr_run_len_ = poll ? 1 : 0;
      return false;
    }
    if (++lsr_run_len_ <= 2) return false;
    ++lsr_elided_;
    lsr_elided_value_ = value;
    return true;
  }

  void FlushElided() {
    if (lsr_elided_ == 0) return;
    char text[128];
    std::snprintf(text, sizeof(text),
                  "converter: %llu more identical reads of LSR == 0x%02llx "
                  "(an error-free LSR read changes nothing)",
                  static_cast<unsigned long long>(lsr_elided_),
                  static_cast<unsigned long long>(lsr_elided_value_));
    Comment(text, 0);
    lsr_elided_ = 0;
  }

  // The mtty card loops every THR byte into RX; QEMU's chardev loops only
  // with MCR.LOOP. `looped_` is the RX FIFO of the 16550a profile as far as
  // the difference matters: bytes QEMU looped too (written under LOOP).
  void Loopback(uint8_t off, bool write, uint64_t value, int line) {
    const bool dlab = (lcr_[0] & kLcrDlab) != 0;
    const uint8_t v = static_cast<uint8_t>(value);
    if (!write) {
      if (off == 0 && !dlab && !looped_.empty()) looped_.pop_front();
      return;
    }
    if (off == kMcr) {
      mcr_ = v;
    } else if (off == kIirFcr) {
      // FIFO enable toggled, or an RX clear with FIFOs on, empties RX.
      if (((v ^ fcr_) & 0x01) || ((v & 0x03) == 0x03)) looped_.clear();
      fcr_ = v;
    } else if (off == 0 && !dlab) {
      const size_t capacity = (fcr_ & 0x01) ? 16 : 1;
      if (mcr_ & kMcrLoop) {
        if (capacity == 1) looped_.clear();  // 16450: the new byte overwrites
        if (looped_.size() < capacity) looped_.push_back(v);
        return;
      }
      if (!looped_.empty()) {
        char text[160];
        std::snprintf(text, sizeof(text),
                      "converter: RX still holds %zu byte(s) looped under "
                      "MCR.LOOP, so the byte 0x%02x cannot be taken back out "
                      "here; later RX reads may differ",
                      looped_.size(), v);
        Comment(text, line);
        if (looped_.size() < capacity) looped_.push_back(v);
        return;
      }
      AddAccess(0, 0, 1, false, v, line,
                "converter: take back the byte the mtty card looped into RX "
                "(QEMU's chardev does not loop it)");
    }
  }

  void AddAccess(int bar, uint8_t off, int width, bool write, uint64_t value,
                 int line, std::string comment) {
    const uint64_t mask = (uint64_t{1} << (8 * width)) - 1;
    value &= mask;
    if (bar == 1) uses_bar1_ = true;
    Access a;
    a.space = bar == 0 ? Space::kBar0 : Space::kBar1;
    a.write = write;
    a.width = width;
    a.offset = off;
    uint8_t& lcr = lcr_[static_cast<size_t>(bar)];
    if (width == 1) {
      a.reg_name = RegisterName(off, (lcr & kLcrDlab) != 0, write);
    }
    if (write) {
      a.value = static_cast<uint32_t>(value);
      for (int i = 0; i < width; ++i) {
        if (off + i == kLcr) lcr = static_cast<uint8_t>(value >> (8 * i));
      }
    } else {
      a.expect.written = true;
      a.expect.base.kind = Expectation::Kind::kValue;
      a.expect.base.value = value;
    }
    Statement st;
    st.line = line;
    st.command = std::move(a);
    st.comment = std::move(comment);
    body_.push_back(std::move(st));
  }

  void TimeStep(uint64_t ns, int line) {
    Statement st;
    st.line = line;
    st.command = Time{ns};
    body_.push_back(std::move(st));
  }

  Trace Finish(const char* what) {
    FlushElided();
    Trace t;
    t.filename = opt_.source_name;
    auto comment = [&](std::string s) {
      Statement st;
      st.command = mtty::conformance::Comment{};
      st.comment = Clean(s);
      t.statements.push_back(std::move(st));
    };
    if (opt_.header.empty()) {
      comment("Converted by tools/qtest2trace from " + opt_.source_name + " (" +
              what + ").");
      comment(
          "source: QEMU hw/char/serial.c (16550A), the session recorded "
          "in " +
          opt_.source_name);
      comment("Expected values are QEMU's answers.");
    } else {
      for (const std::string& h : opt_.header) comment(h);
    }
    Statement dev;
    dev.command = DeviceDecl{uses_bar1_ ? "mtty-2" : "mtty-1", opt_.profiles};
    t.statements.push_back(std::move(dev));
    for (Statement& st : body_) t.statements.push_back(std::move(st));
    return t;
  }

 private:
  const ConvertOptions& opt_;
  std::vector<Statement> body_;
  std::array<uint8_t, 2> lcr_{};
  bool uses_bar1_ = false;
  uint8_t mcr_ = 0;
  uint8_t fcr_ = 0;
  std::deque<uint8_t> looped_;
  uint64_t lsr_run_value_ = ~uint64_t{0};
  uint64_t lsr_run_len_ = 0;
  uint64_t lsr_elided_ = 0;
  uint64_t lsr_elided_value_ = 0;
};

struct Pending {
  std::string text;
  int line = 0;
};

ParseResult ConvertQtest(std::string_view text, const ConvertOptions& opt) {
  Builder b(opt);
  std::optional<Pending> pending;
  auto error = [&](int line, std::string msg) {
    return ParseError{opt.source_name, line, std::move(msg)};
  };

  // Completes `pending` with its reply.
  auto finish = [&](const Pending& cmd,
                    std::string_view reply) -> std::optional<ParseError> {
    const std::vector<std::string_view> w = Split(cmd.text);
    const std::vector<std::string_view> r = Split(reply);
    const bool ok = !r.empty() && r[0] == "OK";
    const std::string_view op = w.empty() ? std::string_view() : w[0];
    if (!ok) {
      b.Comment("qtest: " + cmd.text + " -> " + std::string(reply), cmd.line);
      return std::nullopt;
    }
    int width = 0;
    bool write = false;
    if (op == "outb" || op == "inb") width = 1;
    if (op == "outw" || op == "inw") width = 2;
    if (op == "outl" || op == "inl") width = 4;
    write = StartsWith(op, "out");
    if (width != 0) {
      if (w.size() != (write ? 3u : 2u)) {
        return error(cmd.line, "expected '" + std::string(op) +
                                   (write ? " ADDR VALUE'" : " ADDR'"));
      }
      std::optional<uint64_t> addr = Number(w[1]);
      if (!addr)
        return error(cmd.line, "bad address '" + std::string(w[1]) + "'");
      uint64_t value = 0;
      if (write) {
        std::optional<uint64_t> v = Number(w[2]);
        if (!v) return error(cmd.line, "bad value '" + std::string(w[2]) + "'");
        value = *v;
      } else {
        if (r.size() != 2) {
          return error(cmd.line, "read reply without a value: '" +
                                     std::string(reply) + "'");
        }
        std::optional<uint64_t> v = Number(r[1]);
        if (!v)
          return error(cmd.line, "bad reply value '" + std::string(r[1]) + "'");
        value = *v;
      }
      if (!b.Io(*addr, width, write, value, cmd.line)) {
        b.Comment("qtest: " + cmd.text + " (not a UART register)", cmd.line);
      }
      return std::nullopt;
    }
    if (op == "clock_step" && w.size() == 2) {
      std::optional<uint64_t> ns = Number(w[1]);
      if (!ns)
        return error(cmd.line, "bad clock_step '" + std::string(w[1]) + "'");
      b.TimeStep(*ns, cmd.line);
      return std::nullopt;
    }
    b.Comment("qtest: " + cmd.text, cmd.line);
    return std::nullopt;
  };

  size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    ++line_no;
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = TrimView(text.substr(pos, end - pos));
    pos = end + 1;
    if (l.empty()) continue;
    char role = 0;
    if (l[0] == '[') {
      const size_t close = l.find(']');
      if (close == std::string_view::npos || close < 2) {
        return error(line_no, "unterminated '[' prefix");
      }
      role = l[1];
      l = TrimView(l.substr(close + 1));
    }
    if (role == 'I') continue;  // OPENED / CLOSED
    const bool reply_like = StartsWith(l, "OK") || StartsWith(l, "FAIL") ||
                            StartsWith(l, "ERR") || StartsWith(l, "IRQ ");
    if (role == 'S' || (role == 0 && reply_like)) {
      if (StartsWith(l, "IRQ ")) {
        b.Comment("qtest: " + std::string(l), line_no);
        continue;
      }
      if (!pending) return error(line_no, "reply without a command");
      if (std::optional<ParseError> e = finish(*pending, l)) return *e;
      pending.reset();
      continue;
    }
    if (role != 0 && role != 'R') {
      return error(line_no, std::string("unknown log prefix '[") + role + "'");
    }
    if (pending) {
      return error(pending->line, "no reply for '" + pending->text + "'");
    }
    pending = Pending{std::string(l), line_no};
  }
  if (pending)
    return error(pending->line, "no reply for '" + pending->text + "'");
  return b.Finish("QEMU qtest log");
}

ParseResult ConvertSerialTrace(std::string_view text,
                               const ConvertOptions& opt) {
  Builder b(opt);
  if (opt.capture) {
    if (!text.empty() && text.back() != '\n') {
      int last = 1;
      for (char c : text) last += c == '\n';
      return ParseError{opt.source_name, last,
                        "the log ends inside a line: truncated (QEMU killed "
                        "while writing it?)"};
    }
    b.QemuResetPreamble();
  }
  auto error = [&](int line, std::string msg) {
    return ParseError{opt.source_name, line, std::move(msg)};
  };
  size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    ++line_no;
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = TrimView(text.substr(pos, end - pos));
    pos = end + 1;
    // Optional "pid@sec.usec:" prefix of the log backend.
    const size_t at = l.find('@');
    const size_t colon = l.find(':');
    if (at != std::string_view::npos && colon != std::string_view::npos &&
        at < colon && l.find(' ') > colon) {
      l = TrimView(l.substr(colon + 1));
    }
    const bool rd =
        StartsWith(l, "serial_read ") || StartsWith(l, "serial_ioport_read ");
    const bool wr =
        StartsWith(l, "serial_write ") || StartsWith(l, "serial_ioport_write ");
    if (!rd && !wr) {
      if (opt.capture && StartsWith(l, "serial_") &&
          !StartsWith(l, "serial_update_parameters ")) {
        return error(line_no, "unknown serial trace event '" +
                                  std::string(l.substr(0, l.find(' '))) +
                                  "' (truncated line?)");
      }
      if (StartsWith(l, "serial_")) b.Comment(std::string(l), line_no);
      continue;
    }
    const std::vector<std::string_view> w = Split(l);
    std::optional<uint64_t> addr;
    std::optional<uint64_t> val;
    for (size_t i = 0; i + 1 < w.size(); ++i) {
      if (w[i] == "addr") addr = Number(w[i + 1]);
      if (w[i] == "val") val = Number(w[i + 1]);
    }
    if (!addr || !val) {
      return error(line_no, "expected 'addr 0x.. val 0x..'");
    }
    if (*addr >= kUartRegisterCount || *val > 0xff) {
      b.Comment(std::string(l) + " (not a UART register)", line_no);
      continue;
    }
    b.Add(0, static_cast<uint8_t>(*addr), 1, wr, *val, line_no);
  }
  return b.Finish("QEMU -trace serial_* log");
}

}  // namespace

QemuLogFormat DetectQemuLogFormat(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = TrimView(text.substr(pos, end - pos));
    pos = end + 1;
    if (l.find("serial_read ") != std::string_view::npos ||
        l.find("serial_write ") != std::string_view::npos ||
        l.find("serial_ioport_read ") != std::string_view::npos ||
        l.find("serial_ioport_write ") != std::string_view::npos) {
      return QemuLogFormat::kSerialTrace;
    }
    if (StartsWith(l, "[R ") || StartsWith(l, "[S ") || StartsWith(l, "[I ") ||
        StartsWith(l, "OK") || StartsWith(l, "FAIL") || StartsWith(l, "inb ") ||
        StartsWith(l, "outb ") || StartsWith(l, "inw ") ||
        StartsWith(l, "outw ") || StartsWith(l, "inl ") ||
        StartsWith(l, "outl ")) {
      return QemuLogFormat::kQtest;
    }
  }
  return QemuLogFormat::kAuto;
}

ParseResult ConvertQemuLog(std::string_view text,
                           const ConvertOptions& options) {
  if (text.size() > kMaxTraceBytes) {
    return ParseError{
        options.source_name, 0,
        "log larger than " + std::to_string(kMaxTraceBytes) + " bytes"};
  }
  QemuLogFormat f = options.format;
  if (f == QemuLogFormat::kAuto) f = DetectQemuLogFormat(text);
  switch (f) {
    case QemuLogFormat::kQtest:
      return ConvertQtest(text, options);
    case QemuLogFormat::kSerialTrace:
      return ConvertSerialTrace(text, options);
    case QemuLogFormat::kAuto:
      break;
  }
  return ParseError{options.source_name, 0,
                    "neither a qtest log nor a -trace serial_* log"};
}

}  // namespace mtty::conformance
