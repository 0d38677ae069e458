#include "core/sysfs.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace mtty {
namespace {

using std::chrono::milliseconds;
using Names = std::vector<std::string>;

constexpr char kDoc[] = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";
const std::string kDocDir = kDoc;
const std::string kCreate2 = "mdev_supported_types/mtty-2/create";
const std::string kCreate1 = "mdev_supported_types/mtty-1/create";

Status Err(int e) { return Status::Error(e); }

class SysfsTest : public ::testing::Test {
 protected:
  explicit SysfsTest(MdevParent::Options options = {})
      : parent_(options), sysfs_(parent_) {}

  std::string ReadOk(std::string_view path) {
    Result<std::string> r = sysfs_.Read(path);
    EXPECT_TRUE(r.ok()) << path << ": " << r.status().ToString();
    return r.ok() ? *r : "<error>";
  }
  Names ListOk(std::string_view path) {
    Result<Names> r = sysfs_.List(path);
    EXPECT_TRUE(r.ok()) << path << ": " << r.status().ToString();
    return r.ok() ? *r : Names{"<error>"};
  }
  void CreateDoc() { ASSERT_EQ(*sysfs_.Write(kCreate2, kDocDir + "\n"), 37u); }

  MdevParent parent_;
  SysfsView sysfs_;
};

TEST_F(SysfsTest, FreshTree) {
  EXPECT_EQ(ListOk(""), Names({"mdev_supported_types"}));
  EXPECT_EQ(ListOk("/"), Names({"mdev_supported_types"}));
  EXPECT_EQ(ListOk("mdev_supported_types"), Names({"mtty-1", "mtty-2"}));
  const Names type_dir = {"available_instances", "create", "device_api",
                          "devices", "name"};
  EXPECT_EQ(ListOk("mdev_supported_types/mtty-1"), type_dir);
  EXPECT_EQ(ListOk("mdev_supported_types/mtty-2"), type_dir);
  EXPECT_EQ(ListOk("mdev_supported_types/mtty-1/devices"), Names{});
}

TEST_F(SysfsTest, TypeAttributesByteForByte) {
  EXPECT_EQ(ReadOk("mdev_supported_types/mtty-1/name"), "Single port serial\n");
  EXPECT_EQ(ReadOk("mdev_supported_types/mtty-2/name"), "Dual port serial\n");
  EXPECT_EQ(ReadOk("mdev_supported_types/mtty-1/device_api"), "vfio-pci\n");
  EXPECT_EQ(ReadOk("mdev_supported_types/mtty-2/device_api"), "vfio-pci\n");
  EXPECT_EQ(ReadOk("mdev_supported_types/mtty-1/available_instances"), "24\n");
  EXPECT_EQ(ReadOk("mdev_supported_types/mtty-2/available_instances"), "12\n");
}

TEST_F(SysfsTest, NoDescriptionBecauseMttyHasNone) {
  EXPECT_EQ(sysfs_.Read("mdev_supported_types/mtty-2/description").status(),
            Err(-ENOENT));
}

TEST_F(SysfsTest, KernelDocumentationExample) {
  // echo 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 > .../mtty-2/create
  Result<size_t> n = sysfs_.Write(kCreate2, kDocDir + "\n");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 37u);
  EXPECT_EQ(ReadOk("mdev_supported_types/mtty-2/available_instances"), "11\n");
  EXPECT_EQ(ReadOk("mdev_supported_types/mtty-1/available_instances"), "22\n");
  EXPECT_EQ(ListOk(""), Names({kDocDir, "mdev_supported_types"}));
  EXPECT_EQ(ListOk("mdev_supported_types/mtty-2/devices"), Names({kDocDir}));
  EXPECT_EQ(ListOk("mdev_supported_types/mtty-1/devices"), Names{});
  EXPECT_EQ(ListOk(kDocDir), Names({"mdev_type", "remove", "vendor"}));
  EXPECT_EQ(ListOk(kDocDir + "/vendor"), Names({"sample_mdev_dev"}));
  EXPECT_EQ(ReadOk(kDocDir + "/vendor/sample_mdev_dev"),
            "This is MDEV 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001\n");
  ASSERT_TRUE(parent_.Find(*Uuid::Parse(kDoc)).ok());
  EXPECT_EQ(parent_.Find(*Uuid::Parse(kDoc))->type->name, "mtty-2");
}

