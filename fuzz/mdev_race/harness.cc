// Copyright mtty-lab authors.
#include "fuzz/mdev_race/harness.h"

#include <atomic>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include "core/mdev_parent.h"
#include "fuzz/mdev_race/model.h"
#include "fuzz/mdev_race/noise.h"
#include "fuzz/mdev_race/runner.h"
#include "fuzz/mdev_race/watchdog.h"

namespace mtty::race {
namespace {

using fuzz::Finding;
using fuzz::MaybeFinding;

History Collect(const std::vector<ThreadRunner>& runners, FinalView view) {
  History h;
  for (const ThreadRunner& r : runners) h.threads.push_back(r.events());
  h.final_view = std::move(view);
  return h;
}

MaybeFinding WithContext(MaybeFinding f, const RaceInput& input,
                         const History& history) {
  if (f) {
    f->detail +=
        "\ninput:\n" + ToString(input) + "history:\n" + ToString(history);
  }
  return f;
}

}  // namespace

MaybeFinding RunRaceInput(const RaceInput& input, RaceRunStats* stats) {
  Watchdog::Instance().Arm(WatchdogLimit(kDefaultWatchdogLimit),
                           "input:\n" + ToString(input));
  NoiseHooks noise;
  SyncHooks* const hooks = input.noise_seed != 0 ? &noise : nullptr;
  MdevParent parent(
      MdevParent::Options{.resolver = &SharedResolver(),
                          .remove_timeout = std::chrono::milliseconds(0),
                          .sync_hooks = hooks});
  const InitialState initial = PopulateParent(parent, input);

  std::vector<ThreadRunner> runners;
  for (const std::vector<Op>& ops : input.threads) runners.emplace_back(ops);
  // Relaxed: a total order of calls and returns that ThreadSanitizer does
  // not count as synchronisation (x86 atomic increments are fenced, so the
  // order matches real time).
  std::atomic<uint64_t> ticks{0};
  const Clock clock = [&ticks] {
    return ticks.fetch_add(1, std::memory_order_relaxed) + 1;
  };
  std::latch start(static_cast<std::ptrdiff_t>(runners.size()));
  std::vector<std::thread> threads;
  for (size_t t = 0; t < runners.size(); ++t) {
    threads.emplace_back([&, t] {
      NoiseHooks::SeedThisThread(input.noise_seed == 0
                                     ? 0
                                     : input.noise_seed * 0x9e37u +
                                           static_cast<uint32_t>(t) + 1);
      start.arrive_and_wait();
      runners[t].Run(parent, hooks, clock);
    });
  }
  for (std::thread& t : threads) t.join();

  FinalView view = ObserveParent(parent, runners);
  const History history = Collect(runners, view);
  MaybeFinding finding = CheckEndState(parent, history.final_view, runners);
  if (!finding) {
    const LinearizabilityResult lin = CheckLinearizable(initial, history);
    if (stats != nullptr) {
      stats->linearizability_states = lin.states;
      stats->linearizability_gave_up = lin.gave_up;
    }
    if (!lin.linearizable) {
      finding = Finding{"linearizability", 0,
                        "no sequential order of the operations explains "
                        "these results"};
    }
  }
  if (!finding) finding = TearDownParent(parent, runners);
  Watchdog::Instance().Disarm();
  return WithContext(std::move(finding), input, history);
}

MaybeFinding RunMdevRace(std::span<const uint8_t> data) {
  return RunRaceInput(DecodeRaceInput(data));
}

}  // namespace mtty::race
