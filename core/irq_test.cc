// Copyright mtty-lab authors.
#include "core/irq.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "core/vfio_uapi.h"

namespace mtty {
namespace {

using State = IrqController::State;

constexpr uint32_t kNone = vfio::kIrqSetDataNone;
constexpr uint32_t kBool = vfio::kIrqSetDataBool;
constexpr uint32_t kFd = vfio::kIrqSetDataEventfd;
constexpr uint32_t kMask = vfio::kIrqSetActionMask;
constexpr uint32_t kUnmask = vfio::kIrqSetActionUnmask;
constexpr uint32_t kTrigger = vfio::kIrqSetActionTrigger;
constexpr uint32_t kIntx = vfio::kIntxIrqIndex;
constexpr uint32_t kMsi = vfio::kMsiIrqIndex;
// What mtty passes after GET_INFO.
constexpr uint32_t kNumIrqs = vfio::kNumIrqs;

const Status kEinval = Status::Error(-EINVAL);
const Status kEfault = Status::Error(-EFAULT);
const Status kEbadf = Status::Error(-EBADF);
const Status kEnotty = Status::Error(-ENOTTY);

void PutU32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  std::memcpy(b.data() + at, &v, sizeof(v));
}

// A vfio_irq_set buffer: header then `data`; argsz defaults to the real size.
std::vector<uint8_t> IrqSet(uint32_t flags, uint32_t index, uint32_t start,
                            uint32_t count, std::vector<uint8_t> data = {},
                            std::optional<uint32_t> argsz = std::nullopt) {
  std::vector<uint8_t> b(20 + data.size());
  PutU32(b, 0, argsz.value_or(static_cast<uint32_t>(b.size())));
  PutU32(b, 4, flags);
  PutU32(b, 8, index);
  PutU32(b, 12, start);
  PutU32(b, 16, count);
  if (!data.empty()) std::memcpy(b.data() + 20, data.data(), data.size());
  return b;
}

std::vector<uint8_t> Fds(std::initializer_list<int32_t> fds) {
  std::vector<uint8_t> b;
  for (int32_t fd : fds) {
    uint8_t raw[4];
    std::memcpy(raw, &fd, 4);
    b.insert(b.end(), raw, raw + 4);
  }
  return b;
}

std::vector<uint8_t> Bools(std::initializer_list<uint8_t> v) { return v; }

State MakeState(int index, bool masked, bool intx, bool msi, uint64_t sig) {
  return State{index, masked, intx, msi, sig};
}

class IrqTest : public ::testing::Test {
 protected:
  Status Set(const std::vector<uint8_t>& arg, uint32_t num = kNumIrqs) {
    return irq_.SetIrqs(arg, num);
  }
  void InstallIntx(int32_t fd = 10) {
    ASSERT_TRUE(Set(IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({fd}))).ok());
  }
  void InstallMsi(int32_t fd = 11) {
    ASSERT_TRUE(Set(IrqSet(kFd | kTrigger, kMsi, 0, 1, Fds({fd}))).ok());
  }

  FakeFdTable fds_;
  std::shared_ptr<CountingSink> sink10_ = fds_.Register(10);
  std::shared_ptr<CountingSink> sink11_ = fds_.Register(11);
  IrqController irq_{&fds_};
};

// ============================================================ GET_IRQ_INFO

std::vector<uint8_t> IrqInfoArg(uint32_t argsz, uint32_t index,
                                size_t size = 16) {
  std::vector<uint8_t> b(size, 0xee);
  PutU32(b, 0, argsz);
  PutU32(b, 4, 0xaaaaaaaa);
  PutU32(b, 8, index);
  PutU32(b, 12, 0xbbbbbbbb);
  return b;
}

uint32_t GetU32(const std::vector<uint8_t>& b, size_t at) {
  uint32_t v;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}

TEST_F(IrqTest, GetIrqInfoIntx) {
  std::vector<uint8_t> arg = IrqInfoArg(16, kIntx);
  ASSERT_TRUE(irq_.GetIrqInfo(arg, kNumIrqs).ok());
  EXPECT_EQ(GetU32(arg, 0), 16u);
  EXPECT_EQ(GetU32(arg, 4), 7u);  // EVENTFD | MASKABLE | AUTOMASKED
  EXPECT_EQ(GetU32(arg, 8), kIntx);
  EXPECT_EQ(GetU32(arg, 12), 1u);
}

TEST_F(IrqTest, GetIrqInfoMsi) {
  std::vector<uint8_t> arg = IrqInfoArg(16, kMsi);
  ASSERT_TRUE(irq_.GetIrqInfo(arg, kNumIrqs).ok());
  EXPECT_EQ(GetU32(arg, 4), 9u);  // EVENTFD | NORESIZE
  EXPECT_EQ(GetU32(arg, 8), kMsi);
  EXPECT_EQ(GetU32(arg, 12), 1u);
}

TEST_F(IrqTest, GetIrqInfoWritesOnlyMinsz) {
  std::vector<uint8_t> arg = IrqInfoArg(64, kIntx, 64);
  ASSERT_TRUE(irq_.GetIrqInfo(arg, kNumIrqs).ok());
  EXPECT_EQ(GetU32(arg, 0), 64u);
  for (size_t i = 16; i < arg.size(); ++i) EXPECT_EQ(arg[i], 0xee) << i;
}

TEST_F(IrqTest, GetIrqInfoOtherIndexesAreEinval) {
  for (uint32_t index : {2u, 3u, 4u}) {
    std::vector<uint8_t> arg = IrqInfoArg(16, index);
    const std::vector<uint8_t> before = arg;
    EXPECT_EQ(irq_.GetIrqInfo(arg, kNumIrqs), kEinval) << index;
    EXPECT_EQ(arg, before);
  }
}

TEST_F(IrqTest, GetIrqInfoIndexAtLeastNumIrqsIsEinval) {
  // Before GET_INFO the device passes 0: every index is rejected.
  std::vector<uint8_t> arg = IrqInfoArg(16, kIntx);
  const std::vector<uint8_t> before = arg;
  EXPECT_EQ(irq_.GetIrqInfo(arg, 0), kEinval);
  EXPECT_EQ(irq_.GetIrqInfo(arg, 1).code(), 0);
  arg = IrqInfoArg(16, kMsi);
  EXPECT_EQ(irq_.GetIrqInfo(arg, 1), kEinval);
  arg = IrqInfoArg(16, 5);
  EXPECT_EQ(irq_.GetIrqInfo(arg, kNumIrqs), kEinval);
  arg = IrqInfoArg(16, UINT32_MAX);
  EXPECT_EQ(irq_.GetIrqInfo(arg, UINT32_MAX), kEinval);
  EXPECT_EQ(before, IrqInfoArg(16, kIntx));
}

