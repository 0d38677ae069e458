// Copyright mtty-lab authors.
//
// SysfsView: the kernel's sysfs files for the mtty parent, as path-addressed
// reads and writes over an MdevParent. Paths are relative to the parent
// device directory (/sys/devices/virtual/mtty/mtty); a leading '/' is
// ignored. The tree (only the mdev parts of the kernel's; power/, uevent,
// subsystem, iommu_group and driver are not modelled):
//
//   mdev_supported_types/                       dir
//     mtty-1/, mtty-2/                          dir
//       create                                  0200  write a UUID
//       name                                    0444  "Single port serial\n"
//       available_instances                     0444  "%u\n"
//       device_api                              0444  "vfio-pci\n"
//       devices/<uuid>                          link  -> ../../../<uuid>
//   <uuid>/                                     dir   one per device
//     remove                                    0200  write a number
//     mdev_type                                 link  ->
//     ../mdev_supported_types/mtty-N vendor/sample_mdev_dev 0444  "This is MDEV
//     <uuid>\n"
//
// There is no `description`: mtty has no show_description, so the kernel
// hides the attribute. While a Remove waits for handles, the device keeps its
// directory but loses `remove`, `mdev_type` and its devices/ link, as in the
// kernel (the links go first, then `remove` deletes itself).
//
// Contents and errors are the kernel's:
//  * Reading a write-only file or writing a read-only one: -EACCES (sysfs
//    refuses the open itself, even for root, because its kernfs root has
//    KERNFS_ROOT_EXTRA_OPEN_PERM_CHECK; the -EIO fallback in the attribute
//    show/store wrappers is unreachable).
//  * Unknown name: -ENOENT. A file used as a directory: -ENOTDIR. A
//    directory read or written: -EISDIR. Names are case-sensitive; device
//    directories are lowercase.
//  * A write hands at most one page (4096 bytes) to the attribute, like
//    kernfs; an empty write returns 0 without calling it. Success returns the
//    byte count the attribute consumed (the whole, possibly cut, buffer).
//  * create: 36 or 37 bytes (the 37th unchecked) else -EINVAL; then
//    MdevParent::Create's -EINVAL / -EEXIST / -ENOSPC.
//  * remove: parsed as kstrtoul(buf, 0) — optional '+', 0x/0 prefixes, one
//    trailing newline, stops at a NUL — else -EINVAL; 0 is a no-op success;
//    non-zero is MdevParent::Remove with the parent's remove timeout
//    (-EBUSY if handles stay open: the kernel would block instead; -EAGAIN
//    if a concurrent remove is already waiting, where the kernel's losing
//    writer would wait for the winner and then return the count).
//
// Deviation: reading a link returns the name of what it points to, no
// newline (`mdev_type` reads "mtty-2"), the way mdevctl reads it
// (basename of the resolved path). Use ReadLink for the link text.
//
// Thread-safe: holds no state of its own; every call is a few MdevParent
// calls, so a tree read while devices come and go may mix two instants.
#ifndef MTTY_CORE_SYSFS_H_
#define MTTY_CORE_SYSFS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/mdev_parent.h"
#include "core/status.h"

namespace mtty {

// The kernel's kstrtoul for a write buffer: `text` ends at its first NUL;
// `base` 0 (auto: "0x" hex, "0" octal, else decimal) or 2..16. -EINVAL for
// no digits, junk after them (one '\n' allowed), a '-' sign or a bad base;
// -ERANGE when the value does not fit in 64 bits.
Result<uint64_t> KStrToUl(std::string_view text, unsigned base);

class SysfsView {
 public:
  static constexpr size_t kPageSize = 4096;

  enum class Kind { kDirectory, kFile, kLink };
  struct Stat {
    Kind kind;
    uint32_t mode;  // 0755 directories, 0444 / 0200 files, 0777 links
  };

  // `parent` must outlive the view.
  explicit SysfsView(MdevParent& parent) : parent_(parent) {}

  // The file's contents. A final link is not followed (see above).
  Result<std::string> Read(std::string_view path) const;
  // One write(2) of `data` at offset 0; returns the bytes consumed.
  Result<size_t> Write(std::string_view path, std::string_view data) const;
  // A directory's entries, sorted, without "." and "..". Follows links.
  Result<std::vector<std::string>> List(std::string_view dir) const;
  // readlink(2): the link's relative target; -EINVAL if not a link.
  Result<std::string> ReadLink(std::string_view path) const;
  // lstat(2): a final link is reported as a link.
  Result<Stat> GetStat(std::string_view path) const;

 private:
  struct Node;
  Result<Node> Resolve(std::string_view path, bool follow_final) const;
  Result<Node> Lookup(const Node& dir, std::string_view name) const;
  Result<Node> Follow(const Node& link) const;
  Status Store(const Node& file, std::string_view data) const;

  MdevParent& parent_;
};

}  // namespace mtty

#endif  // MTTY_CORE_SYSFS_H_
