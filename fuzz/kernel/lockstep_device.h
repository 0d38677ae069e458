// Copyright mtty-lab authors.
//
// LockstepDevice: the real Linux 6.1 samples/vfio-mdev/mtty.c (through
// kshim::KernelMtty) and our MttyDevice on the `kernel` profile with the
// Linux 6.1 interrupt surface, driven op by op with the same input. It is
// the DeviceUnderTest the `_kernel` fuzz targets hand their harness; the
// harness sees the real sample's answers.
//
// After every operation both devices must agree on the result, the bytes
// copied back to the caller, the eventfd signals per descriptor, and the
// whole DeviceState (config space, port records, interrupt state, the
// last GET_INFO). A difference is
//  * a hunted known defect (known_defects.h): a finding named
//    "kernel-defect/<name>", with the sample's file:line;
//  * a documented deviation (core/README.md, "Linux 6.1 and the real
//    sample"): the lockstep applies the documented rule and goes on;
//  * anything else: a finding named "kernel-differential".
// Operations that would reach a memory-unsafe defect that is not hunted
// are sent to neither device (counted in stats().avoided).
//
// After the first finding the device is dead: every call returns -EIO and
// reaches neither device. Findings go to `on_finding` as they happen.
#ifndef MTTY_FUZZ_KERNEL_LOCKSTEP_DEVICE_H_
#define MTTY_FUZZ_KERNEL_LOCKSTEP_DEVICE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/irq.h"
#include "core/vfio_device.h"
#include "fuzz/device_under_test.h"
#include "fuzz/finding.h"
#include "fuzz/kernel/known_defects.h"

namespace mtty::kshim {
class KernelMtty;
}

namespace mtty::fuzz::kernel {

// Hands out one counting sink per descriptor, for the descriptors the
// harness's own table resolves, so each device's signals are counted apart.
// With `forward`, each signal also reaches the harness's own sink (the
// device under test's signals are the ones the harness should see).
class MirrorResolver : public SinkResolver {
 public:
  MirrorResolver(SinkResolver* base, bool forward)
      : base_(base), forward_(forward) {}
  Result<std::shared_ptr<IrqSink>> Resolve(int32_t fd) override;
  uint64_t count(int32_t fd) const;
  std::vector<int32_t> fds() const;

 private:
  class TeeSink;
  SinkResolver* base_;
  const bool forward_;
  std::map<int32_t, std::shared_ptr<TeeSink>> sinks_;
};

struct LockstepOptions {
  Hunt hunt = Hunt::All();
  std::function<void(const Finding&)> on_finding;
  // Our side; tests substitute a device with one rule broken to show the
  // differential fires.
  DeviceFactory ours = MakeRealDevice;
};

class LockstepDevice : public DeviceUnderTest {
 public:
  // `options.profile` and `options.irq_surface` are overridden: the sample
  // has one of each. `options.resolver` decides which fds are eventfds.
  LockstepDevice(const DeviceOptions& options, LockstepOptions lockstep);
  ~LockstepDevice() override;

  Result<size_t> Read(uint64_t pos, std::span<uint8_t> buf) override;
  Result<size_t> Write(uint64_t pos, std::span<const uint8_t> buf) override;
  Status Ioctl(uint32_t cmd, std::span<uint8_t> arg) override;
  Result<vfio::RegionInfo> GetRegionInfo(uint32_t index) override;
  Result<vfio::IrqInfo> GetIrqInfo(uint32_t index) override;
  Result<std::shared_ptr<MigrationFile>> SetMigState(
      vfio::MigState target) override;
  std::shared_ptr<MigrationFile> TakeMigrationFile(int32_t token) override;
  void AdvanceTime(uint64_t ns) override;
  void Close() override;
  DeviceState state() const override;

  struct Stats {
    uint64_t compared = 0;   // ops both devices ran and that were checked
    uint64_t avoided = 0;    // ops sent to neither (an unhunted defect)
    uint64_t tolerated = 0;  // differences from unhunted known defects
    uint64_t deviations = 0;  // ops where a documented rule applied
  };
  const Stats& stats() const { return stats_; }
  const std::optional<Finding>& finding() const { return finding_; }

 private:
  bool Avoid(std::optional<Defect> d);
  // Before an op that reaches a hunted sanitizer-class defect: says so on
  // stderr; false (after reporting it) when no sanitizer could catch it.
  bool AnnounceHunted(std::optional<Defect> d, const std::string& what);
  void Found(const std::string& oracle, std::string detail);
  void FoundDefect(Defect d, const std::string& detail,
                   const std::string& site = "");
  // Compares everything after an op both devices ran; `what` names the op.
  void Compare(const std::string& what, const Status& kernel_status,
               const Status& our_status, std::span<const uint8_t> kernel_out,
               std::span<const uint8_t> our_out, bool bar_read);
  void CheckWedgedFifo(const std::string& what);
  std::optional<Defect> WriteDefect(uint64_t pos, size_t len) const;
  std::optional<Defect> ReadDefect(uint64_t pos, size_t len) const;
  std::optional<Defect> IoctlDefect(uint32_t cmd,
                                    std::span<const uint8_t> arg) const;

  const int nr_ports_;
  LockstepOptions options_;
  MirrorResolver kernel_fds_;
  MirrorResolver our_fds_;
  std::unique_ptr<kshim::KernelMtty> kernel_;
  std::unique_ptr<DeviceUnderTest> ours_;
  Stats stats_;
  uint64_t op_ = 0;
  std::optional<Finding> finding_;
};

// The DeviceFactory the `_kernel` fuzz targets use: every device it makes
// reports its findings into `*sink` (the first one wins).
DeviceFactory LockstepFactory(const Hunt& hunt, std::optional<Finding>* sink);

// kshim's fatal-bug mask for `hunt`: hunted kshim-detected defects abort,
// the rest are survived; the shim's own mutex checks always abort.
unsigned KshimFatalMask(const Hunt& hunt);

// samples/vfio-mdev/mtty.c:LINE of `function` in the tarball built here.
std::string SampleSite(const char* function);

}  // namespace mtty::fuzz::kernel

#endif  // MTTY_FUZZ_KERNEL_LOCKSTEP_DEVICE_H_
