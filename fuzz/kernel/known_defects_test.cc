// Copyright mtty-lab authors.
#include "fuzz/kernel/known_defects.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace mtty::fuzz::kernel {
namespace {

TEST(KnownDefectsTest, TableIsIndexedByDefectAndNamesAreUnique) {
  std::set<std::string> names;
  for (size_t i = 0; i < kNumDefects; ++i) {
    const DefectInfo& info = AllDefects()[i];
    EXPECT_EQ(static_cast<size_t>(info.defect), i) << info.name;
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    EXPECT_EQ(DefectByName(info.name), info.defect);
  }
  EXPECT_EQ(DefectByName("no-such-defect"), std::nullopt);
}

TEST(KnownDefectsTest, HuntParsesAllNoneAndLists) {
  std::string error;
  const std::optional<Hunt> all = Hunt::Parse("all", &error);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->ToString(), "all");
  const std::optional<Hunt> empty = Hunt::Parse("", &error);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->hunts(Defect::kEventfdLeak));
  const std::optional<Hunt> none = Hunt::Parse("none", &error);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->hunts(Defect::kConfigReadOob));
  const std::optional<Hunt> two =
      Hunt::Parse("eventfd-leak,config-read-oob", &error);
  ASSERT_TRUE(two);
  EXPECT_TRUE(two->hunts(Defect::kEventfdLeak));
  EXPECT_TRUE(two->hunts(Defect::kConfigReadOob));
  EXPECT_FALSE(two->hunts(Defect::kBarIndexOob));
  EXPECT_EQ(two->ToString(), "config-read-oob,eventfd-leak");
}

TEST(KnownDefectsTest, UnknownNameIsAnErrorThatListsTheKnownOnes) {
  std::string error;
  EXPECT_FALSE(Hunt::Parse("config-read-oob,typo", &error));
  EXPECT_NE(error.find("unknown defect 'typo'"), std::string::npos) << error;
  EXPECT_NE(error.find("eventfd-leak"), std::string::npos) << error;
}

}  // namespace
}  // namespace mtty::fuzz::kernel
