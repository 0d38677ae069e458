// Copyright mtty-lab authors.
//
// libFuzzer / AFL++ entry point of the mdev_race fuzzer (harness.h).
#include <cstddef>
#include <cstdint>

#include "fuzz/mdev_race/harness.h"

// For functions the sanitizer runtime calls while it initialises.
#if defined(__clang__)
#define MTTY_NOT_INSTRUMENTED __attribute__((no_sanitize("thread", "coverage")))
#else
#define MTTY_NOT_INSTRUMENTED __attribute__((no_sanitize("thread")))
#endif

// Under ThreadSanitizer a report must stop the run so that the fuzzer saves
// the input (the default is to report and go on): halt_on_error makes TSan
// call libFuzzer's death callback and exit. (abort_on_error would make
// libFuzzer's SIGABRT handler print a stack while TSan still holds its
// report lock, and hang.) libFuzzer's own crash handler allocates inside
// its signal handler: not a finding. TSAN_OPTIONS still wins. Called while
// the runtime initialises, so it must not be instrumented.
extern "C" MTTY_NOT_INSTRUMENTED const char* __tsan_default_options() {
  return "halt_on_error=1:second_deadlock_stack=1:report_signal_unsafe=0";
}

// The fuzzer's coverage counters (-fsanitize=fuzzer-no-link) are plain
// byte increments from every thread; clang 14's TSan instruments them. Those
// races are the fuzzer's, not the code under test's.
extern "C" MTTY_NOT_INSTRUMENTED const char* __tsan_default_suppressions() {
  return "race:__sancov_\n";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mtty::fuzz::MaybeFinding finding =
      mtty::race::RunMdevRace({data, size});
  if (finding) mtty::fuzz::ReportAndAbort(*finding);
  return 0;
}
