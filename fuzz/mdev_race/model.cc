// Copyright mtty-lab authors.
#include "fuzz/mdev_race/model.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_set>

#include "core/migration.h"
#include "core/vfio_device.h"

namespace mtty::race {
namespace {

using vfio::MigState;

constexpr int kMaxIncarnations = kUuids + kMaxThreads * kMaxOps + 1;

// One device that existed at some point (a UUID created again is a new
// incarnation). Bytes only, so that a State is its own memo key.
struct Incarnation {
  uint8_t uuid;
  uint8_t nr_ports;
  uint8_t p16550a;
  uint8_t alive;
  uint8_t removing;
  uint8_t open_handles;
  uint8_t mig;
  int8_t irq;
};

struct State {
  int8_t free_ports;
  uint8_t count;                     // incarnations used
  int8_t live[kUuids];               // incarnation or -1
  int8_t slot[kMaxThreads][kSlots];  // incarnation or -1
  Incarnation inc[kMaxIncarnations];
};

// One atomic step of one thread: an event, or a Remove's begin or end.
struct Step {
  const Event* event;
  bool remove_end;
};

class Checker {
 public:
  Checker(const InitialState& initial, const History& history, uint64_t budget)
      : history_(history), budget_(budget) {
    std::memset(&start_, 0, sizeof(start_));
    start_.free_ports = static_cast<int8_t>(initial.free_ports);
    for (int u = 0; u < kUuids; ++u) start_.live[u] = -1;
    for (auto& row : start_.slot) {
      for (int8_t& s : row) s = -1;
    }
    for (int u = 0; u < kUuids; ++u) {
      const DeviceView& d = initial.script_devices[static_cast<size_t>(u)];
      if (d.nr_ports == 0) continue;
      NewIncarnation(start_, u, d.nr_ports, d.profile);
    }
    fillers_ = initial.fillers;
    steps_.resize(history.threads.size());
    for (size_t t = 0; t < history.threads.size(); ++t) {
      for (const Event& e : history.threads[t]) {
        steps_[t].push_back(Step{&e, false});
        if (e.op.kind == OpKind::kRemove &&
            (e.out.code == 0 || e.out.code == -EBUSY)) {
          steps_[t].push_back(Step{&e, true});
        }
      }
    }
  }

  LinearizabilityResult Run() {
    LinearizabilityResult r;
    std::vector<uint8_t> pos(steps_.size(), 0);
    r.linearizable = Search(pos, start_);
    r.states = visited_;
    if (gave_up_) {
      r.gave_up = true;
      r.linearizable = true;
    }
    return r;
  }

 private:
  // A new live device; the caller accounts for its ports.
  static int NewIncarnation(State& s, int uuid, int nr_ports, Profile profile) {
    const int i = s.count++;
    Incarnation& inc = s.inc[i];
    inc.uuid = static_cast<uint8_t>(uuid);
    inc.nr_ports = static_cast<uint8_t>(nr_ports);
    inc.p16550a = profile == Profile::k16550a;
    inc.alive = 1;
    inc.removing = 0;
    inc.open_handles = 0;
    inc.mig = static_cast<uint8_t>(MigState::kRunning);
    inc.irq = -1;
    s.live[uuid] = static_cast<int8_t>(i);
    return i;
  }

  static DeviceView View(const Incarnation& inc) {
    return DeviceView{inc.uuid, inc.nr_ports,
                      inc.p16550a ? Profile::k16550a : Profile::kKernel,
                      inc.open_handles, inc.removing != 0};
  }

  std::vector<DeviceView> Inventory(const State& s) const {
    std::vector<DeviceView> out;
    for (int u = 0; u < kUuids; ++u) {
      if (s.live[u] >= 0) out.push_back(View(s.inc[s.live[u]]));
    }
    out.insert(out.end(), fillers_.begin(), fillers_.end());
    std::sort(out.begin(), out.end(),
              [](const DeviceView& a, const DeviceView& b) {
                return a.uuid < b.uuid;
              });
    return out;
  }

