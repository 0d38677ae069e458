#include "core/status.h"

#include <gtest/gtest.h>

namespace mtty {
namespace {

TEST(StatusTest, OkIsZero) {
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_EQ(Status::Ok().code(), 0);
  EXPECT_EQ(Status::Ok().ToString(), "OK");
}

TEST(StatusTest, ErrorIsNegativeErrnoWhateverTheSpelling) {
  EXPECT_EQ(Status::Error(-EINVAL).code(), -EINVAL);
  EXPECT_EQ(Status::Error(EINVAL).code(), -EINVAL);
  EXPECT_FALSE(Status::Error(-EINVAL).ok());
  EXPECT_EQ(Status::Error(-ENOSPC).ToString(),
            "ENOSPC (No space left on device)");
}

TEST(StatusTest, ErrnoNames) {
  EXPECT_EQ(ErrnoName(EEXIST), "EEXIST");
  EXPECT_EQ(ErrnoName(-ENODEV), "ENODEV");
  EXPECT_EQ(ErrnoName(4095), "E4095");
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> v = 7;
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 7);
  EXPECT_TRUE(v.status().ok());
  Result<int> e = Status::Error(-EFAULT);
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), -EFAULT);
}

}  // namespace
}  // namespace mtty
