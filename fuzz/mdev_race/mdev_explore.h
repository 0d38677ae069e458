// Copyright mtty-lab authors.
//
// The explorer (explorer.h) applied to MdevParent: every execution builds a
// fresh parent whose locks report to the scheduler, runs the scenario's
// thread scripts (ThreadRunner), and checks the same oracles as the race
// fuzzer at the end state: end-state oracles, linearizability, teardown.
//
// Built twice (BUILD.bazel): against //core:mdev_parent and against the
// planted race.
#ifndef MTTY_FUZZ_MDEV_RACE_MDEV_EXPLORE_H_
#define MTTY_FUZZ_MDEV_RACE_MDEV_EXPLORE_H_

#include <cstdint>
#include <set>
#include <string>

#include "fuzz/mdev_race/explorer.h"
#include "fuzz/mdev_race/script.h"

namespace mtty::race {

struct ScenarioResult {
  ExploreResult explore;
  // Every distinct end seen: each operation's result and the final view
  // (logical times left out). Two reductions that cover the same behaviours
  // see the same set.
  std::set<std::string> outcomes;
  uint64_t linearizability_states_max = 0;
  uint64_t linearizability_gave_up = 0;
};

// The noise seed of `input` is ignored (the scheduler decides who runs).
ScenarioResult ExploreMdevScenario(const RaceInput& input,
                                   const ExploreOptions& options);

}  // namespace mtty::race

#endif  // MTTY_FUZZ_MDEV_RACE_MDEV_EXPLORE_H_
