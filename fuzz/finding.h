// Copyright mtty-lab authors.
//
// Finding: what an oracle reports when the device breaks a rule. Harness
// libraries return findings as values so tests can watch an oracle fire;
// only the fuzz entry points turn one into a crash (ReportAndAbort), which
// is how libFuzzer and AFL++ learn about it and save the input.
#ifndef MTTY_FUZZ_FINDING_H_
#define MTTY_FUZZ_FINDING_H_

#include <cstddef>
#include <optional>
#include <string>

namespace mtty::fuzz {

struct Finding {
  std::string oracle;   // which rule, e.g. "lsr-dr-matches-fifo"
  size_t op_index = 0;  // 0-based operation at which it was seen
  std::string detail;   // expected vs actual, in words

  std::string ToString() const;
};

using MaybeFinding = std::optional<Finding>;

// Whether `oracle` is listed in the environment variable MTTY_FUZZ_IGNORE
// (comma-separated oracle names), read once. Harnesses drop findings of
// ignored oracles so fuzzing can go on past a known, reported bug.
bool OracleIgnored(const std::string& oracle);
// Makes OracleIgnored true for every name. The `_kernel` fuzz targets use a
// harness as a decoder only: its oracles state our model's rules, and the
// real sample is judged by the lockstep differential instead
// (fuzz/kernel/lockstep_device.h).
void IgnoreEveryOracle();

// Prints the finding to stderr and aborts. For LLVMFuzzerTestOneInput only.
[[noreturn]] void ReportAndAbort(const Finding& finding);

// Formats like printf into a std::string.
std::string Format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace mtty::fuzz

#endif  // MTTY_FUZZ_FINDING_H_
