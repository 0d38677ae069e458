// Copyright mtty-lab authors.
//
// The bar_access oracles, each shown to fire: a device with one rule
// deliberately broken (a RealDevice subclass overriding one method; core/
// is untouched) gets an input that exercises the rule, and the harness must
// report exactly that oracle. The unbroken device must pass the same input.
#include "fuzz/bar_access/harness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "core/uart16550.h"
#include "core/vfio_uapi.h"
#include "fuzz/bar_access/ops.h"

namespace mtty::fuzz {
namespace {

using bar::Input;
using bar::IrqSetup;

constexpr uint64_t kBar0 = vfio::RegionOffset(vfio::kBar0RegionIndex);
constexpr uint64_t kConfig = vfio::RegionOffset(vfio::kConfigRegionIndex);

template <typename Broken>
BarAccessOptions With() {
  BarAccessOptions options;
  options.factory = [](const DeviceOptions& o) {
    return std::make_unique<Broken>(o);
  };
  return options;
}

std::string Oracle(const MaybeFinding& f) { return f ? f->oracle : "none"; }

// Writes BAR0's scratch register while failing an out-of-range write.
class SideEffectOnInvalidAccess : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> Write(uint64_t pos, std::span<const uint8_t> buf) override {
    Result<size_t> r = RealDevice::Write(pos, buf);
    if (!r.ok()) {
      const uint8_t junk = 0x5a;
      (void)RealDevice::Write(kBar0 + kScr, {&junk, 1});
    }
    return r;
  }
};

TEST(BarAccessOracleTest, InvalidAccessChangesNothing) {
  Input in(1, Profile::kKernel);
  const uint8_t data[2] = {1, 2};
  in.RawWrite(vfio::RegionOffset(5) + 0, data);  // BAR5 has size 0
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<SideEffectOnInvalidAccess>())),
            "invalid-access-changes-nothing");
}

// Port 0's state as the real device holds it (a mutant's own state() left
// out).
Uart16550::State Port0Of(const RealDevice& d) {
  return Uart16550::State::Fields(d.RealDevice::state().ports[0]);
}

// Reports one byte more in port 0's FIFO than there is.
class SeventeenByteFifo : public RealDevice {
 public:
  using RealDevice::RealDevice;
  DeviceState state() const override {
    DeviceState s = RealDevice::state();
    Uart16550::State port = Uart16550::State::Fields(s.ports[0]);
    if (port.rx_count == 16) {
      port.rx_count = 17;
      s.ports[0] = port.Encode();
    }
    return s;
  }
};

TEST(BarAccessOracleTest, FifoCountRange) {
  Input in(1, Profile::kKernel);
  in.WriteRepeat(0, kRbrThr, 0x41, 16);
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<SeventeenByteFifo>())),
            "fifo-count-range");
}

// LSR reads without DR: the sample's full-FIFO-looks-empty defect (#9).
class FullFifoLooksEmpty : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> Read(uint64_t pos, std::span<uint8_t> buf) override {
    Result<size_t> r = RealDevice::Read(pos, buf);
    if (r.ok() && pos == kBar0 + kLsr && buf.size() == 1 &&
        Port0Of(*this).rx_count == 16) {
      buf[0] = static_cast<uint8_t>((buf[0] & ~kLsrDr) | kLsrThre | kLsrTemt);
    }
    return r;
  }
};

TEST(BarAccessOracleTest, LsrDataReadyMatchesFifo) {
  Input in(1, Profile::kKernel);
  in.WriteRepeat(0, kRbrThr, 0x41, 16).Read(0, kLsr);
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<FullFifoLooksEmpty>())),
            "lsr-dr-matches-fifo");
}

// IIR prioritised like a 16550A although the profile is the kernel's.
class PrioritisedKernelIir : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> Read(uint64_t pos, std::span<uint8_t> buf) override {
    Result<size_t> r = RealDevice::Read(pos, buf);
    if (r.ok() && pos == kBar0 + kIirFcr && buf.size() == 1 &&
        (buf[0] & 0x06) == 0x06 && Port0Of(*this).lsr_errors == 0) {
      buf[0] = 0xc4;  // RDA|THRE shown as RDA instead of the OR (0x06)
    }
    return r;
  }
};

