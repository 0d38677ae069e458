// Copyright mtty-lab authors.
//
// The config_space input format and its encoder.
//
//   byte 0   setup: bit 0 dual-port, bit 1 drive the config region through
//            MttyDevice (requests split into aligned pieces) instead of
//            PciConfig directly
//   then ops an opcode byte (modulo kNumOps) and operands:
//
//   kWrite        u8 offset, u8 width, u32 value   width: on PciConfig the
//                                                  byte as an int8 (1, 2, 4
//                                                  valid); through the
//                                                  device byte % 8 bytes
//   kRead         u8 offset, u8 width
//   kWriteFar     u32 offset, u8 width, u32 value  offsets up to 2^32-1
//   kReadFar      u32 offset, u8 width
//   kSizeBar      u8 bar                           BAR sizing protocol on
//                                                  BAR (bar % 6): save, write
//                                                  ~0, read, restore
//   kReset        -                                PciConfig::Reset (direct
//                                                  path only)
//   kBytewise     u8 offset, 4 bytes               four 1-byte writes
#ifndef MTTY_FUZZ_CONFIG_SPACE_OPS_H_
#define MTTY_FUZZ_CONFIG_SPACE_OPS_H_

#include <cstdint>
#include <vector>

#include "fuzz/byte_reader.h"

namespace mtty::fuzz::cfg {

enum Op : uint8_t {
  kWrite = 0,
  kRead = 1,
  kWriteFar = 2,
  kReadFar = 3,
  kSizeBar = 4,
  kReset = 5,
  kBytewise = 6,
};
inline constexpr uint8_t kNumOps = 7;

inline constexpr uint8_t kSetupDualPort = 0x01;
inline constexpr uint8_t kSetupThroughDevice = 0x02;

class Input {
 public:
  Input(int nr_ports, bool through_device) {
    bytes_.push_back(
        static_cast<uint8_t>((nr_ports == 2 ? kSetupDualPort : 0) |
                             (through_device ? kSetupThroughDevice : 0)));
  }
  Input& Write(uint32_t offset, int width, uint32_t value) {
    if (offset > 0xff) {
      bytes_.push_back(kWriteFar);
      PutLe(bytes_, offset, 4);
    } else {
      bytes_.push_back(kWrite);
      bytes_.push_back(static_cast<uint8_t>(offset));
    }
    bytes_.push_back(static_cast<uint8_t>(width));
    PutLe(bytes_, value, 4);
    return *this;
  }
  Input& Read(uint32_t offset, int width) {
    if (offset > 0xff) {
      bytes_.push_back(kReadFar);
      PutLe(bytes_, offset, 4);
    } else {
      bytes_.push_back(kRead);
      bytes_.push_back(static_cast<uint8_t>(offset));
    }
    bytes_.push_back(static_cast<uint8_t>(width));
    return *this;
  }
  Input& SizeBar(int bar) {
    bytes_.push_back(kSizeBar);
    bytes_.push_back(static_cast<uint8_t>(bar));
    return *this;
  }
  Input& Reset() {
    bytes_.push_back(kReset);
    return *this;
  }
  Input& Bytewise(uint8_t offset, uint32_t value) {
    bytes_.push_back(kBytewise);
    bytes_.push_back(offset);
    PutLe(bytes_, value, 4);
    return *this;
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace mtty::fuzz::cfg

#endif  // MTTY_FUZZ_CONFIG_SPACE_OPS_H_
