// Copyright mtty-lab authors.
#include "fuzz/mdev_lifecycle/harness.h"

#include <algorithm>
#include <array>
#include <map>
#include <string>

#include "core/uart16550.h"
#include "core/uuid.h"
#include "core/vfio_uapi.h"
#include "fuzz/byte_reader.h"
#include "fuzz/mdev_lifecycle/ops.h"

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

// The sysfs tree as plain data (sysfs.h, mdev-sysfs.md): canonical path
// ("" is the parent device directory) -> what is there. Walked like any
// file system, independently of SysfsView's own resolver.
struct SysfsEntry {
  SysfsView::Kind kind;
  uint32_t mode;
  std::string content;  // files
  std::string target;   // links: the link text, relative to its directory
};
using SysfsTree = std::map<std::string, SysfsEntry>;

std::string PathParent(const std::string& p) {
  const size_t slash = p.rfind('/');
  return slash == std::string::npos ? "" : p.substr(0, slash);
}

std::string PathJoin(const std::string& dir, std::string_view name) {
  return dir.empty() ? std::string(name) : dir + "/" + std::string(name);
}

std::vector<std::string_view> SplitPath(std::string_view p) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (true) {
    const size_t slash = p.find('/', pos);
    parts.push_back(p.substr(pos, slash == std::string_view::npos
                                      ? std::string_view::npos
                                      : slash - pos));
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return parts;
}

// Path resolution as namei does it: "" and "." stay, ".." goes to the
// parent (the root is its own), a link is followed when more follows or
// `follow_final`, a trailing slash demands a directory and follows a final
// link; a non-directory with more components is -ENOTDIR, a missing name
// -ENOENT. Returns the canonical path.
Result<std::string> WalkPath(const SysfsTree& tree, std::string_view path,
                             bool follow_final) {
  const bool want_dir = !path.empty() && path.back() == '/' &&
                        path.find_first_not_of('/') != std::string_view::npos;
  follow_final = follow_final || want_dir;
  const std::vector<std::string_view> parts = SplitPath(path);
  std::string cur;
  auto is_dir = [&](const std::string& p) {
    return tree.at(p).kind == SysfsView::Kind::kDirectory;
  };
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string_view part = parts[i];
    if (!is_dir(cur)) return Status::Error(-ENOTDIR);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      cur = PathParent(cur);
      continue;
    }
    cur = PathJoin(cur, part);
    auto it = tree.find(cur);
    if (it == tree.end()) return Status::Error(-ENOENT);
    bool last = true;
    for (size_t j = i + 1; j < parts.size(); ++j)
      last = last && parts[j].empty();
    if (it->second.kind == SysfsView::Kind::kLink && (!last || follow_final)) {
      std::string to = PathParent(cur);
      for (std::string_view t : SplitPath(it->second.target)) {
        to = t == ".." ? PathParent(to) : PathJoin(to, t);
      }
      if (!tree.count(to)) return Status::Error(-ENOENT);
      cur = to;
    }
  }
  if (want_dir && !is_dir(cur)) return Status::Error(-ENOTDIR);
  return cur;
}

const char* const kVerbNames[mdev::kNumSysfsVerbs] = {"read", "write", "list",
                                                      "readlink", "lstat"};

