// Copyright mtty-lab authors.
//
// config_space_kernel: the config_space input format driving Linux 6.1's real
// samples/vfio-mdev/mtty.c in lockstep with our kernel profile
// (fuzz/kernel/kernel_target.h, fuzz/kernel/lockstep_device.h).
#include <cstddef>
#include <cstdint>

#include "fuzz/config_space/harness.h"
#include "fuzz/kernel/kernel_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mtty::fuzz::kernel::FuzzOneInput(
      [&](const mtty::fuzz::DeviceFactory& factory) {
        mtty::fuzz::ConfigSpaceOptions options;
        options.device = factory;
        (void)mtty::fuzz::RunConfigSpace({data, size}, options);
      });
  return 0;
}
