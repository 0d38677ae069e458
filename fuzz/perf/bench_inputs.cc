// Copyright mtty-lab authors.
//
// Writes COUNT random OPS-operation bar_access inputs (both profiles, one
// and two ports) into DIR, for fuzz/perf/exec_rate.sh.
//   bench_inputs DIR [COUNT [OPS]]
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "fuzz/bar_access/random.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_inputs DIR [COUNT [OPS]]\n");
    return 2;
  }
  const int count = argc > 2 ? std::atoi(argv[2]) : 200;
  const int ops = argc > 3 ? std::atoi(argv[3]) : 64;
  std::mt19937 rng(64);
  size_t longest = 0;
  for (int i = 0; i < count; ++i) {
    const std::vector<uint8_t> input = mtty::fuzz::bar::RandomInput(
        rng, i % 2 ? mtty::Profile::k16550a : mtty::Profile::kKernel,
        1 + (i / 2) % 2, ops);
    longest = std::max(longest, input.size());
    const std::string path = std::string(argv[1]) + "/in" + std::to_string(i);
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr ||
        std::fwrite(input.data(), 1, input.size(), f) != input.size() ||
        std::fclose(f) != 0) {
      std::fprintf(stderr, "bench_inputs: cannot write %s\n", path.c_str());
      return 1;
    }
  }
  std::printf("%zu\n", longest);  // for -max_len
  return 0;
}