TEST(BarAccessOracleTest, IirMatchesSources) {
  Input in(1, Profile::kKernel);
  // Trigger level 0 until the first FCR write: RDA and THRE both live.
  in.Write(0, kIer, kIerRdi | kIerThri).Read(0, kIirFcr);
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<PrioritisedKernelIir>())),
            "iir-matches-sources");
}

// Counts the device calls a run makes.
struct CallCounts {
  int reads = 0, writes = 0, ioctls = 0, time = 0;
  friend bool operator==(const CallCounts&, const CallCounts&) = default;
};
class CountingDevice : public RealDevice {
 public:
  CountingDevice(const DeviceOptions& o, CallCounts* counts)
      : RealDevice(o), counts_(counts) {}
  Result<size_t> Read(uint64_t pos, std::span<uint8_t> buf) override {
    ++counts_->reads;
    return RealDevice::Read(pos, buf);
  }
  Result<size_t> Write(uint64_t pos, std::span<const uint8_t> buf) override {
    ++counts_->writes;
    return RealDevice::Write(pos, buf);
  }
  Status Ioctl(uint32_t cmd, std::span<uint8_t> arg) override {
    ++counts_->ioctls;
    return RealDevice::Ioctl(cmd, arg);
  }
  void AdvanceTime(uint64_t ns) override {
    ++counts_->time;
    RealDevice::AdvanceTime(ns);
  }

 private:
  CallCounts* counts_;
};

// Benchmarks price the oracles by switching them off: that must leave the
// decoding and every device call as they are, and judge nothing.
TEST(BarAccessHarnessTest, OraclesOffMakeTheSameCallsAndJudgeNothing) {
  Input in(1, Profile::k16550a, IrqSetup::kIntx);
  in.Write(0, kIer, kIerRdi | kIerThri).Write(0, kRbrThr, 0x41);
  in.Read(0, kIirFcr).Read(0, kRbrThr).IoctlOp(bar::kIntxMask);
  in.AdvanceNs(5000).Read(0, kLsr).ConfigRead(0, 4).WriteRepeat(0, kScr, 7, 3);
  CallCounts on, off;
  BarAccessOptions options;
  options.factory = [&on](const DeviceOptions& o) {
    return std::make_unique<CountingDevice>(o, &on);
  };
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), options)), "none");
  options.oracles = false;
  options.factory = [&off](const DeviceOptions& o) {
    return std::make_unique<CountingDevice>(o, &off);
  };
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), options)), "none");
  EXPECT_GT(on.reads, 0);
  EXPECT_GT(on.ioctls, 0);
  EXPECT_GT(on.time, 0);
  EXPECT_EQ(on, off);
  // A device that breaks a rule goes unjudged with the oracles off.
  BarAccessOptions broken = With<PrioritisedKernelIir>();
  broken.oracles = false;
  Input iir(1, Profile::kKernel);
  iir.Write(0, kIer, kIerRdi | kIerThri).Read(0, kIirFcr);
  EXPECT_EQ(Oracle(RunBarAccess(iir.bytes(), broken)), "none");
  EXPECT_EQ(Oracle(RunBarAccess(iir.bytes(), With<PrioritisedKernelIir>())),
            "iir-matches-sources");
}

// Signals the INTx eventfd on every THR write, masked or not.
class SignalsWhileMasked : public RogueSignalDevice {
 public:
  using RogueSignalDevice::RogueSignalDevice;
  Result<size_t> Write(uint64_t pos, std::span<const uint8_t> buf) override {
    Result<size_t> r = RealDevice::Write(pos, buf);
    if (r.ok() && pos == kBar0 + kRbrThr)
      SignalBehindController(bar::kEventfdA);
    return r;
  }
};

