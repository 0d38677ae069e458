// Copyright mtty-lab authors.
//
// IoctlModel: what an mtty device must answer to each vfio device ioctl,
// and its interrupt and migration state afterwards, stated independently of
// core/ (from docs/spec/vfio-device-uapi.md, docs/spec/vfio-migration.md,
// core/PCI_IRQ.md §2 and core/README.md's profile table). The vfio_ioctl
// fuzzer's oracle; fuzz/models/ioctl_model_test.cc checks it on cases
// written from those documents.
#ifndef MTTY_FUZZ_MODELS_IOCTL_MODEL_H_
#define MTTY_FUZZ_MODELS_IOCTL_MODEL_H_

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "core/status.h"
#include "core/uart16550.h"
#include "core/vfio_device.h"
#include "core/vfio_uapi.h"
#include "fuzz/models/mig_model.h"

namespace mtty::fuzz {

// Little-endian field access in an ioctl argument.
inline uint32_t Get32(const std::vector<uint8_t>& b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v |= uint32_t{b[at + i]} << (8 * i);
  return v;
}

inline void Put(std::vector<uint8_t>& b, size_t at, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// What the device should do with one ioctl, and its state afterwards.
struct IoctlModel {
  int nr_ports = 1;
  Profile profile = Profile::kKernel;
  uint32_t reported_num_irqs = 0;  // last GET_INFO
  int irq_index = -1;
  bool intx_masked = false;
  uint64_t signals = 0;
  uint8_t mig = mig::kR;
  bool precopy_file_live = false;  // a PRE_COPY stream the device still holds
  // The caller's descriptor table: these fds are eventfds, these are open
  // files of another kind, every other fd is closed.
  std::vector<int32_t> eventfds;
  std::vector<int32_t> other_files;

  struct Outcome {
    Status status;
    std::vector<uint8_t> arg;  // the argument memory afterwards
    bool file = false;         // FEATURE SET produced a data file
  };

  static bool Has(const std::vector<int32_t>& fds, int32_t fd) {
    for (int32_t f : fds) {
      if (f == fd) return true;
    }
    return false;
  }

  uint32_t NumIrqs() const {
    return profile == Profile::k16550a ? vfio::kNumIrqs : reported_num_irqs;
  }

  Outcome Ioctl(uint32_t cmd, std::vector<uint8_t> arg) {
    Outcome out{Status::Ok(), arg, false};
    auto fail = [&](int err) {
      out.status = Status::Error(err);
      out.arg = arg;
      return out;
    };
    switch (cmd) {
      case vfio::kDeviceGetInfo: {
        if (arg.size() < 16) return fail(-EFAULT);
        if (Get32(arg, 0) < 16) return fail(-EINVAL);
        Put(out.arg, 4, vfio::kDeviceFlagsPci, 4);
        Put(out.arg, 8, vfio::kNumRegions, 4);
        Put(out.arg, 12, vfio::kNumIrqs, 4);
        reported_num_irqs = vfio::kNumIrqs;
        return out;
      }
      case vfio::kDeviceGetRegionInfo: {
        if (arg.size() < 32) return fail(-EFAULT);
        if (Get32(arg, 0) < 32) return fail(-EINVAL);
        const uint32_t index = Get32(arg, 8);
        if (index >= vfio::kNumRegions) return fail(-EINVAL);
        uint64_t size = 0;
        if (index == vfio::kConfigRegionIndex) size = 0xff;
        if (index == vfio::kBar0RegionIndex) size = 8;
        if (index == vfio::kBar1RegionIndex && nr_ports == 2) size = 8;
        Put(out.arg, 4, vfio::kRegionInfoFlagRead | vfio::kRegionInfoFlagWrite,
            4);
        Put(out.arg, 16, size, 8);
        Put(out.arg, 24, vfio::RegionOffset(index), 8);
        return out;
      }
      case vfio::kDeviceGetIrqInfo: {
        if (arg.size() < 16) return fail(-EFAULT);
        if (Get32(arg, 0) < 16) return fail(-EINVAL);
        const uint32_t index = Get32(arg, 8);
        if (index >= NumIrqs()) return fail(-EINVAL);
        if (index == vfio::kIntxIrqIndex) {
          Put(out.arg, 4,
              vfio::kIrqInfoEventfd | vfio::kIrqInfoMaskable |
                  vfio::kIrqInfoAutomasked,
              4);
        } else if (index == vfio::kMsiIrqIndex) {
          Put(out.arg, 4, vfio::kIrqInfoEventfd | vfio::kIrqInfoNoresize, 4);
        } else {
          return fail(-EINVAL);
        }
        Put(out.arg, 12, 1, 4);
        return out;
      }
      case vfio::kDeviceSetIrqs:
        out.status = SetIrqs(arg);
        return out;
      case vfio::kDeviceReset:
        mig = mig::kR;
        precopy_file_live = false;
        return out;
      case vfio::kDeviceFeature:
        return Feature(arg);
      default:
        return fail(-ENOTTY);
    }
  }

  // vfio_set_irqs_validate_and_prepare, then mtty's SET_IRQS handlers.
  Status SetIrqs(const std::vector<uint8_t>& arg) {
    if (arg.size() < 20) return Status::Error(-EFAULT);
    const uint32_t argsz = Get32(arg, 0), flags = Get32(arg, 4),
                   index = Get32(arg, 8), start = Get32(arg, 12),
                   count = Get32(arg, 16);
    if (argsz < 20 || index >= vfio::kNumIrqs || count >= UINT32_MAX - start ||
        (flags & ~(vfio::kIrqSetDataTypeMask | vfio::kIrqSetActionTypeMask))) {
      return Status::Error(-EINVAL);
    }
    if (start >= NumIrqs() || start + count > NumIrqs()) {
      return Status::Error(-EINVAL);
    }
    const uint32_t type = flags & vfio::kIrqSetDataTypeMask;
    if (type != vfio::kIrqSetDataNone && type != vfio::kIrqSetDataBool &&
        type != vfio::kIrqSetDataEventfd) {
      return Status::Error(-EINVAL);
    }
    const uint64_t elem = type == vfio::kIrqSetDataBool      ? 1
                          : type == vfio::kIrqSetDataEventfd ? 4
                                                             : 0;
    if (elem != 0 && uint64_t{argsz} - 20 < uint64_t{count} * elem) {
      return Status::Error(-EINVAL);
    }
    if (20 + uint64_t{count} * elem > arg.size()) return Status::Error(-EFAULT);
    const uint32_t action = flags & vfio::kIrqSetActionTypeMask;
    const uint8_t* data = arg.data() + 20;

    if (index == vfio::kIntxIrqIndex) {
      if (action == vfio::kIrqSetActionMask ||
          action == vfio::kIrqSetActionUnmask) {
        if (irq_index != 0 || start != 0 || count != 1) {
          return Status::Error(-EINVAL);
        }
        if (type == vfio::kIrqSetDataEventfd) return Status::Error(-ENOTTY);
        if (type == vfio::kIrqSetDataNone || data[0] != 0) {
          // Unmask never re-signals here: the ports are never touched, so
          // no line is asserted.
          intx_masked = action == vfio::kIrqSetActionMask;
        }
        return Status::Ok();
      }
      if (action == vfio::kIrqSetActionTrigger) {
        return Trigger(0, type, start, count, data);
      }
      return Status::Ok();  // action 0 or several: silent success
    }
    if (index == vfio::kMsiIrqIndex) {
      if (action == vfio::kIrqSetActionMask ||
          action == vfio::kIrqSetActionUnmask) {
        return Status::Error(-ENOTTY);
      }
      if (action == vfio::kIrqSetActionTrigger) {
        return Trigger(1, type, start, count, data);
      }
      return Status::Ok();
    }
    return Status::Error(-ENOTTY);  // MSI-X, ERR, REQ
  }

  Status Trigger(int i, uint32_t type, uint32_t start, uint32_t count,
                 const uint8_t* data) {
    if (irq_index == i && count == 0 && type == vfio::kIrqSetDataNone) {
      Disable(i);
      return Status::Ok();
    }
    if ((irq_index != -1 && irq_index != i) || start != 0 || count != 1) {
      return Status::Error(-EINVAL);
    }
    if (type == vfio::kIrqSetDataEventfd) {
      int32_t fd;
      std::memcpy(&fd, data, 4);
      if (fd < 0) {
        Disable(i);
        return Status::Ok();
      }
      if (Has(other_files, fd)) return Status::Error(-EINVAL);
      if (!Has(eventfds, fd)) return Status::Error(-EBADF);
      irq_index = i;
      intx_masked = false;
      return Status::Ok();
    }
    if (irq_index != i) return Status::Error(-EINVAL);
    if (type == vfio::kIrqSetDataNone || data[0] != 0) {
      if (i == 1) {
        ++signals;
      } else {
        if (!intx_masked) ++signals;
        intx_masked = true;
      }
    }
    return Status::Ok();
  }

  void Disable(int i) {
    if (irq_index == i) irq_index = -1;
    if (i == 0) intx_masked = false;
  }

  // VFIO_DEVICE_FEATURE: the core's dispatch and vfio_check_feature.
  Outcome Feature(std::vector<uint8_t> arg) {
    Outcome out{Status::Ok(), arg, false};
    auto fail = [&](int err) {
      out.status = Status::Error(err);
      return out;
    };
    if (arg.size() < 8) return fail(-EFAULT);
    const uint32_t argsz = Get32(arg, 0), flags = Get32(arg, 4);
    if (argsz < 8) return fail(-EINVAL);
    if (flags & ~(vfio::kFeatureMask | vfio::kFeatureGet | vfio::kFeatureSet |
                  vfio::kFeatureProbe)) {
      return fail(-EINVAL);
    }
    const bool get = flags & vfio::kFeatureGet;
    const bool set = flags & vfio::kFeatureSet;
    const bool probe = flags & vfio::kFeatureProbe;
    if (get && set && !probe) return fail(-EINVAL);
    const uint32_t feature = flags & vfio::kFeatureMask;
    uint32_t supported;
    if (feature == vfio::kFeatureMigration ||
        feature == vfio::kFeatureMigDataSize) {
      supported = vfio::kFeatureGet;
    } else if (feature == vfio::kFeatureMigDeviceState) {
      supported = vfio::kFeatureGet | vfio::kFeatureSet;
    } else {
      return fail(-EINVAL);
    }
    if (flags & (vfio::kFeatureGet | vfio::kFeatureSet) & ~supported) {
      return fail(-EINVAL);
    }
    if (probe) return out;
    if (!get && !set) return fail(-EINVAL);
    if (argsz - 8 < 8) return fail(-EINVAL);
    if (arg.size() < 16) return fail(-EFAULT);
    if (feature == vfio::kFeatureMigration) {
      Put(out.arg, 8, 7, 8);
    } else if (feature == vfio::kFeatureMigDataSize) {
      Put(out.arg, 8, 24 + uint64_t{64} * nr_ports, 8);
    } else if (get) {
      Put(out.arg, 8, mig, 4);
      Put(out.arg, 12, static_cast<uint32_t>(-1), 4);
    } else {
      out.status = SetMigState(Get32(arg, 8), &out.file);
      Put(out.arg, 12,
          out.file ? static_cast<uint32_t>(MttyDevice::kMigrationFileToken)
                   : static_cast<uint32_t>(-1),
          4);
    }
    return out;
  }

  Status SetMigState(uint32_t target, bool* file) {
    const std::optional<std::vector<uint8_t>> path = mig::Path(mig, target);
    if (!path) return Status::Error(-EINVAL);
    uint8_t cur = mig;
    for (uint8_t next : *path) {
      *file = false;
      switch (mig::ArcAction(cur, next)) {
        case mig::ArcFile::kLoadThenDrop:
          // Nothing is ever written to a resume stream here: a short stream.
          *file = false;
          return Status::Error(-EINVAL);
        case mig::ArcFile::kNewSave:
          precopy_file_live = true;
          *file = true;
          break;
        case mig::ArcFile::kNewSaveWithPorts:
        case mig::ArcFile::kNewResume:
          *file = true;
          break;
        case mig::ArcFile::kAppendPorts:
          *file = !precopy_file_live;
          precopy_file_live = false;
          break;
        case mig::ArcFile::kDrop:
          precopy_file_live = false;
          break;
        case mig::ArcFile::kNone:
          break;
      }
      cur = next;
      mig = cur;
    }
    return Status::Ok();
  }

  void Close() {
    irq_index = -1;
    intx_masked = false;
    precopy_file_live = false;
  }
};

}  // namespace mtty::fuzz

#endif  // MTTY_FUZZ_MODELS_IOCTL_MODEL_H_
