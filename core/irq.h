// Copyright mtty-lab authors.
//
// Interrupt delivery for an mtty device: where an interrupt goes (IrqSink),
// how SET_IRQS eventfd numbers become sinks (SinkResolver), and the
// VFIO_DEVICE_GET_IRQ_INFO / VFIO_DEVICE_SET_IRQS state machine of the kernel
// sample (IrqController, v6.7+ "overhaul mtty interrupt handling").
#ifndef MTTY_CORE_IRQ_H_
#define MTTY_CORE_IRQ_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <span>

#include "core/status.h"

namespace mtty {

// Where an interrupt goes. Signal() never blocks for long and never fails
// visibly: a lost signal is the sink's concern, not the device's.
class IrqSink {
 public:
  virtual ~IrqSink() = default;
  virtual void Signal() = 0;
};

// Counts signals. Thread-safe.
class CountingSink : public IrqSink {
 public:
  void Signal() override { count_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> count_{0};
};

// Adds 1 to an eventfd's counter per signal, like the kernel's
// eventfd_signal. Owns its own descriptor (a duplicate), closed on
// destruction, so the caller may close the fd it passed in.
class EventfdSink : public IrqSink {
 public:
  // Duplicates `fd` (close-on-exec). Does not check that it is an eventfd;
  // EventfdResolver does. Errors: -EBADF, -EMFILE, ... as from fcntl.
  static Result<std::unique_ptr<EventfdSink>> Dup(int fd);
  // Takes ownership of `owned_fd`.
  explicit EventfdSink(int owned_fd) : fd_(owned_fd) {}
  ~EventfdSink() override;
  EventfdSink(const EventfdSink&) = delete;
  EventfdSink& operator=(const EventfdSink&) = delete;

  // Never blocks: when the counter is saturated (the write would block) the
  // signal is dropped, as eventfd_signal saturates instead of waiting.
  void Signal() override;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// Turns the int32 fds of SET_IRQS DATA_EVENTFD into sinks, as
// eventfd_ctx_fdget does: a bad fd is -EBADF, an fd that is not an eventfd is
// -EINVAL.
class SinkResolver {
 public:
  virtual ~SinkResolver() = default;
  virtual Result<std::shared_ptr<IrqSink>> Resolve(int32_t fd) = 0;
};

// Resolves real descriptors of this process. An fd is an eventfd when
// /proc/self/fd/N reads "anon_inode:[eventfd]"; without /proc nothing can be
// shown to be one and every fd is -EINVAL. The check runs on a private
// duplicate, so the caller closing or reusing the number concurrently cannot
// make it check one file and keep another.
class EventfdResolver : public SinkResolver {
 public:
  Result<std::shared_ptr<IrqSink>> Resolve(int32_t fd) override;
};

// A fake descriptor table for tests and fuzzers: numbers registered as
// eventfds resolve to one CountingSink each (the same sink every time, as the
// same eventfd gives the same context); numbers registered as other files
// resolve to -EINVAL; everything else is -EBADF.
class FakeFdTable : public SinkResolver {
 public:
  // Makes `fd` an eventfd with a fresh counter (replacing any earlier entry)
  // and returns its sink so the caller can watch the count.
  std::shared_ptr<CountingSink> Register(int32_t fd);
  // Makes `fd` an open file that is not an eventfd.
  void RegisterNonEventfd(int32_t fd);
  // Closes `fd`: later lookups are -EBADF. Sinks already handed out live on.
  void Close(int32_t fd);

  Result<std::shared_ptr<IrqSink>> Resolve(int32_t fd) override;

