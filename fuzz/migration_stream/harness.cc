// Copyright mtty-lab authors.
#include "fuzz/migration_stream/harness.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/migration.h"
#include "core/uart16550.h"
#include "core/vfio_uapi.h"
#include "fuzz/byte_reader.h"
#include "fuzz/migration_stream/ops.h"
#include "fuzz/models/mig_model.h"

namespace mtty::fuzz {
namespace {

constexpr size_t kHeader = 24;
constexpr size_t kRecord = Uart16550::kStateSize;

struct SaveModel {
  std::shared_ptr<MigrationFile> file;
  std::vector<uint8_t> content;  // the stream as it must read
  size_t pos = 0;
  bool precopy = false;  // header only, ports still to come
  bool dropped = false;
};

struct ResumeModel {
  std::shared_ptr<MigrationFile> file;
  std::vector<uint8_t> data;  // accepted bytes
  bool dropped = false;
};

std::vector<uint8_t> Header(uint32_t nr_ports) {
  std::vector<uint8_t> h;
  PutLe(h, 0x7e9d09898c3e2c4eull,
        8);        // magic (docs/spec/vfio-migration.md#the-stream)
  PutLe(h, 1, 4);  // major
  PutLe(h, 0, 4);  // minor
  PutLe(h, nr_ports, 4);
  PutLe(h, 0, 4);  // flags
  return h;
}

std::vector<uint8_t> Records(const DeviceState& s) {
  std::vector<uint8_t> r;
  for (const auto& port : s.ports) r.insert(r.end(), port.begin(), port.end());
  return r;
}

std::string StatusText(Status s) { return s.ToString(); }

class Run {
 public:
  Run(std::span<const uint8_t> input, const MigrationStreamOptions& options)
      : in_(input), options_(options) {}
  MaybeFinding Go();

 private:
  // Returns the device's result, after checking it.
  Result<std::shared_ptr<MigrationFile>> SetState(uint32_t target);
  void ResumeWrite(std::span<const uint8_t> chunk);
  void SaveRead(size_t len);
  void PrecopyInfo(uint8_t len);
  void Seek(uint8_t which, uint64_t offset);
  void RoundTrip(uint8_t chunk);
  void DropFiles();
  bool RecordsValid(std::span<const uint8_t> records) const;
  std::vector<uint8_t> Saved() const {
    if (!save_) return {};
    return {save_->content.begin(), save_->content.begin() + save_->pos};
  }
  void CheckState(const DeviceState& s);
  void Fail(const char* oracle, std::string detail) {
    if (finding_ || OracleIgnored(oracle)) return;
    finding_ = Finding{oracle, op_index_, op_ + ": " + detail};
  }

