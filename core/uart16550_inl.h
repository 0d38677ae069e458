// Copyright mtty-lab authors.
//
// Inline definitions of Uart16550's per-access path: Read, Write and what
// they call. Included by uart16550.cc and by the device (vfio_device.cc),
// whose 1-byte BAR fast path then runs the whole register access without
// another call (bench/bar_access_bench: about a third of the cost of an
// access was calls and frames). Not a public header: include uart16550.h.
#ifndef MTTY_CORE_UART16550_INL_H_
#define MTTY_CORE_UART16550_INL_H_

#include <cstdint>

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
// larger helpers out of line otherwise.
//
// Read and Write are the per-access path (bench/bar_access_bench): each
// profile gets its own switch, and only the accesses that can raise an
// interrupt look at the interrupt state.
[[gnu::always_inline]] inline uint8_t Uart16550::ReadInline(uint8_t offset) {
  if (offset >= kUartRegisterCount) return 0;
  return profile_ == Profile::kKernel ? ReadKernel(offset) : Read16550a(offset);
}

[[gnu::always_inline]] inline void Uart16550::WriteInline(uint8_t offset,
                                                          uint8_t value) {
  if (offset >= kUartRegisterCount) return;
  if (profile_ == Profile::kKernel) {
    Fire(WriteKernel(offset, value));
    return;
  }
  const bool was_asserted = Pending16550a();
  Write16550a(offset, value);
  if (!was_asserted && Pending16550a()) Fire(1);
}

[[gnu::always_inline]] inline void Uart16550::Fire(int times) {
  for (int i = 0; i < times; ++i) {
    if (interrupt_callback_) interrupt_callback_();
  }
}

[[gnu::always_inline]] inline uint8_t Uart16550::KernelIir() const {
  uint8_t iir = 0;
  if ((ier_ & kIerRlsi) && (lsr_errors_ & kLsrOe)) iir |= kIirRlsi;
  if ((ier_ & kIerRdi) && rx_.size() >= trigger_level_) iir |= kIirRdi;
  if ((ier_ & kIerThri) && rx_.empty()) iir |= kIirThri;
  // The sample also ORs kIirMsi (0x00) when IER.MSI and MCR has RTS or DTR,
  // which cannot change the value: a modem-status-only port reads "none".
  if (iir == 0) iir = kIirNoInt;
  return iir | kIirFifoMask;
}

[[gnu::always_inline]] inline uint8_t Uart16550::PeekKernel(
    uint8_t offset) const {
  switch (offset) {
    case kRbrThr:
      if (dlab()) return static_cast<uint8_t>(divisor_ & 0xff);
      // The sample leaves the byte unwritten when empty (a stack leak); 0 is
      // the safe stand-in.
      return rx_.Peek().value_or(0);
    case kIer:
      if (dlab()) return static_cast<uint8_t>(divisor_ >> 8);
      return ier_ & 0x0f;
    case kIirFcr:
      return KernelIir();
    case kLcr:
      return lcr_;
    case kMcr:
      return mcr_;
    case kLsr: {
      uint8_t lsr = 0;
      if (!rx_.empty()) lsr |= kLsrDr;
      if (lsr_errors_ & kLsrOe) lsr |= kLsrOe;
      if (rx_.empty()) lsr |= kLsrTemt | kLsrThre;
      return lsr;
    }
    case kMsr: {
      const bool flow_stopped =
          (mcr_ & kMcrAfe) != 0 && rx_.size() >= rx_capacity_;
      return uart_internal::kKernelMsrBase |
             (flow_stopped ? 0 : uart_internal::kKernelMsrCts);
    }
    case kScr:
      return scr_;
    default:
      return 0;
  }
}

[[gnu::always_inline]] inline uint8_t Uart16550::ReadKernel(uint8_t offset) {
  // RBR is the only register whose read changes anything.
  if (offset != kRbrThr || dlab()) return PeekKernel(offset);
  // The sample leaves the byte unwritten when empty (a stack leak); 0 is
  // the safe stand-in.
  const uint8_t value = rx_.Pop().value_or(0);
  // Fires whenever the FIFO is empty after the read, even if it already was.
  if (rx_.empty() && (ier_ & kIerThri)) Fire(1);
  return value;
}