TEST(BarAccessOracleTest, NoInterruptWhileMasked) {
  Input in(1, Profile::kKernel, IrqSetup::kIntx);
  in.IoctlOp(bar::kIntxMask).Write(0, kRbrThr, 0x41);
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<SignalsWhileMasked>())),
            "irq-not-when-masked");
}

// The interrupt pin byte (0x3d) becomes writable.
class WritablePin : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> Write(uint64_t pos, std::span<const uint8_t> buf) override {
    if (pos == kConfig + 0x3d && buf.size() == 1) {
      pin_ = buf[0];
      return size_t{1};
    }
    return RealDevice::Write(pos, buf);
  }
  DeviceState state() const override {
    DeviceState s = RealDevice::state();
    if (pin_ >= 0) s.config[0x3d] = static_cast<uint8_t>(pin_);
    return s;
  }

 private:
  int pin_ = -1;
};

TEST(BarAccessOracleTest, ReadOnlyConfigBytesNeverChange) {
  Input in(1, Profile::kKernel);
  in.ConfigWrite(0x3d, 1, 0x04);
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<WritablePin>())),
            "config-read-only-bytes");
}

// A write to the interrupt line also programs BAR0.
class LineWriteHitsBar0 : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> Write(uint64_t pos, std::span<const uint8_t> buf) override {
    if (pos == kConfig + 0x3c) {
      const uint8_t bar[4] = {0x00, 0xc0, 0x00, 0x00};
      (void)RealDevice::Write(kConfig + 0x10, bar);
    }
    return RealDevice::Write(pos, buf);
  }
};

TEST(BarAccessOracleTest, ConfigWriteTouchesOnlyItsBytes) {
  Input in(2, Profile::kKernel);
  in.ConfigWrite(0x3c, 1, 0x0b);
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<LineWriteHitsBar0>())),
            "config-write-scope");
}

// Leaks a non-zero byte in the upper half of a wide kernel-profile read
// (the sample's uninitialised-stack defect #3).
class WideReadLeaks : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> Read(uint64_t pos, std::span<uint8_t> buf) override {
    Result<size_t> r = RealDevice::Read(pos, buf);
    if (r.ok() && (pos >> 40) == 0 && buf.size() == 4) buf[3] = 0xcc;
    return r;
  }
};

TEST(BarAccessOracleTest, KernelWideReadZeroFill) {
  Input in(1, Profile::kKernel);
  in.Read(0, 4, 4);
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<WideReadLeaks>())),
            "kernel-wide-read-zero-fill");
}

// The sample's SET_IRQS defect #13: the old eventfd is dropped before the
// new fd is looked up, so a failing request still disables INTx.
class DropsEventfdBeforeLookup : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Status Ioctl(uint32_t cmd, std::span<uint8_t> arg) override {
    if (cmd == vfio::kDeviceSetIrqs && arg.size() == 24 &&
        (arg[4] & vfio::kIrqSetDataEventfd)) {
      uint8_t off[20] = {20, 0, 0, 0, 0x21, 0, 0, 0, 0, 0,
                         0,  0, 0, 0, 0,    0, 0, 0, 0, 0};
      std::memcpy(off + 8, arg.data() + 8, 4);  // same index, count 0
      (void)RealDevice::Ioctl(cmd, off);
    }
    return RealDevice::Ioctl(cmd, arg);
  }
};

TEST(BarAccessOracleTest, FailedIoctlChangesNothing) {
  Input in(1, Profile::kKernel, IrqSetup::kIntx);
  in.IoctlOp(bar::kIntxBadFd);
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<DropsEventfdBeforeLookup>())),
            "ioctl-error-changes-nothing");
}

// Divisor latch writes OR into the latch (the kernel profile's rule) in a
// 16550a device.
class OredDivisor : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> Write(uint64_t pos, std::span<const uint8_t> buf) override {
    const Uart16550::State port = Port0Of(*this);
    if (pos == kBar0 + kRbrThr && buf.size() == 1 && (port.lcr & kLcrDlab)) {
      const uint8_t ored = static_cast<uint8_t>(buf[0] | (port.divisor & 0xff));
      return RealDevice::Write(pos, {&ored, 1});
    }
    return RealDevice::Write(pos, buf);
  }
};

