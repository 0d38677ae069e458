// Copyright mtty-lab authors.
//
// PciConfig: the mtty device's PCI configuration space, the region the vfio
// device exposes at index VFIO_PCI_CONFIG_REGION_INDEX.
//
// Promises:
//  * The contents start as the kernel sample builds them
//    (mtty_create_config_space) and only the bytes listed in core/PCI_IRQ.md
//    ever change: BAR0, BAR1 on a dual-port device, and the interrupt line.
//  * Every access is bounds-checked against kRegionSize; a rejected access
//    changes nothing. No input can touch memory outside the 0xff bytes.
//  * Writes follow a per-byte rule (core/PCI_IRQ.md) that gives the sample's
//    results for the naturally aligned accesses a driver makes, where the
//    sample dispatches on the start offset alone.
//
// Not thread-safe; the owning device serialises access.
#ifndef MTTY_CORE_PCI_CONFIG_H_
#define MTTY_CORE_PCI_CONFIG_H_

#include <array>
#include <cstdint>
#include <span>

#include "core/status.h"

namespace mtty {

class PciConfig {
 public:
  // The sample allocates and reports 0xff bytes (not 256), so the last
  // dword of the standard header is one byte short.
  static constexpr uint32_t kRegionSize = 0xff;

  // Offsets of the registers the write rules care about.
  static constexpr uint32_t kBar0Offset = 0x10;
  static constexpr uint32_t kBar1Offset = 0x14;
  static constexpr uint32_t kBar5End = 0x28;  // one past BAR5
  static constexpr uint32_t kInterruptLineOffset = 0x3c;
  // An 8-byte I/O BAR: the sample's `~8 + 1`.
  static constexpr uint32_t kIoBarMask = 0xfffffff8;

  // Builds the sample's config space. BAR1 exists iff `nr_ports == 2`, the
  // sample's own test; every other value gives the single-port layout.
  explicit PciConfig(int nr_ports);

  // 1 or 2, as normalised by the constructor.
  int nr_ports() const { return nr_ports_; }

  // Little-endian read of `width` (1, 2 or 4) bytes at `offset`. Unaligned
  // offsets are allowed. -EFAULT when the width is anything else or any byte
  // of the access lies at or beyond kRegionSize.
  Result<uint32_t> Read(uint32_t offset, int width) const;
  // Writes the low `width` bytes of `value` (little-endian) under the rules
  // in core/PCI_IRQ.md. Same -EFAULT cases as Read; a failed write changes
  // nothing.
  Status Write(uint32_t offset, int width, uint32_t value);

  // Back to the initial contents.
  void Reset();

  // All kRegionSize bytes.
  std::span<const uint8_t> bytes() const { return bytes_; }

  // Whether some write could ever change byte `offset` of a device with
  // `nr_ports` ports (false for offsets outside the region). Fuzz oracles
  // use it to check that every other byte keeps its initial value.
  static bool ByteMayChange(uint32_t offset, int nr_ports);

  friend bool operator==(const PciConfig& a, const PciConfig& b) {
    return a.nr_ports_ == b.nr_ports_ && a.bytes_ == b.bytes_;
  }

 private:
  static bool InRange(uint32_t offset, int width);
  uint32_t LoadDword(uint32_t offset) const;
  void StoreDword(uint32_t offset, uint32_t value);
  // Applies the BAR rule to BAR `index` (0..5) given the dword the write
  // would leave there.
  void WriteBar(uint32_t index, uint32_t merged);

  int nr_ports_;
  std::array<uint8_t, kRegionSize> bytes_{};
};

}  // namespace mtty

#endif  // MTTY_CORE_PCI_CONFIG_H_
