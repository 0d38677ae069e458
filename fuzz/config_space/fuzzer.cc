// Copyright mtty-lab authors.
//
// libFuzzer / AFL++ entry point of the config_space fuzzer
// (harness.h, ops.h).
#include <cstddef>
#include <cstdint>

#include "fuzz/config_space/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mtty::fuzz::MaybeFinding finding =
      mtty::fuzz::RunConfigSpace({data, size});
  if (finding) mtty::fuzz::ReportAndAbort(*finding);
  return 0;
}
