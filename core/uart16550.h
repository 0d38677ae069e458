// Copyright mtty-lab authors.
//
// One 16550-style UART port as seen through an 8-byte I/O BAR, with the
// transmitter wired straight back into the receiver (the mtty device is a
// loopback serial card). Two behaviour profiles:
//
//  * Profile::kKernel reproduces the register values of the kernel sample
//    (samples/vfio-mdev/mtty.c) bit for bit, quirks included (OR-ed divisor,
//    OR-ed IIR ids, trigger level forced to 1, sticky MSR deltas), but none
//    of its memory-safety defects; see core/UART.md for the one deliberate
//    deviation (a full FIFO reads as full, not as empty).
//  * Profile::k16550a follows the TI/National PC16550D datasheet: prioritised
//    IIR, latched THRE, trigger levels, character timeout on a virtual clock,
//    LSR error latching, MCR loopback with MSR deltas.
//
// Every behaviour is spelled out per register in core/UART.md; the code for
// each profile is one class, in core/uart16550_inl.h.
#ifndef MTTY_CORE_UART16550_H_
#define MTTY_CORE_UART16550_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/fifo.h"
#include "core/status.h"

namespace mtty {

// Register offsets inside the 8-byte window.
inline constexpr uint8_t kRbrThr = 0;  // RBR (read) / THR (write); DLL if DLAB
inline constexpr uint8_t kIer = 1;     // IER; DLM if DLAB
inline constexpr uint8_t kIirFcr = 2;  // IIR (read) / FCR (write)
inline constexpr uint8_t kLcr = 3;
inline constexpr uint8_t kMcr = 4;
inline constexpr uint8_t kLsr = 5;
inline constexpr uint8_t kMsr = 6;
inline constexpr uint8_t kScr = 7;
inline constexpr uint8_t kUartRegisterCount = 8;

// IER: interrupt enables.
inline constexpr uint8_t kIerRdi = 0x01;   // received data (and timeout)
inline constexpr uint8_t kIerThri = 0x02;  // THR empty
inline constexpr uint8_t kIerRlsi = 0x04;  // receiver line status
inline constexpr uint8_t kIerMsi = 0x08;   // modem status

// IIR: interrupt identification.
inline constexpr uint8_t kIirNoInt = 0x01;  // bit 0 set: nothing pending
inline constexpr uint8_t kIirIdMask = 0x0e;
inline constexpr uint8_t kIirMsi = 0x00;
inline constexpr uint8_t kIirThri = 0x02;
inline constexpr uint8_t kIirRdi = 0x04;
inline constexpr uint8_t kIirRlsi = 0x06;
inline constexpr uint8_t kIirCti = 0x0c;
inline constexpr uint8_t kIirFifoMask = 0xc0;  // both set: FIFOs enabled

// FCR: FIFO control (write-only).
inline constexpr uint8_t kFcrEnable = 0x01;
inline constexpr uint8_t kFcrClearRx = 0x02;
inline constexpr uint8_t kFcrClearTx = 0x04;
inline constexpr uint8_t kFcrDmaMode = 0x08;
inline constexpr uint8_t kFcrTriggerMask = 0xc0;
inline constexpr uint8_t kFcrTrigger1 = 0x00;
inline constexpr uint8_t kFcrTrigger4 = 0x40;
inline constexpr uint8_t kFcrTrigger8 = 0x80;
inline constexpr uint8_t kFcrTrigger14 = 0xc0;

// LCR: line control.
inline constexpr uint8_t kLcrWordLengthMask = 0x03;  // 0..3 -> 5..8 bits
inline constexpr uint8_t kLcrStop = 0x04;  // 2 stop bits (1.5 with 5 bits)
inline constexpr uint8_t kLcrParity = 0x08;
inline constexpr uint8_t kLcrEvenParity = 0x10;
inline constexpr uint8_t kLcrStickParity = 0x20;
inline constexpr uint8_t kLcrBreak = 0x40;
inline constexpr uint8_t kLcrDlab = 0x80;

// MCR: modem control.
inline constexpr uint8_t kMcrDtr = 0x01;
inline constexpr uint8_t kMcrRts = 0x02;
inline constexpr uint8_t kMcrOut1 = 0x04;
inline constexpr uint8_t kMcrOut2 = 0x08;
inline constexpr uint8_t kMcrLoop = 0x10;
inline constexpr uint8_t kMcrAfe = 0x20;  // 16750 auto flow; kernel tests it

// LSR: line status.
inline constexpr uint8_t kLsrDr = 0x01;
inline constexpr uint8_t kLsrOe = 0x02;
inline constexpr uint8_t kLsrPe = 0x04;
inline constexpr uint8_t kLsrFe = 0x08;
inline constexpr uint8_t kLsrBi = 0x10;
inline constexpr uint8_t kLsrThre = 0x20;
inline constexpr uint8_t kLsrTemt = 0x40;
inline constexpr uint8_t kLsrFifoError = 0x80;

// MSR: modem status.
inline constexpr uint8_t kMsrDcts = 0x01;
inline constexpr uint8_t kMsrDdsr = 0x02;
inline constexpr uint8_t kMsrTeri = 0x04;
inline constexpr uint8_t kMsrDdcd = 0x08;
inline constexpr uint8_t kMsrDeltaMask = 0x0f;
inline constexpr uint8_t kMsrCts = 0x10;
inline constexpr uint8_t kMsrDsr = 0x20;
inline constexpr uint8_t kMsrRi = 0x40;
inline constexpr uint8_t kMsrDcd = 0x80;

enum class Profile : uint8_t { kKernel = 0, k16550a = 1 };

// "kernel" or "16550a"; "unknown" for a value outside the enum.
const char* ProfileName(Profile profile);
// Exact, case-sensitive inverse of ProfileName.
std::optional<Profile> ParseProfile(std::string_view name);

// A human reading of one register access, for conformance failure messages,
// e.g. "IIR 0xc4 = FIFO on, RDA pending". `dlab` selects DLL/DLM at offsets
// 0/1; `is_read` selects RBR/IIR/... versus THR/FCR/...
std::string DecodeRegister(uint8_t offset, bool dlab, bool is_read,
                           uint8_t value);

// One UART port. Not thread-safe: the owner serialises access.
class Uart16550 {
 public:
  explicit Uart16550(Profile profile);

