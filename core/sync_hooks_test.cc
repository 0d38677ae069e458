// Copyright mtty-lab authors.
#include "core/sync_hooks.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/mdev_parent.h"
#include "core/uuid.h"

namespace mtty {
namespace {

using std::chrono::milliseconds;

// Records every call as "acquire A", "release A", "notify C", "wait C M",
// naming objects by first appearance (A, B, ...).
class RecordingHooks : public SyncHooks {
 public:
  explicit RecordingHooks(bool owns_waits = false) : owns_waits_(owns_waits) {}

  void BeforeAcquire(const void* object) override { Log("acquire", object); }
  void AfterRelease(const void* object) override { Log("release", object); }
  void AfterNotifyAll(const void* cv) override { Log("notify", cv); }
  bool OwnsWaits() const override { return owns_waits_; }
  WakeReason Wait(const void* cv, const void* mutex) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      log_.push_back("wait " + NameLocked(cv) + " " + NameLocked(mutex));
    }
    if (on_wait) on_wait(mutex);
    return wake;
  }

  std::vector<std::string> log() const {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }
  std::string Name(const void* object) {
    std::lock_guard<std::mutex> lock(mu_);
    return NameLocked(object);
  }

  WakeReason wake = WakeReason::kTimedOut;
  std::function<void(const void* mutex)> on_wait;

 private:
  void Log(const char* what, const void* object) {
    std::lock_guard<std::mutex> lock(mu_);
    log_.push_back(std::string(what) + " " + NameLocked(object));
  }
  std::string NameLocked(const void* object) {
    for (size_t i = 0; i < objects_.size(); ++i) {
      if (objects_[i] == object) return std::string(1, char('A' + i));
    }
    objects_.push_back(object);
    return std::string(1, char('A' + objects_.size() - 1));
  }

  const bool owns_waits_;
  mutable std::mutex mu_;
  std::vector<const void*> objects_;
  std::vector<std::string> log_;
};

Uuid U(int n) {
  std::array<uint8_t, 16> b{};
  b[15] = static_cast<uint8_t>(n);
  return Uuid(b);
}

TEST(SyncHooksTest, WithoutHooksWaitForReturnsAtOnceWhenThePredicateHolds) {
  SyncMutex mu;
  SyncCondVar cv;
  std::unique_lock<SyncMutex> lock(mu);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(cv.WaitFor(lock, milliseconds(5000), [] { return true; }));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000));
  EXPECT_TRUE(lock.owns_lock());
}

