// Copyright mtty-lab authors.
#include "fuzz/seeds.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "fuzz/bar_access_harness.h"
#include "fuzz/config_space_harness.h"
#include "fuzz/mdev_lifecycle_harness.h"
#include "fuzz/migration_stream_harness.h"
#include "fuzz/trace_parser_harness.h"
#include "fuzz/trace_to_seed.h"
#include "fuzz/vfio_ioctl_harness.h"

namespace mtty::fuzz {
namespace {

MaybeFinding RunSeed(const Seed& seed) {
  if (seed.fuzzer == "bar_access") return RunBarAccess(seed.bytes);
  if (seed.fuzzer == "config_space") return RunConfigSpace(seed.bytes);
  if (seed.fuzzer == "vfio_ioctl") return RunVfioIoctl(seed.bytes);
  if (seed.fuzzer == "migration_stream") return RunMigrationStream(seed.bytes);
  if (seed.fuzzer == "mdev_lifecycle") return RunMdevLifecycle(seed.bytes);
  if (seed.fuzzer == "trace_parser") return RunTraceParser(seed.bytes);
  return Finding{"unknown-fuzzer", 0, seed.fuzzer};
}

// Every seed: the encoded ones make_seeds writes and the ones the build
// derives from the conformance traces.
std::vector<Seed> Everything() {
  std::vector<Seed> seeds = AllSeeds();
  std::vector<std::string> errors;
  for (Seed& s : TraceSeeds("conformance/traces", &errors)) {
    seeds.push_back(std::move(s));
  }
  EXPECT_TRUE(errors.empty()) << errors.front();
  return seeds;
}

TEST(SeedsTest, EveryCanonicalTraceIsASeed) {
  size_t traces = 0, bar_access = 0;
  for (const Seed& s : Everything()) {
    traces += s.fuzzer == "trace_parser";
    bar_access += s.fuzzer == "bar_access" && s.name.rfind("trace_", 0) == 0;
  }
  EXPECT_GE(traces, 20u);
  EXPECT_GE(bar_access, traces);  // most traces run on both profiles
}

TEST(SeedsTest, NoSeedIsAFinding) {
  for (const Seed& seed : Everything()) {
    const MaybeFinding f = RunSeed(seed);
    EXPECT_FALSE(f.has_value())
        << seed.fuzzer << "/" << seed.name << ": " << f->ToString();
  }
}

TEST(SeedsTest, CheckedInSeedsAreCurrent) {
  for (const Seed& seed : AllSeeds()) {
    const std::string path = "corpus/" + seed.fuzzer + "/" + seed.name;
    std::ifstream file(path, std::ios::binary);
    ASSERT_TRUE(file.good()) << path << " is missing: run "
                             << "`bazel run //fuzz:make_seeds`";
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                                     std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes, seed.bytes)
        << path << " is stale: run `bazel run //fuzz:make_seeds`";
  }
}

}  // namespace
}  // namespace mtty::fuzz
