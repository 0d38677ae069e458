// Copyright mtty-lab authors.
#include "fuzz/mdev_race/scenarios.h"

#include <algorithm>

namespace mtty::race {
namespace ops {
namespace {

Op Make(OpKind kind) {
  Op op;
  op.kind = kind;
  return op;
}

}  // namespace

Op Create(int uuid, int nr_ports, Profile profile) {
  Op op = Make(OpKind::kCreate);
  op.uuid = static_cast<uint8_t>(uuid);
  op.nr_ports = static_cast<uint8_t>(nr_ports);
  op.profile = profile;
  return op;
}

Op Remove(int uuid, int timeout_ms) {
  Op op = Make(OpKind::kRemove);
  op.uuid = static_cast<uint8_t>(uuid);
  const auto it =
      std::find(kRemoveTimeoutsMs.begin(), kRemoveTimeoutsMs.end(), timeout_ms);
  op.arg = static_cast<uint8_t>(
      it == kRemoveTimeoutsMs.end() ? 0 : it - kRemoveTimeoutsMs.begin());
  return op;
}

Op Open(int uuid, int slot) {
  Op op = Make(OpKind::kOpen);
  op.uuid = static_cast<uint8_t>(uuid);
  op.slot = static_cast<uint8_t>(slot);
  return op;
}

Op Close(int slot) {
  Op op = Make(OpKind::kClose);
  op.slot = static_cast<uint8_t>(slot);
  return op;
}

Op ConfigRead(int slot, int offset) {
  Op op = Make(OpKind::kConfigRead);
  op.slot = static_cast<uint8_t>(slot);
  op.arg = static_cast<uint8_t>(offset / 4);
  return op;
}

Op BarWrite(int slot, int bar, int reg, uint8_t value) {
  Op op = Make(OpKind::kBarWrite);
  op.slot = static_cast<uint8_t>(slot);
  op.arg = static_cast<uint8_t>((bar & 1) | (reg % 8) << 1);
  op.value = value;
  return op;
}

Op BarRead(int slot, int bar, int reg) {
  Op op = Make(OpKind::kBarRead);
  op.slot = static_cast<uint8_t>(slot);
  op.arg = static_cast<uint8_t>((bar & 1) | (reg % 8) << 1);
  return op;
}

Op SetIrqs(int slot, bool msi, bool enable) {
  Op op = Make(OpKind::kSetIrqs);
  op.slot = static_cast<uint8_t>(slot);
  op.arg = static_cast<uint8_t>((msi ? 1 : 0) | (enable ? 2 : 0));
  return op;
}

Op Reset(int slot) {
  Op op = Make(OpKind::kReset);
  op.slot = static_cast<uint8_t>(slot);
  return op;
}

Op MigStep(int slot, vfio::MigState target) {
  Op op = Make(OpKind::kMigStep);
  op.slot = static_cast<uint8_t>(slot);
  op.arg = static_cast<uint8_t>(target);
  return op;
}

Op MigRead(int slot, int bytes) {
  Op op = Make(OpKind::kMigRead);
  op.slot = static_cast<uint8_t>(slot);
  op.arg = static_cast<uint8_t>((bytes - 1) % 64);
  return op;
}

Op Find(int uuid) {
  Op op = Make(OpKind::kFind);
  op.uuid = static_cast<uint8_t>(uuid);
  return op;
}

Op Available(int nr_ports) {
  Op op = Make(OpKind::kAvailable);
  op.nr_ports = static_cast<uint8_t>(nr_ports);
  return op;
}

Op Snapshot() { return Make(OpKind::kSnapshot); }

}  // namespace ops

namespace {

using namespace ops;  // NOLINT: scenario tables read better

RaceInput Input(std::vector<std::vector<Op>> threads,
                std::array<uint8_t, kUuids> precreated = {},
                int prefill_ports = 0) {
  RaceInput in;
  in.threads = std::move(threads);
  in.precreated = precreated;
  in.prefill_ports = prefill_ports;
  return in;
}

constexpr uint8_t kNone = 0, kSingle = 1, kDual = 2;

}  // namespace

std::vector<Scenario> Scenarios() {
  using vfio::MigState;
  return {
      {"create_race",
       "two creates of one UUID with different types; removes and creates "
       "of a second UUID in between",
       Input({{Create(0, 1), Remove(0, 0), Create(1, 2)},
              {Create(0, 2), Create(1, 1), Remove(1, 0)}})},
      {"open_vs_remove",
       "open, use and close racing a remove with a timeout, a re-create of "
       "the same UUID with another type, and an open of the new device",
       Input({{Open(0, 0), BarWrite(0, 1, 0, 0x41), Close(0)},
              {Remove(0, 1), Create(0, 2), Open(0, 0)}},
             {kSingle, kNone, kNone})},
      {"remove_vs_remove",
       "two removes of one device (one must get EAGAIN or ENODEV), while a "
       "handle on the other device is held across them",
       Input({{Open(1, 0), Remove(0, 1), Close(0)},
              {Remove(0, 1), Remove(1, 1), Snapshot()}},
             {kSingle, kDual, kNone})},
      {"pool_exhaustion",
       "two free ports: creates of both types racing for them, a remove "
       "giving them back, available_instances in between",
       Input({{Create(0, 2), Remove(0, 0), Create(1, 1)},
              {Create(1, 2), Available(2), Create(0, 1)}},
             {}, 22)},
      {"device_ops_vs_close",
       "SET_IRQS and a migration step on one handle while another handle of "
       "the same device resets it and closes (close_device when last)",
       Input(
           {{Open(0, 0), SetIrqs(0, false, true), MigStep(0, MigState::kStop)},
            {Open(0, 0), Reset(0), Close(0)}},
           {kDual, kNone, kNone})},
      {"migration_vs_remove",
       "a migration to STOP_COPY and a read of its stream racing a remove "
       "that waits for the handle, a find and a re-create",
       Input({{Open(0, 0), MigStep(0, MigState::kStopCopy), Close(0)},
              {Remove(0, 2), Find(0), Create(0, 1)}},
             {kSingle, kNone, kNone})},
      {"lifecycle_2x5",
       "one thread's whole device lifecycle (create, open, migrate, close, "
       "remove) against another thread opening, removing, re-creating and "
       "looking at the same UUID",
       Input({{Create(0, 1), Open(0, 0), MigStep(0, MigState::kStop), Close(0),
               Remove(0, 0)},
              {Open(0, 1), Remove(0, 1), Create(0, 2), Find(0), Snapshot()}})},
      {"churn_3x3",
       "three threads opening, closing, removing and re-creating two UUIDs",
       Input({{Open(0, 0), Close(0), Remove(0, 1)},
              {Remove(0, 1), Create(0, 2), Open(0, 0)},
              {Create(1, 1), Open(1, 0), Remove(1, 0)}},
             {kSingle, kNone, kNone})},
      {"three_way",
       "an open-and-close, a remove and a create of the same UUID on three "
       "threads",
       Input({{Open(0, 0), Close(0)}, {Remove(0, 1)}, {Create(0, 2), Find(0)}},
             {kSingle, kNone, kNone})},
  };
}

Scenario PlantedRaceScenario() {
  return {"planted_open_vs_remove",
          "an open racing a remove of the same idle device: the planted race",
          Input({{Open(0, 0)}, {Remove(0, 0)}}, {kSingle, kNone, kNone})};
}

}  // namespace mtty::race
