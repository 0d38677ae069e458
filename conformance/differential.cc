// Copyright mtty-lab authors.
#include "conformance/differential.h"

#include <array>
#include <deque>
#include <utility>

#include "core/hex.h"
#include "core/uart16550.h"
#include "core/vfio_device.h"
#include "core/vfio_uapi.h"

namespace mtty::conformance {
namespace {

using PortState = Uart16550::State;

constexpr uint8_t kForcedQemuMcr = kMcrLoop | kMcrOut2 | kMcrRts | kMcrDtr;

// A register value as a byte, the way the sample and QEMU hold it.
std::string Hex2(unsigned v) { return Hex(v & 0xff, 2); }

const char* RegName(uint8_t offset, bool write) {
  static constexpr const char* kRead[] = {"RBR", "IER", "IIR", "LCR",
                                          "MCR", "LSR", "MSR", "SCR"};
  static constexpr const char* kWrite[] = {"THR", "IER", "FCR", "LCR",
                                           "MCR", "LSR", "MSR", "SCR"};
  if (offset > 7) return "?";
  return write ? kWrite[offset] : kRead[offset];
}

// A scratch 16550a port holding `st` (no callback), to ask what it reads.
// Loaded through the record so that a state no 16550a port could hold (a
// kernel-profile one) leaves the scratch port at its reset state.
Uart16550 Scratch(const PortState& st) {
  Uart16550 u(Profile::k16550a);
  (void)u.LoadState(st.Encode());
  return u;
}

// The profile's state under the allowlisted hypotheses: QEMU never has MSR
// delta bits (msr-delta), and, when a THRE skew was caused by an allowlisted
// event, QEMU's THRE latch is `q_thre` (thre-latch).
PortState Hypothesis(PortState st, bool zero_delta, std::optional<bool> thre,
                     std::optional<uint8_t> lsr_errors = std::nullopt) {
  if (zero_delta) st.msr_delta = 0;
  if (thre) st.thre_pending = *thre;
  if (lsr_errors) st.lsr_errors = *lsr_errors;
  return st;
}

// While only the OE/BI latches may differ (err_diverged), QEMU's latch is
// "no break, overrun unknown": the values QEMU may show.
constexpr uint8_t kQemuErrorHypotheses[] = {0, kLsrOe};

struct PortShadow {
  bool q_thre = false;       // QEMU's thr_ipending, by its rules
  bool q_fe = false;         // QEMU's FCR.FE
  bool skew_ok = false;      // q_thre != ours came from an allowlisted event
  bool rx_diverged = false;  // receive paths differ (break / FCR w/o FE)
  // Both receivers were cleared together after a divergence: contents
  // agree, but OE/BI latched before the clear may differ until the next
  // LSR read clears them on both sides.
  bool err_diverged = false;
};

}  // namespace

std::string UartOp::ToString() const {
  switch (kind) {
    case Kind::kReset:
      return "reset";
    case Kind::kRead:
      return "port" + std::to_string(port) + " r " + RegName(offset, false);
    case Kind::kWrite:
      return "port" + std::to_string(port) + " w " + RegName(offset, true) +
             " " + Hex2(value);
  }
  return "";
}

const std::vector<AllowlistEntry>& Allowlist() {
  static const std::vector<AllowlistEntry> kList = {
      {"msr-delta",
       "MSR bits 3:0 and the modem-status interrupt: the profile sets "
       "DCTS/DDSR/TERI/DDCD when MCR changes the looped modem inputs "
       "(entering/leaving loopback, or DTR/RTS/OUT1/OUT2 in loopback); QEMU "
       "computes no delta bits in loopback (serial_ioport_read, MSR case) "
       "and its null chardev has no modem lines.",
       "the profile follows the datasheet: in loopback the modem-status "
       "inputs are driven by MCR[3:0] and modem-status interrupts stay "
       "operational (PC16550D section 8.6)."},
      {"thre-latch",
       "THRE interrupt after an FCR write with bit 2 (TX FIFO reset) or a "
       "FIFO enable/disable change: QEMU sets thr_ipending even when THR was "
       "already empty; the profile re-arms THRE only when THR becomes empty "
       "(a THR write) or IER.THRI rises. Also covers THRE latches that differ "
       "because an IIR read reported a different source while the receive "
       "paths diverged (rx-break, fcr-without-enable).",
       "the datasheet sets the THRE interrupt when the transmitter holding "
       "register (FIFO) becomes empty and says nothing of a FIFO reset of an "
       "already empty FIFO; the profile takes the 'becomes empty' wording, "
       "QEMU re-arms on the reset. Neither contradicts the text."},
      {"rbr-empty-16450",
       "RBR read with FIFOs off and nothing received: QEMU returns the "
       "previous character again (s->rbr is not cleared), the profile "
       "returns 0.",
       "QEMU follows the datasheet/hardware: RBR is a holding register that "
       "keeps the last character. The profile returns 0 by design "
       "(core/UART.md, 'Empty RBR read')."},
      {"rx-break",
       "Break: when LCR bit 6 rises the profile's looped line goes spacing "
       "and it receives a 0x00 character with BI (and THR bytes written "
       "during the break are lost); QEMU only passes the break to the "
       "chardev. Until both receive paths are empty again (an LSR read with "
       "DR clear on both sides), RBR, LSR bits 4:0 and 7, IIR bits 3:0 and "
       "the interrupt line are not compared.",
       "the profile follows the datasheet: a spacing input longer than a "
       "full word is a break and loads one zero character with BI (PC16550D "
       "LSR bit 4); QEMU's loopback does not loop the break."},
      {"fcr-without-enable",
       "FCR written with bit 0 clear while FIFOs are off and bit 1 set: "
       "QEMU still clears the receiver (DR, the FIFO); the profile ignores "
       "bits 7:1 (bit 2 is covered by thre-latch). Receive comparisons pause "
       "as for rx-break.",
       "the profile follows the datasheet: 'FCR0 must be a 1 when other FCR "
       "bits are written to or they will not be programmed' (PC16550D FCR "
       "bit 0)."},
  };
  return kList;
}

std::string Mismatch::ToString() const {
  std::string out =
      context + " op #" + std::to_string(op_index) + " (" + op.ToString() +
      (op.line ? ", trace line " + std::to_string(op.line) : std::string()) +
      "): " + what + ": profile " + ours + ", QEMU " + qemu +
      ", expected from the profile under the allowlist " + expected_from_ours;
  if (!history.empty()) out += "\n  preceding operations:\n" + history;
  return out;
}

void DiffStats::Merge(const DiffStats& o) {
  ops += o.ops;
  reads_compared += o.reads_compared;
  lines_compared += o.lines_compared;
  skipped_rx_diverged += o.skipped_rx_diverged;
  for (const auto& [id, n] : o.allowed) allowed[id] += n;
  for (const Mismatch& m : o.mismatches) {
    if (mismatches.size() < kMaxMismatches) mismatches.push_back(m);
  }
}

bool ExtractUartOps(const Trace& trace, std::vector<UartOp>& ops) {
  ops.clear();
  const DeviceDecl& d = trace.device();
  int ports = 0;
  if (d.type == "mtty-1") ports = 1;
  if (d.type == "mtty-2") ports = 2;
  if (ports == 0) return false;
  for (const Statement& st : trace.statements) {
    if (std::holds_alternative<Lifecycle>(st.command)) {
      ops.clear();
      return false;
    }
  }
  for (const Statement& st : trace.statements) {
    if (st.only && *st.only != Profile::k16550a) continue;
    if (std::holds_alternative<Reset>(st.command)) {
      ops.push_back({UartOp::Kind::kReset, 0, 0, 0, st.line});
      continue;
    }
    const auto* a = std::get_if<Access>(&st.command);
    if (a == nullptr) continue;
    const auto bar = static_cast<int>(a->space);
    if (bar > 1 || bar >= ports) continue;
    if (a->offset + static_cast<uint64_t>(a->width) > 8) continue;
    for (int i = 0; i < a->width; ++i) {
      UartOp op;
      op.kind = a->write ? UartOp::Kind::kWrite : UartOp::Kind::kRead;
      op.port = static_cast<uint8_t>(bar);
      op.offset = static_cast<uint8_t>(a->offset + static_cast<uint64_t>(i));
      op.value = static_cast<uint8_t>(a->value >> (8 * i));
      op.line = st.line;
      ops.push_back(op);
    }
  }
  return true;
}

std::vector<UartOp> RandomProgram(std::mt19937& rng, size_t length) {
  // Offsets weighted towards the data path: THR/RBR 30%, IER 10%, IIR/FCR
  // 15%, LCR 10%, MCR 10%, LSR 12%, MSR 8%, SCR 5%.
  static constexpr int kWeights[8] = {30, 10, 15, 10, 10, 12, 8, 5};
  static constexpr uint8_t kFcrValues[] = {0x00, 0x01, 0x07, 0x41, 0x81,
                                           0xc1, 0x47, 0x87, 0xc7, 0x03,
                                           0x05, 0x02, 0x06, 0x04};
  std::vector<UartOp> ops;
  ops.reserve(length);
  for (size_t i = 0; i < length; ++i) {
    UartOp op;
    op.port = static_cast<uint8_t>(rng() % 2);
    int pick = static_cast<int>(rng() % 100);
    uint8_t offset = 0;
    while (pick >= kWeights[offset]) {
      pick -= kWeights[offset];
      ++offset;
    }
    op.offset = offset;
    const bool write = rng() % 100 < 55;
    op.kind = write ? UartOp::Kind::kWrite : UartOp::Kind::kRead;
    if (write) {
      auto v = static_cast<uint8_t>(rng());
      if (offset == kIirFcr && rng() % 2 == 0) {
        v = kFcrValues[rng() % std::size(kFcrValues)];
      }
      if (offset == kLcr) {
        // Break (bit 6) rarely, DLAB (bit 7) a quarter of the time: both
        // redirect or pause much of what follows.
        if (rng() % 16 != 0) v &= static_cast<uint8_t>(~kLcrBreak);
        if (rng() % 4 != 0) v &= static_cast<uint8_t>(~kLcrDlab);
      }
      op.value = v;
    }
    ops.push_back(op);
  }
  return ops;
}

std::vector<UartOp> ResyncProgram(uint8_t port) {
  using K = UartOp::Kind;
  return {
      {K::kWrite, port, kLcr, 0x00, 0},    {K::kWrite, port, kIer, 0x00, 0},
      {K::kWrite, port, kIirFcr, 0x07, 0}, {K::kWrite, port, kIirFcr, 0x00, 0},
      {K::kRead, port, kLsr, 0, 0},        {K::kRead, port, kRbrThr, 0, 0},
      {K::kRead, port, kLsr, 0, 0},        {K::kWrite, port, kMcr, 0x00, 0},
      {K::kRead, port, kMsr, 0, 0},        {K::kWrite, port, kScr, 0x00, 0},
      {K::kWrite, port, kLcr, 0x80, 0},    {K::kWrite, port, kRbrThr, 0x00, 0},
      {K::kWrite, port, kIer, 0x00, 0},    {K::kWrite, port, kLcr, 0x00, 0},
      {K::kRead, port, kIirFcr, 0, 0},
  };
}

class Differential::Impl {
 public:
  Status Start() {
    qemu_.reset();
    Result<std::unique_ptr<QemuQtest>> q = QemuQtest::Start({});
    if (!q.ok()) return q.status();
    qemu_ = std::move(q).value();
    // Normalise QEMU's reset values (MCR OUT2, divisor 12) to the
    // datasheet's / profile's (0), with QEMU kept in loopback.
    std::vector<std::string> cmds;
    for (int p = 0; p < 2; ++p) {
      const unsigned base = kQemuUartBase[p];
      auto out = [&](unsigned off, unsigned v) {
        cmds.push_back("outb " + Hex(base + off) + " " + Hex(v));
      };
      out(kLcr, 0x80);
      out(kRbrThr, 0x00);
      out(kIer, 0x00);
      out(kLcr, 0x00);
      out(kMcr, kForcedQemuMcr);
    }
    Result<std::vector<QemuQtest::Reply>> r = qemu_->Exchange(cmds);
    if (!r.ok()) return r.status();
    for (const auto& reply : *r) {
      if (!reply.ok) return Status::Error(-EIO);
    }
    for (PortShadow& s : shadow_) s = PortShadow();
    return Status::Ok();
  }

