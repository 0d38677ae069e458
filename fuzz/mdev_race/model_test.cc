// Copyright mtty-lab authors.
#include "fuzz/mdev_race/model.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "fuzz/mdev_race/scenarios.h"

namespace mtty::race {
namespace {

using vfio::MigState;

Event E(Op op, int code, uint64_t call, uint64_t ret) {
  Event e;
  e.op = op;
  e.out.code = code;
  e.call = call;
  e.ret = ret;
  return e;
}

// A final view: `devices` live (script UUIDs only, no handles), `slots`
// per thread.
FinalView End(int free_ports, std::vector<DeviceView> devices, int threads,
              std::vector<FinalView::DeviceState> states = {}) {
  FinalView f;
  f.free_ports = free_ports;
  f.devices = std::move(devices);
  if (states.empty()) {
    for (const DeviceView& d : f.devices) {
      states.push_back({d.uuid, MigState::kRunning, -1});
    }
  }
  f.states = std::move(states);
  f.slot_uuid.assign(static_cast<size_t>(threads), {-1, -1});
  f.slot_is_live.assign(static_cast<size_t>(threads), {false, false});
  return f;
}

DeviceView Dev(int uuid, int ports, int open = 0) {
  return DeviceView{uuid, ports, Profile::kKernel, open, false};
}

InitialState Empty() { return InitialState{}; }

InitialState WithU0Single() {
  InitialState s;
  s.free_ports = 23;
  s.script_devices[0] = Dev(0, 1);
  return s;
}

bool Lin(const InitialState& init, const History& h) {
  return CheckLinearizable(init, h).linearizable;
}

TEST(ModelTest, SequentialLegalHistoryIsLinearizable) {
  History h;
  h.threads = {{E(ops::Create(0, 2), 0, 1, 2), E(ops::Open(0, 0), 0, 3, 4),
                E(ops::Close(0), 0, 5, 6), E(ops::Remove(0, 0), 0, 7, 8)}};
  h.final_view = End(24, {}, 1);
  EXPECT_TRUE(Lin(Empty(), h));
}

TEST(ModelTest, OpenAfterASuccessfulRemoveIsNot) {
  History h;
  h.threads = {{E(ops::Remove(0, 0), 0, 1, 2), E(ops::Open(0, 0), 0, 3, 4),
                E(ops::Close(0), 0, 5, 6)}};
  h.final_view = End(24, {}, 1);
  EXPECT_FALSE(Lin(WithU0Single(), h));
}

TEST(ModelTest, ConcurrentCreatesOfOneUuidMayNotBothSucceed) {
  History ok;
  ok.threads = {{E(ops::Create(0, 1), 0, 1, 4)},
                {E(ops::Create(0, 2), -EEXIST, 2, 3)}};
  ok.final_view = End(23, {Dev(0, 1)}, 2);
  EXPECT_TRUE(Lin(Empty(), ok));

  History both = ok;
  both.threads[1][0].out.code = 0;
  both.final_view = End(21, {Dev(0, 2)}, 2);
  EXPECT_FALSE(Lin(Empty(), both));
}

TEST(ModelTest, RealTimeOrderIsRespected) {
  // Find returned ENODEV before Create was called: fine.
  History before;
  before.threads = {{E(ops::Find(0), -ENODEV, 1, 2)},
                    {E(ops::Create(0, 1), 0, 3, 4)}};
  before.final_view = End(23, {Dev(0, 1)}, 2);
  EXPECT_TRUE(Lin(Empty(), before));
  // Find was called after Create returned: it must see the device.
  History after;
  after.threads = {{E(ops::Find(0), -ENODEV, 3, 4)},
                   {E(ops::Create(0, 1), 0, 1, 2)}};
  after.final_view = End(23, {Dev(0, 1)}, 2);
  EXPECT_FALSE(Lin(Empty(), after));
  // Overlapping: either order.
  History overlap;
  overlap.threads = {{E(ops::Find(0), -ENODEV, 2, 3)},
                     {E(ops::Create(0, 1), 0, 1, 4)}};
  overlap.final_view = End(23, {Dev(0, 1)}, 2);
  EXPECT_TRUE(Lin(Empty(), overlap));
}

TEST(ModelTest, RemoveWaitingForACloseIsTwoSteps) {
  // t0 holds a handle; t1's Remove begins, t0 closes, Remove ends OK.
  History h;
  h.threads = {{E(ops::Open(0, 0), 0, 1, 2), E(ops::Find(0), 0, 4, 5),
                E(ops::Close(0), 0, 6, 7)},
               {E(ops::Remove(0, 10), 0, 3, 8)}};
  h.threads[0][1].out.found = DeviceView{0, 1, Profile::kKernel, 1, true};
  h.final_view = End(24, {}, 2);
  EXPECT_TRUE(Lin(WithU0Single(), h));
}

TEST(ModelTest, RemoveSucceedingWhileAHandleStaysOpenIsNot) {
  // The planted race's history: Open's interval contains the whole Remove,
  // and the handle is closed only afterwards.
  History h;
  h.threads = {{E(ops::Open(0, 0), 0, 1, 10), E(ops::Close(0), 0, 11, 12)},
               {E(ops::Remove(0, 0), 0, 2, 8)}};
  h.final_view = End(24, {}, 2);
  EXPECT_FALSE(Lin(WithU0Single(), h));
}

TEST(ModelTest, EbusyNeedsAnOpenHandle) {
  History busy;
  busy.threads = {{E(ops::Open(0, 0), 0, 1, 2), E(ops::Close(0), 0, 5, 6)},
                  {E(ops::Remove(0, 0), -EBUSY, 3, 4)}};
  busy.final_view = End(23, {Dev(0, 1)}, 2);
  EXPECT_TRUE(Lin(WithU0Single(), busy));
  History idle;
  idle.threads = {{E(ops::Remove(0, 0), -EBUSY, 1, 2)}};
  idle.final_view = End(23, {Dev(0, 1)}, 1);
  EXPECT_FALSE(Lin(WithU0Single(), idle));
}

TEST(ModelTest, SecondRemoveWhileTheFirstWaitsIsEagain) {
  History h;
  h.threads = {{E(ops::Open(0, 0), 0, 1, 2), E(ops::Close(0), 0, 6, 7)},
               {E(ops::Remove(0, 10), 0, 3, 8)},
               {E(ops::Remove(0, 10), -EAGAIN, 4, 5)}};
  h.final_view = End(24, {}, 3);
  EXPECT_TRUE(Lin(WithU0Single(), h));
  h.threads[2][0].out.code = -ENODEV;  // the device was still there
  EXPECT_FALSE(Lin(WithU0Single(), h));
}

TEST(ModelTest, PoolArithmeticIsChecked) {
  InitialState full;
  full.free_ports = 1;
  for (int i = 0; i < 23; ++i) full.fillers.push_back(Dev(kUuids + i, 1));
  History h;
  h.threads = {{E(ops::Create(0, 2), -ENOSPC, 1, 2),
                E(ops::Available(1), 1, 3, 4), E(ops::Available(2), 0, 5, 6),
                E(ops::Create(0, 1), 0, 7, 8)}};
  h.final_view = End(0, {Dev(0, 1)}, 1);
  for (const DeviceView& d : full.fillers) h.final_view.devices.push_back(d);
  h.final_view.states = {{0, MigState::kRunning, -1}};
  EXPECT_TRUE(Lin(full, h));
  h.threads[0][0].out.code = 0;  // a dual in one free port
  EXPECT_FALSE(Lin(full, h));
}

TEST(ModelTest, FinalViewMustMatch) {
  History h;
  h.threads = {{E(ops::Create(0, 2), 0, 1, 2)}};
  h.final_view = End(22, {Dev(0, 2)}, 1);
  EXPECT_TRUE(Lin(Empty(), h));
  h.final_view.free_ports = 23;
  EXPECT_FALSE(Lin(Empty(), h));
}

TEST(ModelTest, StaleHandleAtTheEndIsNot) {
  History h;
  h.threads = {{E(ops::Open(0, 0), 0, 1, 2)}};
  h.final_view = End(23, {Dev(0, 1, 1)}, 1);
  h.final_view.slot_uuid[0][0] = 0;
  h.final_view.slot_is_live[0][0] = true;
  EXPECT_TRUE(Lin(WithU0Single(), h));
  h.final_view.slot_is_live[0][0] = false;
  EXPECT_FALSE(Lin(WithU0Single(), h));
}

TEST(ModelTest, ConfigReadMustGiveTheTypesBytes) {
  // 0x14 is BAR1: 0x00000001 on a dual, 0 on a single.
  const Outcome dual = ExpectedConfigRead(2, Profile::kKernel, 0x14 / 4);
  EXPECT_EQ(dual.code, 4);
  EXPECT_EQ(dual.bytes, (std::array<uint8_t, 4>{1, 0, 0, 0}));
  const Outcome single = ExpectedConfigRead(1, Profile::kKernel, 0x14 / 4);
  EXPECT_EQ(single.bytes, (std::array<uint8_t, 4>{0, 0, 0, 0}));
  History h;
  h.threads = {{E(ops::Open(0, 0), 0, 1, 2),
                E(ops::ConfigRead(0, 0x14), 4, 3, 4),
                E(ops::Close(0), 0, 5, 6)}};
  h.threads[0][1].out.bytes = single.bytes;
  h.final_view = End(23, {Dev(0, 1)}, 1);
  EXPECT_TRUE(Lin(WithU0Single(), h));
  h.threads[0][1].out.bytes = dual.bytes;  // a single answering as a dual
  EXPECT_FALSE(Lin(WithU0Single(), h));
}

TEST(ModelTest, MigrationStepsFollowTheStateMachine) {
  History h;
  h.threads = {{E(ops::Open(0, 0), 0, 1, 2),
                E(ops::MigStep(0, MigState::kResuming), 0, 3, 4),
                // Leaving RESUMING needs a stream nobody wrote.
                E(ops::MigStep(0, MigState::kRunning), -EINVAL, 5, 6),
                E(ops::Close(0), 0, 7, 8)}};
  h.final_view = End(23, {Dev(0, 1)}, 1, {{0, MigState::kResuming, -1}});
  EXPECT_TRUE(Lin(WithU0Single(), h));
  h.threads[0][2].out.code = 0;
  EXPECT_FALSE(Lin(WithU0Single(), h));
}

TEST(ModelTest, LastCloseDisablesInterrupts) {
  History h;
  h.threads = {{E(ops::Open(0, 0), 0, 1, 2),
                E(ops::SetIrqs(0, false, true), 0, 3, 4),
                E(ops::SetIrqs(0, true, true), -EINVAL, 5, 6),
                E(ops::Close(0), 0, 7, 8), E(ops::Open(0, 0), 0, 9, 10),
                E(ops::SetIrqs(0, true, true), 0, 11, 12)}};
  h.final_view = End(23, {Dev(0, 1, 1)}, 1, {{0, MigState::kRunning, 1}});
  h.final_view.slot_uuid[0][0] = 0;
  h.final_view.slot_is_live[0][0] = true;
  EXPECT_TRUE(Lin(WithU0Single(), h));
  h.threads[0][5].out.code = -EINVAL;  // as if INTx survived the close
  EXPECT_FALSE(Lin(WithU0Single(), h));
}

TEST(ModelTest, MigrationFileReadAfterTheHandleClosedIsAccepted) {
  // The file outlives the slot's handle, so reading it needs no open handle
  // (fuzz/mdev_race/regressions/model_migread_after_close).
  History h;
  h.threads = {{E(ops::Open(0, 0), 0, 1, 2),
                E(ops::MigStep(0, MigState::kStopCopy), 0, 3, 4),
                E(ops::Close(0), 0, 5, 6),
                E(ops::MigRead(0, 1), -ENODEV, 7, 8)}};
  h.final_view = End(23, {Dev(0, 1)}, 1, {{0, MigState::kStopCopy, -1}});
  EXPECT_TRUE(Lin(WithU0Single(), h));
}

TEST(ModelTest, BudgetExhaustionGivesNoVerdict) {
  History h;
  h.threads = {{E(ops::Find(0), -ENODEV, 1, 2)}};
  h.final_view = End(24, {}, 1);
  const LinearizabilityResult r = CheckLinearizable(Empty(), h, 0);
  EXPECT_TRUE(r.gave_up);
  EXPECT_TRUE(r.linearizable);
}

}  // namespace
}  // namespace mtty::race