TEST_F(SysfsTest, MdevCtlWritesTheUuidWithoutNewline) {
  EXPECT_EQ(*sysfs_.Write(kCreate1, kDocDir), 36u);
  EXPECT_EQ(ReadOk("mdev_supported_types/mtty-1/available_instances"), "23\n");
}

TEST_F(SysfsTest, LinksReadAsTheirTargetsName) {
  CreateDoc();
  EXPECT_EQ(ReadOk(kDocDir + "/mdev_type"), "mtty-2");
  EXPECT_EQ(*sysfs_.ReadLink(kDocDir + "/mdev_type"),
            "../mdev_supported_types/mtty-2");
  const std::string link = "mdev_supported_types/mtty-2/devices/" + kDocDir;
  EXPECT_EQ(ReadOk(link), kDocDir);
  EXPECT_EQ(*sysfs_.ReadLink(link), "../../../" + kDocDir);
  EXPECT_EQ(sysfs_.ReadLink(kDocDir + "/remove").status(), Err(-EINVAL));
}

TEST_F(SysfsTest, PathsThroughLinksResolve) {
  CreateDoc();
  EXPECT_EQ(ReadOk(kDocDir + "/mdev_type/name"), "Dual port serial\n");
  EXPECT_EQ(ListOk(kDocDir + "/mdev_type"),
            ListOk("mdev_supported_types/mtty-2"));
  EXPECT_EQ(ReadOk("mdev_supported_types/mtty-2/devices/" + kDocDir +
                   "/vendor/sample_mdev_dev"),
            "This is MDEV " + kDocDir + "\n");
  EXPECT_EQ(ReadOk(kDocDir + "/mdev_type/devices/" + kDocDir + "/mdev_type"),
            "mtty-2");
}

TEST_F(SysfsTest, PathSpellings) {
  CreateDoc();
  EXPECT_EQ(ReadOk("/mdev_supported_types//mtty-2/./name"),
            "Dual port serial\n");
  EXPECT_EQ(ReadOk("mdev_supported_types/mtty-1/../mtty-2/name"),
            "Dual port serial\n");
  EXPECT_EQ(ReadOk("../../" + kDocDir + "/vendor/../vendor/sample_mdev_dev"),
            "This is MDEV " + kDocDir + "\n");
  EXPECT_EQ(ListOk("mdev_supported_types/"), Names({"mtty-1", "mtty-2"}));
  // ".." after following a link is the target's parent, as in the kernel.
  EXPECT_EQ(ListOk(kDocDir + "/mdev_type/.."), Names({"mtty-1", "mtty-2"}));
}

TEST_F(SysfsTest, DeviceDirectoriesAreLowercaseOnly) {
  ASSERT_EQ(*sysfs_.Write(kCreate2, "83B8F4F2-509F-382F-3C1E-E6BFE0FA1001\n"),
            37u);
  EXPECT_EQ(ListOk(""), Names({kDocDir, "mdev_supported_types"}));
  EXPECT_EQ(sysfs_
                .Read("83B8F4F2-509F-382F-3C1E-E6BFE0FA1001/vendor/"
                      "sample_mdev_dev")
                .status(),
            Err(-ENOENT));
}

TEST_F(SysfsTest, CreateLengthRules) {
  const std::string u = kDocDir;
  EXPECT_EQ(sysfs_.Write(kCreate2, u.substr(0, 35)).status(), Err(-EINVAL));
  EXPECT_EQ(sysfs_.Write(kCreate2, u + "\n\n").status(), Err(-EINVAL));
  EXPECT_EQ(sysfs_.Write(kCreate2, " " + u).status(), Err(-EINVAL));
  EXPECT_EQ(sysfs_.Write(kCreate2, u + std::string(5000, '\n')).status(),
            Err(-EINVAL));
  // An empty write never reaches the attribute.
  EXPECT_EQ(*sysfs_.Write(kCreate2, ""), 0u);
  EXPECT_EQ(parent_.free_ports(), 24);
  // The 37th byte is not checked.
  EXPECT_EQ(*sysfs_.Write(kCreate2, u + "X"), 37u);
  EXPECT_EQ(parent_.free_ports(), 22);
}

TEST_F(SysfsTest, CreateRejectsNulInsideTheUuid) {
  std::string u = kDocDir + "\n";
  u[10] = '\0';
  EXPECT_EQ(sysfs_.Write(kCreate2, u).status(), Err(-EINVAL));
  std::string nul_last = kDocDir + std::string(1, '\0');
  EXPECT_EQ(*sysfs_.Write(kCreate2, nul_last), 37u);
}

