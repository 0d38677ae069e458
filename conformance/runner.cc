// Copyright mtty-lab authors.
#include "conformance/runner.h"

#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "core/hex.h"
#include "core/irq.h"
#include "core/mdev_parent.h"
#include "core/uart16550.h"
#include "core/uuid.h"
#include "core/vfio_device.h"
#include "core/vfio_uapi.h"

namespace mtty::conformance {
namespace {

uint64_t WidthMask(int width) {
  return width >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * width)) - 1;
}

// What a statement produced, in the terms of an Expectation.
struct Outcome {
  Expectation::Kind kind = Expectation::Kind::kOk;
  uint64_t value = 0;
  int err = 0;
  std::vector<std::pair<std::string, uint64_t>> fields;

  static Outcome FromStatus(Status s) {
    Outcome o;
    if (!s.ok()) {
      o.kind = Expectation::Kind::kErrno;
      o.err = -s.code();
    }
    return o;
  }
  static Outcome Value(uint64_t v) {
    Outcome o;
    o.kind = Expectation::Kind::kValue;
    o.value = v;
    return o;
  }
};

std::string Describe(const Expectation& e, int width) {
  switch (e.kind) {
    case Expectation::Kind::kOk:
      return "ok";
    case Expectation::Kind::kErrno:
      return "-" + ErrnoSymbol(e.err);
    case Expectation::Kind::kValue: {
      std::string out =
          width == 0 ? std::to_string(e.value) : Hex(e.value, 2 * width);
      if (e.mask) out += " (mask " + Hex(*e.mask, 2 * width) + ")";
      return out;
    }
    case Expectation::Kind::kFields: {
      std::string out;
      for (const auto& f : e.fields) {
        if (!out.empty()) out += ' ';
        out += f.first + " " + Hex(f.second, 1);
      }
      return out;
    }
  }
  return "";
}

std::string Describe(const Outcome& o, int width) {
  switch (o.kind) {
    case Expectation::Kind::kOk:
      return "ok";
    case Expectation::Kind::kErrno:
      return "-" + ErrnoSymbol(o.err);
    case Expectation::Kind::kValue:
      return width == 0 ? std::to_string(o.value) : Hex(o.value, 2 * width);
    case Expectation::Kind::kFields: {
      std::string out;
      for (const auto& f : o.fields) {
        if (!out.empty()) out += ' ';
        out += f.first + " " + Hex(f.second, 1);
      }
      return out;
    }
  }
  return "";
}

bool Matches(const Expectation& e, const Outcome& o, int width) {
  switch (e.kind) {
    case Expectation::Kind::kOk:
      return o.kind == Expectation::Kind::kOk ||
             o.kind == Expectation::Kind::kFields;
    case Expectation::Kind::kErrno:
      return o.kind == Expectation::Kind::kErrno && o.err == e.err;
    case Expectation::Kind::kValue: {
      if (o.kind != Expectation::Kind::kValue) return false;
      const uint64_t mask = e.mask.value_or(WidthMask(width == 0 ? 8 : width));
      return (o.value & mask) == e.value;
    }
    case Expectation::Kind::kFields: {
      if (o.kind != Expectation::Kind::kFields) return false;
      for (const auto& want : e.fields) {
        bool found = false;
        for (const auto& got : o.fields) {
          if (got.first == want.first) {
            found = true;
            if (got.second != want.second) return false;
          }
        }
        if (!found) return false;
      }
      return true;
    }
  }
  return false;
}