TEST(BarAccessOracleTest, ReferenceModelCatchesARegisterRule) {
  Input in(1, Profile::k16550a);
  in.Write(0, kLcr, 0x80).Write(0, kRbrThr, 0x0c).Write(0, kRbrThr, 0x03);
  in.Read(0, kRbrThr);
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  // The write itself is caught by the register comparison after it.
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<OredDivisor>())),
            "reference-register");
}

// Returns the IIR without its FIFO bits: only a read shows it, the
// snapshot is intact.
class IirWithoutFifoBits : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> Read(uint64_t pos, std::span<uint8_t> buf) override {
    Result<size_t> r = RealDevice::Read(pos, buf);
    if (r.ok() && pos == kBar0 + kLcr - 1 && buf.size() == 2) buf[0] &= 0x3f;
    return r;
  }
};

TEST(BarAccessOracleTest, ReferenceModelCatchesAReadValue) {
  Input in(1, Profile::k16550a);
  in.Write(0, kIirFcr, 0x01).Read(0, kIirFcr, 2);
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<IirWithoutFifoBits>())),
            "reference-read-value");
}

// Raises MSI on every THR write, whether or not an interrupt source rose.
class SpuriousMsi : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> Write(uint64_t pos, std::span<const uint8_t> buf) override {
    Result<size_t> r = RealDevice::Write(pos, buf);
    if (r.ok() && pos == kBar0 + kRbrThr) {
      uint8_t trigger[20] = {20, 0, 0, 0, 0x21, 0, 0, 0, 1, 0,
                             0,  0, 0, 0, 0,    0, 1, 0, 0, 0};
      (void)RealDevice::Ioctl(vfio::kDeviceSetIrqs, trigger);
    }
    return r;
  }
};

TEST(BarAccessOracleTest, ReferenceModelCatchesAnInterruptEdge) {
  Input in(1, Profile::k16550a, IrqSetup::kMsi);
  in.Write(0, kRbrThr, 0x41);  // IER is 0: no source, no edge
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<SpuriousMsi>())),
            "reference-interrupts");
}

// A record the device's own LoadState rejects (a set reserved byte).
class CorruptRecord : public RealDevice {
 public:
  using RealDevice::RealDevice;
  DeviceState state() const override {
    DeviceState s = RealDevice::state();
    s.ports[0][60] = 1;  // reserved: no State field reaches it
    return s;
  }
};

TEST(BarAccessOracleTest, PortRecordLoads) {
  Input in(1, Profile::kKernel);
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<CorruptRecord>())),
            "port-record-loads");
}

// IER reads back as stored, bits 7:4 included (the sample masks them off).
class IerReadsUnmasked : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> Read(uint64_t pos, std::span<uint8_t> buf) override {
    Result<size_t> r = RealDevice::Read(pos, buf);
    const Uart16550::State port = Port0Of(*this);
    if (r.ok() && pos == kBar0 + kIer && buf.size() == 1 &&
        !(port.lcr & kLcrDlab)) {
      buf[0] = port.ier;
    }
    return r;
  }
};

// Only a read can show it: CheckPort's own IER check reads the record back
// through core's Peek, which a device cannot change.
TEST(BarAccessOracleTest, IerReadsBack) {
  Input in(1, Profile::kKernel);
  in.Write(0, kIer, 0xf0).Read(0, kIer);  // bits 7:4 enable nothing
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<IerReadsUnmasked>())),
            "ier-readback");
}

