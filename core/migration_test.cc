// Copyright mtty-lab authors.

#include "core/migration.h"

#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace mtty {
namespace {

using vfio::MigState;
using FilePtr = std::shared_ptr<MigrationFile>;

constexpr uint64_t kAllFlags =
    vfio::kMigrationStopCopy | vfio::kMigrationP2p | vfio::kMigrationPreCopy;

std::string Name(MigState s) {
  switch (s) {
    case MigState::kError:
      return "E";
    case MigState::kStop:
      return "S";
    case MigState::kRunning:
      return "R";
    case MigState::kStopCopy:
      return "SC";
    case MigState::kResuming:
      return "RS";
    case MigState::kRunningP2p:
      return "RP";
    case MigState::kPreCopy:
      return "PC";
    case MigState::kPreCopyP2p:
      return "PCP";
  }
  return "?" + std::to_string(static_cast<uint32_t>(s));
}

MigState FromName(const std::string& n) {
  for (uint32_t i = 0; i < vfio::kNumMigStates; ++i) {
    if (Name(static_cast<MigState>(i)) == n) return static_cast<MigState>(i);
  }
  ADD_FAILURE() << "bad state name " << n;
  return MigState::kError;
}

// A MigrationPorts whose state is a plain byte vector, so a round trip can be
// checked byte for byte.
class FakePorts : public MigrationPorts {
 public:
  FakePorts(uint32_t n, size_t record, uint8_t seed)
      : n_(n), record_(record), bytes_(n * record) {
    for (size_t i = 0; i < bytes_.size(); ++i) {
      bytes_[i] = static_cast<uint8_t>(seed + 7 * i);
    }
  }
  uint32_t nr_ports() const override { return n_; }
  size_t port_record_size() const override { return record_; }
  void SavePorts(std::span<uint8_t> out) const override {
    ++save_calls;
    EXPECT_EQ(out.size(), bytes_.size());
    std::memcpy(out.data(), bytes_.data(), std::min(out.size(), bytes_.size()));
  }
  Status ValidatePorts(std::span<const uint8_t> in) const override {
    ++validate_calls;
    if (in.size() != bytes_.size()) return Status::Error(-EMSGSIZE);
    if (reject) return Status::Error(-EPROTO, reject_reason);
    return Status::Ok();
  }
  void LoadPorts(std::span<const uint8_t> in) override {
    ++load_calls;
    bytes_.assign(in.begin(), in.end());
  }

  const std::vector<uint8_t>& bytes() const { return bytes_; }

  bool reject = false;
  const char* reject_reason = nullptr;  // with `reject`: the reason given
  mutable int save_calls = 0;
  mutable int validate_calls = 0;
  int load_calls = 0;