TEST_F(IrqTest, GetIrqInfoArgszBelowMinszIsEinval) {
  for (uint32_t argsz : {0u, 1u, 15u}) {
    std::vector<uint8_t> arg = IrqInfoArg(argsz, kIntx);
    const std::vector<uint8_t> before = arg;
    EXPECT_EQ(irq_.GetIrqInfo(arg, kNumIrqs), kEinval) << argsz;
    EXPECT_EQ(arg, before);
  }
}

TEST_F(IrqTest, GetIrqInfoShortBufferIsEfault) {
  for (size_t size : {0u, 4u, 15u}) {
    std::vector<uint8_t> arg(size, 0);
    if (size >= 4) PutU32(arg, 0, 16);
    EXPECT_EQ(irq_.GetIrqInfo(arg, kNumIrqs), kEfault) << size;
  }
}

// ================================================= SET_IRQS validation

TEST_F(IrqTest, SetIrqsShortHeaderIsEfault) {
  std::vector<uint8_t> arg = IrqSet(kNone | kTrigger, kIntx, 0, 1);
  arg.resize(19);
  EXPECT_EQ(Set(arg), kEfault);
  EXPECT_EQ(Set({}), kEfault);
}

TEST_F(IrqTest, SetIrqsArgszBelowMinszIsEinval) {
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, kIntx, 0, 0, {}, 19)), kEinval);
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, kIntx, 0, 0, {}, 0)), kEinval);
}

TEST_F(IrqTest, SetIrqsIndexBeyondIrqTypesIsEinval) {
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, 5, 0, 0), UINT32_MAX), kEinval);
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, UINT32_MAX, 0, 0), UINT32_MAX),
            kEinval);
}

TEST_F(IrqTest, SetIrqsCountStartOverflowIsEinval) {
  // count >= U32_MAX - start, even with a huge num_irqs.
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, kIntx, 1, 0xfffffffe), UINT32_MAX),
            kEinval);
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, kIntx, UINT32_MAX, 0), UINT32_MAX),
            kEinval);
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, kIntx, 0, UINT32_MAX), UINT32_MAX),
            kEinval);
}

TEST_F(IrqTest, SetIrqsCountStartWrapIsEinval) {
  // start + count wraps to 0, which the num_irqs test alone would let pass;
  // action 0 would then be a silent success and MSI-X an -ENOTTY.
  EXPECT_EQ(Set(IrqSet(kNone, kIntx, 2, UINT32_MAX - 1)), kEinval);
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, 2, 1, UINT32_MAX)), kEinval);
}

TEST_F(IrqTest, SetIrqsUnknownFlagBitIsEinval) {
  for (uint32_t bit = 6; bit < 32; ++bit) {
    EXPECT_EQ(Set(IrqSet(kNone | kTrigger | (1u << bit), kIntx, 0, 1)), kEinval)
        << bit;
  }
}

TEST_F(IrqTest, SetIrqsStartBeyondNumIrqsIsEinval) {
  InstallIntx();
  // Before GET_INFO the device passes 0.
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, kIntx, 0, 1), 0), kEinval);
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, kIntx, 5, 0)), kEinval);
  EXPECT_EQ(sink10_->count(), 0u);
}

TEST_F(IrqTest, SetIrqsStartPlusCountBeyondNumIrqsIsEinval) {
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, kIntx, 4, 2)), kEinval);
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, kIntx, 0, 6)), kEinval);
}

TEST_F(IrqTest, SetIrqsDataTypeNotExactlyOneIsEinval) {
  for (uint32_t type : {0u, 3u, 5u, 6u, 7u}) {
    EXPECT_EQ(Set(IrqSet(type | kTrigger, kIntx, 0, 1, Fds({10, 10}))), kEinval)
        << type;
  }
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
}

TEST_F(IrqTest, SetIrqsArgszTooSmallForDataIsEinval) {
  // Buffer holds the data but argsz does not cover it.
  EXPECT_EQ(Set(IrqSet(kBool | kTrigger, kIntx, 0, 1, Bools({1}), 20)),
            kEinval);
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({10}), 23)), kEinval);
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, kIntx, 0, 2, Fds({10}), 24)), kEinval);
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
}

TEST_F(IrqTest, SetIrqsDataBeyondBufferIsEfault) {
  // argsz covers the data but the caller's memory ends first.
  std::vector<uint8_t> arg = IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({10}));
  arg.resize(22);
  EXPECT_EQ(Set(arg), kEfault);
  EXPECT_EQ(Set(IrqSet(kBool | kTrigger, kIntx, 0, 1, {}, 21)), kEfault);
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
}

TEST_F(IrqTest, SetIrqsValidationErrorsPrecedeTheDataCopy) {
  // Bad index with a missing payload: the header rules answer first.
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, 7, 0, 1, {}, 24)), kEinval);
}

TEST_F(IrqTest, SetIrqsArgszBeyondBufferIsFineWhenDataFits) {
  // The kernel copies only count * size bytes, not argsz.
  EXPECT_TRUE(Set(IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({10}), 4096)).ok());
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
}

TEST_F(IrqTest, SetIrqsCountZeroNeedsNoData) {
  InstallIntx();
  // Passes validation (no data for count 0), then fails count != 1.
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, kIntx, 0, 0, {}, 20)), kEinval);
  EXPECT_TRUE(Set(IrqSet(kNone | kTrigger, kIntx, 0, 0, {}, 20)).ok());
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
}

// ============================================================= INTx

TEST_F(IrqTest, NothingEnabledTriggerIsDropped) {
  EXPECT_FALSE(irq_.Trigger());
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
}

TEST_F(IrqTest, IntxEventfdInstalls) {
  InstallIntx();
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
}

TEST_F(IrqTest, IntxTriggerSignalsThenAutomasks) {
  InstallIntx();
  EXPECT_TRUE(irq_.Trigger());
  EXPECT_EQ(sink10_->count(), 1u);
  EXPECT_EQ(irq_.state(), MakeState(0, true, true, false, 1));
  EXPECT_FALSE(irq_.Trigger());  // lost while masked
  EXPECT_EQ(sink10_->count(), 1u);
  EXPECT_EQ(irq_.state(), MakeState(0, true, true, false, 1));
}

