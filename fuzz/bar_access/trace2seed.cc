// Copyright mtty-lab authors.
//
// trace2seed: turns conformance traces into bar_access seeds.
//   bazel run //fuzz/bar_access:trace2seed -- [--strict] OUT_DIR TRACE...
// writes OUT_DIR/trace_<name>_<profile> for each profile the trace runs on.
// The build runs it over every canonical trace (//corpus:bar_access.generated).
// A trace that does not parse is reported and skipped; with --strict it
// also makes the exit status 1.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include "conformance/trace_files.h"
#include "fuzz/bar_access/trace_to_seed.h"

int main(int argc, char** argv) {
  int first = 1;
  const bool strict = argc > 1 && std::strcmp(argv[1], "--strict") == 0;
  if (strict) ++first;
  if (argc - first < 1) {
    std::fprintf(stderr, "usage: trace2seed [--strict] OUT_DIR TRACE...\n");
    return 2;
  }
  const std::string out = argv[first];
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  int written = 0, failed = 0;
  for (int i = first + 1; i < argc; ++i) {
    const mtty::conformance::ParseResult parsed =
        mtty::conformance::LoadTrace(argv[i]);
    if (!parsed.ok()) {
      std::fprintf(stderr, "%s\n", parsed.error().ToString().c_str());
      ++failed;
      continue;
    }
    for (mtty::Profile profile :
         {mtty::Profile::kKernel, mtty::Profile::k16550a}) {
      const auto bytes = mtty::fuzz::TraceToBarAccess(parsed.trace(), profile);
      if (!bytes) continue;
      // "real/linux" (a capture) becomes trace_real_linux_16550a.
      std::string name = mtty::conformance::TraceName(argv[i]);
      std::replace(name.begin(), name.end(), '/', '_');
      const std::string path =
          out + "/trace_" + name + "_" + mtty::ProfileName(profile);
      FILE* f = std::fopen(path.c_str(), "wb");
      if (f == nullptr ||
          std::fwrite(bytes->data(), 1, bytes->size(), f) != bytes->size() ||
          std::fclose(f) != 0) {
        std::fprintf(stderr, "trace2seed: cannot write %s\n", path.c_str());
        return 1;
      }
      ++written;
    }
  }
  std::fprintf(stderr, "trace2seed: %d seeds, %d traces rejected\n", written,
               failed);
  return strict && failed != 0 ? 1 : 0;
}
