// Copyright mtty-lab authors.
//
// Replays a conformance Trace (conformance/trace.h) on mtty devices of one
// profile and reports every expectation that did not hold.
//
// Each run gets a fresh MdevParent with a fake descriptor table, so runs are
// independent and deterministic. The `device TYPE` header creates TYPE under
// kDefaultUuid and opens it; `create`/`open`/`close`/`remove` lines drive the
// parent directly (Remove does not wait for open handles: -EBUSY at once).
#ifndef MTTY_CONFORMANCE_RUNNER_H_
#define MTTY_CONFORMANCE_RUNNER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/trace.h"
#include "core/uart16550.h"

namespace mtty::conformance {

// The UUID the `device` header creates its device under.
inline constexpr std::string_view kDefaultUuid =
    "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";

// One expectation that did not hold.
struct Failure {
  std::string filename;
  int line = 0;
  std::string statement;    // the trace line, as PrintStatement gives it
  std::string expected;     // e.g. "0xc1"
  std::string actual;       // e.g. "0xc4"
  std::string explanation;  // decoded, e.g. "IIR 0xc4 = FIFO on, RDA pending"
  std::string device;       // device DebugString after the statement

  // A multi-line report: "file:line: statement\n  expected ...".
  std::string ToString() const;
};

// A written-down deviation that was used: the statement at `line` expected
// something else for this profile than for the 16550A base.
struct DeviationUse {
  int line = 0;
  std::string statement;
};

struct RunResult {
  Profile profile = Profile::kKernel;
  bool skipped = false;  // the trace's `profile=` excludes this profile
  std::string skip_reason;
  size_t statements_run = 0;
  size_t checks = 0;  // expectations evaluated
  std::vector<Failure> failures;
  std::vector<DeviationUse> deviations;

  bool passed() const { return !skipped && failures.empty(); }
};

struct RunOptions {
  // Stop recording failures after this many (the replay itself continues so
  // the counts stay meaningful).
  size_t max_failures = 64;
  // Leave out `time` statements (used by the QEMU differential, whose
  // oracle's clock cannot advance).
  bool skip_time = false;
};

RunResult RunTrace(const Trace& trace, Profile profile,
                   const RunOptions& options = RunOptions());

// "pass", "known deviation (N)", "FAIL (N)" or "skipped".
std::string Verdict(const RunResult& result);

}  // namespace mtty::conformance

#endif  // MTTY_CONFORMANCE_RUNNER_H_
