// Copyright mtty-lab authors.
//
// The two profiles' register behaviour (Uart16550::KernelProfile and
// Uart16550::Uart16550aProfile) and the per-access path that picks one:
// ReadInline, WriteInline and what they call. Included by uart16550.cc and
// by the device (vfio_device.cc), whose 1-byte BAR fast path then runs the
// whole register access without another call: an access is a few
// nanoseconds, so calls and frames would be a large share of it
// (bench/bar_access_bench). Not a public header: include uart16550.h.
#ifndef MTTY_CORE_UART16550_INL_H_
#define MTTY_CORE_UART16550_INL_H_

#include <cstdint>
#include <span>

#include "core/uart16550.h"

namespace mtty {
namespace uart_internal {

// The sample's `max_fifo_size` without FIFOs: one holding register.
inline constexpr uint8_t kNoFifoCapacity = 1;

// FCR bits a 16550A keeps: trigger, DMA mode, enable. Bits 1/2 self-clear.
inline constexpr uint8_t kFcrStoredMask =
    kFcrTriggerMask | kFcrDmaMode | kFcrEnable;

// The kernel's MSR: DSR, DDSR and DCD always on; CTS|DCTS unless flow
// control (MCR.AFE) sees a full FIFO.
inline constexpr uint8_t kKernelMsrBase = kMsrDsr | kMsrDdsr | kMsrDcd;
inline constexpr uint8_t kKernelMsrCts = kMsrCts | kMsrDcts;

// Outside loopback, the 16550a profile's modem inputs are wired as a cable
// with a ready peer: CTS, DSR and DCD asserted, no ring.
inline constexpr uint8_t kFixedModemInputs = kMsrCts | kMsrDsr | kMsrDcd;

inline uint8_t TriggerFromFcr(uint8_t fcr) {
  switch (fcr & kFcrTriggerMask) {
    case kFcrTrigger4:
      return 4;
    case kFcrTrigger8:
      return 8;
    case kFcrTrigger14:
      return 14;
    default:
      return 1;
  }
}

}  // namespace uart_internal

// The per-access path is always_inline (all but the rarely written FCR and
// MCR paths and ClearRx): clang's `flatten` on the device's Read/Write marks
// only the calls written in their bodies, and its heuristics leave these
// larger helpers out of line otherwise. For the same reason the lambdas the
// entry points hand to WithProfile carry __attribute__((always_inline)), the
// one spelling clang accepts on a lambda.

// Profile kKernel: handle_bar_read / handle_bar_write of the sample, with an
// honest count in place of the head == tail emptiness test.
class Uart16550::KernelProfile {
 public:
  // mtty_init_dev sets only max_fifo_size; the trigger level stays 0 until
  // the first FCR write.
  static constexpr uint8_t kPowerOnTriggerLevel = 0;
  static constexpr uint8_t kPowerOnRxCapacity = kFifoCapacity;
  // The sample has no interrupt level, only the events its handlers signal.
  static constexpr bool kHasInterruptOutput = false;

  // The OR of the ids of the enabled pending sources, or kIirNoInt.
  static uint8_t InterruptId(const Registers& r);
  static uint8_t Iir(const Registers& r) {
    return InterruptId(r) | kIirFifoMask;
  }
  static uint8_t Peek(const Registers& r, uint8_t offset);
  static uint8_t Read(Registers& r, uint8_t offset, int& events);
  static void Write(Registers& r, uint8_t offset, uint8_t value, int& events);
  static void AdvanceTime(Registers&, uint64_t) {}
  static const char* RecordError(const State& st,
                                 std::span<const uint8_t> record);
};

// Profile k16550a: the PC16550D datasheet, TX wired to RX.
class Uart16550::Uart16550aProfile {
 public:
  // Master reset: FIFOs off, a 1-byte holding register.
  static constexpr uint8_t kPowerOnTriggerLevel = 1;
  static constexpr uint8_t kPowerOnRxCapacity = uart_internal::kNoFifoCapacity;
  // INTR: IIR bit 0 clear, not gated by OUT2 (as in QEMU).
  static constexpr bool kHasInterruptOutput = true;