  // Applies one step of thread `t` to `s` if the recorded result is the
  // model's; false (and `s` unspecified) if not.
  bool Apply(State& s, size_t t, const Step& step) const {
    const Event& e = *step.event;
    const Op& op = e.op;
    const int code = e.out.code;
    int8_t* slot = &s.slot[t][op.slot];
    switch (op.kind) {
      case OpKind::kCreate: {
        if (s.live[op.uuid] >= 0) return code == -EEXIST;
        if (s.free_ports < op.nr_ports) return code == -ENOSPC;
        if (code != 0) return false;
        NewIncarnation(s, op.uuid, op.nr_ports, op.profile);
        s.free_ports = static_cast<int8_t>(s.free_ports - op.nr_ports);
        return true;
      }
      case OpKind::kRemove: {
        const int i = s.live[op.uuid];
        if (!step.remove_end) {
          if (i < 0) return code == -ENODEV;
          if (s.inc[i].removing) return code == -EAGAIN;
          if (code != 0 && code != -EBUSY) return false;
          s.inc[i].removing = 1;
          return true;
        }
        if (i < 0 || !s.inc[i].removing) return false;
        Incarnation& inc = s.inc[i];
        if (code == 0) {
          if (inc.open_handles != 0) return false;
          inc.alive = 0;
          inc.removing = 0;
          s.live[op.uuid] = -1;
          s.free_ports = static_cast<int8_t>(s.free_ports + inc.nr_ports);
          return true;
        }
        if (inc.open_handles == 0) return false;
        inc.removing = 0;
        return true;
      }
      case OpKind::kOpen: {
        if (*slot >= 0) return false;  // the runner closes a held slot first
        const int i = s.live[op.uuid];
        if (i < 0 || s.inc[i].removing) return code == -ENODEV;
        if (code != 0) return false;
        ++s.inc[i].open_handles;
        *slot = static_cast<int8_t>(i);
        return true;
      }
      case OpKind::kClose: {
        if (*slot < 0) return false;
        Incarnation& inc = s.inc[*slot];
        if (inc.open_handles == 0) return false;
        if (--inc.open_handles == 0) inc.irq = -1;  // close_device
        *slot = -1;
        return true;
      }
      case OpKind::kFind: {
        const int i = s.live[op.uuid];
        if (i < 0) return code == -ENODEV;
        return code == 0 && e.out.found == View(s.inc[i]);
      }
      case OpKind::kAvailable:
        return code == s.free_ports / op.nr_ports;
      case OpKind::kSnapshot:
        return e.out.free_ports == s.free_ports &&
               e.out.devices == Inventory(s);
      case OpKind::kMigRead:
        // Its result depends on UART state the model does not track; it runs
        // on a file that may outlive the slot's handle.
        return true;
      default:
        break;
    }
    // Device operations through the slot's handle.
    if (*slot < 0) return false;
    Incarnation& inc = s.inc[*slot];
    const Profile profile = inc.p16550a ? Profile::k16550a : Profile::kKernel;
    switch (op.kind) {
      case OpKind::kConfigRead: {
        const Outcome want = ExpectedConfigRead(inc.nr_ports, profile, op.arg);
        return code == want.code && e.out.bytes == want.bytes;
      }
      case OpKind::kBarWrite:
      case OpKind::kBarRead:
        return code == ((op.arg & 1) < inc.nr_ports ? 1 : -EFAULT);
      case OpKind::kSetIrqs: {
        if (e.out.get_info != 0) return false;
        const int index = op.arg & 1;
        if (inc.irq != -1 && inc.irq != index) return code == -EINVAL;
        if (code != 0) return false;
        inc.irq = static_cast<int8_t>((op.arg & 2) ? index : -1);
        return true;
      }
      case OpKind::kReset:
        if (code != 0) return false;
        inc.mig = static_cast<uint8_t>(MigState::kRunning);
        return true;
      case OpKind::kMigStep: {
        MigState cur = static_cast<MigState>(inc.mig);
        const MigState target = MigTarget(op);
        int want = 0;
        for (uint32_t arcs = 0; cur != target; ++arcs) {
          if (arcs == vfio::kNumMigStates) {
            want = -EINVAL;
            break;
          }
          Result<MigState> next =
              MigNextState(cur, target, kMttyMigrationFlags);
          if (!next.ok()) {
            want = next.status().code();
            break;
          }
          // Leaving RESUMING loads the stream; scripts never write one.
          if (cur == MigState::kResuming && *next == MigState::kStop) {
            want = -EINVAL;
            break;
          }
          cur = *next;
        }
        if (code != want) return false;
        inc.mig = static_cast<uint8_t>(cur);
        return true;
      }
      default:
        return false;
    }
  }

