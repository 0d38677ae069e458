// Copyright mtty-lab authors.
//
// The mdev_race fuzzer's harness: one input is a RaceInput (script.h). A
// fresh parent is populated, 2-4 threads are started together from a latch
// and run their scripts for real (delays injected by NoiseHooks when the
// input's noise seed is non-zero), then, after join: the end-state oracles
// (runner.h), the linearizability check (model.h) and teardown. A hang
// trips the Watchdog, which prints every stack and aborts.
//
// Built twice (see BUILD.bazel): against //core:mdev_parent for
// //fuzz/mdev_race:mdev_race and against the planted race for the test that
// shows the fuzzer finds it.
#ifndef MTTY_FUZZ_MDEV_RACE_HARNESS_H_
#define MTTY_FUZZ_MDEV_RACE_HARNESS_H_

#include <chrono>
#include <cstdint>
#include <span>

#include "fuzz/finding.h"
#include "fuzz/mdev_race/script.h"

namespace mtty::race {

struct RaceRunStats {
  uint64_t linearizability_states = 0;
  bool linearizability_gave_up = false;
};

// How long a run may take before the watchdog fires: 10 s unless
// MTTY_RACE_WATCHDOG_MS says otherwise. A run normally takes milliseconds.
inline constexpr std::chrono::milliseconds kDefaultWatchdogLimit{10'000};

fuzz::MaybeFinding RunRaceInput(const RaceInput& input,
                                RaceRunStats* stats = nullptr);
fuzz::MaybeFinding RunMdevRace(std::span<const uint8_t> data);

}  // namespace mtty::race

#endif  // MTTY_FUZZ_MDEV_RACE_HARNESS_H_
