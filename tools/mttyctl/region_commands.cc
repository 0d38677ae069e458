// Copyright mtty-lab authors.
#include "tools/mttyctl/region_commands.h"

#include <cstdint>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/vfio_device.h"
#include "core/vfio_uapi.h"

namespace mtty::mttyctl {
namespace {

std::optional<uint32_t> ParseRegion(std::string_view name) {
  static const std::pair<std::string_view, uint32_t> kNames[] = {
      {"bar0", 0}, {"bar1", 1}, {"bar2", 2},   {"bar3", 3}, {"bar4", 4},
      {"bar5", 5}, {"rom", 6},  {"config", 7}, {"vga", 8},
  };
  for (const auto& [n, index] : kNames) {
    if (n == name) return index;
  }
  std::optional<uint64_t> v = ParseU64(name);
  // The index lives in bits 40..63 of the file offset.
  if (v && *v < (uint64_t{1} << (64 - vfio::kRegionIndexShift))) {
    return static_cast<uint32_t>(*v);
  }
  return std::nullopt;
}

std::optional<Outcome> RegionPosition(const std::string& region,
                                      const std::string& offset,
                                      uint64_t* pos) {
  std::optional<uint32_t> index = ParseRegion(region);
  if (!index) return Usage("bad region '" + region + "'");
  std::optional<uint64_t> off = ParseU64(offset);
  if (!off || *off > vfio::kRegionOffsetMask) {
    return Usage("bad offset '" + offset + "'");
  }
  *pos = vfio::RegionOffset(*index) | *off;
  return std::nullopt;
}

}  // namespace

Outcome RunRead(Session& session, const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "read", 3, 4)) return *done;
  const Args& p = o.positional;
  uint64_t pos = 0;
  if (auto bad = RegionPosition(p[1], p[2], &pos)) return *bad;
  size_t count = 1;
  if (p.size() == 4) {
    std::optional<uint64_t> c = ParseU64(p[3]);
    if (!c || *c > kMaxReadCount) return Usage("bad count '" + p[3] + "'");
    count = static_cast<size_t>(*c);
  }
  return session.WithDevice(p[0], [&](MttyDevice& d) {
    std::vector<uint8_t> buf(count);
    Result<size_t> n = d.Read(pos, buf);
    if (!n.ok()) {
      return Fail(n.status(), "read of " + std::to_string(count) +
                                  " byte(s) at " + p[1] + "+" + p[2] +
                                  " failed");
    }
    std::string line;
    for (size_t i = 0; i < *n; ++i) {
      char b[4];
      std::snprintf(b, sizeof(b), "%02x", buf[i]);
      if (i) line += ' ';
      line += b;
    }
    std::cout << line << "\n";
    return Ok();
  });
}

Outcome RunWrite(Session& session, const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "write", 4, 3 + kMaxReadCount)) {
    return *done;
  }
  const Args& p = o.positional;
  uint64_t pos = 0;
  if (auto bad = RegionPosition(p[1], p[2], &pos)) return *bad;
  std::vector<uint8_t> bytes;
  for (size_t i = 3; i < p.size(); ++i) {
    std::optional<uint64_t> b = ParseU64(p[i]);
    if (!b || *b > 0xff) return Usage("bad byte '" + p[i] + "'");
    bytes.push_back(static_cast<uint8_t>(*b));
  }
  return session.WithDevice(p[0], [&](MttyDevice& d) {
    Result<size_t> n = d.Write(pos, bytes);
    if (!n.ok()) {
      return Fail(n.status(), "write of " + std::to_string(bytes.size()) +
                                  " byte(s) at " + p[1] + "+" + p[2] +
                                  " failed");
    }
    return Ok();
  });
}

}  // namespace mtty::mttyctl
