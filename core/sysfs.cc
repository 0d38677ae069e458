#include "core/sysfs.h"

#include <algorithm>
#include <limits>

#include "core/hex.h"

namespace mtty {

namespace {

constexpr std::string_view kTypesDir = "mdev_supported_types";
constexpr std::string_view kDevicesDir = "devices";
constexpr std::string_view kVendorDir = "vendor";
constexpr std::string_view kCreate = "create";
constexpr std::string_view kName = "name";
constexpr std::string_view kAvailable = "available_instances";
constexpr std::string_view kDeviceApi = "device_api";
constexpr std::string_view kRemove = "remove";
constexpr std::string_view kMdevType = "mdev_type";
constexpr std::string_view kSampleMdevDev = "sample_mdev_dev";

constexpr uint32_t kDirMode = 0755;
constexpr uint32_t kReadOnlyMode = 0444;
constexpr uint32_t kWriteOnlyMode = 0200;
constexpr uint32_t kLinkMode = 0777;

// A device directory name: exactly the kernel's lowercase "%pUl" form.
bool ParseDeviceName(std::string_view name, Uuid* out) {
  if (name.size() != Uuid::kStringLength) return false;
  Result<Uuid> uuid = Uuid::Parse(name);
  if (!uuid.ok() || uuid->ToString() != name) return false;
  *out = *uuid;
  return true;
}

}  // namespace

Result<uint64_t> KStrToUl(std::string_view text, unsigned base) {
  if (base == 1 || base > 16) return Status::Error(-EINVAL);
  text = text.substr(0, text.find('\0'));
  // The kernel walks a NUL-terminated string; reading past the end is
  // reading that NUL.
  auto at = [&text](size_t i) -> unsigned {
    return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u;
  };
  // Digits as the kernel's isxdigit and _parse_integer take them: ASCII
  // 0-9, a-f and A-F only.
  auto digit_value = [](unsigned c) {
    return HexDigitValue(static_cast<char>(c));
  };
  size_t i = 0;
  if (at(0) == '+') i = 1;
  if (base == 0) {
    if (at(i) == '0') {
      base =
          ((at(i + 1) | 0x20) == 'x' && digit_value(at(i + 2)) >= 0) ? 16 : 8;
    } else {
      base = 10;
    }
  }
  if (base == 16 && at(i) == '0' && (at(i + 1) | 0x20) == 'x') i += 2;

  uint64_t value = 0;
  size_t digits = 0;
  bool overflow = false;
  for (;; ++i, ++digits) {
    const int d = digit_value(at(i));
    if (d < 0) break;
    const auto digit = static_cast<unsigned>(d);
    if (digit >= base) break;
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / base) {
      overflow = true;
    }
    value = value * base + digit;  // wraps harmlessly once overflowed
  }
  if (overflow) return Status::Error(-ERANGE);
  if (digits == 0) return Status::Error(-EINVAL);
  if (at(i) == '\n') ++i;
  if (i < text.size()) return Status::Error(-EINVAL);
  return value;
}

struct SysfsView::Node {
  enum class Id {
    kRoot,
    kTypesDir,
    kTypeDir,
    kTypeDevicesDir,
    kTypeDeviceLink,  // devices/<uuid>
    kDeviceDir,
    kDeviceTypeLink,  // <uuid>/mdev_type
    kVendorDir,
    kCreate,
    kName,
    kAvailable,
    kDeviceApi,
    kRemove,
    kSampleMdevDev,
  };
  Id id = Id::kRoot;
  const MdevType* type = nullptr;  // type dirs and their files
  Uuid uuid;                       // device dirs, their files, device links

  Kind kind() const {
    switch (id) {
      case Id::kRoot:
      case Id::kTypesDir:
      case Id::kTypeDir:
      case Id::kTypeDevicesDir:
      case Id::kDeviceDir:
      case Id::kVendorDir:
        return Kind::kDirectory;
      case Id::kTypeDeviceLink:
      case Id::kDeviceTypeLink:
        return Kind::kLink;
      default:
        return Kind::kFile;
    }
  }
  uint32_t mode() const {
    switch (kind()) {
      case Kind::kDirectory:
        return kDirMode;
      case Kind::kLink:
        return kLinkMode;
      case Kind::kFile:
        break;
    }
    return (id == Id::kCreate || id == Id::kRemove) ? kWriteOnlyMode
                                                    : kReadOnlyMode;
  }
  // The directory this one sits in (for ".."); the root is its own.
  Node Parent() const {
    Node up = *this;
    switch (id) {
      case Id::kTypeDir:
        up.id = Id::kTypesDir;
        break;
      case Id::kTypeDevicesDir:
        up.id = Id::kTypeDir;
        break;
      case Id::kVendorDir:
        up.id = Id::kDeviceDir;
        break;
      default:
        up = Node();
        break;
    }
    return up;
  }
};

