// Copyright mtty-lab authors.
//
// The shim's own tests: the runtime's checks (user window, mutex, eventfd
// references) and the real driver reached through KernelMtty. Expected
// values come from Linux 6.1's samples/vfio-mdev/mtty.c as read, not from
// our core.
#include "kshim/kshim.h"

#include <cstring>
#include <string>
#include <vector>

#include "core/irq.h"
#include "core/status.h"
#include "core/uart16550.h"
#include "core/vfio_uapi.h"
#include "gtest/gtest.h"
#include "kshim/kernel_mtty.h"
#include "kshim/sync.h"

namespace mtty::kshim {
namespace {

constexpr uint64_t kBar0 = 0;
constexpr uint64_t kConfig = uint64_t{7} << 40;
constexpr int32_t kFd = 5;

unsigned AllSurvived() { return 0; }

class KshimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_fatal_ = kshim_fatal_bugs();
    kshim_set_fatal_bugs(AllSurvived());
    kshim_reset_bug_counts();
    sink_ = fds_.Register(kFd);
  }
  void TearDown() override { kshim_set_fatal_bugs(saved_fatal_); }

  static uint8_t ReadByte(KernelMtty& d, uint64_t pos) {
    uint8_t b = 0;
    EXPECT_TRUE(d.Read(pos, {&b, 1}).ok());
    return b;
  }
  static void WriteByte(KernelMtty& d, uint64_t pos, uint8_t v) {
    EXPECT_TRUE(d.Write(pos, {&v, 1}).ok());
  }
  static Status GetInfo(KernelMtty& d) {
    vfio::DeviceInfo info{};
    info.argsz = sizeof(info);
    return d.Ioctl(vfio::kDeviceGetInfo,
                   {reinterpret_cast<uint8_t*>(&info), sizeof(info)});
  }
  static Status SetIrqs(KernelMtty& d, uint32_t flags, uint32_t index,
                        uint32_t start, uint32_t count,
                        std::vector<int32_t> fds = {}) {
    std::vector<uint8_t> arg(sizeof(vfio::IrqSetHeader) + 4 * fds.size());
    const vfio::IrqSetHeader h{static_cast<uint32_t>(arg.size()), flags, index,
                               start, count};
    std::memcpy(arg.data(), &h, sizeof(h));
    if (!fds.empty()) {
      std::memcpy(arg.data() + sizeof(h), fds.data(), 4 * fds.size());
    }
    return d.Ioctl(vfio::kDeviceSetIrqs, arg);
  }
  Status SetIntxEventfd(KernelMtty& d) {
    return SetIrqs(d, vfio::kIrqSetDataEventfd | vfio::kIrqSetActionTrigger,
                   vfio::kIntxIrqIndex, 0, 1, {kFd});
  }
  DeviceOptions Options(int nr_ports = 1) {
    DeviceOptions o;
    o.nr_ports = nr_ports;
    o.resolver = &fds_;
    return o;
  }

  unsigned saved_fatal_ = 0;
  FakeFdTable fds_;
  std::shared_ptr<CountingSink> sink_;
};

TEST_F(KshimTest, ModuleRegistersTwoTypesAndCountsPorts) {
  ASSERT_EQ(kshim_module_load(), 0);
  EXPECT_EQ(kshim_mdev_nr_types(), 2u);
  const unsigned one = kshim_mdev_available(0);
  const unsigned two = kshim_mdev_available(1);
  EXPECT_EQ(one, 2 * two);  // ports / nr_ports of the type
  {
    KernelMtty d(Options(2));
    ASSERT_TRUE(d.create_status().ok());
    EXPECT_EQ(kshim_mdev_available(0), one - 2);
  }
  EXPECT_EQ(kshim_mdev_available(0), one);  // release gave the ports back
  EXPECT_EQ(kshim_mdev_available(7), 0u);   // no such type
}

TEST_F(KshimTest, ShowsTheDriversDeviceAttribute) {
  ASSERT_EQ(kshim_module_load(), 0);
  const uint8_t uuid[16] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
                            0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
  int err = 1;
  mdev_device* mdev = kshim_mdev_create(0, uuid, &err);
  ASSERT_NE(mdev, nullptr);
  EXPECT_EQ(err, 0);
  std::vector<char> page(4096);
  const ssize_t n =
      kshim_mdev_show_attr(mdev, "vendor", "sample_mdev_dev", page.data());
  EXPECT_EQ(std::string(page.data(), n > 0 ? static_cast<size_t>(n) : 0),
            "This is MDEV 12345678-9abc-def0-0123-456789abcdef\n");
  EXPECT_EQ(kshim_mdev_show_attr(mdev, "vendor", "nope", page.data()), -ENOENT);
  kshim_mdev_remove(mdev);
  int bad = 0;
  EXPECT_EQ(kshim_mdev_create(9, uuid, &bad), nullptr);
  EXPECT_EQ(bad, -EINVAL);
}

