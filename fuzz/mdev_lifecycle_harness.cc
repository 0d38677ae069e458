// Copyright mtty-lab authors.
#include "fuzz/mdev_lifecycle_harness.h"

#include <array>
#include <map>
#include <string>

#include "core/uart16550.h"
#include "core/uuid.h"
#include "core/vfio_uapi.h"
#include "fuzz/byte_reader.h"
#include "fuzz/mdev_lifecycle_ops.h"

namespace mtty::fuzz {
namespace {

using mdev::kCanonical;
using mdev::kNumIds;
using mdev::kTypes;
using mdev::kUuids;

constexpr int kTotalPorts = 24;
// An id no pool entry creates.
constexpr std::string_view kStranger = "ffffffff-ffff-ffff-ffff-ffffffffffff";

std::string_view IdText(int id) {
  return id < kNumIds ? kCanonical[id] : kStranger;
}

std::string Text(Status s) { return s.ToString(); }

struct ModelDevice {
  int ports;
  int open = 0;
};

class Run {
 public:
  Run(std::span<const uint8_t> input, const MdevLifecycleOptions& options)
      : in_(input), options_(options) {}
  MaybeFinding Go();

 private:
  void Create(uint8_t type, uint8_t uuid, uint8_t profile, bool sysfs);
  void Remove(uint8_t id, bool sysfs, uint8_t text);
  void Open(uint8_t id);
  void Close(uint8_t slot);
  void Access(uint8_t slot, uint8_t sel, uint8_t value);
  void ReadSysfs(uint8_t which, uint8_t id);
  void CheckAll();
  Status ExpectRemove(int id);
  void Fail(const char* oracle, std::string detail) {
    if (finding_ || OracleIgnored(oracle)) return;
    finding_ = Finding{oracle, op_index_, op_ + ": " + detail};
  }

