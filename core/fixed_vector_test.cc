#include "core/fixed_vector.h"

#include <gtest/gtest.h>

namespace mtty {
namespace {

TEST(FixedVectorTest, PushBackUpToCapacityThenRefuses) {
  FixedVector<int, 2> v;
  EXPECT_TRUE(v.empty());
  EXPECT_TRUE(v.push_back(1));
  EXPECT_TRUE(v.push_back(2));
  EXPECT_FALSE(v.push_back(3));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0], 1);
  EXPECT_EQ(v[1], 2);
  EXPECT_EQ(v.end() - v.begin(), 2);
}

TEST(FixedVectorTest, GetChecksTheLiveRange) {
  FixedVector<int, 3> v;
  ASSERT_TRUE(v.push_back(7));
  ASSERT_NE(v.get(0), nullptr);
  EXPECT_EQ(*v.get(0), 7);
  EXPECT_EQ(v.get(1), nullptr);  // within capacity, past size()
  EXPECT_EQ(v.get(3), nullptr);
}

TEST(FixedVectorTest, EqualityIgnoresSlotsPastSize) {
  FixedVector<int, 3> a, b;
  ASSERT_TRUE(a.push_back(1));
  ASSERT_TRUE(a.push_back(9));
  a.clear();
  ASSERT_TRUE(a.push_back(1));  // a's second slot still holds 9
  ASSERT_TRUE(b.push_back(1));
  EXPECT_EQ(a, b);
  ASSERT_TRUE(b.push_back(2));
  EXPECT_NE(a, b);
  ASSERT_TRUE(a.push_back(3));
  EXPECT_NE(a, b);
}

TEST(FixedVectorTest, CopiesAreIndependent) {
  FixedVector<int, 2> a;
  ASSERT_TRUE(a.push_back(4));
  FixedVector<int, 2> b = a;
  b[0] = 5;
  EXPECT_EQ(a[0], 4);
  EXPECT_EQ(b[0], 5);
}

}  // namespace
}  // namespace mtty
