// Copyright mtty-lab authors.
#include "core/fifo.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

namespace mtty {
namespace {

TEST(FifoTest, StartsEmpty) {
  Fifo f;
  EXPECT_TRUE(f.empty());
  EXPECT_FALSE(f.full());
  EXPECT_EQ(f.size(), 0u);
  EXPECT_EQ(f.Peek(), std::nullopt);
  EXPECT_EQ(f.Pop(), std::nullopt);
  EXPECT_EQ(Fifo::capacity(), 16u);
  EXPECT_EQ(kFifoCapacity, 16u);
}

TEST(FifoTest, PopReturnsBytesInPushOrder) {
  Fifo f;
  EXPECT_TRUE(f.Push(0x11));
  EXPECT_TRUE(f.Push(0x22));
  EXPECT_TRUE(f.Push(0x33));
  EXPECT_EQ(f.size(), 3u);
  EXPECT_EQ(f.Pop(), 0x11);
  EXPECT_EQ(f.Pop(), 0x22);
  EXPECT_EQ(f.Pop(), 0x33);
  EXPECT_EQ(f.Pop(), std::nullopt);
  EXPECT_TRUE(f.empty());
}

TEST(FifoTest, PeekDoesNotRemove) {
  Fifo f;
  ASSERT_TRUE(f.Push(0xab));
  EXPECT_EQ(f.Peek(), 0xab);
  EXPECT_EQ(f.Peek(), 0xab);
  EXPECT_EQ(f.size(), 1u);
}

TEST(FifoTest, SixteenBytesMakeItFullNotEmpty) {
  // The sample's ring looks empty at exactly this point (head == tail).
  Fifo f;
  for (int i = 0; i < 16; ++i) ASSERT_TRUE(f.Push(static_cast<uint8_t>(i)));
  EXPECT_TRUE(f.full());
  EXPECT_FALSE(f.empty());
  EXPECT_EQ(f.size(), 16u);
  EXPECT_EQ(f.Peek(), 0);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(f.Pop(), i);
  EXPECT_TRUE(f.empty());
}

TEST(FifoTest, PushWhenFullFailsAndKeepsContents) {
  Fifo f;
  for (int i = 0; i < 16; ++i) ASSERT_TRUE(f.Push(static_cast<uint8_t>(i)));
  EXPECT_FALSE(f.Push(0xee));
  EXPECT_EQ(f.size(), 16u);
  EXPECT_EQ(f.At(15), 15);
}

TEST(FifoTest, WrapsAroundTheRing) {
  Fifo f;
  // Move the head deep into the ring, then fill it completely across the end.
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 11; ++i) ASSERT_TRUE(f.Push(static_cast<uint8_t>(i)));
    for (int i = 0; i < 11; ++i) ASSERT_EQ(f.Pop(), i);
  }
  for (int i = 0; i < 16; ++i) {
    ASSERT_TRUE(f.Push(static_cast<uint8_t>(0x40 + i)));
  }
  EXPECT_FALSE(f.Push(0));
  for (int i = 0; i < 16; ++i) EXPECT_EQ(f.Pop(), 0x40 + i);
  EXPECT_EQ(f.Pop(), std::nullopt);
}

TEST(FifoTest, AtIndexesFromOldestAndRejectsOutOfRange) {
  Fifo f;
  ASSERT_TRUE(f.Push(1));
  ASSERT_TRUE(f.Push(2));
  ASSERT_EQ(f.Pop(), 1);
  ASSERT_TRUE(f.Push(3));
  EXPECT_EQ(f.At(0), 2);
  EXPECT_EQ(f.At(1), 3);
  EXPECT_EQ(f.At(2), std::nullopt);
  EXPECT_EQ(f.At(16), std::nullopt);
  EXPECT_EQ(f.At(static_cast<size_t>(-1)), std::nullopt);
}

TEST(FifoTest, ClearEmptiesAndAllowsReuse) {
  Fifo f;
  for (int i = 0; i < 16; ++i) ASSERT_TRUE(f.Push(0x55));
  f.Clear();
  EXPECT_TRUE(f.empty());
  EXPECT_EQ(f.Pop(), std::nullopt);
  EXPECT_TRUE(f.Push(0x66));
  EXPECT_EQ(f.Pop(), 0x66);
}

