// Copyright mtty-lab authors.
//
// IoctlModel against docs/spec/vfio-device-uapi.md: argument sizes, the
// GET_INFO dependency of the kernel profile, SET_IRQS validation and
// mtty's trigger rules, with values written from the document.
#include "fuzz/models/ioctl_model.h"

#include <vector>

#include "gtest/gtest.h"

namespace mtty::fuzz {
namespace {

std::vector<uint8_t> Words(std::initializer_list<uint32_t> words) {
  std::vector<uint8_t> b(4 * words.size());
  size_t at = 0;
  for (uint32_t w : words) {
    Put(b, at, w, 4);
    at += 4;
  }
  return b;
}

TEST(IoctlModelTest, GetInfoFillsFlagsRegionsIrqs) {
  IoctlModel m;
  const IoctlModel::Outcome out =
      m.Ioctl(vfio::kDeviceGetInfo, Words({24, 0, 0, 0, 0, 0}));
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(Get32(out.arg, 4), vfio::kDeviceFlagsPci);
  EXPECT_EQ(Get32(out.arg, 8), 9u);
  EXPECT_EQ(Get32(out.arg, 12), 5u);
  EXPECT_EQ(m.Ioctl(vfio::kDeviceGetInfo, Words({15, 0, 0, 0})).status.code(),
            -EINVAL);  // argsz below minsz 16
}

TEST(IoctlModelTest, KernelProfileNeedsGetInfoBeforeIrqInfo) {
  IoctlModel m;  // kernel profile
  const std::vector<uint8_t> intx = Words({16, 0, vfio::kIntxIrqIndex, 0});
  EXPECT_EQ(m.Ioctl(vfio::kDeviceGetIrqInfo, intx).status.code(), -EINVAL);
  ASSERT_TRUE(m.Ioctl(vfio::kDeviceGetInfo, Words({16, 0, 0, 0})).status.ok());
  const IoctlModel::Outcome out = m.Ioctl(vfio::kDeviceGetIrqInfo, intx);
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(Get32(out.arg, 4), 7u);  // EVENTFD|MASKABLE|AUTOMASKED
  EXPECT_EQ(Get32(out.arg, 12), 1u);
}

TEST(IoctlModelTest, SetIrqsValidationAndTriggerRules) {
  IoctlModel m;
  m.profile = Profile::k16550a;  // validated against 5 from the start
  const uint32_t trigger = vfio::kIrqSetActionTrigger;
  // Two data types at once.
  EXPECT_EQ(m.SetIrqs(Words({20, vfio::kIrqSetDataNone |
                                     vfio::kIrqSetDataBool | trigger,
                             0, 0, 1})).code(),
            -EINVAL);
  // MSI-X: -ENOTTY after validation.
  EXPECT_EQ(m.SetIrqs(Words({20, vfio::kIrqSetDataNone | trigger,
                             vfio::kMsixIrqIndex, 0, 1})).code(),
            -ENOTTY);
  // A loopback trigger on INTx needs INTx enabled.
  EXPECT_EQ(m.SetIrqs(Words({20, vfio::kIrqSetDataNone | trigger,
                             vfio::kIntxIrqIndex, 0, 1})).code(),
            -EINVAL);
  EXPECT_EQ(m.irq_index, -1);
}

}  // namespace
}  // namespace mtty::fuzz
