// Copyright mtty-lab authors.
//
// The vfio_ioctl input format and its encoder.
//
//   byte 0  setup: bit 0 dual-port, bit 1 profile 16550a
//   then    an opcode byte (modulo kNumOps) and operands:
//
//   kRaw       u8 cmd, u8 len, len bytes         the argument memory as is;
//                                                cmd indexes kRawCommands
//                                                (modulo its size)
//   kIrqSet    u8 flags, u8 index, u8 start, u8 count, i8 argsz_adjust,
//              u8 cut, then min(count, 16) data items of 1 byte
//              (BOOL: the byte; EVENTFD: kFds[byte % 8])
//                                                SET_IRQS; argsz = 20 +
//                                                data + adjust; if cut bit 7
//                                                is set the buffer loses its
//                                                last (cut & 31) bytes
//   kIrqSetWide u32 flags, index, start, count, argsz, u8 len, len data bytes
//   kInfo      u8 which (% 3: GET_INFO, GET_REGION_INFO, GET_IRQ_INFO),
//              u32 argsz, u32 index, u8 len (buffer bytes, % 64); the
//              buffer is argsz, 0x5a5a5a5a, index, 0, then a byte pattern
//   kFeature   u32 flags, u32 argsz, u32 device_state, u32 data_fd,
//              u8 len (% 32)                     VFIO_DEVICE_FEATURE
//   kReset     -                                 VFIO_DEVICE_RESET
//   kClose     -                                 close_device
#ifndef MTTY_FUZZ_VFIO_IOCTL_OPS_H_
#define MTTY_FUZZ_VFIO_IOCTL_OPS_H_

#include <cstdint>
#include <iterator>
#include <span>
#include <vector>

#include "core/vfio_uapi.h"
#include "fuzz/byte_reader.h"

namespace mtty::fuzz::ioc {

enum Op : uint8_t {
  kRaw = 0,
  kIrqSet = 1,
  kIrqSetWide = 2,
  kInfo = 3,
  kFeature = 4,
  kReset = 5,
  kClose = 6,
};
inline constexpr uint8_t kNumOps = 7;

inline constexpr uint8_t kSetupDualPort = 0x01;
inline constexpr uint8_t kSetup16550a = 0x02;

inline constexpr uint32_t kRawCommands[] = {
    vfio::kDeviceGetInfo,     vfio::kDeviceGetRegionInfo,
    vfio::kDeviceGetIrqInfo,  vfio::kDeviceSetIrqs,
    vfio::kDeviceReset,       vfio::kDeviceFeature,
    vfio::kMigGetPrecopyInfo, vfio::kIoctlBase,
    vfio::kIoctlBase + 12,    0xdeadbeef,
};
inline constexpr size_t kNumRawCommands = std::size(kRawCommands);

// The fake descriptor table: two eventfds, one other file, the rest closed.
inline constexpr int32_t kEventfdA = 3;
inline constexpr int32_t kEventfdB = 4;
inline constexpr int32_t kNotEventfd = 5;
inline constexpr int32_t kFds[8] = {kEventfdA, kEventfdB, kNotEventfd, 9, -1,
                                    0,         -2,        0x7fffffff};

class Input {
 public:
  Input(int nr_ports, bool profile_16550a) {
    bytes_.push_back(static_cast<uint8_t>((nr_ports == 2 ? kSetupDualPort : 0) |
                                          (profile_16550a ? kSetup16550a : 0)));
  }
  Input& Raw(uint8_t cmd_index, std::span<const uint8_t> arg) {
    bytes_.push_back(kRaw);
    bytes_.push_back(cmd_index);
    bytes_.push_back(static_cast<uint8_t>(arg.size()));
    bytes_.insert(bytes_.end(), arg.begin(), arg.begin() + (arg.size() & 0xff));
    return *this;
  }
  // `items`: BOOL bytes or indexes into kFds.
  Input& IrqSet(uint8_t flags, uint8_t index, uint8_t start, uint8_t count,
                std::span<const uint8_t> items = {}, int8_t argsz_adjust = 0,
                uint8_t cut = 0) {
    bytes_.push_back(kIrqSet);
    for (uint8_t b : {flags, index, start, count,
                      static_cast<uint8_t>(argsz_adjust), cut}) {
      bytes_.push_back(b);
    }
    for (size_t i = 0; i < (count < 16 ? count : 16); ++i) {
      bytes_.push_back(i < items.size() ? items[i] : 0);
    }
    return *this;
  }
  Input& IrqSetWide(uint32_t flags, uint32_t index, uint32_t start,
                    uint32_t count, uint32_t argsz,
                    std::span<const uint8_t> data = {}) {
    bytes_.push_back(kIrqSetWide);
    for (uint32_t v : {flags, index, start, count, argsz}) PutLe(bytes_, v, 4);
    bytes_.push_back(static_cast<uint8_t>(data.size()));
    bytes_.insert(bytes_.end(), data.begin(),
                  data.begin() + (data.size() & 0xff));
    return *this;
  }
  Input& Info(uint8_t which, uint32_t argsz, uint32_t index, uint8_t len) {
    bytes_.push_back(kInfo);
    bytes_.push_back(which);
    PutLe(bytes_, argsz, 4);
    PutLe(bytes_, index, 4);
    bytes_.push_back(len);
    return *this;
  }
  Input& Feature(uint32_t flags, uint32_t argsz, uint32_t device_state = 0,
                 uint32_t data_fd = 0, uint8_t len = 16) {
    bytes_.push_back(kFeature);
    for (uint32_t v : {flags, argsz, device_state, data_fd})
      PutLe(bytes_, v, 4);
    bytes_.push_back(len);
    return *this;
  }
  Input& Reset() {
    bytes_.push_back(kReset);
    return *this;
  }
  Input& Close() {
    bytes_.push_back(kClose);
    return *this;
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace mtty::fuzz::ioc

#endif  // MTTY_FUZZ_VFIO_IOCTL_OPS_H_
