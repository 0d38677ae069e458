// Copyright mtty-lab authors.
//
// Random bar_access inputs of a fixed number of operations with a
// driver-like mix (mostly register reads and writes, some wide accesses,
// config reads, time, invalid accesses and ioctls), for benchmarks.
#ifndef MTTY_FUZZ_BAR_ACCESS_RANDOM_H_
#define MTTY_FUZZ_BAR_ACCESS_RANDOM_H_

#include <cstdint>
#include <random>
#include <vector>

#include "core/uart16550.h"
#include "core/vfio_uapi.h"
#include "fuzz/bar_access/ops.h"

namespace mtty::fuzz::bar {

inline std::vector<uint8_t> RandomInput(std::mt19937& rng, Profile profile,
                                        int nr_ports, int ops) {
  Input in(nr_ports, profile,
           rng() % 3 == 0 ? IrqSetup::kMsi : IrqSetup::kIntx);
  for (int op = 0; op < ops; ++op) {
    const int port = static_cast<int>(rng() % nr_ports);
    const uint8_t reg = static_cast<uint8_t>(rng() % 8);
    const uint8_t value = static_cast<uint8_t>(rng());
    const unsigned r = rng() % 100;
    if (r < 40) {
      in.Write(port, reg, value);
    } else if (r < 70) {
      in.Read(port, reg);
    } else if (r < 75) {
      in.WriteWide(port, static_cast<uint8_t>(reg & 4), 4, rng());
    } else if (r < 80) {
      in.Read(port, static_cast<uint8_t>(reg & 6), 2);
    } else if (r < 85) {
      in.ConfigRead(static_cast<uint8_t>(rng() % 0xfc), 4);
    } else if (r < 88) {
      in.ConfigWrite(0x3c, 1, value);
    } else if (r < 93) {
      in.AdvanceNs(rng() % 2'000'000);
    } else if (r < 96) {
      in.RawRead(vfio::RegionOffset(rng() % 10) + rng() % 16, 1);
    } else {
      in.IoctlOp(rng() % 2 ? kIntxUnmask : kGetIrqInfo, 0);
    }
  }
  return in.bytes();
}

}  // namespace mtty::fuzz::bar

#endif  // MTTY_FUZZ_BAR_ACCESS_RANDOM_H_