  // Copies carry the interrupt callback along with the register state.
  Uart16550(const Uart16550&) = default;
  Uart16550& operator=(const Uart16550&) = default;

  // Called each time the port signals an interrupt: in kKernel at each point
  // where the sample calls mtty_trigger_interrupt() (possibly twice for one
  // MCR write); in k16550a on each rising edge of InterruptAsserted(), checked
  // after every Read, Write, AdvanceTime and LoadState. Called after the
  // access has fully taken effect, so it may itself access the port. An empty
  // function disables notification.
  void set_interrupt_callback(std::function<void()> cb);

  Profile profile() const { return profile_; }

  // A byte read at `offset` with its side effects (RBR pop, IIR THRE clear,
  // LSR/MSR clear-on-read). Offsets above 7 return 0 and change nothing.
  uint8_t Read(uint8_t offset);
  // A byte write at `offset`. Offsets above 7 are ignored.
  void Write(uint8_t offset, uint8_t value);
  // Read and Write, defined inline in core/uart16550_inl.h for a caller on
  // a hot path (the device's 1-byte BAR access) to include. The private
  // profile types and templates below are defined there too.
  inline uint8_t ReadInline(uint8_t offset);
  inline void WriteInline(uint8_t offset, uint8_t value);
  // Exactly what Read(offset) would return now, with no side effects.
  uint8_t Peek(uint8_t offset) const;

  // Advances the port's virtual clock by `ns` nanoseconds. In k16550a this
  // drives the receive character timeout (4 character times, see
  // CharTimeoutNs); in kKernel it has no effect.
  void AdvanceTime(uint64_t ns);
  // The receive FIFO character timeout at the current LCR and divisor: four
  // frames (start + data + parity + stop bits) at 115200 / divisor baud
  // (1.8432 MHz clock), rounded up to whole nanoseconds. Divisor 0 counts as
  // 65536, the way a 16-bit divide-by-N counter loaded with 0 behaves.
  uint64_t CharTimeoutNs() const;

