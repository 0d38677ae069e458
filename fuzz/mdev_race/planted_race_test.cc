// Copyright mtty-lab authors.
//
// Linked against //core:mdev_parent_planted_race, whose Open checks
// `removing` and counts the handle in two critical sections. The explorer
// must find that race deterministically: the same finding and the same
// schedule on every run, under every reduction.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "fuzz/mdev_race/mdev_explore.h"
#include "fuzz/mdev_race/scenarios.h"

namespace mtty::race {
namespace {

bool IsPlantedRaceOracle(const std::string& oracle) {
  return oracle == "handle-to-removed-device" || oracle == "linearizability";
}

TEST(PlantedRaceTest, ExplorerFindsItDeterministically) {
  for (Reduction r : {Reduction::kDpor, Reduction::kExhaustive,
                      Reduction::kPreemptionBound}) {
    ExploreOptions o;
    o.reduction = r;
    o.preemption_bound = 1;
    const ScenarioResult first =
        ExploreMdevScenario(PlantedRaceScenario().input, o);
    ASSERT_TRUE(first.explore.finding.has_value()) << static_cast<int>(r);
    EXPECT_TRUE(IsPlantedRaceOracle(first.explore.finding->oracle))
        << first.explore.finding->ToString();
    const ScenarioResult again =
        ExploreMdevScenario(PlantedRaceScenario().input, o);
    ASSERT_TRUE(again.explore.finding.has_value());
    EXPECT_EQ(again.explore.finding->ToString(),
              first.explore.finding->ToString());
    EXPECT_EQ(again.explore.schedule, first.explore.schedule);
    EXPECT_EQ(again.explore.stats.executions, first.explore.stats.executions);
    if (r == Reduction::kDpor) {
      std::printf(
          "found after %llu executions:\n%s\nschedule:\n%s\n",
          static_cast<unsigned long long>(first.explore.stats.executions),
          first.explore.finding->ToString().c_str(),
          first.explore.schedule.c_str());
    }
  }
}

TEST(PlantedRaceTest, TheBadScheduleRemovesBetweenCheckAndCount) {
  ExploreOptions o;
  o.reduction = Reduction::kDpor;
  const ScenarioResult r = ExploreMdevScenario(PlantedRaceScenario().input, o);
  ASSERT_TRUE(r.explore.finding.has_value());
  // t0 (Open) takes the parent lock and the instance lock, t1 (Remove) runs
  // all of its critical sections, then t0 takes the instance lock again.
  const std::string& s = r.explore.schedule;
  const size_t t1_first = s.find("t1 acquire");
  const size_t t0_last = s.rfind("t0 acquire");
  ASSERT_NE(t1_first, std::string::npos) << s;
  ASSERT_NE(t0_last, std::string::npos) << s;
  EXPECT_LT(t1_first, t0_last) << s;
  EXPECT_LT(s.find("t0 acquire"), t1_first) << s;
}

TEST(PlantedRaceTest, ExplorerFindsItInTheGeneralScenarios) {
  int found = 0;
  for (const Scenario& s : Scenarios()) {
    ExploreOptions o;
    o.reduction = Reduction::kDpor;
    const ScenarioResult r = ExploreMdevScenario(s.input, o);
    if (r.explore.finding) {
      EXPECT_TRUE(IsPlantedRaceOracle(r.explore.finding->oracle))
          << s.name << ": " << r.explore.finding->ToString();
      ++found;
    }
  }
  // Every scenario with an Open racing a Remove of the same device.
  EXPECT_GE(found, 4);
}

}  // namespace
}  // namespace mtty::race