TEST_F(IrqTest, IntxUnmaskNoneReenables) {
  InstallIntx();
  ASSERT_TRUE(irq_.Trigger());
  ASSERT_TRUE(Set(IrqSet(kNone | kUnmask, kIntx, 0, 1)).ok());
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 1));
  EXPECT_TRUE(irq_.Trigger());
  EXPECT_EQ(sink10_->count(), 2u);
}

TEST_F(IrqTest, IntxMaskNoneBlocksTrigger) {
  InstallIntx();
  ASSERT_TRUE(Set(IrqSet(kNone | kMask, kIntx, 0, 1)).ok());
  EXPECT_EQ(irq_.state(), MakeState(0, true, true, false, 0));
  EXPECT_FALSE(irq_.Trigger());
  EXPECT_EQ(sink10_->count(), 0u);
}

TEST_F(IrqTest, IntxMaskBoolActsOnlyOnNonzero) {
  InstallIntx();
  ASSERT_TRUE(Set(IrqSet(kBool | kMask, kIntx, 0, 1, Bools({0}))).ok());
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
  ASSERT_TRUE(Set(IrqSet(kBool | kMask, kIntx, 0, 1, Bools({2}))).ok());
  EXPECT_EQ(irq_.state(), MakeState(0, true, true, false, 0));
}

TEST_F(IrqTest, IntxUnmaskBoolActsOnlyOnNonzero) {
  InstallIntx();
  ASSERT_TRUE(Set(IrqSet(kNone | kMask, kIntx, 0, 1)).ok());
  ASSERT_TRUE(Set(IrqSet(kBool | kUnmask, kIntx, 0, 1, Bools({0}))).ok());
  EXPECT_EQ(irq_.state(), MakeState(0, true, true, false, 0));
  ASSERT_TRUE(Set(IrqSet(kBool | kUnmask, kIntx, 0, 1, Bools({1}))).ok());
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
}

TEST_F(IrqTest, IntxMaskUnmaskNeedIntxEnabled) {
  EXPECT_EQ(Set(IrqSet(kNone | kMask, kIntx, 0, 1)), kEinval);
  EXPECT_EQ(Set(IrqSet(kNone | kUnmask, kIntx, 0, 1)), kEinval);
  InstallMsi();
  EXPECT_EQ(Set(IrqSet(kNone | kMask, kIntx, 0, 1)), kEinval);
  EXPECT_EQ(irq_.state(), MakeState(1, false, false, true, 0));
}

TEST_F(IrqTest, IntxMaskUnmaskNeedStartZeroCountOne) {
  InstallIntx();
  EXPECT_EQ(Set(IrqSet(kNone | kMask, kIntx, 1, 1)), kEinval);
  EXPECT_EQ(Set(IrqSet(kNone | kMask, kIntx, 0, 0)), kEinval);
  EXPECT_EQ(Set(IrqSet(kBool | kMask, kIntx, 0, 2, Bools({1, 1}))), kEinval);
  EXPECT_EQ(Set(IrqSet(kNone | kUnmask, kIntx, 2, 1)), kEinval);
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
}

TEST_F(IrqTest, IntxMaskUnmaskEventfdIsEnotty) {
  InstallIntx();
  EXPECT_EQ(Set(IrqSet(kFd | kMask, kIntx, 0, 1, Fds({11}))), kEnotty);
  EXPECT_EQ(Set(IrqSet(kFd | kUnmask, kIntx, 0, 1, Fds({11}))), kEnotty);
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
}

TEST_F(IrqTest, IntxMaskEventfdWhenDisabledIsEinvalFirst) {
  EXPECT_EQ(Set(IrqSet(kFd | kMask, kIntx, 0, 1, Fds({11}))), kEinval);
}

TEST_F(IrqTest, IntxLoopbackTriggerByDataNone) {
  InstallIntx();
  ASSERT_TRUE(Set(IrqSet(kNone | kTrigger, kIntx, 0, 1)).ok());
  EXPECT_EQ(sink10_->count(), 1u);
  EXPECT_EQ(irq_.state(), MakeState(0, true, true, false, 1));
  ASSERT_TRUE(Set(IrqSet(kNone | kTrigger, kIntx, 0, 1)).ok());  // masked
  EXPECT_EQ(sink10_->count(), 1u);
}

TEST_F(IrqTest, IntxLoopbackTriggerByBool) {
  InstallIntx();
  ASSERT_TRUE(Set(IrqSet(kBool | kTrigger, kIntx, 0, 1, Bools({0}))).ok());
  EXPECT_EQ(sink10_->count(), 0u);
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
  ASSERT_TRUE(Set(IrqSet(kBool | kTrigger, kIntx, 0, 1, Bools({7}))).ok());
  EXPECT_EQ(sink10_->count(), 1u);
  EXPECT_EQ(irq_.state(), MakeState(0, true, true, false, 1));
}

TEST_F(IrqTest, IntxLoopbackTriggerNeedsIntxEnabled) {
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, kIntx, 0, 1)), kEinval);
  EXPECT_EQ(Set(IrqSet(kBool | kTrigger, kIntx, 0, 1, Bools({1}))), kEinval);
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
}

TEST_F(IrqTest, IntxDisableWithCountZero) {
  InstallIntx();
  ASSERT_TRUE(irq_.Trigger());  // masked now
  ASSERT_TRUE(Set(IrqSet(kNone | kTrigger, kIntx, 0, 0)).ok());
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 1));
  EXPECT_FALSE(irq_.Trigger());
}

TEST_F(IrqTest, IntxDisableWithCountZeroIgnoresStart) {
  // The sample's disable path does not look at start.
  InstallIntx();
  ASSERT_TRUE(Set(IrqSet(kNone | kTrigger, kIntx, 3, 0)).ok());
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
}

TEST_F(IrqTest, IntxDisableWithCountZeroWhenDisabledIsEinval) {
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, kIntx, 0, 0)), kEinval);
}

TEST_F(IrqTest, IntxNegativeFdDisables) {
  InstallIntx();
  ASSERT_TRUE(irq_.Trigger());
  ASSERT_TRUE(Set(IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({-1}))).ok());
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 1));
  // And with nothing installed it is a successful no-op.
  ASSERT_TRUE(Set(IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({-5}))).ok());
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 1));
}

