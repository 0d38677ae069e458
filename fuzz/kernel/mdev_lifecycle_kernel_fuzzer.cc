// Copyright mtty-lab authors.
//
// mdev_lifecycle_kernel: the mdev_lifecycle input format with Linux 6.1's
// real mtty driver beside our parent (fuzz/kernel/lockstep_parent.h).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "fuzz/kernel/kernel_target.h"
#include "fuzz/kernel/lockstep_parent.h"
#include "fuzz/mdev_lifecycle/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)mtty::fuzz::kernel::InitKernelTarget();
  std::optional<mtty::fuzz::Finding> finding;
  mtty::fuzz::MdevLifecycleOptions options;
  options.factory = [&finding] {
    return std::make_unique<mtty::fuzz::kernel::LockstepParent>(
        [&finding](const mtty::fuzz::Finding& f) {
          if (!finding) finding = f;
        });
  };
  (void)mtty::fuzz::RunMdevLifecycle({data, size}, options);
  if (finding) mtty::fuzz::ReportAndAbort(*finding);
  return 0;
}
