// A replay-only main for fuzz harnesses built without libFuzzer
// (--//fuzz:engine=none, used by --config=gcc): every file argument, and
// every regular file directly inside a directory argument, is passed once to
// LLVMFuzzerTestOneInput. Arguments starting with '-' (libFuzzer flags) are
// ignored so the same command lines work.
#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc,
                                                          char*** argv);

namespace {

int RunFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "standalone: cannot read %s\n", path.c_str());
    return 1;
  }
  std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)),
                            std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(data.data(), data.size());
  return 0;
}

bool IsDir(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  int failures = 0;
  int runs = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.empty() || arg[0] == '-') continue;
    if (!IsDir(arg)) {
      failures += RunFile(arg);
      ++runs;
      continue;
    }
    DIR* dir = opendir(arg.c_str());
    if (dir == nullptr) {
      ++failures;
      continue;
    }
    while (dirent* e = readdir(dir)) {
      const std::string path = arg + "/" + e->d_name;
      if (e->d_name[0] == '.' || IsDir(path)) continue;
      failures += RunFile(path);
      ++runs;
    }
    closedir(dir);
  }
  std::fprintf(stderr, "standalone: %d inputs replayed\n", runs);
  return failures == 0 ? 0 : 1;
}