  ByteReader in_;
  const MdevLifecycleOptions& options_;
  // Declared before the handles, so handles close before the parent goes.
  std::unique_ptr<ParentUnderTest> parent_;
  std::map<int, ModelDevice> devices_;  // by id: canonical names sort alike
  int free_ = kTotalPorts;
  struct Slot {
    MdevHandle handle;
    int id = -1;
  };
  std::array<Slot, mdev::kSlots> slots_;
  size_t next_slot_ = 0;
  size_t op_index_ = 0;
  std::string op_;
  MaybeFinding finding_;
};

MaybeFinding Run::Go() {
  parent_ = options_.factory();
  (void)in_.U8();
  op_ = "initial";
  CheckAll();
  while (!finding_ && !in_.empty() && op_index_ < options_.max_ops) {
    ++op_index_;
    switch (in_.U8() % mdev::kNumOps) {
      case mdev::kCreate: {
        const uint8_t type = in_.U8(), uuid = in_.U8();
        Create(type, uuid, in_.U8(), false);
        break;
      }
      case mdev::kCreateSysfs: {
        const uint8_t type = in_.U8();
        Create(type, in_.U8(), 0, true);
        break;
      }
      case mdev::kRemove:
        Remove(in_.U8(), false, 0);
        break;
      case mdev::kRemoveSysfs: {
        const uint8_t id = in_.U8();
        Remove(id, true, in_.U8());
        break;
      }
      case mdev::kOpen:
        Open(in_.U8());
        break;
      case mdev::kClose:
        Close(in_.U8());
        break;
      case mdev::kAccess: {
        const uint8_t slot = in_.U8(), sel = in_.U8();
        Access(slot, sel, in_.U8());
        break;
      }
      case mdev::kReadSysfs: {
        const uint8_t which = in_.U8();
        ReadSysfs(which, in_.U8());
        break;
      }
    }
    CheckAll();
  }
  for (Slot& s : slots_) s.handle.Close();
  return finding_;
}

void Run::Create(uint8_t type_byte, uint8_t uuid_byte, uint8_t profile_byte,
                 bool sysfs) {
  const int t = type_byte % 4;
  const std::string_view type = kTypes[t];
  const mdev::PoolUuid& u = kUuids[uuid_byte % mdev::kNumUuids];
  const Profile profile = profile_byte % 3 == 0   ? Profile::kKernel
                          : profile_byte % 3 == 1 ? Profile::k16550a
                                                  : static_cast<Profile>(7);
  const bool known = t < 2;
  const int ports = t == 0 ? 1 : 2;
  op_ = Format("create %.*s '%.*s'%s", static_cast<int>(type.size()),
               type.data(), static_cast<int>(u.text.size()), u.text.data(),
               sysfs ? " via sysfs" : "");
  Status want = Status::Ok();
  if (sysfs && !known) {
    want = Status::Error(-ENOENT);  // no such type directory
  } else if (!known || !u.valid) {
    want = Status::Error(-EINVAL);
  } else if (!sysfs && profile_byte % 3 == 2) {
    want = Status::Error(-EINVAL);
  } else if (devices_.count(u.id)) {
    want = Status::Error(-EEXIST);
  } else if (free_ < ports) {
    want = Status::Error(-ENOSPC);
  }
  Status got = Status::Ok();
  if (sysfs) {
    const Result<size_t> r = parent_->SysfsWrite(
        "mdev_supported_types/" + std::string(type) + "/create", u.text);
    got = r.status();
    if (r.ok() && r.value() != u.text.size()) {
      Fail("create-result", Format("create consumed %zu of %zu bytes",
                                   r.value(), u.text.size()));
      return;
    }
  } else {
    got = parent_->Create(type, u.text, profile);
  }
  if (got != want) {
    Fail("create-result", Format("got %s, the rules say %s", Text(got).c_str(),
                                 Text(want).c_str()));
    return;
  }
  if (want.ok()) {
    devices_[u.id] = ModelDevice{ports};
    free_ -= ports;
  }
}

Status Run::ExpectRemove(int id) {
  auto it = devices_.find(id);
  if (it == devices_.end()) return Status::Error(-ENODEV);
  if (it->second.open > 0) return Status::Error(-EBUSY);
  return Status::Ok();
}

void Run::Remove(uint8_t id_byte, bool sysfs, uint8_t text_byte) {
  const int id = id_byte % (kNumIds + 1);
  const std::string_view name = IdText(id);
  const mdev::RemoveText& text = mdev::kRemoveTexts[text_byte % 6];
  op_ = Format(
      "remove %.*s%s", static_cast<int>(name.size()), name.data(),
      sysfs ? Format(" via sysfs '%.*s'", static_cast<int>(text.text.size()),
                     text.text.data())
                  .c_str()
            : "");
  Status want = ExpectRemove(id);
  bool removes = want.ok();
  Status got = Status::Ok();
  if (sysfs) {
    if (!devices_.count(id)) {
      want = Status::Error(-ENOENT);  // no such device directory
    } else if (text.value < 0) {
      want = Status::Error(-EINVAL);
      removes = false;
    } else if (text.value == 0) {
      want = Status::Ok();
      removes = false;
    }
    const Result<size_t> r =
        parent_->SysfsWrite(std::string(name) + "/remove", text.text);
    got = r.status();
    if (r.ok() && r.value() != text.text.size()) {
      Fail("remove-result", "remove did not consume the whole write");
      return;
    }
  } else {
    const Result<Uuid> uuid = Uuid::Parse(name);
    got = uuid.ok() ? parent_->Remove(uuid.value()) : uuid.status();
  }
  if (got != want) {
    Fail("remove-result", Format("got %s, the rules say %s", Text(got).c_str(),
                                 Text(want).c_str()));
    return;
  }
  if (removes) {
    free_ += devices_[id].ports;
    devices_.erase(id);
  }
}

void Run::Open(uint8_t id_byte) {
  const int id = id_byte % (kNumIds + 1);
  const std::string_view name = IdText(id);
  op_ = Format("open %.*s", static_cast<int>(name.size()), name.data());
  const Result<Uuid> uuid = Uuid::Parse(name);
  if (!uuid.ok()) return;
  Result<MdevHandle> got = parent_->Open(uuid.value());
  const bool exists = devices_.count(id) > 0;
  if (got.ok() != exists ||
      (!got.ok() && got.status() != Status::Error(-ENODEV))) {
    Fail("open-result",
         Format("got %s, the rules say %s",
                got.ok() ? "a handle" : Text(got.status()).c_str(),
                exists ? "a handle" : "-ENODEV"));
    return;
  }
  if (!got.ok()) return;
  if (!got.value().is_open() || got.value().uuid() != uuid.value()) {
    Fail("handle-valid", "the new handle is closed or names another device");
    return;
  }
  Slot& slot = slots_[next_slot_++ % mdev::kSlots];
  if (slot.handle.is_open()) {
    slot.handle.Close();
    --devices_[slot.id].open;
  }
  slot.handle = std::move(got.value());
  slot.id = id;
  ++devices_[id].open;
}

void Run::Close(uint8_t slot_byte) {
  Slot& slot = slots_[slot_byte % mdev::kSlots];
  op_ = Format("close slot %zu", slot_byte % mdev::kSlots);
  if (!slot.handle.is_open()) return;
  slot.handle.Close();
  if (slot.handle.is_open() || slot.handle.device() != nullptr) {
    Fail("handle-valid", "a closed handle still reports a device");
  }
  --devices_[slot.id].open;
}

void Run::Access(uint8_t slot_byte, uint8_t sel, uint8_t value) {
  Slot& slot = slots_[slot_byte % mdev::kSlots];
  op_ = Format("access through slot %zu", slot_byte % mdev::kSlots);
  if (!slot.handle.is_open()) return;
  MttyDevice* dev = slot.handle.device();
  if (dev == nullptr) {
    Fail("handle-valid", "an open handle has no device");
    return;
  }
  const int port = (sel >> 3) & 1;
  const uint64_t pos = vfio::RegionOffset(port) + (sel & 7);
  uint8_t byte = value;
  const Result<size_t> r =
      (sel & 0x10) ? dev->Read(pos, {&byte, 1}) : dev->Write(pos, {&byte, 1});
  const bool valid = port == 0 || devices_[slot.id].ports == 2;
  if (r.ok() != valid) {
    Fail("handle-valid", Format("BAR%d access answered %s on a %d-port device",
                                port, r.ok() ? "OK" : Text(r.status()).c_str(),
                                devices_[slot.id].ports));
  }
}

void Run::ReadSysfs(uint8_t which_byte, uint8_t id_byte) {
  const int which = which_byte % 6;
  const int id = id_byte % (kNumIds + 1);
  const std::string name(IdText(id));
  const auto it = devices_.find(id);
  op_ = Format("sysfs query %d on %s", which, name.c_str());
  if (which < 2) {
    const int ports = which + 1;
    const std::string path = "mdev_supported_types/mtty-" +
                             std::to_string(ports) + "/available_instances";
    const Result<std::string> got = parent_->SysfsRead(path);
    const std::string want = std::to_string(free_ / ports) + "\n";
    if (!got.ok() || got.value() != want) {
      Fail("available-instances",
           Format("%s reads '%s', want '%s'", path.c_str(),
                  got.ok() ? got.value().c_str() : Text(got.status()).c_str(),
                  want.c_str()));
    }
  } else if (which < 4) {
    const int ports = which - 1;
    const std::string dir =
        "mdev_supported_types/mtty-" + std::to_string(ports) + "/devices";
    std::vector<std::string> want;
    for (const auto& [dev_id, dev] : devices_) {
      if (dev.ports == ports) want.emplace_back(kCanonical[dev_id]);
    }
    const Result<std::vector<std::string>> got = parent_->SysfsList(dir);
    if (!got.ok() || got.value() != want) {
      Fail("uuid-unique",
           Format("%s lists %zu entries, the model %zu", dir.c_str(),
                  got.ok() ? got.value().size() : 0, want.size()));
    }
  } else if (which == 4) {
    const Result<std::string> got = parent_->SysfsRead(name + "/mdev_type");
    const bool exists = it != devices_.end();
    const std::string want =
        exists ? "mtty-" + std::to_string(it->second.ports) : "";
    if (got.ok() != exists || (exists && got.value() != want) ||
        (!exists && got.status() != Status::Error(-ENOENT))) {
      Fail("device-list",
           Format("%s/mdev_type is not the model's", name.c_str()));
    }
  } else {
    const Result<std::string> got =
        parent_->SysfsRead(name + "/vendor/sample_mdev_dev");
    const bool exists = it != devices_.end();
    if (got.ok() != exists ||
        (exists && got.value() != "This is MDEV " + name + "\n")) {
      Fail("device-list", Format("%s/vendor/sample_mdev_dev is not the model's",
                                 name.c_str()));
    }
  }
}

void Run::CheckAll() {
  if (finding_) return;
  if (parent_->free_ports() != free_) {
    Fail("pool-accounting", Format("free_ports() is %d, the model %d",
                                   parent_->free_ports(), free_));
    return;
  }
  for (int ports : {1, 2}) {
    const std::string type = "mtty-" + std::to_string(ports);
    const Result<unsigned> got = parent_->AvailableInstances(type);
    if (!got.ok() || got.value() != static_cast<unsigned>(free_ / ports)) {
      Fail("available-instances",
           Format("%s: %s, want %d", type.c_str(),
                  got.ok() ? std::to_string(got.value()).c_str()
                           : Text(got.status()).c_str(),
                  free_ / ports));
      return;
    }
  }
  if (parent_->AvailableInstances("mtty-3").ok()) {
    Fail("available-instances", "an unknown type has instances");
    return;
  }
  const std::vector<MdevParent::DeviceInfo> list = parent_->List();
  for (size_t i = 1; i < list.size(); ++i) {
    if (!(list[i - 1].uuid < list[i].uuid)) {
      Fail("uuid-unique",
           Format("List() entries %zu and %zu are %s", i - 1, i,
                  list[i - 1].uuid == list[i].uuid ? "the same UUID"
                                                   : "out of order"));
      return;
    }
  }
  if (list.size() != devices_.size()) {
    Fail("device-list", Format("List() has %zu devices, the model %zu",
                               list.size(), devices_.size()));
    return;
  }
  size_t i = 0;
  for (const auto& [id, dev] : devices_) {
    const MdevParent::DeviceInfo& info = list[i++];
    if (info.uuid.ToString() != kCanonical[id] || info.type == nullptr ||
        info.type->nr_ports != dev.ports || info.open_handles != dev.open ||
        info.removing) {
      Fail("device-list",
           Format("entry %s: type ports %d, %d handles, removing %d; the "
                  "model says %.*s, %d ports, %d handles",
                  info.uuid.ToString().c_str(),
                  info.type ? info.type->nr_ports : 0, info.open_handles,
                  info.removing, static_cast<int>(kCanonical[id].size()),
                  kCanonical[id].data(), dev.ports, dev.open));
      return;
    }
  }
}

}  // namespace

MaybeFinding RunMdevLifecycle(std::span<const uint8_t> input,
                              const MdevLifecycleOptions& options) {
  Run run(input, options);
  return run.Go();
}

}  // namespace mtty::fuzz
