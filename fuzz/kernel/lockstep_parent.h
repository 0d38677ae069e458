// Copyright mtty-lab authors.
//
// LockstepParent: our MdevParent (the mdev core's part and the driver's
// accounting) with Linux 6.1's real mtty driver beside it. The mdev core
// (UUID parsing, duplicates, sysfs files, remove-while-open) is not in the
// sample, so only the driver's side is compared: after every call of the
// harness, every device our parent lists exists in the sample too (created
// through the driver's probe, which must accept it, with the config space
// ours starts from) and every device it dropped was removed through the
// driver's remove; a create our parent refused for capacity (-ENOSPC) is
// refused by the sample's probe too; and both agree on
// available_instances of both types (the sample's get_available).
// Register-level behaviour of the devices is the other `_kernel` targets'.
#ifndef MTTY_FUZZ_KERNEL_LOCKSTEP_PARENT_H_
#define MTTY_FUZZ_KERNEL_LOCKSTEP_PARENT_H_

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "fuzz/finding.h"
#include "fuzz/mdev_lifecycle/harness.h"

struct mdev_device;

namespace mtty::fuzz::kernel {

class LockstepParent : public RealParent {
 public:
  explicit LockstepParent(std::function<void(const Finding&)> on_finding);
  ~LockstepParent() override;

  Status Create(std::string_view type, std::string_view uuid,
                Profile profile) override;
  Status Remove(const Uuid& uuid) override;
  Result<MdevHandle> Open(const Uuid& uuid) override;
  Result<size_t> SysfsWrite(std::string_view path,
                            std::string_view data) override;

  const std::optional<Finding>& finding() const { return finding_; }
  size_t kernel_devices() const { return kernel_.size(); }

 private:
  void Reconcile(const std::string& what);
  // A create our parent refused with -ENOSPC: the sample must refuse too.
  void CheckRefused(const std::string& what, std::string_view type);
  void Found(std::string detail);

  std::function<void(const Finding&)> on_finding_;
  std::map<std::string, mdev_device*> kernel_;  // by canonical UUID
  size_t op_ = 0;
  uint8_t serial_ = 0;
  std::optional<Finding> finding_;
};

}  // namespace mtty::fuzz::kernel

#endif  // MTTY_FUZZ_KERNEL_LOCKSTEP_PARENT_H_
