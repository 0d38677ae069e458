// Copyright mtty-lab authors.
#include "fuzz/kernel/lockstep_parent.h"

#include <cerrno>
#include <cstring>
#include <set>

#include "core/pci_config.h"
#include "kshim/kshim.h"
#include "kshim/mtty_view.h"

namespace mtty::fuzz::kernel {
namespace {

// The driver registers mtty-1 then mtty-2 (mtty_mdev_types[]).
std::optional<unsigned> TypeIndex(std::string_view type) {
  if (type == "mtty-1") return 0;
  if (type == "mtty-2") return 1;
  return std::nullopt;
}

constexpr const char* kTypes[] = {"mtty-1", "mtty-2"};

}  // namespace

LockstepParent::LockstepParent(std::function<void(const Finding&)> on_finding)
    : on_finding_(std::move(on_finding)) {
  if (const int ret = kshim_module_load(); ret != 0) {
    Found("the sample's module_init failed: " + std::to_string(ret));
    return;
  }
  Reconcile("the parent's registration");
}

LockstepParent::~LockstepParent() {
  for (auto& [uuid, mdev] : kernel_) kshim_mdev_remove(mdev);
  kernel_.clear();
}

void LockstepParent::Found(std::string detail) {
  if (finding_) return;
  finding_ = Finding{"kernel-differential", op_, std::move(detail)};
  if (on_finding_) on_finding_(*finding_);
}

void LockstepParent::Reconcile(const std::string& what) {
  if (finding_) return;
  std::set<std::string> listed;
  for (const MdevParent::DeviceInfo& d : List()) {
    const std::string uuid = d.uuid.ToString();
    listed.insert(uuid);
    if (kernel_.count(uuid)) continue;
    const std::optional<unsigned> type = TypeIndex(d.type->name);
    if (!type) {
      Found(what + ": our parent lists a device of type " +
            std::string(d.type->name) + ", which the sample does not offer");
      return;
    }
    int err = 0;
    mdev_device* mdev = kshim_mdev_create(*type, d.uuid.bytes().data(), &err);
    if (mdev == nullptr) {
      Found(Format("%s: our parent created %s (%s) but the sample's probe "
                   "refused it: %s",
                   what.c_str(), uuid.c_str(), kTypes[*type],
                   Status::Error(err).ToString().c_str()));
      return;
    }
    kernel_[uuid] = mdev;
    kmtty_view v{};
    kmtty_peek(kshim_mdev_vfio(mdev), &v);
    const PciConfig fresh(d.type->nr_ports);
    if (std::memcmp(v.config, fresh.bytes().data(), KMTTY_CONFIG_SIZE) != 0) {
      Found(what + ": " + uuid +
            "'s config space at creation differs from the sample's");
      return;
    }
  }
  for (auto it = kernel_.begin(); it != kernel_.end();) {
    if (listed.count(it->first)) {
      ++it;
      continue;
    }
    kshim_mdev_remove(it->second);
    it = kernel_.erase(it);
  }
  for (unsigned t = 0; t < 2; ++t) {
    const Result<unsigned> ours = AvailableInstances(kTypes[t]);
    const unsigned theirs = kshim_mdev_available(t);
    if (!ours.ok() || ours.value() != theirs) {
      Found(Format("%s: %s available_instances: the sample's get_available "
                   "says %u, ours %s",
                   what.c_str(), kTypes[t], theirs,
                   ours.ok() ? std::to_string(ours.value()).c_str()
                             : ours.status().ToString().c_str()));
      return;
    }
  }
}

void LockstepParent::CheckRefused(const std::string& what,
                                  std::string_view type) {
  const std::optional<unsigned> t = TypeIndex(type);
  if (finding_ || !t) return;
  static constexpr uint8_t kProbe[16] = {0xfe, 0xed, 0, 0, 0, 0, 0, 0,
                                         0,    0,    0, 0, 0, 0, 0, 0};
  uint8_t uuid[16];
  std::memcpy(uuid, kProbe, sizeof(uuid));
  uuid[15] = ++serial_;
  int err = 0;
  mdev_device* mdev = kshim_mdev_create(*t, uuid, &err);
  if (mdev != nullptr) {
    kshim_mdev_remove(mdev);
    Found(what + ": our parent refused a " + std::string(type) +
          " device with ENOSPC, the sample's probe accepted one");
  } else if (err != -ENOSPC) {
    Found(what + ": our parent refused with ENOSPC, the sample's probe with " +
          Status::Error(err).ToString());
  }
}

Status LockstepParent::Create(std::string_view type, std::string_view uuid,
                              Profile profile) {
  ++op_;
  const Status s = RealParent::Create(type, uuid, profile);
  const std::string what = "create " + std::string(type) + " " +
                           std::string(uuid.substr(0, 40));
  if (s.code() == -ENOSPC) CheckRefused(what, type);
  Reconcile(what);
  return s;
}

Status LockstepParent::Remove(const Uuid& uuid) {
  ++op_;
  const Status s = RealParent::Remove(uuid);
  Reconcile("remove " + uuid.ToString());
  return s;
}

Result<MdevHandle> LockstepParent::Open(const Uuid& uuid) {
  ++op_;
  Result<MdevHandle> h = RealParent::Open(uuid);
  Reconcile("open " + uuid.ToString());
  return h;
}

Result<size_t> LockstepParent::SysfsWrite(std::string_view path,
                                          std::string_view data) {
  ++op_;
  const Result<size_t> r = RealParent::SysfsWrite(path, data);
  const std::string what = "sysfs write " + std::string(path);
  constexpr std::string_view kCreate = "/create";
  if (r.status().code() == -ENOSPC && path.size() > kCreate.size() &&
      path.substr(path.size() - kCreate.size()) == kCreate) {
    std::string_view dir = path.substr(0, path.size() - kCreate.size());
    CheckRefused(what, dir.substr(dir.rfind('/') + 1));
  }
  Reconcile(what);
  return r;
}

}  // namespace mtty::fuzz::kernel
