// Copyright mtty-lab authors.
//
// The mdev_race fuzzer's seed inputs (corpus/mdev_race/): every explorer
// scenario with delay injection on, and a few wider scripts (four threads,
// every device operation, a nearly full pool). The planted-race scenario is
// deliberately not a seed. seeds.cc registers them with the harness
// (MTTY_REGISTER_SEEDS), so `bazel run //fuzz:make_seeds` writes them and
// //fuzz:seeds_test checks the checked-in files are current and clean.
#ifndef MTTY_FUZZ_MDEV_RACE_SEEDS_H_
#define MTTY_FUZZ_MDEV_RACE_SEEDS_H_

#include <vector>

#include "fuzz/seeds.h"

namespace mtty::race {

// Each with fuzzer "mdev_race" and its file name under corpus/mdev_race/.
std::vector<fuzz::Seed> RaceSeeds();

}  // namespace mtty::race

#endif  // MTTY_FUZZ_MDEV_RACE_SEEDS_H_
