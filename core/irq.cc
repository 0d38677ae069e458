// Copyright mtty-lab authors.
#include "core/irq.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include "core/vfio_uapi.h"

namespace mtty {
namespace {

constexpr std::string_view kEventfdLink = "anon_inode:[eventfd]";
constexpr uint32_t kKnownIrqSetFlags =
    vfio::kIrqSetDataTypeMask | vfio::kIrqSetActionTypeMask;

uint32_t LoadU32(std::span<const uint8_t> bytes, size_t at) {
  uint32_t v;
  std::memcpy(&v, bytes.data() + at, sizeof(v));
  return v;
}

}  // namespace

const char* IrqSurfaceName(IrqSurface surface) {
  return surface == IrqSurface::kLinux6_1 ? "linux-6.1" : "upstream";
}

// EventfdSink

Result<std::unique_ptr<EventfdSink>> EventfdSink::Dup(int fd) {
  if (fd < 0) return Status::Error(-EBADF);
  const int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (dup_fd < 0) return Status::Error(-errno);
  return std::make_unique<EventfdSink>(dup_fd);
}

EventfdSink::~EventfdSink() {
  if (fd_ >= 0) close(fd_);
}

void EventfdSink::Signal() {
  if (fd_ < 0) return;
  // The descriptor shares its file status flags with the caller's, so it may
  // be blocking; a write to a saturated counter would then wait forever.
  // POLLOUT means at least 1 can still be added.
  pollfd p{.fd = fd_, .events = POLLOUT, .revents = 0};
  int ready;
  do {
    ready = poll(&p, 1, 0);
  } while (ready < 0 && errno == EINTR);
  if (ready != 1 || (p.revents & POLLOUT) == 0) return;
  const uint64_t one = 1;
  ssize_t n;
  do {
    n = write(fd_, &one, sizeof(one));
  } while (n < 0 && errno == EINTR);
}

// EventfdResolver

Result<std::shared_ptr<IrqSink>> EventfdResolver::Resolve(int32_t fd) {
  Result<std::unique_ptr<EventfdSink>> sink = EventfdSink::Dup(fd);
  if (!sink.ok()) return sink.status();
  const std::string path = "/proc/self/fd/" + std::to_string((*sink)->fd());
  std::array<char, 64> link{};
  const ssize_t n = readlink(path.c_str(), link.data(), link.size());
  if (n < 0 ||
      std::string_view(link.data(), static_cast<size_t>(n)) != kEventfdLink) {
    return Status::Error(-EINVAL);  // `sink` closes the duplicate
  }
  return std::shared_ptr<IrqSink>(std::move(sink).value());
}

// FakeFdTable

std::shared_ptr<CountingSink> FakeFdTable::Register(int32_t fd) {
  auto sink = std::make_shared<CountingSink>();
  fds_[fd] = sink;
  return sink;
}

void FakeFdTable::RegisterNonEventfd(int32_t fd) { fds_[fd] = nullptr; }

void FakeFdTable::Close(int32_t fd) { fds_.erase(fd); }

Result<std::shared_ptr<IrqSink>> FakeFdTable::Resolve(int32_t fd) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return Status::Error(-EBADF);
  if (it->second == nullptr) return Status::Error(-EINVAL);
  return std::shared_ptr<IrqSink>(it->second);
}

// IrqController

Status IrqController::GetIrqInfo(std::span<uint8_t> arg,
                                 uint32_t num_irqs) const {
  constexpr size_t kMinsz = vfio::kIrqInfoMinsz;
  if (arg.size() < kMinsz) return Status::Error(-EFAULT);
  vfio::IrqInfo info;
  std::memcpy(&info, arg.data(), kMinsz);
  if (info.argsz < kMinsz || info.index >= num_irqs) {
    return Status::Error(-EINVAL);
  }
  if (info.index == vfio::kIntxIrqIndex) {
    info.flags = vfio::kIrqInfoEventfd | vfio::kIrqInfoMaskable |
                 vfio::kIrqInfoAutomasked;
  } else if (info.index == vfio::kMsiIrqIndex ||
             (surface_ == IrqSurface::kLinux6_1 &&
              info.index == vfio::kReqIrqIndex)) {
    // Linux 6.1 still answers for the REQ index it never signals.
    info.flags = vfio::kIrqInfoEventfd | vfio::kIrqInfoNoresize;
  } else {
    return Status::Error(-EINVAL);
  }
  info.count = 1;
  std::memcpy(arg.data(), &info, kMinsz);
  return Status::Ok();
}

