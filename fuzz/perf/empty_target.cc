// Copyright mtty-lab authors.
//
// An empty fuzz target, built exactly like the real ones (same
// instrumentation, same engine), as the ceiling fuzz/perf/exec_rate.sh compares
// bar_access's executions per second with.
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)data;
  (void)size;
  return 0;
}