TEST(FifoTest, EqualityComparesContentsNotRingPosition) {
  Fifo a;
  Fifo b;
  EXPECT_EQ(a, b);
  ASSERT_TRUE(b.Push(9));
  ASSERT_EQ(b.Pop(), 9);  // b's head has moved; a's has not.
  ASSERT_TRUE(a.Push(7));
  ASSERT_TRUE(b.Push(7));
  EXPECT_EQ(a, b);
  ASSERT_TRUE(a.Push(8));
  EXPECT_FALSE(a == b);
  ASSERT_TRUE(b.Push(9));
  EXPECT_FALSE(a == b);  // same size, different byte
}

TEST(FifoTest, CopyOutIsOldestFirstAcrossTheWrapAndZeroFilled) {
  for (size_t shift = 0; shift < kFifoCapacity; ++shift) {
    for (size_t n = 0; n <= kFifoCapacity; ++n) {
      Fifo f;
      // Move head_ to `shift`, then queue n bytes 1..n.
      for (size_t i = 0; i < shift; ++i) f.Push(0xee);
      for (size_t i = 0; i < shift; ++i) f.Pop();
      for (size_t i = 0; i < n; ++i) f.Push(static_cast<uint8_t>(i + 1));
      std::array<uint8_t, kFifoCapacity> out;
      out.fill(0xaa);
      ASSERT_EQ(f.CopyOut(out), n) << "shift " << shift;
      for (size_t i = 0; i < kFifoCapacity; ++i) {
        const uint8_t want = i < n ? static_cast<uint8_t>(i + 1) : 0;
        ASSERT_EQ(out[i], want)
            << "shift " << shift << " n " << n << " i " << i;
        if (i < n) {
          ASSERT_EQ(f.At(i), want);
        }
      }
    }
  }
}

TEST(FifoTest, ReplaceNewestOverwritesOnlyTheNewestByte) {
  Fifo f;
  EXPECT_FALSE(f.ReplaceNewest(0x55));  // empty: nothing to replace
  EXPECT_TRUE(f.empty());
  for (size_t shift = 0; shift < kFifoCapacity; ++shift) {
    Fifo g;
    for (size_t i = 0; i < shift; ++i) ASSERT_TRUE(g.Push(0xee));
    for (size_t i = 0; i < shift; ++i) ASSERT_TRUE(g.Pop().has_value());
    ASSERT_TRUE(g.Push(0x01));
    ASSERT_TRUE(g.Push(0x02));
    ASSERT_TRUE(g.ReplaceNewest(0x03));
    EXPECT_EQ(g.size(), 2u) << "shift " << shift;
    EXPECT_EQ(g.At(0), 0x01) << "shift " << shift;
    EXPECT_EQ(g.At(1), 0x03) << "shift " << shift;
  }
}

// AnyNonZero looks at the whole ring at once, so it is only right if popped
// slots are zeroed: check it against the queue's contents at every head
// position, with the one nonzero byte at every place in the queue and with
// nonzero bytes already popped.
TEST(FifoTest, AnyNonZeroSeesOnlyQueuedBytes) {
  for (size_t shift = 0; shift < kFifoCapacity; ++shift) {
    for (size_t n = 0; n <= kFifoCapacity; ++n) {
      for (size_t hot = 0; hot <= n; ++hot) {  // hot == n: all zero
        Fifo f;
        for (size_t i = 0; i < shift; ++i) ASSERT_TRUE(f.Push(0xee));
        for (size_t i = 0; i < shift; ++i) ASSERT_TRUE(f.Pop().has_value());
        for (size_t i = 0; i < n; ++i) ASSERT_TRUE(f.Push(i == hot ? 0x10 : 0));
        ASSERT_EQ(f.AnyNonZero(), hot < n)
            << "shift " << shift << " n " << n << " hot " << hot;
        // Popping the nonzero byte leaves only zeros behind.
        for (size_t i = 0; i <= hot && i < n; ++i) f.Pop();
        ASSERT_FALSE(f.AnyNonZero())
            << "shift " << shift << " n " << n << " hot " << hot;
      }
    }
  }
}

}  // namespace
}  // namespace mtty
