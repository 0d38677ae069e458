// Copyright mtty-lab authors.
#include "fuzz/mdev_race/runner.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>

#include "core/vfio_device.h"
#include "core/vfio_uapi.h"

namespace mtty::race {
namespace {

using fuzz::Finding;
using fuzz::Format;
using fuzz::MaybeFinding;

const char* TypeName(int nr_ports) {
  return nr_ports == 2 ? "mtty-2" : "mtty-1";
}

int Code(const Status& s) { return s.ok() ? 0 : s.code(); }

template <typename T>
int Code(const Result<T>& r) {
  return r.ok() ? 0 : r.status().code();
}

int Count(const Result<size_t>& r) {
  return r.ok() ? static_cast<int>(*r) : r.status().code();
}

// A device call, reported to the hooks as holding the device.
class DeviceCall {
 public:
  DeviceCall(SyncHooks* hooks, const void* device)
      : hooks_(hooks), device_(device) {
    if (hooks_ != nullptr) hooks_->BeforeAcquire(device_);
  }
  ~DeviceCall() {
    if (hooks_ != nullptr) hooks_->AfterRelease(device_);
  }
  DeviceCall(const DeviceCall&) = delete;
  DeviceCall& operator=(const DeviceCall&) = delete;

 private:
  SyncHooks* const hooks_;
  const void* const device_;
};

DeviceView ToView(const MdevParent::DeviceInfo& info) {
  const int index = UuidIndex(info.uuid);
  return DeviceView{index < 0 ? 999 : index, info.type->nr_ports, info.profile,
                    info.open_handles, info.removing};
}

std::vector<DeviceView> ToViews(const std::vector<MdevParent::DeviceInfo>& in) {
  std::vector<DeviceView> out;
  for (const MdevParent::DeviceInfo& d : in) out.push_back(ToView(d));
  std::sort(
      out.begin(), out.end(),
      [](const DeviceView& a, const DeviceView& b) { return a.uuid < b.uuid; });
  return out;
}

Uuid UuidOfIndex(int index) {
  return index < kUuids ? ScriptUuid(index) : FillerUuid(index - kUuids);
}

}  // namespace

SinkResolver& SharedResolver() {
  static FakeFdTable* const table = [] {
    auto* t = new FakeFdTable();
    t->Register(kEventFd);
    return t;
  }();
  return *table;
}

InitialState PopulateParent(MdevParent& parent, const RaceInput& input) {
  InitialState init;
  int left = input.prefill_ports;
  int filler = 0;
  while (left > 0 && filler < kMaxFillers) {
    const int ports = left >= 2 ? 2 : 1;
    if (!parent.Create(TypeName(ports), FillerUuid(filler)).ok()) break;
    init.fillers.push_back(
        DeviceView{kUuids + filler, ports, Profile::kKernel, 0, false});
    left -= ports;
    ++filler;
  }
  for (int u = 0; u < kUuids; ++u) {
    const int kind = input.precreated[static_cast<size_t>(u)];
    if (kind == 0) continue;
    const int ports = kind == 2 ? 2 : 1;
    const Profile profile = kind == 3 ? Profile::k16550a : Profile::kKernel;
    if (!parent.Create(TypeName(ports), ScriptUuid(u), profile).ok()) continue;
    init.script_devices[static_cast<size_t>(u)] =
        DeviceView{u, ports, profile, 0, false};
  }
  init.free_ports = parent.free_ports();
  return init;
}

void ThreadRunner::CloseSlot(Slot& slot, SyncHooks* hooks) {
  // The last close runs MttyDevice::Close() (close_device), which changes
  // the device's state: report it as a device call too, so the explorer
  // orders it against other threads' device calls.
  DeviceCall call(hooks, slot.handle.device());
  slot.handle.Close();
}

int ThreadRunner::slot_uuid(int i) const {
  const Slot& s = slots_[static_cast<size_t>(i)];
  return s.handle.is_open() ? s.uuid : -1;
}

void ThreadRunner::CloseAll() {
  for (Slot& s : slots_) {
    s.handle.Close();
    s.file.reset();
    s.file_device = nullptr;
  }
}

void ThreadRunner::Run(MdevParent& parent, SyncHooks* hooks,
                       const Clock& clock) {
  events_.reserve(ops_.size() + kSlots);
  for (const Op& op : ops_) {
    if (op.kind == OpKind::kOpen && slots_[op.slot].handle.is_open()) {
      // Opening into a held slot closes the old handle first; that close is
      // an operation of its own.
      Op close = op;
      close.kind = OpKind::kClose;
      Event e{close, {}, clock(), 0};
      CloseSlot(slots_[op.slot], hooks);
      e.ret = clock();
      events_.push_back(e);
    }
    Event e{op, {}, clock(), 0};
    const bool done = Do(parent, hooks, op, e.out);
    e.ret = clock();
    if (done) events_.push_back(std::move(e));
  }
}

bool ThreadRunner::Do(MdevParent& parent, SyncHooks* hooks, const Op& op,
                      Outcome& out) {
  Slot& slot = slots_[op.slot];
  switch (op.kind) {
    case OpKind::kCreate:
      out.code = Code(parent.Create(TypeName(op.nr_ports), ScriptUuid(op.uuid),
                                    op.profile));
      return true;
    case OpKind::kRemove:
      out.code = Code(parent.Remove(
          ScriptUuid(op.uuid), std::chrono::milliseconds(RemoveTimeoutMs(op))));
      return true;
    case OpKind::kOpen: {
      Result<MdevHandle> h = parent.Open(ScriptUuid(op.uuid));
      out.code = Code(h);
      if (h.ok()) {
        slot.handle = std::move(h).value();
        slot.uuid = op.uuid;
      }
      return true;
    }
    case OpKind::kClose:
      if (!slot.handle.is_open()) return false;
      CloseSlot(slot, hooks);
      return true;
    case OpKind::kFind: {
      Result<MdevParent::DeviceInfo> info = parent.Find(ScriptUuid(op.uuid));
      out.code = Code(info);
      if (info.ok()) out.found = ToView(*info);
      return true;
    }
    case OpKind::kAvailable: {
      Result<unsigned> n = parent.AvailableInstances(TypeName(op.nr_ports));
      out.code = n.ok() ? static_cast<int>(*n) : n.status().code();
      return true;
    }
    case OpKind::kSnapshot: {
      MdevParent::Inventory inv = parent.Snapshot();
      out.free_ports = inv.free_ports;
      out.devices = ToViews(inv.devices);
      return true;
    }
    case OpKind::kMigRead: {
      if (slot.file == nullptr) return false;
      DeviceCall call(hooks, slot.file_device);
      uint8_t buf[64];
      out.code =
          Count(slot.file->Read({buf, static_cast<size_t>(op.arg % 64 + 1)}));
      return true;
    }
    default:
      break;
  }
  if (!slot.handle.is_open()) return false;
  MttyDevice& device = *slot.handle.device();
  const uint32_t port = op.arg & 1;
  const uint64_t reg = (op.arg >> 1) % 8;
  switch (op.kind) {
    case OpKind::kConfigRead: {
      DeviceCall call(hooks, &device);
      out.code = Count(device.Read(
          vfio::RegionOffset(vfio::kConfigRegionIndex) + 4 * (op.arg % 64),
          out.bytes));
      if (out.code < 0) out.bytes = {};
      return true;
    }
    case OpKind::kBarWrite: {
      DeviceCall call(hooks, &device);
      const uint8_t value = op.value;
      out.code = Count(
          device.Write(vfio::RegionOffset(vfio::kBar0RegionIndex + port) + reg,
                       {&value, 1}));
      return true;
    }
    case OpKind::kBarRead: {
      DeviceCall call(hooks, &device);
      uint8_t value = 0;
      out.code = Count(
          device.Read(vfio::RegionOffset(vfio::kBar0RegionIndex + port) + reg,
                      {&value, 1}));
      return true;
    }
    case OpKind::kSetIrqs: {
      {
        DeviceCall call(hooks, &device);
        out.get_info = Code(device.GetInfo());
      }
      DeviceCall call(hooks, &device);
      const int32_t fd = (op.arg & 2) ? kEventFd : -1;
      uint8_t data[sizeof(fd)];
      std::memcpy(data, &fd, sizeof(fd));
      out.code = Code(
          device.SetIrqs(vfio::kIrqSetDataEventfd | vfio::kIrqSetActionTrigger,
                         static_cast<uint32_t>(op.arg & 1), 0, 1, data));
      return true;
    }
    case OpKind::kReset: {
      DeviceCall call(hooks, &device);
      out.code = Code(device.Reset());
      return true;
    }
    case OpKind::kMigStep: {
      DeviceCall call(hooks, &device);
      Result<std::shared_ptr<MigrationFile>> f =
          device.SetMigState(MigTarget(op));
      out.code = Code(f);
      if (f.ok() && *f != nullptr) {
        slot.file = *f;
        slot.file_device = &device;
      }
      return true;
    }
    default:
      return false;
  }
}

FinalView ObserveParent(MdevParent& parent,
                        const std::vector<ThreadRunner>& runners) {
  FinalView view;
  MdevParent::Inventory inv = parent.Snapshot();
  view.free_ports = inv.free_ports;
  view.devices = ToViews(inv.devices);
  // New handles (kept until the slots are compared) to read device state
  // and to learn which device each UUID names now.
  std::map<int, MdevHandle> fresh;
  for (const DeviceView& d : view.devices) {
    if (d.uuid >= kUuids) continue;
    Result<MdevHandle> h = parent.Open(ScriptUuid(d.uuid));
    FinalView::DeviceState state{d.uuid, vfio::MigState::kError, -2};
    if (h.ok()) {
      MttyDevice& device = *h->device();
      state.mig_state = device.mig_state();
      state.irq_index = device.state().irq.irq_index;
      fresh.emplace(d.uuid, std::move(h).value());
    }
    view.states.push_back(state);
  }
  for (const ThreadRunner& r : runners) {
    std::array<int, kSlots> uuids;
    std::array<bool, kSlots> live;
    for (int i = 0; i < kSlots; ++i) {
      uuids[static_cast<size_t>(i)] = r.slot_uuid(i);
      auto it = fresh.find(r.slot_uuid(i));
      live[static_cast<size_t>(i)] = r.slot_uuid(i) >= 0 && it != fresh.end() &&
                                     it->second.device() == r.slot(i).device();
    }
    view.slot_uuid.push_back(uuids);
    view.slot_is_live.push_back(live);
  }
  return view;
}

MaybeFinding CheckEndState(MdevParent& parent, const FinalView& view,
                           const std::vector<ThreadRunner>& runners) {
  int used = 0;
  for (const DeviceView& d : view.devices) used += d.nr_ports;
  if (view.free_ports != MdevParent::kTotalPorts - used) {
    return Finding{"pool-accounting", 0,
                   Format("free ports %d, live devices use %d of %d",
                          view.free_ports, used, MdevParent::kTotalPorts)};
  }
  Result<unsigned> singles = parent.AvailableInstances("mtty-1");
  Result<unsigned> duals = parent.AvailableInstances("mtty-2");
  if (!singles.ok() || !duals.ok() ||
      *singles != static_cast<unsigned>(view.free_ports) ||
      *duals != static_cast<unsigned>(view.free_ports / 2)) {
    return Finding{
        "pool-accounting", 0,
        Format("available_instances %d/%d with %d free ports",
               singles.ok() ? static_cast<int>(*singles) : -1,
               duals.ok() ? static_cast<int>(*duals) : -1, view.free_ports)};
  }
  for (const DeviceView& d : view.devices) {
    if (d.removing) {
      return Finding{"removing-at-rest", 0,
                     Format("device index %d still removing after every "
                            "Remove returned",
                            d.uuid)};
    }
  }
  std::map<int, int> held;
  for (size_t t = 0; t < runners.size(); ++t) {
    for (int i = 0; i < kSlots; ++i) {
      const int u = view.slot_uuid[t][static_cast<size_t>(i)];
      if (u < 0) continue;
      ++held[u];
      if (!view.slot_is_live[t][static_cast<size_t>(i)]) {
        return Finding{"handle-to-removed-device", 0,
                       Format("thread %zu slot %d holds a handle to U%d, but "
                              "that device is no longer the one the parent "
                              "has under U%d",
                              t, i, u, u)};
      }
    }
  }
  for (const DeviceView& d : view.devices) {
    const int want = held.count(d.uuid) != 0 ? held[d.uuid] : 0;
    if (d.open_handles != want) {
      return Finding{"handle-count", 0,
                     Format("device index %d reports %d open handles, the "
                            "threads hold %d",
                            d.uuid, d.open_handles, want)};
    }
  }
  for (const DeviceView& d : view.devices) {
    const Uuid uuid = UuidOfIndex(d.uuid);
    Result<MdevHandle> h = parent.Open(uuid);
    if (!h.ok()) {
      return Finding{"config-space", 0,
                     Format("live device index %d cannot be opened: %d", d.uuid,
                            h.status().code())};
    }
    MttyDevice& device = *h->device();
    MttyDevice fresh(DeviceOptions{
        .nr_ports = d.nr_ports, .profile = d.profile, .resolver = nullptr});
    const uint64_t config = vfio::RegionOffset(vfio::kConfigRegionIndex);
    std::vector<uint8_t> got(256, 0);
    std::vector<uint8_t> want(256, 0);
    Result<vfio::RegionInfo> region =
        fresh.GetRegionInfo(vfio::kConfigRegionIndex);
    const size_t n =
        region.ok() ? std::min<size_t>(static_cast<size_t>(region->size), 256)
                    : 0;
    const int got_code = Count(device.Read(config, {got.data(), n}));
    const int want_code = Count(fresh.Read(config, {want.data(), n}));
    if (got_code != want_code || got != want ||
        device.nr_ports() != d.nr_ports || device.profile() != d.profile) {
      return Finding{"config-space", 0,
                     Format("device index %d (mtty-%d) does not answer its "
                            "config space as a fresh device does",
                            d.uuid, d.nr_ports)};
    }
    for (uint32_t bar = 0; bar < 2; ++bar) {
      Result<vfio::RegionInfo> a = device.GetRegionInfo(bar);
      Result<vfio::RegionInfo> b = fresh.GetRegionInfo(bar);
      if (!a.ok() || !b.ok() || a->size != b->size) {
        return Finding{"config-space", 0,
                       Format("device index %d: BAR%u size differs from a "
                              "fresh mtty-%d",
                              d.uuid, bar, d.nr_ports)};
      }
    }
  }
  return std::nullopt;
}

MaybeFinding TearDownParent(MdevParent& parent,
                            std::vector<ThreadRunner>& runners) {
  for (ThreadRunner& r : runners) r.CloseAll();
  for (const MdevParent::DeviceInfo& d : parent.List()) {
    const Status s = parent.Remove(d.uuid, std::chrono::milliseconds(0));
    if (!s.ok()) {
      return Finding{"teardown-pool", 0,
                     Format("Remove of a closed device failed: %d", s.code())};
    }
  }
  if (parent.free_ports() != MdevParent::kTotalPorts ||
      !parent.List().empty()) {
    return Finding{"teardown-pool", 0,
                   Format("after removing everything: %d free ports, %zu "
                          "devices",
                          parent.free_ports(), parent.List().size())};
  }
  return std::nullopt;
}

}  // namespace mtty::race
