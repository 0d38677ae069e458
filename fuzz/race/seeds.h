// Copyright mtty-lab authors.
//
// The mdev_race fuzzer's seed inputs (corpus/mdev_race/): every explorer
// scenario with delay injection on, and a few wider scripts (four threads,
// every device operation, a nearly full pool). The planted-race scenario is
// deliberately not a seed. Written by `bazel run //fuzz/race:make_seeds`;
// race_seeds_test checks the checked-in files are current.
#ifndef MTTY_FUZZ_RACE_SEEDS_H_
#define MTTY_FUZZ_RACE_SEEDS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace mtty::race {

struct RaceSeed {
  std::string name;  // file name under corpus/mdev_race/
  std::vector<uint8_t> bytes;
};

std::vector<RaceSeed> RaceSeeds();

}  // namespace mtty::race

#endif  // MTTY_FUZZ_RACE_SEEDS_H_
