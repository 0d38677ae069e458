// Copyright mtty-lab authors.
#include "core/biased_lock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace mtty {
namespace {

#define REQUIRE_FAST_PATH()                                              \
  if (!BiasedLock::FastPathSupported())                                  \
  GTEST_SKIP() << "membarrier(PRIVATE_EXPEDITED) unavailable here: the " \
                  "lock is a plain mutex (covered by NoBias tests)"

// Makes the calling thread the owner.
void TakeBias(BiasedLock& lock) {
  lock.Lock();
  ASSERT_TRUE(lock.OfferBias());
  lock.Unlock();
}

TEST(BiasedLockTest, NobodyIsOwnerUntilOffered) {
  BiasedLock lock;
  EXPECT_FALSE(lock.TryEnterBiased());
  EXPECT_FALSE(lock.biased());
}

TEST(BiasedLockTest, OwnerEntersWithoutTheMutex) {
  REQUIRE_FAST_PATH();
  BiasedLock lock;
  TakeBias(lock);
  EXPECT_TRUE(lock.biased());
  ASSERT_TRUE(lock.TryEnterBiased());
  lock.ExitBiased();
  // The owner's own Lock() does not give the bias away.
  lock.Lock();
  EXPECT_TRUE(lock.OfferBias());
  lock.Unlock();
  EXPECT_FALSE(lock.revoked());
  ASSERT_TRUE(lock.TryEnterBiased());
  lock.ExitBiased();
}

TEST(BiasedLockTest, NoBiasWhenDisallowed) {
  BiasedLock lock(/*allow_bias=*/false);
  lock.Lock();
  EXPECT_FALSE(lock.OfferBias());
  lock.Unlock();
  EXPECT_FALSE(lock.TryEnterBiased());
  EXPECT_FALSE(lock.biased());
}

TEST(BiasedLockTest, AnotherThreadsLockRevokesForGood) {
  REQUIRE_FAST_PATH();
  BiasedLock lock;
  TakeBias(lock);
  std::thread other([&] {
    EXPECT_FALSE(lock.TryEnterBiased());
    lock.Lock();
    EXPECT_FALSE(lock.OfferBias());  // revoked bias is never re-granted
    lock.Unlock();
  });
  other.join();
  EXPECT_TRUE(lock.revoked());
  EXPECT_FALSE(lock.biased());
  EXPECT_FALSE(lock.TryEnterBiased());
  lock.Lock();
  EXPECT_FALSE(lock.OfferBias());
  lock.Unlock();
}

TEST(BiasedLockTest, RevokerWaitsForTheOwnersSection) {
  REQUIRE_FAST_PATH();
  BiasedLock lock;
  TakeBias(lock);
  ASSERT_TRUE(lock.TryEnterBiased());
  std::atomic<bool> acquired{false};
  std::thread other([&] {
    lock.Lock();
    acquired = true;
    lock.Unlock();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(acquired.load()) << "Lock() returned while the owner was inside";
  lock.ExitBiased();
  other.join();
  EXPECT_TRUE(acquired.load());
}

// The owner hammers the fast path while other threads arrive and take the
// mutex: every section must run alone (checked by an occupancy count and,
// under --config=tsan, by the plain counter).
TEST(BiasedLockTest, SectionsNeverOverlapAcrossRevocation) {
  constexpr int kRounds = 200;
  constexpr int kOwnerOps = 2000;
  constexpr int kOtherOps = 200;
  for (int round = 0; round < kRounds; ++round) {
    BiasedLock lock;
    std::atomic<int> inside{0};
    std::atomic<bool> overlap{false};
    std::atomic<bool> go{false};
    uint64_t counter = 0;  // deliberately not atomic
    auto section = [&] {
      if (inside.fetch_add(1) != 0) overlap = true;
      ++counter;
      inside.fetch_sub(1);
    };
    std::thread owner([&] {
      lock.Lock();
      lock.OfferBias();
      lock.Unlock();
      for (int i = 0; i < kOwnerOps; ++i) {
        if (i == kOwnerOps / 4) go = true;
        if (lock.TryEnterBiased()) {
          section();
          lock.ExitBiased();
        } else {
          BiasedLockGuard g(lock);
          section();
        }
      }
      go = true;
    });
    std::thread other([&] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < kOtherOps; ++i) {
        BiasedLockGuard g(lock);
        section();
      }
    });
    owner.join();
    other.join();
    ASSERT_FALSE(overlap.load()) << "round " << round;
    ASSERT_EQ(counter, uint64_t{kOwnerOps + kOtherOps}) << "round " << round;
  }
}

}  // namespace
}  // namespace mtty
