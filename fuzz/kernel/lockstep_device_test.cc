// Copyright mtty-lab authors.
//
// The lockstep on the real 6.1 sample: agreement on ordinary use, each
// differential- and kshim-detected defect found when hunted and avoided or
// tolerated when not, and an unexplained difference reported as one.
// Sanitizer-detected defects are only avoided here (this build has no
// sanitizer); //fuzz:*_kernel_regression hunts them under ASan.
#include "fuzz/kernel/lockstep_device.h"

#include <cstring>
#include <vector>

#include "core/vfio_uapi.h"
#include "gtest/gtest.h"
#include "kshim/kshim.h"

namespace mtty::fuzz::kernel {
namespace {

constexpr uint64_t kBar0 = 0;
constexpr uint64_t kBar1 = vfio::RegionOffset(1);
constexpr uint64_t kBar2 = vfio::RegionOffset(2);
constexpr uint64_t kConfig = vfio::RegionOffset(vfio::kConfigRegionIndex);
constexpr int32_t kFd = 3;

Hunt Only(Defect d) { return *Hunt::Parse(Info(d).name, nullptr); }

class LockstepTest : public ::testing::Test {
 protected:
  void SetUp() override { sink_ = fds_.Register(kFd); }

  std::unique_ptr<LockstepDevice> Make(Hunt hunt, int nr_ports = 1,
                                       DeviceFactory ours = MakeRealDevice) {
    LockstepOptions lo;
    lo.hunt = hunt;
    lo.ours = std::move(ours);
    DeviceOptions o;
    o.nr_ports = nr_ports;
    o.resolver = &fds_;
    return std::make_unique<LockstepDevice>(o, std::move(lo));
  }
  static void W(LockstepDevice& d, uint64_t pos, uint8_t v) {
    (void)d.Write(pos, {&v, 1});
  }
  static uint8_t R(LockstepDevice& d, uint64_t pos) {
    uint8_t b = 0;
    (void)d.Read(pos, {&b, 1});
    return b;
  }
  static Status SetIrqs(LockstepDevice& d, uint32_t flags, uint32_t index,
                        uint32_t count, std::vector<int32_t> fds) {
    std::vector<uint8_t> arg(sizeof(vfio::IrqSetHeader) + 4 * fds.size());
    const vfio::IrqSetHeader h{static_cast<uint32_t>(arg.size()), flags, index,
                               0, count};
    std::memcpy(arg.data(), &h, sizeof(h));
    if (!fds.empty())
      std::memcpy(arg.data() + sizeof(h), fds.data(), 4 * fds.size());
    return d.Ioctl(vfio::kDeviceSetIrqs, arg);
  }
  static void GetInfo(LockstepDevice& d) {
    vfio::DeviceInfo info{};
    info.argsz = sizeof(info);
    (void)d.Ioctl(vfio::kDeviceGetInfo,
                  {reinterpret_cast<uint8_t*>(&info), sizeof(info)});
  }

