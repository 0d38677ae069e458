// Copyright mtty-lab authors.
//
// libFuzzer / AFL++ entry point of the mdev_race fuzzer (harness.h).
#include <cstddef>
#include <cstdint>

#include "fuzz/race/harness.h"

// Under ThreadSanitizer a report must stop the run so that the fuzzer saves
// the input (the default is to report and go on). TSAN_OPTIONS still wins.
// Called while the runtime initialises, so it must not be instrumented.
extern "C" __attribute__((no_sanitize("thread", "coverage"))) const char*
__tsan_default_options() {
  return "halt_on_error=1:abort_on_error=1:second_deadlock_stack=1";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mtty::fuzz::MaybeFinding finding = mtty::race::RunMdevRace({data, size});
  if (finding) mtty::fuzz::ReportAndAbort(*finding);
  return 0;
}
