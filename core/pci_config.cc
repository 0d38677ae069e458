// Copyright mtty-lab authors.
#include "core/pci_config.h"

#include <cerrno>
#include <cstddef>

#if defined(MTTY_CANARY_CONFIG_OOB_READ)
#include <algorithm>
#include <memory>
#endif
#if defined(MTTY_CANARY_CONFIG_WRITE_OVERREAD)
#include <cstring>
#endif

namespace mtty {
namespace {

constexpr uint32_t kIdDword = 0x32534348;  // device 0x3253, vendor 0x4348
constexpr uint32_t kNumBars = 6;
constexpr char kVendorString[] = "PCI Serial/UART";  // at 0x60, no NUL
constexpr uint32_t kVendorStringOffset = 0x60;

bool IsBarByte(uint32_t offset) {
  return offset >= PciConfig::kBar0Offset && offset < PciConfig::kBar5End;
}

#if defined(MTTY_CANARY_CONFIG_WRITE_OVERREAD)
// Canary config_write_overread (tools/canary): the sample passes the
// address of a 1- or 2-byte stack value to a handler that loads 4 bytes.
[[gnu::noinline]] uint32_t CanaryLoadFourBytes(const uint8_t* buf) {
  uint32_t v;
  std::memcpy(&v, buf, sizeof(v));
  return v;
}
uint32_t CanaryOverReadWrite(int width, uint32_t value) {
  uint8_t v8 = static_cast<uint8_t>(value);
  uint16_t v16 = static_cast<uint16_t>(value);
  return CanaryLoadFourBytes(
      width == 1 ? &v8 : reinterpret_cast<const uint8_t*>(&v16));
}
#endif

}  // namespace

PciConfig::PciConfig(int nr_ports) : nr_ports_(nr_ports == 2 ? 2 : 1) {
  Reset();
}

void PciConfig::Reset() {
  bytes_.fill(0);
  StoreDword(0x00, kIdDword);
  bytes_[0x04] = 0x01;  // command: I/O space enabled
  bytes_[0x07] = 0x02;  // status 0x0200 (DEVSEL medium), no capability list
  bytes_[0x08] = 0x10;  // revision
  bytes_[0x09] = 0x02;  // prog-if: 16550-compatible
  bytes_[0x0a] = 0x00;  // subclass: serial controller
  bytes_[0x0b] = 0x07;  // class: simple communication controller
  StoreDword(kBar0Offset, 0x00000001);  // I/O BAR
  if (nr_ports_ == 2) StoreDword(kBar1Offset, 0x00000001);
  StoreDword(0x2c, kIdDword);  // subsystem vendor / subsystem id
  bytes_[0x34] = 0x00;         // no capabilities
  bytes_[0x3d] = 0x01;         // INTA#
  bytes_[0x40] = 0x23;
  bytes_[0x43] = 0x80;
  bytes_[0x44] = 0x23;
  bytes_[0x48] = 0x23;
  bytes_[0x4c] = 0x23;
  for (size_t i = 0; i + 1 < sizeof(kVendorString); ++i) {
    bytes_[kVendorStringOffset + i] = static_cast<uint8_t>(kVendorString[i]);
  }
}

bool PciConfig::InRange(uint32_t offset, int width) {
  if (width != 1 && width != 2 && width != 4) return false;
  // 64-bit sum: offset near UINT32_MAX must not wrap into range.
  return uint64_t{offset} + static_cast<uint64_t>(width) <= kRegionSize;
}

uint32_t PciConfig::LoadDword(uint32_t offset) const {
  uint32_t v = 0;
  for (uint32_t i = 0; i < 4; ++i) v |= uint32_t{bytes_[offset + i]} << (8 * i);
  return v;
}

void PciConfig::StoreDword(uint32_t offset, uint32_t value) {
  for (uint32_t i = 0; i < 4; ++i) {
    bytes_[offset + i] = static_cast<uint8_t>(value >> (8 * i));
  }
}

Result<uint32_t> PciConfig::Read(uint32_t offset, int width) const {
#if defined(MTTY_CANARY_CONFIG_OOB_READ)
  // Canary config_oob_read (tools/canary): the sample reads its
  // kzalloc(0xff) buffer at any offset.
  if (width != 1 && width != 2 && width != 4) return Status::Error(-EFAULT);
  auto heap = std::make_unique<uint8_t[]>(kRegionSize);
  std::copy(bytes_.begin(), bytes_.end(), heap.get());
  uint32_t canary_v = 0;
  for (int i = 0; i < width; ++i) {
    canary_v |= uint32_t{heap[offset + static_cast<uint32_t>(i)]} << (8 * i);
  }
  return canary_v;
#endif
  if (!InRange(offset, width)) return Status::Error(-EFAULT);
  uint32_t v = 0;
  for (int i = 0; i < width; ++i) {
    v |= uint32_t{bytes_[offset + static_cast<uint32_t>(i)]} << (8 * i);
  }
  return v;
}

Status PciConfig::Write(uint32_t offset, int width, uint32_t value) {
  if (!InRange(offset, width)) return Status::Error(-EFAULT);
#if defined(MTTY_CANARY_CONFIG_WRITE_OVERREAD)
  // Canary config_write_overread: a narrow write at a BAR is stored as the
  // 4 bytes the sample loads.
  if (width < 4 && (offset == kBar0Offset || offset == kBar1Offset)) {
    value = CanaryOverReadWrite(width, value);
    width = 4;
  }
#endif

  // BAR dwords are rebuilt from the old dword with the written bytes merged
  // in, then the BAR rule runs once per touched BAR. This replaces the
  // sample's 4-byte read of a 1- or 2-byte buffer.
  std::array<uint32_t, kNumBars> merged{};
  std::array<bool, kNumBars> touched{};
  for (uint32_t i = 0; i < static_cast<uint32_t>(width); ++i) {
    const uint32_t at = offset + i;
    const uint8_t byte = static_cast<uint8_t>(value >> (8 * i));
    if (IsBarByte(at)) {
      const uint32_t bar = (at - kBar0Offset) / 4;
      if (!touched[bar]) {
        merged[bar] = LoadDword(kBar0Offset + 4 * bar);
        touched[bar] = true;
      }
      const uint32_t shift = 8 * ((at - kBar0Offset) % 4);
      merged[bar] = (merged[bar] & ~(uint32_t{0xff} << shift)) |
                    (uint32_t{byte} << shift);
    } else if (at == kInterruptLineOffset) {
      bytes_[at] = byte;
    }
    // Every other byte is read-only: the sample ignores command and status
    // writes, the pin is hard-wired, and unlisted offsets are dropped.
  }
  for (uint32_t bar = 0; bar < kNumBars; ++bar) {
    if (touched[bar]) WriteBar(bar, merged[bar]);
  }
  return Status::Ok();
}

void PciConfig::WriteBar(uint32_t index, uint32_t merged) {
  const uint32_t at = kBar0Offset + 4 * index;
  const bool implemented = index == 0 || (index == 1 && nr_ports_ == 2);
  if (!implemented) {
    // The sample stores 0 (BAR1 of a single-port device, BAR2-4) or ignores
    // the write (BAR5); both leave the dword at its initial 0.
    StoreDword(at, 0);
    return;
  }
  uint32_t v = merged;
  // Only the exact all-ones sizing pattern is masked; any other value is
  // kept as written, as the sample does.
  if (v == 0xffffffff) v &= kIoBarMask;
  // The sample ORs in (not replaces with) the old low two bits: the I/O
  // indicator survives, and a reserved bit 1 once written sticks.
  v |= bytes_[at] & 0x3u;
  StoreDword(at, v);
}

bool PciConfig::ByteMayChange(uint32_t offset, int nr_ports) {
  if (offset >= kBar0Offset && offset < kBar0Offset + 4) return true;
  if (nr_ports == 2 && offset >= kBar1Offset && offset < kBar1Offset + 4) {
    return true;
  }
  return offset == kInterruptLineOffset;
}

}  // namespace mtty