TEST_F(IrqTest, IntxNewEventfdReplacesOldAndClearsMask) {
  InstallIntx(10);
  ASSERT_TRUE(irq_.Trigger());
  InstallIntx(11);
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 1));
  EXPECT_TRUE(irq_.Trigger());
  EXPECT_EQ(sink10_->count(), 1u);
  EXPECT_EQ(sink11_->count(), 1u);
}

TEST_F(IrqTest, IntxTriggerSetupWhileMsiActiveIsEinval) {
  InstallMsi();
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({10}))), kEinval);
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, kIntx, 0, 1)), kEinval);
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, kIntx, 0, 0)), kEinval);
  EXPECT_EQ(irq_.state(), MakeState(1, false, false, true, 0));
}

TEST_F(IrqTest, IntxTriggerNeedsStartZeroCountOne) {
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, kIntx, 1, 1, Fds({10}))), kEinval);
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, kIntx, 0, 2, Fds({10, 11}))), kEinval);
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
}

// ============================================================== MSI

TEST_F(IrqTest, MsiSignalsEveryTriggerWithoutMasking) {
  InstallMsi();
  EXPECT_EQ(irq_.state(), MakeState(1, false, false, true, 0));
  EXPECT_TRUE(irq_.Trigger());
  EXPECT_TRUE(irq_.Trigger());
  EXPECT_EQ(sink11_->count(), 2u);
  EXPECT_EQ(irq_.state(), MakeState(1, false, false, true, 2));
}

TEST_F(IrqTest, MsiLoopbackTriggerByNoneAndBool) {
  InstallMsi();
  ASSERT_TRUE(Set(IrqSet(kNone | kTrigger, kMsi, 0, 1)).ok());
  ASSERT_TRUE(Set(IrqSet(kBool | kTrigger, kMsi, 0, 1, Bools({0}))).ok());
  ASSERT_TRUE(Set(IrqSet(kBool | kTrigger, kMsi, 0, 1, Bools({1}))).ok());
  EXPECT_EQ(sink11_->count(), 2u);
}

TEST_F(IrqTest, MsiLoopbackTriggerNeedsMsiEnabled) {
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, kMsi, 0, 1)), kEinval);
  InstallIntx();
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, kMsi, 0, 1)), kEinval);
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, kMsi, 0, 1, Fds({11}))), kEinval);
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
}

TEST_F(IrqTest, MsiDisableWithCountZero) {
  InstallMsi();
  ASSERT_TRUE(Set(IrqSet(kNone | kTrigger, kMsi, 0, 0)).ok());
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
  EXPECT_FALSE(irq_.Trigger());
  EXPECT_EQ(Set(IrqSet(kNone | kTrigger, kMsi, 0, 0)), kEinval);
}

TEST_F(IrqTest, MsiNegativeFdDisables) {
  InstallMsi();
  ASSERT_TRUE(Set(IrqSet(kFd | kTrigger, kMsi, 0, 1, Fds({-1}))).ok());
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
}

TEST_F(IrqTest, MsiThenIntxAfterDisable) {
  InstallMsi();
  ASSERT_TRUE(Set(IrqSet(kNone | kTrigger, kMsi, 0, 0)).ok());
  InstallIntx();
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
}

TEST_F(IrqTest, MsiMaskUnmaskAreEnotty) {
  EXPECT_EQ(Set(IrqSet(kNone | kMask, kMsi, 0, 1)), kEnotty);
  EXPECT_EQ(Set(IrqSet(kNone | kUnmask, kMsi, 0, 1)), kEnotty);
  InstallMsi();
  EXPECT_EQ(Set(IrqSet(kBool | kMask, kMsi, 0, 1, Bools({1}))), kEnotty);
  EXPECT_EQ(Set(IrqSet(kFd | kUnmask, kMsi, 0, 1, Fds({10}))), kEnotty);
  EXPECT_EQ(irq_.state(), MakeState(1, false, false, true, 0));
}

TEST_F(IrqTest, MsixErrReqAreEnottyForEveryAction) {
  for (uint32_t index : {2u, 3u, 4u}) {
    for (uint32_t action : {0u, kMask, kUnmask, kTrigger, kMask | kTrigger}) {
      EXPECT_EQ(Set(IrqSet(kNone | action, index, 0, 1)), kEnotty)
          << index << " " << action;
    }
    EXPECT_EQ(Set(IrqSet(kFd | kTrigger, index, 0, 1, Fds({10}))), kEnotty);
  }
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
}

// ================================================== quirks kept

TEST_F(IrqTest, ActionZeroOrSeveralIsSilentSuccess) {
  InstallIntx();
  for (uint32_t index : {kIntx, kMsi}) {
    for (uint32_t action : {0u, kMask | kUnmask, kMask | kTrigger,
                            kUnmask | kTrigger, kMask | kUnmask | kTrigger}) {
      EXPECT_TRUE(Set(IrqSet(kNone | action, index, 0, 1)).ok())
          << index << " " << action;
      EXPECT_TRUE(Set(IrqSet(kFd | action, index, 0, 1, Fds({-1}))).ok());
    }
  }
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
  EXPECT_EQ(sink10_->count(), 0u);
}

// ============================================== errors change nothing

TEST_F(IrqTest, UnknownFdKeepsPreviousSink) {
  InstallIntx(10);
  ASSERT_TRUE(irq_.Trigger());
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({99}))), kEbadf);
  EXPECT_EQ(irq_.state(), MakeState(0, true, true, false, 1));
  ASSERT_TRUE(Set(IrqSet(kNone | kUnmask, kIntx, 0, 1)).ok());
  EXPECT_TRUE(irq_.Trigger());
  EXPECT_EQ(sink10_->count(), 2u);
}

TEST_F(IrqTest, NonEventfdKeepsPreviousSink) {
  fds_.RegisterNonEventfd(12);
  InstallMsi(11);
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, kMsi, 0, 1, Fds({12}))), kEinval);
  EXPECT_EQ(irq_.state(), MakeState(1, false, false, true, 0));
  EXPECT_TRUE(irq_.Trigger());
  EXPECT_EQ(sink11_->count(), 1u);
}

TEST_F(IrqTest, ClosedFdIsEbadf) {
  fds_.Close(10);
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({10}))), kEbadf);
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
}