  void FreshDevice(Profile profile) {
    profile_ = profile;
    dev_ = std::make_unique<MttyDevice>(
        DeviceOptions{.nr_ports = 2, .profile = profile});
  }

  Status Run(const std::vector<UartOp>& ops, const std::string& context,
             DiffStats& stats) {
    size_t begin = 0;
    while (begin < ops.size()) {
      if (ops[begin].kind == UartOp::Kind::kReset) {
        ++stats.ops;
        (void)dev_->Reset();
        if (Status s = Start(); !s.ok()) return s;
        ++begin;
        continue;
      }
      size_t end = begin;
      while (end < ops.size() && ops[end].kind != UartOp::Kind::kReset) ++end;
      if (Status s = RunChunk(ops, begin, end, context, stats); !s.ok()) {
        return s;
      }
      begin = end;
    }
    return Status::Ok();
  }

 private:
  struct OurStep {
    PortState before;                // the op's port, before
    std::array<PortState, 2> after;  // both ports, after
    uint8_t value = 0;               // reads
  };

  // The device saved the record itself, so it always decodes.
  PortState Port(const DeviceState& st, int port) const {
    return PortState::Decode(profile_, st.ports[static_cast<size_t>(port)])
        .value();
  }

  OurStep Step(const UartOp& op) {
    OurStep s;
    s.before = Port(dev_->state(), op.port);
    const uint64_t pos = vfio::RegionOffset(op.port) | op.offset;
    uint8_t b = op.value;
    if (op.kind == UartOp::Kind::kWrite) {
      (void)dev_->Write(pos, std::span<const uint8_t>(&b, 1));
    } else {
      (void)dev_->Read(pos, std::span<uint8_t>(&b, 1));
      s.value = b;
    }
    const DeviceState st = dev_->state();
    s.after = {Port(st, 0), Port(st, 1)};
    return s;
  }

