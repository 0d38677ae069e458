// Copyright mtty-lab authors.
//
// bar_access_kernel: the bar_access input format driving Linux 6.1's real
// samples/vfio-mdev/mtty.c in lockstep with our kernel profile
// (fuzz/kernel/kernel_target.h, fuzz/kernel/lockstep_device.h).
#include <cstddef>
#include <cstdint>

#include "fuzz/bar_access/harness.h"
#include "fuzz/kernel/kernel_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mtty::fuzz::kernel::FuzzOneInput(
      [&](const mtty::fuzz::DeviceFactory& factory) {
        mtty::fuzz::BarAccessOptions options;
        options.factory = factory;
        (void)mtty::fuzz::RunBarAccess({data, size}, options);
      });
  return 0;
}
