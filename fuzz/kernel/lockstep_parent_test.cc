// Copyright mtty-lab authors.
#include "fuzz/kernel/lockstep_parent.h"

#include <string>

#include "gtest/gtest.h"

namespace mtty::fuzz::kernel {
namespace {

constexpr char kUuid[] = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";

TEST(LockstepParentTest, CreateAndRemoveReachTheSamplesDriver) {
  LockstepParent p(nullptr);
  ASSERT_TRUE(p.Create("mtty-2", kUuid, Profile::kKernel).ok());
  EXPECT_EQ(p.kernel_devices(), 1u);
  EXPECT_EQ(p.AvailableInstances("mtty-1").value(), 22u);
  ASSERT_TRUE(p.Remove(Uuid::Parse(kUuid).value()).ok());
  EXPECT_EQ(p.kernel_devices(), 0u);
  EXPECT_FALSE(p.finding()) << p.finding()->ToString();
}

TEST(LockstepParentTest, PoolExhaustionIsRefusedByBoth) {
  LockstepParent p(nullptr);
  for (int i = 0; i < 12; ++i) {
    std::string uuid = kUuid;
    uuid[35] = "0123456789abcdef"[i];
    ASSERT_TRUE(p.Create("mtty-2", uuid, Profile::kKernel).ok()) << i;
  }
  EXPECT_EQ(p.Create("mtty-1", "83b8f4f2-509f-382f-3c1e-e6bfe0fa2000",
                     Profile::kKernel)
                .code(),
            -ENOSPC);
  EXPECT_EQ(p.kernel_devices(), 12u);
  EXPECT_FALSE(p.finding()) << p.finding()->ToString();
}

TEST(LockstepParentTest, SysfsCreateIsMirrored) {
  LockstepParent p(nullptr);
  ASSERT_TRUE(
      p.SysfsWrite("mdev_supported_types/mtty-1/create", kUuid).ok());
  EXPECT_EQ(p.kernel_devices(), 1u);
  EXPECT_FALSE(p.finding()) << p.finding()->ToString();
}

}  // namespace
}  // namespace mtty::fuzz::kernel
