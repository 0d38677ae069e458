// Copyright mtty-lab authors.
//
// The seed inputs of every fuzzer, built with the fuzzers' encoders. Used by
// make_seeds (to write corpus/) and by tests (to check the checked-in seeds
// are current and find nothing).
#ifndef MTTY_FUZZ_SEEDS_H_
#define MTTY_FUZZ_SEEDS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace mtty::fuzz {

struct Seed {
  std::string fuzzer;  // corpus/<fuzzer>/
  std::string name;
  std::vector<uint8_t> bytes;
};

std::vector<Seed> AllSeeds();

// One fuzzer's seeds.
std::vector<Seed> BarAccessSeeds();
std::vector<Seed> ConfigSpaceSeeds();
std::vector<Seed> VfioIoctlSeeds();
std::vector<Seed> MigrationStreamSeeds();
std::vector<Seed> MdevLifecycleSeeds();
std::vector<Seed> TraceParserSeeds();

}  // namespace mtty::fuzz

#endif  // MTTY_FUZZ_SEEDS_H_
