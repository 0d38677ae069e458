// Copyright mtty-lab authors.
//
// The migration_stream oracles, each shown to fire on a device with one
// rule deliberately broken, and silent on the real device.
#include "fuzz/migration_stream/harness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "core/uart16550.h"
#include "fuzz/migration_stream/ops.h"
#include "fuzz/models/mig_model.h"

namespace mtty::fuzz {
namespace {

using mst::Input;

template <typename Broken>
MigrationStreamOptions With() {
  MigrationStreamOptions options;
  options.factory = [](const DeviceOptions& o) {
    return std::make_unique<Broken>(o);
  };
  return options;
}

std::string Oracle(const MaybeFinding& f) { return f ? f->oracle : "none"; }

// The pre-v7.2 kernel: STOP_COPY -> PRE_COPY goes through STOP instead of
// being refused.
class StopCopyToPreCopy : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<std::shared_ptr<MigrationFile>> SetMigState(
      vfio::MigState target) override {
    if (state().mig_state == vfio::MigState::kStopCopy &&
        target == vfio::MigState::kPreCopy) {
      (void)RealDevice::SetMigState(vfio::MigState::kStop);
    }
    return RealDevice::SetMigState(target);
  }
};

TEST(MigrationStreamOracleTest, RefusedTransition) {
  Input in(1, false);
  in.SetState(mig::kSC).SetState(mig::kPC);
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes(), With<StopCopyToPreCopy>())),
            "mig-set-result");
}

// Claims to accept a chunk that completes a bad header.
class SwallowsBadHeaders : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> FileWrite(MigrationFile& file,
                           std::span<const uint8_t> in) override {
    Result<size_t> r = RealDevice::FileWrite(file, in);
    if (!r.ok() && r.status() == Status::Error(-EFAULT)) return in.size();
    return r;
  }
};

TEST(MigrationStreamOracleTest, BadStreamRejected) {
  Input in(1, false);
  const uint8_t bad[24] = {1, 2, 3};
  in.SetState(mig::kRS).Write(bad);
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes(), With<SwallowsBadHeaders>())),
            "resume-write-result");
}

// A refused load that still touches a port (the sample loads before it
// validates).
class DirtiesOnFailedLoad : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<std::shared_ptr<MigrationFile>> SetMigState(
      vfio::MigState target) override {
    Result<std::shared_ptr<MigrationFile>> r = RealDevice::SetMigState(target);
    if (!r.ok() && state().mig_state == vfio::MigState::kResuming) {
      const uint8_t junk = 0x77;
      (void)Write(vfio::RegionOffset(0) + kScr, {&junk, 1});
    }
    return r;
  }
};

TEST(MigrationStreamOracleTest, FailedLoadChangesNothing) {
  Input in(1, true);
  in.SetState(mig::kRS).WriteHeader(5).SetState(mig::kS);
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes(), With<DirtiesOnFailedLoad>())),
            "mig-error-changes-nothing");
}

// The save stream carries a stale scratch register.
class StaleSaveStream : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> FileRead(MigrationFile& file,
                          std::span<uint8_t> out) override {
    Result<size_t> r = RealDevice::FileRead(file, out);
    if (r.ok()) {
      for (size_t i = 0; i < r.value(); ++i) {
        if (read_ + i == 24 + 5) out[i] ^= 0xff;  // port 0 SCR
      }
      read_ += r.value();
    }
    return r;
  }

 private:
  size_t read_ = 0;
};

TEST(MigrationStreamOracleTest, SaveStreamContent) {
  Input in(1, false);
  in.SetState(mig::kSC).Read(100);
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes(), With<StaleSaveStream>())),
            "save-stream-content");
}

// Resume stores the scratch register off by one.
class LossyResume : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> FileWrite(MigrationFile& file,
                           std::span<const uint8_t> in) override {
    std::vector<uint8_t> copy(in.begin(), in.end());
    for (size_t i = 0; i < copy.size(); ++i) {
      if (written_ + i == 24 + 5) ++copy[i];  // port 0 SCR
    }
    Result<size_t> r = RealDevice::FileWrite(file, copy);
    if (r.ok()) written_ += r.value();
    return r;
  }

 private:
  size_t written_ = 0;
};

TEST(MigrationStreamOracleTest, RoundTripIdentity) {
  Input in(1, false);
  in.Port(0, kScr, 0x42).RoundTrip(9);
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes(), With<LossyResume>())),
            "roundtrip-identity");
}

TEST(MigrationStreamOracleTest, ResumeLoadsTheStream) {
  Input in(1, false);
  in.Port(0, kScr, 0x42).SetState(mig::kSC).Read(200).SetState(mig::kS);
  in.SetState(mig::kRS).WriteSaved(11).SetState(mig::kS);
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes(), With<LossyResume>())),
            "resume-loads-records");
}

// S -> STOP_COPY forgets to hand out the data file.
class NoSaveFile : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<std::shared_ptr<MigrationFile>> SetMigState(
      vfio::MigState target) override {
    Result<std::shared_ptr<MigrationFile>> r = RealDevice::SetMigState(target);
    if (r.ok() && target == vfio::MigState::kStopCopy) {
      return std::shared_ptr<MigrationFile>();
    }
    return r;
  }
};

TEST(MigrationStreamOracleTest, FinalArcMakesTheFile) {
  Input in(1, false);
  in.SetState(mig::kSC);
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes(), With<NoSaveFile>())),
            "mig-set-file");
}

