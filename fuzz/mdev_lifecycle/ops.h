// Copyright mtty-lab authors.
//
// The mdev_lifecycle input format and its encoder. UUIDs come from a small
// pool (kUuids) so that duplicates, case variants and malformed names meet.
//
//   byte 0   ignored (reserved for options)
//   then ops an opcode byte (modulo kNumOps) and operands:
//
//   kCreate       u8 type, u8 uuid, u8 profile    MdevParent::Create; type
//                                                 % 4 indexes kTypes, uuid %
//                                                 kNumUuids, profile % 3
//                                                 (2 is out of range)
//   kCreateSysfs  u8 type, u8 uuid                write the UUID text to
//                                                 mdev_supported_types/T/create
//   kRemove       u8 uuid                         MdevParent::Remove, timeout 0
//   kRemoveSysfs  u8 uuid, u8 text                write kRemoveTexts[text % 6]
//                                                 to <uuid>/remove
//   kOpen         u8 uuid                         into the next handle slot
//   kClose        u8 slot                         (slot % kSlots)
//   kAccess       u8 slot, u8 sel, u8 value       BAR write (sel bit 4: read)
//                                                 through an open handle
//   kReadSysfs    u8 which, u8 uuid               a sysfs read or listing
//   kSysfs        u8 verb, u8 path, u8 name, u8 text
//                                                 any SysfsView call (verb %
//                                                 5: Read, Write, List,
//                                                 ReadLink, GetStat) on
//                                                 kSysfsPaths[path % size]
//                                                 with each '%' replaced by
//                                                 kSysfsNames[name %
//                                                 kNumSysfsNames];
//                                                 Write writes
//                                                 SysfsWriteTexts()[text %
//                                                 size]
#ifndef MTTY_FUZZ_MDEV_LIFECYCLE_OPS_H_
#define MTTY_FUZZ_MDEV_LIFECYCLE_OPS_H_

#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mtty::fuzz::mdev {

enum Op : uint8_t {
  kCreate = 0,
  kCreateSysfs = 1,
  kRemove = 2,
  kRemoveSysfs = 3,
  kOpen = 4,
  kClose = 5,
  kAccess = 6,
  kReadSysfs = 7,
  kSysfs = 8,
};
inline constexpr uint8_t kNumOps = 9;

inline constexpr std::string_view kTypes[4] = {"mtty-1", "mtty-2", "mtty-3",
                                               "MTTY-1"};

// A UUID as written, whether the kernel accepts it, and which device it
// names (equal `id` = same 16 bytes).
struct PoolUuid {
  std::string_view text;
  bool valid;
  int id;
};
inline constexpr PoolUuid kUuids[] = {
    {"6a1e0c4a-0b2c-4d3e-8f40-5a6b7c8d9e01", true, 1},
    {"6a1e0c4a-0b2c-4d3e-8f40-5a6b7c8d9e02", true, 2},
    {"6A1E0C4A-0B2C-4D3E-8F40-5A6B7C8D9E01", true, 1},        // case variant
    {"6a1e0c4a-0b2c-4d3e-8f40-5a6b7c8d9e03\n", true, 3},      // echo's newline
    {"6a1e0c4a-0b2c-4d3e-8f40-5a6b7c8d9e04x", true, 4},       // 37th unchecked
    {"00000000-0000-0000-0000-000000000000", true, 0},        // nil
    {"6a1e0c4a-0b2c-4d3e-8f40-5a6b7c8d9e0", false, -1},       // 35 bytes
    {"6a1e0c4a0b2c-4d3e-8f40-5a6b7c8d9e011", false, -1},      // hyphen moved
    {"6a1e0c4a-0b2c-4d3e-8f40-5a6b7c8d9eg1", false, -1},      // not hex
    {"6a1e0c4a-0b2c-4d3e-8f40-5a6b7c8d9e05\n\n", false, -1},  // 38 bytes
};
inline constexpr size_t kNumUuids = std::size(kUuids);
inline constexpr int kNumIds = 5;
// The canonical (lowercase, 36-byte) name of each id, in UUID order, so a
// map keyed by id lists devices in the order MdevParent::List() does.
inline constexpr std::string_view kCanonical[kNumIds] = {
    "00000000-0000-0000-0000-000000000000",
    "6a1e0c4a-0b2c-4d3e-8f40-5a6b7c8d9e01",
    "6a1e0c4a-0b2c-4d3e-8f40-5a6b7c8d9e02",
    "6a1e0c4a-0b2c-4d3e-8f40-5a6b7c8d9e03",
    "6a1e0c4a-0b2c-4d3e-8f40-5a6b7c8d9e04",
};

