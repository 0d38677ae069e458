// Copyright mtty-lab authors.
#include "conformance/trace_names.h"

#include <array>
#include <cerrno>
#include <cstddef>
#include <string>
#include <vector>

#include "core/errno_name.h"

namespace mtty::conformance {
namespace trace_internal {
namespace {

// The errnos TRACE_FORMAT.md lets a trace spell by name; every other errno
// is written "-E<number>", so the canonical text does not depend on which
// names the C library knows.
constexpr int kNamedErrnos[] = {
    EPERM, ENOENT, EIO,    ENXIO,  E2BIG,  EBADF,  EAGAIN, ENOMEM, EFAULT,
    EBUSY, EEXIST, ENODEV, EINVAL, ENOTTY, ENOSPC, ERANGE, ENOSYS,
};

// kNamedErrnos with their names, spelled once: the parser looks them up for
// every errno it reads.
struct NamedErrno {
  int err;
  std::string name;
};
const std::vector<NamedErrno>& NamedErrnos() {
  static const auto* named = [] {
    auto* v = new std::vector<NamedErrno>;
    for (int err : kNamedErrnos) v->push_back({err, SystemErrnoName(err)});
    return v;
  }();
  return *named;
}

constexpr ProfileSet kProfileSets[] = {
    ProfileSet::kAny, ProfileSet::kKernelOnly, ProfileSet::k16550aOnly};

}  // namespace

std::optional<Space> ParseSpace(std::string_view t) {
  if (t == "cfg") return Space::kCfg;
  if (t == "rom") return Space::kRom;
  if (t == "vga") return Space::kVga;
  if (t.size() == 4 && t.substr(0, 3) == "bar" && t[3] >= '0' && t[3] <= '5') {
    return static_cast<Space>(t[3] - '0');
  }
  return std::nullopt;
}

const char* ProfileToken(Profile profile) {
  return profile == Profile::kKernel ? "[kernel]" : "[16550a]";
}

std::optional<Profile> ParseProfileToken(std::string_view token) {
  if (token == "[kernel]") return Profile::kKernel;
  if (token == "[16550a]") return Profile::k16550a;
  return std::nullopt;
}

const char* ProfileSetName(ProfileSet set) {
  switch (set) {
    case ProfileSet::kKernelOnly:
      return "kernel";
    case ProfileSet::k16550aOnly:
      return "16550a";
    case ProfileSet::kAny:
      break;
  }
  return "any";
}

std::optional<ProfileSet> ParseProfileSetName(std::string_view name) {
  for (ProfileSet set : kProfileSets) {
    if (name == ProfileSetName(set)) return set;
  }
  return std::nullopt;
}

std::optional<int> ErrnoFromSymbol(std::string_view name) {
  for (const NamedErrno& e : NamedErrnos()) {
    if (name == e.name) return e.err;
  }
  return std::nullopt;
}

}  // namespace trace_internal

const char* SpaceName(Space space) {
  static constexpr std::array<const char*, 9> kNames = {
      "bar0", "bar1", "bar2", "bar3", "bar4", "bar5", "rom", "cfg", "vga"};
  const auto i = static_cast<size_t>(space);
  return i < kNames.size() ? kNames[i] : "region?";
}

std::string ErrnoSymbol(int err) {
  for (const trace_internal::NamedErrno& e : trace_internal::NamedErrnos()) {
    if (e.err == err) return e.name;
  }
  return "E" + std::to_string(err);
}

}  // namespace mtty::conformance