std::string ConfigRegisterName(uint64_t offset) {
  struct Range {
    uint64_t begin, end;
    const char* name;
  };
  static constexpr Range kRanges[] = {
      {0x00, 0x02, "vendor id"},
      {0x02, 0x04, "device id"},
      {0x04, 0x06, "command"},
      {0x06, 0x08, "status"},
      {0x08, 0x09, "revision"},
      {0x09, 0x0c, "class code"},
      {0x0c, 0x10, "cache/latency/header/BIST"},
      {0x10, 0x14, "BAR0"},
      {0x14, 0x18, "BAR1"},
      {0x18, 0x1c, "BAR2"},
      {0x1c, 0x20, "BAR3"},
      {0x20, 0x24, "BAR4"},
      {0x24, 0x28, "BAR5"},
      {0x28, 0x2c, "cardbus CIS"},
      {0x2c, 0x2e, "subsystem vendor"},
      {0x2e, 0x30, "subsystem id"},
      {0x30, 0x34, "expansion ROM"},
      {0x34, 0x35, "capability pointer"},
      {0x3c, 0x3d, "interrupt line"},
      {0x3d, 0x3e, "interrupt pin"},
      {0x40, 0x60, "vendor-specific"},
      {0x60, 0x6f, "vendor string"},
  };
  for (const Range& r : kRanges) {
    if (offset >= r.begin && offset < r.end) return r.name;
  }
  return "unused";
}

class Replayer {
 public:
  Replayer(const Trace& trace, Profile profile, const RunOptions& options)
      : trace_(trace),
        profile_(profile),
        options_(options),
        parent_(MdevParent::Options{
            .resolver = &fds_,
            .remove_timeout = std::chrono::milliseconds(0)}) {
    result_.profile = profile;
  }

  RunResult Run() {
    const DeviceDecl& decl = trace_.device();
    if (!ProfileSetContains(decl.profiles, profile_)) {
      result_.skipped = true;
      result_.skip_reason =
          std::string("trace declares profile=") +
          (decl.profiles == ProfileSet::kKernelOnly ? "kernel" : "16550a");
      return std::move(result_);
    }
    for (const Statement& st : trace_.statements) {
      if (st.only && *st.only != profile_) continue;
      if (std::holds_alternative<Comment>(st.command)) continue;
      ++result_.statements_run;
      std::visit([&](const auto& cmd) { Exec(st, cmd); }, st.command);
    }
    return std::move(result_);
  }

 private:
  MttyDevice* device() {
    auto it = handles_.find(current_);
    return it == handles_.end() ? nullptr : it->second.device();
  }

  void Fail(const Statement& st, std::string expected, std::string actual,
            std::string explanation) {
    if (result_.failures.size() >= options_.max_failures) return;
    Failure f;
    f.filename = trace_.filename;
    f.line = st.line;
    f.statement = PrintStatement(st);
    f.expected = std::move(expected);
    f.actual = std::move(actual);
    f.explanation = std::move(explanation);
    if (MttyDevice* dev = device()) f.device = dev->DebugString();
    result_.failures.push_back(std::move(f));
  }

  // Evaluates `clause` for this profile against `outcome`. `explain` maps
  // (expected, actual) to the decoded explanation.
  template <typename Explain>
  bool Check(const Statement& st, const ExpectClause& clause,
             const Outcome& outcome, int width, Explain explain) {
    ++result_.checks;
    if (clause.HasOverride(profile_)) {
      result_.deviations.push_back({st.line, PrintStatement(st)});
    }
    const Expectation& want = clause.For(profile_);
    if (Matches(want, outcome, width)) return true;
    Fail(st, Describe(want, width), Describe(outcome, width),
         explain(want, outcome));
    return false;
  }

  bool NeedDevice(const Statement& st) {
    if (device() != nullptr) return true;
    ++result_.checks;
    Fail(st, "an open device", "no device is open",
         "the trace must open a device (device header or `open UUID`) first");
    return false;
  }

  static std::string NoExplanation(const Expectation&, const Outcome&) {
    return "";
  }

  void Exec(const Statement&, const Comment&) {}

  void Exec(const Statement& st, const DeviceDecl& d) {
    if (d.type == "none") return;
    const std::string uuid(kDefaultUuid);
    Status s = parent_.Create(d.type, uuid, profile_);
    if (!s.ok()) {
      ++result_.checks;
      Fail(st, "create ok", s.ToString(), "the parent refused the device");
      return;
    }
    OpenDevice(st, uuid, ExpectClause());
  }

