// Copyright mtty-lab authors.
#include "fuzz/config_space/harness.h"

#include <cstring>
#include <string>
#include <utility>

#include "core/vfio_uapi.h"
#include "fuzz/byte_reader.h"
#include "fuzz/config_space/ops.h"

namespace mtty::fuzz {

namespace {

constexpr uint64_t kConfigRegion = vfio::RegionOffset(vfio::kConfigRegionIndex);

class Run {
 public:
  Run(std::span<const uint8_t> input, const ConfigSpaceOptions& options)
      : in_(input), options_(options) {}
  MaybeFinding Go();

 private:
  Result<uint32_t> DoRead(uint32_t offset, uint8_t width_byte);
  void DoWrite(uint32_t offset, uint8_t width_byte, uint32_t value);
  void SizeBar(int bar);
  std::vector<uint8_t> Bytes() const;
  void CheckBytes();
  void Fail(const char* oracle, std::string detail);
  bool failed() const { return finding_.has_value(); }

  ByteReader in_;
  const ConfigSpaceOptions& options_;
  int nr_ports_ = 1;
  bool through_device_ = false;
  std::unique_ptr<ConfigUnderTest> cut_;
  std::unique_ptr<DeviceUnderTest> dev_;
  std::unique_ptr<ConfigModel> model_;
  std::array<uint8_t, ConfigModel::kSize> initial_{};
  size_t op_index_ = 0;
  std::string op_;
  MaybeFinding finding_;
};

void Run::Fail(const char* oracle, std::string detail) {
  if (failed() || OracleIgnored(oracle)) return;
  finding_ = Finding{oracle, op_index_, op_ + ": " + detail};
}

std::string StatusText(Status s) { return s.ToString(); }

std::vector<uint8_t> Run::Bytes() const {
  if (through_device_) {
    const DeviceState s = dev_->state();
    return std::vector<uint8_t>(s.config.begin(), s.config.end());
  }
  return cut_->bytes();
}

MaybeFinding Run::Go() {
  const uint8_t setup = in_.U8();
  nr_ports_ = (setup & cfg::kSetupDualPort) ? 2 : 1;
  through_device_ = (setup & cfg::kSetupThroughDevice) != 0;
  model_ = std::make_unique<ConfigModel>(nr_ports_);
  initial_ = model_->bytes();
  if (through_device_) {
    dev_ = options_.device(DeviceOptions{nr_ports_, Profile::kKernel, nullptr});
  } else {
    cut_ = options_.config(nr_ports_);
  }
  op_ = "initial";
  for (uint32_t o = 0; o <= 0x100; ++o) {
    if (options_.byte_may_change(o, nr_ports_) != model_->Writable(o)) {
      Fail("byte-may-change-agrees",
           Format("ByteMayChange(0x%x, %d) is %d, the rules say %d", o,
                  nr_ports_, options_.byte_may_change(o, nr_ports_),
                  model_->Writable(o)));
      return finding_;
    }
  }
  CheckBytes();
  while (!failed() && !in_.empty() && op_index_ < options_.max_ops) {
    ++op_index_;
    switch (in_.U8() % cfg::kNumOps) {
      case cfg::kWrite: {
        const uint8_t offset = in_.U8();
        const uint8_t width = in_.U8();
        DoWrite(offset, width, in_.U32());
        break;
      }
      case cfg::kRead: {
        const uint8_t offset = in_.U8();
        (void)DoRead(offset, in_.U8());
        break;
      }
      case cfg::kWriteFar: {
        const uint32_t offset = in_.U32();
        const uint8_t width = in_.U8();
        DoWrite(offset, width, in_.U32());
        break;
      }
      case cfg::kReadFar: {
        const uint32_t offset = in_.U32();
        (void)DoRead(offset, in_.U8());
        break;
      }
      case cfg::kSizeBar:
        SizeBar(in_.U8() % 6);
        break;
      case cfg::kReset:
        op_ = "reset";
        if (!through_device_) {
          cut_->Reset();
          model_->Reset();
        }
        break;
      case cfg::kBytewise: {
        const uint8_t offset = in_.U8();
        for (int i = 0; i < 4 && !failed(); ++i) {
          DoWrite(static_cast<uint32_t>(offset) + i, 1, in_.U8());
        }
        break;
      }
    }
    CheckBytes();
  }
  return finding_;
}

// Pieces the device makes of a request: 4, 2 or 1 bytes by alignment.
template <typename F>
void ForEachPiece(uint32_t offset, size_t len, F piece) {
  size_t done = 0;
  while (done < len) {
    const uint64_t at = uint64_t{offset} + done;
    const size_t rem = len - done;
    const int w = (rem >= 4 && at % 4 == 0)   ? 4
                  : (rem >= 2 && at % 2 == 0) ? 2
                                              : 1;
    piece(static_cast<uint32_t>(at), w, done);
    done += w;
  }
}

Result<uint32_t> Run::DoRead(uint32_t offset, uint8_t width_byte) {
  if (!through_device_) {
    const int width = static_cast<int8_t>(width_byte);
    op_ = Format("read offset 0x%x width %d", offset, width);
    const Result<uint32_t> got = cut_->Read(offset, width);
    const Result<uint32_t> want = model_->Read(offset, width);
    if (got.ok() != want.ok() || got.status() != want.status() ||
        (got.ok() && got.value() != want.value())) {
      Fail("config-read-matches-rules",
           Format("got %s, the rules say %s",
                  got.ok() ? Format("0x%x", got.value()).c_str()
                           : StatusText(got.status()).c_str(),
                  want.ok() ? Format("0x%x", want.value()).c_str()
                            : StatusText(want.status()).c_str()));
    }
    return got;
  }
  const size_t len = width_byte % 8;
  op_ = Format("device read offset 0x%x len %zu", offset, len);
  uint8_t buf[8];
  std::memset(buf, 0xa5, sizeof buf);
  const Result<size_t> got =
      dev_->Read(kConfigRegion + offset, std::span<uint8_t>(buf, len));
  const bool valid = len == 0 || uint64_t{offset} + len <= ConfigModel::kSize;
  if (!valid) {
    if (got.ok() || got.status() != Status::Error(-EFAULT)) {
      Fail("config-read-matches-rules", "an out-of-range read must be -EFAULT");
    }
    return Status::Error(-EFAULT);
  }
  if (!got.ok() || got.value() != len) {
    Fail("config-read-matches-rules",
         Format("want %zu bytes, got %s", len,
                got.ok() ? Format("%zu", got.value()).c_str()
                         : StatusText(got.status()).c_str()));
    return Status::Error(-EFAULT);
  }
  uint32_t first = 0;
  ForEachPiece(offset, len, [&](uint32_t at, int w, size_t done) {
    const Result<uint32_t> want = model_->Read(at, w);
    uint32_t v = 0;
    for (int i = 0; i < w; ++i) v |= uint32_t{buf[done + i]} << (8 * i);
    if (!want.ok() || v != want.value()) {
      Fail("config-read-matches-rules",
           Format("piece at 0x%x width %d read 0x%x, the rules say 0x%x", at, w,
                  v, want.ok() ? want.value() : 0));
    }
    if (done == 0) first = v;
  });
  return first;
}

void Run::DoWrite(uint32_t offset, uint8_t width_byte, uint32_t value) {
  if (!through_device_) {
    const int width = static_cast<int8_t>(width_byte);
    op_ = Format("write offset 0x%x width %d value 0x%x", offset, width, value);
    const Status got = cut_->Write(offset, width, value);
    const Status want = model_->Write(offset, width, value);
    if (got != want) {
      Fail("config-write-result",
           Format("got %s, the rules say %s", StatusText(got).c_str(),
                  StatusText(want).c_str()));
    }
    return;
  }
  const size_t len = width_byte % 8;
  op_ =
      Format("device write offset 0x%x len %zu value 0x%x", offset, len, value);
  uint8_t buf[8];
  for (size_t i = 0; i < 8; ++i)
    buf[i] = static_cast<uint8_t>(value >> (8 * (i % 4)));
  const Result<size_t> got =
      dev_->Write(kConfigRegion + offset, std::span<const uint8_t>(buf, len));
  const bool valid = len == 0 || uint64_t{offset} + len <= ConfigModel::kSize;
  if (!valid) {
    if (got.ok() || got.status() != Status::Error(-EFAULT)) {
      Fail("config-write-result", "an out-of-range write must be -EFAULT");
    }
    return;
  }
  if (!got.ok() || got.value() != len) {
    Fail("config-write-result",
         Format("want %zu bytes, got %s", len,
                got.ok() ? Format("%zu", got.value()).c_str()
                         : StatusText(got.status()).c_str()));
  }
  ForEachPiece(offset, len, [&](uint32_t at, int w, size_t done) {
    uint32_t v = 0;
    for (int i = 0; i < w; ++i) v |= uint32_t{buf[done + i]} << (8 * i);
    (void)model_->Write(at, w, v);
  });
}

void Run::SizeBar(int bar) {
  const uint32_t at = 0x10 + 4 * static_cast<uint32_t>(bar);
  const Result<uint32_t> old = DoRead(at, 4);
  if (failed() || !old.ok()) return;
  const std::vector<uint8_t> before = Bytes();
  DoWrite(at, 4, 0xffffffff);
  // The answer is judged by the sizing rule first, then by the model.
  uint32_t answer = 0;
  if (through_device_) {
    uint8_t buf[4] = {};
    (void)dev_->Read(kConfigRegion + at, buf);
    for (int i = 0; i < 4; ++i) answer |= uint32_t{buf[i]} << (8 * i);
  } else {
    const Result<uint32_t> r = cut_->Read(at, 4);
    answer = r.ok() ? r.value() : 0xdeadbeef;
  }
  op_ = Format("size BAR%d", bar);
  const bool implemented = bar == 0 || (bar == 1 && nr_ports_ == 2);
  const uint32_t want = implemented ? 0xfffffff8 | (old.value() & 0x3) : 0;
  if (answer != want) {
    Fail("bar-sizing", Format("sizing answered 0x%x, want 0x%x (BAR was 0x%x)",
                              answer, want, old.value()));
    return;
  }
  (void)DoRead(at, 4);
  DoWrite(at, 4, old.value());
  // Writing back a BAR that held all-ones is itself a sizing write (the
  // sample's rule), so only other values must come back exactly; the model
  // has already checked the bytes either way.
  if (!failed() && old.value() != 0xffffffff && Bytes() != before) {
    op_ = Format("size BAR%d", bar);
    Fail("bar-sizing", "restoring the BAR did not restore config space");
  }
}

void Run::CheckBytes() {
  if (failed()) return;
  const std::vector<uint8_t> bytes = Bytes();
  if (bytes.size() != ConfigModel::kSize) {
    Fail("config-size", Format("%zu bytes", bytes.size()));
    return;
  }
  for (uint32_t i = 0; i < ConfigModel::kSize; ++i) {
    if (bytes[i] != initial_[i] && !options_.byte_may_change(i, nr_ports_)) {
      Fail("config-read-only-bytes",
           Format("byte 0x%02x is 0x%02x, initially 0x%02x", i, bytes[i],
                  initial_[i]));
      return;
    }
    if (bytes[i] != model_->bytes()[i]) {
      Fail("config-bytes-match-rules",
           Format("byte 0x%02x is 0x%02x, the rules say 0x%02x", i, bytes[i],
                  model_->bytes()[i]));
      return;
    }
  }
}

}  // namespace

MaybeFinding RunConfigSpace(std::span<const uint8_t> input,
                            const ConfigSpaceOptions& options) {
  Run run(input, options);
  return run.Go();
}

}  // namespace mtty::fuzz