TEST_F(SysfsTest, CreateBadUuidDuplicateAndNoSpace) {
  EXPECT_EQ(
      sysfs_.Write(kCreate2, "83b8f4f2-509f-382f-3c1e-e6bfe0fa100g\n").status(),
      Err(-EINVAL));
  CreateDoc();
  EXPECT_EQ(sysfs_.Write(kCreate1, kDocDir + "\n").status(), Err(-EEXIST));
  for (int k = 0; k < 11; ++k) {
    std::string u = kDocDir;
    u[35] = static_cast<char>('a' + k % 6);
    u[34] = static_cast<char>('a' + k / 6);
    ASSERT_EQ(*sysfs_.Write(kCreate2, u), 36u) << u;
  }
  EXPECT_EQ(ReadOk("mdev_supported_types/mtty-2/available_instances"), "0\n");
  EXPECT_EQ(ReadOk("mdev_supported_types/mtty-1/available_instances"), "0\n");
  EXPECT_EQ(
      sysfs_.Write(kCreate1, "00000000-0000-0000-0000-000000000001").status(),
      Err(-ENOSPC));
  EXPECT_EQ(parent_.List().size(), 12u);
}

TEST_F(SysfsTest, RemoveZeroIsANoOp) {
  CreateDoc();
  EXPECT_EQ(*sysfs_.Write(kDocDir + "/remove", "0"), 1u);
  EXPECT_EQ(*sysfs_.Write(kDocDir + "/remove", "0\n"), 2u);
  EXPECT_EQ(*sysfs_.Write(kDocDir + "/remove", "0x0"), 3u);
  EXPECT_EQ(*sysfs_.Write(kDocDir + "/remove", "00"), 2u);
  EXPECT_EQ(*sysfs_.Write(kDocDir + "/remove", ""), 0u);
  EXPECT_EQ(parent_.List().size(), 1u);
}

TEST_F(SysfsTest, RemoveJunkIsEinval) {
  CreateDoc();
  for (std::string junk :
       {"junk", "-1", " 1", "1 ", "1\n\n", "0x", "08", "1.0", "one",
        "99999999999999999999999", "0x10000000000000000", "\n"}) {
    EXPECT_EQ(sysfs_.Write(kDocDir + "/remove", junk).status(), Err(-EINVAL))
        << junk;
  }
  EXPECT_EQ(parent_.List().size(), 1u);
}

TEST_F(SysfsTest, RemoveNonZeroRemoves) {
  for (std::string one :
       {std::string("1"), std::string("1\n"), std::string("+1"),
        std::string("0x1"), std::string("07"),
        std::string("18446744073709551615"), std::string("1\0junk", 6)}) {
    CreateDoc();
    Result<size_t> n = sysfs_.Write(kDocDir + "/remove", one);
    ASSERT_TRUE(n.ok()) << one << ": " << n.status().ToString();
    EXPECT_EQ(*n, one.size());
    EXPECT_TRUE(parent_.List().empty()) << one;
    EXPECT_EQ(ReadOk("mdev_supported_types/mtty-2/available_instances"),
              "12\n");
    EXPECT_EQ(ListOk(""), Names({"mdev_supported_types"}));
  }
}

TEST_F(SysfsTest, RemovedDeviceDirectoryIsGone) {
  CreateDoc();
  ASSERT_EQ(*sysfs_.Write(kDocDir + "/remove", "1"), 1u);
  EXPECT_EQ(sysfs_.Write(kDocDir + "/remove", "1").status(), Err(-ENOENT));
  EXPECT_EQ(sysfs_.List(kDocDir).status(), Err(-ENOENT));
  EXPECT_EQ(sysfs_.Read(kDocDir + "/vendor/sample_mdev_dev").status(),
            Err(-ENOENT));
}

TEST_F(SysfsTest, WriteOnlyFilesCannotBeRead) {
  CreateDoc();
  EXPECT_EQ(sysfs_.Read(kCreate2).status(), Err(-EACCES));
  EXPECT_EQ(sysfs_.Read(kCreate1).status(), Err(-EACCES));
  EXPECT_EQ(sysfs_.Read(kDocDir + "/remove").status(), Err(-EACCES));
}