  void OpenDevice(const Statement& st, const std::string& text,
                  const ExpectClause& clause) {
    Result<Uuid> uuid = Uuid::Parse(text);
    if (!uuid.ok()) {
      Check(st, clause, Outcome::FromStatus(uuid.status()), 0, NoExplanation);
      return;
    }
    Result<MdevHandle> h = parent_.Open(*uuid);
    if (!Check(st, clause, Outcome::FromStatus(h.status()), 0, NoExplanation) ||
        !h.ok()) {
      return;
    }
    const std::string key = uuid->ToString();
    handles_.erase(key);
    handles_.emplace(key, std::move(h).value());
    current_ = key;
  }

  // 1 or 0, or -1 when unknown: no such port, or (never for a device's own
  // snapshot, which always decodes) a record Decode refuses.
  int DlabFor(MttyDevice& dev, uint32_t port) {
    const DeviceState s = dev.state();
    if (port >= s.ports.size()) return -1;
    const Result<Uart16550::State> st =
        Uart16550::State::Decode(s.profile, s.ports[port]);
    if (!st.ok()) return -1;
    return (st->lcr & kLcrDlab) != 0 ? 1 : 0;
  }

  void Exec(const Statement& st, const Access& a) {
    if (!NeedDevice(st)) return;
    MttyDevice& dev = *device();
    const auto index = static_cast<uint32_t>(a.space);
    const uint64_t pos = vfio::RegionOffset(index) | a.offset;
    const bool bar = index <= 5;
    const int dlab = bar ? DlabFor(dev, index) : -1;
    uint8_t buf[4] = {};
    Outcome out;
    if (a.write) {
      for (int i = 0; i < a.width; ++i) {
        buf[i] = static_cast<uint8_t>(a.value >> (8 * i));
      }
      Result<size_t> r = dev.Write(
          pos, std::span<const uint8_t>(buf, static_cast<size_t>(a.width)));
      out = Outcome::FromStatus(r.status());
    } else {
      Result<size_t> r =
          dev.Read(pos, std::span<uint8_t>(buf, static_cast<size_t>(a.width)));
      if (r.ok()) {
        uint64_t v = 0;
        for (int i = 0; i < a.width; ++i) v |= uint64_t{buf[i]} << (8 * i);
        out = Outcome::Value(v);
      } else {
        out = Outcome::FromStatus(r.status());
      }
    }
    Check(st, a.expect, out, a.write ? 0 : a.width,
          [&](const Expectation& want, const Outcome& got) {
            return ExplainAccess(a, dlab, want, got);
          });
  }

  std::string DecodeBar(const Access& a, int dlab, uint64_t value) {
    std::string out;
    for (int i = 0; i < a.width; ++i) {
      const uint64_t off = a.offset + static_cast<uint64_t>(i);
      if (!out.empty()) out += "; ";
      out += DecodeRegister(static_cast<uint8_t>(off > 0xff ? 0xff : off),
                            dlab == 1, !a.write,
                            static_cast<uint8_t>(value >> (8 * i)));
    }
    return out;
  }

