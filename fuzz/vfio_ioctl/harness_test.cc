// Copyright mtty-lab authors.
//
// The vfio_ioctl oracles, each shown to fire on a device with one rule
// deliberately broken, and silent on the real device.
#include "fuzz/vfio_ioctl/harness.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "core/vfio_uapi.h"
#include "fuzz/vfio_ioctl/ops.h"

namespace mtty::fuzz {
namespace {

using ioc::Input;
using namespace vfio;

template <typename Broken>
VfioIoctlOptions With() {
  VfioIoctlOptions options;
  options.factory = [](const DeviceOptions& o) {
    return std::make_unique<Broken>(o);
  };
  return options;
}

std::string Oracle(const MaybeFinding& f) { return f ? f->oracle : "none"; }

constexpr uint8_t kFdA = 0, kFdClosed = 3;  // indexes into ioc::kFds
constexpr uint8_t kEventfdTrigger = kIrqSetDataEventfd | kIrqSetActionTrigger;

// The v4.10 sample: GET_REGION_INFO without the index bound.
class UnboundedRegionIndex : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Status Ioctl(uint32_t cmd, std::span<uint8_t> arg) override {
    if (cmd == kDeviceGetRegionInfo && arg.size() >= 32 && arg[8] == 9) {
      arg[4] = 3;  // READ|WRITE, size 0, offset 9 << 40
      arg[29] = 9 << 0;
      return Status::Ok();
    }
    return RealDevice::Ioctl(cmd, arg);
  }
};

TEST(VfioIoctlOracleTest, ValidationResult) {
  Input in(1, false);
  in.Info(1, 32, 9, 32);
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes(), With<UnboundedRegionIndex>())),
            "ioctl-result");
}

// The typed GetRegionInfo reports BAR1 on a single-port device, while the
// raw ioctl stays right: only the typed-info oracle can see it.
class TypedInfoShowsBar1 : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<vfio::RegionInfo> GetRegionInfo(uint32_t index) override {
    Result<vfio::RegionInfo> r = RealDevice::GetRegionInfo(index);
    if (!r.ok() || index != kBar1RegionIndex) return r;
    vfio::RegionInfo info = r.value();
    info.size = 8;
    return info;
  }
};

// The typed GetIrqInfo forgets the kernel profile's GET_INFO dependency:
// before any GET_INFO the sample reports no IRQ index, so MSI is -EINVAL.
class TypedIrqInfoSkipsGetInfoQuirk : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<vfio::IrqInfo> GetIrqInfo(uint32_t index) override {
    if (index == kMsiIrqIndex) {
      return vfio::IrqInfo{16, kIrqInfoEventfd | kIrqInfoNoresize, index, 1};
    }
    return RealDevice::GetIrqInfo(index);
  }
};

// The typed GetRegionInfo answers right but issues a GET_INFO on the way,
// which moves the kernel profile's reported IRQ count.
class TypedInfoCallsGetInfo : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<vfio::RegionInfo> GetRegionInfo(uint32_t index) override {
    (void)device().GetInfo();
    return RealDevice::GetRegionInfo(index);
  }
};

TEST(VfioIoctlOracleTest, TypedInfoMatchesTheRules) {
  Input region(1, false);
  region.Info(1, 32, kBar1RegionIndex, 32);
  EXPECT_EQ(Oracle(RunVfioIoctl(region.bytes())), "none");
  EXPECT_EQ(Oracle(RunVfioIoctl(region.bytes(), With<TypedInfoShowsBar1>())),
            "typed-info");
  Input irq(1, false);  // kernel profile, no GET_INFO first
  irq.Info(2, 16, kMsiIrqIndex, 16);
  EXPECT_EQ(Oracle(RunVfioIoctl(irq.bytes())), "none");
  EXPECT_EQ(
      Oracle(RunVfioIoctl(irq.bytes(), With<TypedIrqInfoSkipsGetInfoQuirk>())),
      "typed-info");
}

TEST(VfioIoctlOracleTest, TypedInfoChangesNothing) {
  Input in(1, false);
  in.Info(1, 32, kConfigRegionIndex, 32);
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes())), "none");
  const MaybeFinding f =
      RunVfioIoctl(in.bytes(), With<TypedInfoCallsGetInfo>());
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->oracle, "typed-info");
  EXPECT_NE(f->detail.find("changed state()"), std::string::npos) << f->detail;
}

// GET_INFO copies back the whole 24-byte struct instead of 16 bytes.
class CopiesBackTooMuch : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Status Ioctl(uint32_t cmd, std::span<uint8_t> arg) override {
    Status s = RealDevice::Ioctl(cmd, arg);
    if (s.ok() && cmd == kDeviceGetInfo && arg.size() >= 24) {
      std::memset(arg.data() + 16, 0, 8);  // cap_offset, pad
    }
    return s;
  }
};

TEST(VfioIoctlOracleTest, CopyBack) {
  Input in(1, false);
  in.Info(0, 24, 0, 24);
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes(), With<CopiesBackTooMuch>())),
            "ioctl-copy-back");
}

