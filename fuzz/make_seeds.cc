// Copyright mtty-lab authors.
//
// Writes the checked-in seed corpora: corpus/<fuzzer>/<name>, each a short,
// meaningful operation list encoded with the fuzzer's own encoder (so the
// seeds always decode as intended). Seeds derived from the conformance
// traces are not written here: the build makes them
// (//corpus:bar_access.generated, //corpus:trace_parser.generated).
// Regenerate with
//   bazel run //fuzz:make_seeds            (writes into the source tree)
//   bazel run //fuzz:make_seeds -- DIR     (writes DIR/<fuzzer>/<name>)
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz/seeds.h"

int main(int argc, char** argv) {
  const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  std::string root;
  if (argc > 1) {
    root = argv[1];
  } else if (ws != nullptr) {
    root = std::string(ws) + "/corpus";
  } else {
    std::fprintf(stderr, "usage: make_seeds [DIR]\n");
    return 2;
  }
  const std::vector<mtty::fuzz::Seed> seeds = mtty::fuzz::AllSeeds();
  int written = 0;
  for (const mtty::fuzz::Seed& seed : seeds) {
    const std::string dir = root + "/" + seed.fuzzer;
    mkdir(root.c_str(), 0755);
    mkdir(dir.c_str(), 0755);
    const std::string path = dir + "/" + seed.name;
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr ||
        std::fwrite(seed.bytes.data(), 1, seed.bytes.size(), f) !=
            seed.bytes.size() ||
        std::fclose(f) != 0) {
      std::fprintf(stderr, "make_seeds: cannot write %s\n", path.c_str());
      return 1;
    }
    ++written;
  }
  std::printf("make_seeds: %d seeds under %s\n", written, root.c_str());
  return 0;
}
