// Copyright mtty-lab authors.
#include "fuzz/race/seeds.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "fuzz/race/scenarios.h"
#include "fuzz/race/script.h"

namespace mtty::race {
namespace {

TEST(RaceSeedsTest, CheckedInSeedsAreCurrent) {
  for (const RaceSeed& seed : RaceSeeds()) {
    const std::string path = "corpus/mdev_race/" + seed.name;
    std::ifstream file(path, std::ios::binary);
    ASSERT_TRUE(file.good())
        << path << " is missing: run `bazel run //fuzz/race:make_seeds`";
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                                     std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes, seed.bytes)
        << path << " is stale: run `bazel run //fuzz/race:make_seeds`";
  }
}

TEST(RaceSeedsTest, NamesAreUniqueAndThePlantedScenarioIsNotASeed) {
  std::set<std::string> names;
  const std::vector<uint8_t> planted =
      EncodeRaceInput(PlantedRaceScenario().input);
  for (const RaceSeed& seed : RaceSeeds()) {
    EXPECT_TRUE(names.insert(seed.name).second) << seed.name;
    RaceInput in = DecodeRaceInput(seed.bytes);
    in.noise_seed = 0;
    EXPECT_NE(EncodeRaceInput(in), planted) << seed.name;
  }
}

}  // namespace
}  // namespace mtty::race