[[gnu::always_inline]] inline int Uart16550::WriteKernel(uint8_t offset,
                                                         uint8_t value) {
  // THR ahead of the switch: a guest's transmit loop writes it far more
  // than anything else, and a compare beats the jump table.
  if (offset == kRbrThr) [[likely]] {
    if (dlab()) {
      divisor_ |= value;
      return 0;
    }
    if (rx_.size() < rx_capacity_ && rx_.Push(value)) {
      SetLsrErrors(lsr_errors_ & static_cast<uint8_t>(~kLsrOe));
      return ((ier_ & kIerRdi) && rx_.size() == trigger_level_) ? 1 : 0;
    }
    SetLsrErrors(lsr_errors_ | kLsrOe);
    return (ier_ & kIerRlsi) ? 1 : 0;
  }
  switch (offset) {
    case kIer:
      if (dlab()) {
        divisor_ |= static_cast<uint16_t>(value << 8);
        return 0;
      }
      ier_ = value;
      return ((value & kIerThri) && rx_.empty()) ? 1 : 0;
    case kIirFcr:
      fcr_ = value;
      // Overrun survives the clear, as in the sample.
      if (value & (kFcrClearRx | kFcrClearTx)) rx_.Clear();
      // The sample computes 1/4/8/14 and then overwrites it with 1.
      trigger_level_ = 1;
      rx_capacity_ =
          (value & kFcrEnable) ? kFifoCapacity : uart_internal::kNoFifoCapacity;
      return 0;
    case kLcr:
      if (value & kLcrDlab) divisor_ = 0;
      lcr_ = value;
      return 0;
    case kMcr: {
      mcr_ = value;
      int events = 0;
      if ((ier_ & kIerMsi) && (value & kMcrOut2)) ++events;
      if ((ier_ & kIerMsi) && (value & (kMcrRts | kMcrDtr))) ++events;
      return events;
    }
    case kScr:
      scr_ = value;
      return 0;
    default:  // LSR and MSR writes are ignored.
      return 0;
  }
}

[[gnu::always_inline]] inline uint8_t Uart16550::Iir16550a() const {
  uint8_t id = kIirNoInt;
#if defined(MTTY_CANARY_IIR_PRIORITY)
  // Canary iir_priority (tools/canary): THRE outranks every other source.
  if ((ier_ & kIerThri) && thre_pending_) {
    return kIirThri | (fifo_enabled() ? kIirFifoMask : 0);
  }
#endif
  if ((ier_ & kIerRlsi) &&
      (lsr_errors_ & (kLsrOe | kLsrPe | kLsrFe | kLsrBi))) {
    id = kIirRlsi;
  } else if ((ier_ & kIerRdi) && rx_.size() >= trigger_level_) {
    id = kIirRdi;
  } else if ((ier_ & kIerRdi) && cti_pending_) {
    id = kIirCti;
  } else if ((ier_ & kIerThri) && thre_pending_) {
    id = kIirThri;
  } else if ((ier_ & kIerMsi) && msr_delta_ != 0) {
    id = kIirMsi;
  }
  return id | (fifo_enabled() ? kIirFifoMask : 0);
}

[[gnu::always_inline]] inline bool Uart16550::Pending16550a() const {
  // The same sources as Iir16550a, without the priority order: whether any
  // one is pending is all the INTR output needs.
  if (ier_ == 0) return false;
  return ((ier_ & kIerRlsi) &&
          (lsr_errors_ & (kLsrOe | kLsrPe | kLsrFe | kLsrBi))) ||
         ((ier_ & kIerRdi) && (rx_.size() >= trigger_level_ || cti_pending_)) ||
         ((ier_ & kIerThri) && thre_pending_) ||
         ((ier_ & kIerMsi) && msr_delta_ != 0);
}

