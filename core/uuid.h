// Copyright mtty-lab authors.
//
// Uuid: the 128-bit name of an mdev. Parsing accepts exactly what the
// kernel's `create` attribute accepts (mdev_sysfs.c create_store + lib/uuid.c
// uuid_is_valid), and printing gives the name the kernel gives the device
// ("%pUl": lowercase 8-4-4-4-12), so a Uuid round-trips through sysfs the way
// a kernel mdev name does.
#ifndef MTTY_CORE_UUID_H_
#define MTTY_CORE_UUID_H_

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace mtty {

class Uuid {
 public:
  // UUID_STRING_LEN: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
  static constexpr size_t kStringLength = 36;

  // The nil UUID (all zero bytes).
  constexpr Uuid() = default;
  // Bytes in the order they are printed.
  explicit constexpr Uuid(const std::array<uint8_t, 16>& bytes)
      : bytes_(bytes) {}

  // create_store's rule: `text` must be 36 or 37 bytes long; the first 36
  // must have '-' at 8, 13, 18 and 23 and a hex digit (either case)
  // everywhere else. The 37th byte is not looked at (it is `echo`'s newline;
  // the kernel accepts any byte there). Anything else: -EINVAL.
  static Result<Uuid> Parse(std::string_view text);

  // A random version-4 (RFC 4122) UUID, as `mdevctl start` makes when no
  // UUID is given. Uses getrandom(2); falls back to a clock-seeded generator
  // if the kernel has no entropy to give.
  static Uuid RandomV4();

  // Lowercase canonical form, always 36 characters.
  std::string ToString() const;

  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  bool is_nil() const { return *this == Uuid(); }
  size_t Hash() const;

  // Byte order, which is also the order of the canonical strings.
  // Spelled out: libc++ 14 (OSS-Fuzz builds) has no <=> for std::array, so
  // a defaulted one would be deleted there.
  friend constexpr std::strong_ordering operator<=>(const Uuid& a,
                                                    const Uuid& b) {
    for (size_t i = 0; i < a.bytes_.size(); ++i) {
      if (a.bytes_[i] != b.bytes_[i]) {
        return a.bytes_[i] < b.bytes_[i] ? std::strong_ordering::less
                                         : std::strong_ordering::greater;
      }
    }
    return std::strong_ordering::equal;
  }
  friend constexpr bool operator==(const Uuid&, const Uuid&) = default;

 private:
  std::array<uint8_t, 16> bytes_{};
};

}  // namespace mtty

template <>
struct std::hash<mtty::Uuid> {
  size_t operator()(const mtty::Uuid& uuid) const { return uuid.Hash(); }
};

#endif  // MTTY_CORE_UUID_H_
