// Copyright mtty-lab authors.
#include "fuzz/finding.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>

namespace mtty::fuzz {

std::string Finding::ToString() const {
  return Format("oracle %s fired at op #%zu: %s", oracle.c_str(), op_index,
                detail.c_str());
}

namespace {
bool every_oracle_ignored = false;
}  // namespace

void IgnoreEveryOracle() { every_oracle_ignored = true; }

bool OracleIgnored(const std::string& oracle) {
  if (every_oracle_ignored) return true;
  static const std::set<std::string>* const ignored = [] {
    auto* names = new std::set<std::string>;
    if (const char* env = std::getenv("MTTY_FUZZ_IGNORE")) {
      std::stringstream list(env);
      std::string name;
      while (std::getline(list, name, ',')) {
        if (!name.empty()) names->insert(name);
      }
    }
    return names;
  }();
  return !ignored->empty() && ignored->count(oracle) > 0;
}

void ReportAndAbort(const Finding& finding) {
  std::fprintf(stderr, "\n==mtty-fuzz== FINDING: %s\n",
               finding.ToString().c_str());
  std::fflush(stderr);
  std::abort();
}

std::string Format(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list copy;
  va_copy(copy, ap);
  const int n = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  std::string out(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  if (n > 0) std::vsnprintf(out.data(), out.size() + 1, fmt, ap);
  va_end(ap);
  return out;
}

}  // namespace mtty::fuzz