  // k16550a: the INTR output, i.e. IIR bit 0 is 0 (no OUT2 gating, as in
  // QEMU). kKernel: always false; the sample has no interrupt level, only
  // the events delivered through the callback.
  bool InterruptAsserted() const;

  // Bytes waiting in the receive FIFO (at most 16; at most 1 in k16550a with
  // FIFOs disabled).
  size_t rx_count() const { return regs_.rx.size(); }

  // Power-on state for the profile (the callback is kept, none is fired).
  // kKernel: what mtty_init_dev leaves: every register 0, FIFO capacity 16,
  // trigger level 0 until the first FCR write. k16550a: the datasheet master
  // reset values (IER 0, IIR 0x01, FCR 0, LCR 0, MCR 0, LSR 0x60,
  // MSR 0xb0) plus divisor 0 and SCR 0 for the registers reset leaves alone.
  void Reset();

  // Size of a port's migration record (State::Encode).
  static constexpr size_t kStateSize = 64;

  // Every piece of a port's state except the interrupt callback, by name: a
  // plain value. Any field values can be put together and encoded (kshim
  // builds one from the real sample's fields); only Decode says whether they
  // are a state a port of a profile can be in.
  struct State {
    Profile profile = Profile::kKernel;
    uint8_t ier = 0;  // as stored
    uint8_t lcr = 0;  // bit 7 is DLAB
    uint8_t mcr = 0;
    uint8_t scr = 0;
    uint8_t fcr = 0;  // as stored
    uint16_t divisor = 0;
    // Latched LSR errors: OE 0x02, BI 0x10. kKernel: OE only, meaning the
    // sample's `overrun`.
    uint8_t lsr_errors = 0;
    uint8_t msr_delta = 0;      // MSR delta bits, low nibble (kKernel 0)
    bool thre_pending = false;  // THRE interrupt latch (kKernel false)
    bool cti_pending = false;   // character-timeout latch (kKernel false)
    uint8_t trigger_level = 0;  // RX trigger level
    uint8_t rx_capacity = 0;    // RX FIFO capacity, 1 or 16
    uint8_t rx_count = 0;       // bytes in the RX FIFO
    // The RX bytes, oldest first, and each one's error flags (BI 0x10 only;
    // kKernel 0). Slots past rx_count are 0.
    std::array<uint8_t, kFifoCapacity> rx_bytes = {};
    std::array<uint8_t, kFifoCapacity> rx_flags = {};
    // Nanoseconds since the last receive or RBR read, while the FIFO is
    // enabled and not empty (else 0; kKernel 0).
    uint64_t idle_ns = 0;

    // The migration record: kStateSize bytes, multi-byte fields
    // little-endian, each field stored as is (even invalid ones):
    //   [0]       record version, 1
    //   [1]       profile (Profile value)
    //   [2]       ier                    [3] lcr
    //   [4]       mcr                    [5] scr
    //   [6]       fcr                    [7..8] divisor
    //   [9]       lsr_errors             [10] msr_delta
    //   [11]      thre_pending, 0/1      [12] cti_pending, 0/1
    //   [13]      trigger_level          [14] rx_capacity
    //   [15]      rx_count
    //   [16..31]  rx_bytes               [32..47] rx_flags
    //   [48..55]  idle_ns (u64)          [56..63] reserved, 0
    // Migration streams and checked-in fuzz seeds hold this layout.
    std::array<uint8_t, kStateSize> Encode() const;
    // Every field of `record` as stored, nothing checked: a latch byte other
    // than 0 reads true, the profile byte is taken as is. For a checker that
    // must look at a record it is about to call invalid (an oracle, a
    // differential); a port loads only what Decode accepts.
    static State Fields(std::span<const uint8_t, kStateSize> record);
    // The field record byte `byte` belongs to, as a reader of a byte-level
    // difference wants it: "scr", "divisor", "rx_bytes[3]", "reserved",
    // "version"; "outside the record" at kStateSize or above.
    static std::string FieldAt(size_t byte);
    // The State in `record` if it is a record a port of `profile` could have
    // encoded. Otherwise -EINVAL with a reason saying what is wrong: wrong
    // size or version, another profile, a count above 16 or above the
    // capacity, set reserved bytes, latches other than 0/1, trigger/capacity
    // inconsistent with FCR, bytes or flags past the count, timer or latches
    // that the FIFO state rules out.
    static Result<State> Decode(Profile profile,
                                std::span<const uint8_t> record);

