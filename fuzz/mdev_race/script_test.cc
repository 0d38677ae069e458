// Copyright mtty-lab authors.
#include "fuzz/mdev_race/script.h"

#include <gtest/gtest.h>

#include <vector>

#include "fuzz/mdev_race/scenarios.h"

namespace mtty::race {
namespace {

TEST(ScriptTest, EmptyInputIsTwoIdleThreads) {
  const RaceInput in = DecodeRaceInput({});
  EXPECT_EQ(in.threads.size(), 2u);
  EXPECT_TRUE(in.threads[0].empty());
  EXPECT_TRUE(in.threads[1].empty());
  EXPECT_EQ(in.prefill_ports, 0);
  EXPECT_EQ(in.noise_seed, 0);
  EXPECT_EQ(in.precreated, (std::array<uint8_t, kUuids>{0, 0, 0}));
}

TEST(ScriptTest, HeaderFieldsDecode) {
  // 4 threads, 23 ports, U0 mtty-2 U1 none U2 16550a, noise 0x1234, then
  // thread 0 with one Remove(U2, timeout index 3) and the rest empty.
  const std::vector<uint8_t> bytes = {2,    23, 0x32, 0x34, 0x12, 1, 1,
                                      0x02, 7,  0,    0,    0,    0};
  const RaceInput in = DecodeRaceInput(bytes);
  EXPECT_EQ(in.threads.size(), 4u);
  EXPECT_EQ(in.prefill_ports, 23);
  EXPECT_EQ(in.precreated, (std::array<uint8_t, kUuids>{2, 0, 3}));
  EXPECT_EQ(in.noise_seed, 0x1234);
  ASSERT_EQ(in.threads[0].size(), 1u);
  EXPECT_EQ(in.threads[0][0].kind, OpKind::kRemove);
  EXPECT_EQ(in.threads[0][0].uuid, 2);
  EXPECT_EQ(RemoveTimeoutMs(in.threads[0][0]), 10);
  EXPECT_TRUE(in.threads[1].empty());
}

TEST(ScriptTest, FieldsWrapIntoRange) {
  // threads 255 % 3 -> 2+0; prefill 255 % 25 = 5; op count 255 % 9 = 3;
  // kind 255 % 14 = 3 (Close); uuid (a & 3) % 3 with a = 3 -> 0.
  std::vector<uint8_t> bytes = {255, 255, 0, 0, 0, 255};
  for (int i = 0; i < 3; ++i) {
    bytes.insert(bytes.end(), {255, 3, 0, 0});
  }
  const RaceInput in = DecodeRaceInput(bytes);
  EXPECT_EQ(in.threads.size(), 2u);
  EXPECT_EQ(in.prefill_ports, 5);
  ASSERT_EQ(in.threads[0].size(), 3u);
  EXPECT_EQ(in.threads[0][0].kind, OpKind::kClose);
  EXPECT_EQ(in.threads[0][0].uuid, 0);
}

TEST(ScriptTest, EncodeIsTheInverseOfDecodeForEveryScenario) {
  std::vector<Scenario> all = Scenarios();
  all.push_back(PlantedRaceScenario());
  for (Scenario s : all) {
    s.input.noise_seed = 77;
    EXPECT_EQ(DecodeRaceInput(EncodeRaceInput(s.input)), s.input) << s.name;
  }
}

TEST(ScriptTest, UuidIndexInvertsScriptAndFillerUuids) {
  for (int i = 0; i < kUuids; ++i) EXPECT_EQ(UuidIndex(ScriptUuid(i)), i);
  for (int i = 0; i < kMaxFillers; ++i) {
    EXPECT_EQ(UuidIndex(FillerUuid(i)), kUuids + i);
  }
  EXPECT_EQ(UuidIndex(Uuid()), -1);
  EXPECT_LT(ScriptUuid(kUuids - 1), FillerUuid(0));
}

TEST(ScriptTest, OpsPrintTheirArguments) {
  EXPECT_EQ(ToString(ops::Create(1, 2, Profile::k16550a)),
            "Create(U1, mtty-2, 16550a)");
  EXPECT_EQ(ToString(ops::Remove(0, 2)), "Remove(U0, 2ms)");
  EXPECT_EQ(ToString(ops::Open(2, 1)), "Open(U2) -> s1");
  EXPECT_EQ(ToString(ops::BarWrite(0, 1, 3, 0x41)),
            "BarWrite(s0, bar1+3, 0x41)");
  EXPECT_EQ(ToString(ops::SetIrqs(1, true, false)), "SetIrqs(s1, MSI, off)");
  EXPECT_EQ(ToString(ops::MigStep(0, vfio::MigState::kStopCopy)),
            "MigStep(s0, 3)");
  EXPECT_EQ(ToString(ops::ConfigRead(0, 0x14)), "ConfigRead(s0, 0x14)");
}

}  // namespace
}  // namespace mtty::race