TEST(IrqControllerTest, NullResolverMakesEveryFdEbadf) {
  IrqController irq(nullptr);
  EXPECT_EQ(irq.SetIrqs(IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({0})), 5),
            kEbadf);
  EXPECT_EQ(irq.SetIrqs(IrqSet(kFd | kTrigger, kMsi, 0, 1, Fds({3})), 5),
            kEbadf);
  EXPECT_EQ(irq.state(), MakeState(-1, false, false, false, 0));
  // fd < 0 still disables without asking the resolver.
  EXPECT_TRUE(
      irq.SetIrqs(IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({-1})), 5).ok());
}

// Every failing SET_IRQS, applied to every reachable starting state, leaves
// that state exactly as it was.
TEST_F(IrqTest, EveryErrorLeavesStateUnchanged) {
  fds_.RegisterNonEventfd(12);
  struct Bad {
    std::vector<uint8_t> arg;
    uint32_t num_irqs;
    Status want;  // ok() means "depends on state, but must fail"
  };
  std::vector<uint8_t> short_hdr = IrqSet(kNone | kTrigger, kIntx, 0, 1);
  short_hdr.resize(10);
  std::vector<uint8_t> short_data =
      IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({10}));
  short_data.resize(21);
  const std::vector<Bad> bads = {
      {short_hdr, kNumIrqs, kEfault},
      {IrqSet(kNone | kTrigger, kIntx, 0, 1, {}, 12), kNumIrqs, kEinval},
      {IrqSet(kNone | kTrigger, 5, 0, 1), kNumIrqs, kEinval},
      {IrqSet(kNone | kTrigger, kIntx, 2, UINT32_MAX - 2), UINT32_MAX, kEinval},
      {IrqSet(kNone | kTrigger | 0x40, kIntx, 0, 1), kNumIrqs, kEinval},
      {IrqSet(kNone | kTrigger, kIntx, 0, 1), 0, kEinval},
      {IrqSet(kNone | kTrigger, kIntx, 3, 3), kNumIrqs, kEinval},
      {IrqSet(kNone | kBool | kTrigger, kIntx, 0, 1, Bools({1})), kNumIrqs,
       kEinval},
      {IrqSet(kTrigger, kIntx, 0, 1), kNumIrqs, kEinval},
      {IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({10}), 22), kNumIrqs, kEinval},
      {short_data, kNumIrqs, kEfault},
      {IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({99})), kNumIrqs, Status()},
      {IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({12})), kNumIrqs, Status()},
      {IrqSet(kFd | kTrigger, kMsi, 0, 1, Fds({99})), kNumIrqs, Status()},
      {IrqSet(kFd | kTrigger, kMsi, 0, 1, Fds({12})), kNumIrqs, Status()},
      {IrqSet(kNone | kTrigger, kIntx, 1, 1), kNumIrqs, kEinval},
      {IrqSet(kNone | kTrigger, kMsi, 0, 2), kNumIrqs, kEinval},
      {IrqSet(kNone | kMask, kIntx, 1, 1), kNumIrqs, kEinval},
      {IrqSet(kFd | kMask, kIntx, 0, 1, Fds({10})), kNumIrqs, Status()},
      {IrqSet(kFd | kUnmask, kIntx, 0, 1, Fds({10})), kNumIrqs, Status()},
      {IrqSet(kNone | kMask, kMsi, 0, 1), kNumIrqs, kEnotty},
      {IrqSet(kNone | kUnmask, kMsi, 0, 1), kNumIrqs, kEnotty},
      {IrqSet(kNone | kTrigger, 2, 0, 1), kNumIrqs, kEnotty},
      {IrqSet(kNone | kTrigger, 3, 0, 1), kNumIrqs, kEnotty},
      {IrqSet(kNone | kTrigger, 4, 0, 1), kNumIrqs, kEnotty},
  };
  // Starting states: none, INTx, INTx masked, MSI.
  for (int start = 0; start < 4; ++start) {
    for (size_t i = 0; i < bads.size(); ++i) {
      IrqController irq(&fds_);
      if (start == 1 || start == 2) {
        ASSERT_TRUE(
            irq.SetIrqs(IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({10})), 5)
                .ok());
      }
      if (start == 2) {
        ASSERT_TRUE(irq.Trigger());
      }
      if (start == 3) {
        ASSERT_TRUE(
            irq.SetIrqs(IrqSet(kFd | kTrigger, kMsi, 0, 1, Fds({11})), 5).ok());
      }
      const State before = irq.state();
      const Status got = irq.SetIrqs(bads[i].arg, bads[i].num_irqs);
      EXPECT_FALSE(got.ok()) << "case " << i << " start " << start;
      if (!bads[i].want.ok()) {
        EXPECT_EQ(got, bads[i].want) << "case " << i << " start " << start;
      }
      EXPECT_EQ(irq.state(), before) << "case " << i << " start " << start;
    }
  }
}

// ============================================================ DisableAll

TEST_F(IrqTest, DisableAllFromMaskedIntx) {
  InstallIntx();
  ASSERT_TRUE(irq_.Trigger());
  irq_.DisableAll();
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 1));
  EXPECT_FALSE(irq_.Trigger());
  // A fresh install starts unmasked.
  InstallIntx();
  EXPECT_TRUE(irq_.Trigger());
}

TEST_F(IrqTest, DisableAllFromMsi) {
  InstallMsi();
  irq_.DisableAll();
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
  irq_.DisableAll();
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
}

// ================================== Linux 6.1 surface (IrqSurface::kLinux6_1)
//
// One test per row of core/README.md's "Interrupt surface: kLinux6_1 vs
// kUpstream" table (Linux 6.1's mtty_set_irqs / mtty_trigger_interrupt).

// IrqTest's helpers on a kLinux6_1 controller.
class Irq61Test : public ::testing::Test {
 protected:
  Status Set(const std::vector<uint8_t>& arg, uint32_t num = kNumIrqs) {
    return irq_.SetIrqs(arg, num);
  }
  void InstallIntx(int32_t fd = 10) {
    ASSERT_TRUE(Set(IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({fd}))).ok());
  }
  void InstallMsi(int32_t fd = 11) {
    ASSERT_TRUE(Set(IrqSet(kFd | kTrigger, kMsi, 0, 1, Fds({fd}))).ok());
  }

  FakeFdTable fds_;
  std::shared_ptr<CountingSink> sink10_ = fds_.Register(10);
  std::shared_ptr<CountingSink> sink11_ = fds_.Register(11);
  std::shared_ptr<CountingSink> sink12_ = fds_.Register(12);
  IrqController irq_{&fds_, IrqSurface::kLinux6_1};
};

