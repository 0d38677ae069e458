// Copyright mtty-lab authors.
#include "core/hex.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace mtty {
namespace {

TEST(HexTest, DumpWritesPairsAndMarksWhatItLeftOut) {
  const uint8_t b[] = {0x0a, 0xff, 0x00};
  EXPECT_EQ(HexDump(b, 8), "0aff00");
  EXPECT_EQ(HexDump(b, 2), "0aff...");
  EXPECT_EQ(HexDump({}, 4), "");
}

TEST(HexTest, PadsToTheMinimumAndNeverTruncates) {
  EXPECT_EQ(Hex(0), "0x0");
  EXPECT_EQ(Hex(0, 2), "0x00");
  EXPECT_EQ(Hex(0x5, 2), "0x05");
  EXPECT_EQ(Hex(0xab, 2), "0xab");
  EXPECT_EQ(Hex(0x123, 2), "0x123");
  EXPECT_EQ(Hex(0x3f8, 3), "0x3f8");
  EXPECT_EQ(Hex(0x10000000000), "0x10000000000");
  EXPECT_EQ(Hex(0xffffffff, 8), "0xffffffff");
  EXPECT_EQ(Hex(UINT64_MAX, 16), "0xffffffffffffffff");
  EXPECT_EQ(Hex(0x1, 0), "0x1");
  EXPECT_EQ(Hex(0x1, -3), "0x1");
}

TEST(HexTest, DigitValues) {
  EXPECT_EQ(HexDigitValue('0'), 0);
  EXPECT_EQ(HexDigitValue('9'), 9);
  EXPECT_EQ(HexDigitValue('a'), 10);
  EXPECT_EQ(HexDigitValue('F'), 15);
  EXPECT_EQ(HexDigitValue('g'), -1);
  EXPECT_EQ(HexDigitValue('x'), -1);
  EXPECT_EQ(HexDigitValue(' '), -1);
  EXPECT_EQ(HexDigitValue('\0'), -1);
  EXPECT_EQ(HexDigitValue('\xff'), -1);
}

}  // namespace
}  // namespace mtty
