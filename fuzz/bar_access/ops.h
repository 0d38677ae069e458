// Copyright mtty-lab authors.
//
// The bar_access input format, and an encoder for it (seeds, benchmarks,
// tests). The decoder is in harness.cc; README.md here has the same table
// in prose.
//
//   byte 0        setup: bit 0 dual-port, bit 1 profile 16550a, bit 2 issue
//                 GET_INFO first, bits 4:3 interrupts at start (0 none,
//                 1 INTx eventfd, 2 MSI eventfd, 3 INTx eventfd)
//   then ops      an opcode byte (taken modulo kNumOps) and its operands:
//
//   kWrite        sel, then len(sel) data bytes      BAR write
//   kRead         sel                                 BAR read
//   kWriteRepeat  sel, value, count                   count % 33 1-byte writes
//   kReadRepeat   sel, count                          count % 33 1-byte reads
//   kConfigWrite  offset, lencode, len data bytes     config-space write
//   kConfigRead   offset, lencode                     config-space read
//   kRaw          ctl, u64 pos, [len data bytes]      any region, any offset
//   kTime         unit, u32 value                     AdvanceTime
//   kIoctl        which, [index]                      an ioctl from a menu
//
//   sel      bits 2:0 register, bit 3 port (BAR0 / BAR1), bits 5:4 lencode
//   lencode  0,1 -> 1 byte, 2 -> 2 bytes, 3 -> 4 bytes
//   ctl      bit 0 write, bits 4:1 length 0..15
//   unit     % 4: ns, us, ms, s
#ifndef MTTY_FUZZ_BAR_ACCESS_OPS_H_
#define MTTY_FUZZ_BAR_ACCESS_OPS_H_

#include <cstdint>
#include <span>
#include <vector>

#include "core/uart16550.h"
#include "core/vfio_uapi.h"
#include "fuzz/byte_reader.h"

namespace mtty::fuzz::bar {

enum Op : uint8_t {
  kWrite = 0,
  kRead = 1,
  kWriteRepeat = 2,
  kReadRepeat = 3,
  kConfigWrite = 4,
  kConfigRead = 5,
  kRaw = 6,
  kTime = 7,
  kIoctl = 8,
};
inline constexpr uint8_t kNumOps = 9;

// Setup byte.
inline constexpr uint8_t kSetupDualPort = 0x01;
inline constexpr uint8_t kSetup16550a = 0x02;
inline constexpr uint8_t kSetupGetInfo = 0x04;
enum class IrqSetup : uint8_t { kNone = 0, kIntx = 1, kMsi = 2 };

// The ioctl menu (operand `which` % kNumIoctls).
enum Ioctl : uint8_t {
  kGetInfo = 0,
  kReset = 1,
  kIntxEventfd = 2,     // INTx TRIGGER EVENTFD, eventfd A
  kMsiEventfd = 3,      // MSI TRIGGER EVENTFD, eventfd B
  kIntxMask = 4,        // INTx MASK DATA_NONE
  kIntxUnmask = 5,      // INTx UNMASK DATA_NONE
  kIntxDisable = 6,     // INTx TRIGGER DATA_NONE count 0
  kMsiDisable = 7,      // MSI TRIGGER DATA_NONE count 0
  kIntxLoopback = 8,    // INTx TRIGGER DATA_NONE count 1
  kMsiLoopback = 9,     // MSI TRIGGER DATA_NONE count 1
  kIntxFdMinus1 = 10,   // INTx TRIGGER EVENTFD fd -1 (disable)
  kIntxBadFd = 11,      // INTx TRIGGER EVENTFD, an fd nobody opened
  kMsiNotEventfd = 12,  // MSI TRIGGER EVENTFD, an open non-eventfd
  kGetIrqInfo = 13,     // operand: index
  kGetRegionInfo = 14,  // operand: index
  kClose = 15,          // close_device
};
inline constexpr uint8_t kNumIoctls = 16;

// The fake descriptor table every run uses.
inline constexpr int32_t kEventfdA = 3;
inline constexpr int32_t kEventfdB = 4;
inline constexpr int32_t kNotEventfd = 5;
inline constexpr int32_t kClosedFd = 9;

inline constexpr int LenFromCode(uint8_t code) {
  return code == 3 ? 4 : code == 2 ? 2 : 1;
}
inline constexpr uint8_t CodeFromLen(int len) {
  return len == 4 ? 3 : len == 2 ? 2 : 0;
}
inline constexpr uint8_t Sel(int port, uint8_t reg, int len = 1) {
  return static_cast<uint8_t>((reg & 7) | (port ? 0x08 : 0) |
                              (CodeFromLen(len) << 4));
}

// Builds an input op by op.
class Input {
 public:
  Input(int nr_ports, Profile profile, IrqSetup irq = IrqSetup::kNone,
        bool get_info = true) {
    uint8_t setup = 0;
    if (nr_ports == 2) setup |= kSetupDualPort;
    if (profile == Profile::k16550a) setup |= kSetup16550a;
    if (get_info) setup |= kSetupGetInfo;
    setup |= static_cast<uint8_t>(static_cast<uint8_t>(irq) << 3);
    bytes_.push_back(setup);
  }