    friend bool operator==(const State&, const State&) = default;
  };

  // The port's whole state (Decode(profile(), state().Encode()) gives it
  // back).
  State state() const;
  // state().Encode() into `out`.
  void SaveState(std::span<uint8_t, kStateSize> out) const;
  // Replaces the whole port state with the one in `record` if State::Decode
  // accepts it for this port's profile; otherwise returns Decode's -EINVAL
  // and changes nothing.
  Status LoadState(std::span<const uint8_t> record);

  // Full register, FIFO, latch and timer state (not the callback).
  friend bool operator==(const Uart16550& a, const Uart16550& b);

  // One line: every register, FIFO contents (break bytes marked '!'), latches.
  std::string DebugString() const;

 private:
  // A port's registers, FIFOs, latches and timer: everything a profile's
  // register behaviour reads and changes. State is its plain-value form.
  struct Registers {
    uint8_t ier = 0;
    uint8_t lcr = 0;
    uint8_t mcr = 0;
    uint8_t scr = 0;
    uint8_t fcr = 0;
    uint16_t divisor = 0;
    uint8_t lsr_errors = 0;  // latched OE/BI
    uint8_t msr_delta = 0;
    bool thre_pending = false;
    bool cti_pending = false;
    uint8_t trigger_level = 0;
    uint8_t rx_capacity = kFifoCapacity;
    Fifo rx;
    Fifo rx_flags;  // parallel to rx: LSR error bits carried by each byte
    uint64_t idle_ns = 0;

    bool dlab() const { return (lcr & kLcrDlab) != 0; }
    bool fifo_enabled() const { return (fcr & kFcrEnable) != 0; }
    // lsr_errors = value. A store only when the value changes: a guest
    // writing THR into a full FIFO latches OE on every write, and an
    // unconditional `|=` would chain each access to the previous one
    // through memory (load, or, store).
    void SetLsrErrors(uint8_t value) {
      if (value != lsr_errors) lsr_errors = value;
    }
    // See Uart16550::CharTimeoutNs.
    uint64_t CharTimeoutNs() const;
  };

  // A profile is a type with only static members, defined in
  // core/uart16550_inl.h; everything the two profiles do differently is in
  // them:
  //   kPowerOnTriggerLevel, kPowerOnRxCapacity: what Reset leaves.
  //   kHasInterruptOutput: whether the port has an INTR output (IIR bit 0
  //     clear), whose rising edges Signal reports. Without one, the profile
  //     reports events where the sample calls mtty_trigger_interrupt.
  //   InterruptId(r): IIR bits 3:0, the profile's one computation of its
  //     pending interrupt sources; the IIR read and the INTR output both
  //     use it.
  //   Peek(r, offset), Read(r, offset, events), Write(r, offset, value,
  //     events): a register access, adding to `events` each interrupt
  //     event the access itself signals.
  //   AdvanceTime(r, ns): the virtual clock.
  //   RecordError(st, record): why a decoded migration record is no state
  //     of the profile, or nullptr.
  class KernelProfile;
  class Uart16550aProfile;

  // f(KernelProfile{}) or f(Uart16550aProfile{}): the one place a runtime
  // Profile picks a behaviour. Every public entry point goes through it.
  template <typename F>
  static decltype(auto) WithProfile(Profile profile, F&& f);

  // Read and Write for profile P.
  template <typename P>
  uint8_t ReadAs(uint8_t offset);
  template <typename P>
  void WriteAs(uint8_t offset, uint8_t value);
  // P's INTR output: P has one and some enabled source is pending.
  template <typename P>
  bool OutputAsserted() const;
  // Fires the callback once per event, and once more if P's INTR output is
  // asserted now and `was_asserted` (its level before the change) is false:
  // the one place a change to the port turns into interrupts.
  template <typename P>
  void Signal(bool was_asserted, int events);
  // Calls the callback `times` times (if there is one).
  inline void Fire(int times);

  Profile profile_;
  std::function<void()> interrupt_callback_;
  Registers regs_;
};

}  // namespace mtty

#endif  // MTTY_CORE_UART16550_H_
