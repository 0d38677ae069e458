// Copyright mtty-lab authors.

#include "core/migration.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mtty {
namespace {

using vfio::MigState;

constexpr uint32_t kNumStates = vfio::kNumMigStates;

constexpr bool InRange(MigState s) {
  return static_cast<uint32_t>(s) < kNumStates;
}

// Which migration flags a state needs, as vfio_main.c's state_flags_table.
// ERROR needs everything and so is never usable.
constexpr uint64_t RequiredFlags(MigState s) {
  switch (s) {
    case MigState::kStop:
    case MigState::kRunning:
    case MigState::kStopCopy:
    case MigState::kResuming:
      return vfio::kMigrationStopCopy;
    case MigState::kRunningP2p:
      return vfio::kMigrationStopCopy | vfio::kMigrationP2p;
    case MigState::kPreCopy:
      return vfio::kMigrationStopCopy | vfio::kMigrationPreCopy;
    case MigState::kPreCopyP2p:
      return vfio::kMigrationStopCopy | vfio::kMigrationP2p |
             vfio::kMigrationPreCopy;
    case MigState::kError:
      break;
  }
  return ~uint64_t{0};
}

constexpr bool Supported(MigState s, uint64_t flags) {
  return InRange(s) && s != MigState::kError &&
         (RequiredFlags(s) & flags) == RequiredFlags(s);
}

// The kernel's vfio_from_fsm_table: kStep[cur][target] is the next state on
// the way, assuming every state is supported. Indexed by enum value.
constexpr MigState kE = MigState::kError;
constexpr MigState kS = MigState::kStop;
constexpr MigState kR = MigState::kRunning;
constexpr MigState kSC = MigState::kStopCopy;
constexpr MigState kRS = MigState::kResuming;
constexpr MigState kRP = MigState::kRunningP2p;
constexpr MigState kPC = MigState::kPreCopy;
constexpr MigState kPCP = MigState::kPreCopyP2p;
// clang-format off
constexpr MigState kStep[kNumStates][kNumStates] = {
    // target:  E    S    R    SC   RS   RP   PC   PCP
    /* E   */ {kE,  kE,  kE,  kE,  kE,  kE,  kE,  kE},
    /* S   */ {kE,  kS,  kRP, kSC, kRS, kRP, kRP, kRP},
    /* R   */ {kE,  kRP, kR,  kRP, kRP, kRP, kPC, kRP},
    /* SC  */ {kE,  kS,  kS,  kSC, kS,  kS,  kE,  kE},
    /* RS  */ {kE,  kS,  kS,  kS,  kRS, kS,  kS,  kS},
    /* RP  */ {kE,  kS,  kR,  kS,  kS,  kRP, kR,  kPCP},
    /* PC  */ {kE,  kR,  kR,  kPCP, kR, kR,  kPC, kPCP},
    /* PCP */ {kE,  kRP, kRP, kSC, kRP, kRP, kPC, kPCP},
};
// clang-format on

constexpr MigState StepOf(MigState cur, MigState target) {
  return kStep[static_cast<uint32_t>(cur)][static_cast<uint32_t>(target)];
}

void PutLe(uint8_t* p, uint64_t v, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

uint64_t GetLe(const uint8_t* p, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

// Header field offsets.
constexpr size_t kMagicAt = 0;
constexpr size_t kMajorAt = 8;
constexpr size_t kMinorAt = 12;
constexpr size_t kNrPortsAt = 16;
constexpr size_t kFlagsAt = 20;

// What is wrong with the stream header `h` for a device of `nr_ports`
// ports, or nullptr if nothing is.
const char* HeaderMismatch(const uint8_t* h, uint32_t nr_ports) {
  if (GetLe(h + kMagicAt, 8) != kMigrationMagic) {
    return "migration stream magic is wrong";
  }
  if (GetLe(h + kMajorAt, 4) != kMigrationMajor) {
    return "migration stream major version is not 1";
  }
  if (GetLe(h + kMinorAt, 4) != kMigrationMinor) {
    return "migration stream minor version is not 0";
  }
  if (GetLe(h + kNrPortsAt, 4) != nr_ports) {
    return "migration stream port count is not the device's";
  }
  if (GetLe(h + kFlagsAt, 4) != 0) return "migration stream flags are not 0";
  return nullptr;
}

bool IsPreCopy(MigState s) {
  return s == MigState::kPreCopy || s == MigState::kPreCopyP2p;
}

}  // namespace

Result<MigState> MigNextState(MigState cur, MigState target,
                              uint64_t mig_flags) {
  if (!Supported(cur, mig_flags) || !Supported(target, mig_flags)) {
    return Status::Error(-EINVAL);
  }
  // Skip unsupported intermediate states. The ERROR test is the v7.2 fix; the
  // step bound is ours: no flag combination needs more than a few skips, so
  // reaching it could only mean a broken table, and must not mean a hang.
  MigState next = StepOf(cur, target);
  for (uint32_t skips = 0; next != kE && !Supported(next, mig_flags); ++skips) {
    if (skips == kNumStates) return Status::Error(-EINVAL);
    next = StepOf(next, target);
  }
  if (next == kE) return Status::Error(-EINVAL);
  return next;
}

// ---------------------------------------------------------------------------
// MigrationFile

MigrationFile::MigrationFile(Kind kind, size_t capacity, uint32_t nr_ports,
                             std::shared_ptr<const SharedState> device_state)
    : kind_(kind),
      capacity_(capacity),
      nr_ports_(nr_ports),
      device_state_(std::move(device_state)),
      data_(capacity, 0) {}

Result<size_t> MigrationFile::Read(std::span<uint8_t> out) {
  // The kernel opens the resume file O_WRONLY, so vfs_read refuses it.
  if (kind_ != Kind::kSave) return Status::Error(-EBADF);
  std::lock_guard<std::mutex> lock(mu_);
  if (disabled_) return Status::Error(-ENODEV);
  const size_t n = std::min(filled_ - pos_, out.size());
  if (n != 0) std::memcpy(out.data(), data_.data() + pos_, n);
  pos_ += n;
  return n;
}

Result<size_t> MigrationFile::Write(std::span<const uint8_t> in) {
  // The kernel opens the save file O_RDONLY, so vfs_write refuses it.
  if (kind_ != Kind::kResume) {
    return Status::Error(-EBADF, "a save file is read-only");
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (in.size() > capacity_ - filled_) {
    return Status::Error(-ENOMEM,
                         "write runs past the end of the migration stream");
  }
  if (disabled_) {
    return Status::Error(-ENODEV, "the device has dropped this resume file");
  }
  if (filled_ < kMigrationHeaderSize &&
      in.size() >= kMigrationHeaderSize - filled_) {
    // Judge the header before keeping any of it (the kernel keeps the bytes
    // of a rejected header and then accepts everything after it).
    uint8_t header[kMigrationHeaderSize];
    std::memcpy(header, data_.data(), filled_);
    std::memcpy(header + filled_, in.data(), kMigrationHeaderSize - filled_);
    if (const char* why = HeaderMismatch(header, nr_ports_); why != nullptr) {
      return Status::Error(-EFAULT, why);
    }
  }
  if (!in.empty()) std::memcpy(data_.data() + filled_, in.data(), in.size());
  filled_ += in.size();
  return in.size();
}

Result<size_t> MigrationFile::Pread(std::span<uint8_t> /*out*/,
                                    int64_t offset) {
  return Status::Error(offset < 0 ? -EINVAL : -ESPIPE);
}

Result<size_t> MigrationFile::Pwrite(std::span<const uint8_t> /*in*/,
                                     int64_t offset) {
  return Status::Error(offset < 0 ? -EINVAL : -ESPIPE);
}

Result<vfio::PrecopyInfo> MigrationFile::PrecopyInfo(
    std::span<const uint8_t> arg) {
  if (kind_ != Kind::kSave) return Status::Error(-ENOTTY);
  vfio::PrecopyInfo info;
  if (arg.size() < sizeof(info)) return Status::Error(-EFAULT);
  std::memcpy(&info, arg.data(), sizeof(info));
  if (info.argsz < sizeof(info)) return Status::Error(-EINVAL);

  std::lock_guard<std::mutex> lock(mu_);
  if (disabled_) {
    // The kernel checks the device state first, then the file.
    return Status::Error(IsPreCopy(device_state_->load()) ? -ENODEV : -EINVAL);
  }
  // A live save file is a pre-copy stream exactly while the device is in
  // PRE_COPY(_P2P): made on entry, dropped or completed on every way out.
  if (!precopy_) return Status::Error(-EINVAL);
  info.initial_bytes = filled_ - pos_;
  info.dirty_bytes = 0;
  return info;
}

Status MigrationFile::Ioctl(uint32_t cmd, std::span<uint8_t> arg) {
  if (cmd != vfio::kMigGetPrecopyInfo) return Status::Error(-ENOTTY);
  Result<vfio::PrecopyInfo> info = PrecopyInfo(arg);
  if (!info.ok()) return info.status();
  std::memcpy(arg.data(), &info.value(), sizeof(vfio::PrecopyInfo));
  return Status::Ok();
}

bool MigrationFile::disabled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return disabled_;
}

void MigrationFile::PutHeader(bool precopy) {
  std::lock_guard<std::mutex> lock(mu_);
  precopy_ = precopy;
  if (capacity_ < kMigrationHeaderSize || filled_ != 0) return;
  uint8_t* h = data_.data();
  PutLe(h + kMagicAt, kMigrationMagic, 8);
  PutLe(h + kMajorAt, kMigrationMajor, 4);
  PutLe(h + kMinorAt, kMigrationMinor, 4);
  PutLe(h + kNrPortsAt, nr_ports_, 4);
  PutLe(h + kFlagsAt, 0, 4);
  filled_ = kMigrationHeaderSize;
}

void MigrationFile::AppendPorts(std::span<const uint8_t> ports) {
  std::lock_guard<std::mutex> lock(mu_);
  precopy_ = false;
  if (disabled_ || ports.size() > capacity_ - filled_) return;
  if (!ports.empty()) {
    std::memcpy(data_.data() + filled_, ports.data(), ports.size());
  }
  filled_ += ports.size();
}

std::optional<std::vector<uint8_t>> MigrationFile::CompletePorts() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (disabled_ || filled_ != capacity_ || filled_ < kMigrationHeaderSize) {
    return std::nullopt;
  }
  return std::vector<uint8_t>(data_.begin() + kMigrationHeaderSize,
                              data_.end());
}

void MigrationFile::Disable() {
  std::lock_guard<std::mutex> lock(mu_);
  disabled_ = true;
  precopy_ = false;
  filled_ = 0;
  pos_ = 0;
  // Nothing can read these bytes again; don't keep device state around.
  std::fill(data_.begin(), data_.end(), 0);
}

// ---------------------------------------------------------------------------
// Migration

Migration::Migration(MigrationPorts* ports)
    : ports_(ports),
      state_(std::make_shared<MigrationFile::SharedState>(MigState::kRunning)) {
}

Migration::~Migration() { DropFiles(); }

MigState Migration::state() const { return state_->load(); }

uint64_t Migration::stop_copy_length() const {
  return kMigrationHeaderSize +
         uint64_t{ports_->nr_ports()} * ports_->port_record_size();
}

Result<std::shared_ptr<MigrationFile>> Migration::SetState(MigState target) {
  std::shared_ptr<MigrationFile> file;
  // Every path in the table is at most four arcs; the bound only guarantees
  // termination.
  for (uint32_t arcs = 0; state() != target; ++arcs) {
    if (arcs == kNumStates) return Status::Error(-EINVAL);
    Result<MigState> next = MigNextState(state(), target, flags());
    if (!next.ok()) return next.status();
    Result<std::shared_ptr<MigrationFile>> made = Step(*next);
    if (!made.ok()) return made.status();
    state_->store(*next);
    // Only a path's final arc ever makes a file (the table routes every
    // file-making arc straight to its target), so this is the result.
    file = std::move(made).value();
  }
  return file;
}

Result<std::shared_ptr<MigrationFile>> Migration::Step(MigState next) {
  const MigState cur = state();
  // mtty does no DMA and has nothing to start or stop.
  if ((cur == kR && next == kRP) || (cur == kRP && next == kR) ||
      (cur == kRP && next == kS) || (cur == kPC && next == kPCP) ||
      (cur == kPCP && next == kPC) || (cur == kS && next == kRP)) {
    return std::shared_ptr<MigrationFile>();
  }
  if (cur == kRS && next == kS) {
    Status s = Load();
    if (!s.ok()) return s;
    DropFiles();
    return std::shared_ptr<MigrationFile>();
  }
  if ((cur == kPC && next == kR) || (cur == kPCP && next == kRP) ||
      (cur == kSC && next == kS)) {
    DropFiles();
    return std::shared_ptr<MigrationFile>();
  }
  if ((cur == kR && next == kPC) || (cur == kRP && next == kPCP)) {
    DropFiles();  // none can exist here; keeps a single live stream
    saving_ = NewFile(MigrationFile::Kind::kSave);
    saving_->PutHeader(/*precopy=*/true);
    return saving_;
  }
  if ((cur == kS || cur == kPCP) && next == kSC) {
    const std::vector<uint8_t> ports = SavedPorts();
    if (cur == kPCP && saving_ != nullptr) {
      // The pre-copy stream continues; the caller keeps reading its file.
      saving_->AppendPorts(ports);
      return std::shared_ptr<MigrationFile>();
    }
    // S -> SC, or PCP -> SC after close_device dropped the pre-copy file.
    DropFiles();
    saving_ = NewFile(MigrationFile::Kind::kSave);
    saving_->PutHeader(/*precopy=*/false);
    saving_->AppendPorts(ports);
    return saving_;
  }
  if (cur == kS && next == kRS) {
    DropFiles();
    resuming_ = NewFile(MigrationFile::Kind::kResume);
    return resuming_;
  }
  // MigNextState with kMttyMigrationFlags yields no other arc.
  return Status::Error(-EINVAL);
}

std::shared_ptr<MigrationFile> Migration::NewFile(
    MigrationFile::Kind kind) const {
  return std::shared_ptr<MigrationFile>(
      new MigrationFile(kind, stop_copy_length(), ports_->nr_ports(), state_));
}

std::vector<uint8_t> Migration::SavedPorts() const {
  std::vector<uint8_t> out(stop_copy_length() - kMigrationHeaderSize, 0);
  ports_->SavePorts(out);
  return out;
}

Status Migration::Load() {
  // No file: close_device dropped it while RESUMING (the kernel would
  // dereference NULL here). Nothing arrived, so the stream is short.
  if (resuming_ == nullptr) {
    return Status::Error(-EINVAL,
                         "no resume file: close_device dropped it while "
                         "RESUMING");
  }
  std::optional<std::vector<uint8_t>> ports = resuming_->CompletePorts();
  if (!ports.has_value()) {
    return Status::Error(-EINVAL, "the migration stream is incomplete");
  }
  // The kernel copies the records in unchecked; the device decides here
  // whether they describe a state it can be in. Whatever its errno, the arc
  // fails with -EINVAL; its reason is kept, as it says what was wrong.
  if (Status valid = ports_->ValidatePorts(*ports); !valid.ok()) {
    return Status::Error(-EINVAL, *valid.reason() != '\0'
                                      ? valid.reason()
                                      : "the device rejected the port records");
  }
  ports_->LoadPorts(*ports);
  return Status::Ok();
}

void Migration::Reset() {
  state_->store(MigState::kRunning);
  DropFiles();
}

void Migration::DropFiles() {
  if (saving_ != nullptr) {
    saving_->Disable();
    saving_.reset();
  }
  if (resuming_ != nullptr) {
    resuming_->Disable();
    resuming_.reset();
  }
}

}  // namespace mtty
