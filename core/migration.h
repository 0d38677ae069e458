// Copyright mtty-lab authors.
//
// vfio migration for an mtty device: the kernel's state-machine step function
// (vfio_mig_get_next_state), the per-device state machine the sample drives
// with it (mtty_set_state / mtty_step_state), and the save/resume data
// "files" the arcs hand out. Arc actions, the stream layout and every
// deliberate difference from the kernel are listed in core/MIGRATION.md.
#ifndef MTTY_CORE_MIGRATION_H_
#define MTTY_CORE_MIGRATION_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "core/status.h"
#include "core/vfio_uapi.h"

namespace mtty {

// The data stream: a 24-byte little-endian header
//   u64 magic, u32 major, u32 minor, u32 nr_ports, u32 flags (0)
// followed by nr_ports fixed-size port records (MigrationPorts).
inline constexpr uint64_t kMigrationMagic = 0x7e9d09898c3e2c4e;
inline constexpr uint32_t kMigrationMajor = 1;
inline constexpr uint32_t kMigrationMinor = 0;
inline constexpr size_t kMigrationHeaderSize = 24;

// What the sample advertises in VFIO_DEVICE_FEATURE_MIGRATION.
inline constexpr uint64_t kMttyMigrationFlags =
    vfio::kMigrationStopCopy | vfio::kMigrationP2p | vfio::kMigrationPreCopy;

// The next single arc on the way from `cur` to `target` for a device
// advertising `mig_flags`, as the kernel's vfio_mig_get_next_state computes it
// with the v7.2 fix: states the device does not support are skipped, and a
// blocked transition (STOP_COPY -> PRE_COPY / PRE_COPY_P2P) is -EINVAL rather
// than an endless loop. -EINVAL too for ERROR or an unsupported or
// out-of-range state as `cur` or `target`. Never loops unboundedly.
Result<vfio::MigState> MigNextState(vfio::MigState cur, vfio::MigState target,
                                    uint64_t mig_flags);

// Where port state comes from and goes to. Implemented by the device; called
// by Migration only, with whatever lock the device holds around Migration.
class MigrationPorts {
 public:
  virtual ~MigrationPorts() = default;
  // Both fixed for the lifetime of the object.
  virtual uint32_t nr_ports() const = 0;
  virtual size_t port_record_size() const = 0;
  // `out` is exactly nr_ports() * port_record_size() bytes.
  virtual void SavePorts(std::span<uint8_t> out) const = 0;
  // Full validation of a stream's port records (same size as SavePorts'
  // output), changing nothing.
  virtual Status ValidatePorts(std::span<const uint8_t> in) const = 0;
  // Only called with bytes ValidatePorts has just accepted.
  virtual void LoadPorts(std::span<const uint8_t> in) = 0;
};

// A migration data file: the stream a save arc (into PRE_COPY(_P2P) or
// STOP_COPY) produces, or the sink a resume arc (into RESUMING) opens. Shared
// between the device and the caller; once the device drops it (the arc out of
// the state, RESET, close_device) every read or write answers -ENODEV, as the
// kernel's disabled files do.
//
// Thread-safe: every method may be called from any thread, concurrently with
// the owning Migration. A file has its own lock and never calls into the
// device, so it may be used without holding the device's lock.
class MigrationFile {
 public:
  enum class Kind { kSave, kResume };

  MigrationFile(const MigrationFile&) = delete;
  MigrationFile& operator=(const MigrationFile&) = delete;

  Kind kind() const { return kind_; }

  // read(2) on the stream. Save files: copies the next bytes, returns how
  // many; 0 at the (possibly temporary, in PRE_COPY) end of the stream.
  // Resume files are write-only: -EBADF. Dropped: -ENODEV.
  Result<size_t> Read(std::span<uint8_t> out);
  // write(2) on the stream. Resume files: accepts the whole chunk or nothing;
  // -ENOMEM if the stream would grow past header + ports, -EFAULT if the
  // chunk completes a header that does not match this device (the rejected
  // bytes are not kept; the reason names the first wrong field). Save files
  // are read-only: -EBADF. Dropped: -ENODEV (-ENOMEM first if the chunk
  // alone is too long, as the kernel checks).
  Result<size_t> Write(std::span<const uint8_t> in);
  // pread(2)/pwrite(2): the files are streams. -EINVAL for a negative
  // offset, otherwise -ESPIPE; nothing changes.
  Result<size_t> Pread(std::span<uint8_t> out, int64_t offset);
  Result<size_t> Pwrite(std::span<const uint8_t> in, int64_t offset);

