// Copyright mtty-lab authors.
//
// The QEMU differential: the same byte-wide UART register accesses go to the
// 16550a profile (an mtty-2 MttyDevice) and to QEMU's 16550A (two isa-serial
// UARTs, conformance/qemu_harness.h), and every read value and every
// interrupt-line level is compared.
//
// Two things are arranged by the harness and are not differences:
//  * QEMU's null chardev sends THR bytes nowhere unless MCR.LOOP is set,
//    while the mtty card always loops TX back to RX. QEMU therefore always
//    gets MCR.LOOP; when the mtty port is not in loopback QEMU gets MCR 0x1b
//    (LOOP | OUT2 | RTS | DTR), whose looped modem inputs (DCD, CTS, DSR)
//    equal the fixed inputs the 16550a profile has outside loopback. MCR
//    reads are compared through that mapping.
//  * QEMU resets MCR to OUT2 and the divisor to 12; the harness writes
//    MCR and the divisor to the datasheet/profile values (0) first.
//
// Every other difference must be explained by an entry of Allowlist():
// the comparison recomputes the profile's answer under the entry's
// hypothesis (e.g. "QEMU has no MSR delta bits") and accepts QEMU's value
// only if it equals that. Each use is counted in DiffStats::allowed.
#ifndef MTTY_CONFORMANCE_DIFFERENTIAL_H_
#define MTTY_CONFORMANCE_DIFFERENTIAL_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "conformance/qemu_harness.h"
#include "conformance/trace.h"
#include "core/status.h"
#include "core/uart16550.h"

namespace mtty::conformance {

// One byte access to UART `port` (0/1) register `offset` (0..7), or a
// device reset (VFIO_DEVICE_RESET on our side, a fresh QEMU on the other).
struct UartOp {
  enum class Kind : uint8_t { kRead, kWrite, kReset };
  Kind kind = Kind::kRead;
  uint8_t port = 0;
  uint8_t offset = 0;
  uint8_t value = 0;  // writes
  int line = 0;       // trace line, 0 for generated ops

  std::string ToString() const;
};

// A documented, allowed difference. `datasheet` says which side follows the
// PC16550D datasheet and why.
struct AllowlistEntry {
  const char* id;
  const char* difference;
  const char* datasheet;
};
const std::vector<AllowlistEntry>& Allowlist();

struct Mismatch {
  std::string context;  // trace name or random sequence
  size_t op_index = 0;
  UartOp op;
  std::string what;  // "read value", "IRQ line"
  std::string ours;
  std::string qemu;
  std::string expected_from_ours;  // ours under the allowed hypotheses
  std::string history;             // the preceding operations
  std::string ToString() const;
};

struct DiffStats {
  size_t ops = 0;
  size_t reads_compared = 0;
  size_t lines_compared = 0;
  size_t skipped_rx_diverged = 0;  // comparisons skipped under rx-divergence
  std::map<std::string, size_t> allowed;  // allowlist id -> uses
  std::vector<Mismatch> mismatches;       // capped at kMaxMismatches
  static constexpr size_t kMaxMismatches = 20;
  void Merge(const DiffStats& other);
};

// Extracts the UART-level operations of a trace: every BAR0/BAR1 access
// inside the 8-byte window of a port the device has, split into byte cycles
// the way the 16550a profile splits wide accesses, and `reset`. `time`
// statements are dropped (QEMU's clock cannot advance). Returns false (and
// no ops) for traces that are not UART-level: no `device mtty-N` header or
// lifecycle statements.
bool ExtractUartOps(const Trace& trace, std::vector<UartOp>& ops);

// Seeded random register programs (see the .cc for the distribution).
std::vector<UartOp> RandomProgram(std::mt19937& rng, size_t length);

// Operations that bring both sides of `port` to the same quiet state (LCR,
// IER, FIFOs, latches, MCR, SCR, divisor all back to 0).
std::vector<UartOp> ResyncProgram(uint8_t port);

class Differential {
 public:
  // -ENOENT when QEMU is not installed. `profile` is k16550a for the real
  // comparison; the kernel profile exists to show the oracle can fail.
  static Result<std::unique_ptr<Differential>> Create(
      Profile profile = Profile::k16550a);
  ~Differential();

  // Runs `ops` on both sides from their current state; `context` names the
  // program in mismatch reports. Errors are harness failures (QEMU died).
  Status Run(const std::vector<UartOp>& ops, const std::string& context,
             DiffStats& stats);

 private:
  class Impl;
  explicit Differential(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mtty::conformance

#endif  // MTTY_CONFORMANCE_DIFFERENTIAL_H_