// Disabling INTx while it is masked leaves the mask reported: a masked
// line with no interrupt enabled.
class DisableKeepsMask : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Status Ioctl(uint32_t cmd, std::span<uint8_t> arg) override {
    const bool masked = RealDevice::state().irq.intx_masked;
    Status s = RealDevice::Ioctl(cmd, arg);
    if (s.ok() && masked && RealDevice::state().irq.irq_index == -1) {
      stale_mask_ = true;
    }
    return s;
  }
  DeviceState state() const override {
    DeviceState s = RealDevice::state();
    if (stale_mask_ && s.irq.irq_index == -1) s.irq.intx_masked = true;
    return s;
  }

 private:
  bool stale_mask_ = false;
};

TEST(BarAccessOracleTest, IrqControllerInvariants) {
  Input in(1, Profile::kKernel, IrqSetup::kIntx);
  in.IoctlOp(bar::kIntxMask).IoctlOp(bar::kIntxDisable);
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<DisableKeepsMask>())),
            "irq-invariants");
}

// Signals the INTx eventfd behind the controller on every THR write and,
// unlike its base, does not own up to it in state(): the eventfds count
// signals the controller never made. The access itself shows no signal.
class UncountedSignal : public RogueSignalDevice {
 public:
  using RogueSignalDevice::RogueSignalDevice;
  Result<size_t> Write(uint64_t pos, std::span<const uint8_t> buf) override {
    Result<size_t> r = RealDevice::Write(pos, buf);
    if (r.ok() && pos == kBar0 + kRbrThr)
      SignalBehindController(bar::kEventfdA);
    return r;
  }
  DeviceState state() const override { return RealDevice::state(); }
};

TEST(BarAccessOracleTest, EventfdsAddUpToSignalCount) {
  Input in(1, Profile::kKernel, IrqSetup::kIntx);
  in.Write(0, kRbrThr, 0x41);  // IER is 0: no interrupt
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<UncountedSignal>())),
            "irq-signal-count");
}

// Installing the MSI eventfd fires it once (a spurious initial interrupt).
class SignalsOnMsiInstall : public RogueSignalDevice {
 public:
  using RogueSignalDevice::RogueSignalDevice;
  Status Ioctl(uint32_t cmd, std::span<uint8_t> arg) override {
    Status s = RealDevice::Ioctl(cmd, arg);
    if (s.ok() && cmd == vfio::kDeviceSetIrqs &&
        RealDevice::state().irq.irq_index == 1) {
      SignalBehindController(bar::kEventfdB);
    }
    return s;
  }
};

TEST(BarAccessOracleTest, IoctlSignalsOnlyWhenItShould) {
  Input in(1, Profile::kKernel);
  in.IoctlOp(bar::kMsiEventfd);
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<SignalsOnMsiInstall>())),
            "ioctl-signals");
}

// Signals the INTx eventfd on every time advance, enabled or not.
class SignalsOnTime : public RogueSignalDevice {
 public:
  using RogueSignalDevice::RogueSignalDevice;
  void AdvanceTime(uint64_t ns) override {
    RealDevice::AdvanceTime(ns);
    SignalBehindController(bar::kEventfdA);
  }
};

TEST(BarAccessOracleTest, NoInterruptWhileDisabled) {
  Input in(1, Profile::kKernel);
  in.AdvanceNs(1000);
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<SignalsOnTime>())),
            "irq-not-when-disabled");
}

// INTx signals but the line is unmasked again at once, as if the device
// forgot the automask.
class ForgetsAutomask : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> Write(uint64_t pos, std::span<const uint8_t> buf) override {
    const bool masked = RealDevice::state().irq.intx_masked;
    Result<size_t> r = RealDevice::Write(pos, buf);
    if (!masked && RealDevice::state().irq.intx_masked) {
      uint8_t unmask[20] = {20, 0, 0, 0, 0x11, 0, 0, 0, 0, 0,
                            0,  0, 0, 0, 0,    0, 1, 0, 0, 0};
      (void)RealDevice::Ioctl(vfio::kDeviceSetIrqs, unmask);
    }
    return r;
  }
};

TEST(BarAccessOracleTest, IntxMasksItselfOnSignal) {
  Input in(1, Profile::kKernel, IrqSetup::kIntx);
  in.Write(0, kIer, kIerThri);  // FIFO empty: THRE fires at once
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<ForgetsAutomask>())),
            "irq-intx-automask");
}

