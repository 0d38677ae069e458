// Copyright mtty-lab authors.
//
// `bazel run //fuzz/race:make_seeds [-- DIR]`: writes RaceSeeds() to DIR,
// by default corpus/mdev_race/ of the workspace.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz/race/seeds.h"

int main(int argc, char** argv) {
  std::filesystem::path dir;
  if (argc > 1) {
    dir = argv[1];
  } else {
    const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
    if (ws == nullptr) {
      std::fprintf(stderr, "make_seeds: run with bazel run, or give a DIR\n");
      return 2;
    }
    dir = std::filesystem::path(ws) / "corpus" / "mdev_race";
  }
  std::filesystem::create_directories(dir);
  for (const mtty::race::RaceSeed& seed : mtty::race::RaceSeeds()) {
    std::ofstream out(dir / seed.name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(seed.bytes.data()),
              static_cast<std::streamsize>(seed.bytes.size()));
    if (!out) {
      std::fprintf(stderr, "make_seeds: cannot write %s\n",
                   (dir / seed.name).c_str());
      return 1;
    }
  }
  std::printf("wrote %zu seeds to %s\n", mtty::race::RaceSeeds().size(),
              dir.c_str());
  return 0;
}
