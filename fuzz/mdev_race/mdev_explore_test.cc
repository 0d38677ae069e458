// Copyright mtty-lab authors.
//
// Every scenario explored against the real parent: no finding in any
// interleaving, the search complete, and DPOR sees every outcome the
// exhaustive search sees. The counts are pinned: a change means the parent's
// locking or the explorer changed, and fuzz/mdev_race/README.md must follow.
#include "fuzz/mdev_race/mdev_explore.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "fuzz/mdev_race/scenarios.h"

namespace mtty::race {
namespace {

struct Expected {
  const char* name;
  uint64_t exhaustive;  // 0: too many for a test (README has the count)
  uint64_t dpor;
  uint64_t outcomes;
};

// Measured with `bazel run //fuzz/mdev_race:explore`.
constexpr Expected kExpected[] = {
    {"create_race", 304, 70, 9},        {"open_vs_remove", 135, 14, 4},
    {"remove_vs_remove", 926, 239, 14}, {"pool_exhaustion", 45, 30, 6},
    {"device_ops_vs_close", 60, 45, 2}, {"migration_vs_remove", 126, 12, 5},
    {"lifecycle_2x5", 14079, 1414, 76}, {"churn_3x3", 0, 19966, 14},
    {"three_way", 849, 227, 14},
};

const Expected* Find(const std::string& name) {
  for (const Expected& e : kExpected) {
    if (name == e.name) return &e;
  }
  return nullptr;
}

ExploreOptions With(Reduction r) {
  ExploreOptions o;
  o.reduction = r;
  o.preemption_bound = 2;
  return o;
}

TEST(MdevExploreTest, EveryScenarioHasPinnedCounts) {
  for (const Scenario& s : Scenarios()) {
    EXPECT_NE(Find(s.name), nullptr) << s.name << " has no expected counts";
  }
}

TEST(MdevExploreTest, DporFindsNothingInAnyScenario) {
  for (const Scenario& s : Scenarios()) {
    const ScenarioResult r =
        ExploreMdevScenario(s.input, With(Reduction::kDpor));
    ASSERT_FALSE(r.explore.finding.has_value())
        << s.name << ": " << r.explore.finding->ToString() << "\nschedule:\n"
        << r.explore.schedule;
    EXPECT_TRUE(r.explore.stats.complete) << s.name;
    EXPECT_EQ(r.linearizability_gave_up, 0u) << s.name;
    std::printf("%-22s DPOR %6llu executions, %3zu outcomes, max %llu steps\n",
                s.name.c_str(),
                static_cast<unsigned long long>(r.explore.stats.executions),
                r.outcomes.size(),
                static_cast<unsigned long long>(r.explore.stats.max_steps));
    const Expected* want = Find(s.name);
    ASSERT_NE(want, nullptr);
    EXPECT_EQ(r.explore.stats.executions, want->dpor) << s.name;
    EXPECT_EQ(r.outcomes.size(), want->outcomes) << s.name;
  }
}

TEST(MdevExploreTest, DporSeesEveryOutcomeOfTheExhaustiveSearch) {
  for (const Scenario& s : Scenarios()) {
    const Expected* want = Find(s.name);
    ASSERT_NE(want, nullptr);
    if (want->exhaustive == 0) continue;
    const ScenarioResult all =
        ExploreMdevScenario(s.input, With(Reduction::kExhaustive));
    ASSERT_FALSE(all.explore.finding.has_value())
        << s.name << ": " << all.explore.finding->ToString();
    EXPECT_TRUE(all.explore.stats.complete);
    EXPECT_EQ(all.explore.stats.executions, want->exhaustive) << s.name;
    const ScenarioResult dpor =
        ExploreMdevScenario(s.input, With(Reduction::kDpor));
    EXPECT_EQ(dpor.outcomes, all.outcomes) << s.name;
    EXPECT_LE(dpor.explore.stats.executions, all.explore.stats.executions);
    std::printf("%-22s exhaustive %6llu, DPOR %6llu\n", s.name.c_str(),
                static_cast<unsigned long long>(all.explore.stats.executions),
                static_cast<unsigned long long>(dpor.explore.stats.executions));
  }
}

TEST(MdevExploreTest, PreemptionBoundOfTwoFindsNothing) {
  for (const Scenario& s : Scenarios()) {
    const ScenarioResult r =
        ExploreMdevScenario(s.input, With(Reduction::kPreemptionBound));
    EXPECT_FALSE(r.explore.finding.has_value()) << s.name;
    EXPECT_TRUE(r.explore.stats.complete) << s.name;
    EXPECT_LE(r.explore.stats.max_preemptions, 2u) << s.name;
  }
}

TEST(MdevExploreTest, PlantedScenarioIsCleanOnTheRealParent) {
  const ScenarioResult r = ExploreMdevScenario(PlantedRaceScenario().input,
                                               With(Reduction::kExhaustive));
  EXPECT_FALSE(r.explore.finding.has_value());
  EXPECT_TRUE(r.explore.stats.complete);
  // Open first (then Remove is EBUSY), or Remove first (then Open ENODEV).
  EXPECT_EQ(r.outcomes.size(), 2u);
}

}  // namespace
}  // namespace mtty::race
