// Copyright mtty-lab authors.
//
// Hexadecimal numbers as the tools and the conformance suite spell them in
// messages and canonical text, so every file writes and reads them alike.
//
// Promises:
//  * Hex(v, n) is "0x", then v in lowercase hex digits, zero-padded on the
//    left to at least n digits and never cut short: Hex(0x5, 2) == "0x05",
//    Hex(0x123, 2) == "0x123", Hex(0) == "0x0".
//  * HexDump(bytes, max) is two lowercase digits per byte, no prefix or
//    separator, for at most `max` bytes, then "..." if bytes were left out:
//    HexDump({0x0a, 0xff}, 8) == "0aff", HexDump({1, 2, 3}, 2) == "0102...".
//  * HexDigitValue(c) is 0..15 for '0'-'9', 'a'-'f' and 'A'-'F', and -1 for
//    every other char.
#ifndef MTTY_CORE_HEX_H_
#define MTTY_CORE_HEX_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace mtty {

std::string Hex(uint64_t value, int min_digits = 1);

std::string HexDump(std::span<const uint8_t> bytes, size_t max_bytes);

constexpr int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace mtty

#endif  // MTTY_CORE_HEX_H_
