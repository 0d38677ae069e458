// Copyright mtty-lab authors.
//
// The mdev_lifecycle fuzzer's logic: create / remove / open / access / close
// through MdevParent and its SysfsView, judged by a model of the pool (24
// ports; mtty-1 takes 1, mtty-2 takes 2) and of the kernel's create/remove
// rules (core/MDEV.md, mdev-sysfs.md). After every operation:
//  * each call's result is the model's (-EINVAL, -EEXIST, -ENOSPC, -ENODEV,
//    -EBUSY, -ENOENT, byte counts);
//  * pool accounting: free ports = 24 - ports of the live devices;
//  * available_instances (call and sysfs text) = free / ports per type;
//  * UUID uniqueness: List() has each device once, sorted, exactly the
//    model's set, with the model's type and open-handle count; the sysfs
//    devices/ directories agree;
//  * open handles stay usable: their device answers a BAR access;
//  * sysfs tree: every SysfsView call (read, write, list, readlink, lstat,
//    on any path) answers what a plain path walk over the tree the model
//    implies gives: contents, listings, link texts, kinds, modes, errnos;
//    a write to create / remove, by whatever path, follows their rules.
#ifndef MTTY_FUZZ_MDEV_LIFECYCLE_HARNESS_H_
#define MTTY_FUZZ_MDEV_LIFECYCLE_HARNESS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/irq.h"
#include "core/mdev_parent.h"
#include "core/sysfs.h"
#include "fuzz/finding.h"

namespace mtty::fuzz {

// What the harness drives; tests subclass RealParent to break a rule.
class ParentUnderTest {
 public:
  virtual ~ParentUnderTest() = default;
  virtual Status Create(std::string_view type, std::string_view uuid,
                        Profile profile) = 0;
  virtual Status Remove(const Uuid& uuid) = 0;  // no waiting
  virtual Result<MdevHandle> Open(const Uuid& uuid) = 0;
  virtual Result<unsigned> AvailableInstances(std::string_view type) const = 0;
  virtual int free_ports() const = 0;
  virtual std::vector<MdevParent::DeviceInfo> List() const = 0;
  virtual Result<std::string> SysfsRead(std::string_view path) const = 0;
  virtual Result<size_t> SysfsWrite(std::string_view path,
                                    std::string_view data) = 0;
  virtual Result<std::vector<std::string>> SysfsList(
      std::string_view dir) const = 0;
  virtual Result<std::string> SysfsReadLink(std::string_view path) const = 0;
  virtual Result<SysfsView::Stat> SysfsStat(std::string_view path) const = 0;
};

class RealParent : public ParentUnderTest {
 public:
  RealParent()
      : parent_(MdevParent::Options{&fds_, std::chrono::milliseconds(0)}),
        view_(parent_) {}
  Status Create(std::string_view type, std::string_view uuid,
                Profile profile) override {
    return parent_.Create(type, uuid, profile);
  }
  Status Remove(const Uuid& uuid) override {
    return parent_.Remove(uuid, std::chrono::milliseconds(0));
  }
  Result<MdevHandle> Open(const Uuid& uuid) override {
    return parent_.Open(uuid);
  }
  Result<unsigned> AvailableInstances(std::string_view type) const override {
    return parent_.AvailableInstances(type);
  }
  int free_ports() const override { return parent_.free_ports(); }
  std::vector<MdevParent::DeviceInfo> List() const override {
    return parent_.List();
  }
  Result<std::string> SysfsRead(std::string_view path) const override {
    return view_.Read(path);
  }
  Result<size_t> SysfsWrite(std::string_view path,
                            std::string_view data) override {
    return view_.Write(path, data);
  }
  Result<std::vector<std::string>> SysfsList(
      std::string_view dir) const override {
    return view_.List(dir);
  }
  Result<std::string> SysfsReadLink(std::string_view path) const override {
    return view_.ReadLink(path);
  }
  Result<SysfsView::Stat> SysfsStat(std::string_view path) const override {
    return view_.GetStat(path);
  }

 private:
  FakeFdTable fds_;
  MdevParent parent_;
  SysfsView view_;
};

struct MdevLifecycleOptions {
  std::function<std::unique_ptr<ParentUnderTest>()> factory = [] {
    return std::make_unique<RealParent>();
  };
  size_t max_ops = 2048;
};

MaybeFinding RunMdevLifecycle(std::span<const uint8_t> input,
                              const MdevLifecycleOptions& options = {});

}  // namespace mtty::fuzz

#endif  // MTTY_FUZZ_MDEV_LIFECYCLE_HARNESS_H_
