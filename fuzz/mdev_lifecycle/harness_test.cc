// Copyright mtty-lab authors.
//
// The mdev_lifecycle oracles, each shown to fire on a parent with one rule
// deliberately broken, and silent on the real one.
#include "fuzz/mdev_lifecycle/harness.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/mdev_lifecycle/ops.h"

namespace mtty::fuzz {
namespace {

using mdev::Input;

// Pool indexes (mdev::kUuids) and ids (for Remove/Open).
constexpr uint8_t kA = 0, kB = 1, kAUpper = 2, kBadUuid = 6;
constexpr uint8_t kIdA = 1;
constexpr uint8_t kMtty1 = 0, kMtty2 = 1;

template <typename Broken>
MdevLifecycleOptions With() {
  MdevLifecycleOptions options;
  options.factory = [] { return std::make_unique<Broken>(); };
  return options;
}

std::string Oracle(const MaybeFinding& f) { return f ? f->oracle : "none"; }

// available_instances rounds up (the kernel's is a plain division).
class RoundsUp : public RealParent {
 public:
  Result<unsigned> AvailableInstances(std::string_view type) const override {
    if (type == "mtty-2") return (free_ports() + 1u) / 2;
    return RealParent::AvailableInstances(type);
  }
};

TEST(MdevLifecycleOracleTest, AvailableInstances) {
  Input in;
  in.Create(kMtty1, kA);  // 23 free: mtty-2 has 11 instances, not 12
  EXPECT_EQ(Oracle(RunMdevLifecycle(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMdevLifecycle(in.bytes(), With<RoundsUp>())),
            "available-instances");
}

// Remove hands the ports back twice.
class DoubleRefund : public RealParent {
 public:
  Status Remove(const Uuid& uuid) override {
    Status s = RealParent::Remove(uuid);
    if (s.ok()) bonus_ += 2;
    return s;
  }
  int free_ports() const override { return RealParent::free_ports() + bonus_; }

 private:
  int bonus_ = 0;
};

TEST(MdevLifecycleOracleTest, PoolAccounting) {
  Input in;
  in.Create(kMtty2, kA).Remove(kIdA);
  EXPECT_EQ(Oracle(RunMdevLifecycle(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMdevLifecycle(in.bytes(), With<DoubleRefund>())),
            "pool-accounting");
}

// UUIDs compared as text: the upper-case spelling passes as a new device.
class CaseSensitiveNames : public RealParent {
 public:
  Status Create(std::string_view type, std::string_view uuid,
                Profile profile) override {
    Status s = RealParent::Create(type, uuid, profile);
    if (s == Status::Error(-EEXIST) && uuid != seen_) return Status::Ok();
    seen_ = uuid;
    return s;
  }

 private:
  std::string seen_;
};

TEST(MdevLifecycleOracleTest, DuplicateUuidRefused) {
  Input in;
  in.Create(kMtty1, kA).Create(kMtty1, kAUpper);
  EXPECT_EQ(Oracle(RunMdevLifecycle(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMdevLifecycle(in.bytes(), With<CaseSensitiveNames>())),
            "create-result");
}

// The device list shows a device twice.
class ListsTwice : public RealParent {
 public:
  std::vector<MdevParent::DeviceInfo> List() const override {
    std::vector<MdevParent::DeviceInfo> list = RealParent::List();
    if (!list.empty()) list.push_back(list.back());
    return list;
  }
};

TEST(MdevLifecycleOracleTest, UuidUnique) {
  Input in;
  in.Create(kMtty2, kB);
  EXPECT_EQ(Oracle(RunMdevLifecycle(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMdevLifecycle(in.bytes(), With<ListsTwice>())),
            "uuid-unique");
}

// Remove ignores open handles.
class RemovesWhileOpen : public RealParent {
 public:
  Status Remove(const Uuid& uuid) override {
    Status s = RealParent::Remove(uuid);
    return s == Status::Error(-EBUSY) ? Status::Ok() : s;
  }
};

TEST(MdevLifecycleOracleTest, RemoveWhileOpen) {
  Input in;
  in.Create(kMtty1, kA).Open(kIdA).Remove(kIdA);
  EXPECT_EQ(Oracle(RunMdevLifecycle(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMdevLifecycle(in.bytes(), With<RemovesWhileOpen>())),
            "remove-result");
}

// Opening a UUID no device has answers -ENOENT instead of -ENODEV.
class OpenUnknownEnoent : public RealParent {
 public:
  Result<MdevHandle> Open(const Uuid& uuid) override {
    Result<MdevHandle> r = RealParent::Open(uuid);
    if (!r.ok() && r.status() == Status::Error(-ENODEV)) {
      return Status::Error(-ENOENT);
    }
    return r;
  }
};

TEST(MdevLifecycleOracleTest, OpenResult) {
  Input in;
  in.Open(kIdA);
  EXPECT_EQ(Oracle(RunMdevLifecycle(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMdevLifecycle(in.bytes(), With<OpenUnknownEnoent>())),
            "open-result");
}

// Open hands back a handle it has already closed.
class HandsOutClosedHandle : public RealParent {
 public:
  Result<MdevHandle> Open(const Uuid& uuid) override {
    Result<MdevHandle> r = RealParent::Open(uuid);
    if (r.ok()) r.value().Close();
    return r;
  }
};

TEST(MdevLifecycleOracleTest, HandleValid) {
  Input in;
  in.Create(kMtty1, kA).Open(kIdA);
  EXPECT_EQ(Oracle(RunMdevLifecycle(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMdevLifecycle(in.bytes(), With<HandsOutClosedHandle>())),
            "handle-valid");
}

// List() does not count open handles.
class ListsNoHandles : public RealParent {
 public:
  std::vector<MdevParent::DeviceInfo> List() const override {
    std::vector<MdevParent::DeviceInfo> list = RealParent::List();
    for (MdevParent::DeviceInfo& info : list) info.open_handles = 0;
    return list;
  }
};

TEST(MdevLifecycleOracleTest, DeviceList) {
  Input in;
  in.Create(kMtty1, kA).Open(kIdA);
  EXPECT_EQ(Oracle(RunMdevLifecycle(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMdevLifecycle(in.bytes(), With<ListsNoHandles>())),
            "device-list");
}

// A malformed UUID is accepted through sysfs.
class LenientCreateFile : public RealParent {
 public:
  Result<size_t> SysfsWrite(std::string_view path,
                            std::string_view data) override {
    Result<size_t> r = RealParent::SysfsWrite(path, data);
    if (!r.ok() && r.status() == Status::Error(-EINVAL)) return data.size();
    return r;
  }
};

TEST(MdevLifecycleOracleTest, SysfsCreateValidates) {
  Input in;
  in.CreateSysfs(kMtty1, kBadUuid);
  EXPECT_EQ(Oracle(RunMdevLifecycle(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMdevLifecycle(in.bytes(), With<LenientCreateFile>())),
            "create-result");
}

// Three ways a sysfs view can disagree with the tree: ".." from a device's
// vendor/ directory goes to the root instead of the device directory; the
// devices/ link text loses a "../"; remove accepts "-1" as 1.
class VendorDotDotToRoot : public RealParent {
 public:
  Result<std::vector<std::string>> SysfsList(
      std::string_view dir) const override {
    const std::string_view suffix = "/vendor/..";
    if (dir.size() > suffix.size() &&
        dir.substr(dir.size() - suffix.size()) == suffix) {
      return RealParent::SysfsList("");
    }
    return RealParent::SysfsList(dir);
  }
};

class ShortLinkText : public RealParent {
 public:
  Result<std::string> SysfsReadLink(std::string_view path) const override {
    Result<std::string> r = RealParent::SysfsReadLink(path);
    if (r.ok() && r.value().rfind("../../../", 0) == 0) {
      return r.value().substr(3);
    }
    return r;
  }
};

class SignedRemove : public RealParent {
 public:
  Result<size_t> SysfsWrite(std::string_view path,
                            std::string_view data) override {
    if (data == "-1") {
      Result<size_t> r = RealParent::SysfsWrite(path, "1");
      return r.ok() ? Result<size_t>(data.size()) : r;
    }
    return RealParent::SysfsWrite(path, data);
  }
};

TEST(MdevLifecycleOracleTest, SysfsTree) {
  constexpr uint8_t kDevA = 1;  // kSysfsNames: id 1
  auto path = [](std::string_view p) {
    for (size_t i = 0; i < mdev::kNumSysfsPaths; ++i) {
      if (mdev::kSysfsPaths[i] == p) return static_cast<uint8_t>(i);
    }
    ADD_FAILURE() << "no path " << p;
    return uint8_t{0};
  };
  auto text = [](std::string_view t) {
    const auto& texts = mdev::SysfsWriteTexts();
    for (size_t i = 0; i < texts.size(); ++i) {
      if (texts[i].text == t) return static_cast<uint8_t>(i);
    }
    ADD_FAILURE() << "no text " << t;
    return uint8_t{0};
  };
  Input list;
  list.Create(kMtty2, kA).Sysfs(mdev::kSysfsList, path("%/vendor/.."), kDevA);
  Input link;
  link.Create(kMtty2, kA)
      .Sysfs(mdev::kSysfsReadLink,
             path("mdev_supported_types/mtty-2/devices/%"), kDevA);
  Input remove;
  remove.Create(kMtty2, kA)
      .Sysfs(mdev::kSysfsWrite, path("%/remove"), kDevA, text("-1"));
  for (const Input* in : {&list, &link, &remove}) {
    EXPECT_EQ(Oracle(RunMdevLifecycle(in->bytes())), "none");
  }
  EXPECT_EQ(Oracle(RunMdevLifecycle(list.bytes(), With<VendorDotDotToRoot>())),
            "sysfs-tree");
  EXPECT_EQ(Oracle(RunMdevLifecycle(link.bytes(), With<ShortLinkText>())),
            "sysfs-tree");
  EXPECT_EQ(Oracle(RunMdevLifecycle(remove.bytes(), With<SignedRemove>())),
            "sysfs-tree");
}

TEST(MdevLifecycleHarnessTest, RandomInputsFindNothing) {
  std::mt19937 rng(5);
  for (int round = 0; round < 300; ++round) {
    std::vector<uint8_t> input(1 + 150);
    for (uint8_t& b : input) b = static_cast<uint8_t>(rng());
    const MaybeFinding f = RunMdevLifecycle(input);
    EXPECT_FALSE(f.has_value()) << round << ": " << f->ToString();
  }
}

}  // namespace
}  // namespace mtty::fuzz
