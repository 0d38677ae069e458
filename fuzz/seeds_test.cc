// Copyright mtty-lab authors.
#include "fuzz/seeds.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "fuzz/bar_access/trace_to_seed.h"

namespace mtty::fuzz {
namespace {

MaybeFinding RunSeed(const Seed& seed) {
  for (const SeedSource& source : SeedSources()) {
    if (seed.fuzzer == source.fuzzer) return source.run(seed.bytes);
  }
  return Finding{"unknown-fuzzer", 0, seed.fuzzer};
}

// Every checked-in corpus folder belongs to a registered fuzzer, so no
// fuzzer's seeds go unchecked because its :seeds library was not linked
// (a fuzzer folder without its fuzzer_folder line in fuzz/BUILD.bazel).
TEST(SeedsTest, EveryCorpusFolderHasItsSeedSource) {
  std::set<std::string> registered;
  for (const SeedSource& source : SeedSources()) {
    registered.insert(source.fuzzer);
  }
  int folders = 0;
  for (const auto& entry : std::filesystem::directory_iterator("corpus")) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.find('.') != std::string::npos) {
      continue;  // corpus/<name>.generated/ is built from the traces
    }
    ++folders;
    EXPECT_TRUE(registered.count(name))
        << "corpus/" << name << "/ has no registered seed source";
  }
  EXPECT_GE(folders, 7);
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