// Reports ERROR instead of STOP_COPY.
class ErrorForStopCopy : public RealDevice {
 public:
  using RealDevice::RealDevice;
  DeviceState state() const override {
    DeviceState s = RealDevice::state();
    if (s.mig_state == vfio::MigState::kStopCopy) {
      s.mig_state = vfio::MigState::kError;
    }
    return s;
  }
};

TEST(MigrationStreamOracleTest, NeverInError) {
  Input in(1, false);
  in.SetState(mig::kSC);
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes(), With<ErrorForStopCopy>())),
            "mig-never-error");
}

// STOP_COPY -> RUNNING stops one arc short, in STOP, and reports success.
class StopsShortOfRunning : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<std::shared_ptr<MigrationFile>> SetMigState(
      vfio::MigState target) override {
    if (target == vfio::MigState::kRunning &&
        state().mig_state == vfio::MigState::kStopCopy) {
      return RealDevice::SetMigState(vfio::MigState::kStop);
    }
    return RealDevice::SetMigState(target);
  }
};

TEST(MigrationStreamOracleTest, StateFollowsTheTable) {
  Input in(1, false);
  in.SetState(mig::kSC).SetState(mig::kR);
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes(), With<StopsShortOfRunning>())),
            "mig-state");
}

// Entering STOP scribbles on a port's scratch register.
class StopTouchesPort : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<std::shared_ptr<MigrationFile>> SetMigState(
      vfio::MigState target) override {
    Result<std::shared_ptr<MigrationFile>> r = RealDevice::SetMigState(target);
    if (r.ok() && target == vfio::MigState::kStop) {
      const uint8_t junk = 0x77;
      (void)Write(vfio::RegionOffset(0) + kScr, {&junk, 1});
    }
    return r;
  }
};

TEST(MigrationStreamOracleTest, SetWithoutLoadKeepsPorts) {
  Input in(1, false);
  in.SetState(mig::kS);
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes(), With<StopTouchesPort>())),
            "mig-scope");
}

// Accepting a resume chunk also scribbles on a port's scratch register.
class ResumeWriteTouchesPort : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> FileWrite(MigrationFile& file,
                           std::span<const uint8_t> in) override {
    Result<size_t> r = RealDevice::FileWrite(file, in);
    if (r.ok()) {
      const uint8_t junk = 0x77;
      (void)Write(vfio::RegionOffset(0) + kScr, {&junk, 1});
    }
    return r;
  }
};

TEST(MigrationStreamOracleTest, ResumeWriteChangesNothing) {
  Input in(1, false);
  in.SetState(mig::kRS).WriteHeader(5);
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes())), "none");
  EXPECT_EQ(
      Oracle(RunMigrationStream(in.bytes(), With<ResumeWriteTouchesPort>())),
      "resume-write-scope");
}

// A dropped save file reads as the end of the stream instead of -ENODEV.
class DroppedFileReadsEof : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> FileRead(MigrationFile& file,
                          std::span<uint8_t> out) override {
    Result<size_t> r = RealDevice::FileRead(file, out);
    if (!r.ok() && r.status() == Status::Error(-ENODEV)) return size_t{0};
    return r;
  }
};

TEST(MigrationStreamOracleTest, DroppedSaveFileReadFails) {
  Input in(1, false);
  in.SetState(mig::kSC).Reset().Read(10);
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes(), With<DroppedFileReadsEof>())),
            "save-read-result");
}

// Reads one byte ahead of its caller and hands it out on the next read: the
// stream arrives intact, but the file's position, and with it PRECOPY_INFO's
// count of unread bytes, runs one byte ahead of what the caller has seen.
class ReadsAhead : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> FileRead(MigrationFile& file,
                          std::span<uint8_t> out) override {
    std::vector<uint8_t> more(out.size() + 1 - ahead_.size());
    Result<size_t> r = RealDevice::FileRead(file, more);
    if (!r.ok()) return r;
    ahead_.insert(ahead_.end(), more.begin(), more.begin() + r.value());
    const size_t n = std::min(out.size(), ahead_.size());
    std::copy_n(ahead_.begin(), n, out.begin());
    ahead_.erase(ahead_.begin(), ahead_.begin() + n);
    return n;
  }

 private:
  std::vector<uint8_t> ahead_;  // read from the file, not yet handed out
};

TEST(MigrationStreamOracleTest, PrecopyInfoCountsUnreadBytes) {
  Input in(1, false);
  in.SetState(mig::kPC).Read(10).PrecopyInfo(24);
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes(), With<ReadsAhead>())),
            "precopy-info");
}

// write(2) on the read-only save file claims to succeed instead of -EBADF.
class WritableSaveFile : public RealDevice {
 public:
  using RealDevice::RealDevice;
  Result<size_t> FileWrite(MigrationFile& file,
                           std::span<const uint8_t> in) override {
    if (file.kind() == MigrationFile::Kind::kSave) return in.size();
    return RealDevice::FileWrite(file, in);
  }
};

TEST(MigrationStreamOracleTest, FileOpResult) {
  Input in(1, false);
  in.SetState(mig::kSC).Seek(5, 0);  // 5: write(2) on the save file
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes())), "none");
  EXPECT_EQ(Oracle(RunMigrationStream(in.bytes(), With<WritableSaveFile>())),
            "file-op-result");
}

TEST(MigrationStreamHarnessTest, RandomInputsFindNothing) {
  std::mt19937 rng(99);
  for (int round = 0; round < 300; ++round) {
    std::vector<uint8_t> input(1 + 120);
    for (uint8_t& b : input) b = static_cast<uint8_t>(rng());
    const MaybeFinding f = RunMigrationStream(input);
    EXPECT_FALSE(f.has_value()) << round << ": " << f->ToString();
  }
}

}  // namespace
}  // namespace mtty::fuzz
