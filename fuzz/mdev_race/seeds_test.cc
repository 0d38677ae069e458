// Copyright mtty-lab authors.
//
// What is particular to the race seeds. That the checked-in files are
// current and that no seed is a finding is //fuzz:seeds_test's job, as for
// every fuzzer.
#include "fuzz/mdev_race/seeds.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "fuzz/mdev_race/scenarios.h"
#include "fuzz/mdev_race/script.h"

namespace mtty::race {
namespace {

TEST(RaceSeedsTest, NamesAreUniqueAndThePlantedScenarioIsNotASeed) {
  std::set<std::string> names;
  const std::vector<uint8_t> planted =
      EncodeRaceInput(PlantedRaceScenario().input);
  for (const fuzz::Seed& seed : RaceSeeds()) {
    EXPECT_EQ(seed.fuzzer, "mdev_race") << seed.name;
    EXPECT_TRUE(names.insert(seed.name).second) << seed.name;
    RaceInput in = DecodeRaceInput(seed.bytes);
    in.noise_seed = 0;
    EXPECT_NE(EncodeRaceInput(in), planted) << seed.name;
  }
}

}  // namespace
}  // namespace mtty::race
