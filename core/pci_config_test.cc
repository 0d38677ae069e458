// Copyright mtty-lab authors.
#include "core/pci_config.h"

#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <random>
#include <vector>

namespace mtty {
namespace {

constexpr uint32_t kSize = PciConfig::kRegionSize;

// The sample's config space, spelled out byte by byte.
std::vector<uint8_t> ExpectedInitial(int nr_ports) {
  std::vector<uint8_t> b(kSize, 0);
  b[0x00] = 0x48;
  b[0x01] = 0x43;
  b[0x02] = 0x53;
  b[0x03] = 0x32;
  b[0x04] = 0x01;
  b[0x07] = 0x02;
  b[0x08] = 0x10;
  b[0x09] = 0x02;
  b[0x0b] = 0x07;
  b[0x10] = 0x01;
  if (nr_ports == 2) b[0x14] = 0x01;
  b[0x2c] = 0x48;
  b[0x2d] = 0x43;
  b[0x2e] = 0x53;
  b[0x2f] = 0x32;
  b[0x3d] = 0x01;
  b[0x40] = 0x23;
  b[0x43] = 0x80;
  b[0x44] = 0x23;
  b[0x48] = 0x23;
  b[0x4c] = 0x23;
  const uint8_t text[] = {'P', 'C', 'I', ' ', 'S', 'e', 'r', 'i',
                          'a', 'l', '/', 'U', 'A', 'R', 'T'};
  for (size_t i = 0; i < sizeof(text); ++i) b[0x60 + i] = text[i];
  return b;
}

std::vector<uint8_t> Bytes(const PciConfig& c) {
  return {c.bytes().begin(), c.bytes().end()};
}

uint32_t Read(const PciConfig& c, uint32_t offset, int width) {
  Result<uint32_t> r = c.Read(offset, width);
  EXPECT_TRUE(r.ok()) << "offset " << offset << " width " << width;
  return r.ok() ? *r : 0xdeadbeef;
}

class PciConfigPortsTest : public ::testing::TestWithParam<int> {};
INSTANTIATE_TEST_SUITE_P(Ports, PciConfigPortsTest, ::testing::Values(1, 2));

TEST_P(PciConfigPortsTest, EveryInitialByteMatchesTheSample) {
  PciConfig c(GetParam());
  ASSERT_EQ(c.bytes().size(), kSize);
  const std::vector<uint8_t> want = ExpectedInitial(GetParam());
  for (uint32_t i = 0; i < kSize; ++i) {
    EXPECT_EQ(c.bytes()[i], want[i]) << "offset 0x" << std::hex << i;
    EXPECT_EQ(Read(c, i, 1), want[i]) << "offset 0x" << std::hex << i;
  }
}

TEST(PciConfigTest, IdentityRegistersReadAsTheSampleReports) {
  PciConfig c(1);
  EXPECT_EQ(Read(c, 0x00, 2), 0x4348u);  // vendor
  EXPECT_EQ(Read(c, 0x02, 2), 0x3253u);  // device
  EXPECT_EQ(Read(c, 0x00, 4), 0x32534348u);
  EXPECT_EQ(Read(c, 0x04, 2), 0x0001u);  // command
  EXPECT_EQ(Read(c, 0x06, 2), 0x0200u);  // status
  EXPECT_EQ(Read(c, 0x08, 4), 0x07000210u);
  EXPECT_EQ(Read(c, 0x10, 4), 0x00000001u);
  EXPECT_EQ(Read(c, 0x14, 4), 0x00000000u);
  EXPECT_EQ(Read(c, 0x2c, 4), 0x32534348u);
  EXPECT_EQ(Read(c, 0x34, 1), 0x00u);
  EXPECT_EQ(Read(c, 0x3c, 2), 0x0100u);  // line 0, pin INTA
  EXPECT_EQ(Read(PciConfig(2), 0x14, 4), 0x00000001u);
}

TEST(PciConfigTest, UnalignedReadsAreLittleEndian) {
  PciConfig c(1);
  EXPECT_EQ(Read(c, 0x01, 4), 0x01325343u);
  EXPECT_EQ(Read(c, 0x03, 2), 0x0132u);
  EXPECT_EQ(Read(c, 0x61, 2), 0x4943u);  // "CI"
}

TEST(PciConfigTest, PortCountOtherThanTwoBuildsSinglePortLayout) {
  for (int n : {0, -1, 3, 100}) {
    PciConfig c(n);
    EXPECT_EQ(c.nr_ports(), 1) << n;
    EXPECT_TRUE(c == PciConfig(1)) << n;
  }
  EXPECT_EQ(PciConfig(2).nr_ports(), 2);
}

// ---------------------------------------------------------------- BARs

TEST_P(PciConfigPortsTest, Bar0SizingReadsBackFffffff9) {
  PciConfig c(GetParam());
  ASSERT_TRUE(c.Write(0x10, 4, 0xffffffff).ok());
  EXPECT_EQ(Read(c, 0x10, 4), 0xfffffff9u);
  // The driver then restores an address.
  ASSERT_TRUE(c.Write(0x10, 4, 0x0000c000).ok());
  EXPECT_EQ(Read(c, 0x10, 4), 0x0000c001u);
}

TEST_P(PciConfigPortsTest, Bar0AddressKeepsTheIoBit) {
  PciConfig c(GetParam());
  ASSERT_TRUE(c.Write(0x10, 4, 0x0000c000).ok());
  EXPECT_EQ(Read(c, 0x10, 4), 0x0000c001u);
  ASSERT_TRUE(c.Write(0x10, 4, 0).ok());
  EXPECT_EQ(Read(c, 0x10, 4), 0x00000001u);
}

TEST(PciConfigTest, Bar1SizingOnDualPort) {
  PciConfig c(2);
  ASSERT_TRUE(c.Write(0x14, 4, 0xffffffff).ok());
  EXPECT_EQ(Read(c, 0x14, 4), 0xfffffff9u);
  ASSERT_TRUE(c.Write(0x14, 4, 0x0000c008).ok());
  EXPECT_EQ(Read(c, 0x14, 4), 0x0000c009u);
  EXPECT_EQ(Read(c, 0x10, 4), 0x00000001u);  // BAR0 untouched
}

TEST(PciConfigTest, Bar1OnSinglePortStaysZero) {
  PciConfig c(1);
  for (uint32_t v : {0xffffffffu, 0x0000c000u, 0x12345678u}) {
    ASSERT_TRUE(c.Write(0x14, 4, v).ok());
    EXPECT_EQ(Read(c, 0x14, 4), 0u) << std::hex << v;
  }
  ASSERT_TRUE(c.Write(0x15, 1, 0xff).ok());
  ASSERT_TRUE(c.Write(0x16, 2, 0xffff).ok());
  EXPECT_EQ(Read(c, 0x14, 4), 0u);
}

TEST_P(PciConfigPortsTest, Bars2To5StayZero) {
  PciConfig c(GetParam());
  for (uint32_t bar = 0x18; bar <= 0x24; bar += 4) {
    ASSERT_TRUE(c.Write(bar, 4, 0xffffffff).ok());
    ASSERT_TRUE(c.Write(bar, 4, 0x0000d001).ok());
    ASSERT_TRUE(c.Write(bar + 1, 1, 0xff).ok());
    EXPECT_EQ(Read(c, bar, 4), 0u) << std::hex << bar;
  }
}

TEST(PciConfigTest, BarValueOtherThanAllOnesIsStoredUnmasked) {
  struct Case {
    uint32_t written, stored;
  };
  for (const Case& k :
       {Case{0xfffffffe, 0xffffffff}, Case{0x1234567c, 0x1234567d},
        Case{0x00000004, 0x00000005},  // not 8-aligned: kept
        Case{0x8000fff0, 0x8000fff1}}) {
    PciConfig c(1);
    ASSERT_TRUE(c.Write(0x10, 4, k.written).ok());
    EXPECT_EQ(Read(c, 0x10, 4), k.stored) << std::hex << k.written;
  }
}

TEST(PciConfigTest, BarReservedBit1StickyOnceWritten) {
  // The sample ORs the old low two bits into every stored value.
  PciConfig c(1);
  ASSERT_TRUE(c.Write(0x10, 4, 0x0000c002).ok());
  EXPECT_EQ(Read(c, 0x10, 4), 0x0000c003u);
  ASSERT_TRUE(c.Write(0x10, 4, 0x0000c000).ok());
  EXPECT_EQ(Read(c, 0x10, 4), 0x0000c003u);
  ASSERT_TRUE(c.Write(0x10, 4, 0xffffffff).ok());
  EXPECT_EQ(Read(c, 0x10, 4), 0xfffffffbu);
  c.Reset();
  EXPECT_EQ(Read(c, 0x10, 4), 0x00000001u);
}

TEST(PciConfigTest, PartialBarWriteMergesIntoCurrentDword) {
  PciConfig c(1);
  ASSERT_TRUE(c.Write(0x12, 2, 0xabcd).ok());
  EXPECT_EQ(Read(c, 0x10, 4), 0xabcd0001u);
  ASSERT_TRUE(c.Write(0x11, 1, 0xc0).ok());
  EXPECT_EQ(Read(c, 0x10, 4), 0xabcdc001u);
  // Writing the low byte cannot clear the I/O bit.
  ASSERT_TRUE(c.Write(0x10, 1, 0x00).ok());
  EXPECT_EQ(Read(c, 0x10, 4), 0xabcdc001u);
}

TEST(PciConfigTest, BytewiseAllOnesSizingKeepsStickyBit1) {
  // Each byte write merges and runs the BAR rule. The first leaves 0xff,
  // whose bit 1 then sticks, so the all-ones dword the last write completes
  // sizes to 0xfffffffb, not 0xfffffff9 (drivers size with one dword write).
  PciConfig c(1);
  ASSERT_TRUE(c.Write(0x10, 1, 0xff).ok());
  EXPECT_EQ(Read(c, 0x10, 4), 0x000000ffu);
  ASSERT_TRUE(c.Write(0x11, 1, 0xff).ok());
  EXPECT_EQ(Read(c, 0x10, 4), 0x0000ffffu);
  ASSERT_TRUE(c.Write(0x12, 2, 0xffff).ok());
  EXPECT_EQ(Read(c, 0x10, 4), 0xfffffffbu);
}

TEST(PciConfigTest, UnalignedWriteAcrossTwoBarsAppliesEachRule) {
  PciConfig c(2);
  // Bytes 44 33 -> BAR0[2..3], 22 11 -> BAR1[0..1].
  ASSERT_TRUE(c.Write(0x12, 4, 0x11223344).ok());
  EXPECT_EQ(Read(c, 0x10, 4), 0x33440001u);
  EXPECT_EQ(Read(c, 0x14, 4), 0x00001123u);
}

TEST(PciConfigTest, UnalignedWriteAcrossReadOnlyAndBar) {
  PciConfig c(1);
  ASSERT_TRUE(c.Write(0x0e, 4, 0xc000ffff).ok());
  EXPECT_EQ(Read(c, 0x0c, 4), 0u);  // 0x0e/0x0f read-only
  EXPECT_EQ(Read(c, 0x10, 4), 0x0000c001u);
}

// ---------------------------------------------------- other registers

TEST(PciConfigTest, InterruptLineIsWritable) {
  PciConfig c(1);
  ASSERT_TRUE(c.Write(0x3c, 1, 0x0b).ok());
  EXPECT_EQ(Read(c, 0x3c, 1), 0x0bu);
  ASSERT_TRUE(c.Write(0x3c, 2, 0xff0a).ok());  // pin byte ignored
  EXPECT_EQ(Read(c, 0x3c, 2), 0x010au);
  ASSERT_TRUE(c.Write(0x3c, 4, 0xffffff05).ok());
  EXPECT_EQ(Read(c, 0x3c, 4), 0x00000105u);
}

TEST(PciConfigTest, InterruptPinIsReadOnly) {
  PciConfig c(1);
  ASSERT_TRUE(c.Write(0x3d, 1, 0x04).ok());
  EXPECT_EQ(Read(c, 0x3d, 1), 0x01u);
}

TEST(PciConfigTest, CommandAndStatusWritesAreIgnored) {
  PciConfig c(1);
  ASSERT_TRUE(c.Write(0x04, 2, 0x0007).ok());
  EXPECT_EQ(Read(c, 0x04, 2), 0x0001u);
  ASSERT_TRUE(c.Write(0x04, 2, 0x0000).ok());
  EXPECT_EQ(Read(c, 0x04, 2), 0x0001u);
  ASSERT_TRUE(c.Write(0x06, 2, 0xffff).ok());
  EXPECT_EQ(Read(c, 0x06, 2), 0x0200u);
  ASSERT_TRUE(c.Write(0x04, 4, 0xffffffff).ok());
  EXPECT_EQ(Read(c, 0x04, 4), 0x02000001u);
}

TEST(PciConfigTest, ByteMayChangeListsExactlyTheWritableBytes) {
  for (int ports : {1, 2}) {
    for (uint32_t i = 0; i < 0x200; ++i) {
      const bool want = (i >= 0x10 && i < 0x14) ||
                        (ports == 2 && i >= 0x14 && i < 0x18) || i == 0x3c;
      EXPECT_EQ(PciConfig::ByteMayChange(i, ports), want)
          << "ports " << ports << " offset 0x" << std::hex << i;
    }
    EXPECT_FALSE(PciConfig::ByteMayChange(UINT32_MAX, ports));
  }
}

TEST_P(PciConfigPortsTest, EveryReadOnlyByteIgnoresEveryWrite) {
  const int ports = GetParam();
  const std::vector<uint8_t> initial = ExpectedInitial(ports);
  for (int width : {1, 2, 4}) {
    for (uint32_t off = 0; off + width <= kSize; ++off) {
      for (uint32_t value : {0xffffffffu, 0x00000000u, 0x5a5aa5a5u}) {
        PciConfig c(ports);
        ASSERT_TRUE(c.Write(off, width, value).ok());
        for (uint32_t i = 0; i < kSize; ++i) {
          if (PciConfig::ByteMayChange(i, ports)) continue;
          ASSERT_EQ(c.bytes()[i], initial[i])
              << "write w" << width << " @0x" << std::hex << off << " = 0x"
              << value << " changed 0x" << i;
        }
      }
    }
  }
}

// ------------------------------------------------------- bad accesses

TEST(PciConfigTest, OutOfRangeReadsFault) {
  PciConfig c(2);
  const Status efault = Status::Error(-EFAULT);
  EXPECT_EQ(c.Read(0xff, 1).status(), efault);
  EXPECT_EQ(c.Read(0x100, 1).status(), efault);
  EXPECT_EQ(c.Read(0xfe, 2).status(), efault);
  EXPECT_EQ(c.Read(0xfc, 4).status(), efault);  // the sample over-reads here
  EXPECT_EQ(c.Read(0xfd, 4).status(), efault);
  EXPECT_EQ(c.Read(UINT32_MAX, 1).status(), efault);
  EXPECT_EQ(c.Read(UINT32_MAX - 1, 4).status(), efault);
  // The last bytes that do fit.
  EXPECT_EQ(Read(c, 0xfe, 1), 0u);
  EXPECT_EQ(Read(c, 0xfd, 2), 0u);
  EXPECT_EQ(Read(c, 0xfb, 4), 0u);
}

TEST(PciConfigTest, OutOfRangeWritesFaultAndChangeNothing) {
  PciConfig c(2);
  const std::vector<uint8_t> before = Bytes(c);
  const Status efault = Status::Error(-EFAULT);
  EXPECT_EQ(c.Write(0xff, 1, 0xff), efault);
  EXPECT_EQ(c.Write(0xfe, 2, 0xffff), efault);
  EXPECT_EQ(c.Write(0xfc, 4, 0xffffffff), efault);
  EXPECT_EQ(c.Write(UINT32_MAX, 4, 0xffffffff), efault);
  // Aliases of writable registers beyond the region (the sample truncates
  // the offset to 16 bits and would hit BAR0 / the interrupt line).
  EXPECT_EQ(c.Write(0x10010, 4, 0xffffffff), efault);
  EXPECT_EQ(c.Write(0x1003c, 1, 0x0b), efault);
  EXPECT_EQ(Bytes(c), before);
}

TEST(PciConfigTest, WidthsOtherThan124Fault) {
  PciConfig c(2);
  const std::vector<uint8_t> before = Bytes(c);
  const Status efault = Status::Error(-EFAULT);
  for (int width : {0, 3, 5, 8, -1, -4}) {
    EXPECT_EQ(c.Read(0x10, width).status(), efault) << width;
    EXPECT_EQ(c.Write(0x10, width, 0xffffffff), efault) << width;
    EXPECT_EQ(c.Write(0x3c, width, 0x0b), efault) << width;
  }
  EXPECT_EQ(Bytes(c), before);
}

// ------------------------------------------------- reset and equality

TEST_P(PciConfigPortsTest, ResetRestoresInitialContents) {
  PciConfig c(GetParam());
  ASSERT_TRUE(c.Write(0x10, 4, 0xffffffff).ok());
  ASSERT_TRUE(c.Write(0x14, 4, 0x0000c000).ok());
  ASSERT_TRUE(c.Write(0x3c, 1, 0x0b).ok());
  c.Reset();
  EXPECT_EQ(Bytes(c), ExpectedInitial(GetParam()));
  EXPECT_TRUE(c == PciConfig(GetParam()));
}

TEST(PciConfigTest, EqualityComparesContentsAndPortCount) {
  PciConfig a(1), b(1);
  EXPECT_TRUE(a == b);
  ASSERT_TRUE(a.Write(0x3c, 1, 0x0b).ok());
  EXPECT_FALSE(a == b);
  ASSERT_TRUE(b.Write(0x3c, 1, 0x0b).ok());
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(PciConfig(1) == PciConfig(2));
}

// ------------------------------- agreement with the sample's dispatch

// handle_pci_cfg_write as the sample writes it, for the accesses where it is
// well defined: any 4-byte aligned write, and 1/2-byte aligned writes outside
// the BAR dwords (where it would read 4 bytes from a shorter buffer).
void SampleWrite(std::vector<uint8_t>& cfg, int nr_ports, uint32_t off,
                 uint32_t value) {
  auto store = [&](uint32_t at, uint32_t v) {
    for (uint32_t i = 0; i < 4; ++i) cfg[at + i] = uint8_t(v >> (8 * i));
  };
  switch (off) {
    case 0x3c:
      cfg[0x3c] = static_cast<uint8_t>(value);
      break;
    case 0x10:
    case 0x14: {
      if (nr_ports == 1 && off == 0x14) {
        store(off, 0);
        break;
      }
      uint32_t v = value;
      if (v == 0xffffffff) v &= 0xfffffff8;
      v |= cfg[off] & 0x3u;
      store(off, v);
      break;
    }
    case 0x18:
    case 0x1c:
    case 0x20:
      store(off, 0);
      break;
    default:  // 0x04, 0x06, 0x3d and everything else: ignored
      break;
  }
}

TEST_P(PciConfigPortsTest, AgreesWithSampleOnAlignedDriverAccesses) {
  const int ports = GetParam();
  std::mt19937 rng(1234 + ports);
  PciConfig c(ports);
  std::vector<uint8_t> model = ExpectedInitial(ports);
  const uint32_t interesting[] = {0xffffffff, 0x0000c000, 0x0000c002,
                                  0xfffffffe, 0x00000000, 0x12345678};
  for (int step = 0; step < 20000; ++step) {
    const int width = 1 << (rng() % 3);
    uint32_t off = (rng() % kSize) & ~static_cast<uint32_t>(width - 1);
    // Bias towards the registers that do something.
    if (rng() % 2 == 0) off = 0x10 + 4 * (rng() % 12);
    if (off + width > kSize) continue;
    if (width < 4 && off >= 0x10 && off < 0x28) continue;  // sample UB
    uint32_t value = rng() % 2 ? interesting[rng() % 6] : rng();
    if (width < 4) value &= (1u << (8 * width)) - 1;
    ASSERT_TRUE(c.Write(off, width, value).ok());
    SampleWrite(model, ports, off, value);
    ASSERT_EQ(Bytes(c), model) << "step " << step << " w" << width << " @0x"
                               << std::hex << off << " = 0x" << value;
  }
}

}  // namespace
}  // namespace mtty
