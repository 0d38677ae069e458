// Copyright mtty-lab authors.
//
// A stateless model checker in the manner of CHESS and Loom: it runs a
// Program's thread bodies on real threads but lets exactly one run at a
// time, switching only where the code reports synchronisation through
// SyncHooks (acquire, wait; releases and notifies are recorded). Every
// execution replays a schedule prefix and then extends it; a depth-first
// search over those choices enumerates the interleavings:
//
//  * kExhaustive: every choice at every scheduling point (the total count).
//  * kDpor: dynamic partial-order reduction (Flanagan & Godefroid, POPL
//    2005): only reorders transitions that touch a common object (a lock, a
//    condition variable, a device), found after each execution with vector
//    clocks. Explores at least one interleaving of every Mazurkiewicz trace,
//    so every reachable end state is checked.
//  * kPreemptionBound: every schedule with at most `preemption_bound`
//    preemptions (switches away from a thread that could go on).
//
// What one "transition" is: a thread's code from one scheduling point to the
// next. The reductions assume the code is data-race-free outside what the
// hooks see (shared state only under reported locks): ThreadSanitizer, in
// the race fuzzer, checks that assumption separately.
//
// Timeouts: a thread in a timed wait is always schedulable; running it
// without a notification means its timeout fired at that point, which real
// time permits whenever a thread is slow, so every timeout outcome is
// covered. Spurious wakeups are not modelled (the waits re-check their
// predicate anyway).
//
// Checks made by the explorer itself, besides the Program's own: deadlock
// (no thread can run), a lock-order cycle in one execution, a thread ending
// while it holds a lock, and a replay that does not repeat (the program is
// not deterministic under the scheduler).
#ifndef MTTY_FUZZ_MDEV_RACE_EXPLORER_H_
#define MTTY_FUZZ_MDEV_RACE_EXPLORER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "core/sync_hooks.h"
#include "fuzz/finding.h"

namespace mtty::race {

// What an execution's code can ask of the scheduler.
class ExecutionContext {
 public:
  virtual ~ExecutionContext() = default;
  // Hooks to give to every object whose synchronisation is explored. Calls
  // from threads the explorer does not manage (the one running Setup and
  // Check) pass straight through; their waits time out at once.
  virtual SyncHooks* hooks() = 0;
  // Scheduling steps taken so far in this execution: a logical clock that
  // orders events of different threads as they really happened.
  virtual uint64_t now() const = 0;
};

// One test: set up, run the bodies, check. Must be deterministic given the
// schedule: the same choices give the same scheduling points.
class Program {
 public:
  virtual ~Program() = default;
  virtual int threads() const = 0;  // 1..kMaxThreads
  // Before every execution, on the calling thread of Explore.
  virtual void Setup(ExecutionContext& context) = 0;
  // Thread `thread`'s body, on a thread the explorer manages.
  virtual void Body(int thread) = 0;
  // After every body of a completed execution returned. A finding stops the
  // exploration.
  virtual fuzz::MaybeFinding Check() = 0;
  // Releases what Setup made; called after every execution that ended.
  virtual void Teardown() = 0;
};

enum class Reduction { kExhaustive, kDpor, kPreemptionBound };

struct ExploreOptions {
  Reduction reduction = Reduction::kDpor;
  int preemption_bound = 2;  // kPreemptionBound only
  uint64_t max_executions = 2'000'000;
};

struct ExploreStats {
  uint64_t executions = 0;  // run to the end and checked
  uint64_t max_steps = 0;   // scheduling points of the longest one
  uint64_t max_preemptions = 0;
  bool complete = false;  // the whole space (of the reduction) was covered
};

struct ExploreResult {
  ExploreStats stats;
  std::optional<fuzz::Finding> finding;
  // The finding's schedule, one step per line: "t1 acquire L2", "t0 wake
  // C3/L2 (timeout)", ... (objects numbered by first use).
  std::string schedule;
};

inline constexpr int kMaxExploredThreads = 8;

// Explores `program`; stops at the first finding. A deadlock leaves the
// deadlocked threads blocked for the rest of the process (they are detached
// and their execution's state is never torn down).
ExploreResult Explore(Program& program, const ExploreOptions& options);

}  // namespace mtty::race

#endif  // MTTY_FUZZ_MDEV_RACE_EXPLORER_H_
