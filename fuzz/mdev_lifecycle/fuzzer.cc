// Copyright mtty-lab authors.
//
// libFuzzer / AFL++ entry point of the mdev_lifecycle fuzzer
// (harness.h, ops.h).
#include <cstddef>
#include <cstdint>

#include "fuzz/mdev_lifecycle/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mtty::fuzz::MaybeFinding finding =
      mtty::fuzz::RunMdevLifecycle({data, size});
  if (finding) mtty::fuzz::ReportAndAbort(*finding);
  return 0;
}
