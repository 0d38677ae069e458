// Copyright mtty-lab authors.
//
// `bazel run //fuzz/race:explore [-- SCENARIO...]`: explores the scenarios
// (all by default) with DPOR, with a preemption bound of 2, and
// exhaustively, and prints the counts table of fuzz/race/README.md.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz/race/mdev_explore.h"
#include "fuzz/race/scenarios.h"

namespace {

using mtty::race::ExploreOptions;
using mtty::race::Reduction;
using mtty::race::ScenarioResult;

struct Timed {
  ScenarioResult result;
  double seconds;
};

Timed Run(const mtty::race::RaceInput& input, Reduction r) {
  ExploreOptions o;
  o.reduction = r;
  o.preemption_bound = 2;
  const auto start = std::chrono::steady_clock::now();
  ScenarioResult result = mtty::race::ExploreMdevScenario(input, o);
  const std::chrono::duration<double> took =
      std::chrono::steady_clock::now() - start;
  return {std::move(result), took.count()};
}

std::string Cell(const Timed& t) {
  std::string s = std::to_string(t.result.explore.stats.executions);
  if (!t.result.explore.stats.complete) s += " (cut)";
  if (t.result.explore.finding) s += " FINDING " + t.result.explore.finding->oracle;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<mtty::race::Scenario> scenarios = mtty::race::Scenarios();
  scenarios.push_back(mtty::race::PlantedRaceScenario());
  std::printf(
      "| scenario | threads x ops | interleavings (exhaustive) | DPOR "
      "explored | preemption bound 2 | distinct outcomes | max steps |\n"
      "| --- | --- | --- | --- | --- | --- | --- |\n");
  bool failed = false;
  for (const mtty::race::Scenario& s : scenarios) {
    if (argc > 1) {
      bool wanted = false;
      for (int i = 1; i < argc; ++i) wanted |= s.name == argv[i];
      if (!wanted) continue;
    }
    const Timed all = Run(s.input, Reduction::kExhaustive);
    const Timed dpor = Run(s.input, Reduction::kDpor);
    const Timed pb = Run(s.input, Reduction::kPreemptionBound);
    std::string shape;
    for (const auto& ops : s.input.threads) {
      shape += (shape.empty() ? "" : "+") + std::to_string(ops.size());
    }
    std::printf("| %s | %s | %s | %s | %s | %zu%s | %llu |\n", s.name.c_str(),
                shape.c_str(), Cell(all).c_str(), Cell(dpor).c_str(),
                Cell(pb).c_str(), all.result.outcomes.size(),
                all.result.outcomes == dpor.result.outcomes ? "" : " (DPOR differs!)",
                static_cast<unsigned long long>(
                    all.result.explore.stats.max_steps));
    std::fprintf(stderr, "%s: %.2fs exhaustive, %.2fs dpor, %.2fs pb2\n",
                 s.name.c_str(), all.seconds, dpor.seconds, pb.seconds);
    for (const Timed* t : {&all, &dpor, &pb}) {
      if (t->result.explore.finding) {
        std::fprintf(stderr, "%s\nschedule:\n%s\n",
                     t->result.explore.finding->ToString().c_str(),
                     t->result.explore.schedule.c_str());
      }
    }
    std::fflush(stdout);
    if (all.result.outcomes != dpor.result.outcomes) failed = true;
  }
  return failed ? 1 : 0;
}