  std::string ExplainAccess(const Access& a, int dlab, const Expectation& want,
                            const Outcome& got) {
    const auto index = static_cast<uint32_t>(a.space);
    if (got.kind == Expectation::Kind::kErrno) {
      return std::string(SpaceName(a.space)) + " access at " +
             Hex(a.offset, 1) + " width " + std::to_string(a.width) +
             " failed with -" + ErrnoSymbol(got.err);
    }
    if (a.write || got.kind != Expectation::Kind::kValue) {
      return want.kind == Expectation::Kind::kErrno
                 ? "the access was expected to fail"
                 : "";
    }
    if (index <= 5) {
      std::string out = "actual: " + DecodeBar(a, dlab, got.value);
      if (want.kind == Expectation::Kind::kValue) {
        out += " | expected: " + DecodeBar(a, dlab, want.value);
        if (want.mask) {
          out +=
              " (only bits " + Hex(*want.mask, 2 * a.width) + " are checked)";
        }
        const uint64_t diff =
            (got.value ^ want.value) & want.mask.value_or(WidthMask(a.width));
        out += " | differing bits " + Hex(diff, 2 * a.width);
      }
      return out;
    }
    if (a.space == Space::kCfg) {
      return "config " + Hex(a.offset, 2) + " is " +
             ConfigRegisterName(a.offset);
    }
    return "";
  }

  void Exec(const Statement& st, const Time& t) {
    if (options_.skip_time) return;
    if (!NeedDevice(st)) return;
    for (auto& [key, handle] : handles_) {
      if (MttyDevice* dev = handle.device()) dev->AdvanceTime(t.ns);
    }
  }

  void Exec(const Statement& st, const Reset& r) {
    if (!NeedDevice(st)) return;
    Check(st, r.expect, Outcome::FromStatus(device()->Reset()), 0,
          NoExplanation);
  }

  void Exec(const Statement& st, const InfoIoctl& io) {
    if (!NeedDevice(st)) return;
    MttyDevice& dev = *device();
    Outcome out;
    switch (io.kind) {
      case InfoIoctl::Kind::kDeviceInfo: {
        Result<vfio::DeviceInfo> r = dev.GetInfo();
        out = Outcome::FromStatus(r.status());
        if (r.ok()) {
          out.kind = Expectation::Kind::kFields;
          out.fields = {{"flags", r->flags},
                        {"regions", r->num_regions},
                        {"irqs", r->num_irqs}};
        }
        break;
      }
      case InfoIoctl::Kind::kRegionInfo: {
        Result<vfio::RegionInfo> r = dev.GetRegionInfo(io.index);
        out = Outcome::FromStatus(r.status());
        if (r.ok()) {
          out.kind = Expectation::Kind::kFields;
          out.fields = {
              {"flags", r->flags}, {"size", r->size}, {"offset", r->offset}};
        }
        break;
      }
      case InfoIoctl::Kind::kIrqInfo: {
        Result<vfio::IrqInfo> r = dev.GetIrqInfo(io.index);
        out = Outcome::FromStatus(r.status());
        if (r.ok()) {
          out.kind = Expectation::Kind::kFields;
          out.fields = {{"flags", r->flags}, {"count", r->count}};
        }
        break;
      }
    }
    Check(st, io.expect, out, 0,
          [](const Expectation& want, const Outcome& got) -> std::string {
            if (want.kind == Expectation::Kind::kFields &&
                got.kind == Expectation::Kind::kFields) {
              return "compare the listed fields with the actual ones";
            }
            return "";
          });
  }