  bool FinalMatches(const State& s) const {
    const FinalView& f = history_.final_view;
    if (f.free_ports != s.free_ports || f.devices != Inventory(s)) {
      return false;
    }
    size_t k = 0;
    for (int u = 0; u < kUuids; ++u) {
      if (s.live[u] < 0) continue;
      const Incarnation& inc = s.inc[s.live[u]];
      if (k >= f.states.size()) return false;
      const FinalView::DeviceState& got = f.states[k++];
      if (got.uuid != u || static_cast<uint8_t>(got.mig_state) != inc.mig ||
          got.irq_index != inc.irq) {
        return false;
      }
    }
    if (k != f.states.size()) return false;
    for (size_t t = 0; t < history_.threads.size(); ++t) {
      for (int i = 0; i < kSlots; ++i) {
        const int slot = s.slot[t][i];
        const int got = t < f.slot_uuid.size()
                            ? f.slot_uuid[t][static_cast<size_t>(i)]
                            : -1;
        if ((slot >= 0) != (got >= 0)) return false;
        if (slot < 0) continue;
        const Incarnation& inc = s.inc[slot];
        if (inc.uuid != got || !f.slot_is_live[t][static_cast<size_t>(i)]) {
          return false;
        }
      }
    }
    return true;
  }

  std::string Key(const std::vector<uint8_t>& pos, const State& s) const {
    std::string key(reinterpret_cast<const char*>(pos.data()), pos.size());
    key.append(reinterpret_cast<const char*>(&s),
               offsetof(State, inc) + sizeof(Incarnation) * s.count);
    return key;
  }

  bool Search(std::vector<uint8_t>& pos, const State& s) {
    if (gave_up_) return true;
    if (++visited_ > budget_) {
      gave_up_ = true;
      return true;
    }
    bool all_done = true;
    for (size_t t = 0; t < steps_.size(); ++t) {
      if (pos[t] < steps_[t].size()) all_done = false;
    }
    if (all_done) return FinalMatches(s);
    std::string key = Key(pos, s);
    if (failed_.count(key) != 0) return false;
    for (size_t t = 0; t < steps_.size(); ++t) {
      if (pos[t] >= steps_[t].size()) continue;
      const Step& step = steps_[t][pos[t]];
      // Real time: nothing still pending may have returned before this
      // step's operation was called.
      bool allowed = true;
      for (size_t u = 0; u < steps_.size() && allowed; ++u) {
        if (u == t || pos[u] >= steps_[u].size()) continue;
        if (steps_[u][pos[u]].event->ret < step.event->call) allowed = false;
      }
      if (!allowed) continue;
      State next = s;
      if (!Apply(next, t, step)) continue;
      ++pos[t];
      const bool ok = Search(pos, next);
      --pos[t];
      if (ok) return true;
    }
    failed_.insert(std::move(key));
    return false;
  }

  const History& history_;
  const uint64_t budget_;
  State start_;
  std::vector<DeviceView> fillers_;
  std::vector<std::vector<Step>> steps_;
  std::unordered_set<std::string> failed_;
  uint64_t visited_ = 0;
  bool gave_up_ = false;
};

struct ReferenceDevices {
  ReferenceDevices() {
    for (int n = 1; n <= 2; ++n) {
      for (int p = 0; p < 2; ++p) {
        devices[n - 1][p] = std::make_unique<MttyDevice>(
            DeviceOptions{.nr_ports = n,
                          .profile = p ? Profile::k16550a : Profile::kKernel,
                          .resolver = nullptr});
      }
    }
  }
  std::unique_ptr<MttyDevice> devices[2][2];
};

}  // namespace

Outcome ExpectedConfigRead(int nr_ports, Profile profile, uint8_t arg) {
  static const ReferenceDevices* const refs = new ReferenceDevices();
  MttyDevice& d = *refs->devices[nr_ports == 2 ? 1 : 0]
                                [profile == Profile::k16550a ? 1 : 0];
  Outcome out;
  Result<size_t> r = d.Read(
      vfio::RegionOffset(vfio::kConfigRegionIndex) + 4 * (arg % 64), out.bytes);
  out.code = r.ok() ? static_cast<int>(*r) : r.status().code();
  if (!r.ok()) out.bytes = {};
  return out;
}

LinearizabilityResult CheckLinearizable(const InitialState& initial,
                                        const History& history,
                                        uint64_t budget) {
  if (history.threads.size() > static_cast<size_t>(kMaxThreads)) {
    LinearizabilityResult r;
    r.linearizable = false;
    return r;
  }
  return Checker(initial, history, budget).Run();
}

}  // namespace mtty::race