  static std::string QemuCommand(const UartOp& op) {
    const unsigned port = kQemuUartBase[op.port] + op.offset;
    if (op.kind == UartOp::Kind::kRead) return "inb " + Hex(port);
    uint8_t v = op.value;
    if (op.offset == kMcr && !(v & kMcrLoop)) v = kForcedQemuMcr;
    return "outb " + Hex(port) + " " + Hex(v);
  }

  Status RunChunk(const std::vector<UartOp>& ops, size_t begin, size_t end,
                  const std::string& context, DiffStats& stats) {
    std::vector<OurStep> ours;
    std::vector<std::string> cmds;
    ours.reserve(end - begin);
    for (size_t i = begin; i < end; ++i) {
      ours.push_back(Step(ops[i]));
      cmds.push_back(QemuCommand(ops[i]));
    }
    Result<std::vector<QemuQtest::Reply>> replies = qemu_->Exchange(cmds);
    if (!replies.ok()) return replies.status();
    for (size_t i = begin; i < end; ++i) {
      const QemuQtest::Reply& q = (*replies)[i - begin];
      if (!q.ok) return Status::Error(-EIO);
      Compare(ops[i], i, ours[i - begin], q, context, stats);
    }
    return Status::Ok();
  }

  void Allow(DiffStats& stats, const char* id) { ++stats.allowed[id]; }

