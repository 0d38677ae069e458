// Copyright mtty-lab authors.
#include "fuzz/models/config_model.h"

#include <cerrno>
#include <cstring>
#include <initializer_list>

namespace mtty::fuzz {

ConfigModel::ConfigModel(int nr_ports) : nr_ports_(nr_ports == 2 ? 2 : 1) {
  Reset();
}

void ConfigModel::Reset() {
  bytes_.fill(0);
  auto put = [&](uint32_t at, std::initializer_list<uint8_t> values) {
    for (uint8_t v : values) bytes_[at++] = v;
  };
  put(0x00, {0x48, 0x43, 0x53, 0x32});  // vendor 0x4348, device 0x3253
  put(0x04, {0x01, 0x00});              // command: I/O space
  put(0x06, {0x00, 0x02});              // status 0x0200
  put(0x08, {0x10, 0x02, 0x00, 0x07});  // revision, prog-if, class
  put(0x10, {0x01, 0x00, 0x00, 0x00});  // BAR0: I/O
  if (nr_ports_ == 2) put(0x14, {0x01, 0x00, 0x00, 0x00});
  put(0x2c, {0x48, 0x43, 0x53, 0x32});  // subsystem ids
  put(0x3d, {0x01});                    // INTA#
  put(0x40, {0x23});
  put(0x43, {0x80});
  put(0x44, {0x23});
  put(0x48, {0x23});
  put(0x4c, {0x23});
  const char* text = "PCI Serial/UART";
  std::memcpy(&bytes_[0x60], text, std::strlen(text));
}

bool ConfigModel::Writable(uint32_t offset) const {
  if (offset >= 0x10 && offset < 0x14) return true;
  if (offset >= 0x14 && offset < 0x18) return nr_ports_ == 2;
  return offset == 0x3c;
}

Result<uint32_t> ConfigModel::Read(uint32_t offset, int width) const {
  if ((width != 1 && width != 2 && width != 4) ||
      uint64_t{offset} + static_cast<uint64_t>(width) > kSize) {
    return Status::Error(-EFAULT);
  }
  uint32_t v = 0;
  for (int i = 0; i < width; ++i) v |= uint32_t{bytes_[offset + i]} << (8 * i);
  return v;
}

Status ConfigModel::Write(uint32_t offset, int width, uint32_t value) {
  if ((width != 1 && width != 2 && width != 4) ||
      uint64_t{offset} + static_cast<uint64_t>(width) > kSize) {
    return Status::Error(-EFAULT);
  }
  // Each byte by its own offset; BAR bytes are merged into a copy of their
  // BAR's dword, and each touched BAR's rule runs once at the end.
  std::array<uint8_t, 24> bars;
  std::memcpy(bars.data(), &bytes_[0x10], bars.size());
  bool touched[6] = {};
  for (int i = 0; i < width; ++i) {
    const uint32_t at = offset + i;
    const uint8_t b = static_cast<uint8_t>(value >> (8 * i));
    if (at >= 0x10 && at < 0x28) {
      bars[at - 0x10] = b;
      touched[(at - 0x10) / 4] = true;
    } else if (at == 0x3c) {
      bytes_[at] = b;
    }
  }
  for (int bar = 0; bar < 6; ++bar) {
    if (!touched[bar]) continue;
    if (bar != 0 && !(bar == 1 && nr_ports_ == 2)) continue;  // stays 0
    const uint32_t at = 0x10 + 4 * bar;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{bars[4 * bar + i]} << (8 * i);
    if (v == 0xffffffff) v &= 0xfffffff8;  // 8-byte I/O BAR sizing
    v |= bytes_[at] & 0x3;                 // old low bits ORed back
    for (int i = 0; i < 4; ++i)
      bytes_[at + i] = static_cast<uint8_t>(v >> (8 * i));
  }
  return Status::Ok();
}

}  // namespace mtty::fuzz
