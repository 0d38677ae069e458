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
#ifndef MTTY_FUZZ_MDEV_LIFECYCLE_OPS_H_
#define MTTY_FUZZ_MDEV_LIFECYCLE_OPS_H_

#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <string_view>
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
};
inline constexpr uint8_t kNumOps = 8;

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