Status IrqController::SetIrqs(std::span<const uint8_t> arg, uint32_t num_irqs) {
  constexpr uint32_t kMinsz = vfio::kIrqSetMinsz;
  // copy_from_user of the header.
  if (arg.size() < kMinsz) return Status::Error(-EFAULT);
  const uint32_t argsz = LoadU32(arg, offsetof(vfio::IrqSetHeader, argsz));
  const uint32_t flags = LoadU32(arg, offsetof(vfio::IrqSetHeader, flags));
  const uint32_t index = LoadU32(arg, offsetof(vfio::IrqSetHeader, index));
  const uint32_t start = LoadU32(arg, offsetof(vfio::IrqSetHeader, start));
  const uint32_t count = LoadU32(arg, offsetof(vfio::IrqSetHeader, count));

  // vfio_set_irqs_validate_and_prepare, in its order.
  if (argsz < kMinsz || index >= vfio::kNumIrqs ||
      count >= UINT32_MAX - start || (flags & ~kKnownIrqSetFlags) != 0) {
    return Status::Error(-EINVAL);
  }
  // No overflow: count < UINT32_MAX - start was just checked.
  if (start >= num_irqs || start + count > num_irqs) {
    return Status::Error(-EINVAL);
  }
  uint64_t elem_size;
  switch (flags & vfio::kIrqSetDataTypeMask) {
    case vfio::kIrqSetDataNone:
      elem_size = 0;
      break;
    case vfio::kIrqSetDataBool:
      elem_size = sizeof(uint8_t);
      break;
    case vfio::kIrqSetDataEventfd:
      elem_size = sizeof(int32_t);
      break;
    default:
      return Status::Error(-EINVAL);
  }
  const uint64_t data_size = uint64_t{count} * elem_size;
  if (uint64_t{argsz} - kMinsz < data_size) return Status::Error(-EINVAL);
  // memdup_user of the data: argsz may promise more than the caller has.
  if (data_size > arg.size() - kMinsz) return Status::Error(-EFAULT);
  const std::span<const uint8_t> data =
      arg.subspan(kMinsz, static_cast<size_t>(data_size));

  if (surface_ == IrqSurface::kLinux6_1) return SetIrqs61(flags, index, data);
  switch (index) {
    case vfio::kIntxIrqIndex:
      return SetIntx(flags, start, count, data);
    case vfio::kMsiIrqIndex:
      return SetMsi(flags, start, count, data);
    default:  // MSI-X, ERR, REQ: whatever the action
      return Status::Error(-ENOTTY);
  }
}

Status IrqController::SetIntx(uint32_t flags, uint32_t start, uint32_t count,
                              std::span<const uint8_t> data) {
  const uint32_t action = flags & vfio::kIrqSetActionTypeMask;
  if (action == vfio::kIrqSetActionMask ||
      action == vfio::kIrqSetActionUnmask) {
    if (irq_index_ != 0 || start != 0 || count != 1) {
      return Status::Error(-EINVAL);
    }
    const bool mask = action == vfio::kIrqSetActionMask;
    if (flags & vfio::kIrqSetDataEventfd) {
      return Status::Error(-ENOTTY);  // no mask/unmask eventfds
    }
    if ((flags & vfio::kIrqSetDataNone) || (!data.empty() && data[0] != 0)) {
      intx_masked_ = mask;
    }
    return Status::Ok();
  }
  if (action == vfio::kIrqSetActionTrigger) {
    return SetTrigger(0, flags, start, count, data);
  }
  // No action or several: the sample's switch has no case, so success.
  return Status::Ok();
}

Status IrqController::SetMsi(uint32_t flags, uint32_t start, uint32_t count,
                             std::span<const uint8_t> data) {
  const uint32_t action = flags & vfio::kIrqSetActionTypeMask;
  if (action == vfio::kIrqSetActionMask ||
      action == vfio::kIrqSetActionUnmask) {
    return Status::Error(-ENOTTY);
  }
  if (action == vfio::kIrqSetActionTrigger) {
    return SetTrigger(1, flags, start, count, data);
  }
  return Status::Ok();
}

Status IrqController::SetTrigger(int index, uint32_t flags, uint32_t start,
                                 uint32_t count,
                                 std::span<const uint8_t> data) {
  const auto disable = [&] { index == 0 ? DisableIntx() : DisableMsi(); };
  if (irq_index_ == index && count == 0 && (flags & vfio::kIrqSetDataNone)) {
    disable();
    return Status::Ok();
  }
  if ((irq_index_ != index && irq_index_ != -1) || start != 0 || count != 1) {
    return Status::Error(-EINVAL);
  }
  if (flags & vfio::kIrqSetDataEventfd) {
    if (data.size() < sizeof(int32_t)) return Status::Error(-EINVAL);
    int32_t fd;
    std::memcpy(&fd, data.data(), sizeof(fd));
    if (fd < 0) {
      disable();
      return Status::Ok();
    }
    // Look up before tearing down, so a bad fd leaves the old sink in place.
    Result<std::shared_ptr<IrqSink>> sink = ResolveFd(fd);
    if (!sink.ok()) return sink.status();
    disable();
    (index == 0 ? intx_sink_ : msi_sink_) = std::move(sink).value();
    irq_index_ = index;
    return Status::Ok();
  }
  // Loopback trigger by the user.
  if (irq_index_ != index) return Status::Error(-EINVAL);
  if ((flags & vfio::kIrqSetDataNone) || (!data.empty() && data[0] != 0)) {
    Trigger();
  }
  return Status::Ok();
}