  Input& Write(int port, uint8_t reg, uint8_t value) {
    return Put3(kWrite, Sel(port, reg), value);
  }
  // A 2- or 4-byte write at `reg` of `value` (little-endian).
  Input& WriteWide(int port, uint8_t reg, int len, uint32_t value) {
    bytes_.push_back(kWrite);
    bytes_.push_back(Sel(port, reg, len));
    PutLe(bytes_, value, len);
    return *this;
  }
  Input& Read(int port, uint8_t reg, int len = 1) {
    bytes_.push_back(kRead);
    bytes_.push_back(Sel(port, reg, len));
    return *this;
  }
  Input& WriteRepeat(int port, uint8_t reg, uint8_t value, uint8_t count) {
    bytes_.push_back(kWriteRepeat);
    return Put3(Sel(port, reg), value, count);
  }
  Input& ReadRepeat(int port, uint8_t reg, uint8_t count) {
    return Put3(kReadRepeat, Sel(port, reg), count);
  }
  Input& ConfigWrite(uint8_t offset, int len, uint32_t value) {
    Put3(kConfigWrite, offset, CodeFromLen(len));
    PutLe(bytes_, value, len);
    return *this;
  }
  Input& ConfigRead(uint8_t offset, int len) {
    return Put3(kConfigRead, offset, CodeFromLen(len));
  }
  Input& RawRead(uint64_t pos, int len) {
    bytes_.push_back(kRaw);
    bytes_.push_back(static_cast<uint8_t>((len & 15) << 1));
    PutLe(bytes_, pos, 8);
    return *this;
  }
  Input& RawWrite(uint64_t pos, std::span<const uint8_t> data) {
    bytes_.push_back(kRaw);
    bytes_.push_back(static_cast<uint8_t>(((data.size() & 15) << 1) | 1));
    PutLe(bytes_, pos, 8);
    for (size_t i = 0; i < (data.size() & 15); ++i) bytes_.push_back(data[i]);
    return *this;
  }
  // Exact for ns < 2^32; otherwise rounded down to the coarsest unit.
  Input& AdvanceNs(uint64_t ns) {
    bytes_.push_back(kTime);
    static constexpr uint64_t kUnits[4] = {1, 1000, 1000000, 1000000000};
    int unit = 0;
    while (unit < 3 && ns / kUnits[unit] > 0xffffffffu) ++unit;
    bytes_.push_back(static_cast<uint8_t>(unit));
    PutLe(bytes_, ns / kUnits[unit], 4);
    return *this;
  }
  Input& IoctlOp(Ioctl which, uint8_t index = 0) {
    bytes_.push_back(kIoctl);
    bytes_.push_back(which);
    if (which == kGetIrqInfo || which == kGetRegionInfo) {
      bytes_.push_back(index);
    }
    return *this;
  }

  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  Input& Put3(uint8_t a, uint8_t b, uint8_t c) {
    bytes_.push_back(a);
    bytes_.push_back(b);
    bytes_.push_back(c);
    return *this;
  }

  std::vector<uint8_t> bytes_;
};

}  // namespace mtty::fuzz::bar

#endif  // MTTY_FUZZ_BAR_ACCESS_OPS_H_
