// Copyright mtty-lab authors.
//
// libFuzzer / AFL++ entry point of the bar_access fuzzer. The logic and the
// oracles are in harness.h; the input format in ops.h.
#include <cstddef>
#include <cstdint>

#include "fuzz/bar_access/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mtty::fuzz::MaybeFinding finding =
      mtty::fuzz::RunBarAccess({data, size});
  if (finding) mtty::fuzz::ReportAndAbort(*finding);
  return 0;
}
