// Copyright mtty-lab authors.
//
// vfio_ioctl_kernel: the vfio_ioctl input format driving Linux 6.1's real
// samples/vfio-mdev/mtty.c in lockstep with our kernel profile
// (fuzz/kernel/kernel_target.h, fuzz/kernel/lockstep_device.h).
#include <cstddef>
#include <cstdint>

#include "fuzz/kernel/kernel_target.h"
#include "fuzz/vfio_ioctl/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mtty::fuzz::kernel::FuzzOneInput(
      [&](const mtty::fuzz::DeviceFactory& factory) {
        mtty::fuzz::VfioIoctlOptions options;
        options.factory = factory;
        (void)mtty::fuzz::RunVfioIoctl({data, size}, options);
      });
  return 0;
}