TEST_F(KshimTest, ConfigSpaceIsTheSamples) {
  KernelMtty d(Options(1));
  ASSERT_TRUE(d.create_status().ok());
  uint32_t id = 0;
  ASSERT_TRUE(d.Read(kConfig, {reinterpret_cast<uint8_t*>(&id), 4}).ok());
  EXPECT_EQ(id, 0x32534348u);                    // 0x4348 vendor, 0x3253 device
  EXPECT_EQ(ReadByte(d, kConfig + 0x0b), 0x07);  // class
  EXPECT_EQ(ReadByte(d, kConfig + 0x09), 0x02);  // 16550 prog-if
  EXPECT_EQ(ReadByte(d, kConfig + 0x10), 0x01);  // BAR0: I/O
  EXPECT_EQ(d.state().config[0x3d], 0x01);       // INTA#
}

TEST_F(KshimTest, UartLoopsTxIntoRx) {
  KernelMtty d(Options(1));
  ASSERT_TRUE(d.create_status().ok());
  EXPECT_EQ(ReadByte(d, kBar0 + 5), 0x60);  // LSR: THRE|TEMT
  WriteByte(d, kBar0 + 0, 'A');
  EXPECT_EQ(ReadByte(d, kBar0 + 5), 0x01);  // LSR: DR
  EXPECT_EQ(d.view().ports[0].count, 1);
  EXPECT_EQ(ReadByte(d, kBar0 + 0), 'A');
  EXPECT_EQ(ReadByte(d, kBar0 + 5), 0x60);
  // The state record the differential compares: IER/LCR/SCR in place.
  WriteByte(d, kBar0 + 7, 0x5a);
  Result<Uart16550::State> port =
      Uart16550::State::Decode(Profile::kKernel, d.state().ports[0]);
  ASSERT_TRUE(port.ok()) << port.status().ToString();
  EXPECT_EQ(port->scr, 0x5a);
}

TEST_F(KshimTest, CopiesStayInsideTheCallersBuffer) {
  KernelMtty d(Options(1));
  ASSERT_TRUE(d.create_status().ok());
  // GET_INFO copies 16 bytes in: an 8-byte buffer is -EFAULT, as a user
  // pointer to 8 mapped bytes would be.
  std::vector<uint8_t> small(8);
  EXPECT_EQ(d.Ioctl(vfio::kDeviceGetInfo, small).code(), -EFAULT);
  EXPECT_TRUE(GetInfo(d).ok());
  EXPECT_EQ(d.view().num_irqs, 5u);
  EXPECT_STREQ(kshim_last_copy_to_user_site(),
               "samples/vfio-mdev/mtty.c:1146");  // GET_INFO's copy_to_user
}

TEST_F(KshimTest, SetIrqsValidationIsTheCores) {
  KernelMtty d(Options(1));
  ASSERT_TRUE(d.create_status().ok());
  const uint32_t eventfd =
      vfio::kIrqSetDataEventfd | vfio::kIrqSetActionTrigger;
  // Before GET_INFO num_irqs is 0: every vector is out of range.
  EXPECT_EQ(SetIntxEventfd(d).code(), -EINVAL);
  ASSERT_TRUE(GetInfo(d).ok());
  EXPECT_EQ(SetIrqs(d, eventfd, 0, 5, 1, {kFd}).code(), -EINVAL);  // start
  EXPECT_EQ(SetIrqs(d, eventfd, 0, 0, 6, {kFd, kFd, kFd, kFd, kFd, kFd}).code(),
            -EINVAL);  // count
  EXPECT_EQ(SetIrqs(d, eventfd | (1u << 9), 0, 0, 1, {kFd}).code(),
            -EINVAL);                                              // flags
  EXPECT_EQ(SetIrqs(d, eventfd, 0, 0, 2, {kFd}).code(), -EINVAL);  // argsz
  EXPECT_EQ(SetIrqs(d, eventfd, 5, 0, 1, {kFd}).code(), -EINVAL);  // index
  // 6.1 checks neither start nor count itself: start 4 of 5 is accepted.
  EXPECT_TRUE(SetIrqs(d, eventfd, 0, 4, 1, {kFd}).ok());
  EXPECT_EQ(SetIrqs(d, eventfd, 0, 0, 1, {77}).code(), -EBADF);
}

TEST_F(KshimTest, SignalsReachTheResolversSink) {
  KernelMtty d(Options(1));
  ASSERT_TRUE(d.create_status().ok());
  ASSERT_TRUE(GetInfo(d).ok());
  ASSERT_TRUE(SetIntxEventfd(d).ok());
  EXPECT_EQ(kshim_eventfd_driver_refs(kFd), 1);
  WriteByte(d, kBar0 + 1, 0x02);  // IER.THRI with an empty FIFO
  EXPECT_EQ(sink_->count(), 1u);
  EXPECT_EQ(kshim_eventfd_signals(kFd), 1u);
  EXPECT_EQ(d.state().irq.signals, 1u);
  EXPECT_EQ(kshim_bug_count(KSHIM_BUG_NULL_EVENTFD_SIGNAL), 0u);
}

