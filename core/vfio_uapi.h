// Copyright mtty-lab authors.
//
// The slice of the Linux vfio uAPI (include/uapi/linux/vfio.h) that an mtty
// device speaks, restated in our own words. Debian 12's linux-libc-dev lacks
// the PRE_COPY additions, so the project never includes <linux/vfio.h>; the
// layouts below are the wire layouts (little-endian, x86-64 ABI) and are
// checked with static_asserts.
#ifndef MTTY_CORE_VFIO_UAPI_H_
#define MTTY_CORE_VFIO_UAPI_H_

#include <cstddef>
#include <cstdint>

namespace mtty::vfio {

// ioctl numbers: _IO(';', 100 + n), no size bits; `argsz` carries the size.
inline constexpr uint32_t kIoctlBase = (0x3b << 8) + 100;
inline constexpr uint32_t kDeviceGetInfo = kIoctlBase + 7;
inline constexpr uint32_t kDeviceGetRegionInfo = kIoctlBase + 8;
inline constexpr uint32_t kDeviceGetIrqInfo = kIoctlBase + 9;
inline constexpr uint32_t kDeviceSetIrqs = kIoctlBase + 10;
inline constexpr uint32_t kDeviceReset = kIoctlBase + 11;
inline constexpr uint32_t kDeviceFeature = kIoctlBase + 17;
inline constexpr uint32_t kMigGetPrecopyInfo = kIoctlBase + 21;

// Region indexes of a vfio-pci device.
inline constexpr uint32_t kBar0RegionIndex = 0;
inline constexpr uint32_t kBar1RegionIndex = 1;
inline constexpr uint32_t kBar5RegionIndex = 5;
inline constexpr uint32_t kRomRegionIndex = 6;
inline constexpr uint32_t kConfigRegionIndex = 7;
inline constexpr uint32_t kVgaRegionIndex = 8;
inline constexpr uint32_t kNumRegions = 9;
// mdev offsets: region index in bits 40 and up.
inline constexpr int kRegionIndexShift = 40;
inline constexpr uint64_t kRegionOffsetMask = (uint64_t{1} << 40) - 1;
constexpr uint64_t RegionOffset(uint32_t index) {
  return uint64_t{index} << kRegionIndexShift;
}

// IRQ indexes.
inline constexpr uint32_t kIntxIrqIndex = 0;
inline constexpr uint32_t kMsiIrqIndex = 1;
inline constexpr uint32_t kMsixIrqIndex = 2;
inline constexpr uint32_t kErrIrqIndex = 3;
inline constexpr uint32_t kReqIrqIndex = 4;
inline constexpr uint32_t kNumIrqs = 5;

// vfio_device_info.flags
inline constexpr uint32_t kDeviceFlagsReset = 1u << 0;
inline constexpr uint32_t kDeviceFlagsPci = 1u << 1;
inline constexpr uint32_t kDeviceFlagsCaps = 1u << 7;

struct DeviceInfo {
  uint32_t argsz;
  uint32_t flags;
  uint32_t num_regions;
  uint32_t num_irqs;
  uint32_t cap_offset;
  uint32_t pad;
};
static_assert(sizeof(DeviceInfo) == 24);
// What mtty copies in and back: through num_irqs.
inline constexpr uint32_t kDeviceInfoMinsz = offsetof(DeviceInfo, num_irqs) + 4;

// vfio_region_info.flags
inline constexpr uint32_t kRegionInfoFlagRead = 1u << 0;
inline constexpr uint32_t kRegionInfoFlagWrite = 1u << 1;
inline constexpr uint32_t kRegionInfoFlagMmap = 1u << 2;
inline constexpr uint32_t kRegionInfoFlagCaps = 1u << 3;

struct RegionInfo {
  uint32_t argsz;
  uint32_t flags;
  uint32_t index;
  uint32_t cap_offset;
  uint64_t size;
  uint64_t offset;
};
static_assert(sizeof(RegionInfo) == 32);
inline constexpr uint32_t kRegionInfoMinsz = offsetof(RegionInfo, offset) + 8;

// vfio_irq_info.flags
inline constexpr uint32_t kIrqInfoEventfd = 1u << 0;
inline constexpr uint32_t kIrqInfoMaskable = 1u << 1;
inline constexpr uint32_t kIrqInfoAutomasked = 1u << 2;
inline constexpr uint32_t kIrqInfoNoresize = 1u << 3;

struct IrqInfo {
  uint32_t argsz;
  uint32_t flags;
  uint32_t index;
  uint32_t count;
};
static_assert(sizeof(IrqInfo) == 16);
inline constexpr uint32_t kIrqInfoMinsz = offsetof(IrqInfo, count) + 4;

// vfio_irq_set.flags
inline constexpr uint32_t kIrqSetDataNone = 1u << 0;
inline constexpr uint32_t kIrqSetDataBool = 1u << 1;
inline constexpr uint32_t kIrqSetDataEventfd = 1u << 2;
inline constexpr uint32_t kIrqSetActionMask = 1u << 3;
inline constexpr uint32_t kIrqSetActionUnmask = 1u << 4;
inline constexpr uint32_t kIrqSetActionTrigger = 1u << 5;
inline constexpr uint32_t kIrqSetDataTypeMask = 0x07;
inline constexpr uint32_t kIrqSetActionTypeMask = 0x38;

// Header of vfio_irq_set; `count` elements of data follow (u8 for BOOL,
// s32 for EVENTFD, nothing for NONE).
struct IrqSetHeader {
  uint32_t argsz;
  uint32_t flags;
  uint32_t index;
  uint32_t start;
  uint32_t count;
};
static_assert(sizeof(IrqSetHeader) == 20);
inline constexpr uint32_t kIrqSetMinsz = sizeof(IrqSetHeader);

// VFIO_DEVICE_FEATURE
struct DeviceFeatureHeader {
  uint32_t argsz;
  uint32_t flags;
};
static_assert(sizeof(DeviceFeatureHeader) == 8);
inline constexpr uint32_t kFeatureMask = 0xffff;
inline constexpr uint32_t kFeatureGet = 1u << 16;
inline constexpr uint32_t kFeatureSet = 1u << 17;
inline constexpr uint32_t kFeatureProbe = 1u << 18;
inline constexpr uint32_t kFeatureMigration = 1;
inline constexpr uint32_t kFeatureMigDeviceState = 2;
inline constexpr uint32_t kFeatureMigDataSize = 9;

// vfio_device_feature_migration.flags
inline constexpr uint64_t kMigrationStopCopy = 1u << 0;
inline constexpr uint64_t kMigrationP2p = 1u << 1;
inline constexpr uint64_t kMigrationPreCopy = 1u << 2;

enum class MigState : uint32_t {
  kError = 0,
  kStop = 1,
  kRunning = 2,
  kStopCopy = 3,
  kResuming = 4,
  kRunningP2p = 5,
  kPreCopy = 6,
  kPreCopyP2p = 7,
};
inline constexpr uint32_t kNumMigStates = 8;

struct FeatureMigState {
  uint32_t device_state;
  int32_t data_fd;
};
static_assert(sizeof(FeatureMigState) == 8);

struct PrecopyInfo {
  uint32_t argsz;
  uint32_t flags;
  uint64_t initial_bytes;
  uint64_t dirty_bytes;
};
static_assert(sizeof(PrecopyInfo) == 24);

}  // namespace mtty::vfio

#endif  // MTTY_CORE_VFIO_UAPI_H_
