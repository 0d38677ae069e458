// Copyright mtty-lab authors.
//
// bar_access with every oracle off: the same decoding and device calls,
// built and run like the real fuzzer. fuzz/perf/exec_rate.sh measures it next
// to the empty target and bar_access: its rate is the ceiling any oracle design
// could reach, since the oracles only add work on top of it. Not a fuzzer (it
// checks nothing); never run it to look for bugs.
#include <cstddef>
#include <cstdint>

#include "fuzz/bar_access/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mtty::fuzz::BarAccessOptions options;
  options.oracles = false;
  (void)mtty::fuzz::RunBarAccess({data, size}, options);
  return 0;
}
