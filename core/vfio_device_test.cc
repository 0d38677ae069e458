#include "core/vfio_device.h"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

namespace mtty {
namespace {

using vfio::MigState;
using vfio::RegionOffset;

constexpr uint64_t kConfig = RegionOffset(vfio::kConfigRegionIndex);
constexpr uint64_t kBar0 = RegionOffset(vfio::kBar0RegionIndex);
constexpr uint64_t kBar1 = RegionOffset(vfio::kBar1RegionIndex);

class DeviceTest : public ::testing::TestWithParam<Profile> {
 protected:
  std::unique_ptr<MttyDevice> Make(int ports,
                                   IrqSurface surface = IrqSurface::kUpstream) {
    DeviceOptions o;
    o.nr_ports = ports;
    o.profile = GetParam();
    o.resolver = &fds_;
    o.irq_surface = surface;
    return std::make_unique<MttyDevice>(o);
  }
  static uint8_t Rd8(MttyDevice& d, uint64_t pos) {
    uint8_t b = 0xee;
    EXPECT_EQ(*d.Read(pos, {&b, 1}), 1u);
    return b;
  }
  static void Wr8(MttyDevice& d, uint64_t pos, uint8_t v) {
    EXPECT_EQ(*d.Write(pos, {&v, 1}), 1u);
  }
  static uint32_t Rd32(MttyDevice& d, uint64_t pos) {
    uint8_t b[4];
    EXPECT_EQ(*d.Read(pos, b), 4u);
    uint32_t v;
    std::memcpy(&v, b, 4);
    return v;
  }
  static void Wr32(MttyDevice& d, uint64_t pos, uint32_t v) {
    uint8_t b[4];
    std::memcpy(b, &v, 4);
    EXPECT_EQ(*d.Write(pos, b), 4u);
  }
  // Installs a counting eventfd on INTx (fd 10) after GET_INFO.
  std::shared_ptr<CountingSink> WireIntx(MttyDevice& d) {
    EXPECT_TRUE(d.GetInfo().ok());
    auto sink = fds_.Register(10);
    int32_t fd = 10;
    uint8_t data[4];
    std::memcpy(data, &fd, 4);
    EXPECT_TRUE(d.SetIrqs(vfio::kIrqSetDataEventfd | vfio::kIrqSetActionTrigger,
                          vfio::kIntxIrqIndex, 0, 1, data)
                    .ok());
    return sink;
  }
  FakeFdTable fds_;
};

INSTANTIATE_TEST_SUITE_P(Profiles, DeviceTest,
                         ::testing::Values(Profile::kKernel, Profile::k16550a),
                         [](const auto& info) {
                           return std::string(info.param == Profile::kKernel
                                                  ? "kernel"
                                                  : "uart16550a");
                         });

TEST_P(DeviceTest, GetInfoReportsPciNineRegionsFiveIrqs) {
  auto d = Make(2);
  auto info = d->GetInfo();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->flags, vfio::kDeviceFlagsPci);
  EXPECT_EQ(info->num_regions, 9u);
  EXPECT_EQ(info->num_irqs, 5u);
}

TEST_P(DeviceTest, GetInfoArgsz) {
  auto d = Make(1);
  std::vector<uint8_t> arg(16, 0);
  uint32_t argsz = 15;
  std::memcpy(arg.data(), &argsz, 4);
  EXPECT_EQ(d->Ioctl(vfio::kDeviceGetInfo, arg).code(), -EINVAL);
  // Caller memory shorter than minsz: the copy from user faults.
  EXPECT_EQ(d->Ioctl(vfio::kDeviceGetInfo, std::span(arg).first(12)).code(),
            -EFAULT);
  argsz = 16;
  std::memcpy(arg.data(), &argsz, 4);
  EXPECT_TRUE(d->Ioctl(vfio::kDeviceGetInfo, arg).ok());
}

TEST_P(DeviceTest, RegionInfoAsTheSampleReportsIt) {
  for (int ports : {1, 2}) {
    auto d = Make(ports);
    for (uint32_t i = 0; i < vfio::kNumRegions; ++i) {
      auto r = d->GetRegionInfo(i);
      ASSERT_TRUE(r.ok()) << i;
      uint64_t want = 0;
      if (i == vfio::kConfigRegionIndex) want = 0xff;
      if (i == 0) want = 8;
      if (i == 1 && ports == 2) want = 8;
      EXPECT_EQ(r->size, want) << "index " << i << " ports " << ports;
      EXPECT_EQ(r->offset, uint64_t{i} << 40);
      EXPECT_EQ(r->flags,
                vfio::kRegionInfoFlagRead | vfio::kRegionInfoFlagWrite);
    }
    EXPECT_EQ(d->GetRegionInfo(9).status().code(), -EINVAL);
    EXPECT_EQ(d->GetRegionInfo(0xffffffff).status().code(), -EINVAL);
  }
}

// The kernel hands the caller's struct back with only flags, size and
// offset filled in; cap_offset keeps whatever the caller wrote.
TEST_P(DeviceTest, RegionInfoEchoesCapOffset) {
  auto d = Make(1);
  vfio::RegionInfo info{};
  info.argsz = sizeof(info);
  info.index = vfio::kConfigRegionIndex;
  info.cap_offset = 0x12345678;
  ASSERT_TRUE(d->Ioctl(vfio::kDeviceGetRegionInfo,
                       {reinterpret_cast<uint8_t*>(&info), sizeof(info)})
                  .ok());
  EXPECT_EQ(info.cap_offset, 0x12345678u);
  EXPECT_EQ(info.size, 0xffu);
}

TEST_P(DeviceTest, RegionInfoShortArgsz) {
  auto d = Make(1);
  vfio::RegionInfo info{};
  info.argsz = 31;
  info.index = 7;
  EXPECT_EQ(d->Ioctl(vfio::kDeviceGetRegionInfo,
                     {reinterpret_cast<uint8_t*>(&info), sizeof(info)})
                .code(),
            -EINVAL);
  EXPECT_EQ(info.size, 0u);  // nothing written back
  uint8_t small[8] = {32, 0, 0, 0};
  EXPECT_EQ(d->Ioctl(vfio::kDeviceGetRegionInfo, small).code(), -EFAULT);
}

TEST_P(DeviceTest, UnknownIoctlIsEnotty) {
  auto d = Make(1);
  uint8_t arg[64] = {};
  EXPECT_EQ(d->Ioctl(0x3b64, arg).code(), -ENOTTY);
  EXPECT_EQ(d->Ioctl(0, arg).code(), -ENOTTY);
}

TEST_P(DeviceTest, ConfigSpaceThroughTheRegion) {
  auto d = Make(2);
  EXPECT_EQ(Rd32(*d, kConfig + 0), 0x32534348u);
  EXPECT_EQ(Rd32(*d, kConfig + 0x10), 0x00000001u);
  EXPECT_EQ(Rd32(*d, kConfig + 0x14), 0x00000001u);
  Wr32(*d, kConfig + 0x10, 0xffffffff);
  EXPECT_EQ(Rd32(*d, kConfig + 0x10), 0xfffffff9u);
  Wr8(*d, kConfig + 0x3c, 0x0b);
  EXPECT_EQ(Rd8(*d, kConfig + 0x3c), 0x0b);
  char name[16] = {};
  ASSERT_EQ(*d->Read(kConfig + 0x60, {reinterpret_cast<uint8_t*>(name), 15}),
            15u);
  EXPECT_STREQ(name, "PCI Serial/UART");
}

// Hardening: every out-of-range access fails with -EFAULT and changes
// nothing (the sample reads past its 0xff-byte buffer, indexes its two-port
// array with BAR indexes 2..5 and serves a phantom BAR1 on single-port).
TEST_P(DeviceTest, OutOfRangeAccessesFailWithoutSideEffects) {
  auto d = Make(1);
  Wr8(*d, kBar0 + 7, 0x5a);  // something non-initial
  const DeviceState before = d->state();
  uint8_t buf[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  const std::vector<std::pair<uint64_t, size_t>> bad = {
      {kConfig + 0xff, 1},                       // one past the config region
      {kConfig + 0xfc, 4},                       // straddles the end
      {kConfig + 0x100, 4},                      // the sample's heap over-read
      {kConfig + 0xfffff, 1},                    // far beyond, still below 2^40
      {kConfig + ((uint64_t{1} << 40) - 1), 1},  // last offset before next
      {kBar0 + 8, 1},                            // beyond the 8-byte BAR
      {kBar0 + 4, 8},                            // straddles the BAR end
      {kBar0 + 0x10000, 1},                      // the sample's u16 alias
      {kBar1, 1},            // phantom BAR1 on a single-port device
      {RegionOffset(2), 1},  // BAR2..5: the sample's s[2..5]
      {RegionOffset(5), 4},
      {RegionOffset(6), 1},  // ROM
      {RegionOffset(8), 1},  // VGA
      {RegionOffset(9), 1},
      {~uint64_t{0}, 1},
      {kBar0, 9},                  // longer than the region
      {kConfig, size_t{1} << 40},  // huge
      {kConfig, ~size_t{0}},
  };
  for (auto [pos, len] : bad) {
    std::vector<uint8_t> big(std::min<size_t>(len, 64), 0xa5);
    // Huge lengths: the device must refuse before touching the buffer.
    std::span<uint8_t> span(big.data(), len <= 64 ? len : 64);
    if (len > 64) {
      EXPECT_EQ(
          d->Read(pos, std::span<uint8_t>(big.data(), len)).status().code(),
          -EFAULT)
          << std::hex << pos;
      EXPECT_EQ(d->Write(pos, std::span<const uint8_t>(big.data(), len))
                    .status()
                    .code(),
                -EFAULT);
      continue;
    }
    EXPECT_EQ(d->Read(pos, span).status().code(), -EFAULT) << std::hex << pos;
    EXPECT_TRUE(std::all_of(big.begin(), big.end(),
                            [](uint8_t b) { return b == 0xa5; }));
    EXPECT_EQ(d->Write(pos, span).status().code(), -EFAULT) << std::hex << pos;
  }
  (void)buf;
  EXPECT_EQ(d->state(), before);
}

TEST_P(DeviceTest, ZeroLengthIsZeroEverywhere) {
  auto d = Make(1);
  EXPECT_EQ(*d->Read(RegionOffset(42), {}), 0u);
  EXPECT_EQ(*d->Write(~uint64_t{0}, {}), 0u);
}

TEST_P(DeviceTest, BarOneWorksOnDualPortOnly) {
  auto d = Make(2);
  Wr8(*d, kBar1 + 7, 0x42);
  EXPECT_EQ(Rd8(*d, kBar1 + 7), 0x42);
  EXPECT_EQ(Rd8(*d, kBar0 + 7), 0x00);  // ports are independent
}

TEST_P(DeviceTest, LoopbackThroughBar) {
  auto d = Make(1);
  Wr8(*d, kBar0 + kIirFcr, 0x07);
  for (char c : std::string("hi")) Wr8(*d, kBar0, static_cast<uint8_t>(c));
  EXPECT_EQ(Rd8(*d, kBar0 + 5) & kLsrDr, kLsrDr);
  EXPECT_EQ(Rd8(*d, kBar0), 'h');
  EXPECT_EQ(Rd8(*d, kBar0), 'i');
  EXPECT_EQ(Rd8(*d, kBar0 + 5) & kLsrDr, 0);
}

// The sample decodes only the first byte of a 2- or 4-byte BAR access and
// leaves the rest uninitialised; the kernel profile returns zeros there.
TEST(DeviceKernelProfile, WideBarAccessTouchesFirstByteOnly) {
  MttyDevice d(DeviceOptions{1, Profile::kKernel, nullptr});
  uint8_t w[4] = {'A', 0x0f, 0x00, 0x03};  // THR, IER, FCR, LCR
  ASSERT_EQ(*d.Write(kBar0, w), 4u);
  uint8_t r[8];
  std::memset(r, 0xcc, sizeof(r));
  ASSERT_EQ(*d.Read(kBar0, r), 8u);  // pieces: 4 at 0, 4 at 4
  EXPECT_EQ(r[0], 'A');              // RBR popped
  EXPECT_EQ(r[1], 0);
  EXPECT_EQ(r[2], 0);
  EXPECT_EQ(r[3], 0);
  EXPECT_EQ(r[4], 0);  // MCR, never written
  EXPECT_EQ(r[5], 0);
  uint8_t ier = 0xcc, lcr = 0xcc;
  ASSERT_EQ(*d.Read(kBar0 + 1, {&ier, 1}), 1u);
  ASSERT_EQ(*d.Read(kBar0 + 3, {&lcr, 1}), 1u);
  EXPECT_EQ(ier, 0);  // the IER byte of the 4-byte write was dropped
  EXPECT_EQ(lcr, 0);
}

// The 16550a profile treats a wide access as one byte cycle per lane.
TEST(Device16550aProfile, WideBarAccessIsBytewise) {
  MttyDevice d(DeviceOptions{1, Profile::k16550a, nullptr});
  uint8_t w[4] = {'A', 0x00, 0x00, 0x03};  // THR, IER, FCR, LCR=8N1
  ASSERT_EQ(*d.Write(kBar0, w), 4u);
  uint8_t r[4];
  ASSERT_EQ(*d.Read(kBar0, r), 4u);
  EXPECT_EQ(r[0], 'A');
  EXPECT_EQ(r[1], 0x00);
  EXPECT_EQ(r[2], 0x01);  // IIR: nothing pending, FIFOs off
  EXPECT_EQ(r[3], 0x03);  // LCR as written
}

TEST(DeviceKernelProfile, IrqInfoNeedsGetInfoFirst) {
  MttyDevice d(DeviceOptions{1, Profile::kKernel, nullptr});
  EXPECT_EQ(d.GetIrqInfo(vfio::kIntxIrqIndex).status().code(), -EINVAL);
  EXPECT_EQ(d.SetIrqs(vfio::kIrqSetDataNone | vfio::kIrqSetActionTrigger,
                      vfio::kIntxIrqIndex, 0, 0)
                .code(),
            -EINVAL);
  ASSERT_TRUE(d.GetInfo().ok());
  auto info = d.GetIrqInfo(vfio::kIntxIrqIndex);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->flags, 7u);
  EXPECT_EQ(info->count, 1u);
  auto msi = d.GetIrqInfo(vfio::kMsiIrqIndex);
  ASSERT_TRUE(msi.ok());
  EXPECT_EQ(msi->flags, 9u);
  EXPECT_EQ(d.GetIrqInfo(vfio::kMsixIrqIndex).status().code(), -EINVAL);
}

TEST(Device16550aProfile, IrqInfoWithoutGetInfo) {
  MttyDevice d(DeviceOptions{1, Profile::k16550a, nullptr});
  EXPECT_TRUE(d.GetIrqInfo(vfio::kIntxIrqIndex).ok());
}

TEST_P(DeviceTest, IntxFiresOnReceiveAndAutomasks) {
  auto d = Make(1);
  auto sink = WireIntx(*d);
  Wr8(*d, kBar0 + kIirFcr, kFcrEnable);
  Wr8(*d, kBar0 + kIer, kIerRdi);
  Wr8(*d, kBar0, 'x');
  EXPECT_EQ(sink->count(), 1u);
  EXPECT_TRUE(d->state().irq.intx_masked);
  Rd8(*d, kBar0);
  Wr8(*d, kBar0, 'y');  // masked: not signalled
  EXPECT_EQ(sink->count(), 1u);
  ASSERT_TRUE(d->SetIrqs(vfio::kIrqSetDataNone | vfio::kIrqSetActionUnmask,
                         vfio::kIntxIrqIndex, 0, 1)
                  .ok());
  if (GetParam() == Profile::k16550a) {
    // Still asserted ('y' waits): the level fires again at unmask.
    EXPECT_EQ(sink->count(), 2u);
  } else {
    // The sample drops interrupts raised while masked.
    EXPECT_EQ(sink->count(), 1u);
  }
}

TEST_P(DeviceTest, CloseDisablesInterruptsKeepsUart) {
  auto d = Make(1);
  auto sink = WireIntx(*d);
  Wr8(*d, kBar0 + kScr, 0x77);
  d->Close();
  EXPECT_EQ(d->state().irq.irq_index, -1);
  EXPECT_EQ(Rd8(*d, kBar0 + kScr), 0x77);
  Wr8(*d, kBar0 + kIer, kIerRdi);
  Wr8(*d, kBar0, 'x');
  EXPECT_EQ(sink->count(), 0u);
}

// Linux 6.1's mtty has no close_device, so its eventfds outlive a close.
TEST_P(DeviceTest, CloseOnLinux61KeepsTheEventfd) {
  auto d = Make(1, IrqSurface::kLinux6_1);
  auto sink = WireIntx(*d);
  d->Close();
  EXPECT_EQ(d->state().irq.irq_index, 0);
  EXPECT_TRUE(d->state().irq.intx_has_sink);
  Wr8(*d, kBar0 + kIirFcr, kFcrEnable);
  Wr8(*d, kBar0 + kIer, kIerRdi);
  Wr8(*d, kBar0, 'x');
  EXPECT_EQ(sink->count(), 1u);
}

TEST_P(DeviceTest, ResetReturnsMigrationToRunning) {
  auto d = Make(1);
  Wr8(*d, kBar0 + kScr, 0x77);
  ASSERT_TRUE(d->SetMigState(MigState::kStop).ok());
  ASSERT_TRUE(d->Reset().ok());
  EXPECT_EQ(d->mig_state(), MigState::kRunning);
  // The sample's reset leaves the UART alone; the 16550a profile returns
  // the ports to their power-on state (Uart16550::Reset).
  EXPECT_EQ(Rd8(*d, kBar0 + kScr), GetParam() == Profile::kKernel ? 0x77 : 0);
  Wr8(*d, kBar0 + kLcr, 0x1b);
  ASSERT_TRUE(d->Reset().ok());
  EXPECT_EQ(Rd8(*d, kBar0 + kLcr),
            GetParam() == Profile::kKernel ? 0x1b : 0x00);
}

std::vector<uint8_t> Drain(MigrationFile& f) {
  std::vector<uint8_t> out;
  uint8_t buf[7];  // odd chunk size on purpose
  for (;;) {
    auto n = f.Read(buf);
    if (!n.ok() || *n == 0) break;
    out.insert(out.end(), buf, buf + *n);
  }
  return out;
}

TEST_P(DeviceTest, MigrationRoundTripRestoresEveryRegisterAndFifoByte) {
  auto src = Make(2);
  Wr8(*src, kBar0 + kIirFcr, kFcrEnable | kFcrTrigger4);
  for (uint8_t c : {'m', 't', 't', 'y'}) Wr8(*src, kBar0, c);
  Wr8(*src, kBar0 + kLcr, 0x80);
  Wr8(*src, kBar0, 0x0c);  // DLL
  Wr8(*src, kBar0 + kLcr, 0x1b);
  Wr8(*src, kBar1 + kScr, 0x99);
  Wr8(*src, kBar1 + kMcr, 0x0b);
  Rd8(*src, kBar0);  // pop one
  auto file = src->SetMigState(MigState::kStopCopy);
  ASSERT_TRUE(file.ok());
  ASSERT_NE(*file, nullptr);
  const std::vector<uint8_t> stream = Drain(**file);
  EXPECT_EQ(stream.size(), src->MigDataSize());

  auto dst = Make(2);
  auto rfile = dst->SetMigState(MigState::kResuming);
  ASSERT_TRUE(rfile.ok());
  ASSERT_NE(*rfile, nullptr);
  for (uint8_t b : stream) ASSERT_EQ(*(*rfile)->Write({&b, 1}), 1u);
  ASSERT_TRUE(dst->SetMigState(MigState::kStop).ok());
  EXPECT_EQ(dst->state().ports, src->state().ports);
  ASSERT_TRUE(dst->SetMigState(MigState::kRunning).ok());
  EXPECT_EQ(Rd8(*dst, kBar0), 't');
  EXPECT_EQ(Rd8(*dst, kBar1 + kScr), 0x99);
}

TEST_P(DeviceTest, ResumeRejectsAStreamForAnotherPortCount) {
  auto src = Make(1);
  auto file = src->SetMigState(MigState::kStopCopy);
  ASSERT_TRUE(file.ok());
  const std::vector<uint8_t> stream = Drain(**file);
  auto dst = Make(2);
  Wr8(*dst, kBar0 + kScr, 0x12);
  const DeviceState before = dst->state();
  auto rfile = dst->SetMigState(MigState::kResuming);
  ASSERT_TRUE(rfile.ok());
  EXPECT_FALSE((*rfile)->Write(stream).ok());
  EXPECT_FALSE(dst->SetMigState(MigState::kStop).ok());
  EXPECT_EQ(dst->mig_state(), MigState::kResuming);
  EXPECT_EQ(dst->state().ports, before.ports);
}

TEST_P(DeviceTest, RawFeatureIoctl) {
  auto d = Make(1);
  struct {
    vfio::DeviceFeatureHeader h;
    uint64_t flags;
  } mig{{16, vfio::kFeatureGet | vfio::kFeatureMigration}, 0};
  ASSERT_TRUE(
      d->Ioctl(vfio::kDeviceFeature, {reinterpret_cast<uint8_t*>(&mig), 16})
          .ok());
  EXPECT_EQ(mig.flags, 7u);

  struct {
    vfio::DeviceFeatureHeader h;
    vfio::FeatureMigState st;
  } set{{16, vfio::kFeatureSet | vfio::kFeatureMigDeviceState},
        {static_cast<uint32_t>(MigState::kStopCopy), 0}};
  auto bytes = std::span<uint8_t>(reinterpret_cast<uint8_t*>(&set), 16);
  ASSERT_TRUE(d->Ioctl(vfio::kDeviceFeature, bytes).ok());
  EXPECT_EQ(set.st.data_fd, MttyDevice::kMigrationFileToken);
  auto f = d->TakeMigrationFile(set.st.data_fd);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(Drain(*f).size(), d->MigDataSize());
  EXPECT_EQ(d->TakeMigrationFile(set.st.data_fd), nullptr);

  // SC -> PRE_COPY is refused (the pre-v7.2 kernel hangs here); the
  // requested state is echoed back with data_fd -1.
  set.st.device_state = static_cast<uint32_t>(MigState::kPreCopy);
  EXPECT_EQ(d->Ioctl(vfio::kDeviceFeature, bytes).code(), -EINVAL);
  EXPECT_EQ(set.st.device_state, static_cast<uint32_t>(MigState::kPreCopy));
  EXPECT_EQ(set.st.data_fd, -1);
  EXPECT_EQ(d->mig_state(), MigState::kStopCopy);

  // GET and SET together without PROBE, unknown flag bits, short argsz.
  set.h.flags =
      vfio::kFeatureGet | vfio::kFeatureSet | vfio::kFeatureMigDeviceState;
  EXPECT_EQ(d->Ioctl(vfio::kDeviceFeature, bytes).code(), -EINVAL);
  set.h.flags = (1u << 20) | vfio::kFeatureGet | vfio::kFeatureMigDeviceState;
  EXPECT_EQ(d->Ioctl(vfio::kDeviceFeature, bytes).code(), -EINVAL);
  set.h = {12, vfio::kFeatureGet | vfio::kFeatureMigDeviceState};
  EXPECT_EQ(d->Ioctl(vfio::kDeviceFeature, bytes).code(), -EINVAL);
  set.h = {16, vfio::kFeatureProbe | vfio::kFeatureGet |
                   vfio::kFeatureMigDeviceState};
  EXPECT_TRUE(d->Ioctl(vfio::kDeviceFeature, bytes).ok());
  set.h = {16, vfio::kFeatureGet | 0};  // PCI_VF_TOKEN: not supported
  EXPECT_EQ(d->Ioctl(vfio::kDeviceFeature, bytes).code(), -EINVAL);
  EXPECT_EQ(d->Ioctl(vfio::kDeviceFeature, bytes.first(4)).code(), -EFAULT);
}

// Region access, ioctls, time and migration from several threads at once;
// run under --config=tsan this is the device's data-race check.
TEST_P(DeviceTest, ConcurrentUseIsSafe) {
  auto d = Make(2);
  ASSERT_TRUE(d->GetInfo().ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        uint8_t b = static_cast<uint8_t>(i);
        const uint64_t bar = (t & 1) ? kBar1 : kBar0;
        (void)d->Write(bar + (i % 8), {&b, 1});
        (void)d->Read(bar + ((i + 3) % 8), {&b, 1});
        if (i % 97 == 0) (void)d->Reset();
        if (i % 101 == 0) d->AdvanceTime(1000000);
        if (i % 211 == 0) {
          auto f =
              d->SetMigState(t == 0 ? MigState::kStopCopy : MigState::kRunning);
          if (f.ok() && *f) (void)Drain(**f);
        }
        if (i % 307 == 0) (void)d->state();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(d->state().ports.size(), 2u);
}

}  // namespace
}  // namespace mtty
