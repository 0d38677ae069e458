// Copyright mtty-lab authors.
//
// The race fuzzer's harness on the real parent: seeds and random inputs
// run clean, repeatedly (the schedule differs every time).
#include "fuzz/mdev_race/harness.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "fuzz/mdev_race/seeds.h"

namespace mtty::race {
namespace {

TEST(HarnessTest, EverySeedRunsCleanManyTimes) {
  for (const fuzz::Seed& seed : RaceSeeds()) {
    for (int i = 0; i < 20; ++i) {
      RaceRunStats stats;
      const fuzz::MaybeFinding f =
          RunRaceInput(DecodeRaceInput(seed.bytes), &stats);
      ASSERT_FALSE(f.has_value()) << seed.name << ": " << f->ToString();
      EXPECT_FALSE(stats.linearizability_gave_up) << seed.name;
    }
  }
}

TEST(HarnessTest, RandomInputsRunClean) {
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    std::vector<uint8_t> bytes(rng() % 140);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
    const fuzz::MaybeFinding f = RunMdevRace(bytes);
    ASSERT_FALSE(f.has_value()) << f->ToString();
  }
}

TEST(HarnessTest, EmptyInputRunsClean) {
  EXPECT_FALSE(RunMdevRace({}).has_value());
}

}  // namespace
}  // namespace mtty::race
