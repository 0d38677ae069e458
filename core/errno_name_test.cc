// Copyright mtty-lab authors.
#include "core/errno_name.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "core/status.h"

namespace mtty {
namespace {

TEST(SystemErrnoNameTest, AgreesWithErrnoNameWhereThatHasAName) {
  for (int err : {EPERM, EIO, EFAULT, EBUSY, EINVAL, ENODEV, ENOSPC}) {
    EXPECT_EQ(SystemErrnoName(err), ErrnoName(err)) << err;
  }
}

TEST(SystemErrnoNameTest, NamesWhatOnlyTheCLibraryKnows) {
  EXPECT_EQ(SystemErrnoName(ENXIO), "ENXIO");
  EXPECT_EQ(SystemErrnoName(ENOSYS), "ENOSYS");
  EXPECT_EQ(SystemErrnoName(ENAMETOOLONG), "ENAMETOOLONG");
  EXPECT_EQ(SystemErrnoName(-ELOOP), "ELOOP");
}

TEST(SystemErrnoNameTest, NumbersWithoutAName) {
  EXPECT_EQ(SystemErrnoName(4095), "E4095");
  EXPECT_EQ(SystemErrnoName(-4095), "E4095");
}

}  // namespace
}  // namespace mtty