  void Exec(const Statement& st, const SetIrqs& s) {
    if (!NeedDevice(st)) return;
    uint32_t flags = 0;
    switch (s.action) {
      case SetIrqs::Action::kMask:
        flags |= vfio::kIrqSetActionMask;
        break;
      case SetIrqs::Action::kUnmask:
        flags |= vfio::kIrqSetActionUnmask;
        break;
      case SetIrqs::Action::kTrigger:
        flags |= vfio::kIrqSetActionTrigger;
        break;
    }
    std::vector<uint8_t> data;
    switch (s.data) {
      case SetIrqs::Data::kNone:
        flags |= vfio::kIrqSetDataNone;
        break;
      case SetIrqs::Data::kBool:
        flags |= vfio::kIrqSetDataBool;
        for (int64_t v : s.values) data.push_back(static_cast<uint8_t>(v));
        break;
      case SetIrqs::Data::kEventfd:
        flags |= vfio::kIrqSetDataEventfd;
        for (int64_t v : s.values) {
          const auto fd = static_cast<int32_t>(v);
          uint8_t b[4];
          std::memcpy(b, &fd, sizeof(b));
          data.insert(data.end(), b, b + 4);
        }
        break;
    }
    Status status = device()->SetIrqs(flags, s.index, s.start, s.count, data);
    Check(st, s.expect, Outcome::FromStatus(status), 0,
          [&](const Expectation&, const Outcome&) {
            const IrqController::State irq = device()->state().irq;
            return "irq state: index=" + std::to_string(irq.irq_index) +
                   " intx_masked=" + std::to_string(irq.intx_masked);
          });
    if (!status.ok() || s.action != SetIrqs::Action::kTrigger ||
        s.index > vfio::kMsiIrqIndex) {
      return;
    }
    std::shared_ptr<CountingSink>& slot =
        s.index == vfio::kIntxIrqIndex ? intx_sink_ : msi_sink_;
    if (s.data == SetIrqs::Data::kNone && s.count == 0) {
      slot.reset();
    } else if (s.data == SetIrqs::Data::kEventfd && s.start == 0 &&
               !s.values.empty()) {
      auto it = sinks_.find(static_cast<int32_t>(s.values[0]));
      if (s.values[0] < 0 || it == sinks_.end()) {
        slot.reset();
      } else {
        slot = it->second;
      }
    }
  }

  void Exec(const Statement&, const FdOp& f) {
    switch (f.kind) {
      case FdOp::Kind::kEventfd: {
        std::shared_ptr<CountingSink> sink = fds_.Register(f.fd);
        // Kept alive for the whole run so no later sink reuses its address
        // (baselines are keyed by address).
        all_sinks_.push_back(sink);
        baseline_[sink.get()] = 0;
        sinks_[f.fd] = std::move(sink);
        break;
      }
      case FdOp::Kind::kFile:
        fds_.RegisterNonEventfd(f.fd);
        sinks_.erase(f.fd);
        break;
      case FdOp::Kind::kClose:
        fds_.Close(f.fd);
        sinks_.erase(f.fd);
        break;
    }
  }

  uint64_t TakeDelta(const std::shared_ptr<CountingSink>& sink) {
    uint64_t& base = baseline_[sink.get()];
    const uint64_t now = sink->count();
    const uint64_t delta = now - base;
    base = now;
    return delta;
  }

  std::string IrqState() {
    MttyDevice* dev = device();
    if (dev == nullptr) return "no device open";
    const IrqController::State irq = dev->state().irq;
    return "irq index=" + std::to_string(irq.irq_index) +
           " intx_masked=" + std::to_string(irq.intx_masked) +
           " signals=" + std::to_string(irq.signals);
  }

  void Exec(const Statement& st, const IrqCheck& c) {
    auto explain = [&](const Expectation&, const Outcome&) {
      return IrqState();
    };
    switch (c.target) {
      case IrqCheck::Target::kNone: {
        std::string fired;
        auto note = [&](const char* what, uint64_t n) {
          if (n == 0) return;
          if (!fired.empty()) fired += ", ";
          fired += std::string(what) + " " + std::to_string(n);
        };
        for (auto& [fd, sink] : sinks_) {
          note(("fd " + std::to_string(fd)).c_str(), TakeDelta(sink));
        }
        if (intx_sink_) note("intx", TakeDelta(intx_sink_));
        if (msi_sink_) note("msi", TakeDelta(msi_sink_));
        ++result_.checks;
        if (!fired.empty()) {
          Fail(st, "no signals", fired, IrqState());
        }
        return;
      }
      case IrqCheck::Target::kIntx:
      case IrqCheck::Target::kMsi: {
        const bool intx = c.target == IrqCheck::Target::kIntx;
        const std::shared_ptr<CountingSink>& sink =
            intx ? intx_sink_ : msi_sink_;
        if (!sink) {
          ++result_.checks;
          Fail(st, "an installed eventfd", "none",
               std::string("no successful `ioctl set-irqs ") +
                   (intx ? "intx" : "msi") +
                   " trigger eventfd N` with a registered fd");
          return;
        }
        Check(st, c.expect, Outcome::Value(TakeDelta(sink)), 0, explain);
        return;
      }
      case IrqCheck::Target::kFd: {
        auto it = sinks_.find(c.fd);
        if (it == sinks_.end()) {
          ++result_.checks;
          Fail(st, "a registered eventfd", "none",
               "`eventfd " + std::to_string(c.fd) + "` was not declared");
          return;
        }
        Check(st, c.expect, Outcome::Value(TakeDelta(it->second)), 0, explain);
        return;
      }
    }
  }

