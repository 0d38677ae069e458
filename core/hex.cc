// Copyright mtty-lab authors.
#include "core/hex.h"

namespace mtty {

std::string Hex(uint64_t value, int min_digits) {
  char digits[16];
  int n = 0;
  do {
    digits[n++] = "0123456789abcdef"[value & 0xf];
    value >>= 4;
  } while (value != 0);
  std::string out = "0x";
  if (min_digits > n) out.append(static_cast<size_t>(min_digits - n), '0');
  while (n > 0) out += digits[--n];
  return out;
}

std::string HexDump(std::span<const uint8_t> bytes, size_t max_bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < bytes.size() && i < max_bytes; ++i) {
    s += kDigits[bytes[i] >> 4];
    s += kDigits[bytes[i] & 0xf];
  }
  if (bytes.size() > max_bytes) s += "...";
  return s;
}

}  // namespace mtty