 private:
  uint32_t n_;
  size_t record_;
  std::vector<uint8_t> bytes_;
};

constexpr size_t kRecord = 36;

std::vector<uint8_t> Header(uint32_t nr_ports) {
  std::vector<uint8_t> h = {0x4e, 0x2c, 0x3e, 0x8c, 0x89, 0x09, 0x9d, 0x7e,
                            1,    0,    0,    0,    0,    0,    0,    0,
                            0,    0,    0,    0,    0,    0,    0,    0};
  h[16] = static_cast<uint8_t>(nr_ports);
  return h;
}

std::vector<uint8_t> Concat(std::vector<uint8_t> a,
                            const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<uint8_t> ReadAll(MigrationFile& f, size_t chunk = 4096) {
  std::vector<uint8_t> out;
  std::vector<uint8_t> buf(chunk);
  for (;;) {
    Result<size_t> r = f.Read(buf);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok() || *r == 0) return out;
    out.insert(out.end(), buf.begin(), buf.begin() + *r);
  }
}

std::array<uint8_t, 24> PrecopyArg(uint32_t argsz, uint32_t flags) {
  vfio::PrecopyInfo in{argsz, flags, 0x1111, 0x2222};
  std::array<uint8_t, 24> a;
  std::memcpy(a.data(), &in, sizeof(in));
  return a;
}

Result<vfio::PrecopyInfo> Precopy(MigrationFile& f) {
  return f.PrecopyInfo(PrecopyArg(24, 0));
}

// ---------------------------------------------------------------------------
// MigNextState

// Written from the fact sheet's table (vfio-mdev-facts.md section 3.4), rows
// = current state, columns = target in the order below; "-" is -EINVAL
// (ERROR as next step, target or current).
constexpr const char* kColumns = "S R SC RS RP PC PCP E";
constexpr std::array<std::pair<const char*, const char*>, 8> kExpectedNext = {{
    {"S", "S RP SC RS RP RP RP -"},
    {"R", "RP R RP RP RP PC RP -"},
    {"SC", "S S SC S S - - -"},
    {"RS", "S S S RS S S S -"},
    {"RP", "S R S S RP R PCP -"},
    {"PC", "R R PCP R R PC PCP -"},
    {"PCP", "RP RP SC RP RP PC PCP -"},
    {"E", "- - - - - - - -"},
}};

std::vector<std::string> Split(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

TEST(MigNextStateTest, AllSixtyFourPairsWithMttyFlags) {
  const std::vector<std::string> cols = Split(kColumns);
  int checked = 0;
  for (const auto& [row, cells] : kExpectedNext) {
    const std::vector<std::string> want = Split(cells);
    ASSERT_EQ(want.size(), cols.size());
    for (size_t c = 0; c < cols.size(); ++c) {
      const MigState cur = FromName(row);
      const MigState target = FromName(cols[c]);
      Result<MigState> got = MigNextState(cur, target, kAllFlags);
      if (want[c] == "-") {
        EXPECT_EQ(got.status().code(), -EINVAL) << row << "->" << cols[c];
      } else {
        ASSERT_TRUE(got.ok()) << row << "->" << cols[c];
        EXPECT_EQ(Name(*got), want[c]) << row << "->" << cols[c];
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 64);
}

TEST(MigNextStateTest, StopCopyToPreCopyIsRejectedNotHung) {
  EXPECT_EQ(MigNextState(MigState::kStopCopy, MigState::kPreCopy, kAllFlags)
                .status()
                .code(),
            -EINVAL);
  EXPECT_EQ(MigNextState(MigState::kStopCopy, MigState::kPreCopyP2p, kAllFlags)
                .status()
                .code(),
            -EINVAL);
  // Also without P2P, where the blocked arc is reached the same way.
  const uint64_t no_p2p = vfio::kMigrationStopCopy | vfio::kMigrationPreCopy;
  EXPECT_EQ(
      MigNextState(MigState::kStopCopy, MigState::kPreCopy, no_p2p).status(),
      Status::Error(-EINVAL));
}

TEST(MigNextStateTest, StopCopyOnlySkipsOptionalStates) {
  const uint64_t f = vfio::kMigrationStopCopy;
  EXPECT_EQ(*MigNextState(MigState::kRunning, MigState::kStop, f),
            MigState::kStop);
  EXPECT_EQ(*MigNextState(MigState::kStop, MigState::kRunning, f),
            MigState::kRunning);
  EXPECT_EQ(*MigNextState(MigState::kRunning, MigState::kStopCopy, f),
            MigState::kStop);
  EXPECT_EQ(*MigNextState(MigState::kRunning, MigState::kResuming, f),
            MigState::kStop);
  EXPECT_EQ(MigNextState(MigState::kRunning, MigState::kRunningP2p, f)
                .status()
                .code(),
            -EINVAL);
  EXPECT_EQ(
      MigNextState(MigState::kRunning, MigState::kPreCopy, f).status().code(),
      -EINVAL);
  EXPECT_EQ(
      MigNextState(MigState::kPreCopy, MigState::kRunning, f).status().code(),
      -EINVAL);
}

TEST(MigNextStateTest, PreCopyWithoutP2p) {
  const uint64_t f = vfio::kMigrationStopCopy | vfio::kMigrationPreCopy;
  EXPECT_EQ(*MigNextState(MigState::kPreCopy, MigState::kStopCopy, f),
            MigState::kStopCopy);
  EXPECT_EQ(*MigNextState(MigState::kStop, MigState::kPreCopy, f),
            MigState::kRunning);
  EXPECT_EQ(*MigNextState(MigState::kRunning, MigState::kStop, f),
            MigState::kStop);
  EXPECT_EQ(*MigNextState(MigState::kPreCopy, MigState::kResuming, f),
            MigState::kRunning);
}

TEST(MigNextStateTest, P2pWithoutPreCopy) {
  const uint64_t f = vfio::kMigrationStopCopy | vfio::kMigrationP2p;
  EXPECT_EQ(*MigNextState(MigState::kRunning, MigState::kStopCopy, f),
            MigState::kRunningP2p);
  EXPECT_EQ(MigNextState(MigState::kRunning, MigState::kPreCopyP2p, f)
                .status()
                .code(),
            -EINVAL);
}

TEST(MigNextStateTest, OutOfRangeStatesAreInvalid) {
  const auto bad = static_cast<MigState>(8);
  const auto worse = static_cast<MigState>(0xffffffffu);
  EXPECT_EQ(MigNextState(bad, MigState::kStop, kAllFlags).status().code(),
            -EINVAL);
  EXPECT_EQ(MigNextState(MigState::kStop, bad, kAllFlags).status().code(),
            -EINVAL);
  EXPECT_EQ(MigNextState(worse, worse, kAllFlags).status().code(), -EINVAL);
}

// For every flag combination, every pair either fails or yields a supported
// state from which repeated steps reach the target within a few arcs.
TEST(MigNextStateTest, EveryFlagCombinationConverges) {
  for (uint64_t flags :
       {uint64_t{0}, uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{4},
        uint64_t{5}, uint64_t{6}, uint64_t{7}, ~uint64_t{0}}) {
    for (uint32_t c = 0; c < 9; ++c) {
      for (uint32_t t = 0; t < 9; ++t) {
        MigState cur = static_cast<MigState>(c);
        const MigState target = static_cast<MigState>(t);
        int arcs = 0;
        while (cur != target) {
          Result<MigState> next = MigNextState(cur, target, flags);
          if (!next.ok()) break;
          EXPECT_NE(*next, cur);
          EXPECT_NE(*next, MigState::kError);
          cur = *next;
          ASSERT_LE(++arcs, 4) << "flags " << flags << " " << c << "->" << t;
        }
      }
    }
  }
}

// The arcs that make a file (mtty_step_state) only ever end a path, so the
// file a SET returns is always the final arc's.
TEST(MigNextStateTest, FileMakingArcsAreAlwaysFinal) {
  auto makes_file = [](MigState a, MigState b) {
    return (a == MigState::kRunning && b == MigState::kPreCopy) ||
           (a == MigState::kRunningP2p && b == MigState::kPreCopyP2p) ||
           (a == MigState::kStop && b == MigState::kStopCopy) ||
           (a == MigState::kPreCopyP2p && b == MigState::kStopCopy) ||
           (a == MigState::kStop && b == MigState::kResuming);
  };
  for (uint32_t c = 1; c < 8; ++c) {
    for (uint32_t t = 1; t < 8; ++t) {
      MigState cur = static_cast<MigState>(c);
      const MigState target = static_cast<MigState>(t);
      while (cur != target) {
        Result<MigState> next = MigNextState(cur, target, kAllFlags);
        if (!next.ok()) break;
        if (makes_file(cur, *next)) {
          EXPECT_EQ(*next, target) << c << "->" << t;
        }
        cur = *next;
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Migration: single arcs

class MigrationTest : public ::testing::Test {
 protected:
  FakePorts ports_{2, kRecord, 0x10};
  Migration m_{&ports_};

  // Drives from the initial RUNNING to `s` and returns the file made, if any.
  FilePtr Enter(MigState s) {
    Result<FilePtr> r = m_.SetState(s);
    EXPECT_TRUE(r.ok()) << Name(s) << ": " << r.status().ToString();
    EXPECT_EQ(m_.state(), s);
    return r.ok() ? *r : nullptr;
  }
  FilePtr Set(MigState s) {
    Result<FilePtr> r = m_.SetState(s);
    EXPECT_TRUE(r.ok()) << Name(s) << ": " << r.status().ToString();
    EXPECT_EQ(m_.state(), s);
    return r.ok() ? *r : nullptr;
  }
  std::vector<uint8_t> FullStream() const {
    return Concat(Header(2), ports_.bytes());
  }
};

TEST_F(MigrationTest, StartsRunningWithMttyFlagsAndDataSize) {
  EXPECT_EQ(m_.state(), MigState::kRunning);
  EXPECT_EQ(m_.flags(), uint64_t{7});
  EXPECT_EQ(m_.stop_copy_length(), uint64_t{24 + 2 * 36});
  FakePorts one(1, 36, 0);
  Migration m1(&one);
  EXPECT_EQ(m1.stop_copy_length(), uint64_t{60});
}

TEST_F(MigrationTest, SetToCurrentStateIsANoOp) {
  Result<FilePtr> r = m_.SetState(MigState::kRunning);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, nullptr);
  EXPECT_EQ(ports_.save_calls, 0);
}

TEST_F(MigrationTest, ErrorAndOutOfRangeTargetsFailAndKeepState) {
  Enter(MigState::kStop);
  EXPECT_EQ(m_.SetState(MigState::kError).status().code(), -EINVAL);
  EXPECT_EQ(m_.state(), MigState::kStop);
  EXPECT_EQ(m_.SetState(static_cast<MigState>(9)).status().code(), -EINVAL);
  EXPECT_EQ(m_.state(), MigState::kStop);
}

TEST_F(MigrationTest, RunningToRunningP2pIsANoOp) {
  EXPECT_EQ(Set(MigState::kRunningP2p), nullptr);
  EXPECT_EQ(ports_.save_calls, 0);
}

TEST_F(MigrationTest, RunningP2pToRunningIsANoOp) {
  Enter(MigState::kRunningP2p);
  EXPECT_EQ(Set(MigState::kRunning), nullptr);
  EXPECT_EQ(ports_.save_calls, 0);
}

TEST_F(MigrationTest, RunningP2pToStopIsANoOp) {
  Enter(MigState::kRunningP2p);
  EXPECT_EQ(Set(MigState::kStop), nullptr);
  EXPECT_EQ(ports_.save_calls, 0);
}

TEST_F(MigrationTest, StopToRunningP2pIsANoOp) {
  Enter(MigState::kStop);
  EXPECT_EQ(Set(MigState::kRunningP2p), nullptr);
  EXPECT_EQ(ports_.save_calls, 0);
}

TEST_F(MigrationTest, PreCopyToPreCopyP2pKeepsTheStream) {
  FilePtr f = Enter(MigState::kPreCopy);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(Set(MigState::kPreCopyP2p), nullptr);
  EXPECT_FALSE(f->disabled());
  EXPECT_EQ(Precopy(*f)->initial_bytes, uint64_t{24});
}

TEST_F(MigrationTest, PreCopyP2pToPreCopyKeepsTheStream) {
  FilePtr f = Enter(MigState::kPreCopyP2p);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(Set(MigState::kPreCopy), nullptr);
  EXPECT_FALSE(f->disabled());
  EXPECT_EQ(Precopy(*f)->initial_bytes, uint64_t{24});
}

TEST_F(MigrationTest, PreCopyToRunningDropsTheFile) {
  FilePtr f = Enter(MigState::kPreCopy);
  EXPECT_EQ(Set(MigState::kRunning), nullptr);
  EXPECT_TRUE(f->disabled());
}

TEST_F(MigrationTest, PreCopyP2pToRunningP2pDropsTheFile) {
  FilePtr f = Enter(MigState::kPreCopyP2p);
  EXPECT_EQ(Set(MigState::kRunningP2p), nullptr);
  EXPECT_TRUE(f->disabled());
}

TEST_F(MigrationTest, StopCopyToStopDropsTheFile) {
  FilePtr f = Enter(MigState::kStopCopy);
  EXPECT_EQ(Set(MigState::kStop), nullptr);
  EXPECT_TRUE(f->disabled());
}

TEST_F(MigrationTest, RunningToPreCopyMakesAHeaderOnlySaveFile) {
  FilePtr f = Set(MigState::kPreCopy);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind(), MigrationFile::Kind::kSave);
  EXPECT_EQ(ports_.save_calls, 0);
  EXPECT_EQ(ReadAll(*f), Header(2));
}

TEST_F(MigrationTest, RunningP2pToPreCopyP2pMakesAHeaderOnlySaveFile) {
  Enter(MigState::kRunningP2p);
  FilePtr f = Set(MigState::kPreCopyP2p);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind(), MigrationFile::Kind::kSave);
  EXPECT_EQ(ReadAll(*f), Header(2));
}

TEST_F(MigrationTest, StopToStopCopyMakesAFullSaveFile) {
  Enter(MigState::kStop);
  FilePtr f = Set(MigState::kStopCopy);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind(), MigrationFile::Kind::kSave);
  EXPECT_EQ(ports_.save_calls, 1);
  EXPECT_EQ(ReadAll(*f), FullStream());
}

TEST_F(MigrationTest, PreCopyP2pToStopCopyAppendsToTheSameFile) {
  FilePtr f = Enter(MigState::kPreCopyP2p);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(Set(MigState::kStopCopy), nullptr);
  EXPECT_FALSE(f->disabled());
  EXPECT_EQ(ports_.save_calls, 1);
  EXPECT_EQ(ReadAll(*f), FullStream());
}

TEST_F(MigrationTest, StopToResumingMakesAResumeFile) {
  Enter(MigState::kStop);
  FilePtr f = Set(MigState::kResuming);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind(), MigrationFile::Kind::kResume);
  EXPECT_FALSE(f->disabled());
}

TEST_F(MigrationTest, ResumingToStopLoadsAndDropsTheFile) {
  FilePtr f = Enter(MigState::kResuming);
  FakePorts src(2, kRecord, 0xa0);
  const std::vector<uint8_t> stream = Concat(Header(2), src.bytes());
  ASSERT_EQ(*f->Write(stream), stream.size());
  EXPECT_EQ(Set(MigState::kStop), nullptr);
  EXPECT_EQ(ports_.validate_calls, 1);
  EXPECT_EQ(ports_.load_calls, 1);
  EXPECT_EQ(ports_.bytes(), src.bytes());
  EXPECT_TRUE(f->disabled());
}

// ---------------------------------------------------------------------------
// Migration: paths

TEST_F(MigrationTest, RunningToStopCopyProducesHeaderAndPorts) {
  FilePtr f = Set(MigState::kStopCopy);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(ReadAll(*f), FullStream());
}

TEST_F(MigrationTest, PreCopyToStopCopyContinuesThePreCopyFile) {
  FilePtr f = Enter(MigState::kPreCopy);
  EXPECT_EQ(Set(MigState::kStopCopy), nullptr);
  EXPECT_EQ(ReadAll(*f), FullStream());
}

TEST_F(MigrationTest, StopCopyToPreCopyFailsAndStaysInStopCopy) {
  FilePtr f = Enter(MigState::kStopCopy);
  EXPECT_EQ(m_.SetState(MigState::kPreCopy).status().code(), -EINVAL);
  EXPECT_EQ(m_.SetState(MigState::kPreCopyP2p).status().code(), -EINVAL);
  EXPECT_EQ(m_.state(), MigState::kStopCopy);
  EXPECT_FALSE(f->disabled());
}

TEST_F(MigrationTest, StopCopyToRunningDropsTheFileOnTheWay) {
  FilePtr f = Enter(MigState::kStopCopy);
  EXPECT_EQ(Set(MigState::kRunning), nullptr);
  EXPECT_TRUE(f->disabled());
}

TEST_F(MigrationTest, ResumingToRunningLoadsOnTheWay) {
  FilePtr f = Enter(MigState::kResuming);
  FakePorts src(2, kRecord, 0x33);
  ASSERT_TRUE(f->Write(Concat(Header(2), src.bytes())).ok());
  EXPECT_EQ(Set(MigState::kRunning), nullptr);
  EXPECT_EQ(ports_.bytes(), src.bytes());
}

TEST_F(MigrationTest, ResumingToPreCopyLoadsThenStartsANewStream) {
  FilePtr in = Enter(MigState::kResuming);
  FakePorts src(2, kRecord, 0x44);
  ASSERT_TRUE(in->Write(Concat(Header(2), src.bytes())).ok());
  FilePtr out = Set(MigState::kPreCopy);
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->kind(), MigrationFile::Kind::kSave);
  EXPECT_TRUE(in->disabled());
  EXPECT_EQ(Set(MigState::kStopCopy), nullptr);
  EXPECT_EQ(ReadAll(*out), Concat(Header(2), src.bytes()));
}

TEST_F(MigrationTest, FailedArcMidPathLeavesStateWhereItStarted) {
  Enter(MigState::kResuming);  // nothing written
  EXPECT_EQ(m_.SetState(MigState::kRunning).status().code(), -EINVAL);
  EXPECT_EQ(m_.state(), MigState::kResuming);
}

// ---------------------------------------------------------------------------
// Save files

TEST_F(MigrationTest, HeaderBytesAreExact) {
  FilePtr f = Set(MigState::kPreCopy);
  const std::vector<uint8_t> want = {
      0x4e, 0x2c, 0x3e, 0x8c, 0x89, 0x09, 0x9d, 0x7e, 0x01, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(ReadAll(*f), want);
}

TEST_F(MigrationTest, PrecopyInfoCountsUnreadHeaderBytes) {
  FilePtr f = Set(MigState::kPreCopy);
  Result<vfio::PrecopyInfo> i = f->PrecopyInfo(PrecopyArg(24, 0));
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->argsz, 24u);
  EXPECT_EQ(i->flags, 0u);
  EXPECT_EQ(i->initial_bytes, 24u);
  EXPECT_EQ(i->dirty_bytes, 0u);

  std::array<uint8_t, 10> buf;
  ASSERT_EQ(*f->Read(buf), 10u);
  EXPECT_EQ(Precopy(*f)->initial_bytes, 14u);
  std::array<uint8_t, 100> rest;
  ASSERT_EQ(*f->Read(rest), 14u);
  EXPECT_EQ(Precopy(*f)->initial_bytes, 0u);
  // The temporary end of a pre-copy stream reads as 0, as the sample does.
  EXPECT_EQ(*f->Read(rest), 0u);
}

TEST_F(MigrationTest, PrecopyInfoEchoesCallerFlagsAndArgsz) {
  FilePtr f = Set(MigState::kPreCopy);
  std::array<uint8_t, 32> big{};
  vfio::PrecopyInfo in{32, 0xabcd, 0, 0};
  std::memcpy(big.data(), &in, sizeof(in));
  Result<vfio::PrecopyInfo> i = f->PrecopyInfo(big);
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->argsz, 32u);
  EXPECT_EQ(i->flags, 0xabcdu);
  EXPECT_EQ(i->initial_bytes, 24u);
}

TEST_F(MigrationTest, PrecopyInfoArgumentChecks) {
  FilePtr f = Set(MigState::kPreCopy);
  std::array<uint8_t, 24> arg = PrecopyArg(24, 0);
  EXPECT_EQ(f->PrecopyInfo(std::span(arg).first(23)).status().code(), -EFAULT);
  EXPECT_EQ(f->PrecopyInfo(PrecopyArg(23, 0)).status().code(), -EINVAL);
  EXPECT_EQ(f->PrecopyInfo(PrecopyArg(0, 0)).status().code(), -EINVAL);
}

TEST_F(MigrationTest, PrecopyInfoOutsidePreCopyIsInvalid) {
  FilePtr f = Enter(MigState::kStopCopy);
  EXPECT_EQ(Precopy(*f).status().code(), -EINVAL);
}

TEST_F(MigrationTest, PrecopyInfoAfterAppendIsInvalid) {
  FilePtr f = Enter(MigState::kPreCopy);
  Set(MigState::kStopCopy);
  EXPECT_EQ(Precopy(*f).status().code(), -EINVAL);
}

TEST_F(MigrationTest, PrecopyInfoOnDroppedFileDependsOnDeviceState) {
  FilePtr old = Enter(MigState::kPreCopy);
  Set(MigState::kRunning);
  EXPECT_EQ(Precopy(*old).status().code(), -EINVAL);
  FilePtr fresh = Set(MigState::kPreCopy);
  EXPECT_EQ(Precopy(*old).status().code(), -ENODEV);
  EXPECT_EQ(Precopy(*fresh)->initial_bytes, 24u);
}

TEST_F(MigrationTest, IoctlWritesPrecopyInfoBack) {
  FilePtr f = Set(MigState::kPreCopy);
  std::array<uint8_t, 24> arg = PrecopyArg(24, 5);
  ASSERT_TRUE(f->Ioctl(vfio::kMigGetPrecopyInfo, arg).ok());
  vfio::PrecopyInfo out;
  std::memcpy(&out, arg.data(), sizeof(out));
  EXPECT_EQ(out.argsz, 24u);
  EXPECT_EQ(out.flags, 5u);
  EXPECT_EQ(out.initial_bytes, 24u);
  EXPECT_EQ(out.dirty_bytes, 0u);
}

TEST_F(MigrationTest, IoctlFailureLeavesArgUntouched) {
  FilePtr f = Enter(MigState::kStopCopy);
  std::array<uint8_t, 24> arg = PrecopyArg(24, 5);
  const std::array<uint8_t, 24> before = arg;
  EXPECT_EQ(f->Ioctl(vfio::kMigGetPrecopyInfo, arg).code(), -EINVAL);
  EXPECT_EQ(arg, before);
}

TEST_F(MigrationTest, IoctlUnknownCommandIsNotTty) {
  FilePtr f = Set(MigState::kPreCopy);
  std::array<uint8_t, 24> arg = PrecopyArg(24, 0);
  EXPECT_EQ(f->Ioctl(vfio::kMigGetPrecopyInfo + 1, arg).code(), -ENOTTY);
  EXPECT_EQ(f->Ioctl(vfio::kDeviceFeature, arg).code(), -ENOTTY);
}

TEST_F(MigrationTest, SaveFileIsReadOnly) {
  FilePtr f = Set(MigState::kStopCopy);
  const std::vector<uint8_t> data(4, 0);
  EXPECT_EQ(f->Write(data).status().code(), -EBADF);
  EXPECT_EQ(ReadAll(*f), FullStream());
}

TEST_F(MigrationTest, SaveFileIsAStream) {
  FilePtr f = Set(MigState::kStopCopy);
  std::array<uint8_t, 8> buf;
  EXPECT_EQ(f->Pread(buf, 0).status().code(), -ESPIPE);
  EXPECT_EQ(f->Pread(buf, 5).status().code(), -ESPIPE);
  EXPECT_EQ(f->Pread(buf, -1).status().code(), -EINVAL);
  EXPECT_EQ(f->Pwrite(buf, 0).status().code(), -ESPIPE);
  EXPECT_EQ(f->Pwrite(buf, -1).status().code(), -EINVAL);
  // Nothing was consumed.
  EXPECT_EQ(ReadAll(*f), FullStream());
}

TEST_F(MigrationTest, SaveFileReadsInAnyChunkSize) {
  FilePtr f = Set(MigState::kStopCopy);
  EXPECT_EQ(ReadAll(*f, 1), FullStream());
}

TEST_F(MigrationTest, ZeroLengthReadReturnsZero) {
  FilePtr f = Set(MigState::kStopCopy);
  EXPECT_EQ(*f->Read({}), 0u);
  EXPECT_EQ(ReadAll(*f), FullStream());
}

// ---------------------------------------------------------------------------
// Resume files

class ResumeTest : public MigrationTest {
 protected:
  void SetUp() override {
    file_ = Enter(MigState::kResuming);
    ASSERT_NE(file_, nullptr);
  }
  std::vector<uint8_t> SourceStream() const {
    return Concat(Header(2), src_.bytes());
  }
  // After a rejection: the whole valid stream is still accepted from where
  // the file was before, and loads.
  void ExpectCleanResume(size_t already_written) {
    const std::vector<uint8_t> s = SourceStream();
    std::span<const uint8_t> rest = std::span(s).subspan(already_written);
    ASSERT_EQ(*file_->Write(rest), rest.size());
    EXPECT_EQ(Set(MigState::kStop), nullptr);
    EXPECT_EQ(ports_.bytes(), src_.bytes());
  }