Result<SysfsView::Node> SysfsView::Lookup(const Node& dir,
                                          std::string_view name) const {
  using Id = Node::Id;
  const auto fail = Status::Error(-ENOENT);
  Node child = dir;
  switch (dir.id) {
    case Id::kRoot: {
      if (name == kTypesDir) {
        child.id = Id::kTypesDir;
        return child;
      }
      if (!ParseDeviceName(name, &child.uuid)) return fail;
      if (!parent_.Find(child.uuid).ok()) return fail;
      child.id = Id::kDeviceDir;
      return child;
    }
    case Id::kTypesDir:
      child.type = MdevParent::FindType(name);
      if (child.type == nullptr) return fail;
      child.id = Id::kTypeDir;
      return child;
    case Id::kTypeDir:
      if (name == kCreate) {
        child.id = Id::kCreate;
      } else if (name == kName) {
        child.id = Id::kName;
      } else if (name == kAvailable) {
        child.id = Id::kAvailable;
      } else if (name == kDeviceApi) {
        child.id = Id::kDeviceApi;
      } else if (name == kDevicesDir) {
        child.id = Id::kTypeDevicesDir;
      } else {
        return fail;
      }
      return child;
    case Id::kTypeDevicesDir: {
      if (!ParseDeviceName(name, &child.uuid)) return fail;
      Result<MdevParent::DeviceInfo> info = parent_.Find(child.uuid);
      if (!info.ok() || info->type != dir.type || info->removing) return fail;
      child.id = Id::kTypeDeviceLink;
      return child;
    }
    case Id::kDeviceDir: {
      Result<MdevParent::DeviceInfo> info = parent_.Find(dir.uuid);
      if (!info.ok()) return fail;
      if (name == kVendorDir) {
        child.id = Id::kVendorDir;
      } else if (name == kRemove && !info->removing) {
        child.id = Id::kRemove;
      } else if (name == kMdevType && !info->removing) {
        child.id = Id::kDeviceTypeLink;
        child.type = info->type;
      } else {
        return fail;
      }
      return child;
    }
    case Id::kVendorDir:
      if (name != kSampleMdevDev || !parent_.Find(dir.uuid).ok()) return fail;
      child.id = Id::kSampleMdevDev;
      return child;
    default:
      return Status::Error(-ENOTDIR);
  }
}

Result<SysfsView::Node> SysfsView::Follow(const Node& link) const {
  Node target;
  if (link.id == Node::Id::kTypeDeviceLink) {
    if (!parent_.Find(link.uuid).ok()) return Status::Error(-ENOENT);
    target.id = Node::Id::kDeviceDir;
    target.uuid = link.uuid;
  } else {
    target.id = Node::Id::kTypeDir;
    target.type = link.type;
  }
  return target;
}

Result<SysfsView::Node> SysfsView::Resolve(std::string_view path,
                                           bool follow_final) const {
  // A trailing slash demands a directory, following a final link to it.
  const bool want_dir = !path.empty() && path.back() == '/' &&
                        path.find_first_not_of('/') != std::string_view::npos;
  follow_final = follow_final || want_dir;
  Node node;
  size_t pos = 0;
  while (pos < path.size()) {
    const size_t slash = path.find('/', pos);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    const std::string_view name = path.substr(pos, end - pos);
    pos = end + 1;
    if (name.empty() || name == ".") {
      if (node.kind() != Kind::kDirectory) return Status::Error(-ENOTDIR);
      continue;
    }
    if (node.kind() != Kind::kDirectory) return Status::Error(-ENOTDIR);
    if (name == "..") {
      node = node.Parent();
      continue;
    }
    Result<Node> child = Lookup(node, name);
    if (!child.ok()) return child.status();
    node = *child;
    const bool last =
        path.find_first_not_of('/', pos) == std::string_view::npos;
    if (node.kind() == Kind::kLink && (!last || follow_final)) {
      Result<Node> target = Follow(node);
      if (!target.ok()) return target.status();
      node = *target;
    }
  }
  if (want_dir && node.kind() != Kind::kDirectory) {
    return Status::Error(-ENOTDIR);
  }
  return node;
}