  // The id of the highest-priority enabled pending source, or kIirNoInt.
  static uint8_t InterruptId(const Registers& r);
  static uint8_t Iir(const Registers& r) {
    return InterruptId(r) | (r.fifo_enabled() ? kIirFifoMask : 0);
  }
  static uint8_t Peek(const Registers& r, uint8_t offset);
  // Signals no events itself: its interrupts are INTR's rising edges.
  static uint8_t Read(Registers& r, uint8_t offset, int& events);
  static void Write(Registers& r, uint8_t offset, uint8_t value, int& events);
  static void AdvanceTime(Registers& r, uint64_t ns);
  static const char* RecordError(const State& st,
                                 std::span<const uint8_t> record);

 private:
  static uint8_t Lsr(const Registers& r);
  static uint8_t ModemInputs(const Registers& r);
  static void WriteFcr(Registers& r, uint8_t value);
  static void WriteMcr(Registers& r, uint8_t value);
  // Delivers one character to the receiver: overrun, break latch.
  static void Receive(Registers& r, uint8_t byte, uint8_t error_flags);
  static void ClearRx(Registers& r);
};

template <typename F>
[[gnu::always_inline]] inline decltype(auto) Uart16550::WithProfile(
    Profile profile, F&& f) {
  if (profile == Profile::kKernel) return f(KernelProfile{});
  return f(Uart16550aProfile{});
}

// No profile's read raises its INTR output (a 16550a read only pops, clears
// latches and acknowledges; the bar_access fuzzer's reference model checks
// this), so a read skips the level check and fires only its own events.
template <typename P>
[[gnu::always_inline]] inline uint8_t Uart16550::ReadAs(uint8_t offset) {
  int events = 0;
  const uint8_t value = P::Read(regs_, offset, events);
  Fire(events);
  return value;
}

template <typename P>
[[gnu::always_inline]] inline void Uart16550::WriteAs(uint8_t offset,
                                                      uint8_t value) {
  const bool was_asserted = OutputAsserted<P>();
  int events = 0;
  P::Write(regs_, offset, value, events);
  Signal<P>(was_asserted, events);
}

template <typename P>
[[gnu::always_inline]] inline bool Uart16550::OutputAsserted() const {
  return P::kHasInterruptOutput && P::InterruptId(regs_) != kIirNoInt;
}

template <typename P>
[[gnu::always_inline]] inline void Uart16550::Signal(bool was_asserted,
                                                     int events) {
  Fire(events);
  if (!was_asserted && OutputAsserted<P>()) Fire(1);
}

[[gnu::always_inline]] inline void Uart16550::Fire(int times) {
  for (int i = 0; i < times; ++i) {
    if (interrupt_callback_) interrupt_callback_();
  }
}

[[gnu::always_inline]] inline uint8_t Uart16550::KernelProfile::InterruptId(
    const Registers& r) {
  uint8_t id = 0;
  if ((r.ier & kIerRlsi) && (r.lsr_errors & kLsrOe)) id |= kIirRlsi;
  if ((r.ier & kIerRdi) && r.rx.size() >= r.trigger_level) id |= kIirRdi;
  if ((r.ier & kIerThri) && r.rx.empty()) id |= kIirThri;
  // The sample also ORs kIirMsi (0x00) when IER.MSI and MCR has RTS or DTR,
  // which cannot change the value: a modem-status-only port reads "none".
  return id == 0 ? kIirNoInt : id;
}

[[gnu::always_inline]] inline uint8_t Uart16550::KernelProfile::Peek(
    const Registers& r, uint8_t offset) {
  switch (offset) {
    case kRbrThr:
      if (r.dlab()) return static_cast<uint8_t>(r.divisor & 0xff);
      // The sample leaves the byte unwritten when empty (a stack leak); 0 is
      // the safe stand-in.
      return r.rx.Peek().value_or(0);
    case kIer:
      if (r.dlab()) return static_cast<uint8_t>(r.divisor >> 8);
      return r.ier & 0x0f;
    case kIirFcr:
      return Iir(r);
    case kLcr:
      return r.lcr;
    case kMcr:
      return r.mcr;
    case kLsr: {
      uint8_t lsr = 0;
      if (!r.rx.empty()) lsr |= kLsrDr;
      if (r.lsr_errors & kLsrOe) lsr |= kLsrOe;
      if (r.rx.empty()) lsr |= kLsrTemt | kLsrThre;
      return lsr;
    }
    case kMsr: {
      const bool flow_stopped =
          (r.mcr & kMcrAfe) != 0 && r.rx.size() >= r.rx_capacity;
      return uart_internal::kKernelMsrBase |
             (flow_stopped ? 0 : uart_internal::kKernelMsrCts);
    }
    case kScr:
      return r.scr;
    default:
      return 0;
  }
}

[[gnu::always_inline]] inline uint8_t Uart16550::KernelProfile::Read(
    Registers& r, uint8_t offset, int& events) {
  // RBR is the only register whose read changes anything.
  if (offset != kRbrThr || r.dlab()) return Peek(r, offset);
  // The sample leaves the byte unwritten when empty (a stack leak); 0 is
  // the safe stand-in.
  const uint8_t value = r.rx.Pop().value_or(0);
  // Fires whenever the FIFO is empty after the read, even if it already was.
  if (r.rx.empty() && (r.ier & kIerThri)) ++events;
  return value;
}

[[gnu::always_inline]] inline void Uart16550::KernelProfile::Write(
    Registers& r, uint8_t offset, uint8_t value, int& events) {
  // THR ahead of the switch: a guest's transmit loop writes it far more
  // than anything else, and a compare beats the jump table.
  if (offset == kRbrThr) [[likely]] {
    if (r.dlab()) {
      r.divisor |= value;
      return;
    }
    if (r.rx.size() < r.rx_capacity && r.rx.Push(value)) {
      r.SetLsrErrors(r.lsr_errors & static_cast<uint8_t>(~kLsrOe));
      if ((r.ier & kIerRdi) && r.rx.size() == r.trigger_level) ++events;
      return;
    }
    r.SetLsrErrors(r.lsr_errors | kLsrOe);
    if (r.ier & kIerRlsi) ++events;
    return;
  }
  switch (offset) {
    case kIer:
      if (r.dlab()) {
        r.divisor |= static_cast<uint16_t>(value << 8);
        return;
      }
      r.ier = value;
      if ((value & kIerThri) && r.rx.empty()) ++events;
      return;
    case kIirFcr:
      r.fcr = value;
      // Overrun survives the clear, as in the sample.
      if (value & (kFcrClearRx | kFcrClearTx)) r.rx.Clear();
      // The sample computes 1/4/8/14 and then overwrites it with 1.
      r.trigger_level = 1;
      r.rx_capacity =
          (value & kFcrEnable) ? kFifoCapacity : uart_internal::kNoFifoCapacity;
      return;
    case kLcr:
      if (value & kLcrDlab) r.divisor = 0;
      r.lcr = value;
      return;
    case kMcr:
      r.mcr = value;
      if ((r.ier & kIerMsi) && (value & kMcrOut2)) ++events;
      if ((r.ier & kIerMsi) && (value & (kMcrRts | kMcrDtr))) ++events;
      return;
    case kScr:
      r.scr = value;
      return;
    default:  // LSR and MSR writes are ignored.
      return;
  }
}

[[gnu::always_inline]] inline uint8_t Uart16550::Uart16550aProfile::InterruptId(
    const Registers& r) {
  // Nothing enabled is the common case on a polled port, and it keeps the
  // two INTR checks around every write down to one test each.
  if (r.ier == 0) return kIirNoInt;
#if defined(MTTY_CANARY_IIR_PRIORITY)
  // Canary iir_priority (tools/canary): THRE outranks every other source.
  if ((r.ier & kIerThri) && r.thre_pending) return kIirThri;
#endif
  if ((r.ier & kIerRlsi) &&
      (r.lsr_errors & (kLsrOe | kLsrPe | kLsrFe | kLsrBi))) {
    return kIirRlsi;
  }
  if ((r.ier & kIerRdi) && r.rx.size() >= r.trigger_level) return kIirRdi;
  if ((r.ier & kIerRdi) && r.cti_pending) return kIirCti;
  if ((r.ier & kIerThri) && r.thre_pending) return kIirThri;
  if ((r.ier & kIerMsi) && r.msr_delta != 0) return kIirMsi;
  return kIirNoInt;
}

[[gnu::always_inline]] inline uint8_t Uart16550::Uart16550aProfile::Lsr(
    const Registers& r) {
  // Transmission is instantaneous, so THR and the shift register are always
  // empty by the time software can look.
  uint8_t lsr = kLsrThre | kLsrTemt | r.lsr_errors;
  if (!r.rx.empty()) lsr |= kLsrDr;
  if (r.fifo_enabled() && r.rx_flags.AnyNonZero()) lsr |= kLsrFifoError;
  return lsr;
}

[[gnu::always_inline]] inline uint8_t Uart16550::Uart16550aProfile::ModemInputs(
    const Registers& r) {
  if (!(r.mcr & kMcrLoop)) return uart_internal::kFixedModemInputs;
  uint8_t inputs = 0;
  if (r.mcr & kMcrRts) inputs |= kMsrCts;
  if (r.mcr & kMcrDtr) inputs |= kMsrDsr;
  if (r.mcr & kMcrOut1) inputs |= kMsrRi;
  if (r.mcr & kMcrOut2) inputs |= kMsrDcd;
  return inputs;
}

[[gnu::always_inline]] inline uint8_t Uart16550::Uart16550aProfile::Peek(
    const Registers& r, uint8_t offset) {
  switch (offset) {
    case kRbrThr:
      if (r.dlab()) return static_cast<uint8_t>(r.divisor & 0xff);
      return r.rx.Peek().value_or(0);
    case kIer:
      if (r.dlab()) return static_cast<uint8_t>(r.divisor >> 8);
      return r.ier;
    case kIirFcr:
      return Iir(r);
    case kLcr:
      return r.lcr;
    case kMcr:
      return r.mcr;
    case kLsr:
      return Lsr(r);
    case kMsr:
      return ModemInputs(r) | r.msr_delta;
    case kScr:
      return r.scr;
    default:
      return 0;
  }
}

[[gnu::always_inline]] inline uint8_t Uart16550::Uart16550aProfile::Read(
    Registers& r, uint8_t offset, int& /*events*/) {
  switch (offset) {
    case kRbrThr: {
      if (r.dlab()) return static_cast<uint8_t>(r.divisor & 0xff);
      const uint8_t value = r.rx.Pop().value_or(0);
      r.rx_flags.Pop();
      r.cti_pending = false;
      r.idle_ns = 0;
      return value;
    }
    case kIirFcr: {
      const uint8_t iir = Iir(r);
      // Reading IIR clears THRE only when THRE is what it reports.
      if ((iir & 0x0f) == kIirThri) r.thre_pending = false;
      return iir;
    }
    case kLsr: {
      const uint8_t lsr = Lsr(r);
      r.SetLsrErrors(0);
      return lsr;
    }
    case kMsr: {
      const uint8_t msr = ModemInputs(r) | r.msr_delta;
      if (r.msr_delta != 0) r.msr_delta = 0;  // store only on a change
      return msr;
    }
    default:
      return Peek(r, offset);
  }
}

[[gnu::always_inline]] inline void Uart16550::Uart16550aProfile::Receive(
    Registers& r, uint8_t byte, uint8_t error_flags) {
  // A new character restarts the timeout and ends any pending one.
  r.cti_pending = false;
  r.idle_ns = 0;
#if defined(MTTY_CANARY_FIFO_COUNT_OFF_BY_ONE)
  // Canary fifo_count_off_by_one (tools/canary): one byte past capacity.
  if (r.rx.size() > r.rx_capacity) {
#else
  if (r.rx.size() >= r.rx_capacity) {
#endif
    r.SetLsrErrors(r.lsr_errors | kLsrOe);
    // FIFO mode: the character in the shift register is lost, the FIFO kept.
    if (r.fifo_enabled()) return;
    // 16450 mode: the new character overwrites the unread one (the holding
    // register is the only slot).
    r.rx.ReplaceNewest(byte);
    // Replacing a zero flag with zero changes nothing; skipping that store
    // keeps the flags FIFO's loads off the byte store just made.
    if (error_flags != 0 || r.rx_flags.AnyNonZero()) {
      r.rx_flags.ReplaceNewest(error_flags);
    }
    r.SetLsrErrors(r.lsr_errors | error_flags);
    return;
  }
  r.rx.Push(byte);
  r.rx_flags.Push(error_flags);
  r.SetLsrErrors(r.lsr_errors | error_flags);
}

inline void Uart16550::Uart16550aProfile::ClearRx(Registers& r) {
  r.rx.Clear();
  r.rx_flags.Clear();
  r.cti_pending = false;
  r.idle_ns = 0;
}

inline void Uart16550::Uart16550aProfile::WriteFcr(Registers& r,
                                                   uint8_t value) {
  const bool enable = (value & kFcrEnable) != 0;
  if (enable != r.fifo_enabled()) {
    ClearRx(r);  // the TX FIFO is always empty: transmission is instant
  }
  if (!enable) {
    // Without bit 0 the other FCR bits are not taken.
    r.fcr = 0;
    r.trigger_level = 1;
    r.rx_capacity = uart_internal::kNoFifoCapacity;
    return;
  }
  if (value & kFcrClearRx) ClearRx(r);
  r.fcr = value & uart_internal::kFcrStoredMask;
  r.trigger_level = uart_internal::TriggerFromFcr(r.fcr);
  r.rx_capacity = kFifoCapacity;
}

inline void Uart16550::Uart16550aProfile::WriteMcr(Registers& r,
                                                   uint8_t value) {
  const uint8_t before = ModemInputs(r);
  r.mcr = value & 0x1f;  // bits 7:5 read 0 on a 16550A
  const uint8_t after = ModemInputs(r);
  const uint8_t changed = before ^ after;
  if (changed & kMsrCts) r.msr_delta |= kMsrDcts;
  if (changed & kMsrDsr) r.msr_delta |= kMsrDdsr;
  if (changed & kMsrDcd) r.msr_delta |= kMsrDdcd;
  if ((before & kMsrRi) && !(after & kMsrRi)) r.msr_delta |= kMsrTeri;
}

[[gnu::always_inline]] inline void Uart16550::Uart16550aProfile::Write(
    Registers& r, uint8_t offset, uint8_t value, int& /*events*/) {
  if (offset == kRbrThr) [[likely]] {  // as in KernelProfile::Write
    if (r.dlab()) {
      r.divisor = static_cast<uint16_t>((r.divisor & 0xff00) | value);
      return;
    }
    // The write empties THR (clearing THRE), the character leaves at once
    // and THR is empty again: net effect, THRE is (re)armed. During a break
    // the line is held spacing and the character never arrives.
    if (!(r.lcr & kLcrBreak)) Receive(r, value, 0);
    r.thre_pending = true;
    return;
  }
  switch (offset) {
    case kIer: {
      if (r.dlab()) {
        r.divisor = static_cast<uint16_t>((r.divisor & 0x00ff) | (value << 8));
        return;
      }
      const uint8_t before = r.ier;
      r.ier = value & 0x0f;
      // THR is always empty, so enabling THRI raises THRE (rising edge only).
      if (!(before & kIerThri) && (r.ier & kIerThri)) r.thre_pending = true;
      return;
    }
    case kIirFcr:
      WriteFcr(r, value);
      return;
    case kLcr: {
      const uint8_t before = r.lcr;
      r.lcr = value;
      // The looped-back line goes spacing: the receiver loads one break
      // character (0x00 with BI).
      if (!(before & kLcrBreak) && (value & kLcrBreak)) {
        Receive(r, 0x00, kLsrBi);
      }
      return;
    }
    case kMcr:
      WriteMcr(r, value);
      return;
    case kScr:
      r.scr = value;
      return;
    default:  // LSR and MSR writes are factory-test only: ignored.
      return;
  }
}

// Last, below every template they reach: placed above ReadAs and WriteAs,
// they got those two out of line from clang 14, always_inline or not.
[[gnu::always_inline]] inline uint8_t Uart16550::ReadInline(uint8_t offset) {
  if (offset >= kUartRegisterCount) return 0;
  return WithProfile(
      profile_, [&](auto p) __attribute__((always_inline)) {
        return ReadAs<decltype(p)>(offset);
      });
}

[[gnu::always_inline]] inline void Uart16550::WriteInline(uint8_t offset,
                                                          uint8_t value) {
  if (offset >= kUartRegisterCount) return;
  WithProfile(
      profile_, [&](auto p) __attribute__((always_inline)) {
        WriteAs<decltype(p)>(offset, value);
      });
}

}  // namespace mtty

#endif  // MTTY_CORE_UART16550_INL_H_
