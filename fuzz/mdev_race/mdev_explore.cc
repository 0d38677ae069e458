// Copyright mtty-lab authors.
#include "fuzz/mdev_race/mdev_explore.h"

#include <memory>
#include <vector>

#include "core/mdev_parent.h"
#include "fuzz/mdev_race/model.h"
#include "fuzz/mdev_race/runner.h"
#include "fuzz/mdev_race/watchdog.h"

namespace mtty::race {
namespace {

using fuzz::Finding;
using fuzz::MaybeFinding;

// Results and end state without the logical times.
std::string Signature(const History& h) {
  std::string out;
  for (size_t t = 0; t < h.threads.size(); ++t) {
    out += "t" + std::to_string(t) + ":";
    for (Event e : h.threads[t]) {
      e.call = 0;
      e.ret = 0;
      out += " " + ToString(e) + ";";
    }
    out += "\n";
  }
  History end;
  end.final_view = h.final_view;
  return out + ToString(end);
}

class MdevRaceProgram final : public Program {
 public:
  MdevRaceProgram(const RaceInput& input, ScenarioResult& result)
      : input_(input),
        result_(result),
        label_("explorer execution of:\n" + ToString(input)) {}

  int threads() const override {
    return static_cast<int>(input_.threads.size());
  }

  void Setup(ExecutionContext& context) override {
    // A scheduler bug could hang an execution; the scheduler itself turns
    // deadlocks of the parent into findings.
    Watchdog::Instance().Arm(WatchdogLimit(std::chrono::milliseconds(60'000)),
                             label_);
    context_ = &context;
    parent_ = std::make_unique<MdevParent>(
        MdevParent::Options{.resolver = &SharedResolver(),
                            .remove_timeout = std::chrono::milliseconds(0),
                            .sync_hooks = context.hooks()});
    initial_ = PopulateParent(*parent_, input_);
    runners_.clear();
    for (const std::vector<Op>& ops : input_.threads)
      runners_.emplace_back(ops);
  }

  void Body(int thread) override {
    ExecutionContext* const context = context_;
    runners_[static_cast<size_t>(thread)].Run(
        *parent_, context->hooks(), [context] { return context->now(); });
  }

  MaybeFinding Check() override {
    History history;
    for (const ThreadRunner& r : runners_)
      history.threads.push_back(r.events());
    history.final_view = ObserveParent(*parent_, runners_);
    MaybeFinding finding =
        CheckEndState(*parent_, history.final_view, runners_);
    if (!finding) {
      const LinearizabilityResult lin = CheckLinearizable(initial_, history);
      result_.linearizability_states_max =
          std::max(result_.linearizability_states_max, lin.states);
      if (lin.gave_up) ++result_.linearizability_gave_up;
      if (!lin.linearizable) {
        finding = Finding{"linearizability", 0,
                          "no sequential order of the operations explains "
                          "these results"};
      }
    }
    if (!finding) finding = TearDownParent(*parent_, runners_);
    result_.outcomes.insert(Signature(history));
    if (finding) {
      finding->detail +=
          "\ninput:\n" + ToString(input_) + "history:\n" + ToString(history);
    }
    return finding;
  }

  void Teardown() override {
    runners_.clear();
    parent_.reset();
    Watchdog::Instance().Disarm();
  }

 private:
  const RaceInput& input_;
  ScenarioResult& result_;
  const std::string label_;
  ExecutionContext* context_ = nullptr;
  std::unique_ptr<MdevParent> parent_;
  InitialState initial_;
  std::vector<ThreadRunner> runners_;
};

}  // namespace

ScenarioResult ExploreMdevScenario(const RaceInput& input,
                                   const ExploreOptions& options) {
  ScenarioResult result;
  MdevRaceProgram program(input, result);
  result.explore = Explore(program, options);
  Watchdog::Instance().Disarm();  // a deadlocked execution is never torn down
  return result;
}

}  // namespace mtty::race