  void Fail(DiffStats& stats, const std::string& context, size_t index,
            const UartOp& op, const char* what, const std::string& ours,
            const std::string& qemu, const std::string& expected) {
    if (stats.mismatches.size() >= DiffStats::kMaxMismatches) return;
    Mismatch m;
    m.context = context;
    m.op_index = index;
    m.op = op;
    m.what = what;
    m.ours = ours;
    m.qemu = qemu;
    m.expected_from_ours = expected;
    for (const std::string& h : history_) m.history += "    " + h + "\n";
    stats.mismatches.push_back(std::move(m));
  }

  // Applies QEMU's THRE-latch rules and the divergence triggers for a write.
  void ShadowWrite(const UartOp& op, const OurStep& s, DiffStats& stats) {
    PortShadow& sh = shadow_[op.port];
    const PortState& pre = s.before;
    const bool dlab = (pre.lcr & kLcrDlab) != 0;
    switch (op.offset) {
      case kRbrThr:
        if (dlab) break;
        if (pre.lcr & kLcrBreak) {
          sh.rx_diverged = true;  // lost on the profile's spacing line
          Allow(stats, "rx-break");
        }
        sh.q_thre = true;  // serial_xmit(): THR empty again
        break;
      case kIer:
        if (dlab) break;
        if ((pre.ier ^ op.value) & kIerThri) {
          sh.q_thre = (op.value & kIerThri) != 0;
        }
        break;
      case kIirFcr: {
        const bool fe = (op.value & kFcrEnable) != 0;
        if ((op.value & kFcrClearTx) || fe != sh.q_fe) sh.q_thre = true;
        if (!fe && !sh.q_fe && (op.value & kFcrClearRx) && pre.rx_count > 0) {
          sh.rx_diverged = true;
          Allow(stats, "fcr-without-enable");
        } else if (sh.rx_diverged && !(pre.lcr & kLcrBreak) &&
                   (fe != sh.q_fe || (fe && (op.value & kFcrClearRx)))) {
          // Both sides empty their receivers here.
          sh.rx_diverged = false;
          sh.err_diverged = true;
        }
        sh.q_fe = fe;
        if (s.after[op.port].thre_pending != sh.q_thre) sh.skew_ok = true;
        break;
      }
      case kLcr:
        if (!(pre.lcr & kLcrBreak) && (op.value & kLcrBreak)) {
          sh.rx_diverged = true;  // the profile receives a break character
          sh.err_diverged = false;
          Allow(stats, "rx-break");
        }
        break;
      default:
        break;
    }
  }