 private:
  // A null entry is an open non-eventfd file.
  std::map<int32_t, std::shared_ptr<CountingSink>> fds_;
};

// Which kernel's mtty interrupt code IrqController follows. Every
// difference is a row of core/README.md's "Linux 6.1 interrupt surface"
// table.
enum class IrqSurface : uint8_t {
  // The current sample (v6.7+ "vfio/mtty: Overhaul mtty interrupt
  // handling"): the default.
  kUpstream = 0,
  // Linux 6.1 (Debian 12's kernel): no masking, no automask, REQ
  // advertised, DATA_NONE puts the eventfd but keeps using it, a second
  // MSI eventfd ignored, no teardown on close. Its memory-safety defects
  // (NULL signal, NULL payload, use after put, leaks) are not reproduced:
  // the safe answer for each is in core/PCI_IRQ.md.
  kLinux6_1 = 1,
};
const char* IrqSurfaceName(IrqSurface surface);

// The INTx/MSI state of one device and the two interrupt ioctls.
//
// Invariants, observable through state(), for kUpstream: irq_index is 0
// exactly when an INTx sink is installed and 1 exactly when an MSI sink is,
// so at most one is installed; intx_masked implies irq_index 0. kLinux6_1
// keeps only: intx_masked is always false, and irq_index 1 implies an MSI
// sink (6.1 leaves a put MSI eventfd behind when it falls back to INTx).
//
// Not thread-safe: the device calls it with its own lock held, and sinks are
// signalled from inside these calls.
class IrqController {
 public:
  // `resolver` is not owned and may be null (every fd is then -EBADF); it
  // must outlive the controller.
  explicit IrqController(SinkResolver* resolver,
                         IrqSurface surface = IrqSurface::kUpstream)
      : resolver_(resolver), surface_(surface) {}
  IrqController(const IrqController&) = delete;
  IrqController& operator=(const IrqController&) = delete;

  // VFIO_DEVICE_GET_IRQ_INFO. `arg` is the caller's vfio_irq_info memory.
  // -EFAULT when `arg` is shorter than the 16 bytes the kernel copies in;
  // -EINVAL when argsz < 16, index >= `num_irqs` (the device's last GET_INFO
  // answer, 0 before the first: a sample quirk) or index is neither INTx
  // nor MSI. On success flags and count are written back into the first 16
  // bytes: INTx EVENTFD|MASKABLE|AUTOMASKED, MSI EVENTFD|NORESIZE, count 1.
  Status GetIrqInfo(std::span<uint8_t> arg, uint32_t num_irqs) const;

  // VFIO_DEVICE_SET_IRQS. `arg` is the whole caller buffer (header + data);
  // `num_irqs` as for GetIrqInfo. The core's validation, then the sample's
  // semantics; see core/PCI_IRQ.md for every rule and its errno. Any error
  // leaves the state unchanged (the sample drops the old eventfd before
  // looking up the new one; here the lookup comes first).
  Status SetIrqs(std::span<const uint8_t> arg, uint32_t num_irqs);

  // The device raises its interrupt. INTx: signals when a sink is installed
  // and not masked, then masks (automask). MSI: signals when installed.
  // Nothing installed: dropped. Returns whether a sink was signalled.
  bool Trigger();

  // close_device: both sinks dropped, no IRQ type, INTx unmasked. The signal
  // count is kept. (Linux 6.1's mtty has no close_device: MttyDevice does
  // not call this for kLinux6_1.)
  void DisableAll();

  IrqSurface surface() const { return surface_; }

  struct State {
    int irq_index;  // -1 none, 0 INTx, 1 MSI
    bool intx_masked;
    bool intx_has_sink;
    bool msi_has_sink;
    uint64_t signals;  // sinks signalled so far, by any path
    friend bool operator==(const State&, const State&) = default;
  };
  State state() const;

 private:
  Status SetIntx(uint32_t flags, uint32_t start, uint32_t count,
                 std::span<const uint8_t> data);
  Status SetMsi(uint32_t flags, uint32_t start, uint32_t count,
                std::span<const uint8_t> data);
  // TRIGGER for INTx (index 0) or MSI (index 1); shared because the sample's
  // two branches are the same but for the index.
  Status SetTrigger(int index, uint32_t flags, uint32_t start, uint32_t count,
                    std::span<const uint8_t> data);
  // Linux 6.1's mtty_set_irqs and mtty_trigger_interrupt.
  Status SetIrqs61(uint32_t flags, uint32_t index,
                   std::span<const uint8_t> data);
  bool Trigger61();
  Result<std::shared_ptr<IrqSink>> ResolveFd(int32_t fd);
  void DisableIntx();
  void DisableMsi();

  SinkResolver* resolver_;
  const IrqSurface surface_;
  std::shared_ptr<IrqSink> intx_sink_;
  std::shared_ptr<IrqSink> msi_sink_;
  int irq_index_ = -1;
  bool intx_masked_ = false;
  uint64_t signals_ = 0;
};

}  // namespace mtty

#endif  // MTTY_CORE_IRQ_H_