TEST_F(SysfsTest, ReadOnlyFilesCannotBeWritten) {
  CreateDoc();
  for (const std::string& path :
       {std::string("mdev_supported_types/mtty-2/name"),
        std::string("mdev_supported_types/mtty-2/available_instances"),
        std::string("mdev_supported_types/mtty-1/device_api"),
        kDocDir + "/vendor/sample_mdev_dev"}) {
    EXPECT_EQ(sysfs_.Write(path, "1").status(), Err(-EACCES)) << path;
    // Even an empty write: the open is what fails.
    EXPECT_EQ(sysfs_.Write(path, "").status(), Err(-EACCES)) << path;
  }
}

TEST_F(SysfsTest, DirectoriesAreNotFiles) {
  CreateDoc();
  for (const std::string& dir :
       {std::string(""), std::string("mdev_supported_types"),
        std::string("mdev_supported_types/mtty-2/devices"), kDocDir,
        kDocDir + "/vendor"}) {
    EXPECT_EQ(sysfs_.Read(dir).status(), Err(-EISDIR)) << dir;
    EXPECT_EQ(sysfs_.Write(dir, "1").status(), Err(-EISDIR)) << dir;
  }
  // Writing through a link to a directory.
  EXPECT_EQ(sysfs_.Write(kDocDir + "/mdev_type", "1").status(), Err(-EISDIR));
}

TEST_F(SysfsTest, FilesAreNotDirectories) {
  CreateDoc();
  EXPECT_EQ(sysfs_.List("mdev_supported_types/mtty-2/name").status(),
            Err(-ENOTDIR));
  EXPECT_EQ(sysfs_.Read("mdev_supported_types/mtty-2/name/x").status(),
            Err(-ENOTDIR));
  EXPECT_EQ(sysfs_.Read("mdev_supported_types/mtty-2/name/").status(),
            Err(-ENOTDIR));
  EXPECT_EQ(sysfs_.Write(kDocDir + "/remove/", "1").status(), Err(-ENOTDIR));
  EXPECT_EQ(parent_.List().size(), 1u);
}

TEST_F(SysfsTest, UnknownPathsAreEnoent) {
  CreateDoc();
  for (const std::string& path :
       {std::string("nope"), std::string("mdev_supported_types/mtty-3/name"),
        std::string("mdev_supported_types/mtty-2/Name"),
        std::string("mdev_supported_types/mtty-1/devices/") + kDoc,
        std::string("00000000-0000-0000-0000-000000000000/remove"),
        kDocDir + "/vendor/other", kDocDir + "/iommu_group",
        kDocDir + "x/remove"}) {
    EXPECT_EQ(sysfs_.Read(path).status(), Err(-ENOENT)) << path;
    EXPECT_EQ(sysfs_.Write(path, "1").status(), Err(-ENOENT)) << path;
    EXPECT_EQ(sysfs_.List(path).status(), Err(-ENOENT)) << path;
  }
}

TEST_F(SysfsTest, StatReportsKindsAndModes) {
  CreateDoc();
  struct Want {
    std::string path;
    SysfsView::Kind kind;
    uint32_t mode;
  };
  using K = SysfsView::Kind;
  for (const Want& w : std::vector<Want>{
           {"", K::kDirectory, 0755},
           {"mdev_supported_types/mtty-1", K::kDirectory, 0755},
           {kCreate2, K::kFile, 0200},
           {"mdev_supported_types/mtty-2/name", K::kFile, 0444},
           {"mdev_supported_types/mtty-2/available_instances", K::kFile, 0444},
           {"mdev_supported_types/mtty-2/device_api", K::kFile, 0444},
           {"mdev_supported_types/mtty-2/devices/" + kDocDir, K::kLink, 0777},
           {kDocDir + "/remove", K::kFile, 0200},
           {kDocDir + "/mdev_type", K::kLink, 0777},
           {kDocDir + "/vendor/sample_mdev_dev", K::kFile, 0444},
       }) {
    Result<SysfsView::Stat> st = sysfs_.GetStat(w.path);
    ASSERT_TRUE(st.ok()) << w.path;
    EXPECT_EQ(st->kind, w.kind) << w.path;
    EXPECT_EQ(st->mode, w.mode) << w.path;
  }
  EXPECT_EQ(sysfs_.GetStat(kDocDir + "/mdev_type/")->kind, K::kDirectory);
}

class SysfsNoWaitTest : public SysfsTest {
 protected:
  SysfsNoWaitTest()
      : SysfsTest(MdevParent::Options{.remove_timeout = milliseconds(0)}) {}
};