  void CompareRead(const UartOp& op, size_t index, const OurStep& s,
                   const QemuQtest::Reply& q, const std::string& context,
                   DiffStats& stats) {
    PortShadow& sh = shadow_[op.port];
    const PortState& pre = s.before;
    const bool dlab = (pre.lcr & kLcrDlab) != 0;
    const uint8_t o = s.value;
    const auto qv = static_cast<uint8_t>(q.value);
    ++stats.reads_compared;
    auto fail = [&](const char* what, uint8_t expected) {
      Fail(stats, context, index, op, what, Hex2(o), Hex2(qv), Hex2(expected));
    };
    if (dlab && op.offset <= kIer) {
      if (o != qv) fail("divisor latch", o);
      return;
    }
    switch (op.offset) {
      case kRbrThr:
        if (sh.rx_diverged) {
          ++stats.skipped_rx_diverged;
        } else if (o != qv) {
          const bool empty_16450 =
              !(pre.fcr & kFcrEnable) && pre.rx_count == 0 && o == 0;
          if (empty_16450) {
            Allow(stats, "rbr-empty-16450");
          } else {
            fail("RBR", o);
          }
        }
        return;
      case kIirFcr: {
        const bool q_reports_thre = (qv & 0x0f) == kIirThri;
        if (sh.rx_diverged) {
          ++stats.skipped_rx_diverged;
          if ((o & kIirFifoMask) != (qv & kIirFifoMask))
            fail("IIR bits 7:6", o);
          if (q_reports_thre != ((o & 0x0f) == kIirThri)) sh.skew_ok = true;
        } else {
          const std::optional<bool> thre =
              sh.skew_ok ? std::optional<bool>(sh.q_thre) : std::nullopt;
          uint8_t expect = Scratch(Hypothesis(pre, true, thre)).Peek(kIirFcr);
          if (sh.err_diverged && expect != qv) {
            for (uint8_t err : kQemuErrorHypotheses) {
              const uint8_t e =
                  Scratch(Hypothesis(pre, true, thre, err)).Peek(kIirFcr);
              if (e == qv) {
                expect = e;
                Allow(stats, "rx-break");
              }
            }
          }
          if (expect != qv) {
            fail("IIR", expect);
          } else {
            if (o != qv && !sh.err_diverged) {
              const uint8_t delta_only =
                  Scratch(Hypothesis(pre, true, std::nullopt)).Peek(kIirFcr);
              Allow(stats, delta_only == qv ? "msr-delta" : "thre-latch");
            }
            // An allowed difference in the reported id can leave one side's
            // THRE latch cleared by this read and the other's not.
            if (q_reports_thre != ((o & 0x0f) == kIirThri)) sh.skew_ok = true;
          }
        }
        if (q_reports_thre) sh.q_thre = false;  // QEMU cleared it
        return;
      }
      case kMcr: {
        const uint8_t expect = (o & kMcrLoop) ? o : kForcedQemuMcr;
        if (expect != qv) fail("MCR (QEMU kept in loopback)", expect);
        return;
      }
      case kLsr:
        if (sh.rx_diverged) {
          ++stats.skipped_rx_diverged;
          const uint8_t tx = kLsrThre | kLsrTemt;
          if ((o & tx) != (qv & tx)) fail("LSR THRE/TEMT", o);
          if (!(o & kLsrDr) && !(qv & kLsrDr)) sh.rx_diverged = false;
        } else if (sh.err_diverged) {
          // OE/BI latched before the common clear (and bit 7, which follows
          // BI) may differ; this read clears them on both sides.
          const auto mask =
              static_cast<uint8_t>(~(kLsrOe | kLsrBi | kLsrFifoError));
          if ((o & mask) != (qv & mask)) fail("LSR (OE/BI masked)", o);
          if (o != qv) Allow(stats, "rx-break");
          sh.err_diverged = false;
        } else if (o != qv) {
          fail("LSR", o);
        }
        return;
      case kMsr: {
        const auto expect = static_cast<uint8_t>(o & 0xf0);
        if (expect != qv) {
          fail("MSR", expect);
        } else if (o != qv) {
          Allow(stats, "msr-delta");
        }
        return;
      }
      default:  // IER, LCR, SCR
        if (o != qv) fail(RegName(op.offset, false), o);
        return;
    }
  }