TEST_F(Irq61Test, SurfaceIsLinux61) {
  EXPECT_EQ(irq_.surface(), IrqSurface::kLinux6_1);
  EXPECT_STREQ(IrqSurfaceName(irq_.surface()), "linux-6.1");
  EXPECT_STREQ(IrqSurfaceName(IrqSurface::kUpstream), "upstream");
}

TEST_F(Irq61Test, GetIrqInfoAdvertisesReqOnlyOnLinux61) {
  std::vector<uint8_t> arg = IrqInfoArg(16, vfio::kReqIrqIndex);
  ASSERT_TRUE(irq_.GetIrqInfo(arg, kNumIrqs).ok());
  EXPECT_EQ(GetU32(arg, 0), 16u);
  EXPECT_EQ(GetU32(arg, 4), 9u);  // EVENTFD | NORESIZE
  EXPECT_EQ(GetU32(arg, 8), vfio::kReqIrqIndex);
  EXPECT_EQ(GetU32(arg, 12), 1u);

  IrqController upstream(&fds_);
  arg = IrqInfoArg(16, vfio::kReqIrqIndex);
  const std::vector<uint8_t> before = arg;
  EXPECT_EQ(upstream.GetIrqInfo(arg, kNumIrqs), kEinval);
  EXPECT_EQ(arg, before);
}

TEST_F(Irq61Test, GetIrqInfoMsixErrStillEinvalAndIntxMsiUnchanged) {
  // Only REQ is added: 6.1's switch lists INTx, MSI and REQ.
  for (uint32_t index : {vfio::kMsixIrqIndex, vfio::kErrIrqIndex}) {
    std::vector<uint8_t> arg = IrqInfoArg(16, index);
    EXPECT_EQ(irq_.GetIrqInfo(arg, kNumIrqs), kEinval) << index;
  }
  std::vector<uint8_t> arg = IrqInfoArg(16, kIntx);
  ASSERT_TRUE(irq_.GetIrqInfo(arg, kNumIrqs).ok());
  EXPECT_EQ(GetU32(arg, 4), 7u);  // EVENTFD | MASKABLE | AUTOMASKED
  arg = IrqInfoArg(16, kMsi);
  ASSERT_TRUE(irq_.GetIrqInfo(arg, kNumIrqs).ok());
  EXPECT_EQ(GetU32(arg, 4), 9u);
  // The num_irqs rule still applies to REQ.
  arg = IrqInfoArg(16, vfio::kReqIrqIndex);
  EXPECT_EQ(irq_.GetIrqInfo(arg, 4), kEinval);
}

TEST_F(Irq61Test, MaskUnmaskSucceedWithoutEffect) {
  // Before anything is installed (upstream: -EINVAL for INTx).
  for (uint32_t index : {kIntx, kMsi}) {
    EXPECT_TRUE(Set(IrqSet(kNone | kMask, index, 0, 1)).ok()) << index;
    EXPECT_TRUE(Set(IrqSet(kNone | kUnmask, index, 0, 1)).ok()) << index;
  }
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));

  InstallIntx();
  for (uint32_t index : {kIntx, kMsi}) {
    for (uint32_t action : {kMask, kUnmask}) {
      EXPECT_TRUE(Set(IrqSet(kNone | action, index, 0, 1)).ok());
      EXPECT_TRUE(Set(IrqSet(kBool | action, index, 0, 1, Bools({1}))).ok());
      // EVENTFD data is not -ENOTTY here, and installs nothing.
      EXPECT_TRUE(Set(IrqSet(kFd | action, index, 0, 1, Fds({11}))).ok());
    }
  }
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
  // A MASK just before does not stop the trigger.
  ASSERT_TRUE(Set(IrqSet(kNone | kMask, kIntx, 0, 1)).ok());
  EXPECT_TRUE(irq_.Trigger());
  EXPECT_EQ(sink10_->count(), 1u);
  EXPECT_EQ(sink11_->count(), 0u);
}

TEST_F(Irq61Test, IntxHasNoAutomask) {
  InstallIntx();
  EXPECT_TRUE(irq_.Trigger());
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 1));
  EXPECT_TRUE(irq_.Trigger());  // upstream: lost, masked by the first
  EXPECT_EQ(sink10_->count(), 2u);
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 2));
}

TEST_F(Irq61Test, MsixErrReqSetIrqsSucceedWithoutEffect) {
  for (uint32_t index : {2u, 3u, 4u}) {
    for (uint32_t action : {0u, kMask, kUnmask, kTrigger, kMask | kTrigger}) {
      EXPECT_TRUE(Set(IrqSet(kNone | action, index, 0, 1)).ok())
          << index << " " << action;
    }
    // A valid eventfd is not installed anywhere.
    EXPECT_TRUE(Set(IrqSet(kFd | kTrigger, index, 0, 1, Fds({10}))).ok())
        << index;
  }
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
  EXPECT_FALSE(irq_.Trigger());
  EXPECT_EQ(sink10_->count(), 0u);
}

TEST_F(Irq61Test, StartAndCountAreNotChecked) {
  // start 3 (start + count <= 5 passes the core's validation): acts on
  // vector 0 all the same.
  ASSERT_TRUE(Set(IrqSet(kFd | kTrigger, kIntx, 3, 1, Fds({10}))).ok());
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
  // count 2: the first fd is the one used.
  ASSERT_TRUE(Set(IrqSet(kFd | kTrigger, kIntx, 0, 2, Fds({11, 12}))).ok());
  EXPECT_TRUE(irq_.Trigger());
  EXPECT_EQ(sink11_->count(), 1u);
  EXPECT_EQ(sink12_->count(), 0u);
  // The core's validation still runs first.
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, kIntx, 4, 2, Fds({10, 10}))), kEinval);
}

TEST_F(Irq61Test, IntxDataNoneKeepsTheSinkInstalled) {
  // 6.1 puts the eventfd and keeps signalling the pointer; here the sink just
  // stays. Neither count 0 nor count 1 disables, and neither is a loopback
  // trigger.
  InstallIntx();
  ASSERT_TRUE(Set(IrqSet(kNone | kTrigger, kIntx, 0, 0)).ok());
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
  ASSERT_TRUE(Set(IrqSet(kNone | kTrigger, kIntx, 0, 1)).ok());
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
  EXPECT_EQ(sink10_->count(), 0u);
  EXPECT_TRUE(irq_.Trigger());
  EXPECT_TRUE(irq_.Trigger());
  EXPECT_EQ(sink10_->count(), 2u);
}