  FakePorts src_{2, kRecord, 0xc3};
  FilePtr file_;
};

TEST_F(ResumeTest, OneByteChunks) {
  const std::vector<uint8_t> s = SourceStream();
  for (size_t i = 0; i < s.size(); ++i) {
    ASSERT_EQ(*file_->Write(std::span(s).subspan(i, 1)), 1u) << i;
  }
  EXPECT_EQ(Set(MigState::kStop), nullptr);
  EXPECT_EQ(ports_.bytes(), src_.bytes());
}

TEST_F(ResumeTest, ZeroLengthWriteIsAccepted) {
  EXPECT_EQ(*file_->Write({}), 0u);
  ExpectCleanResume(0);
}

TEST_F(ResumeTest, ResumeFileIsWriteOnlyAndAStream) {
  std::array<uint8_t, 4> buf;
  EXPECT_EQ(file_->Read(buf).status().code(), -EBADF);
  EXPECT_EQ(file_->Pwrite(buf, 0).status().code(), -ESPIPE);
  EXPECT_EQ(file_->Pwrite(buf, -2).status().code(), -EINVAL);
  EXPECT_EQ(file_->Pread(buf, 0).status().code(), -ESPIPE);
  EXPECT_EQ(Precopy(*file_).status().code(), -ENOTTY);
  std::array<uint8_t, 24> arg = PrecopyArg(24, 0);
  EXPECT_EQ(file_->Ioctl(vfio::kMigGetPrecopyInfo, arg).code(), -ENOTTY);
  ExpectCleanResume(0);
}

TEST_F(ResumeTest, BadMagicIsRejectedAndNotKept) {
  std::vector<uint8_t> h = Header(2);
  h[0] ^= 1;
  EXPECT_EQ(file_->Write(h).status().code(), -EFAULT);
  EXPECT_STREQ(file_->Write(h).status().reason(),
               "migration stream magic is wrong");
  EXPECT_EQ(m_.state(), MigState::kResuming);
  ExpectCleanResume(0);
}

TEST_F(ResumeTest, BadMagicInTheCompletingWriteIsRejectedAndNotKept) {
  const std::vector<uint8_t> s = SourceStream();
  ASSERT_EQ(*file_->Write(std::span(s).first(7)), 7u);
  std::vector<uint8_t> tail(s.begin() + 7, s.begin() + 24);
  tail[0] ^= 0x80;  // stream byte 7: top byte of the magic
  EXPECT_EQ(file_->Write(tail).status().code(), -EFAULT);
  ExpectCleanResume(7);
}

// The header is judged once all 24 bytes are in, so a bad byte inside an
// incomplete header is accepted, and every write completing it fails.
TEST_F(ResumeTest, BadMagicIsJudgedWhenTheHeaderCompletes) {
  std::vector<uint8_t> h = Header(2);
  h[3] ^= 1;
  ASSERT_EQ(*file_->Write(std::span(h).first(23)), 23u);
  EXPECT_EQ(file_->Write(std::span(h).subspan(23)).status().code(), -EFAULT);
  EXPECT_EQ(file_->Write(std::span(h).subspan(23)).status().code(), -EFAULT);
  EXPECT_EQ(m_.SetState(MigState::kStop).status().code(), -EINVAL);
  EXPECT_EQ(m_.state(), MigState::kResuming);
  EXPECT_EQ(ports_.validate_calls, 0);
}

TEST_F(ResumeTest, BadMajorIsRejected) {
  std::vector<uint8_t> h = Header(2);
  h[8] = 2;
  EXPECT_EQ(file_->Write(h).status().code(), -EFAULT);
  EXPECT_STREQ(file_->Write(h).status().reason(),
               "migration stream major version is not 1");
  ExpectCleanResume(0);
}

TEST_F(ResumeTest, BadMinorIsRejected) {
  std::vector<uint8_t> h = Header(2);
  h[12] = 1;
  EXPECT_EQ(file_->Write(h).status().code(), -EFAULT);
  EXPECT_STREQ(file_->Write(h).status().reason(),
               "migration stream minor version is not 0");
  ExpectCleanResume(0);
}

TEST_F(ResumeTest, NonzeroFlagsAreRejected) {
  std::vector<uint8_t> h = Header(2);
  h[23] = 0x80;
  // Split so the bad byte is the one completing the header.
  ASSERT_EQ(*file_->Write(std::span(h).first(23)), 23u);
  const Status s = file_->Write(std::span(h).subspan(23)).status();
  EXPECT_EQ(s.code(), -EFAULT);
  EXPECT_STREQ(s.reason(), "migration stream flags are not 0");
  ExpectCleanResume(23);
}

TEST_F(ResumeTest, WrongPortCountIsRejected) {
  EXPECT_EQ(file_->Write(Header(1)).status().code(), -EFAULT);
  EXPECT_EQ(file_->Write(Header(3)).status().code(), -EFAULT);
  EXPECT_STREQ(file_->Write(Header(3)).status().reason(),
               "migration stream port count is not the device's");
  ExpectCleanResume(0);
}

TEST_F(ResumeTest, WholeStreamWithBadHeaderIsRejected) {
  std::vector<uint8_t> s = SourceStream();
  s[16] = 1;
  EXPECT_EQ(file_->Write(s).status().code(), -EFAULT);
  ExpectCleanResume(0);
}

TEST_F(ResumeTest, TooLongIsRejected) {
  std::vector<uint8_t> s = SourceStream();
  s.push_back(0);
  EXPECT_EQ(file_->Write(s).status().code(), -ENOMEM);
  EXPECT_STREQ(file_->Write(s).status().reason(),
               "write runs past the end of the migration stream");
  ExpectCleanResume(0);
}

TEST_F(ResumeTest, WritePastTheEndIsRejected) {
  ASSERT_TRUE(file_->Write(SourceStream()).ok());
  const uint8_t extra = 0;
  EXPECT_EQ(file_->Write(std::span(&extra, 1)).status().code(), -ENOMEM);
  EXPECT_EQ(Set(MigState::kStop), nullptr);
  EXPECT_EQ(ports_.bytes(), src_.bytes());
}

TEST_F(ResumeTest, ShortStreamFailsToLoadAndStaysResuming) {
  const std::vector<uint8_t> s = SourceStream();
  ASSERT_TRUE(file_->Write(std::span(s).first(s.size() - 1)).ok());
  const std::vector<uint8_t> before = ports_.bytes();
  const Status failed = m_.SetState(MigState::kStop).status();
  EXPECT_EQ(failed.code(), -EINVAL);
  EXPECT_STREQ(failed.reason(), "the migration stream is incomplete");
  EXPECT_EQ(m_.state(), MigState::kResuming);
  EXPECT_EQ(ports_.load_calls, 0);
  EXPECT_EQ(ports_.bytes(), before);
  EXPECT_FALSE(file_->disabled());
  ExpectCleanResume(s.size() - 1);
}

TEST_F(ResumeTest, EmptyStreamFailsToLoad) {
  EXPECT_EQ(m_.SetState(MigState::kStop).status().code(), -EINVAL);
  EXPECT_EQ(m_.state(), MigState::kResuming);
  EXPECT_EQ(ports_.validate_calls, 0);
}

TEST_F(ResumeTest, HeaderOnlyStreamFailsToLoad) {
  ASSERT_TRUE(file_->Write(Header(2)).ok());
  EXPECT_EQ(m_.SetState(MigState::kStop).status().code(), -EINVAL);
  EXPECT_EQ(m_.state(), MigState::kResuming);
  ExpectCleanResume(24);
}

TEST_F(ResumeTest, PortsFailingValidationAreNotLoaded) {
  ASSERT_TRUE(file_->Write(SourceStream()).ok());
  const std::vector<uint8_t> before = ports_.bytes();
  ports_.reject = true;
  const Status failed = m_.SetState(MigState::kStop).status();
  EXPECT_EQ(failed.code(), -EINVAL);
  EXPECT_STREQ(failed.reason(), "the device rejected the port records");
  EXPECT_EQ(m_.state(), MigState::kResuming);
  EXPECT_EQ(ports_.validate_calls, 1);
  EXPECT_EQ(ports_.load_calls, 0);
  EXPECT_EQ(ports_.bytes(), before);
  EXPECT_FALSE(file_->disabled());
}

// The device's errno is not the arc's, but its reason is.
TEST_F(ResumeTest, ValidationFailureKeepsTheDevicesReason) {
  ASSERT_TRUE(file_->Write(SourceStream()).ok());
  ports_.reject = true;
  ports_.reject_reason = "RX count above the FIFO capacity";
  const Status failed = m_.SetState(MigState::kStop).status();
  EXPECT_EQ(failed, Status::Error(-EINVAL));
  EXPECT_EQ(failed.ToString(),
            "EINVAL (Invalid argument): RX count above the FIFO capacity");
  EXPECT_EQ(ports_.load_calls, 0);
}

TEST_F(ResumeTest, ValidatorSeesExactlyThePortRecords) {
  ASSERT_TRUE(file_->Write(SourceStream()).ok());
  ports_.reject = false;
  EXPECT_EQ(Set(MigState::kStop), nullptr);
  // FakePorts rejects any size other than 2 * kRecord with -EMSGSIZE, which
  // would have failed the load.
  EXPECT_EQ(ports_.validate_calls, 1);
  EXPECT_EQ(ports_.load_calls, 1);
}

// ---------------------------------------------------------------------------
// Round trips

TEST(MigrationRoundTripTest, StopCopyToResumeReproducesThePorts) {
  FakePorts a(2, kRecord, 0x01);
  FakePorts b(2, kRecord, 0x80);
  ASSERT_NE(a.bytes(), b.bytes());
  Migration src(&a);
  Migration dst(&b);
  Result<FilePtr> out = src.SetState(MigState::kStopCopy);
  Result<FilePtr> in = dst.SetState(MigState::kResuming);
  ASSERT_TRUE(out.ok() && in.ok());
  const std::vector<uint8_t> stream = ReadAll(**out, 5);
  ASSERT_EQ(stream.size(), src.stop_copy_length());
  for (size_t i = 0; i < stream.size(); i += 7) {
    const size_t n = std::min<size_t>(7, stream.size() - i);
    ASSERT_EQ(*(*in)->Write(std::span(stream).subspan(i, n)), n);
  }
  ASSERT_TRUE(dst.SetState(MigState::kRunning).ok());
  EXPECT_EQ(b.bytes(), a.bytes());
  ASSERT_TRUE(src.SetState(MigState::kRunning).ok());
  EXPECT_TRUE((*out)->disabled());
}

TEST(MigrationRoundTripTest, PreCopyToResumeReproducesThePorts) {
  FakePorts a(1, kRecord, 0x5a);
  FakePorts b(1, kRecord, 0x11);
  Migration src(&a);
  Migration dst(&b);
  FilePtr out = *src.SetState(MigState::kPreCopy);
  FilePtr in = *dst.SetState(MigState::kResuming);
  std::vector<uint8_t> stream = ReadAll(*out);
  ASSERT_EQ(stream.size(), 24u);
  ASSERT_TRUE(src.SetState(MigState::kStopCopy).ok());
  stream = Concat(stream, ReadAll(*out));
  ASSERT_EQ(stream.size(), 60u);
  ASSERT_EQ(*in->Write(stream), 60u);
  ASSERT_TRUE(dst.SetState(MigState::kStop).ok());
  EXPECT_EQ(b.bytes(), a.bytes());
}

TEST(MigrationRoundTripTest, TwoPortStreamIntoOnePortDeviceIsRejected) {
  FakePorts a(2, kRecord, 0x01);
  FakePorts b(1, kRecord, 0x02);
  Migration src(&a);
  Migration dst(&b);
  const std::vector<uint8_t> stream =
      ReadAll(**src.SetState(MigState::kStopCopy));
  FilePtr in = *dst.SetState(MigState::kResuming);
  EXPECT_EQ(in->Write(stream).status().code(), -ENOMEM);
  EXPECT_EQ(in->Write(std::span(stream).first(24)).status().code(), -EFAULT);
  EXPECT_EQ(dst.SetState(MigState::kStop).status().code(), -EINVAL);
}

// ---------------------------------------------------------------------------
// Dropped files

TEST_F(MigrationTest, DroppedSaveFileReadsEnodev) {
  FilePtr f = Enter(MigState::kStopCopy);
  Set(MigState::kStop);
  std::array<uint8_t, 4> buf;
  EXPECT_EQ(f->Read(buf).status().code(), -ENODEV);
  EXPECT_EQ(f->Read({}).status().code(), -ENODEV);
  EXPECT_EQ(f->Write(buf).status().code(), -EBADF);
}

TEST_F(MigrationTest, DroppedResumeFileWritesEnodevUnlessTooLong) {
  FilePtr f = Enter(MigState::kResuming);
  ASSERT_TRUE(f->Write(FullStream()).ok());
  Set(MigState::kStop);
  EXPECT_EQ(f->Write(Header(2)).status().code(), -ENODEV);
  EXPECT_EQ(f->Write({}).status().code(), -ENODEV);
  // The kernel checks the length (against a position reset to 0) first.
  std::vector<uint8_t> too_long = FullStream();
  too_long.push_back(0);
  EXPECT_EQ(f->Write(too_long).status().code(), -ENOMEM);
}

TEST_F(MigrationTest, DropFilesKeepsStateAndDisablesFiles) {
  FilePtr f = Enter(MigState::kPreCopy);
  m_.DropFiles();
  EXPECT_EQ(m_.state(), MigState::kPreCopy);
  EXPECT_TRUE(f->disabled());
  std::array<uint8_t, 4> buf;
  EXPECT_EQ(f->Read(buf).status().code(), -ENODEV);
  EXPECT_EQ(Precopy(*f).status().code(), -ENODEV);
}

TEST_F(MigrationTest, StopCopyAfterDroppedPreCopyFileMakesAFullFile) {
  FilePtr old = Enter(MigState::kPreCopy);
  m_.DropFiles();
  FilePtr f = Set(MigState::kStopCopy);
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f, old);
  EXPECT_EQ(ReadAll(*f), FullStream());
}