[[gnu::always_inline]] inline uint8_t Uart16550::Lsr16550a() const {
  // Transmission is instantaneous, so THR and the shift register are always
  // empty by the time software can look.
  uint8_t lsr = kLsrThre | kLsrTemt | lsr_errors_;
  if (!rx_.empty()) lsr |= kLsrDr;
  if (fifo_enabled() && rx_flags_.AnyNonZero()) lsr |= kLsrFifoError;
  return lsr;
}

[[gnu::always_inline]] inline uint8_t Uart16550::ModemInputs() const {
  if (!(mcr_ & kMcrLoop)) return uart_internal::kFixedModemInputs;
  uint8_t inputs = 0;
  if (mcr_ & kMcrRts) inputs |= kMsrCts;
  if (mcr_ & kMcrDtr) inputs |= kMsrDsr;
  if (mcr_ & kMcrOut1) inputs |= kMsrRi;
  if (mcr_ & kMcrOut2) inputs |= kMsrDcd;
  return inputs;
}

[[gnu::always_inline]] inline uint8_t Uart16550::Peek16550a(
    uint8_t offset) const {
  switch (offset) {
    case kRbrThr:
      if (dlab()) return static_cast<uint8_t>(divisor_ & 0xff);
      return rx_.Peek().value_or(0);
    case kIer:
      if (dlab()) return static_cast<uint8_t>(divisor_ >> 8);
      return ier_;
    case kIirFcr:
      return Iir16550a();
    case kLcr:
      return lcr_;
    case kMcr:
      return mcr_;
    case kLsr:
      return Lsr16550a();
    case kMsr:
      return ModemInputs() | msr_delta_;
    case kScr:
      return scr_;
    default:
      return 0;
  }
}

// No read sets an interrupt source (reads only pop, clear latches and
// acknowledge), so a read can never raise the interrupt output: no edge
// check here. The bar_access fuzzer's reference model checks this.
[[gnu::always_inline]] inline uint8_t Uart16550::Read16550a(uint8_t offset) {
  switch (offset) {
    case kRbrThr: {
      if (dlab()) return static_cast<uint8_t>(divisor_ & 0xff);
      const uint8_t value = rx_.Pop().value_or(0);
      rx_flags_.Pop();
      cti_pending_ = false;
      idle_ns_ = 0;
      return value;
    }
    case kIirFcr: {
      const uint8_t iir = Iir16550a();
      // Reading IIR clears THRE only when THRE is what it reports.
      if ((iir & 0x0f) == kIirThri) thre_pending_ = false;
      return iir;
    }
    case kLsr: {
      const uint8_t lsr = Lsr16550a();
      SetLsrErrors(0);
      return lsr;
    }
    case kMsr: {
      const uint8_t msr = ModemInputs() | msr_delta_;
      if (msr_delta_ != 0) msr_delta_ = 0;  // store only on a change
      return msr;
    }
    default:
      return Peek16550a(offset);
  }
}

// A store only when the value changes: a guest writing THR into a full
// FIFO latches OE on every write, and an unconditional `|=` would chain
// each access to the previous one through memory (load, or, store).
[[gnu::always_inline]] inline void Uart16550::SetLsrErrors(uint8_t value) {
  if (value != lsr_errors_) lsr_errors_ = value;
}

