// Copyright mtty-lab authors.
//
// The migration model against docs/spec/vfio-migration.md: the paths the
// next-step table gives a device with all three flags, written out by hand
// from the table, and the arcs' file actions.
#include "fuzz/models/mig_model.h"

#include <vector>

#include "gtest/gtest.h"

namespace mtty::fuzz::mig {
namespace {

std::vector<uint8_t> P(std::initializer_list<uint8_t> v) { return v; }

TEST(MigModelTest, PathsFollowTheNextStepTable) {
  EXPECT_EQ(Path(kS, kR), P({kRP, kR}));
  EXPECT_EQ(Path(kS, kPC), P({kRP, kR, kPC}));
  EXPECT_EQ(Path(kR, kSC), P({kRP, kS, kSC}));
  EXPECT_EQ(Path(kR, kRS), P({kRP, kS, kRS}));
  EXPECT_EQ(Path(kSC, kR), P({kS, kRP, kR}));
  EXPECT_EQ(Path(kRS, kPC), P({kS, kRP, kR, kPC}));
  EXPECT_EQ(Path(kPC, kSC), P({kPCP, kSC}));
  EXPECT_EQ(Path(kPC, kRS), P({kR, kRP, kS, kRS}));
  EXPECT_EQ(Path(kPCP, kS), P({kRP, kS}));
}

TEST(MigModelTest, RefusedTargetsHaveNoPath) {
  // The v7.2 rule: STOP_COPY cannot go back to PRE_COPY (before the fix the
  // kernel spun forever); ERROR is never a target.
  EXPECT_EQ(Path(kSC, kPC), std::nullopt);
  EXPECT_EQ(Path(kSC, kPCP), std::nullopt);
  EXPECT_EQ(Path(kR, kE), std::nullopt);
}

TEST(MigModelTest, ArcsAndTheirFiles) {
  EXPECT_TRUE(IsArc(kR, kRP));
  EXPECT_TRUE(IsArc(kPCP, kSC));
  EXPECT_FALSE(IsArc(kR, kS));   // R -> S goes through RP
  EXPECT_FALSE(IsArc(kSC, kPC));
  EXPECT_EQ(ArcAction(kR, kPC), ArcFile::kNewSave);
  EXPECT_EQ(ArcAction(kS, kSC), ArcFile::kNewSaveWithPorts);
  EXPECT_EQ(ArcAction(kPCP, kSC), ArcFile::kAppendPorts);
  EXPECT_EQ(ArcAction(kS, kRS), ArcFile::kNewResume);
  EXPECT_EQ(ArcAction(kSC, kS), ArcFile::kDrop);
  EXPECT_EQ(ArcAction(kRS, kS), ArcFile::kLoadThenDrop);
  EXPECT_EQ(ArcAction(kR, kRP), ArcFile::kNone);
}

}  // namespace
}  // namespace mtty::fuzz::mig