TEST(SyncHooksTest, WithoutHooksWaitForTimesOutWithTheLockHeld) {
  SyncMutex mu;
  SyncCondVar cv;
  std::unique_lock<SyncMutex> lock(mu);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(cv.WaitFor(lock, milliseconds(20), [] { return false; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(20));
  EXPECT_TRUE(lock.owns_lock());
}

TEST(SyncHooksTest, WithoutHooksNotifyAllWakesAWaiter) {
  SyncMutex mu;
  SyncCondVar cv;
  bool ready = false;
  std::thread notifier([&] {
    std::lock_guard<SyncMutex> lock(mu);
    ready = true;
    cv.NotifyAll();
  });
  {
    std::unique_lock<SyncMutex> lock(mu);
    EXPECT_TRUE(cv.WaitFor(lock, milliseconds(60000), [&] { return ready; }));
  }
  notifier.join();
}

TEST(SyncHooksTest, LockUnlockAndNotifyAreReportedInOrder) {
  RecordingHooks hooks;
  SyncMutex mu(&hooks);
  SyncCondVar cv(&hooks);
  {
    std::lock_guard<SyncMutex> lock(mu);
    cv.NotifyAll();
  }
  EXPECT_EQ(hooks.log(),
            (std::vector<std::string>{"acquire A", "notify B", "release A"}));
}

TEST(SyncHooksTest, ObservingHooksLeaveWaitsToTheConditionVariable) {
  RecordingHooks hooks(/*owns_waits=*/false);
  SyncMutex mu(&hooks);
  SyncCondVar cv(&hooks);
  std::unique_lock<SyncMutex> lock(mu);
  EXPECT_FALSE(cv.WaitFor(lock, milliseconds(1), [] { return false; }));
  EXPECT_EQ(hooks.log(), (std::vector<std::string>{"acquire A"}));
}

TEST(SyncHooksTest, OwningHooksGetTheWaitWithTheMutexReleased) {
  RecordingHooks hooks(/*owns_waits=*/true);
  SyncMutex mu(&hooks);
  SyncCondVar cv(&hooks);
  // Another thread must be able to take the mutex while the wait is in the
  // hooks; it sets the flag the waiter is waiting for.
  bool flag = false;
  std::thread other;
  std::promise<void> took;
  std::future<void> took_future = took.get_future();
  bool released_in_wait = false;
  hooks.on_wait = [&](const void* mutex) {
    EXPECT_EQ(mutex, &mu);
    other = std::thread([&] {
      std::lock_guard<SyncMutex> lock(mu);
      flag = true;
      took.set_value();
    });
    released_in_wait = took_future.wait_for(std::chrono::seconds(10)) ==
                       std::future_status::ready;
  };
  hooks.wake = SyncHooks::WakeReason::kNotified;
  {
    std::unique_lock<SyncMutex> lock(mu);
    EXPECT_TRUE(cv.WaitFor(lock, milliseconds(0), [&] { return flag; }));
    EXPECT_TRUE(lock.owns_lock());
  }
  other.join();
  EXPECT_TRUE(released_in_wait);
  const std::vector<std::string> log = hooks.log();
  ASSERT_GE(log.size(), 2u);
  EXPECT_EQ(log[0], "acquire A");
  EXPECT_EQ(log[1], "wait B A");
}

TEST(SyncHooksTest, OwningHooksTimeoutEndsTheWaitWithThePredicatesValue) {
  RecordingHooks hooks(/*owns_waits=*/true);
  SyncMutex mu(&hooks);
  SyncCondVar cv(&hooks);
  std::unique_lock<SyncMutex> lock(mu);
  int checks = 0;
  // An hour-long timeout: only the hooks can end this wait.
  EXPECT_FALSE(cv.WaitFor(lock, milliseconds(3600 * 1000), [&] {
    ++checks;
    return false;
  }));
  EXPECT_EQ(checks, 2);  // before the wait and after the timeout
  EXPECT_EQ(hooks.log(), (std::vector<std::string>{"acquire A", "wait B A"}));
}

TEST(SyncHooksTest, ParentOpenTakesTheParentLockThenTheInstanceLock) {
  RecordingHooks hooks;
  MdevParent parent(MdevParent::Options{.sync_hooks = &hooks});
  ASSERT_TRUE(parent.Create("mtty-1", U(1)).ok());
  const size_t before = hooks.log().size();
  Result<MdevHandle> h = parent.Open(U(1));
  ASSERT_TRUE(h.ok());
  std::vector<std::string> log = hooks.log();
  log.erase(log.begin(), log.begin() + static_cast<long>(before));
  // A is the parent lock (Create took it first); B the instance lock.
  EXPECT_EQ(log, (std::vector<std::string>{"acquire A", "acquire B",
                                           "release B", "release A"}));
}

TEST(SyncHooksTest, ParentLastCloseNotifiesUnderTheInstanceLock) {
  RecordingHooks hooks;
  MdevParent parent(MdevParent::Options{.sync_hooks = &hooks});
  ASSERT_TRUE(parent.Create("mtty-1", U(1)).ok());
  Result<MdevHandle> h = parent.Open(U(1));
  ASSERT_TRUE(h.ok());
  const size_t before = hooks.log().size();
  h.value().Close();
  std::vector<std::string> log = hooks.log();
  log.erase(log.begin(), log.begin() + static_cast<long>(before));
  EXPECT_EQ(log,
            (std::vector<std::string>{"acquire B", "notify C", "release B"}));
}

TEST(SyncHooksTest, ParentRemoveWaitIsHandedToOwningHooks) {
  RecordingHooks hooks(/*owns_waits=*/true);
  MdevParent parent(MdevParent::Options{.sync_hooks = &hooks});
  ASSERT_TRUE(parent.Create("mtty-2", U(1)).ok());
  Result<MdevHandle> h = parent.Open(U(1));
  ASSERT_TRUE(h.ok());
  // The hooks say the hour passed: EBUSY at once, device untouched.
  EXPECT_EQ(parent.Remove(U(1), milliseconds(3600 * 1000)).code(), -EBUSY);
  Result<MdevParent::DeviceInfo> info = parent.Find(U(1));
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info->removing);
  EXPECT_EQ(info->open_handles, 1);
  EXPECT_EQ(parent.free_ports(), MdevParent::kTotalPorts - 2);
  int waits = 0;
  for (const std::string& line : hooks.log()) {
    if (line.rfind("wait ", 0) == 0) ++waits;
  }
  EXPECT_EQ(waits, 1);
}

}  // namespace
}  // namespace mtty