// The sample's defect #13: a bad eventfd drops the working one first.
class DropsOldEventfd : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Status Ioctl(uint32_t cmd, std::span<uint8_t> arg) override {
    if (cmd == kDeviceSetIrqs && arg.size() == 24 &&
        arg[4] == kEventfdTrigger) {
      uint8_t off[20] = {20, 0, 0, 0, 0x21};
      std::memcpy(off + 8, arg.data() + 8, 4);  // same index, count 0
      (void)RealDevice::Ioctl(cmd, off);
    }
    return RealDevice::Ioctl(cmd, arg);
  }
};

TEST(VfioIoctlOracleTest, ErrorChangesNothing) {
  Input in(1, false);
  const uint8_t a[] = {kFdA}, closed[] = {kFdClosed};
  in.Info(0, 16, 0, 16);
  in.IrqSet(kEventfdTrigger, kIntxIrqIndex, 0, 1, a);
  in.IrqSet(kEventfdTrigger, kIntxIrqIndex, 0, 1, closed);
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes(), With<DropsOldEventfd>())),
            "ioctl-error-changes-nothing");
}

// INTx loopback trigger ignores the mask (no automask).
class NoAutomask : public RogueSignalDevice {
 public:
  using RogueSignalDevice::RogueSignalDevice;
  Status Ioctl(uint32_t cmd, std::span<uint8_t> arg) override {
    const bool fire = cmd == kDeviceSetIrqs && arg.size() >= 20 &&
                      arg[4] == (kIrqSetDataNone | kIrqSetActionTrigger) &&
                      arg[8] == kIntxIrqIndex && arg[16] == 1;
    Status s = RealDevice::Ioctl(cmd, arg);
    if (fire && s.ok() && state().irq.intx_masked) {
      // Unmask behind the controller's back and count a second signal.
      uint8_t unmask[20] = {20, 0, 0, 0, 0x11, 0, 0, 0, 0, 0,
                            0,  0, 0, 0, 0,    0, 1, 0, 0, 0};
      (void)RealDevice::Ioctl(cmd, unmask);
      SignalBehindController(ioc::kEventfdA);
    }
    return s;
  }
};

TEST(VfioIoctlOracleTest, IrqStateFollowsTheRules) {
  Input in(1, false);
  const uint8_t a[] = {kFdA};
  in.Info(0, 16, 0, 16);
  in.IrqSet(kEventfdTrigger, kIntxIrqIndex, 0, 1, a);
  in.IrqSet(kIrqSetDataNone | kIrqSetActionTrigger, kIntxIrqIndex, 0, 1);
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes(), With<NoAutomask>())), "irq-state");
}

// GET_INFO forgets the sample's quirk (num_irqs not recorded).
class ForgetsGetInfo : public RealDevice {
 public:
  using RealDevice::RealDevice;
  DeviceState state() const override {
    DeviceState s = RealDevice::state();
    s.reported_num_irqs = 0;
    return s;
  }
};

TEST(VfioIoctlOracleTest, GetInfoQuirk) {
  Input in(1, false);
  in.Info(0, 16, 0, 16);
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes(), With<ForgetsGetInfo>())),
            "get-info-quirk");
}

// A FEATURE SET to STOP_COPY reports a data fd but keeps the file.
class KeepsTheFile : public RealDevice {
 public:
  using RealDevice::RealDevice;
  std::shared_ptr<MigrationFile> TakeMigrationFile(int32_t) override {
    return nullptr;
  }
};

TEST(VfioIoctlOracleTest, FileHandedOut) {
  Input in(1, false);
  in.Feature(kFeatureSet | kFeatureMigDeviceState, 16, 3, 0xffffffff);
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes(), With<KeepsTheFile>())),
            "file-handed-out");
}

// The pre-v7.2 kernel walks STOP_COPY -> PRE_COPY through STOP.
class WalksIntoPreCopy : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Status Ioctl(uint32_t cmd, std::span<uint8_t> arg) override {
    if (cmd == kDeviceFeature && arg.size() >= 16 &&
        (arg[4] | arg[5] << 8 | arg[6] << 16) ==
            (kFeatureSet | kFeatureMigDeviceState) &&
        arg[8] == 6 && state().mig_state == MigState::kStopCopy) {
      (void)SetMigState(MigState::kStop);
    }
    return RealDevice::Ioctl(cmd, arg);
  }
};

TEST(VfioIoctlOracleTest, MigrationTable) {
  Input in(1, false);
  in.Feature(kFeatureSet | kFeatureMigDeviceState, 16, 3, 0xffffffff);
  in.Feature(kFeatureSet | kFeatureMigDeviceState, 16, 6, 0xffffffff);
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes(), With<WalksIntoPreCopy>())),
            "ioctl-result");
}