TEST_F(SysfsNoWaitTest, RemoveWhileOpenIsEbusyAndKeepsTheDevice) {
  CreateDoc();
  MdevHandle h = std::move(parent_.Open(*Uuid::Parse(kDoc))).value();
  ASSERT_TRUE(h.is_open());
  EXPECT_EQ(sysfs_.Write(kDocDir + "/remove", "1").status(), Err(-EBUSY));
  EXPECT_EQ(ListOk(kDocDir), Names({"mdev_type", "remove", "vendor"}));
  EXPECT_EQ(ReadOk("mdev_supported_types/mtty-2/available_instances"), "11\n");
  h.Close();
  EXPECT_EQ(*sysfs_.Write(kDocDir + "/remove", "1"), 1u);
  EXPECT_EQ(ReadOk("mdev_supported_types/mtty-2/available_instances"), "12\n");
}

TEST_F(SysfsTest, PendingRemovalHidesRemoveAndLinks) {
  CreateDoc();
  const Uuid uuid = *Uuid::Parse(kDoc);
  MdevHandle h = std::move(parent_.Open(uuid)).value();
  Result<size_t> written = Status::Error(-EIO);
  std::thread remover(
      [&] { written = sysfs_.Write(kDocDir + "/remove", "1"); });
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!parent_.Find(uuid)->removing &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  ASSERT_TRUE(parent_.Find(uuid)->removing);
  EXPECT_EQ(ListOk(kDocDir), Names({"vendor"}));
  EXPECT_EQ(sysfs_.Write(kDocDir + "/remove", "1").status(), Err(-ENOENT));
  EXPECT_EQ(sysfs_.Read(kDocDir + "/mdev_type").status(), Err(-ENOENT));
  EXPECT_EQ(ListOk("mdev_supported_types/mtty-2/devices"), Names{});
  EXPECT_EQ(ReadOk(kDocDir + "/vendor/sample_mdev_dev"),
            "This is MDEV " + kDocDir + "\n");
  EXPECT_EQ(sysfs_.Write(kCreate2, kDocDir).status(), Err(-EEXIST));
  h.Close();
  remover.join();
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(*written, 1u);
  EXPECT_EQ(ListOk(""), Names({"mdev_supported_types"}));
}

TEST(KStrToUlTest, Base0Values) {
  struct Case {
    std::string text;
    uint64_t want;
  };
  for (const Case& c : std::vector<Case>{
           {"0", 0},
           {"10", 10},
           {"010", 8},
           {"0x10", 16},
           {"0X1f", 31},
           {"+0x1F", 31},
           {"12\n", 12},
           {"18446744073709551615", 18446744073709551615ull},
           {"0xffffffffffffffff", 18446744073709551615ull},
           {"01777777777777777777777", 18446744073709551615ull},
           {std::string("5\0"
                        "9",
                        3),
            5},
       }) {
    Result<uint64_t> got = KStrToUl(c.text, 0);
    ASSERT_TRUE(got.ok()) << c.text;
    EXPECT_EQ(*got, c.want) << c.text;
  }
}

TEST(KStrToUlTest, Base0Errors) {
  struct Case {
    std::string text;
    int err;
  };
  for (const Case& c : std::vector<Case>{
           {"", -EINVAL},
           {"\n", -EINVAL},
           {"+", -EINVAL},
           {"-1", -EINVAL},
           {"0x", -EINVAL},  // base 8 "0" then junk 'x'
           {"0xg", -EINVAL},
           {"08", -EINVAL},
           {"1\n\n", -EINVAL},
           {"1 ", -EINVAL},
           {" 1", -EINVAL},
           {"++1", -EINVAL},
           {"18446744073709551616", -ERANGE},
           {"0x10000000000000000", -ERANGE},
           {"99999999999999999999junk", -ERANGE},
       }) {
    EXPECT_EQ(KStrToUl(c.text, 0).status(), Err(c.err)) << c.text;
  }
}

TEST(KStrToUlTest, ExplicitBases) {
  EXPECT_EQ(*KStrToUl("ff", 16), 255u);
  EXPECT_EQ(*KStrToUl("0xff", 16), 255u);
  EXPECT_EQ(*KStrToUl("101", 2), 5u);
  EXPECT_EQ(KStrToUl("0x10", 10).status(), Err(-EINVAL));
  EXPECT_EQ(KStrToUl("1", 1).status(), Err(-EINVAL));
  EXPECT_EQ(KStrToUl("1", 17).status(), Err(-EINVAL));
}

}  // namespace
}  // namespace mtty
