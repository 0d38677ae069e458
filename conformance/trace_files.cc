// Copyright mtty-lab authors.
#include "conformance/trace_files.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

namespace mtty::conformance {

std::string TraceDir() {
  const char* env = std::getenv("MTTY_TRACE_DIR");
  if (env != nullptr && env[0] != '\0') return env;
  return "conformance/traces";
}

std::string RealTraceDir() { return TraceDir() + "/real"; }

std::vector<std::string> ListTraceFiles(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return out;
  for (const auto& entry : it) {
    const std::filesystem::path& p = entry.path();
    if (p.extension() == ".trace") out.push_back(p.string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(-ENOENT);
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxTraceBytes) return Status::Error(-EFBIG);
  }
  if (in.bad()) return Status::Error(-EIO);
  return text;
}

std::string TraceName(const std::string& path) {
  const std::filesystem::path p(path);
  const std::string stem = p.stem().string();
  return p.parent_path().filename() == "real" ? "real/" + stem : stem;
}

ParseResult LoadTrace(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) {
    return ParseError{path, 0, "cannot read: " + text.status().ToString()};
  }
  return Parse(*text, path);
}

}  // namespace mtty::conformance
