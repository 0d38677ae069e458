// Copyright mtty-lab authors.
//
// The migration_stream input format and its encoder.
//
//   byte 0  setup: bit 0 dual-port, bit 1 profile 16550a
//   then    an opcode byte (modulo kNumOps) and operands:
//
//   kSetState     u8 target (% 10: 0..7 are states, 8 and 9 out of range)
//   kWrite        u8 len, len bytes   a chunk into the current resume file
//   kWriteHeader  u8 split            this device's 24-byte header, in two
//                                     chunks split at (split % 25)
//   kWriteSaved   u8 chunk            everything read so far from the last
//                                     save file, in chunks of chunk % 64 + 1
//   kWriteMutated u8 at, u8 xor       the same, whole, one byte xored
//   kRead         u8 len              len bytes from the current save file
//   kPort         u8 sel, u8 value    a BAR write: register sel & 7, port
//                                     (sel >> 3) & 1; sel bit 4 makes it a
//                                     read
//   kTime         u32 ns              AdvanceTime
//   kReset        -                   VFIO_DEVICE_RESET
//   kClose        -                   close_device
//   kRoundTrip    u8 chunk            to STOP_COPY, read the whole stream,
//                                     resume it into a fresh device in
//                                     chunks of chunk % 64 + 1, compare
//   kPrecopyInfo  u8 len              VFIO_MIG_GET_PRECOPY_INFO on the save
//                                     file, argsz 24, a len % 32 byte buffer
//   kSeek         u8 which, u64 off   pread/pwrite at off on a file
#ifndef MTTY_FUZZ_MIGRATION_STREAM_OPS_H_
#define MTTY_FUZZ_MIGRATION_STREAM_OPS_H_

#include <cstdint>
#include <span>
#include <vector>

#include "fuzz/byte_reader.h"

namespace mtty::fuzz::mst {

enum Op : uint8_t {
  kSetState = 0,
  kWrite = 1,
  kWriteHeader = 2,
  kWriteSaved = 3,
  kWriteMutated = 4,
  kRead = 5,
  kPort = 6,
  kTime = 7,
  kReset = 8,
  kClose = 9,
  kRoundTrip = 10,
  kPrecopyInfo = 11,
  kSeek = 12,
};
inline constexpr uint8_t kNumOps = 13;

inline constexpr uint8_t kSetupDualPort = 0x01;
inline constexpr uint8_t kSetup16550a = 0x02;

class Input {
 public:
  Input(int nr_ports, bool profile_16550a) {
    bytes_.push_back(static_cast<uint8_t>((nr_ports == 2 ? kSetupDualPort : 0) |
                                          (profile_16550a ? kSetup16550a : 0)));
  }
  Input& SetState(uint8_t target) { return Op1(kSetState, target); }
  Input& Write(std::span<const uint8_t> chunk) {
    bytes_.push_back(kWrite);
    bytes_.push_back(static_cast<uint8_t>(chunk.size()));
    bytes_.insert(bytes_.end(), chunk.begin(),
                  chunk.begin() + (chunk.size() & 0xff));
    return *this;
  }
  Input& WriteHeader(uint8_t split) { return Op1(kWriteHeader, split); }
  Input& WriteSaved(uint8_t chunk) { return Op1(kWriteSaved, chunk); }
  Input& WriteMutated(uint8_t at, uint8_t x) {
    Op1(kWriteMutated, at);
    bytes_.push_back(x);
    return *this;
  }
  Input& Read(uint8_t len) { return Op1(kRead, len); }
  Input& Port(int port, uint8_t reg, uint8_t value) {
    Op1(kPort, static_cast<uint8_t>((reg & 7) | (port ? 8 : 0)));
    bytes_.push_back(value);
    return *this;
  }
  Input& PortRead(int port, uint8_t reg) {
    Op1(kPort, static_cast<uint8_t>((reg & 7) | (port ? 8 : 0) | 0x10));
    bytes_.push_back(0);
    return *this;
  }
  Input& Time(uint32_t ns) {
    bytes_.push_back(kTime);
    PutLe(bytes_, ns, 4);
    return *this;
  }
  Input& Reset() { return Op0(kReset); }
  Input& Close() { return Op0(kClose); }
  Input& RoundTrip(uint8_t chunk) { return Op1(kRoundTrip, chunk); }
  Input& PrecopyInfo(uint8_t len) { return Op1(kPrecopyInfo, len); }
  Input& Seek(uint8_t which, uint64_t offset) {
    Op1(kSeek, which);
    PutLe(bytes_, offset, 8);
    return *this;
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  Input& Op0(uint8_t op) {
    bytes_.push_back(op);
    return *this;
  }
  Input& Op1(uint8_t op, uint8_t a) {
    bytes_.push_back(op);
    bytes_.push_back(a);
    return *this;
  }
  std::vector<uint8_t> bytes_;
};

}  // namespace mtty::fuzz::mst

#endif  // MTTY_FUZZ_MIGRATION_STREAM_OPS_H_