// What is written to `remove`: (text, kstrtoul's value or -1 if rejected).
struct RemoveText {
  std::string_view text;
  long long value;
};
inline constexpr RemoveText kRemoveTexts[6] = {
    {"1", 1}, {"1\n", 1}, {"0", 0}, {"0x10", 16}, {"-1", -1}, {"yes", -1}};

inline constexpr size_t kSlots = 4;

// kSysfs: the SysfsView call.
enum SysfsVerb : uint8_t {
  kSysfsRead = 0,
  kSysfsWrite = 1,
  kSysfsList = 2,
  kSysfsReadLink = 3,
  kSysfsStat = 4,
};
inline constexpr uint8_t kNumSysfsVerbs = 5;

// kSysfs: paths relative to the parent device directory; '%' stands for a
// device directory name (kSysfsNames). Every attribute, link and
// directory, reached directly, through links, with "." / ".." / repeated
// and trailing slashes, plus names that do not exist and files used as
// directories.
inline constexpr std::string_view kSysfsPaths[] = {
    "",
    "/",
    ".",
    "..",
    "mdev_supported_types",
    "mdev_supported_types/",
    "mdev_supported_types/mtty-1",
    "mdev_supported_types/mtty-2/",
    "mdev_supported_types/mtty-3",
    "mdev_supported_types/mtty-1/name",
    "mdev_supported_types/mtty-2/name",
    "mdev_supported_types/mtty-2/device_api",
    "mdev_supported_types/mtty-1/available_instances",
    "mdev_supported_types/mtty-1/create",
    "mdev_supported_types/mtty-2/create",
    "mdev_supported_types/mtty-1/devices",
    "mdev_supported_types/mtty-2/devices/",
    "mdev_supported_types/mtty-1/devices/%",
    "mdev_supported_types/mtty-2/devices/%",
    "mdev_supported_types/mtty-2/devices/%/",
    "mdev_supported_types/mtty-2/devices/%/remove",
    "mdev_supported_types/mtty-1/devices/%/vendor/sample_mdev_dev",
    "mdev_supported_types/mtty-2/devices/%/mdev_type/devices/%",
    "mdev_supported_types/mtty-1/bogus",
    "mdev_supported_types/mtty-1/name/x",
    "mdev_supported_types/mtty-1/name/",
    "mdev_supported_types/mtty-1/name/.",
    "mdev_supported_types/./mtty-1/../mtty-2//name",
    "mdev_supported_types/mtty-1/devices/..",
    "mdev_supported_types/mtty-2/devices/../../%/vendor",
    "//mdev_supported_types///mtty-2",
    "../mdev_supported_types/mtty-1/devices/../../..",
    "MDEV_SUPPORTED_TYPES",
    "%",
    "%/",
    "/%/.",
    "%/remove",
    "%/remove/",
    "%/remove/x",
    "%/mdev_type",
    "%/mdev_type/",
    "%/mdev_type/name",
    "%/mdev_type/create",
    "%/mdev_type/devices/%",
    "%/mdev_type/devices/%/mdev_type",
    "%/vendor",
    "%/vendor/",
    "%/vendor/sample_mdev_dev",
    "/%/vendor/sample_mdev_dev/",
    "%/vendor/sample_mdev_dev/..",
    "%/vendor/..",
    "%/vendor/bogus",
    "%/bogus",
    "%/..",
    "%/../%/mdev_type",
};
inline constexpr size_t kNumSysfsPaths = std::size(kSysfsPaths);

