// Copyright mtty-lab authors.
//
// The sequential specification of MdevParent (and of the per-device state
// the race scripts touch), and a linearizability checker over it.
//
// What is checked: the History is linearizable — there is one total order
// of all operations that (1) keeps each thread's program order, (2) puts A
// before B whenever A returned before B was called (real-time order, from
// the logical clock), and (3) replayed one at a time on the model gives
// every recorded result and ends in the recorded final view. Remove is
// blocking, so it is two atomic steps, both inside its call: "begin"
// (-ENODEV, -EAGAIN, or the device becomes `removing`) and "end" (0 with no
// open handles: the device goes and its ports return; -EBUSY with open
// handles: `removing` is cleared). Every other operation is one step.
//
// The model state: free ports; per script UUID the live device (type,
// profile, removing, open handles, migration state, IRQ type) and its
// incarnation, so a recreated UUID is a new device; per thread slot the
// incarnation its handle opened. Results checked exactly: Create, Remove,
// Open, Find (type, profile, handle count, removing), Available, Snapshot
// (the whole inventory), ConfigRead (bytes of a fresh device of the
// handle's type: scripts never write config space), BAR access (1 byte, or
// -EFAULT for BAR1 of a one-port device), SET_IRQS (GET_INFO 0; 0 or -EINVAL
// from the IRQ type in use), RESET (0, migration back to RUNNING), migration
// steps (MigNextState arcs; RESUMING -> STOP fails since no stream is ever
// written). Closing the last handle disables interrupts (close_device).
// Not checked: the values BAR reads return and migration file reads (they
// depend on UART state the model does not track); those ops still run for
// the sanitizers.
//
// Search: depth-first over the threads' next steps with memoisation of
// failed (positions, model state) pairs (Wing & Gong with Lowe's caching),
// bounded by a step budget; past it the history counts as unchecked.
#ifndef MTTY_FUZZ_MDEV_RACE_MODEL_H_
#define MTTY_FUZZ_MDEV_RACE_MODEL_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/mdev_race/history.h"

namespace mtty::race {

// The parent when the threads start.
struct InitialState {
  int free_ports = 24;
  std::vector<DeviceView> fillers;  // never touched by scripts
  // Script devices that exist at the start: nr_ports 0 for none.
  std::array<DeviceView, kUuids> script_devices{};
};

struct LinearizabilityResult {
  bool linearizable = true;
  bool gave_up = false;  // budget exhausted: no verdict
  uint64_t states = 0;   // search states visited
};

LinearizabilityResult CheckLinearizable(const InitialState& initial,
                                        const History& history,
                                        uint64_t budget = 2'000'000);

// What a fresh device of the type answers to a script's ConfigRead.
Outcome ExpectedConfigRead(int nr_ports, Profile profile, uint8_t arg);

}  // namespace mtty::race

#endif  // MTTY_FUZZ_MDEV_RACE_MODEL_H_
