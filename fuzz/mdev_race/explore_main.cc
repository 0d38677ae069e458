// Copyright mtty-lab authors.
//
// `bazel run //fuzz/mdev_race:explore [-- [--no-exhaustive] [--max=N] [NAME...]]`
// explores the scenarios (all by default, and the planted-race scenario)
// exhaustively, with DPOR and with a preemption bound of 2, and prints the
// counts table of fuzz/mdev_race/README.md. --max: executions per search (2M by
// default). Exits 1 if any exploration finds something or DPOR misses an
// outcome the exhaustive search saw.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz/mdev_race/mdev_explore.h"
#include "fuzz/mdev_race/scenarios.h"

namespace {

using mtty::race::ExploreOptions;
using mtty::race::Reduction;
using mtty::race::ScenarioResult;

struct Timed {
  ScenarioResult result;
  double seconds = 0;
  bool ran = false;
};

uint64_t g_max_executions = ExploreOptions().max_executions;

Timed Run(const mtty::race::RaceInput& input, Reduction r) {
  ExploreOptions o;
  o.reduction = r;
  o.preemption_bound = 2;
  o.max_executions = g_max_executions;
  const auto start = std::chrono::steady_clock::now();
  Timed t;
  t.result = mtty::race::ExploreMdevScenario(input, o);
  t.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  t.ran = true;
  return t;
}

std::string Count(const Timed& t) {
  if (!t.ran) return "-";
  std::string s = std::to_string(t.result.explore.stats.executions);
  if (!t.result.explore.stats.complete) s += " (stopped)";
  if (t.result.explore.finding) {
    s += " FINDING " + t.result.explore.finding->oracle;
  }
  return s;
}

std::string Outcomes(const Timed& t) {
  return t.ran ? std::to_string(t.result.outcomes.size()) : "-";
}

}  // namespace

int main(int argc, char** argv) {
  bool exhaustive = true;
  std::vector<std::string> wanted;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--no-exhaustive") == 0) {
      exhaustive = false;
    } else if (std::strncmp(argv[i], "--max=", 6) == 0) {
      g_max_executions = std::strtoull(argv[i] + 6, nullptr, 10);
    } else {
      wanted.push_back(argv[i]);
    }
  }
  std::vector<mtty::race::Scenario> scenarios = mtty::race::Scenarios();
  scenarios.push_back(mtty::race::PlantedRaceScenario());
  std::printf(
      "| scenario | ops per thread | interleavings (exhaustive) | DPOR | "
      "preemption bound 2 | distinct outcomes (exh. / DPOR / PB2) | "
      "scheduling points |\n| --- | --- | ---: | ---: | ---: | --- | ---: |\n");
  std::fflush(stdout);
  bool failed = false;
  for (const mtty::race::Scenario& s : scenarios) {
    if (!wanted.empty()) {
      bool match = false;
      for (const std::string& w : wanted) match |= s.name == w;
      if (!match) continue;
    }
    Timed all;
    if (exhaustive) all = Run(s.input, Reduction::kExhaustive);
    const Timed dpor = Run(s.input, Reduction::kDpor);
    const Timed pb = Run(s.input, Reduction::kPreemptionBound);
    std::string shape;
    for (const auto& ops : s.input.threads) {
      shape += (shape.empty() ? "" : "+") + std::to_string(ops.size());
    }
    std::printf(
        "| %s | %s | %s | %s | %s | %s / %s / %s | %llu |\n", s.name.c_str(),
        shape.c_str(), Count(all).c_str(), Count(dpor).c_str(),
        Count(pb).c_str(), Outcomes(all).c_str(), Outcomes(dpor).c_str(),
        Outcomes(pb).c_str(),
        static_cast<unsigned long long>(dpor.result.explore.stats.max_steps));
    std::fflush(stdout);
    std::fprintf(stderr, "%s: %.1fs exhaustive, %.1fs DPOR, %.1fs PB2\n",
                 s.name.c_str(), all.seconds, dpor.seconds, pb.seconds);
    for (const Timed* t : {static_cast<const Timed*>(&all), &dpor, &pb}) {
      if (t->ran && t->result.explore.finding) {
        std::fprintf(stderr, "%s\nschedule:\n%s\n",
                     t->result.explore.finding->ToString().c_str(),
                     t->result.explore.schedule.c_str());
        failed = true;
      }
    }
    if (all.ran && all.result.explore.stats.complete &&
        all.result.outcomes != dpor.result.outcomes) {
      std::fprintf(stderr, "%s: DPOR missed outcomes\n", s.name.c_str());
      failed = true;
    }
  }
  return failed ? 1 : 0;
}
