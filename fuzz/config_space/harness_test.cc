// Copyright mtty-lab authors.
//
// The config_space oracles, each shown to fire on a config space (or
// device) with one rule deliberately broken, and silent on the real one.
#include "fuzz/config_space/harness.h"

#include <gtest/gtest.h>

#include <random>

#include "core/vfio_uapi.h"
#include "fuzz/config_space/ops.h"

namespace mtty::fuzz {
namespace {

using cfg::Input;

template <typename Broken>
ConfigSpaceOptions WithConfig() {
  ConfigSpaceOptions options;
  options.config = [](int nr_ports) {
    return std::make_unique<Broken>(nr_ports);
  };
  return options;
}

std::string Oracle(const MaybeFinding& f) { return f ? f->oracle : "none"; }

TEST(ConfigModelTest, InitialBytesAndBarRule) {
  ConfigModel m(2);
  EXPECT_EQ(m.Read(0x00, 4).value(), 0x32534348u);
  EXPECT_EQ(m.Read(0x14, 4).value(), 0x00000001u);
  EXPECT_EQ(m.Read(0x60, 4).value(), 0x20494350u);  // "PCI "
  ASSERT_TRUE(m.Write(0x10, 4, 0xffffffff).ok());
  EXPECT_EQ(m.Read(0x10, 4).value(), 0xfffffff9u);
  ASSERT_TRUE(m.Write(0x10, 4, 0x0000c002).ok());
  ASSERT_TRUE(m.Write(0x10, 4, 0x0000c000).ok());
  EXPECT_EQ(m.Read(0x10, 4).value(), 0x0000c003u);  // bit 1 sticks
  ASSERT_TRUE(m.Write(0x0e, 4, 0xaabbccdd).ok());   // straddles into BAR0
  EXPECT_EQ(m.Read(0x10, 4).value(), 0x0000aabbu | 0x3);
  EXPECT_EQ(m.Write(0xfc, 4, 0).code(), -EFAULT);
  EXPECT_EQ(m.Read(0, 3).status().code(), -EFAULT);
  ConfigModel single(1);
  ASSERT_TRUE(single.Write(0x14, 4, 0xffffffff).ok());
  EXPECT_EQ(single.Read(0x14, 4).value(), 0u);
}

// Sizing masks with the memory-BAR mask (0xfffffff0).
class MemoryMaskSizing : public RealPciConfig {
 public:
  using RealPciConfig::RealPciConfig;
  Status Write(uint32_t offset, int width, uint32_t value) override {
    if (offset == 0x10 && width == 4 && value == 0xffffffff) {
      return RealPciConfig::Write(offset, width, 0xfffffff0);
    }
    return RealPciConfig::Write(offset, width, value);
  }
};

TEST(ConfigSpaceOracleTest, BarSizing) {
  Input in(1, false);
  in.SizeBar(0);
  EXPECT_EQ(Oracle(RunConfigSpace(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunConfigSpace(in.bytes(), WithConfig<MemoryMaskSizing>())),
            "bar-sizing");
}

// The BAR rule replaces the old low bits instead of ORing them.
class LowBitsReplaced : public RealPciConfig {
 public:
  using RealPciConfig::RealPciConfig;
  Status Write(uint32_t offset, int width, uint32_t value) override {
    if (offset == 0x10 && width == 4 && value != 0xffffffff) {
      Status s = RealPciConfig::Write(offset, width, value);
      const uint32_t fixed = (value & ~3u) | 1u;
      RealPciConfig::Reset();  // forget the sticky bit, then store `fixed`
      (void)RealPciConfig::Write(offset, width, fixed);
      return s;
    }
    return RealPciConfig::Write(offset, width, value);
  }
};

TEST(ConfigSpaceOracleTest, BytesMatchTheRules) {
  Input in(1, false);
  in.Write(0x10, 4, 0xc002).Write(0x10, 4, 0xc000);
  EXPECT_EQ(Oracle(RunConfigSpace(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunConfigSpace(in.bytes(), WithConfig<LowBitsReplaced>())),
            "config-bytes-match-rules");
}

// The revision byte takes writes.
class WritableRevision : public RealPciConfig {
 public:
  using RealPciConfig::RealPciConfig;
  Status Write(uint32_t offset, int width, uint32_t value) override {
    if (offset == 0x08 && width == 1) revision_ = static_cast<uint8_t>(value);
    return RealPciConfig::Write(offset, width, value);
  }
  std::vector<uint8_t> bytes() const override {
    std::vector<uint8_t> b = RealPciConfig::bytes();
    if (revision_) b[0x08] = *revision_;
    return b;
  }

 private:
  std::optional<uint8_t> revision_;
};

TEST(ConfigSpaceOracleTest, ReadOnlyBytes) {
  Input in(1, false);
  in.Write(0x08, 1, 0x77);
  EXPECT_EQ(Oracle(RunConfigSpace(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunConfigSpace(in.bytes(), WithConfig<WritableRevision>())),
            "config-read-only-bytes");
}

// Accepts a 3-byte write (and ignores it).
class AcceptsWidthThree : public RealPciConfig {
 public:
  using RealPciConfig::RealPciConfig;
  Status Write(uint32_t offset, int width, uint32_t value) override {
    if (width == 3) return Status::Ok();
    return RealPciConfig::Write(offset, width, value);
  }
};

TEST(ConfigSpaceOracleTest, WriteResult) {
  Input in(1, false);
  in.Write(0x3c, 3, 0x123456);
  EXPECT_EQ(Oracle(RunConfigSpace(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunConfigSpace(in.bytes(), WithConfig<AcceptsWidthThree>())),
            "config-write-result");
}

// Unaligned 2-byte reads come back big-endian.
class BigEndianUnaligned : public RealPciConfig {
 public:
  using RealPciConfig::RealPciConfig;
  Result<uint32_t> Read(uint32_t offset, int width) override {
    Result<uint32_t> r = RealPciConfig::Read(offset, width);
    if (r.ok() && width == 2 && offset % 2 == 1) {
      return ((r.value() & 0xff) << 8) | (r.value() >> 8);
    }
    return r;
  }
};

TEST(ConfigSpaceOracleTest, ReadValue) {
  Input in(1, false);
  in.Read(0x01, 2);
  EXPECT_EQ(Oracle(RunConfigSpace(in.bytes())), "none");
  EXPECT_EQ(
      Oracle(RunConfigSpace(in.bytes(), WithConfig<BigEndianUnaligned>())),
      "config-read-matches-rules");
}

TEST(ConfigSpaceOracleTest, ByteMayChangeAgrees) {
  Input in(2, false);
  ConfigSpaceOptions options;
  options.byte_may_change = [](uint32_t offset, int nr_ports) {
    return PciConfig::ByteMayChange(offset, nr_ports) || offset == 0x3d;
  };
  EXPECT_EQ(Oracle(RunConfigSpace(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunConfigSpace(in.bytes(), options)),
            "byte-may-change-agrees");
}

// bytes() reports the whole 256-byte PCI config space, one byte more than
// the sample's 0xff.
class FullPage : public RealPciConfig {
 public:
  using RealPciConfig::RealPciConfig;
  std::vector<uint8_t> bytes() const override {
    std::vector<uint8_t> b = RealPciConfig::bytes();
    b.push_back(0);
    return b;
  }
};

TEST(ConfigSpaceOracleTest, ConfigSize) {
  Input in(1, false);
  in.Read(0x00, 4);  // the initial check already sees it
  EXPECT_EQ(Oracle(RunConfigSpace(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunConfigSpace(in.bytes(), WithConfig<FullPage>())),
            "config-size");
}

// Through the device: a 3-byte request is answered with -EFAULT.
class RejectsOddLengths : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> Write(uint64_t pos, std::span<const uint8_t> buf) override {
    if (buf.size() == 3) return Status::Error(-EFAULT);
    return RealDevice::Write(pos, buf);
  }
};

TEST(ConfigSpaceOracleTest, DevicePathSplitsRequests) {
  Input in(2, true);
  in.Write(0x13, 3, 0x00c0ff);
  EXPECT_EQ(Oracle(RunConfigSpace(in.bytes())), "none");
  ConfigSpaceOptions options;
  options.device = [](const DeviceOptions& o) {
    return std::make_unique<RejectsOddLengths>(o);
  };
  EXPECT_EQ(Oracle(RunConfigSpace(in.bytes(), options)), "config-write-result");
}

TEST(ConfigSpaceHarnessTest, RandomInputsFindNothing) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::vector<uint8_t> input(1 + 200);
    for (uint8_t& b : input) b = static_cast<uint8_t>(rng());
    const MaybeFinding f = RunConfigSpace(input);
    EXPECT_FALSE(f.has_value()) << round << ": " << f->ToString();
  }
}

}  // namespace
}  // namespace mtty::fuzz