  FakeFdTable fds_;
  std::shared_ptr<CountingSink> sink_;
};

TEST_F(LockstepTest, OrdinaryUartSessionAgrees) {
  // Hunting nothing (6.1 leaks this INTx eventfd at remove), but nothing
  // may be avoided or tolerated either.
  auto d = Make(Hunt::None(), 2);
  GetInfo(*d);
  ASSERT_TRUE(SetIrqs(*d, vfio::kIrqSetDataEventfd | vfio::kIrqSetActionTrigger,
                      vfio::kIntxIrqIndex, 1, {kFd})
                  .ok());
  W(*d, kBar0 + 3, 0x80);  // DLAB
  W(*d, kBar0 + 0, 0x01);
  W(*d, kBar0 + 3, 0x03);
  W(*d, kBar0 + 2, 0x07);  // FIFO on, clear
  W(*d, kBar0 + 1, 0x01);  // RDI
  W(*d, kBar0 + 0, 'A');
  W(*d, kBar1 + 0, 'B');
  EXPECT_EQ(R(*d, kBar0 + 5) & 0x01, 0x01);
  EXPECT_EQ(R(*d, kBar0 + 0), 'A');
  uint32_t bar0 = 0xffffffff;
  (void)d->Write(kConfig + 0x10, {reinterpret_cast<uint8_t*>(&bar0), 4});
  EXPECT_FALSE(d->finding()) << d->finding()->ToString();
  EXPECT_GT(d->stats().compared, 10u);
  EXPECT_EQ(d->stats().avoided, 0u);
  EXPECT_EQ(d->stats().tolerated, 0u);
  EXPECT_GT(sink_->count(), 0u) << "nothing reached the harness's fd table?";
}

TEST_F(LockstepTest, UnhuntedMemoryDefectsAreSentToNeitherDevice) {
  auto d = Make(Hunt::None());
  uint8_t b[4] = {};
  EXPECT_EQ(d->Read(kConfig + 0xfe, {b, 4}).status().code(), -EPERM);
  EXPECT_EQ(d->Write(kBar2, {b, 1}).status().code(), -EPERM);
  EXPECT_EQ(d->Write(kConfig + 0x10, {b, 1}).status().code(), -EPERM);
  GetInfo(*d);
  EXPECT_EQ(SetIrqs(*d, vfio::kIrqSetDataEventfd | vfio::kIrqSetActionTrigger,
                    vfio::kIntxIrqIndex, 0, {})
                .code(),
            -EPERM);
  EXPECT_EQ(d->stats().avoided, 4u);
  EXPECT_FALSE(d->finding());
}

TEST_F(LockstepTest, WideBarReadLeaksStackBytesWhenHunted) {
  auto d = Make(Only(Defect::kBarReadUninit));
  uint8_t b[4] = {};
  (void)d->Read(kBar0 + 4, {b, 4});  // MCR: one byte filled, three not
  ASSERT_TRUE(d->finding());
  EXPECT_EQ(d->finding()->oracle, "kernel-defect/bar-read-uninit");
  EXPECT_NE(d->finding()->detail.find("samples/vfio-mdev/mtty.c:"),
            std::string::npos)
      << d->finding()->detail;
}

TEST_F(LockstepTest, WideBarReadIsToleratedWhenNotHunted) {
  auto d = Make(Hunt::None());
  uint8_t b[4] = {};
  (void)d->Read(kBar0 + 4, {b, 4});
  EXPECT_FALSE(d->finding());
  EXPECT_EQ(d->stats().tolerated, 1u);
}

TEST_F(LockstepTest, PhantomBar1OnASinglePortDevice) {
  auto hunted = Make(Only(Defect::kPhantomBar1));
  W(*hunted, kBar1 + 7, 0x5a);
  ASSERT_TRUE(hunted->finding());
  EXPECT_EQ(hunted->finding()->oracle, "kernel-defect/phantom-bar1");
  auto avoided = Make(Hunt::None());
  W(*avoided, kBar1 + 7, 0x5a);
  EXPECT_FALSE(avoided->finding());
  EXPECT_EQ(avoided->stats().avoided, 1u);
}

TEST_F(LockstepTest, SixteenBytesWedgeTheSamplesFifo) {
  auto d = Make(Only(Defect::kFifoFullReadsEmpty));
  W(*d, kBar0 + 2, 0x01);  // FIFO on: capacity 16
  for (int i = 0; i < 16 && !d->finding(); ++i) W(*d, kBar0, uint8_t(i));
  ASSERT_TRUE(d->finding());
  EXPECT_EQ(d->finding()->oracle, "kernel-defect/fifo-full-reads-empty");
  EXPECT_EQ(d->finding()->op_index, 17u);

  auto avoided = Make(Hunt::None());
  W(*avoided, kBar0 + 2, 0x01);
  for (int i = 0; i < 20; ++i) W(*avoided, kBar0, uint8_t(i));
  EXPECT_FALSE(avoided->finding()) << avoided->finding()->ToString();
  EXPECT_EQ(avoided->stats().avoided, 5u);  // the 16th..20th byte
}

TEST_F(LockstepTest, PartialBarConfigWriteIsTheDocumentedDeviation) {
  auto d = Make(Hunt::All());
  const uint8_t b = 0x12;
  (void)d->Write(kConfig + 0x11, {&b, 1});  // 6.1 ignores, ours would merge
  EXPECT_FALSE(d->finding()) << d->finding()->ToString();
  EXPECT_EQ(d->stats().deviations, 1u);
}

TEST_F(LockstepTest, EventfdDefectsAreSurvivedWhenNotHunted) {
  auto d = Make(Hunt::None());
  GetInfo(*d);
  const uint32_t trigger = vfio::kIrqSetActionTrigger;
  W(*d, kBar0 + 1, 0x02);  // THRI while empty: an interrupt, no eventfd yet
  ASSERT_TRUE(SetIrqs(*d, vfio::kIrqSetDataEventfd | trigger,
                      vfio::kIntxIrqIndex, 1, {kFd})
                  .ok());
  ASSERT_TRUE(
      SetIrqs(*d, vfio::kIrqSetDataNone | trigger, vfio::kIntxIrqIndex, 0, {})
          .ok());
  W(*d, kBar0 + 1, 0x02);  // signals the put eventfd
  ASSERT_TRUE(
      SetIrqs(*d, vfio::kIrqSetDataNone | trigger, vfio::kIntxIrqIndex, 0, {})
          .ok());
  EXPECT_FALSE(d->finding()) << d->finding()->ToString();
  EXPECT_EQ(kshim_bug_count(KSHIM_BUG_NULL_EVENTFD_SIGNAL), 1u);
  EXPECT_EQ(kshim_bug_count(KSHIM_BUG_EVENTFD_USE_AFTER_PUT), 1u);
  EXPECT_EQ(kshim_bug_count(KSHIM_BUG_EVENTFD_PUT_UNDERFLOW), 1u);
}

TEST_F(LockstepTest, HuntedNullSignalAbortsWithTheSamplesLine) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        auto d = Make(Only(Defect::kNullEventfdSignal));
        W(*d, kBar0 + 1, 0x02);
      },
      "null-eventfd-signal.*\n.*samples/vfio-mdev/mtty.c:[0-9]+");
}

// Ours with one rule broken: the sample's reply to a write of SCR is not
// what this device keeps.
class ScrDropper : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> Write(uint64_t pos, std::span<const uint8_t> buf) override {
    if (pos == kBar0 + 7) return buf.size();
    return RealDevice::Write(pos, buf);
  }
};

TEST_F(LockstepTest, AnUnexplainedDifferenceIsAFinding) {
  auto d = Make(Hunt::All(), 1, [](const DeviceOptions& o) {
    return std::unique_ptr<DeviceUnderTest>(std::make_unique<ScrDropper>(o));
  });
  W(*d, kBar0 + 7, 0x42);
  ASSERT_TRUE(d->finding());
  EXPECT_EQ(d->finding()->oracle, "kernel-differential");
  EXPECT_NE(d->finding()->detail.find("port 0 scr (record byte 5)"),
            std::string::npos)
      << d->finding()->detail;
  uint8_t b = 0;
  EXPECT_EQ(d->Read(kBar0, {&b, 1}).status().code(), -EIO) << "dead after";
}

}  // namespace
}  // namespace mtty::fuzz::kernel