  // VFIO_MIG_GET_PRECOPY_INFO. `arg` is the caller's struct memory: shorter
  // than 24 bytes is a failed copy (-EFAULT); argsz < 24 is -EINVAL; the
  // device not in PRE_COPY(_P2P) is -EINVAL; a dropped file (device in
  // PRE_COPY) -ENODEV; a resume file has no ioctls (-ENOTTY). On success:
  // argsz and flags as the caller passed them (the kernel's v1 behaviour),
  // initial_bytes = stream bytes not yet read, dirty_bytes = 0.
  Result<vfio::PrecopyInfo> PrecopyInfo(std::span<const uint8_t> arg);
  // ioctl(2) on the file: VFIO_MIG_GET_PRECOPY_INFO as above with the 24
  // result bytes written back into `arg`; any other command -ENOTTY.
  Status Ioctl(uint32_t cmd, std::span<uint8_t> arg);

  // True once the device has dropped the file.
  bool disabled() const;

 private:
  friend class Migration;
  using SharedState = std::atomic<vfio::MigState>;

  MigrationFile(Kind kind, size_t capacity, uint32_t nr_ports,
                std::shared_ptr<const SharedState> device_state);

  // Save side: start the stream with the header (`precopy`: made by an arc
  // into PRE_COPY(_P2P)); append the port records (the file then no longer
  // counts as a pre-copy stream).
  void PutHeader(bool precopy);
  void AppendPorts(std::span<const uint8_t> ports);
  // Resume side: the port records if the whole stream has arrived.
  std::optional<std::vector<uint8_t>> CompletePorts() const;
  void Disable();

  const Kind kind_;
  const size_t capacity_;    // header + all port records
  const uint32_t nr_ports_;  // what the header must say
  // The device's migration state, read only to pick the errno a dropped
  // file's PRECOPY_INFO returns.
  const std::shared_ptr<const SharedState> device_state_;

  mutable std::mutex mu_;
  std::vector<uint8_t> data_;  // capacity_ bytes
  size_t filled_ = 0;          // bytes of data_ that are stream
  size_t pos_ = 0;             // save: bytes already read
  bool precopy_ = false;       // save: made in PRE_COPY, ports not yet added
  bool disabled_ = false;
};

// The migration state machine of one device (migration flags
// kMttyMigrationFlags), starting in RUNNING.
//
// Not thread-safe: the device calls it under its own lock. Files it hands out
// are independent (see MigrationFile).
class Migration {
 public:
  // `ports` must be non-null and outlive this object. It is not called here.
  explicit Migration(MigrationPorts* ports);
  // Drops the files, so a caller still holding one gets -ENODEV.
  ~Migration();
  Migration(const Migration&) = delete;
  Migration& operator=(const Migration&) = delete;

  vfio::MigState state() const;
  uint64_t flags() const { return kMttyMigrationFlags; }

  // Moves to `target` one MigNextState arc at a time, as mtty_set_state.
  // Returns the file the final arc produced, or nullptr when it produced none
  // (including target == state()). On error the state is where the failing
  // arc started and the errno is returned: -EINVAL for an impossible target
  // (ERROR, out of range, STOP_COPY -> PRE_COPY*), and for RESUMING -> STOP
  // without a complete, valid stream (with a reason: no file, an incomplete
  // stream, or the reason ValidatePorts gave).
  Result<std::shared_ptr<MigrationFile>> SetState(vfio::MigState target);

  // VFIO_DEVICE_RESET's effect: RUNNING, files dropped.
  void Reset();
  // close_device: files dropped, state unchanged.
  void DropFiles();

  // VFIO_DEVICE_FEATURE_MIG_DATA_SIZE: header + nr_ports * record size.
  uint64_t stop_copy_length() const;

 private:
  Result<std::shared_ptr<MigrationFile>> Step(vfio::MigState next);
  std::shared_ptr<MigrationFile> NewFile(MigrationFile::Kind kind) const;
  std::vector<uint8_t> SavedPorts() const;
  Status Load();

  MigrationPorts* const ports_;
  const std::shared_ptr<MigrationFile::SharedState> state_;
  std::shared_ptr<MigrationFile> saving_;
  std::shared_ptr<MigrationFile> resuming_;
};

}  // namespace mtty

#endif  // MTTY_CORE_MIGRATION_H_
