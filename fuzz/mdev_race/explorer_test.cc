// Copyright mtty-lab authors.
//
// The explorer on small programs whose interleavings can be counted by hand.
#include "fuzz/mdev_race/explorer.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/sync_hooks.h"

namespace mtty::race {
namespace {

// A program given as lambdas over a fresh per-execution state.
template <typename S>
class LambdaProgram final : public Program {
 public:
  using BodyFn = std::function<void(S&, SyncHooks*, int)>;
  using CheckFn = std::function<fuzz::MaybeFinding(S&)>;
  LambdaProgram(int threads, BodyFn body, CheckFn check)
      : threads_(threads), body_(std::move(body)), check_(std::move(check)) {}

  int threads() const override { return threads_; }
  void Setup(ExecutionContext& context) override {
    hooks_ = context.hooks();
    state_ = std::make_unique<S>(hooks_);
  }
  void Body(int thread) override { body_(*state_, hooks_, thread); }
  fuzz::MaybeFinding Check() override { return check_(*state_); }
  void Teardown() override { state_.reset(); }

 private:
  const int threads_;
  BodyFn body_;
  CheckFn check_;
  SyncHooks* hooks_ = nullptr;
  std::unique_ptr<S> state_;
};

struct Counter {
  explicit Counter(SyncHooks* hooks) : mu(hooks) {}
  SyncMutex mu;
  int value = 0;
};

ExploreOptions With(Reduction r, int bound = 2) {
  ExploreOptions o;
  o.reduction = r;
  o.preemption_bound = bound;
  return o;
}

// Each thread: lock; ++value; unlock. One scheduling point per thread (code
// before a thread's first point is not a choice), so two orders.
TEST(ExplorerTest, ExhaustiveCountsEveryInterleaving) {
  LambdaProgram<Counter> p(
      2,
      [](Counter& c, SyncHooks*, int) {
        std::lock_guard<SyncMutex> lock(c.mu);
        ++c.value;
      },
      [](Counter& c) -> fuzz::MaybeFinding {
        if (c.value != 2) return fuzz::Finding{"sum", 0, ""};
        return std::nullopt;
      });
  const ExploreResult r = Explore(p, With(Reduction::kExhaustive));
  EXPECT_FALSE(r.finding.has_value());
  EXPECT_TRUE(r.stats.complete);
  EXPECT_EQ(r.stats.executions, 2u);
  EXPECT_EQ(r.stats.max_steps, 2u);
}

TEST(ExplorerTest, DporTriesBothOrdersOfOneLockOnly) {
  LambdaProgram<Counter> p(
      2,
      [](Counter& c, SyncHooks*, int) {
        std::lock_guard<SyncMutex> lock(c.mu);
        ++c.value;
      },
      [](Counter& c) -> fuzz::MaybeFinding {
        if (c.value != 2) return fuzz::Finding{"sum", 0, ""};
        return std::nullopt;
      });
  const ExploreResult r = Explore(p, With(Reduction::kDpor));
  EXPECT_FALSE(r.finding.has_value());
  EXPECT_TRUE(r.stats.complete);
  EXPECT_EQ(r.stats.executions, 2u);
}

// Three threads on three different locks: nothing to reorder.
struct ThreeLocks {
  explicit ThreeLocks(SyncHooks* hooks)
      : mu{SyncMutex(hooks), SyncMutex(hooks), SyncMutex(hooks)} {}
  SyncMutex mu[3];
};

TEST(ExplorerTest, DporRunsIndependentThreadsOnce) {
  LambdaProgram<ThreeLocks> p(
      3,
      [](ThreeLocks& s, SyncHooks*, int t) {
        for (int i = 0; i < 2; ++i) {
          std::lock_guard<SyncMutex> lock(s.mu[t]);
        }
      },
      [](ThreeLocks&) -> fuzz::MaybeFinding { return std::nullopt; });
  const ExploreResult dpor = Explore(p, With(Reduction::kDpor));
  EXPECT_EQ(dpor.stats.executions, 1u);
  // 3 threads x 2 acquires: 6! / (2!)^3 = 90.
  const ExploreResult all = Explore(p, With(Reduction::kExhaustive));
  EXPECT_EQ(all.stats.executions, 90u);
}

// The lost update: read under the lock, write back under it again.
struct LostUpdate {
  explicit LostUpdate(SyncHooks* hooks) : mu(hooks) {}
  SyncMutex mu;
  int value = 0;
};

void LostUpdateBody(LostUpdate& s, SyncHooks*, int) {
  int seen;
  {
    std::lock_guard<SyncMutex> lock(s.mu);
    seen = s.value;
  }
  std::lock_guard<SyncMutex> lock(s.mu);
  s.value = seen + 1;
}

fuzz::MaybeFinding LostUpdateCheck(LostUpdate& s) {
  if (s.value != 2) {
    return fuzz::Finding{"lost-update", 0, std::to_string(s.value)};
  }
  return std::nullopt;
}

TEST(ExplorerTest, EveryReductionFindsALostUpdate) {
  for (Reduction r : {Reduction::kExhaustive, Reduction::kDpor,
                      Reduction::kPreemptionBound}) {
    LambdaProgram<LostUpdate> p(2, LostUpdateBody, LostUpdateCheck);
    const ExploreResult res = Explore(p, With(r, 1));
    ASSERT_TRUE(res.finding.has_value()) << static_cast<int>(r);
    EXPECT_EQ(res.finding->oracle, "lost-update");
    EXPECT_EQ(res.finding->detail, "1");
    EXPECT_NE(res.schedule.find("t1 acquire #1"), std::string::npos)
        << res.schedule;
  }
}

TEST(ExplorerTest, PreemptionBoundZeroMissesTheLostUpdate) {
  LambdaProgram<LostUpdate> p(2, LostUpdateBody, LostUpdateCheck);
  const ExploreResult res = Explore(p, With(Reduction::kPreemptionBound, 0));
  EXPECT_FALSE(res.finding.has_value());
  EXPECT_TRUE(res.stats.complete);
  EXPECT_EQ(res.stats.max_preemptions, 0u);
}

// Locks only the explorer sees (the hooks without a real mutex), so that
// ThreadSanitizer's own inversion detector stays out of this test.
struct TwoLocks {
  explicit TwoLocks(SyncHooks*) {}
  char a = 0, b = 0;
};

TEST(ExplorerTest, FindsALockOrderInversion) {
  LambdaProgram<TwoLocks> p(
      2,
      [](TwoLocks& s, SyncHooks* hooks, int t) {
        const void* first = t == 0 ? &s.a : &s.b;
        const void* second = t == 0 ? &s.b : &s.a;
        hooks->BeforeAcquire(first);
        hooks->BeforeAcquire(second);
        hooks->AfterRelease(second);
        hooks->AfterRelease(first);
      },
      [](TwoLocks&) -> fuzz::MaybeFinding { return std::nullopt; });
  const ExploreResult res = Explore(p, With(Reduction::kDpor));
  ASSERT_TRUE(res.finding.has_value());
  EXPECT_EQ(res.finding->oracle, "explorer-lock-order-inversion");
}

// Waiter with a long timeout; notifier sets the flag. Both outcomes (woken,
// timed out before the flag) must be seen.
struct Flag {
  explicit Flag(SyncHooks* hooks) : mu(hooks), cv(hooks) {}
  SyncMutex mu;
  SyncCondVar cv;
  bool flag = false;
  bool waiter_saw = false;
};

TEST(ExplorerTest, TimedWaitIsExploredBothWays) {
  for (Reduction r : {Reduction::kExhaustive, Reduction::kDpor}) {
    std::set<bool> seen;
    LambdaProgram<Flag> p(
        2,
        [](Flag& s, SyncHooks*, int t) {
          std::unique_lock<SyncMutex> lock(s.mu);
          if (t == 0) {
            s.waiter_saw = s.cv.WaitFor(lock, std::chrono::hours(1),
                                        [&] { return s.flag; });
          } else {
            s.flag = true;
            s.cv.NotifyAll();
          }
        },
        [&seen](Flag& s) -> fuzz::MaybeFinding {
          seen.insert(s.waiter_saw);
          return std::nullopt;
        });
    const ExploreResult res = Explore(p, With(r));
    EXPECT_FALSE(res.finding.has_value());
    EXPECT_EQ(seen, (std::set<bool>{false, true})) << static_cast<int>(r);
  }
}

struct Stuck {
  explicit Stuck(SyncHooks* hooks) : a(hooks) {}
  SyncMutex a;
};

TEST(ExplorerTest, DeadlockIsAFindingWithTheBlockedThread) {
  // A thread taking a lock it holds. The blocked thread and its state stay
  // behind for the rest of the process (documented), hence the leak.
  auto* p = new LambdaProgram<Stuck>(
      1,
      [](Stuck& s, SyncHooks*, int) {
        s.a.lock();
        s.a.lock();
      },
      [](Stuck&) -> fuzz::MaybeFinding { return std::nullopt; });
  const ExploreResult res = Explore(*p, With(Reduction::kDpor));
  ASSERT_TRUE(res.finding.has_value());
  EXPECT_EQ(res.finding->oracle, "explorer-deadlock");
  EXPECT_NE(res.finding->detail.find("t0 blocked at acquire"),
            std::string::npos)
      << res.finding->detail;
  EXPECT_NE(res.finding->detail.find("(held by t0)"), std::string::npos);
}

}  // namespace
}  // namespace mtty::race
