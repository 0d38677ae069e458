// Copyright mtty-lab authors.
//
// mdev_lifecycle seeds: what mdevctl and a VMM do, the pool running dry,
// and the names the kernel refuses.
#include "fuzz/seeds.h"

#include <string>
#include <string_view>

#include "fuzz/mdev_lifecycle/harness.h"
#include "fuzz/mdev_lifecycle/ops.h"

namespace mtty::fuzz {
namespace {

// The index of a kSysfsPaths entry, by its text.
uint8_t P(std::string_view path) {
  for (size_t i = 0; i < mdev::kNumSysfsPaths; ++i) {
    if (mdev::kSysfsPaths[i] == path) return static_cast<uint8_t>(i);
  }
  return 0xff;  // no such entry: seeds_test then sees the wrong answer
}

// The index of a SysfsWriteTexts() entry, by its text.
uint8_t T(std::string_view text) {
  const auto& texts = mdev::SysfsWriteTexts();
  for (size_t i = 0; i < texts.size(); ++i) {
    if (texts[i].text == text) return static_cast<uint8_t>(i);
  }
  return 0xff;
}

// kSysfsNames: the mtty-2 device, the mtty-1 device, names of nothing.
constexpr uint8_t kDev2 = 1, kDev1 = 2, kNobody = 5, kUpper = 6, kShort = 7,
                  kPlus = 8, kAt = 9;

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
  // Every SysfsView call on every path of the table, with a dual-port
  // device (kUuids[0], id 1) and a single-port one (kUuids[1], id 2).
  const char* const verb_names[mdev::kNumSysfsVerbs] = {
      "sysfs_read_every_path", "sysfs_write_every_path",
      "sysfs_list_every_path", "sysfs_readlink_every_path",
      "sysfs_lstat_every_path"};
  for (uint8_t verb = 0; verb < mdev::kNumSysfsVerbs; ++verb) {
    Input in;
    in.CreateSysfs(1, 0).Create(0, 1);
    for (uint8_t p = 0; p < mdev::kNumSysfsPaths; ++p) {
      // Writes: "0" to remove (a no-op), a malformed UUID to create.
      const uint8_t text = T("0");
      in.Sysfs(verb, p, p % 3 == 0 ? kDev1 : kDev2, text);
    }
    add(verb_names[verb], in);
  }
  {
    // Names that are not device directories, and both devices by name.
    Input in;
    in.CreateSysfs(1, 0).Create(0, 1);
    for (uint8_t name :
         {kDev2, kDev1, kNobody, kUpper, kShort, kPlus, kAt, uint8_t{0}}) {
      in.Sysfs(mdev::kSysfsRead, P("%/vendor/sample_mdev_dev"), name);
      in.Sysfs(mdev::kSysfsList, P("%"), name);
      in.Sysfs(mdev::kSysfsStat, P("%/mdev_type"), name);
      in.Sysfs(mdev::kSysfsReadLink, P("mdev_supported_types/mtty-2/devices/%"),
               name);
    }
    add("sysfs_device_names", in);
  }
  {
    // create and remove written through every path that reaches them, with
    // the texts kstrtoul and the UUID parser judge: kernel-style numbers,
    // junk, overflow, a NUL, an empty write, more than a page.
    Input in;
    const uint8_t w = mdev::kSysfsWrite;
    in.Sysfs(w, P("mdev_supported_types/mtty-2/create"), 0, T(""));
    in.Sysfs(w, P("mdev_supported_types/mtty-2/create"), 0, 0);
    in.Sysfs(w, P("mdev_supported_types/mtty-1/create"), 0, 1);
    in.Sysfs(w, P("%/mdev_type/create"), kDev2, 3);  // mtty-2 via the link
    in.Sysfs(w, P("%/mdev_type/create"), kDev1, 4);  // mtty-1 via the link
    in.Sysfs(w, P("%/mdev_type/create"), kDev2, 2);  // -EEXIST (case)
    in.Sysfs(w, P("mdev_supported_types/mtty-1/create"), 0, 8);  // not hex
    in.Sysfs(w, P("mdev_supported_types/mtty-1/create"), 0, T("+1"));
    in.Sysfs(w, P("mdev_supported_types/mtty-1/create"), 0,
             static_cast<uint8_t>(mdev::SysfsWriteTexts().size() - 1));
    in.Sysfs(w, P("mdev_supported_types/mtty-1/name"), 0, 0);  // -EACCES
    in.Sysfs(w, P("mdev_supported_types/mtty-1"), 0, 0);       // -EISDIR
    in.Sysfs(w, P("%/remove/"), kDev2, T("1"));                // -ENOTDIR
    in.Sysfs(w, P("%/mdev_type"), kDev2, T("1"));              // -EISDIR
    for (std::string_view text :
         {"", "0", "0\n", "+0", "0x0", "08", "0x", "0x1g", "0xg", "1\n\n", " 1",
          "-1", "yes", "99999999999999999999", "18446744073709551616"}) {
      in.Sysfs(w, P("%/remove"), kDev2, T(text));
    }
    in.Sysfs(w, P("%/remove"), kDev2,
             static_cast<uint8_t>(mdev::SysfsWriteTexts().size() - 1));
    in.Open(1);  // id 1
    in.Sysfs(w, P("mdev_supported_types/mtty-2/devices/%/remove"), kDev2,
             T("010"));  // -EBUSY
    in.Close(0);
    in.Sysfs(w, P("mdev_supported_types/mtty-2/devices/%/remove"), kDev2,
             T("0X1f"));
    in.Sysfs(w, P("%/remove"), kDev1, T(std::string("1\0junk", 6)));
    in.Sysfs(w, P("%/remove"), 3, T("18446744073709551615"));
    in.Sysfs(w, P("%/remove"), 4, T("1"));
    in.Sysfs(w, P("%/remove"), 4, T("1"));  // -ENOENT
    // Non-zero spellings: '+', hex digits in both cases.
    for (std::string_view text : {"+1", "0xA", "0xfF"}) {
      in.Create(1, 0).Sysfs(w, P("%/remove"), kDev2, T(text));
    }
    in.ReadSysfs(0).ReadSysfs(1).ReadSysfs(2).ReadSysfs(3);
    add("sysfs_create_remove_texts", in);
  }
  return seeds;
}

}  // namespace

MTTY_REGISTER_SEEDS(mdev_lifecycle, MdevLifecycleSeeds, RunMdevLifecycle)

}  // namespace mtty::fuzz
