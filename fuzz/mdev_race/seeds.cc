// Copyright mtty-lab authors.
#include "fuzz/mdev_race/seeds.h"

#include "fuzz/mdev_race/harness.h"
#include "fuzz/mdev_race/scenarios.h"
#include "fuzz/mdev_race/script.h"

namespace mtty::race {
namespace {

using namespace ops;  // NOLINT: seed tables read better
using vfio::MigState;

fuzz::Seed MakeSeed(std::string name, const RaceInput& input) {
  return {"mdev_race", std::move(name), EncodeRaceInput(input)};
}

}  // namespace

std::vector<fuzz::Seed> RaceSeeds() {
  std::vector<fuzz::Seed> out;
  uint16_t noise = 1;
  for (const Scenario& s : Scenarios()) {
    RaceInput in = s.input;
    in.noise_seed = noise++;
    out.push_back(MakeSeed("scenario_" + s.name, in));
  }

  RaceInput four;
  four.prefill_ports = 10;
  four.precreated = {2, 1, 0};
  four.noise_seed = 101;
  four.threads = {
      {Open(0, 0), BarWrite(0, 0, 0, 0x55), BarRead(0, 0, 5), Close(0),
       Remove(0, 2), Create(0, 1)},
      {Open(1, 1), SetIrqs(1, false, true), Remove(1, 1), Close(1),
       Remove(1, 1), Snapshot()},
      {Create(2, 2), Open(2, 0), MigStep(0, MigState::kStopCopy),
       MigRead(0, 24), Reset(0), Remove(2, 0)},
      {Find(0), Available(2), Open(0, 1), ConfigRead(1, 0), Close(1), Find(1)},
  };
  out.push_back(MakeSeed("four_threads_mixed", four));

  RaceInput device;
  device.precreated = {2, 3, 0};
  device.noise_seed = 202;
  device.threads = {
      {Open(0, 0), ConfigRead(0, 0x14), BarWrite(0, 1, 1, 0x0f),
       SetIrqs(0, true, true), MigStep(0, MigState::kPreCopy), MigRead(0, 64),
       MigStep(0, MigState::kStopCopy), SetIrqs(0, true, false)},
      {Open(0, 0), Open(1, 1), BarRead(1, 1, 5), MigStep(1, MigState::kStop),
       MigStep(1, MigState::kResuming), Reset(1), Close(1), Close(0)},
  };
  out.push_back(MakeSeed("device_ops", device));

  RaceInput full;
  full.prefill_ports = 23;
  full.noise_seed = 303;
  full.threads = {
      {Create(0, 1), Remove(0, 0), Create(1, 2), Available(1)},
      {Create(1, 1), Snapshot(), Remove(1, 0), Create(0, 2)},
      {Available(2), Create(2, 1), Find(2), Remove(2, 1)},
  };
  out.push_back(MakeSeed("pool_one_port_left", full));

  RaceInput quiet = Scenarios().front().input;
  quiet.noise_seed = 0;
  out.push_back(MakeSeed("no_noise", quiet));
  return out;
}

MTTY_REGISTER_SEEDS(mdev_race, RaceSeeds, RunMdevRace)

}  // namespace mtty::race
