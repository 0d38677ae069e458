// Copyright mtty-lab authors.
#include "fuzz/seeds.h"

#include <algorithm>
#include <cstring>

namespace mtty::fuzz {
namespace {

// A function-local static: registrations run during static initialisation
// in an unspecified order across files, so the list must exist before the
// first of them.
std::vector<SeedSource>& Registry() {
  static std::vector<SeedSource> sources;
  return sources;
}

}  // namespace

bool RegisterSeedSource(SeedSource source) {
  Registry().push_back(source);
  return true;
}

std::vector<SeedSource> SeedSources() {
  std::vector<SeedSource> sorted = Registry();
  std::sort(sorted.begin(), sorted.end(),
            [](const SeedSource& a, const SeedSource& b) {
              return std::strcmp(a.fuzzer, b.fuzzer) < 0;
            });
  return sorted;
}

std::vector<Seed> AllSeeds() {
  std::vector<Seed> all;
  for (const SeedSource& source : SeedSources()) {
    std::vector<Seed> some = source.make();
    all.insert(all.end(), some.begin(), some.end());
  }
  return all;
}

}  // namespace mtty::fuzz
