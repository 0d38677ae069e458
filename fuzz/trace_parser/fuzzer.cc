// Copyright mtty-lab authors.
//
// libFuzzer / AFL++ entry point of the trace_parser fuzzer
// (harness.h). The input is the trace text itself.
#include <cstddef>
#include <cstdint>

#include "fuzz/trace_parser/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mtty::fuzz::MaybeFinding finding =
      mtty::fuzz::RunTraceParser({data, size});
  if (finding) mtty::fuzz::ReportAndAbort(*finding);
  return 0;
}