// Attaching an eventfd signals it once behind the interrupt controller's
// back, without owning up to it in state(): the eventfd counts one interrupt
// the controller never sent.
class SignalsOnAttach : public RealDevice {
 public:
  explicit SignalsOnAttach(const DeviceOptions& options)
      : RealDevice(options), resolver_(options.resolver) {}
  Status Ioctl(uint32_t cmd, std::span<uint8_t> arg) override {
    Status s = RealDevice::Ioctl(cmd, arg);
    if (s.ok() && cmd == kDeviceSetIrqs && arg.size() == 24 &&
        arg[4] == kEventfdTrigger) {
      int32_t fd;
      std::memcpy(&fd, arg.data() + 20, 4);
      Result<std::shared_ptr<IrqSink>> sink = resolver_->Resolve(fd);
      if (sink.ok()) sink.value()->Signal();
    }
    return s;
  }

 private:
  SinkResolver* resolver_;
};

TEST(VfioIoctlOracleTest, EventfdCountsAddUp) {
  Input in(1, false);
  const uint8_t a[] = {kFdA};
  in.Info(0, 16, 0, 16);
  in.IrqSet(kEventfdTrigger, kIntxIrqIndex, 0, 1, a);
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes(), With<SignalsOnAttach>())),
            "irq-signal-count");
}

// VFIO_DEVICE_RESET leaves the migration state where it was instead of
// returning to RUNNING.
class ResetKeepsMigState : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Status Ioctl(uint32_t cmd, std::span<uint8_t> arg) override {
    const MigState was = state().mig_state;
    Status s = RealDevice::Ioctl(cmd, arg);
    if (s.ok() && cmd == kDeviceReset) (void)SetMigState(was);
    return s;
  }
};

TEST(VfioIoctlOracleTest, MigrationState) {
  Input in(1, false);
  in.Feature(kFeatureSet | kFeatureMigDeviceState, 16, 1, 0xffffffff);  // STOP
  in.Reset();
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes(), With<ResetKeepsMigState>())),
            "migration-state");
}

// GET_INFO scribbles on port 0's scratch register.
class GetInfoTouchesPort : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Status Ioctl(uint32_t cmd, std::span<uint8_t> arg) override {
    Status s = RealDevice::Ioctl(cmd, arg);
    if (s.ok() && cmd == kDeviceGetInfo) {
      const uint8_t junk = 0x77;
      (void)Write(RegionOffset(0) + 7, {&junk, 1});  // SCR
    }
    return s;
  }
};

TEST(VfioIoctlOracleTest, IoctlScope) {
  Input in(1, false);
  in.Info(0, 16, 0, 16);
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunVfioIoctl(in.bytes(), With<GetInfoTouchesPort>())),
            "ioctl-scope");
}

// Records every SET_IRQS argument as the device receives it.
class RecordsSetIrqs : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Status Ioctl(uint32_t cmd, std::span<uint8_t> arg) override {
    if (cmd == kDeviceSetIrqs) calls.emplace_back(arg.begin(), arg.end());
    return RealDevice::Ioctl(cmd, arg);
  }
  static inline std::vector<std::vector<uint8_t>> calls;
};

// kIrqSetWide is encoded flags, index, start, count, argsz
// (ops.h); each must land in its own field of struct
// vfio_irq_set, whose first field is argsz.
TEST(VfioIoctlHarnessTest, IrqSetWideFillsEachField) {
  Input in(1, false);
  const uint8_t data[] = {0xd0, 0xd1, 0xd2};
  in.IrqSetWide(kIrqSetDataBool | kIrqSetActionUnmask, 1, 2, 3, 0x17, data);
  RecordsSetIrqs::calls.clear();
  (void)RunVfioIoctl(in.bytes(), With<RecordsSetIrqs>());
  ASSERT_EQ(RecordsSetIrqs::calls.size(), 1u);
  const std::vector<uint8_t>& arg = RecordsSetIrqs::calls[0];
  ASSERT_EQ(arg.size(), sizeof(IrqSetHeader) + sizeof(data));
  IrqSetHeader h;
  std::memcpy(&h, arg.data(), sizeof(h));
  EXPECT_EQ(h.argsz, 0x17u);
  EXPECT_EQ(h.flags, kIrqSetDataBool | kIrqSetActionUnmask);
  EXPECT_EQ(h.index, 1u);
  EXPECT_EQ(h.start, 2u);
  EXPECT_EQ(h.count, 3u);
  EXPECT_EQ(std::vector<uint8_t>(arg.begin() + sizeof(h), arg.end()),
            std::vector<uint8_t>(std::begin(data), std::end(data)));
}

TEST(VfioIoctlHarnessTest, RandomInputsFindNothing) {
  std::mt19937 rng(11);
  for (int round = 0; round < 300; ++round) {
    std::vector<uint8_t> input(1 + 200);
    for (uint8_t& b : input) b = static_cast<uint8_t>(rng());
    const MaybeFinding f = RunVfioIoctl(input);
    EXPECT_FALSE(f.has_value()) << round << ": " << f->ToString();
  }
}

}  // namespace
}  // namespace mtty::fuzz
