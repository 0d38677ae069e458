// Copyright mtty-lab authors.
#include "fuzz/models/reference_uart.h"

#include <limits>

#include "fuzz/oracle_code.h"

namespace mtty::fuzz {

// The reference model is an oracle: no coverage feedback from it.
MTTY_ORACLE_CODE_BEGIN

void ReferenceUart::Reset() {
  ier_ = lcr_ = mcr_ = scr_ = fcr_ = 0;
  dll_ = dlm_ = 0;
  oe_ = bi_ = false;
  msr_delta_ = 0;
  thre_ = cti_ = false;
  rx_.clear();
  idle_ns_ = 0;
  // No edge: reset is not an access, and it leaves INTR low.
}

size_t ReferenceUart::trigger() const {
  if (!fifo_on()) return 1;
  static constexpr size_t kLevels[4] = {1, 4, 8, 14};
  return kLevels[fcr_ >> 6];
}

// Datasheet priority: RLS > RDA > CTI > THRE > MSI.
uint8_t ReferenceUart::IirId() const {
  if ((ier_ & 0x04) && (oe_ || bi_)) return 0x06;
  if ((ier_ & 0x01) && !rx_.empty() && rx_.size() >= trigger()) return 0x04;
  if ((ier_ & 0x01) && cti_) return 0x0c;
  if ((ier_ & 0x02) && thre_) return 0x02;
  if ((ier_ & 0x08) && (msr_delta_ & 0x0f)) return 0x00;
  return kNoInterrupt;
}

uint8_t ReferenceUart::Lsr() const {
  uint8_t v = 0x60;  // THRE | TEMT: transmission takes no time
  if (!rx_.empty()) v |= 0x01;
  if (oe_) v |= 0x02;
  if (bi_) v |= 0x10;
  if (fifo_on()) {
    for (const RxChar& c : rx_) {
      if (c.brk) v |= 0x80;
    }
  }
  return v;
}

uint8_t ReferenceUart::ModemInputs() const {
  if ((mcr_ & 0x10) == 0) return 0xb0;  // CTS, DSR, DCD on; RI off
  uint8_t v = 0;
  if (mcr_ & 0x02) v |= 0x10;  // RTS -> CTS
  if (mcr_ & 0x01) v |= 0x20;  // DTR -> DSR
  if (mcr_ & 0x04) v |= 0x40;  // OUT1 -> RI
  if (mcr_ & 0x08) v |= 0x80;  // OUT2 -> DCD
  return v;
}

uint8_t ReferenceUart::Peek(uint8_t reg) const {
  switch (reg) {
    case 0:
      if (dlab()) return dll_;
      return rx_.empty() ? 0 : rx_.front().byte;
    case 1:
      return dlab() ? dlm_ : ier_;
    case 2:
      return static_cast<uint8_t>(IirId() | (fifo_on() ? 0xc0 : 0x00));
    case 3:
      return lcr_;
    case 4:
      return mcr_;
    case 5:
      return Lsr();
    case 6:
      return static_cast<uint8_t>(ModemInputs() | msr_delta_);
    case 7:
      return scr_;
    default:
      return 0;
  }
}

template <typename F>
void ReferenceUart::Tracked(F access) {
  const bool before = Interrupt();
  access();
  if (!before && Interrupt()) ++edges_;
}

int ReferenceUart::TakeRisingEdges() {
  const int n = edges_;
  edges_ = 0;
  return n;
}

uint8_t ReferenceUart::Read(uint8_t reg) {
  const uint8_t value = Peek(reg);
  Tracked([&] {
    switch (reg) {
      case 0:
        if (dlab()) break;
        if (!rx_.empty()) rx_.pop_front();
        idle_ns_ = 0;
        cti_ = false;
        break;
      case 2:
        if ((value & 0x0f) == 0x02) thre_ = false;
        break;
      case 5:
        oe_ = bi_ = false;
        break;
      case 6:
        msr_delta_ = 0;
        break;
      default:
        break;
    }
  });
  return value;
}

void ReferenceUart::Receive(uint8_t byte, bool brk) {
  idle_ns_ = 0;
  cti_ = false;
  if (rx_.size() < capacity()) {
    rx_.push_back({byte, brk});
  } else if (fifo_on()) {
    oe_ = true;  // the new character is lost
    return;
  } else {
    rx_.front() = {byte, brk};  // 16450 mode: overwrite the holding register
    oe_ = true;
  }
  if (brk) bi_ = true;
}

void ReferenceUart::ClearRx() {
  rx_.clear();
  idle_ns_ = 0;
  cti_ = false;
}

void ReferenceUart::Write(uint8_t reg, uint8_t value) {
  Tracked([&] {
    switch (reg) {
      case 0:
        if (dlab()) {
          dll_ = value;
          break;
        }
        thre_ = true;  // the character leaves at once; THR is empty again
        if ((lcr_ & 0x40) == 0) Receive(value, false);
        break;
      case 1:
        if (dlab()) {
          dlm_ = value;
          break;
        }
        if ((ier_ & 0x02) == 0 && (value & 0x02) != 0) thre_ = true;
        ier_ = value & 0x0f;
        break;
      case 2: {
        const bool on = (value & 0x01) != 0;
        if (on != fifo_on()) ClearRx();
        if (on) {
          if (value & 0x02) ClearRx();
          fcr_ = value & 0xc9;
        } else {
          fcr_ = 0;
        }
        break;
      }
      case 3: {
        const bool break_edge = (lcr_ & 0x40) == 0 && (value & 0x40) != 0;
        lcr_ = value;
        if (break_edge) Receive(0x00, true);
        break;
      }
      case 4: {
        const uint8_t before = ModemInputs();
        mcr_ = value & 0x1f;
        const uint8_t after = ModemInputs();
        const uint8_t changed = before ^ after;
        if (changed & 0x10) msr_delta_ |= 0x01;                      // DCTS
        if (changed & 0x20) msr_delta_ |= 0x02;                      // DDSR
        if (changed & 0x80) msr_delta_ |= 0x08;                      // DDCD
        if ((before & 0x40) && !(after & 0x40)) msr_delta_ |= 0x04;  // TERI
        break;
      }
      case 7:
        scr_ = value;
        break;
      default:  // LSR, MSR: factory test only; beyond 7: nothing there
        break;
    }
  });
}

uint64_t ReferenceUart::CharTimeoutNs() const {
  const uint64_t divisor =
      (uint64_t{dlm_} << 8 | dll_) == 0 ? 65536 : (uint64_t{dlm_} << 8 | dll_);
  // Frame length in half bits: start, 5..8 data, optional parity, and 1,
  // 1.5 (five-bit words) or 2 stop bits.
  uint64_t half_bits = 2 * (1 + 5 + (lcr_ & 0x03) + ((lcr_ & 0x08) ? 1 : 0));
  if (lcr_ & 0x04) {
    half_bits += (lcr_ & 0x03) == 0 ? 3 : 4;
  } else {
    half_bits += 2;
  }
  // 4 frames * half_bits/2 bits * divisor / 115200 s, in ns, rounded up:
  // 2 * half_bits * divisor * 1e9 / 115200 = half_bits * divisor * 2e7/1152.
  const uint64_t num = half_bits * divisor * 20'000'000;
  return (num + 1151) / 1152;
}

void ReferenceUart::AdvanceTime(uint64_t ns) {
  Tracked([&] {
    if (!fifo_on() || rx_.empty()) return;
    const uint64_t max = std::numeric_limits<uint64_t>::max();
    idle_ns_ = ns > max - idle_ns_ ? max : idle_ns_ + ns;
    if (idle_ns_ >= CharTimeoutNs()) cti_ = true;
  });
}

MTTY_ORACLE_CODE_END

}  // namespace mtty::fuzz
