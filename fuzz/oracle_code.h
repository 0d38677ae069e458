// Copyright mtty-lab authors.
//
// MTTY_ORACLE_CODE_BEGIN / _END bracket oracle code (checks, reference models)
// so that clang's SanitizerCoverage leaves it alone. The fuzzer's feedback
// should be the device's coverage: the oracles' branches and comparisons would
// add features that say nothing about the device, and their trace-cmp callbacks
// cost more than the device work itself (fuzz/README.md, "Speed"). ASan and
// UBSan still check this code; only coverage instrumentation is skipped.
// The functions are also kept out of line: SanitizerCoverage runs after
// inlining, so an oracle inlined into an instrumented caller (the op
// decoder) would be instrumented there after all.
#ifndef MTTY_FUZZ_ORACLE_CODE_H_
#define MTTY_FUZZ_ORACLE_CODE_H_

// clang-format off
#if defined(__clang__)
#define MTTY_ORACLE_CODE_BEGIN \
  _Pragma("clang attribute push (__attribute__((no_sanitize(\"coverage\"))), apply_to = function)") \
  _Pragma("clang attribute push (__attribute__((noinline)), apply_to = function)")
#define MTTY_ORACLE_CODE_END \
  _Pragma("clang attribute pop") \
  _Pragma("clang attribute pop")
#else
#define MTTY_ORACLE_CODE_BEGIN
#define MTTY_ORACLE_CODE_END
#endif
// clang-format on

#endif  // MTTY_FUZZ_ORACLE_CODE_H_