  ByteReader in_;
  const MigrationStreamOptions& options_;
  DeviceOptions device_options_;
  std::unique_ptr<DeviceUnderTest> dev_;
  uint8_t mig_ = mig::kR;
  std::optional<SaveModel> save_;
  std::optional<ResumeModel> resume_;
  size_t capacity_ = 0;
  size_t op_index_ = 0;
  std::string op_;
  MaybeFinding finding_;
};

bool Run::RecordsValid(std::span<const uint8_t> records) const {
  Uart16550 scratch(device_options_.profile);
  for (size_t p = 0; p + kRecord <= records.size(); p += kRecord) {
    if (!scratch.LoadState(records.subspan(p, kRecord)).ok()) return false;
  }
  return true;
}

void Run::DropFiles() {
  if (save_) save_->dropped = true;
  if (resume_) resume_->dropped = true;
}

MaybeFinding Run::Go() {
  const uint8_t setup = in_.U8();
  device_options_.nr_ports = (setup & mst::kSetupDualPort) ? 2 : 1;
  device_options_.profile =
      (setup & mst::kSetup16550a) ? Profile::k16550a : Profile::kKernel;
  capacity_ = kHeader + kRecord * device_options_.nr_ports;
  dev_ = options_.factory(device_options_);
  op_ = "initial";
  CheckState(dev_->state());

  while (!finding_ && !in_.empty() && op_index_ < options_.max_ops) {
    ++op_index_;
    switch (in_.U8() % mst::kNumOps) {
      case mst::kSetState:
        (void)SetState(in_.U8() % 10);
        break;
      case mst::kWrite: {
        const size_t len = in_.U8();
        std::span<const uint8_t> bytes = in_.Bytes(len);
        std::vector<uint8_t> chunk(bytes.begin(), bytes.end());
        chunk.resize(len, 0);
        ResumeWrite(chunk);
        break;
      }
      case mst::kWriteHeader: {
        const std::vector<uint8_t> h = Header(device_options_.nr_ports);
        const size_t split = in_.U8() % 25;
        ResumeWrite(std::span<const uint8_t>(h).first(split));
        ResumeWrite(std::span<const uint8_t>(h).subspan(split));
        break;
      }
      case mst::kWriteSaved: {
        const std::vector<uint8_t> saved = Saved();
        const size_t chunk = in_.U8() % 64 + 1;
        for (size_t at = 0; at < saved.size() && !finding_; at += chunk) {
          ResumeWrite(std::span<const uint8_t>(saved).subspan(
              at, std::min(chunk, saved.size() - at)));
        }
        break;
      }
      case mst::kWriteMutated: {
        std::vector<uint8_t> saved = Saved();
        const uint8_t at = in_.U8(), x = in_.U8();
        if (!saved.empty()) saved[at % saved.size()] ^= x;
        ResumeWrite(saved);
        break;
      }
      case mst::kRead:
        SaveRead(in_.U8());
        break;
      case mst::kPort: {
        const uint8_t sel = in_.U8(), value = in_.U8();
        op_ = Format("port access sel 0x%02x value 0x%02x", sel, value);
        const uint64_t pos = vfio::RegionOffset((sel >> 3) & 1) + (sel & 7);
        uint8_t byte = value;
        if (sel & 0x10) {
          (void)dev_->Read(pos, {&byte, 1});
        } else {
          (void)dev_->Write(pos, {&byte, 1});
        }
        CheckState(dev_->state());
        break;
      }
      case mst::kTime:
        op_ = "advance time";
        dev_->AdvanceTime(in_.U32());
        CheckState(dev_->state());
        break;
      case mst::kReset: {
        op_ = "reset";
        uint8_t none = 0;
        const Status s =
            dev_->Ioctl(vfio::kDeviceReset, std::span<uint8_t>(&none, 0));
        if (!s.ok()) Fail("reset", "VFIO_DEVICE_RESET failed");
        mig_ = mig::kR;
        DropFiles();
        CheckState(dev_->state());
        break;
      }
      case mst::kClose:
        op_ = "close_device";
        dev_->Close();
        DropFiles();
        CheckState(dev_->state());
        break;
      case mst::kRoundTrip:
        RoundTrip(in_.U8());
        break;
      case mst::kPrecopyInfo:
        PrecopyInfo(in_.U8());
        break;
      case mst::kSeek: {
        const uint8_t which = in_.U8();
        Seek(which, in_.U64());
        break;
      }
    }
  }
  return finding_;
}

Result<std::shared_ptr<MigrationFile>> Run::SetState(uint32_t target) {
  op_ = Format("set state %u -> %u", mig_, target);
  const DeviceState before = dev_->state();
  // The port records a save arc captures; a load earlier on the same path
  // replaces them.
  std::vector<uint8_t> ports = Records(before);

  // The model's prediction.
  const std::optional<std::vector<uint8_t>> path = mig::Path(mig_, target);
  bool want_ok = path.has_value();
  enum { kNoFile, kSaveFile, kResumeFile } want_file = kNoFile;
  std::optional<SaveModel> save = save_;
  std::optional<ResumeModel> resume = resume_;
  bool loads = false;
  if (path) {
    uint8_t cur = mig_;
    for (uint8_t next : *path) {
      want_file = kNoFile;
      switch (mig::ArcAction(cur, next)) {
        case mig::ArcFile::kNewSave:
          save = SaveModel{nullptr, Header(device_options_.nr_ports), 0, true,
                           false};
          want_file = kSaveFile;
          break;
        case mig::ArcFile::kNewSaveWithPorts: {
          std::vector<uint8_t> content = Header(device_options_.nr_ports);
          content.insert(content.end(), ports.begin(), ports.end());
          save = SaveModel{nullptr, content, 0, false, false};
          want_file = kSaveFile;
          break;
        }
        case mig::ArcFile::kAppendPorts:
          if (save && !save->dropped && save->precopy) {
            save->content.insert(save->content.end(), ports.begin(),
                                 ports.end());
            save->precopy = false;
          } else {
            std::vector<uint8_t> content = Header(device_options_.nr_ports);
            content.insert(content.end(), ports.begin(), ports.end());
            save = SaveModel{nullptr, content, 0, false, false};
            want_file = kSaveFile;
          }
          break;
        case mig::ArcFile::kNewResume:
          resume = ResumeModel{nullptr, {}, false};
          want_file = kResumeFile;
          break;
        case mig::ArcFile::kDrop:
          if (save) save->dropped = true;
          if (resume) resume->dropped = true;
          break;
        case mig::ArcFile::kLoadThenDrop:
          if (!resume || resume->dropped || resume->data.size() != capacity_ ||
              !RecordsValid(
                  std::span<const uint8_t>(resume->data).subspan(kHeader))) {
            want_ok = false;
          } else {
            loads = true;
            ports.assign(resume->data.begin() + kHeader, resume->data.end());
            if (save) save->dropped = true;
            resume->dropped = true;
          }
          break;
        case mig::ArcFile::kNone:
          break;
      }
      if (!want_ok) break;
      cur = next;
    }
  }

  Result<std::shared_ptr<MigrationFile>> got =
      dev_->SetMigState(static_cast<vfio::MigState>(target));
  const DeviceState after = dev_->state();
  if (got.ok() != want_ok) {
    Fail("mig-set-result",
         Format("SET answered %s, the kernel's table says %s",
                got.ok() ? "OK" : StatusText(got.status()).c_str(),
                want_ok ? "OK" : "-EINVAL"));
    return got;
  }
  if (!got.ok()) {
    if (got.status() != Status::Error(-EINVAL)) {
      Fail("mig-set-result", Format("failed with %s, want -EINVAL",
                                    StatusText(got.status()).c_str()));
    } else if (!(after == before)) {
      Fail("mig-error-changes-nothing",
           "a refused SET (or a rejected stream) changed state()");
    }
    CheckState(after);
    return got;
  }
  const bool has_file = got.value() != nullptr;
  if (has_file != (want_file != kNoFile)) {
    Fail("mig-set-file", Format("the final arc should %s a file",
                                want_file != kNoFile ? "make" : "not make"));
    return got;
  }
  if (has_file && want_file == kSaveFile) {
    save->file = got.value();
    if (save->file->kind() != MigrationFile::Kind::kSave) {
      Fail("mig-set-file", "expected a save file, got a resume file");
    }
  } else if (has_file && want_file == kResumeFile) {
    resume->file = got.value();
    if (resume->file->kind() != MigrationFile::Kind::kResume) {
      Fail("mig-set-file", "expected a resume file, got a save file");
    }
  }
  if (save && !save->file) save.reset();  // a model file with no handle
  if (resume && !resume->file) resume.reset();
  save_ = std::move(save);
  resume_ = std::move(resume);
  mig_ = static_cast<uint8_t>(target);

  if (loads) {
    const std::vector<uint8_t> want(resume_->data.begin() + kHeader,
                                    resume_->data.end());
    if (Records(after) != want) {
      Fail("resume-loads-records",
           "after RESUMING -> STOP the ports are not the stream's records");
    }
  } else if (after.ports != before.ports) {
    Fail("mig-scope", "a SET without a load changed a port");
  }
  if (after.config != before.config || !(after.irq == before.irq)) {
    Fail("mig-scope", "a SET changed config space or interrupts");
  }
  CheckState(after);
  return got;
}

void Run::ResumeWrite(std::span<const uint8_t> chunk) {
  if (!resume_ || finding_) return;
  op_ = Format("resume write of %zu bytes at %zu", chunk.size(),
               resume_->data.size());
  ResumeModel& r = *resume_;
  const DeviceState before = dev_->state();
  const size_t pos = r.dropped ? 0 : r.data.size();
  Result<size_t> want = chunk.size();
  if (pos + chunk.size() > capacity_) {
    want = Status::Error(-ENOMEM);
  } else if (r.dropped) {
    want = Status::Error(-ENODEV);
  } else if (pos < kHeader && pos + chunk.size() >= kHeader) {
    std::vector<uint8_t> header = r.data;
    header.insert(header.end(), chunk.begin(), chunk.begin() + (kHeader - pos));
    if (header != Header(device_options_.nr_ports)) {
      want = Status::Error(-EFAULT);
    }
  }
  const Result<size_t> got = dev_->FileWrite(*r.file, chunk);
  if (got.ok() != want.ok() || got.status() != want.status() ||
      (got.ok() && got.value() != want.value())) {
    Fail("resume-write-result",
         Format("write returned %s, the rules say %s",
                got.ok() ? Format("%zu", got.value()).c_str()
                         : StatusText(got.status()).c_str(),
                want.ok() ? Format("%zu", want.value()).c_str()
                          : StatusText(want.status()).c_str()));
    return;
  }
  if (want.ok()) r.data.insert(r.data.end(), chunk.begin(), chunk.end());
  if (!(dev_->state() == before)) {
    Fail("resume-write-scope", "a resume write changed the device's state");
  }
}

void Run::SaveRead(size_t len) {
  if (!save_ || finding_) return;
  SaveModel& s = *save_;
  op_ = Format("save read of %zu bytes at %zu", len, s.pos);
  std::vector<uint8_t> buf(len, 0xa5);
  const Result<size_t> got = dev_->FileRead(*s.file, buf);
  if (s.dropped) {
    if (got.ok() || got.status() != Status::Error(-ENODEV)) {
      Fail("save-read-result", "a dropped save file must answer -ENODEV");
    }
    return;
  }
  const size_t n = std::min(len, s.content.size() - s.pos);
  if (!got.ok() || got.value() != n) {
    Fail("save-read-result",
         Format("read returned %s, want %zu",
                got.ok() ? Format("%zu", got.value()).c_str()
                         : StatusText(got.status()).c_str(),
                n));
    return;
  }
  if (!std::equal(buf.begin(), buf.begin() + n, s.content.begin() + s.pos)) {
    Fail("save-stream-content",
         Format("bytes %zu..%zu are not the header and the records at the "
                "time of the arc",
                s.pos, s.pos + n));
    return;
  }
  s.pos += n;
}

void Run::PrecopyInfo(uint8_t len) {
  op_ = Format("precopy info len %u", len);
  std::vector<uint8_t> arg;
  PutLe(arg, (len & 0x40) ? 23 : 24, 4);
  PutLe(arg, 0x11223344, 4);  // flags: echoed back
  PutLe(arg, 0xa5a5a5a5a5a5a5a5ull, 8);
  PutLe(arg, 0xa5a5a5a5a5a5a5a5ull, 8);
  arg.resize(len % 32, 0xa5);
  const std::vector<uint8_t> orig = arg;
  const bool on_resume = (len & 0x80) != 0;
  std::shared_ptr<MigrationFile> file =
      on_resume ? (resume_ ? resume_->file : nullptr)
                : (save_ ? save_->file : nullptr);
  if (!file) return;
  Status want = Status::Ok();
  std::vector<uint8_t> want_arg = orig;
  const bool in_precopy = mig_ == mig::kPC || mig_ == mig::kPCP;
  if (on_resume) {
    want = Status::Error(-ENOTTY);
  } else if (orig.size() < 24) {
    want = Status::Error(-EFAULT);
  } else if ((len & 0x40) != 0) {
    want = Status::Error(-EINVAL);
  } else if (!in_precopy) {
    want = Status::Error(-EINVAL);
  } else if (save_->dropped) {
    want = Status::Error(-ENODEV);
  } else {
    std::vector<uint8_t> out;
    PutLe(out, 24, 4);
    PutLe(out, 0x11223344, 4);
    PutLe(out, save_->content.size() - save_->pos, 8);
    PutLe(out, 0, 8);
    std::copy(out.begin(), out.end(), want_arg.begin());
  }
  const Status got = file->Ioctl(vfio::kMigGetPrecopyInfo, arg);
  if (got != want) {
    Fail("precopy-info", Format("returned %s, want %s", StatusText(got).c_str(),
                                StatusText(want).c_str()));
  } else if (arg != want_arg) {
    Fail("precopy-info",
         "the copied-back struct is not argsz, flags, "
         "unread bytes, 0");
  }
}

void Run::Seek(uint8_t which, uint64_t offset) {
  op_ = Format("file op %u offset %lld", which % 6,
               static_cast<long long>(offset));
  const bool on_save = (which % 6) < 2 || (which % 6) == 5;
  std::shared_ptr<MigrationFile> file =
      on_save ? (save_ ? save_->file : nullptr)
              : (resume_ ? resume_->file : nullptr);
  if (!file) return;
  uint8_t buf[4] = {1, 2, 3, 4};
  const int64_t off = static_cast<int64_t>(offset);
  const Status positional =
      off < 0 ? Status::Error(-EINVAL) : Status::Error(-ESPIPE);
  Result<size_t> got = Status::Ok();
  Status want = positional;
  switch (which % 6) {
    case 0:
    case 2:
      got = file->Pread(buf, off);
      break;
    case 1:
    case 3:
      got = file->Pwrite(buf, off);
      break;
    case 4:  // read(2) on the write-only resume file
      got = dev_->FileRead(*file, buf);
      want = Status::Error(-EBADF);
      break;
    case 5:  // write(2) on the read-only save file
      got = dev_->FileWrite(*file, buf);
      want = Status::Error(-EBADF);
      break;
  }
  if (got.ok() || got.status() != want) {
    Fail("file-op-result",
         Format("returned %s, want %s",
                got.ok() ? "a byte count" : StatusText(got.status()).c_str(),
                StatusText(want).c_str()));
  }
}

void Run::RoundTrip(uint8_t chunk_byte) {
  const size_t chunk = chunk_byte % 64 + 1;
  (void)SetState(mig::kSC);
  if (finding_ || mig_ != mig::kSC || !save_ || save_->dropped) return;
  while (!finding_ && save_->pos < save_->content.size()) SaveRead(97);
  if (finding_) return;
  op_ = Format("round trip into a fresh device, chunks of %zu", chunk);
  const std::vector<uint8_t> stream = save_->content;
  std::unique_ptr<DeviceUnderTest> twin = options_.factory(device_options_);
  Result<std::shared_ptr<MigrationFile>> file =
      twin->SetMigState(vfio::MigState::kResuming);
  if (!file.ok() || file.value() == nullptr) {
    Fail("roundtrip-identity", "a fresh device did not open a resume file");
    return;
  }
  for (size_t at = 0; at < stream.size(); at += chunk) {
    const size_t n = std::min(chunk, stream.size() - at);
    const Result<size_t> w = twin->FileWrite(
        *file.value(), std::span<const uint8_t>(stream).subspan(at, n));
    if (!w.ok() || w.value() != n) {
      Fail("roundtrip-identity",
           Format("the device's own stream was refused at byte %zu: %s", at,
                  w.ok() ? "short write" : StatusText(w.status()).c_str()));
      return;
    }
  }
  const Result<std::shared_ptr<MigrationFile>> load =
      twin->SetMigState(vfio::MigState::kStop);
  if (!load.ok()) {
    Fail("roundtrip-identity",
         Format("RESUMING -> STOP rejected the device's own stream: %s",
                StatusText(load.status()).c_str()));
    return;
  }
  const std::vector<uint8_t> records(stream.begin() + kHeader, stream.end());
  if (Records(twin->state()) != records) {
    Fail("roundtrip-identity",
         "the resumed device's ports differ from the saved ones");
  }
}

void Run::CheckState(const DeviceState& s) {
  if (finding_) return;
  const uint8_t state = static_cast<uint8_t>(s.mig_state);
  if (state < mig::kS || state > mig::kPCP) {
    Fail("mig-never-error", Format("device in state %u", state));
  } else if (state != mig_) {
    Fail("mig-state", Format("device in %u, the table says %u", state, mig_));
  }
}

}  // namespace

MaybeFinding RunMigrationStream(std::span<const uint8_t> input,
                                const MigrationStreamOptions& options) {
  Run run(input, options);
  return run.Go();
}

}  // namespace mtty::fuzz
