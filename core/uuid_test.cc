#include "core/uuid.h"

#include <gtest/gtest.h>

#include <string>
#include <unordered_set>

namespace mtty {
namespace {

constexpr std::string_view kDocUuid = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";

TEST(UuidTest, ParsesCanonicalLowercase) {
  Result<Uuid> u = Uuid::Parse(kDocUuid);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->ToString(), kDocUuid);
}

TEST(UuidTest, BytesAreInPrintedOrder) {
  Result<Uuid> u = Uuid::Parse("00112233-4455-6677-8899-aabbccddeeff");
  ASSERT_TRUE(u.ok());
  const std::array<uint8_t, 16> want = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
                                        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
                                        0xcc, 0xdd, 0xee, 0xff};
  EXPECT_EQ(u->bytes(), want);
}

TEST(UuidTest, UppercaseAndMixedCaseParseToTheLowercaseName) {
  Result<Uuid> upper = Uuid::Parse("83B8F4F2-509F-382F-3C1E-E6BFE0FA1001");
  Result<Uuid> mixed = Uuid::Parse("83b8F4f2-509F-382f-3C1e-e6BFe0fA1001");
  ASSERT_TRUE(upper.ok());
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(upper->ToString(), kDocUuid);
  EXPECT_EQ(*upper, *Uuid::Parse(kDocUuid));
  EXPECT_EQ(*mixed, *upper);
}

TEST(UuidTest, ThirtySeventhByteIsNotChecked) {
  for (char last : {'\n', 'x', '\0', ' ', '-', '\xff'}) {
    std::string text(kDocUuid);
    text.push_back(last);
    ASSERT_EQ(text.size(), 37u);
    Result<Uuid> u = Uuid::Parse(text);
    ASSERT_TRUE(u.ok()) << static_cast<int>(last);
    EXPECT_EQ(u->ToString(), kDocUuid);
  }
}

TEST(UuidTest, WrongLengthIsEinval) {
  const std::string base(kDocUuid);
  for (const std::string& text :
       {std::string(), base.substr(0, 35), base + "\n\n", base + "00",
        "{" + base + "}", std::string("83b8f4f2509f382f3c1ee6bfe0fa1001")}) {
    EXPECT_EQ(Uuid::Parse(text).status(), Status::Error(-EINVAL)) << text;
  }
}

TEST(UuidTest, HyphenOutOfPlaceIsEinval) {
  // Hyphen moved one to the right; digit where a hyphen belongs.
  EXPECT_EQ(Uuid::Parse("83b8f4f25-09f-382f-3c1e-e6bfe0fa1001").status(),
            Status::Error(-EINVAL));
  EXPECT_EQ(Uuid::Parse("83b8f4f2-509f-382f-3c1e0e6bfe0fa1001\n").status(),
            Status::Error(-EINVAL));
  EXPECT_EQ(Uuid::Parse("83b8f4f2-509f-382f-3c1e-e6bfe0fa10-1").status(),
            Status::Error(-EINVAL));
}

TEST(UuidTest, NonHexDigitIsEinvalAtEveryPosition) {
  const std::string base(kDocUuid);
  for (size_t i = 0; i < base.size(); ++i) {
    if (base[i] == '-') continue;
    for (char bad : {'g', 'G', ' ', '\0', '+', 'x', '\x80'}) {
      std::string text = base;
      text[i] = bad;
      EXPECT_EQ(Uuid::Parse(text).status(), Status::Error(-EINVAL))
          << "position " << i << " byte " << static_cast<int>(bad);
    }
  }
}

TEST(UuidTest, DefaultIsNil) {
  Uuid nil;
  EXPECT_TRUE(nil.is_nil());
  EXPECT_EQ(nil.ToString(), "00000000-0000-0000-0000-000000000000");
  EXPECT_FALSE(Uuid::Parse(kDocUuid)->is_nil());
}

TEST(UuidTest, OrderMatchesCanonicalStringOrder) {
  const Uuid a = *Uuid::Parse("0fffffff-ffff-ffff-ffff-ffffffffffff");
  const Uuid b = *Uuid::Parse("a0000000-0000-0000-0000-000000000000");
  const Uuid c = *Uuid::Parse("a0000000-0000-0000-0000-000000000001");
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_LT(a.ToString(), b.ToString());
  EXPECT_NE(a, b);
}

TEST(UuidTest, HashAgreesWithEquality) {
  const Uuid lower = *Uuid::Parse(kDocUuid);
  const Uuid upper = *Uuid::Parse("83B8F4F2-509F-382F-3C1E-E6BFE0FA1001");
  const Uuid other = *Uuid::Parse("83b8f4f2-509f-382f-3c1e-e6bfe0fa1002");
  EXPECT_EQ(lower.Hash(), upper.Hash());
  EXPECT_NE(lower.Hash(), other.Hash());
  std::unordered_set<Uuid> set = {lower, upper, other};
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(set.count(upper), 1u);
}

TEST(UuidTest, RandomV4HasVersionAndVariantBits) {
  const Uuid a = Uuid::RandomV4();
  const Uuid b = Uuid::RandomV4();
  EXPECT_NE(a, b);
  for (const Uuid& u : {a, b}) {
    EXPECT_EQ(u.bytes()[6] >> 4, 4);
    EXPECT_EQ(u.bytes()[8] >> 6, 2);
    const std::string s = u.ToString();
    EXPECT_EQ(s[14], '4');
    EXPECT_EQ(*Uuid::Parse(s), u);
  }
}

}  // namespace
}  // namespace mtty
