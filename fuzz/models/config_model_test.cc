// Copyright mtty-lab authors.
//
// ConfigModel against core/PCI_IRQ.md §1: initial bytes, the BAR rule and
// the read-only bytes, with values written from the document.
#include "fuzz/models/config_model.h"

#include "gtest/gtest.h"

namespace mtty::fuzz {
namespace {

TEST(ConfigModelTest, InitialBytes) {
  const ConfigModel one(1), two(2);
  EXPECT_EQ(one.Read(0x00, 4).value(), 0x32534348u);  // 4348:3253
  EXPECT_EQ(one.Read(0x08, 4).value(), 0x07000210u);  // rev 0x10, class 0x0700 prog-if 2
  EXPECT_EQ(one.Read(0x10, 4).value(), 0x00000001u);  // BAR0: I/O
  EXPECT_EQ(one.Read(0x14, 4).value(), 0u);           // no BAR1 on one port
  EXPECT_EQ(two.Read(0x14, 4).value(), 0x00000001u);
  EXPECT_EQ(one.Read(0x3d, 1).value(), 0x01u);        // INTA#
  EXPECT_EQ(one.Read(0x60, 1).value(), uint32_t{'P'});
}

TEST(ConfigModelTest, BarSizingAndStickyLowBits) {
  ConfigModel m(2);
  ASSERT_TRUE(m.Write(0x10, 4, 0xffffffff).ok());
  EXPECT_EQ(m.Read(0x10, 4).value(), 0xfffffff9u);  // 8-byte I/O BAR
  ASSERT_TRUE(m.Write(0x14, 4, 0xc000).ok());
  EXPECT_EQ(m.Read(0x14, 4).value(), 0xc001u);      // the I/O bit stays
  ASSERT_TRUE(m.Write(0x10, 4, 0x2).ok());
  EXPECT_EQ(m.Read(0x10, 4).value(), 0x3u);         // old low bits ORed back
}

TEST(ConfigModelTest, ReadOnlyBytesAndBounds) {
  ConfigModel m(1);
  ASSERT_TRUE(m.Write(0x00, 4, 0).ok());
  EXPECT_EQ(m.Read(0x00, 4).value(), 0x32534348u);
  ASSERT_TRUE(m.Write(0x14, 4, 0xffffffff).ok());
  EXPECT_EQ(m.Read(0x14, 4).value(), 0u);  // BAR1 absent on one port
  ASSERT_TRUE(m.Write(0x3c, 1, 0x0b).ok());
  EXPECT_EQ(m.Read(0x3c, 1).value(), 0x0bu);  // interrupt line is stored
  EXPECT_TRUE(m.Writable(0x3c));
  EXPECT_FALSE(m.Writable(0x3d));
  EXPECT_EQ(m.Read(0xfc, 4).status().code(), -EFAULT);  // touches 0xff
  EXPECT_EQ(m.Read(0x10, 3).status().code(), -EFAULT);
}

}  // namespace
}  // namespace mtty::fuzz
