// Copyright mtty-lab authors.
//
// libFuzzer / AFL++ entry point of the migration_stream fuzzer
// (harness.h, ops.h).
#include <cstddef>
#include <cstdint>

#include "fuzz/migration_stream/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mtty::fuzz::MaybeFinding finding =
      mtty::fuzz::RunMigrationStream({data, size});
  if (finding) mtty::fuzz::ReportAndAbort(*finding);
  return 0;
}