TEST_F(Irq61Test, IntxDataNoneWithNothingInstalledSucceeds) {
  // Upstream: -EINVAL.
  EXPECT_TRUE(Set(IrqSet(kNone | kTrigger, kIntx, 0, 0)).ok());
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
}

TEST_F(Irq61Test, MsiDataNoneFallsBackToIntx) {
  InstallIntx(10);
  InstallMsi(11);  // allowed with INTx installed (upstream: -EINVAL)
  EXPECT_EQ(irq_.state(), MakeState(1, false, true, true, 0));
  EXPECT_TRUE(irq_.Trigger());
  EXPECT_EQ(sink11_->count(), 1u);
  ASSERT_TRUE(Set(IrqSet(kNone | kTrigger, kMsi, 0, 0)).ok());
  // irq_index 0, the (put) MSI eventfd still held.
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, true, 1));
  EXPECT_TRUE(irq_.Trigger());
  EXPECT_EQ(sink10_->count(), 1u);
  EXPECT_EQ(sink11_->count(), 1u);
}

TEST_F(Irq61Test, MsiDataNoneWithoutIntxSinkSignalsNothing) {
  InstallMsi(11);
  ASSERT_TRUE(Set(IrqSet(kNone | kTrigger, kMsi, 0, 1)).ok());
  EXPECT_EQ(irq_.state(), MakeState(0, false, false, true, 0));
  // 6.1 would signal its NULL INTx eventfd; dropped here.
  EXPECT_FALSE(irq_.Trigger());
  EXPECT_EQ(sink11_->count(), 0u);
}

TEST_F(Irq61Test, SecondMsiEventfdIsIgnoredWhileOneIsHeld) {
  InstallMsi(11);
  ASSERT_TRUE(Set(IrqSet(kFd | kTrigger, kMsi, 0, 1, Fds({12}))).ok());
  EXPECT_EQ(irq_.state(), MakeState(1, false, false, true, 0));
  EXPECT_TRUE(irq_.Trigger());
  EXPECT_EQ(sink11_->count(), 1u);
  EXPECT_EQ(sink12_->count(), 0u);
  // 6.1 returns before looking the fd up, so even an unknown one is 0.
  EXPECT_TRUE(Set(IrqSet(kFd | kTrigger, kMsi, 0, 1, Fds({99}))).ok());
  // Still ignored once DATA_NONE has put it, and the index stays INTx.
  ASSERT_TRUE(Set(IrqSet(kNone | kTrigger, kMsi, 0, 0)).ok());
  ASSERT_TRUE(Set(IrqSet(kFd | kTrigger, kMsi, 0, 1, Fds({12}))).ok());
  EXPECT_EQ(irq_.state(), MakeState(0, false, false, true, 1));
  EXPECT_FALSE(irq_.Trigger());
  EXPECT_EQ(sink12_->count(), 0u);
}

TEST_F(Irq61Test, SecondIntxEventfdReplacesTheFirst) {
  InstallIntx(10);
  InstallIntx(11);
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
  EXPECT_TRUE(irq_.Trigger());
  EXPECT_EQ(sink10_->count(), 0u);
  EXPECT_EQ(sink11_->count(), 1u);
}

TEST_F(Irq61Test, FdZeroAndNegativeAreIgnored) {
  // fd 0 is a valid eventfd in the table: 6.1 skips it without a lookup.
  std::shared_ptr<CountingSink> sink0 = fds_.Register(0);
  for (uint32_t index : {kIntx, kMsi}) {
    for (int32_t fd : {0, -1}) {
      EXPECT_TRUE(Set(IrqSet(kFd | kTrigger, index, 0, 1, Fds({fd}))).ok())
          << index << " " << fd;
    }
  }
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
  // With a sink installed, fd -1 does not disable (upstream: it does).
  InstallIntx();
  ASSERT_TRUE(Set(IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({-1}))).ok());
  ASSERT_TRUE(Set(IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({0}))).ok());
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
  EXPECT_TRUE(irq_.Trigger());
  EXPECT_EQ(sink10_->count(), 1u);
  EXPECT_EQ(sink0->count(), 0u);
}

TEST_F(Irq61Test, EventfdWithCountZeroIsEinval) {
  // No payload: 6.1 reads the fd through a NULL pointer
  // (set-irqs-null-payload); refused here.
  for (uint32_t index : {kIntx, kMsi}) {
    EXPECT_EQ(Set(IrqSet(kFd | kTrigger, index, 0, 0)), kEinval) << index;
  }
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
  InstallIntx();
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, kIntx, 0, 0)), kEinval);
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
}

TEST_F(Irq61Test, TriggerBeforeAnySetIrqsIsDropped) {
  // 6.1 signals a NULL eventfd here (null-eventfd-signal).
  EXPECT_FALSE(irq_.Trigger());
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
  EXPECT_EQ(sink10_->count(), 0u);
}

TEST_F(Irq61Test, UnknownFdIsEbadfAndChangesNothing) {
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({99}))), kEbadf);
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, kMsi, 0, 1, Fds({99}))), kEbadf);
  EXPECT_EQ(irq_.state(), MakeState(-1, false, false, false, 0));
  InstallIntx();
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({99}))), kEbadf);
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, kMsi, 0, 1, Fds({99}))), kEbadf);
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
  EXPECT_TRUE(irq_.Trigger());
  EXPECT_EQ(sink10_->count(), 1u);
}

TEST_F(Irq61Test, NonEventfdIsEinvalAndChangesNothing) {
  fds_.RegisterNonEventfd(13);
  InstallIntx();
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({13}))), kEinval);
  EXPECT_EQ(Set(IrqSet(kFd | kTrigger, kMsi, 0, 1, Fds({13}))), kEinval);
  EXPECT_EQ(irq_.state(), MakeState(0, false, true, false, 0));
}

// =========================================================== FakeFdTable