TEST_F(KshimTest, InterruptBeforeSetIrqsIsANullSignal) {
  KernelMtty d(Options(1));
  ASSERT_TRUE(d.create_status().ok());
  WriteByte(d, kBar0 + 1, 0x02);
  EXPECT_EQ(kshim_bug_count(KSHIM_BUG_NULL_EVENTFD_SIGNAL), 1u);
  EXPECT_NE(std::string(kshim_last_bug()).find("samples/vfio-mdev/mtty.c:"),
            std::string::npos);
}

TEST_F(KshimTest, DataNonePutsButKeepsSignalling) {
  KernelMtty d(Options(1));
  ASSERT_TRUE(d.create_status().ok());
  ASSERT_TRUE(GetInfo(d).ok());
  ASSERT_TRUE(SetIntxEventfd(d).ok());
  const uint32_t none = vfio::kIrqSetDataNone | vfio::kIrqSetActionTrigger;
  ASSERT_TRUE(SetIrqs(d, none, 0, 0, 1).ok());
  EXPECT_EQ(kshim_eventfd_driver_refs(kFd), 0);
  WriteByte(d, kBar0 + 1, 0x02);
  EXPECT_EQ(kshim_bug_count(KSHIM_BUG_EVENTFD_USE_AFTER_PUT), 1u);
  ASSERT_TRUE(SetIrqs(d, none, 0, 0, 1).ok());
  EXPECT_EQ(kshim_bug_count(KSHIM_BUG_EVENTFD_PUT_UNDERFLOW), 1u);
}

TEST_F(KshimTest, EventfdHeldAtRemoveIsALeak) {
  {
    KernelMtty d(Options(1));
    ASSERT_TRUE(d.create_status().ok());
    ASSERT_TRUE(GetInfo(d).ok());
    ASSERT_TRUE(SetIntxEventfd(d).ok());
    EXPECT_EQ(kshim_bug_count(KSHIM_BUG_EVENTFD_LEAK), 0u);
  }
  EXPECT_EQ(kshim_bug_count(KSHIM_BUG_EVENTFD_LEAK), 1u);
  EXPECT_NE(std::string(kshim_last_bug()).find("mtty.c:"), std::string::npos);
}

TEST_F(KshimTest, FeatureIsAnsweredAs61sCore) {
  KernelMtty d(Options(1));
  ASSERT_TRUE(d.create_status().ok());
  vfio::DeviceFeatureHeader h{sizeof(h),
                              vfio::kFeatureGet | vfio::kFeatureMigration};
  auto bytes = [&h] {
    return std::span<uint8_t>(reinterpret_cast<uint8_t*>(&h), sizeof(h));
  };
  EXPECT_EQ(d.Ioctl(vfio::kDeviceFeature, bytes()).code(), -ENOTTY);
  h.flags = vfio::kFeatureGet | vfio::kFeatureSet | vfio::kFeatureMigration;
  EXPECT_EQ(d.Ioctl(vfio::kDeviceFeature, bytes()).code(), -EINVAL);
  h.flags = 1u << 19;
  EXPECT_EQ(d.Ioctl(vfio::kDeviceFeature, bytes()).code(), -EINVAL);
  EXPECT_EQ(d.Ioctl(vfio::kDeviceFeature, bytes().first(4)).code(), -EFAULT);
  EXPECT_EQ(d.SetMigState(vfio::MigState::kStop).status().code(), -ENOTTY);
}

TEST_F(KshimTest, MutexRelockIsReportedNotHung) {
  struct mutex m;
  mutex_init(&m);
  mutex_lock(&m);
  mutex_lock(&m);  // survived: counted, nothing taken
  EXPECT_EQ(kshim_bug_count(KSHIM_BUG_MUTEX_DEADLOCK), 1u);
  mutex_unlock(&m);
  mutex_unlock(&m);
  mutex_unlock(&m);  // not held any more
  EXPECT_EQ(kshim_bug_count(KSHIM_BUG_MUTEX_NOT_HELD), 1u);
}

TEST(KshimDeathTest, FatalBugNamesTheDriversLine) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        kshim_set_fatal_bugs(1u << KSHIM_BUG_NULL_EVENTFD_SIGNAL);
        KernelMtty d(DeviceOptions{});
        uint8_t ier = 0x02;
        (void)d.Write(1, {&ier, 1});
      },
      "SUMMARY: kshim: null-eventfd-signal samples/vfio-mdev/mtty.c:[0-9]+");
  EXPECT_DEATH(
      {
        kshim_set_fatal_bugs(1u << KSHIM_BUG_MUTEX_DEADLOCK);
        struct mutex m;
        mutex_init(&m);
        mutex_lock(&m);
        mutex_lock(&m);
      },
      "SUMMARY: kshim: mutex-deadlock kshim/kshim_test.cc:[0-9]+");
}

}  // namespace
}  // namespace mtty::kshim
