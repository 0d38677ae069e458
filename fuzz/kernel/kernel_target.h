// Copyright mtty-lab authors.
//
// The shared body of every `_kernel` fuzz target: the harness of the
// fuzzer of the same name decodes the input (same format, same corpus and
// dictionary), with every one of its own oracles off, and drives a
// LockstepDevice; the sanitizers, kshim and the lockstep are the oracles.
#ifndef MTTY_FUZZ_KERNEL_KERNEL_TARGET_H_
#define MTTY_FUZZ_KERNEL_KERNEL_TARGET_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include "fuzz/device_under_test.h"
#include "fuzz/finding.h"
#include "fuzz/kernel/known_defects.h"

namespace mtty::fuzz::kernel {

// Runs one input: `drive` runs the harness with the factory it is given.
// Returns the lockstep's first finding.
std::optional<Finding> RunKernelTarget(
    const Hunt& hunt, const std::function<void(const DeviceFactory&)>& drive);

// Once per process: reads MTTY_KERNEL_HUNT (exits on a usage error), turns
// every harness oracle off and prints the hunt (unless MTTY_KERNEL_QUIET).
const Hunt& InitKernelTarget();

// For LLVMFuzzerTestOneInput: once per process, reads MTTY_KERNEL_HUNT,
// turns the harness's oracles off and prints the hunt; then runs the input and aborts on a finding.
void FuzzOneInput(const std::function<void(const DeviceFactory&)>& drive);

}  // namespace mtty::fuzz::kernel

#endif  // MTTY_FUZZ_KERNEL_KERNEL_TARGET_H_
