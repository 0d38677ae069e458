// Copyright mtty-lab authors.
#include "fuzz/seeds.h"

namespace mtty::fuzz {

std::vector<Seed> AllSeeds() {
  std::vector<Seed> all;
  for (auto* make :
       {&BarAccessSeeds, &ConfigSpaceSeeds, &VfioIoctlSeeds,
        &MigrationStreamSeeds, &MdevLifecycleSeeds, &TraceParserSeeds}) {
    std::vector<Seed> some = make();
    all.insert(all.end(), some.begin(), some.end());
  }
  return all;
}

}  // namespace mtty::fuzz