[[gnu::always_inline]] inline void Uart16550::Receive(uint8_t byte,
                                                      uint8_t error_flags) {
  // A new character restarts the timeout and ends any pending one.
  cti_pending_ = false;
  idle_ns_ = 0;
#if defined(MTTY_CANARY_FIFO_COUNT_OFF_BY_ONE)
  // Canary fifo_count_off_by_one (tools/canary): one byte past capacity.
  if (rx_.size() > rx_capacity_) {
#else
  if (rx_.size() >= rx_capacity_) {
#endif
    SetLsrErrors(lsr_errors_ | kLsrOe);
    // FIFO mode: the character in the shift register is lost, the FIFO kept.
    if (fifo_enabled()) return;
    // 16450 mode: the new character overwrites the unread one (the holding
    // register is the only slot).
    rx_.ReplaceNewest(byte);
    // Replacing a zero flag with zero changes nothing; skipping that store
    // keeps the flags FIFO's loads off the byte store just made (measured:
    // 3.1 -> 2.7 ns per write in bench/bar_access_bench).
    if (error_flags != 0 || rx_flags_.AnyNonZero()) {
      rx_flags_.ReplaceNewest(error_flags);
    }
    SetLsrErrors(lsr_errors_ | error_flags);
    return;
  }
  rx_.Push(byte);
  rx_flags_.Push(error_flags);
  SetLsrErrors(lsr_errors_ | error_flags);
}

inline void Uart16550::ClearRx() {
  rx_.Clear();
  rx_flags_.Clear();
  cti_pending_ = false;
  idle_ns_ = 0;
}

inline void Uart16550::WriteFcr16550a(uint8_t value) {
  const bool enable = (value & kFcrEnable) != 0;
  if (enable != fifo_enabled()) {
    ClearRx();  // the TX FIFO is always empty: transmission is instant
  }
  if (!enable) {
    // Without bit 0 the other FCR bits are not taken.
    fcr_ = 0;
    trigger_level_ = 1;
    rx_capacity_ = uart_internal::kNoFifoCapacity;
    return;
  }
  if (value & kFcrClearRx) ClearRx();
  fcr_ = value & uart_internal::kFcrStoredMask;
  trigger_level_ = uart_internal::TriggerFromFcr(fcr_);
  rx_capacity_ = kFifoCapacity;
}

inline void Uart16550::WriteMcr16550a(uint8_t value) {
  const uint8_t before = ModemInputs();
  mcr_ = value & 0x1f;  // bits 7:5 read 0 on a 16550A
  const uint8_t after = ModemInputs();
  const uint8_t changed = before ^ after;
  if (changed & kMsrCts) msr_delta_ |= kMsrDcts;
  if (changed & kMsrDsr) msr_delta_ |= kMsrDdsr;
  if (changed & kMsrDcd) msr_delta_ |= kMsrDdcd;
  if ((before & kMsrRi) && !(after & kMsrRi)) msr_delta_ |= kMsrTeri;
}

[[gnu::always_inline]] inline void Uart16550::Write16550a(uint8_t offset,
                                                          uint8_t value) {
  if (offset == kRbrThr) [[likely]] {  // as in WriteKernel
    if (dlab()) {
      divisor_ = static_cast<uint16_t>((divisor_ & 0xff00) | value);
      return;
    }
    // The write empties THR (clearing THRE), the character leaves at once
    // and THR is empty again: net effect, THRE is (re)armed. During a break
    // the line is held spacing and the character never arrives.
    if (!(lcr_ & kLcrBreak)) Receive(value, 0);
    thre_pending_ = true;
    return;
  }
  switch (offset) {
    case kIer: {
      if (dlab()) {
        divisor_ = static_cast<uint16_t>((divisor_ & 0x00ff) | (value << 8));
        return;
      }
      const uint8_t before = ier_;
      ier_ = value & 0x0f;
      // THR is always empty, so enabling THRI raises THRE (rising edge only).
      if (!(before & kIerThri) && (ier_ & kIerThri)) thre_pending_ = true;
      return;
    }
    case kIirFcr:
      WriteFcr16550a(value);
      return;
    case kLcr: {
      const uint8_t before = lcr_;
      lcr_ = value;
      // The looped-back line goes spacing: the receiver loads one break
      // character (0x00 with BI).
      if (!(before & kLcrBreak) && (value & kLcrBreak)) Receive(0x00, kLsrBi);
      return;
    }
    case kMcr:
      WriteMcr16550a(value);
      return;
    case kScr:
      scr_ = value;
      return;
    default:  // LSR and MSR writes are factory-test only: ignored.
      return;
  }
}

}  // namespace mtty

#endif  // MTTY_CORE_UART16550_INL_H_