  void Compare(const UartOp& op, size_t index, const OurStep& s,
               const QemuQtest::Reply& q, const std::string& context,
               DiffStats& stats) {
    ++stats.ops;
    if (op.kind == UartOp::Kind::kWrite) {
      ShadowWrite(op, s, stats);
    } else {
      CompareRead(op, index, s, q, context, stats);
    }
    // Interrupt lines of both ports.
    for (int p = 0; p < 2; ++p) {
      PortShadow& sh = shadow_[p];
      const bool ours = Scratch(s.after[p]).InterruptAsserted();
      const bool qline = q.irq[static_cast<size_t>(kQemuUartIrq[p])];
      const std::optional<bool> thre =
          sh.skew_ok ? std::optional<bool>(sh.q_thre) : std::nullopt;
      if (s.after[p].thre_pending == sh.q_thre) sh.skew_ok = false;
      if (sh.rx_diverged) {
        ++stats.skipped_rx_diverged;
        continue;
      }
      ++stats.lines_compared;
      bool expect =
          Scratch(Hypothesis(s.after[p], true, thre)).InterruptAsserted();
      if (sh.err_diverged && expect != qline) {
        for (uint8_t err : kQemuErrorHypotheses) {
          if (Scratch(Hypothesis(s.after[p], true, thre, err))
                  .InterruptAsserted() == qline) {
            expect = qline;
            Allow(stats, "rx-break");
          }
        }
      }
      if (expect != qline) {
        Fail(stats, context, index, op,
             p == 0 ? "IRQ line (port 0)" : "IRQ line (port 1)",
             ours ? "1" : "0", qline ? "1" : "0", expect ? "1" : "0");
      } else if (ours != qline) {
        const bool delta_only =
            Scratch(Hypothesis(s.after[p], true, std::nullopt))
                .InterruptAsserted();
        Allow(stats, delta_only == qline ? "msr-delta" : "thre-latch");
      }
    }
    std::string h = op.ToString();
    if (op.kind == UartOp::Kind::kRead) {
      h += " -> profile " + Hex2(s.value) + ", QEMU " + Hex2(q.value);
    }
    history_.push_back(std::move(h));
    if (history_.size() > 16) history_.pop_front();
  }

  std::unique_ptr<QemuQtest> qemu_;
  std::unique_ptr<MttyDevice> dev_;
  Profile profile_ = Profile::k16550a;  // dev_'s
  std::array<PortShadow, 2> shadow_;
  std::deque<std::string> history_;  // the last 16 operations, for reports
};

Differential::Differential(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

Differential::~Differential() = default;

Result<std::unique_ptr<Differential>> Differential::Create(Profile profile) {
  auto impl = std::make_unique<Impl>();
  if (Status s = impl->Start(); !s.ok()) return s;
  impl->FreshDevice(profile);
  return std::unique_ptr<Differential>(new Differential(std::move(impl)));
}

Status Differential::Run(const std::vector<UartOp>& ops,
                         const std::string& context, DiffStats& stats) {
  return impl_->Run(ops, context, stats);
}

}  // namespace mtty::conformance
