// Copyright mtty-lab authors.
#include "fuzz/mdev_race/watchdog.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace mtty::race {
namespace {

using std::chrono::milliseconds;

// A thread that waits until told to stop.
class Parked {
 public:
  Parked() : thread_([this] { Wait(); }) {}
  ~Parked() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return stop_; });
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

TEST(WatchdogTest, PrintsAStackForEveryThread) {
  Parked a;
  Parked b;
  testing::internal::CaptureStderr();
  PrintAllThreadStacks();
  const std::string out = testing::internal::GetCapturedStderr();
  // The main thread, the two parked threads (the watchdog's own thread may
  // exist too).
  size_t threads = 0;
  for (size_t at = out.find("  thread "); at != std::string::npos;
       at = out.find("  thread ", at + 1)) {
    ++threads;
  }
  EXPECT_GE(threads, 3u) << out;
  EXPECT_NE(out.find("[watchdog]"), std::string::npos) << out;
  EXPECT_NE(out.find("    #0 "), std::string::npos) << out;
}

TEST(WatchdogTest, DisarmedRunsAreLeftAlone) {
  Watchdog::Instance().Arm(milliseconds(50), "quick");
  Watchdog::Instance().Disarm();
  std::this_thread::sleep_for(milliseconds(200));
  SUCCEED();
}

TEST(WatchdogTest, LimitComesFromTheEnvironment) {
  setenv("MTTY_RACE_WATCHDOG_MS", "1234", 1);
  EXPECT_EQ(WatchdogLimit(milliseconds(5)), milliseconds(1234));
  setenv("MTTY_RACE_WATCHDOG_MS", "junk", 1);
  EXPECT_EQ(WatchdogLimit(milliseconds(5)), milliseconds(5));
  unsetenv("MTTY_RACE_WATCHDOG_MS");
  EXPECT_EQ(WatchdogLimit(milliseconds(5)), milliseconds(5));
}

void HangWithTheWatchdogArmed() {
  Parked parked;  // a second thread in the dump
  Watchdog::Instance().Arm(milliseconds(100), "the hanging run");
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [] { return false; });
}

TEST(WatchdogDeathTest, AHangBecomesAnAbortWithEveryStack) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(HangWithTheWatchdogArmed(),
               "WATCHDOG: the run did not finish within 100 ms(.|\n)*"
               "the hanging run(.|\n)*stacks of every thread(.|\n)*"
               "  thread (.|\n)*WATCHDOG: aborting");
}

}  // namespace
}  // namespace mtty::race