TEST_F(MigrationTest, ResumingAfterDropFilesCannotLoad) {
  FilePtr f = Enter(MigState::kResuming);
  ASSERT_TRUE(f->Write(FullStream()).ok());
  m_.DropFiles();
  const Status failed = m_.SetState(MigState::kStop).status();
  EXPECT_EQ(failed.code(), -EINVAL);
  EXPECT_STREQ(failed.reason(),
               "no resume file: close_device dropped it while RESUMING");
  EXPECT_EQ(m_.state(), MigState::kResuming);
  EXPECT_EQ(ports_.validate_calls, 0);
  EXPECT_STREQ(f->Write(FullStream()).status().reason(),
               "the device has dropped this resume file");
  m_.Reset();
  EXPECT_EQ(m_.state(), MigState::kRunning);
}

TEST(MigrationLifetimeTest, FileOutlivingTheDeviceIsDropped) {
  FakePorts p(1, kRecord, 0);
  FilePtr f;
  {
    Migration m(&p);
    f = *m.SetState(MigState::kStopCopy);
    ASSERT_NE(f, nullptr);
  }
  EXPECT_TRUE(f->disabled());
  std::array<uint8_t, 4> buf;
  EXPECT_EQ(f->Read(buf).status().code(), -ENODEV);
}