// kSysfs: what '%' becomes: the pool's devices by their directory names,
// one no pool entry creates, an uppercase variant (not a directory name),
// a 35-byte one, and two 36-byte ones that do not parse (a character below
// '0' and one between '9' and 'A' where a hex digit belongs).
inline constexpr std::string_view kSysfsNames[] = {
    "00000000-0000-0000-0000-000000000000",
    "6a1e0c4a-0b2c-4d3e-8f40-5a6b7c8d9e01",
    "6a1e0c4a-0b2c-4d3e-8f40-5a6b7c8d9e02",
    "6a1e0c4a-0b2c-4d3e-8f40-5a6b7c8d9e03",
    "6a1e0c4a-0b2c-4d3e-8f40-5a6b7c8d9e04",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "6A1E0C4A-0B2C-4D3E-8F40-5A6B7C8D9E01",
    "6a1e0c4a-0b2c-4d3e-8f40-5a6b7c8d9e0",
    "6a1e0c4a-0b2c-4d3e-8f40-5a6b7c8d9e0+",
    "6a1e0c4a-0b2c-4d3e-8f40-5a6b7c8d9e0@",
};
inline constexpr size_t kNumSysfsNames = std::size(kSysfsNames);

// kSysfs Write data: the pool's UUID texts (for create), then texts for
// remove with the value the kernel's kstrtoul(buf, 0) gives (-1: rejected,
// -EINVAL or -ERANGE), then an empty write and one longer than a page.
struct SysfsWriteText {
  std::string text;
  int uuid;         // index into kUuids, or -1
  long long value;  // kstrtoul(text, 0) or -1
};
inline const std::vector<SysfsWriteText>& SysfsWriteTexts() {
  static const std::vector<SysfsWriteText>* texts = [] {
    auto* t = new std::vector<SysfsWriteText>;
    for (size_t i = 0; i < kNumUuids; ++i) {
      t->push_back({std::string(kUuids[i].text), static_cast<int>(i), -1});
    }
    for (const RemoveText& r : kRemoveTexts) {
      t->push_back({std::string(r.text), -1, r.value});
    }
    const std::pair<std::string, long long> more[] = {
        {"+1", 1},
        {"+0", 0},
        {"0x0", 0},
        {"0xA", 10},
        {"0xfF", 255},
        {"08", -1},  // '8' is not octal: junk
        {"0\n", 0},
        {"010", 8},
        {"0X1f", 31},
        {"0x", -1},
        {"0x1g", -1},
        {"0xg", -1},  // no hex digit after 0x: octal 0, then junk
        {"1\n\n", -1},
        {" 1", -1},
        {"99999999999999999999", -1},    // -ERANGE
        {"18446744073709551615", 1},     // 2^64 - 1: non-zero
        {"18446744073709551616", -1},    // -ERANGE
        {std::string("1\0junk", 6), 1},  // stops at the NUL
        {"", 0},                         // not stored: returns 0
        // Cut to one page: 4096 '0's, octal 0, a no-op; the '1' is dropped.
        {std::string(4096, '0') + "1", 0},
    };
    for (const auto& [text, value] : more) t->push_back({text, -1, value});
    return t;
  }();
  return *texts;
}

class Input {
 public:
  Input() { bytes_.push_back(0); }
  Input& Create(uint8_t type, uint8_t uuid, uint8_t profile = 0) {
    return Op(kCreate, {type, uuid, profile});
  }
  Input& CreateSysfs(uint8_t type, uint8_t uuid) {
    return Op(kCreateSysfs, {type, uuid});
  }
  Input& Remove(uint8_t uuid) { return Op(kRemove, {uuid}); }
  Input& RemoveSysfs(uint8_t uuid, uint8_t text) {
    return Op(kRemoveSysfs, {uuid, text});
  }
  Input& Open(uint8_t uuid) { return Op(kOpen, {uuid}); }
  Input& Close(uint8_t slot) { return Op(kClose, {slot}); }
  Input& Access(uint8_t slot, uint8_t sel, uint8_t value) {
    return Op(kAccess, {slot, sel, value});
  }
  Input& ReadSysfs(uint8_t which, uint8_t uuid = 0) {
    return Op(kReadSysfs, {which, uuid});
  }
  Input& Sysfs(uint8_t verb, uint8_t path, uint8_t name = 0, uint8_t text = 0) {
    return Op(kSysfs, {verb, path, name, text});
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  Input& Op(uint8_t op, std::initializer_list<uint8_t> operands) {
    bytes_.push_back(op);
    bytes_.insert(bytes_.end(), operands);
    return *this;
  }
  std::vector<uint8_t> bytes_;
};

}  // namespace mtty::fuzz::mdev

#endif  // MTTY_FUZZ_MDEV_LIFECYCLE_OPS_H_
