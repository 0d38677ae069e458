// Copyright mtty-lab authors.
//
// mdev_lifecycle seeds: what mdevctl and a VMM do, the pool running dry,
// and the names the kernel refuses.
#include "fuzz/mdev_lifecycle_ops.h"
#include "fuzz/seeds.h"

namespace mtty::fuzz {

std::vector<Seed> MdevLifecycleSeeds() {
  using mdev::Input;
  std::vector<Seed> seeds;
  auto add = [&](const char* name, const Input& in) {
    seeds.push_back(Seed{"mdev_lifecycle", name, in.bytes()});
  };
  {
    // mdevctl start / a VMM session / mdevctl stop, through sysfs.
    Input in;
    in.ReadSysfs(0).ReadSysfs(1).CreateSysfs(1, 0).ReadSysfs(3).ReadSysfs(4, 1);
    in.ReadSysfs(5, 1).Open(1).Access(0, 0x03, 0x03).Access(0, 0x08, 0x41);
    in.Access(0, 0x10, 0).RemoveSysfs(1, 0).Close(0).RemoveSysfs(1, 1);
    in.ReadSysfs(1).ReadSysfs(3);
    add("mdevctl_session", in);
  }
  {
    // Fill the pool with both types, fail, free, retry.
    Input in;
    for (int i = 0; i < 5; ++i) in.Create(1, static_cast<uint8_t>(i), i % 2);
    in.Create(0, 5).Create(0, 0).Remove(1).Remove(2).Create(1, 1);
    in.ReadSysfs(0).ReadSysfs(1).ReadSysfs(2).ReadSysfs(3);
    add("pool_pressure", in);
  }
  {
    // Names: case variants, echo's newline, a 37th byte, malformed ones.
    Input in;
    for (uint8_t u = 0; u < mdev::kNumUuids; ++u) in.CreateSysfs(0, u);
    for (uint8_t u = 0; u < mdev::kNumUuids; ++u) in.Create(1, u, 2);
    in.CreateSysfs(2, 0).CreateSysfs(3, 1).Create(2, 0).Create(3, 1);
    for (uint8_t t = 0; t < 6; ++t) in.RemoveSysfs(t % 6, t);
    add("names_and_remove_texts", in);
  }
  {
    // Handles: several per device, remove while open, close, remove.
    Input in;
    in.Create(1, 1).Create(0, 5).Open(1).Open(1).Open(0).Open(5);
    in.Remove(1).Close(0).Remove(1).Close(1).Remove(1).Access(2, 0x18, 1);
    in.Open(1).Remove(0).Close(2).Remove(0).Close(3).Close(3);
    add("handles_and_removal", in);
  }
  return seeds;
}

}  // namespace mtty::fuzz
