// Copyright mtty-lab authors.
//
// The bar_access fuzzer's logic as a library: decodes an input (format in
// fuzz/bar_access/ops.h) into region accesses, time advances and ioctls on
// one device, and checks after every operation:
//
//  * result: valid accesses return their length, invalid ones -EFAULT and
//    leave state(), and the caller's buffer, exactly as they were;
//  * ports: FIFO count 0..16 (16550a: within the capacity), LSR.DR iff the
//    FIFO holds data, IIR is what the profile's rule makes of IER and the
//    pending sources, IER reads back, a port record the device saves loads;
//  * config: bytes PciConfig::ByteMayChange rules out keep their initial
//    value, a write changes only its own bytes and the BAR dwords it
//    touched, reads return the snapshot's bytes, and nothing else changes
//    config space;
//  * interrupts: IrqController invariants; region accesses and time never
//    signal while nothing is enabled or INTx is masked, INTx signals at most
//    once then masks; the counting sinks add up to the signal statistic;
//  * kernel profile: the bytes of a wide BAR read past the first are 0;
//  * 16550a profile: a ReferenceUart per port runs in lockstep on every BAR
//    byte lane; every read value, every register (Peek 0..7), the FIFO count
//    and the number of interrupt signals must agree with it.
#ifndef MTTY_FUZZ_BAR_ACCESS_HARNESS_H_
#define MTTY_FUZZ_BAR_ACCESS_HARNESS_H_

#include <cstdint>
#include <span>

#include "fuzz/device_under_test.h"
#include "fuzz/finding.h"

namespace mtty::fuzz {

struct BarAccessOptions {
  DeviceFactory factory = MakeRealDevice;
  // Cap on the number of operations decoded from one input.
  size_t max_ops = 4096;
  // false: decode and drive the device only, no snapshots and no checks
  // (benchmarks use it to price the oracles; never set when fuzzing).
  bool oracles = true;
};

// Runs one input; the first finding, if any.
MaybeFinding RunBarAccess(std::span<const uint8_t> input,
                          const BarAccessOptions& options = {});

}  // namespace mtty::fuzz

#endif  // MTTY_FUZZ_BAR_ACCESS_HARNESS_H_
