// Copyright mtty-lab authors.
#include "fuzz/bar_access/trace_to_seed.h"

#include <type_traits>
#include <variant>

#include "conformance/trace_files.h"
#include "core/vfio_uapi.h"
#include "fuzz/bar_access/ops.h"

namespace mtty::fuzz {
namespace {

namespace cf = conformance;
using bar::Input;

std::vector<uint8_t> Le(uint32_t value, int width) {
  std::vector<uint8_t> out;
  PutLe(out, value, width);
  return out;
}

void AddAccess(Input& in, const cf::Access& a) {
  const uint32_t index = static_cast<uint32_t>(a.space);
  const int w = a.width;
  const bool bar = index <= 1 && a.offset + w <= 8;
  const bool cfg = index == vfio::kConfigRegionIndex && a.offset <= 0xff;
  const uint64_t pos = vfio::RegionOffset(index) + a.offset;
  if (a.write) {
    if (bar) {
      in.WriteWide(static_cast<int>(index), static_cast<uint8_t>(a.offset), w,
                   a.value);
    } else if (cfg) {
      in.ConfigWrite(static_cast<uint8_t>(a.offset), w, a.value);
    } else {
      in.RawWrite(pos, Le(a.value, w));
    }
  } else if (bar) {
    in.Read(static_cast<int>(index), static_cast<uint8_t>(a.offset), w);
  } else if (cfg) {
    in.ConfigRead(static_cast<uint8_t>(a.offset), w);
  } else {
    in.RawRead(pos, w);
  }
}

void AddSetIrqs(Input& in, const cf::SetIrqs& s) {
  const bool intx = s.index == vfio::kIntxIrqIndex;
  const bool msi = s.index == vfio::kMsiIrqIndex;
  if (!intx && !msi) return;
  using A = cf::SetIrqs::Action;
  using D = cf::SetIrqs::Data;
  if (s.action == A::kTrigger && s.data == D::kEventfd) {
    const bool disable = !s.values.empty() && s.values[0] < 0;
    if (intx) in.IoctlOp(disable ? bar::kIntxFdMinus1 : bar::kIntxEventfd);
    if (msi) in.IoctlOp(disable ? bar::kMsiDisable : bar::kMsiEventfd);
  } else if (s.action == A::kTrigger && s.count == 0) {
    in.IoctlOp(intx ? bar::kIntxDisable : bar::kMsiDisable);
  } else if (s.action == A::kTrigger) {
    in.IoctlOp(intx ? bar::kIntxLoopback : bar::kMsiLoopback);
  } else if (intx && s.action == A::kMask) {
    in.IoctlOp(bar::kIntxMask);
  } else if (intx && s.action == A::kUnmask) {
    in.IoctlOp(bar::kIntxUnmask);
  }
}

}  // namespace

std::optional<std::vector<uint8_t>> TraceToBarAccess(const cf::Trace& trace,
                                                     Profile profile) {
  const cf::DeviceDecl& device = trace.device();
  if (device.type != "mtty-1" && device.type != "mtty-2") return std::nullopt;
  if (!cf::ProfileSetContains(device.profiles, profile)) return std::nullopt;
  Input in(device.type == "mtty-2" ? 2 : 1, profile, bar::IrqSetup::kNone,
           /*get_info=*/true);
  for (const cf::Statement& st : trace.statements) {
    if (st.only && *st.only != profile) continue;
    std::visit(
        [&](const auto& cmd) {
          using T = std::decay_t<decltype(cmd)>;
          if constexpr (std::is_same_v<T, cf::Access>) {
            AddAccess(in, cmd);
          } else if constexpr (std::is_same_v<T, cf::Time>) {
            in.AdvanceNs(cmd.ns);
          } else if constexpr (std::is_same_v<T, cf::Reset>) {
            in.IoctlOp(bar::kReset);
          } else if constexpr (std::is_same_v<T, cf::InfoIoctl>) {
            using K = cf::InfoIoctl::Kind;
            const uint8_t index = static_cast<uint8_t>(cmd.index);
            if (cmd.kind == K::kDeviceInfo) in.IoctlOp(bar::kGetInfo);
            if (cmd.kind == K::kRegionInfo) {
              in.IoctlOp(bar::kGetRegionInfo, index);
            }
            if (cmd.kind == K::kIrqInfo) in.IoctlOp(bar::kGetIrqInfo, index);
          } else if constexpr (std::is_same_v<T, cf::SetIrqs>) {
            AddSetIrqs(in, cmd);
          } else if constexpr (std::is_same_v<T, cf::Lifecycle>) {
            if (cmd.kind == cf::Lifecycle::Kind::kClose) {
              in.IoctlOp(bar::kClose);
            }
          }
        },
        st.command);
  }
  return in.bytes();
}

std::vector<Seed> TraceSeeds(const std::string& dir,
                             std::vector<std::string>* errors) {
  std::vector<Seed> seeds;
  for (const std::string& path : cf::ListTraceFiles(dir)) {
    const std::string name = cf::TraceName(path);
    const Result<std::string> text = cf::ReadFile(path);
    if (!text.ok()) {
      errors->push_back(path + ": " + text.status().ToString());
      continue;
    }
    seeds.push_back(Seed{"trace_parser",
                         name + ".trace",
                         {text.value().begin(), text.value().end()}});
    const cf::ParseResult parsed = cf::Parse(text.value(), path);
    if (!parsed.ok()) {
      errors->push_back(parsed.error().ToString());
      continue;
    }
    for (Profile profile : {Profile::kKernel, Profile::k16550a}) {
      std::optional<std::vector<uint8_t>> bytes =
          TraceToBarAccess(parsed.trace(), profile);
      if (!bytes) continue;
      seeds.push_back(Seed{"bar_access",
                           "trace_" + name + "_" + ProfileName(profile),
                           std::move(*bytes)});
    }
  }
  return seeds;
}

}  // namespace mtty::fuzz
