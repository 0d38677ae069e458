// Copyright mtty-lab authors.
//
// The seed inputs of every fuzzer, built with the fuzzers' encoders. Used by
// make_seeds (to write corpus/) and by seeds_test (to check the checked-in
// seeds are current and find nothing).
//
// Each fuzzer's folder registers its seeds and its harness from
// fuzz/<name>/seeds.cc with MTTY_REGISTER_SEEDS; linking that folder's
// `:seeds` library (alwayslink) is what adds it. //fuzz:make_seeds and
// //fuzz:seeds_test link every fuzzer's `:seeds` (fuzz.bzl's seed_tools
// collects them), so a new fuzzer edits no list here.
#ifndef MTTY_FUZZ_SEEDS_H_
#define MTTY_FUZZ_SEEDS_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fuzz/finding.h"

namespace mtty::fuzz {

struct Seed {
  std::string fuzzer;  // corpus/<fuzzer>/
  std::string name;
  std::vector<uint8_t> bytes;
};

// One fuzzer's seeds and the harness that judges them.
struct SeedSource {
  const char* fuzzer;
  std::vector<Seed> (*make)();
  MaybeFinding (*run)(std::span<const uint8_t> input);
};

// Adds `source`; called during static initialisation. Returns true.
bool RegisterSeedSource(SeedSource source);
// Every registered source, sorted by fuzzer name.
std::vector<SeedSource> SeedSources();
// The seeds of every registered source, in that order.
std::vector<Seed> AllSeeds();

}  // namespace mtty::fuzz

// In fuzz/<name>/seeds.cc, at namespace scope:
//   MTTY_REGISTER_SEEDS(bar_access, BarAccessSeeds, RunBarAccess)
// where MakeSeeds() returns the seeds and Run(input) judges one input with
// the harness's default options.
#define MTTY_REGISTER_SEEDS(fuzzer, make_seeds, run)                    \
  namespace {                                                           \
  [[maybe_unused]] const bool mtty_seeds_registered_##fuzzer =          \
      ::mtty::fuzz::RegisterSeedSource(                                 \
          {#fuzzer, &make_seeds,                                        \
           [](std::span<const uint8_t> input) { return run(input); }}); \
  }

#endif  // MTTY_FUZZ_SEEDS_H_
