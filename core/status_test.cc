#include "core/status.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>

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

TEST(StatusTest, ReasonIsEmptyUnlessGiven) {
  EXPECT_STREQ(Status::Ok().reason(), "");
  EXPECT_STREQ(Status::Error(-EINVAL).reason(), "");
  EXPECT_STREQ(Status::Error(-EINVAL, "count above capacity").reason(),
               "count above capacity");
  EXPECT_STREQ(Status::Error(EINVAL, "positive spelling").reason(),
               "positive spelling");
  EXPECT_EQ(Status::Error(EINVAL, "positive spelling").code(), -EINVAL);
}

TEST(StatusTest, ToStringAppendsTheReason) {
  EXPECT_EQ(
      Status::Error(-EINVAL, "record count above the FIFO capacity").ToString(),
      "EINVAL (Invalid argument): record count above the FIFO capacity");
  EXPECT_EQ(Status::Error(-EINVAL).ToString(), "EINVAL (Invalid argument)");
  EXPECT_EQ(Status::Error(-EINVAL, "").ToString(), "EINVAL (Invalid argument)");
}

TEST(StatusTest, EqualityIgnoresTheReason) {
  // Results are compared with the kernel sample's, which has no reasons.
  EXPECT_EQ(Status::Error(-EINVAL, "one"), Status::Error(-EINVAL, "two"));
  EXPECT_EQ(Status::Error(-EINVAL, "one"), Status::Error(-EINVAL));
  EXPECT_FALSE(Status::Error(-EINVAL, "one") == Status::Error(-EFAULT, "one"));
  EXPECT_FALSE(Status::Error(-EINVAL, "one") == Status::Ok());
}

TEST(StatusTest, IsConstexprAndCheap) {
  constexpr Status s = Status::Error(-ENOSPC, "full");
  static_assert(s.code() == -ENOSPC && !s.ok());
  static_assert(s == Status::Error(-ENOSPC));
  static_assert(std::is_trivially_copyable_v<Status>);
  // The 1-byte BAR access returns Result<size_t>: it must stay two words,
  // so it comes back in registers.
  static_assert(std::is_trivially_copyable_v<Result<size_t>>);
  static_assert(sizeof(Result<size_t>) <= 2 * sizeof(void*));
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

TEST(ResultTest, KeepsTheReason) {
  Result<size_t> packed = Status::Error(-EINVAL, "why");
  EXPECT_FALSE(packed.ok());
  EXPECT_EQ(packed.status(), Status::Error(-EINVAL));
  EXPECT_STREQ(packed.status().reason(), "why");
  Result<std::string> wide = Status::Error(-ENOENT, "no such node");
  EXPECT_FALSE(wide.ok());
  EXPECT_STREQ(wide.status().reason(), "no such node");
  Result<size_t> plain = Status::Error(-EIO);
  EXPECT_STREQ(plain.status().reason(), "");
}

TEST(ResultTest, ValuesOfBothLayouts) {
  Result<size_t> n = size_t{5};
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5u);
  n.value() = 6;
  EXPECT_EQ(n.value(), 6u);
  EXPECT_TRUE(n.status().ok());
  Result<std::unique_ptr<int>> p = std::make_unique<int>(3);
  ASSERT_TRUE(p.ok());
  std::unique_ptr<int> taken = std::move(p).value();
  EXPECT_EQ(*taken, 3);
}

TEST(ResultTest, AnErrorBuiltFromOkIsNotAValue) {
  // As when Result was a std::variant: the error alternative is held, even
  // though its Status says OK.
  Result<size_t> r = Status::Ok();
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.status().ok());
}

TEST(ResultDeathTest, ValueOfAnErrorAborts) {
  Result<size_t> r = Status::Error(-EINVAL, "bad record");
  EXPECT_DEATH((void)r.value(),
               "value\\(\\) of a Result holding EINVAL .*: bad record");
}

}  // namespace
}  // namespace mtty
