// Copyright mtty-lab authors.
#include "fuzz/kernel/kernel_target.h"

#include <cstdio>
#include <cstdlib>

#include "fuzz/kernel/lockstep_device.h"

namespace mtty::fuzz::kernel {

std::optional<Finding> RunKernelTarget(
    const Hunt& hunt, const std::function<void(const DeviceFactory&)>& drive) {
  std::optional<Finding> finding;
  drive(LockstepFactory(hunt, &finding));
  return finding;
}

const Hunt& InitKernelTarget() {
  static const Hunt& hunt = []() -> const Hunt& {
    const Hunt& h = Hunt::FromEnvironment();
    IgnoreEveryOracle();
    if (std::getenv("MTTY_KERNEL_QUIET") == nullptr) {
      std::fprintf(stderr,
                   "mtty-kernel: driving Linux 6.1 samples/vfio-mdev/mtty.c in "
                   "lockstep with our kernel profile; hunting: %s "
                   "(MTTY_KERNEL_HUNT)\n",
                   h.ToString().c_str());
    }
    return h;
  }();
  return hunt;
}

void FuzzOneInput(const std::function<void(const DeviceFactory&)>& drive) {
  const Hunt& hunt = InitKernelTarget();
  const std::optional<Finding> finding = RunKernelTarget(hunt, drive);
  if (finding) ReportAndAbort(*finding);
}

}  // namespace mtty::fuzz::kernel