// ---------------------------------------------------------------------------
// Reset

class ResetTest : public ::testing::TestWithParam<MigState> {};

TEST_P(ResetTest, ReturnsToRunningAndDropsFiles) {
  FakePorts p(2, kRecord, 0x21);
  Migration m(&p);
  Result<FilePtr> r = m.SetState(GetParam());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(m.state(), GetParam());
  const FilePtr f = *r;
  m.Reset();
  EXPECT_EQ(m.state(), MigState::kRunning);
  if (f != nullptr) {
    EXPECT_TRUE(f->disabled());
  }
  // The machine works normally afterwards.
  Result<FilePtr> again = m.SetState(MigState::kStopCopy);
  ASSERT_TRUE(again.ok());
  ASSERT_NE(*again, nullptr);
  EXPECT_EQ(ReadAll(**again), Concat(Header(2), p.bytes()));
}

INSTANTIATE_TEST_SUITE_P(
    AllStates, ResetTest,
    ::testing::Values(MigState::kStop, MigState::kRunning, MigState::kStopCopy,
                      MigState::kResuming, MigState::kRunningP2p,
                      MigState::kPreCopy, MigState::kPreCopyP2p),
    [](const ::testing::TestParamInfo<MigState>& info) {
      return Name(info.param);
    });

TEST_F(MigrationTest, ResetFromPreCopyDropsTheStreamFile) {
  FilePtr f = Enter(MigState::kPreCopyP2p);
  m_.Reset();
  EXPECT_TRUE(f->disabled());
  EXPECT_EQ(Precopy(*f).status().code(), -EINVAL);
}

TEST_F(MigrationTest, ResetDoesNotTouchPorts) {
  Enter(MigState::kResuming);
  m_.Reset();
  EXPECT_EQ(ports_.save_calls, 0);
  EXPECT_EQ(ports_.validate_calls, 0);
  EXPECT_EQ(ports_.load_calls, 0);
}

}  // namespace
}  // namespace mtty