Result<std::shared_ptr<IrqSink>> IrqController::ResolveFd(int32_t fd) {
  if (resolver_ == nullptr) return Status::Error(-EBADF);
  Result<std::shared_ptr<IrqSink>> sink = resolver_->Resolve(fd);
  // A resolver that "succeeds" with nothing is treated as a bad fd, so an
  // installed sink is never null.
  if (sink.ok() && *sink == nullptr) return Status::Error(-EBADF);
  return sink;
}

void IrqController::DisableIntx() {
  if (intx_sink_ == nullptr) return;
  intx_sink_.reset();
  intx_masked_ = false;
  irq_index_ = -1;
}

void IrqController::DisableMsi() {
  if (msi_sink_ == nullptr) return;
  msi_sink_.reset();
  irq_index_ = -1;
}

Status IrqController::SetIrqs61(uint32_t flags, uint32_t index,
                                std::span<const uint8_t> data) {
  // 6.1 checks neither start nor count: anything the core's validation let
  // through (start + count <= 5) acts on vector 0. MASK/UNMASK, DATA_BOOL,
  // no action or several, and MSI-X/ERR/REQ all succeed doing nothing.
  if (index != vfio::kIntxIrqIndex && index != vfio::kMsiIrqIndex) {
    return Status::Ok();
  }
  if ((flags & vfio::kIrqSetActionTypeMask) != vfio::kIrqSetActionTrigger) {
    return Status::Ok();
  }
  if (flags & vfio::kIrqSetDataNone) {
    // 6.1 puts the eventfd but keeps the pointer and goes on signalling it;
    // here the sink stays installed, which is that behaviour made safe.
    // MSI additionally falls back to INTx.
    if (index == vfio::kMsiIrqIndex) irq_index_ = 0;
    return Status::Ok();
  }
  if ((flags & vfio::kIrqSetDataEventfd) == 0) return Status::Ok();
  // With count 0 there is no payload: 6.1 reads the fd through a NULL
  // pointer. Refused here instead.
  if (data.size() < sizeof(int32_t)) return Status::Error(-EINVAL);
  int32_t fd;
  std::memcpy(&fd, data.data(), sizeof(fd));
  if (fd <= 0) return Status::Ok();  // 6.1 ignores fd 0 and negative fds
  // A held MSI eventfd (even a put one) makes 6.1 ignore a new one.
  if (index == vfio::kMsiIrqIndex && msi_sink_ != nullptr) return Status::Ok();
  Result<std::shared_ptr<IrqSink>> sink = ResolveFd(fd);
  if (!sink.ok()) return sink.status();
  // INTx: the old sink is replaced (6.1 leaks its reference).
  (index == vfio::kIntxIrqIndex ? intx_sink_ : msi_sink_) =
      std::move(sink).value();
  irq_index_ = static_cast<int>(index);
  return Status::Ok();
}

bool IrqController::Trigger61() {
  // 6.1 signals MSI when that is the type, else INTx, with no mask. Before
  // any SET_IRQS (type -1) it signals a NULL INTx eventfd; dropped here.
  std::shared_ptr<IrqSink>& sink = irq_index_ == 1 ? msi_sink_ : intx_sink_;
  if (irq_index_ == -1 || sink == nullptr) return false;
  sink->Signal();
  ++signals_;
  return true;
}

bool IrqController::Trigger() {
  if (surface_ == IrqSurface::kLinux6_1) return Trigger61();
  if (irq_index_ == 1) {
    if (msi_sink_ == nullptr) return false;
    msi_sink_->Signal();
    ++signals_;
    return true;
  }
  if (irq_index_ == 0) {
#if defined(MTTY_CANARY_INTX_WHILE_MASKED)
    // Canary intx_while_masked (tools/canary): the mask is ignored.
    if (intx_sink_ == nullptr) return false;
#else
    if (intx_sink_ == nullptr || intx_masked_) return false;
#endif
    intx_sink_->Signal();
    intx_masked_ = true;
    ++signals_;
    return true;
  }
  return false;
}

void IrqController::DisableAll() {
  DisableIntx();
  DisableMsi();
}

IrqController::State IrqController::state() const {
  return State{
      .irq_index = irq_index_,
      .intx_masked = intx_masked_,
      .intx_has_sink = intx_sink_ != nullptr,
      .msi_has_sink = msi_sink_ != nullptr,
      .signals = signals_,
  };
}

}  // namespace mtty
