// Copyright mtty-lab authors.
//
// ReferenceUart: an executable specification of one loopback 16550A port
// (the `16550a` profile), written from the PC16550D datasheet facts in
// docs/spec/pc16550d.md and the register table and
// modelling decisions of core/UART.md — deliberately without looking at
// core/uart16550.cc — so that the bar_access fuzzer can run it in lockstep
// with the device and call any difference a finding.
//
// It favours being obviously right over being fast: every register is a
// plain field, the interrupt identification is one priority chain, and the
// receive FIFO is a std::deque.
#ifndef MTTY_FUZZ_MODELS_REFERENCE_UART_H_
#define MTTY_FUZZ_MODELS_REFERENCE_UART_H_

#include <cstddef>
#include <cstdint>
#include <deque>

namespace mtty::fuzz {

class ReferenceUart {
 public:
  ReferenceUart() { Reset(); }

  // Master reset (the device's VFIO_DEVICE_RESET in this profile).
  void Reset();

  // A guest byte access at register `reg` (0..7; others read 0 and ignore
  // writes). Reads apply their side effects.
  uint8_t Read(uint8_t reg);
  void Write(uint8_t reg, uint8_t value);
  // What Read(reg) would return, without side effects.
  uint8_t Peek(uint8_t reg) const;

  // Virtual time for the character timeout.
  void AdvanceTime(uint64_t ns);

  // INTR: some enabled source is pending (IIR bit 0 clear).
  bool Interrupt() const { return IirId() != kNoInterrupt; }
  // Rising edges of Interrupt() seen since the last call.
  int TakeRisingEdges();

  size_t rx_count() const { return rx_.size(); }
  // Four frames at 115200/divisor baud, rounded up; divisor 0 = 65536.
  uint64_t CharTimeoutNs() const;

 private:
  static constexpr uint8_t kNoInterrupt = 0x01;

  struct RxChar {
    uint8_t byte;
    bool brk;  // received as a break (LSR.BI)
  };

  bool dlab() const { return (lcr_ & 0x80) != 0; }
  bool fifo_on() const { return (fcr_ & 0x01) != 0; }
  size_t capacity() const { return fifo_on() ? 16 : 1; }
  size_t trigger() const;
  uint8_t IirId() const;
  uint8_t Lsr() const;
  uint8_t ModemInputs() const;
  void Receive(uint8_t byte, bool brk);
  void ClearRx();
  // Runs `access` and counts a rising edge of Interrupt() across it.
  template <typename F>
  void Tracked(F access);

  uint8_t ier_;  // bits 3:0
  uint8_t lcr_;
  uint8_t mcr_;  // bits 4:0
  uint8_t scr_;
  uint8_t fcr_;  // 0 or (written & 0xc9) with bit 0 set
  uint8_t dll_;
  uint8_t dlm_;
  bool oe_;  // latched LSR.OE
  bool bi_;  // latched LSR.BI
  uint8_t msr_delta_;
  bool thre_;  // THRE interrupt latch
  bool cti_;   // character-timeout latch
  std::deque<RxChar> rx_;
  uint64_t idle_ns_;  // time with no receive / RBR read, FIFO on and not empty
  int edges_ = 0;
};

}  // namespace mtty::fuzz

#endif  // MTTY_FUZZ_MODELS_REFERENCE_UART_H_
