// Copyright mtty-lab authors.
//
// config_space seeds: the BAR sizing protocol a PCI enumerator runs, the
// accesses that straddle register boundaries, and the ones that must fail.
#include "fuzz/seeds.h"

#include "fuzz/config_space/harness.h"
#include "fuzz/config_space/ops.h"

namespace mtty::fuzz {

namespace {

std::vector<Seed> ConfigSpaceSeeds() {
  using cfg::Input;
  std::vector<Seed> seeds;
  auto add = [&](const char* name, const Input& in) {
    seeds.push_back(Seed{"config_space", name, in.bytes()});
  };
  for (int ports : {1, 2}) {
    Input in(ports, false);
    // Enumeration: ids, class, then size and program every BAR.
    in.Read(0x00, 4).Read(0x08, 4).Read(0x0e, 1).Read(0x2c, 4).Read(0x3c, 4);
    for (int bar = 0; bar < 6; ++bar) in.SizeBar(bar);
    in.Write(0x10, 4, 0xc000).Write(0x14, 4, 0xc008).Read(0x10, 4);
    in.Read(0x14, 4).Write(0x3c, 1, 0x0b).Write(0x04, 2, 0x0005);
    add(ports == 1 ? "enumerate_single" : "enumerate_dual", in);
  }
  {
    Input in(2, false);
    // Unaligned and straddling accesses; the sticky reserved bit.
    in.Write(0x0e, 4, 0xaabbccdd).Write(0x12, 4, 0x11223344);
    in.Write(0x3b, 4, 0x55667788).Read(0x0f, 4).Read(0x13, 2);
    in.Write(0x10, 4, 0xc002).Write(0x10, 4, 0xc000).Write(0x10, 4, 0xffffffff);
    in.Bytewise(0x14, 0xffffffff).Read(0x14, 4).Reset().Read(0x10, 4);
    add("straddles_and_sticky_bits", in);
  }
  {
    Input in(1, false);
    // Widths other than 1/2/4, the region end, offsets that would wrap.
    for (int width : {0, 3, 5, 8, -1, -4}) {
      in.Write(0x10, width, 0xffffffff).Read(0x10, width);
    }
    in.Read(0xfc, 4).Read(0xfd, 2).Read(0xfe, 1).Read(0xff, 1);
    in.Write(0xfc, 4, 0).Write(0xfe, 2, 0);
    in.Read(0xfffffffe, 4).Write(0xffffffff, 1, 0).Read(0x10010, 4);
    add("invalid_widths_and_ends", in);
  }
  {
    Input in(2, true);
    // Through the device: requests of every length split into pieces.
    for (int len = 1; len < 8; ++len) {
      in.Write(static_cast<uint32_t>(0x0f + len), len, 0xffffffff);
      in.Read(static_cast<uint32_t>(0x0d + len), len);
    }
    in.SizeBar(0).SizeBar(1).Read(0xf8, 7).Read(0xfb, 4).Write(0x3c, 3, 0x0e);
    add("device_requests_every_length", in);
  }
  return seeds;
}

}  // namespace

MTTY_REGISTER_SEEDS(config_space, ConfigSpaceSeeds, RunConfigSpace)

}  // namespace mtty::fuzz
