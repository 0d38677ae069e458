// Copyright mtty-lab authors.
#include "tools/mttyctl/ioctl_command.h"

#include <cstdint>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/hex.h"
#include "core/status.h"
#include "core/vfio_device.h"
#include "core/vfio_uapi.h"
#include "tools/mttyctl/region_commands.h"

namespace mtty::mttyctl {
namespace {

constexpr std::pair<std::string_view, vfio::MigState> kMigStates[] = {
    {"error", vfio::MigState::kError},
    {"stop", vfio::MigState::kStop},
    {"running", vfio::MigState::kRunning},
    {"stop-copy", vfio::MigState::kStopCopy},
    {"resuming", vfio::MigState::kResuming},
    {"running-p2p", vfio::MigState::kRunningP2p},
    {"pre-copy", vfio::MigState::kPreCopy},
    {"pre-copy-p2p", vfio::MigState::kPreCopyP2p},
};

std::string MigStateName(vfio::MigState s) {
  for (const auto& [name, state] : kMigStates) {
    if (state == s) return std::string(name);
  }
  return "state-" + std::to_string(static_cast<uint32_t>(s));
}

}  // namespace

Outcome RunIoctl(Session& session, const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "ioctl", 2, 4 + kMaxReadCount)) {
    return *done;
  }
  const Args& p = o.positional;
  const std::string& sub = p[1];
  auto want_args = [&](size_t n) { return p.size() == 2 + n; };
  auto index_arg = [&](size_t i) -> std::optional<uint32_t> {
    std::optional<uint64_t> v = ParseU64(p[i]);
    if (!v || *v > UINT32_MAX) return std::nullopt;
    return static_cast<uint32_t>(*v);
  };
  if (sub == "get-info" && want_args(0)) {
    return session.WithDevice(p[0], [&](MttyDevice& d) {
      Result<vfio::DeviceInfo> r = d.GetInfo();
      if (!r.ok()) return Fail(r.status(), "VFIO_DEVICE_GET_INFO failed");
      std::cout << "flags " << Hex(r->flags) << " num_regions "
                << r->num_regions << " num_irqs " << r->num_irqs << "\n";
      return Ok();
    });
  }
  if (sub == "get-region-info" && want_args(1)) {
    std::optional<uint32_t> index = index_arg(2);
    if (!index) return Usage("bad region index '" + p[2] + "'");
    return session.WithDevice(p[0], [&](MttyDevice& d) {
      Result<vfio::RegionInfo> r = d.GetRegionInfo(*index);
      if (!r.ok()) {
        return Fail(r.status(),
                    "VFIO_DEVICE_GET_REGION_INFO " + p[2] + " failed");
      }
      std::cout << "index " << r->index << " flags " << Hex(r->flags)
                << " size " << Hex(r->size) << " offset " << Hex(r->offset)
                << "\n";
      return Ok();
    });
  }
  if (sub == "get-irq-info" && want_args(1)) {
    std::optional<uint32_t> index = index_arg(2);
    if (!index) return Usage("bad irq index '" + p[2] + "'");
    return session.WithDevice(p[0], [&](MttyDevice& d) {
      Result<vfio::IrqInfo> r = d.GetIrqInfo(*index);
      if (!r.ok()) {
        return Fail(r.status(), "VFIO_DEVICE_GET_IRQ_INFO " + p[2] +
                                    " failed (GET_INFO must come first)");
      }
      std::cout << "index " << r->index << " flags " << Hex(r->flags)
                << " count " << r->count << "\n";
      return Ok();
    });
  }
  if (sub == "set-irqs" && p.size() >= 6) {
    std::optional<uint32_t> flags = index_arg(2), index = index_arg(3),
                            start = index_arg(4), count = index_arg(5);
    if (!flags || !index || !start || !count) {
      return Usage("set-irqs wants FLAGS INDEX START COUNT [VALUE...]");
    }
    std::vector<uint8_t> data;
    for (size_t i = 6; i < p.size(); ++i) {
      if (*flags & vfio::kIrqSetDataEventfd) {
        std::optional<int32_t> fd = ParseI32(p[i]);
        if (!fd) return Usage("bad fd '" + p[i] + "'");
        uint8_t b[4];
        std::memcpy(b, &*fd, 4);
        data.insert(data.end(), b, b + 4);
      } else {
        std::optional<uint64_t> v = ParseU64(p[i]);
        if (!v || *v > 0xff) return Usage("bad byte '" + p[i] + "'");
        data.push_back(static_cast<uint8_t>(*v));
      }
    }
    return session.WithDevice(p[0], [&](MttyDevice& d) {
      Status s = d.SetIrqs(*flags, *index, *start, *count, data);
      if (!s.ok()) return Fail(s, "VFIO_DEVICE_SET_IRQS failed");
      return Ok();
    });
  }
  if (sub == "reset" && want_args(0)) {
    return session.WithDevice(p[0], [&](MttyDevice& d) {
      Status s = d.Reset();
      if (!s.ok()) return Fail(s, "VFIO_DEVICE_RESET failed");
      return Ok();
    });
  }
  if (sub == "mig-state" && (want_args(0) || want_args(1))) {
    std::optional<vfio::MigState> target;
    if (want_args(1)) {
      for (const auto& [name, state] : kMigStates) {
        if (name == p[2]) target = state;
      }
      if (!target) return Usage("unknown migration state '" + p[2] + "'");
    }
    return session.WithDevice(p[0], [&](MttyDevice& d) {
      if (target) {
        Result<std::shared_ptr<MigrationFile>> r = d.SetMigState(*target);
        if (!r.ok()) {
          return Fail(r.status(), "cannot go from " +
                                      MigStateName(d.mig_state()) + " to " +
                                      MigStateName(*target));
        }
      }
      std::cout << "state " << MigStateName(d.mig_state()) << "\n";
      return Ok();
    });
  }
  if (sub == "mig-data-size" && want_args(0)) {
    return session.WithDevice(p[0], [&](MttyDevice& d) {
      std::cout << "stop_copy_length " << d.MigDataSize() << "\n";
      return Ok();
    });
  }
  return Usage("bad ioctl '" + sub +
               "' or arguments; see 'mttyctl ioctl --help'");
}

}  // namespace mtty::mttyctl