  void Exec(const Statement& st, const Lifecycle& l) {
    switch (l.kind) {
      case Lifecycle::Kind::kCreate:
        Check(st, l.expect,
              Outcome::FromStatus(parent_.Create(l.type, l.uuid, profile_)), 0,
              NoExplanation);
        return;
      case Lifecycle::Kind::kRemove: {
        Result<Uuid> uuid = Uuid::Parse(l.uuid);
        Status s = uuid.ok()
                       ? parent_.Remove(*uuid, std::chrono::milliseconds(0))
                       : uuid.status();
        Check(st, l.expect, Outcome::FromStatus(s), 0, NoExplanation);
        return;
      }
      case Lifecycle::Kind::kOpen:
        OpenDevice(st, l.uuid, l.expect);
        return;
      case Lifecycle::Kind::kClose:
        if (auto it = handles_.find(current_); it != handles_.end()) {
          handles_.erase(it);
        }
        current_.clear();
        return;
      case Lifecycle::Kind::kAvailable: {
        Result<unsigned> n = parent_.AvailableInstances(l.type);
        Check(st, l.expect,
              n.ok() ? Outcome::Value(*n) : Outcome::FromStatus(n.status()), 0,
              NoExplanation);
        return;
      }
    }
  }

  const Trace& trace_;
  const Profile profile_;
  const RunOptions options_;
  RunResult result_;

  // Declared before the parent: the parent's devices resolve fds here.
  FakeFdTable fds_;
  std::map<int32_t, std::shared_ptr<CountingSink>> sinks_;
  std::map<const CountingSink*, uint64_t> baseline_;
  std::vector<std::shared_ptr<CountingSink>> all_sinks_;
  std::shared_ptr<CountingSink> intx_sink_;
  std::shared_ptr<CountingSink> msi_sink_;
  MdevParent parent_;
  // After the parent, so handles close before it goes away.
  std::map<std::string, MdevHandle> handles_;  // by canonical UUID
  std::string current_;
};

}  // namespace

std::string Failure::ToString() const {
  std::string out = filename + ":" + std::to_string(line) + ": " + statement;
  out += "\n  expected: " + expected;
  out += "\n  actual:   " + actual;
  if (!explanation.empty()) out += "\n  decoded:  " + explanation;
  if (!device.empty()) {
    out += "\n  device:";
    size_t pos = 0;
    while (pos < device.size()) {
      size_t end = device.find('\n', pos);
      if (end == std::string::npos) end = device.size();
      out += "\n    " + device.substr(pos, end - pos);
      pos = end + 1;
    }
  }
  return out;
}

RunResult RunTrace(const Trace& trace, Profile profile,
                   const RunOptions& options) {
  return Replayer(trace, profile, options).Run();
}

std::string Verdict(const RunResult& result) {
  if (result.skipped) return "skipped";
  if (!result.failures.empty()) {
    return "FAIL (" + std::to_string(result.failures.size()) + ")";
  }
  if (!result.deviations.empty()) {
    return "known deviation (" + std::to_string(result.deviations.size()) + ")";
  }
  return "pass";
}

}  // namespace mtty::conformance
