// Copyright mtty-lab authors.
//
// The printer: the canonical text of a Trace (trace.h's round-trip promise).
// Numbers are written the way the statement reads best: values and masks in
// hex as wide as the access, counts and indices in decimal.
#include <cstdint>
#include <iterator>
#include <string>
#include <variant>

#include "conformance/trace.h"
#include "conformance/trace_names.h"
#include "core/hex.h"

namespace mtty::conformance {
namespace {

using trace_internal::kIrqIndexNames;
using trace_internal::ProfileSetName;
using trace_internal::ProfileToken;

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