Result<std::string> SysfsView::Read(std::string_view path) const {
  using Id = Node::Id;
  Result<Node> found = Resolve(path, /*follow_final=*/false);
  if (!found.ok()) return found.status();
  const Node& node = *found;
  switch (node.id) {
    case Id::kTypeDeviceLink:
      return node.uuid.ToString();
    case Id::kDeviceTypeLink:
      return std::string(node.type->name);
    case Id::kName:
      return std::string(node.type->pretty_name) + "\n";
    case Id::kDeviceApi:
      return std::string(MdevParent::kDeviceApi) + "\n";
    case Id::kAvailable: {
      Result<unsigned> n = parent_.AvailableInstances(node.type->name);
      if (!n.ok()) return n.status();
      return std::to_string(*n) + "\n";
    }
    case Id::kSampleMdevDev:
      return "This is MDEV " + node.uuid.ToString() + "\n";
    case Id::kCreate:
    case Id::kRemove:
      return Status::Error(-EACCES);
    default:
      return Status::Error(-EISDIR);
  }
}

Result<size_t> SysfsView::Write(std::string_view path,
                                std::string_view data) const {
  Result<Node> found = Resolve(path, /*follow_final=*/true);
  if (!found.ok()) return found.status();
  const Node& node = *found;
  if (node.kind() == Kind::kDirectory) return Status::Error(-EISDIR);
  if (node.mode() != kWriteOnlyMode) return Status::Error(-EACCES);
  data = data.substr(0, kPageSize);
  if (data.empty()) return size_t{0};
  Status stored = Store(node, data);
  if (!stored.ok()) return stored;
  return data.size();
}

Status SysfsView::Store(const Node& file, std::string_view data) const {
  if (file.id == Node::Id::kCreate) {
    // create_store: the length check comes before the UUID is parsed.
    if (data.size() != Uuid::kStringLength &&
        data.size() != Uuid::kStringLength + 1) {
      return Status::Error(-EINVAL);
    }
    Result<Uuid> uuid = Uuid::Parse(data);
    if (!uuid.ok()) return uuid.status();
    return parent_.Create(file.type->name, *uuid);
  }
  // remove_store
  Result<uint64_t> value = KStrToUl(data, 0);
  if (!value.ok()) return Status::Error(-EINVAL);
  if (*value == 0) return Status::Ok();
  return parent_.Remove(file.uuid);
}

Result<std::vector<std::string>> SysfsView::List(std::string_view dir) const {
  using Id = Node::Id;
  Result<Node> found = Resolve(dir, /*follow_final=*/true);
  if (!found.ok()) return found.status();
  const Node& node = *found;
  std::vector<std::string> names;
  switch (node.id) {
    case Id::kRoot:
      names.emplace_back(kTypesDir);
      for (const MdevParent::DeviceInfo& d : parent_.List()) {
        names.push_back(d.uuid.ToString());
      }
      break;
    case Id::kTypesDir:
      for (const MdevType& t : MdevParent::types()) names.emplace_back(t.name);
      break;
    case Id::kTypeDir:
      names = {std::string(kAvailable), std::string(kCreate),
               std::string(kDeviceApi), std::string(kDevicesDir),
               std::string(kName)};
      break;
    case Id::kTypeDevicesDir:
      for (const MdevParent::DeviceInfo& d : parent_.List()) {
        if (d.type == node.type && !d.removing) {
          names.push_back(d.uuid.ToString());
        }
      }
      break;
    case Id::kDeviceDir: {
      Result<MdevParent::DeviceInfo> info = parent_.Find(node.uuid);
      if (!info.ok()) return Status::Error(-ENOENT);
      if (!info->removing) {
        names = {std::string(kMdevType), std::string(kRemove)};
      }
      names.emplace_back(kVendorDir);
      break;
    }
    case Id::kVendorDir:
      names.emplace_back(kSampleMdevDev);
      break;
    default:
      return Status::Error(-ENOTDIR);
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::string> SysfsView::ReadLink(std::string_view path) const {
  Result<Node> found = Resolve(path, /*follow_final=*/false);
  if (!found.ok()) return found.status();
  switch (found->id) {
    case Node::Id::kTypeDeviceLink:
      return "../../../" + found->uuid.ToString();
    case Node::Id::kDeviceTypeLink:
      return "../" + std::string(kTypesDir) + "/" +
             std::string(found->type->name);
    default:
      return Status::Error(-EINVAL);
  }
}

Result<SysfsView::Stat> SysfsView::GetStat(std::string_view path) const {
  Result<Node> found = Resolve(path, /*follow_final=*/false);
  if (!found.ok()) return found.status();
  return Stat{found->kind(), found->mode()};
}

}  // namespace mtty
