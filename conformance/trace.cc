// Copyright mtty-lab authors.
//
// The syntax tree's own behaviour; parsing is in trace_parse.cc, printing in
// trace_print.cc and the shared spellings in trace_names.cc.
#include "conformance/trace.h"

#include <string>
#include <variant>

namespace mtty::conformance {

bool ProfileSetContains(ProfileSet set, Profile profile) {
  switch (set) {
    case ProfileSet::kAny:
      return true;
    case ProfileSet::kKernelOnly:
      return profile == Profile::kKernel;
    case ProfileSet::k16550aOnly:
      return profile == Profile::k16550a;
  }
  return false;
}

const Expectation& ExpectClause::For(Profile profile) const {
  for (const auto& o : overrides) {
    if (o.first == profile) return o.second;
  }
  return base;
}

bool ExpectClause::HasOverride(Profile profile) const {
  for (const auto& o : overrides) {
    if (o.first == profile) return true;
  }
  return false;
}

const DeviceDecl& Trace::device() const {
  static const DeviceDecl kNone{"none", ProfileSet::kAny};
  for (const Statement& s : statements) {
    if (const auto* d = std::get_if<DeviceDecl>(&s.command)) return *d;
  }
  return kNone;
}

std::string ParseError::ToString() const {
  return filename + ":" + std::to_string(line) + ": " + message;
}

}  // namespace mtty::conformance