TEST(FakeFdTableTest, ResolvesRegisteredNumbersToTheirSink) {
  FakeFdTable t;
  std::shared_ptr<CountingSink> s = t.Register(4);
  Result<std::shared_ptr<IrqSink>> a = t.Resolve(4);
  Result<std::shared_ptr<IrqSink>> b = t.Resolve(4);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->get(), s.get());
  EXPECT_EQ(b->get(), s.get());
  (*a)->Signal();
  EXPECT_EQ(s->count(), 1u);
}

TEST(FakeFdTableTest, UnknownClosedAndNonEventfdNumbers) {
  FakeFdTable t;
  EXPECT_EQ(t.Resolve(3).status(), kEbadf);
  EXPECT_EQ(t.Resolve(-1).status(), kEbadf);
  t.Register(3);
  t.Close(3);
  EXPECT_EQ(t.Resolve(3).status(), kEbadf);
  t.RegisterNonEventfd(5);
  EXPECT_EQ(t.Resolve(5).status(), kEinval);
}

// ================================================ real eventfds

size_t OpenFdCount() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e :
       std::filesystem::directory_iterator("/proc/self/fd")) {
    ++n;
  }
  return n;
}

uint64_t ReadCounter(int fd) {
  uint64_t v = 0;
  EXPECT_EQ(read(fd, &v, sizeof(v)), static_cast<ssize_t>(sizeof(v)));
  return v;
}

TEST(EventfdSinkTest, SignalAddsOneToTheCounter) {
  const int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(efd, 0);
  Result<std::unique_ptr<EventfdSink>> sink = EventfdSink::Dup(efd);
  ASSERT_TRUE(sink.ok());
  EXPECT_NE((*sink)->fd(), efd);
  (*sink)->Signal();
  (*sink)->Signal();
  (*sink)->Signal();
  EXPECT_EQ(ReadCounter(efd), 3u);
  close(efd);
}

TEST(EventfdSinkTest, OutlivesTheCallersDescriptor) {
  const int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(efd, 0);
  Result<std::unique_ptr<EventfdSink>> sink = EventfdSink::Dup(efd);
  ASSERT_TRUE(sink.ok());
  const int reader = dup(efd);
  close(efd);
  (*sink)->Signal();
  EXPECT_EQ(ReadCounter(reader), 1u);
  close(reader);
}

TEST(EventfdSinkTest, SaturatedBlockingCounterDoesNotBlock) {
  const int efd = eventfd(0, EFD_CLOEXEC);  // blocking
  ASSERT_GE(efd, 0);
  const uint64_t max = UINT64_MAX - 1;
  ASSERT_EQ(write(efd, &max, sizeof(max)), 8);
  Result<std::unique_ptr<EventfdSink>> sink = EventfdSink::Dup(efd);
  ASSERT_TRUE(sink.ok());
  (*sink)->Signal();  // would block forever in write()
  EXPECT_EQ(ReadCounter(efd), max);
  close(efd);
}

TEST(EventfdSinkTest, ClosesItsDescriptorOnDestruction) {
  const int efd = eventfd(0, EFD_CLOEXEC);
  ASSERT_GE(efd, 0);
  const size_t before = OpenFdCount();
  {
    Result<std::unique_ptr<EventfdSink>> sink = EventfdSink::Dup(efd);
    ASSERT_TRUE(sink.ok());
    EXPECT_EQ(OpenFdCount(), before + 1);
  }
  EXPECT_EQ(OpenFdCount(), before);
  close(efd);
}

TEST(EventfdSinkTest, DupOfBadFdIsEbadf) {
  EXPECT_EQ(EventfdSink::Dup(-1).status(), kEbadf);
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  close(p[0]);
  close(p[1]);
  EXPECT_EQ(EventfdSink::Dup(p[0]).status(), kEbadf);
}

TEST(EventfdResolverTest, AcceptsAnEventfd) {
  const int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(efd, 0);
  EventfdResolver r;
  Result<std::shared_ptr<IrqSink>> sink = r.Resolve(efd);
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  (*sink)->Signal();
  EXPECT_EQ(ReadCounter(efd), 1u);
  close(efd);
}

TEST(EventfdResolverTest, RejectsAPipeWithEinvalAndLeaksNothing) {
  int p[2];
  ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
  EventfdResolver r;
  const size_t before = OpenFdCount();
  EXPECT_EQ(r.Resolve(p[0]).status(), kEinval);
  EXPECT_EQ(r.Resolve(p[1]).status(), kEinval);
  EXPECT_EQ(OpenFdCount(), before);
  close(p[0]);
  close(p[1]);
}

TEST(EventfdResolverTest, RejectsAClosedFdWithEbadf) {
  const int efd = eventfd(0, EFD_CLOEXEC);
  ASSERT_GE(efd, 0);
  close(efd);
  EventfdResolver r;
  EXPECT_EQ(r.Resolve(efd).status(), kEbadf);
  EXPECT_EQ(r.Resolve(-1).status(), kEbadf);
  EXPECT_EQ(r.Resolve(INT32_MAX).status(), kEbadf);
}

TEST(EventfdResolverTest, ControllerKeepsSignallingAfterCallerCloses) {
  const int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(efd, 0);
  const int reader = dup(efd);
  ASSERT_GE(reader, 0);
  EventfdResolver r;
  IrqController irq(&r);
  ASSERT_TRUE(
      irq.SetIrqs(IrqSet(kFd | kTrigger, kIntx, 0, 1, Fds({efd})), 5).ok());
  close(efd);  // the controller holds its own duplicate
  EXPECT_TRUE(irq.Trigger());
  EXPECT_EQ(irq.state(), MakeState(0, true, true, false, 1));
  EXPECT_EQ(ReadCounter(reader), 1u);
  close(reader);
}

TEST(EventfdResolverTest, ControllerSignalCanBeReadBack) {
  const int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(efd, 0);
  EventfdResolver r;
  IrqController irq(&r);
  ASSERT_TRUE(
      irq.SetIrqs(IrqSet(kFd | kTrigger, kMsi, 0, 1, Fds({efd})), 5).ok());
  EXPECT_TRUE(irq.Trigger());
  EXPECT_TRUE(irq.Trigger());
  EXPECT_EQ(ReadCounter(efd), 2u);
  irq.DisableAll();
  EXPECT_FALSE(irq.Trigger());
  uint64_t v = 0;
  EXPECT_EQ(read(efd, &v, sizeof(v)), -1);  // nothing more arrived
  EXPECT_EQ(errno, EAGAIN);
  close(efd);
}

}  // namespace
}  // namespace mtty