template <typename T>
std::string Shown(const Result<T>& r, std::string (*show)(const T&)) {
  return r.ok() ? show(r.value()) : r.status().ToString();
}
std::string ShowString(const std::string& s) { return "'" + s + "'"; }
std::string ShowSize(const size_t& n) { return std::to_string(n); }
std::string ShowList(const std::vector<std::string>& v) {
  std::string out = "[";
  for (const std::string& s : v) out += (out.size() > 1 ? " " : "") + s;
  return out + "]";
}
std::string ShowStat(const SysfsView::Stat& st) {
  return Format("kind %d mode %o", static_cast<int>(st.kind), st.mode);
}
bool operator==(const SysfsView::Stat& a, const SysfsView::Stat& b) {
  return a.kind == b.kind && a.mode == b.mode;
}
template <typename T>
bool SameResult(const Result<T>& a, const Result<T>& b) {
  if (a.ok() != b.ok()) return false;
  return a.ok() ? a.value() == b.value() : a.status() == b.status();
}

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
  void Sysfs(uint8_t verb, uint8_t path, uint8_t name, uint8_t text);
  SysfsTree Tree() const;
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
      case mdev::kSysfs: {
        const uint8_t verb = in_.U8(), path = in_.U8(), name = in_.U8();
        Sysfs(verb, path, name, in_.U8());
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

SysfsTree Run::Tree() const {
  using Kind = SysfsView::Kind;
  SysfsTree t;
  auto dir = [&](const std::string& p) {
    t[p] = {Kind::kDirectory, 0755, "", ""};
  };
  auto file = [&](const std::string& p, uint32_t mode, std::string content) {
    t[p] = {Kind::kFile, mode, std::move(content), ""};
  };
  dir("");
  dir("mdev_supported_types");
  for (int ports : {1, 2}) {
    const std::string type = "mtty-" + std::to_string(ports);
    const std::string d = "mdev_supported_types/" + type;
    dir(d);
    file(d + "/create", 0200, "");
    file(d + "/name", 0444,
         ports == 1 ? "Single port serial\n" : "Dual port serial\n");
    file(d + "/available_instances", 0444,
         std::to_string(free_ / ports) + "\n");
    file(d + "/device_api", 0444, "vfio-pci\n");
    dir(d + "/devices");
  }
  for (const auto& [id, dev] : devices_) {
    const std::string name(kCanonical[id]);
    const std::string type = "mtty-" + std::to_string(dev.ports);
    dir(name);
    file(name + "/remove", 0200, "");
    t[name + "/mdev_type"] = {Kind::kLink, 0777, "",
                              "../mdev_supported_types/" + type};
    dir(name + "/vendor");
    file(name + "/vendor/sample_mdev_dev", 0444, "This is MDEV " + name + "\n");
    t["mdev_supported_types/" + type + "/devices/" + name] = {
        Kind::kLink, 0777, "", "../../../" + name};
  }
  return t;
}

void Run::Sysfs(uint8_t verb_byte, uint8_t path_byte, uint8_t name_byte,
                uint8_t text_byte) {
  const int verb = verb_byte % mdev::kNumSysfsVerbs;
  const std::string_view name =
      mdev::kSysfsNames[name_byte % mdev::kNumSysfsNames];
  std::string path;
  for (char c : mdev::kSysfsPaths[path_byte % mdev::kNumSysfsPaths]) {
    if (c == '%') {
      path += name;
    } else {
      path += c;
    }
  }
  op_ = Format("sysfs %s '%s'", kVerbNames[verb], path.c_str());
  const SysfsTree tree = Tree();
  const bool follow = verb == mdev::kSysfsWrite || verb == mdev::kSysfsList;
  const Result<std::string> at = WalkPath(tree, path, follow);
  const SysfsEntry* entry = at.ok() ? &tree.at(at.value()) : nullptr;
  const bool is_dir = entry && entry->kind == SysfsView::Kind::kDirectory;
  const bool is_link = entry && entry->kind == SysfsView::Kind::kLink;
  auto mismatch = [&](const std::string& got, const std::string& want) {
    Fail("sysfs-tree",
         Format("answered %s, the tree says %s", got.c_str(), want.c_str()));
  };
  switch (verb) {
    case mdev::kSysfsRead: {
      // A final link is not followed: reading it gives the name of what it
      // points to (sysfs.h's documented deviation).
      Result<std::string> want = at.status();
      if (!at.ok()) {
      } else if (is_dir) {
        want = Status::Error(-EISDIR);
      } else if (is_link) {
        want = entry->target.substr(entry->target.rfind('/') + 1);
      } else if (entry->mode == 0200) {
        want = Status::Error(-EACCES);
      } else {
        want = entry->content;
      }
      const Result<std::string> got = parent_->SysfsRead(path);
      if (!SameResult(got, want)) {
        mismatch(Shown(got, ShowString), Shown(want, ShowString));
      }
      break;
    }
    case mdev::kSysfsList: {
      Result<std::vector<std::string>> want = at.status();
      if (at.ok() && !is_dir) {
        want = Status::Error(-ENOTDIR);
      } else if (at.ok()) {
        std::vector<std::string> names;
        const std::string prefix = at.value().empty() ? "" : at.value() + "/";
        for (const auto& [p, e] : tree) {
          if (!p.empty() && p.size() > prefix.size() &&
              p.compare(0, prefix.size(), prefix) == 0 &&
              p.find('/', prefix.size()) == std::string::npos) {
            names.push_back(p.substr(prefix.size()));
          }
        }
        std::sort(names.begin(), names.end());
        want = names;
      }
      const Result<std::vector<std::string>> got = parent_->SysfsList(path);
      if (!SameResult(got, want)) {
        mismatch(Shown(got, ShowList), Shown(want, ShowList));
      }
      break;
    }
    case mdev::kSysfsReadLink: {
      Result<std::string> want = at.status();
      if (at.ok()) {
        want = is_link ? Result<std::string>(entry->target)
                       : Result<std::string>(Status::Error(-EINVAL));
      }
      const Result<std::string> got = parent_->SysfsReadLink(path);
      if (!SameResult(got, want)) {
        mismatch(Shown(got, ShowString), Shown(want, ShowString));
      }
      break;
    }
    case mdev::kSysfsStat: {
      Result<SysfsView::Stat> want = at.status();
      if (at.ok()) want = SysfsView::Stat{entry->kind, entry->mode};
      const Result<SysfsView::Stat> got = parent_->SysfsStat(path);
      if (!SameResult(got, want)) {
        mismatch(Shown(got, ShowStat), Shown(want, ShowStat));
      }
      break;
    }
    case mdev::kSysfsWrite: {
      const std::vector<mdev::SysfsWriteText>& texts = mdev::SysfsWriteTexts();
      const mdev::SysfsWriteText& text = texts[text_byte % texts.size()];
      // kernfs hands the attribute at most one page.
      const size_t len = std::min<size_t>(text.text.size(), 4096);
      Result<size_t> want = at.status();
      enum { kNothing, kCreates, kRemoves } effect = kNothing;
      int create_id = -1, ports = 0;
      int remove_id = -1;
      if (!at.ok()) {
      } else if (is_dir) {
        want = Status::Error(-EISDIR);
      } else if (entry->mode != 0200) {
        want = Status::Error(-EACCES);
      } else if (len == 0) {
        want = size_t{0};
      } else if (at.value().size() >= 7 &&
                 at.value().compare(at.value().size() - 7, 7, "/create") == 0) {
        // mdev_supported_types/mtty-N/create. Only the pool's texts are
        // 36 or 37 bytes long; every other one fails the length check.
        ports = at.value()[at.value().size() - 8] - '0';
        const mdev::PoolUuid* u = text.uuid >= 0 ? &kUuids[text.uuid] : nullptr;
        if (u == nullptr || !u->valid) {
          want = Status::Error(-EINVAL);
        } else if (devices_.count(u->id)) {
          want = Status::Error(-EEXIST);
        } else if (free_ < ports) {
          want = Status::Error(-ENOSPC);
        } else {
          want = len;
          effect = kCreates;
          create_id = u->id;
        }
      } else {
        // <uuid>/remove.
        const std::string dev = PathParent(at.value());
        for (int id = 0; id < kNumIds; ++id) {
          if (kCanonical[id] == dev) remove_id = id;
        }
        if (text.value < 0) {
          want = Status::Error(-EINVAL);
        } else if (text.value == 0) {
          want = len;
        } else {
          const Status s = ExpectRemove(remove_id);
          want = s.ok() ? Result<size_t>(len) : Result<size_t>(s);
          if (s.ok()) effect = kRemoves;
        }
      }
      op_ += Format(" <- %zu bytes", text.text.size());
      const Result<size_t> got = parent_->SysfsWrite(path, text.text);
      if (!SameResult(got, want)) {
        mismatch(Shown(got, ShowSize), Shown(want, ShowSize));
        return;
      }
      if (effect == kCreates) {
        devices_[create_id] = ModelDevice{ports};
        free_ -= ports;
      } else if (effect == kRemoves) {
        free_ += devices_[remove_id].ports;
        devices_.erase(remove_id);
      }
      break;
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
