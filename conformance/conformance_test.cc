// Copyright mtty-lab authors.
//
// One test per (trace, profile) over conformance/traces/*.trace: the trace
// replays with every expectation holding, its written-down deviations
// included. Failures print the trace line, expected, actual, the decoded
// registers and the device state.
#include <gtest/gtest.h>

#include <cctype>
#include <iostream>
#include <string>
#include <vector>

#include "conformance/runner.h"
#include "conformance/trace.h"
#include "conformance/trace_files.h"

namespace mtty::conformance {
namespace {

struct Case {
  std::string path;
  Profile profile;
};

std::vector<Case> AllCases() {
  std::vector<Case> cases;
  for (const std::string& path : ListTraceFiles(TraceDir())) {
    cases.push_back({path, Profile::kKernel});
    cases.push_back({path, Profile::k16550a});
  }
  // Real guests' captures hold QEMU's answers: the 16550a profile only.
  for (const std::string& path : ListTraceFiles(RealTraceDir())) {
    cases.push_back({path, Profile::k16550a});
  }
  return cases;
}

std::string CaseName(const testing::TestParamInfo<Case>& info) {
  std::string name =
      TraceName(info.param.path) + "_" + ProfileName(info.param.profile);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class TraceConformanceTest : public testing::TestWithParam<Case> {};

TEST_P(TraceConformanceTest, Replays) {
  const Case& c = GetParam();
  ParseResult parsed = LoadTrace(c.path);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  RunResult r = RunTrace(parsed.trace(), c.profile);
  if (r.skipped) GTEST_SKIP() << r.skip_reason;
  for (const Failure& f : r.failures) ADD_FAILURE() << f.ToString();
  EXPECT_GT(r.checks, 0u) << "a trace must check something";
  for (const DeviationUse& d : r.deviations) {
    std::cout << "  known deviation (" << ProfileName(c.profile) << ") "
              << c.path << ":" << d.line << ": " << d.statement << "\n";
  }
}

INSTANTIATE_TEST_SUITE_P(Traces, TraceConformanceTest,
                         testing::ValuesIn(AllCases()), CaseName);

// The suite is only meaningful with its traces present.
TEST(TraceInventoryTest, TracesAreShipped) {
  EXPECT_GE(ListTraceFiles(TraceDir()).size(), 20u) << TraceDir();
}

// Every trace says where it came from in a "# source: ..." comment and runs
// on both profiles (the format allows narrowing; the shipped suite does not).
TEST(TraceInventoryTest, EveryTraceNamesItsSourceAndRunsOnBothProfiles) {
  for (const std::string& path : ListTraceFiles(TraceDir())) {
    ParseResult parsed = LoadTrace(path);
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    bool has_source = false;
    for (const Statement& st : parsed.trace().statements) {
      if (std::holds_alternative<Comment>(st.command) &&
          st.comment.rfind("source:", 0) == 0) {
        has_source = true;
      }
    }
    EXPECT_TRUE(has_source) << path << " has no '# source:' line";
    EXPECT_EQ(parsed.trace().device().profiles, ProfileSet::kAny) << path;
  }
}

// tools/capture_trace's captures: one per guest, each naming the Debian
// package and version it booted, on the 16550a profile.
TEST(TraceInventoryTest, RealCapturesNameTheirPackageAndRunOn16550a) {
  std::vector<std::string> names;
  for (const std::string& path : ListTraceFiles(RealTraceDir())) {
    names.push_back(TraceName(path));
    ParseResult parsed = LoadTrace(path);
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    bool has_source = false;
    for (const Statement& st : parsed.trace().statements) {
      if (std::holds_alternative<Comment>(st.command) &&
          st.comment.rfind("source: Debian ", 0) == 0) {
        has_source = true;
      }
    }
    EXPECT_TRUE(has_source) << path << " has no '# source: Debian ...' line";
    EXPECT_EQ(parsed.trace().device().profiles, ProfileSet::k16550aOnly)
        << path;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"real/linux", "real/ovmf",
                                             "real/seabios", "real/uboot"}));
}

}  // namespace
}  // namespace mtty::conformance