// Config reads return all ones, whatever config space holds.
class ConfigReadsOnes : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> Read(uint64_t pos, std::span<uint8_t> buf) override {
    Result<size_t> r = RealDevice::Read(pos, buf);
    if (r.ok() && (pos >> 40) == vfio::kConfigRegionIndex) {
      std::fill(buf.begin(), buf.end(), 0xff);
    }
    return r;
  }
};

TEST(BarAccessOracleTest, ConfigReadReturnsConfigSpace) {
  Input in(1, Profile::kKernel);
  in.ConfigRead(0, 2);  // the vendor ID
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<ConfigReadsOnes>())),
            "config-read-value");
}

// A THR write is dropped while a byte is queued: a one-byte FIFO in a
// 16550a whose FIFOs are enabled.
class OneByteFifo : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> Write(uint64_t pos, std::span<const uint8_t> buf) override {
    const Uart16550::State port = Port0Of(*this);
    if (pos == kBar0 + kRbrThr && buf.size() == 1 && !(port.lcr & kLcrDlab) &&
        port.rx_count > 0) {
      return size_t{1};
    }
    return RealDevice::Write(pos, buf);
  }
};

TEST(BarAccessOracleTest, ReferenceModelCatchesAFifoCount) {
  Input in(1, Profile::k16550a);
  in.Write(0, kIirFcr, kFcrEnable).Write(0, kRbrThr, 0x41);
  in.Write(0, kRbrThr, 0x42);
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  // Only the count differs: both FIFOs start with 0x41, LSR reads the same.
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<OneByteFifo>())),
            "reference-fifo-count");
}

// A wide BAR read reports only the byte the UART decoded.
class WideReadCountsOneByte : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> Read(uint64_t pos, std::span<uint8_t> buf) override {
    Result<size_t> r = RealDevice::Read(pos, buf);
    if (r.ok() && (pos >> 40) == 0 && buf.size() > 1) return size_t{1};
    return r;
  }
};

TEST(BarAccessOracleTest, AccessReturnsItsLength) {
  Input in(1, Profile::kKernel);
  in.Read(0, 4, 4);
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<WideReadCountsOneByte>())),
            "access-result");
}

// A scratch register write also lands in the interrupt line (a writable
// config byte, so only the access's scope is wrong).
class ScratchWriteHitsConfig : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> Write(uint64_t pos, std::span<const uint8_t> buf) override {
    Result<size_t> r = RealDevice::Write(pos, buf);
    if (r.ok() && pos == kBar0 + kScr) {
      (void)RealDevice::Write(kConfig + 0x3c, buf);
    }
    return r;
  }
};

TEST(BarAccessOracleTest, BarAccessLeavesConfigAlone) {
  Input in(1, Profile::kKernel);
  in.Write(0, kScr, 0x0b);
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunBarAccess(in.bytes(), With<ScratchWriteHitsConfig>())),
            "access-scope");
}

// Random well-formed inputs against the real device find nothing; the
// same inputs cover every opcode and both profiles.
TEST(BarAccessHarnessTest, RandomInputsFindNothing) {
  std::mt19937 rng(20240601);
  for (int round = 0; round < 200; ++round) {
    std::vector<uint8_t> input;
    input.push_back(static_cast<uint8_t>(rng()));
    for (int i = 0; i < 256; ++i) input.push_back(static_cast<uint8_t>(rng()));
    const MaybeFinding f = RunBarAccess(input);
    EXPECT_FALSE(f.has_value()) << "round " << round << ": " << f->ToString();
  }
}

TEST(BarAccessHarnessTest, ShortInputsAreTotal) {
  for (int n = 0; n < 40; ++n) {
    std::vector<uint8_t> input(n, 0xff);
    EXPECT_FALSE(RunBarAccess(input).has_value()) << n;
  }
}

}  // namespace
}  // namespace mtty::fuzz
