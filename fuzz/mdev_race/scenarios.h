// Copyright mtty-lab authors.
//
// The explorer's scenarios: short scripts (2-3 threads, 1-3 operations each,
// on at most 2 UUIDs) that cover every kind of race the parent has to get
// right, and the planted-race scenario. fuzz/mdev_race/README.md lists them with
// their interleaving counts.
#ifndef MTTY_FUZZ_MDEV_RACE_SCENARIOS_H_
#define MTTY_FUZZ_MDEV_RACE_SCENARIOS_H_

#include <string>
#include <vector>

#include "fuzz/mdev_race/script.h"

namespace mtty::race {

struct Scenario {
  std::string name;
  std::string what;  // the race it is about
  RaceInput input;
};

// Every scenario `bazel test //fuzz/mdev_race:mdev_explore_test` explores.
std::vector<Scenario> Scenarios();

// The scenario that exposes MTTY_PLANTED_RACE_OPEN_AFTER_REMOVE: an Open
// racing a Remove of the same device.
Scenario PlantedRaceScenario();

// Op builders for scenarios and seeds.
namespace ops {
Op Create(int uuid, int nr_ports, Profile profile = Profile::kKernel);
Op Remove(int uuid, int timeout_ms);  // one of kRemoveTimeoutsMs
Op Open(int uuid, int slot);
Op Close(int slot);
Op ConfigRead(int slot, int offset);  // a multiple of 4
Op BarWrite(int slot, int bar, int reg, uint8_t value);
Op BarRead(int slot, int bar, int reg);
Op SetIrqs(int slot, bool msi, bool enable);
Op Reset(int slot);
Op MigStep(int slot, vfio::MigState target);
Op MigRead(int slot, int bytes);
Op Find(int uuid);
Op Available(int nr_ports);
Op Snapshot();
}  // namespace ops

}  // namespace mtty::race

#endif  // MTTY_FUZZ_MDEV_RACE_SCENARIOS_H_
