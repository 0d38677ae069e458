// Copyright mtty-lab authors.
#include "fuzz/mdev_race/history.h"

#include "core/status.h"
#include "fuzz/finding.h"

namespace mtty::race {
namespace {

using fuzz::Format;

std::string Code(int code) {
  if (code >= 0) return Format("%d", code);
  return std::string(ErrnoName(-code));
}

std::string DeviceString(const DeviceView& d) {
  const std::string name =
      d.uuid < kUuids ? Format("U%d", d.uuid) : Format("F%d", d.uuid - kUuids);
  return Format("%s mtty-%d%s open=%d%s", name.c_str(), d.nr_ports,
                d.profile == Profile::k16550a ? "/16550a" : "", d.open_handles,
                d.removing ? " removing" : "");
}

}  // namespace

std::string ToString(const Event& e) {
  std::string out =
      Format("[%llu,%llu] %s -> ", static_cast<unsigned long long>(e.call),
             static_cast<unsigned long long>(e.ret), ToString(e.op).c_str());
  switch (e.op.kind) {
    case OpKind::kConfigRead:
      out += Code(e.out.code);
      if (e.out.code > 0) {
        out += Format(" %02x %02x %02x %02x", e.out.bytes[0], e.out.bytes[1],
                      e.out.bytes[2], e.out.bytes[3]);
      }
      break;
    case OpKind::kSetIrqs:
      out += Format("GET_INFO %s, SET_IRQS %s", Code(e.out.get_info).c_str(),
                    Code(e.out.code).c_str());
      break;
    case OpKind::kFind:
      out += e.out.code == 0 ? DeviceString(e.out.found) : Code(e.out.code);
      break;
    case OpKind::kSnapshot:
      out += Format("free=%d", e.out.free_ports);
      for (const DeviceView& d : e.out.devices) {
        out += " {" + DeviceString(d) + "}";
      }
      break;
    default:
      out += Code(e.out.code);
      break;
  }
  return out;
}

std::string ToString(const History& h) {
  std::string out;
  for (size_t t = 0; t < h.threads.size(); ++t) {
    for (const Event& e : h.threads[t]) {
      out += Format("  t%zu %s\n", t, ToString(e).c_str());
    }
  }
  const FinalView& f = h.final_view;
  out += Format("  end: free=%d", f.free_ports);
  for (const DeviceView& d : f.devices) out += " {" + DeviceString(d) + "}";
  for (const FinalView::DeviceState& s : f.states) {
    out += Format(" U%d:mig=%u,irq=%d", s.uuid,
                  static_cast<unsigned>(s.mig_state), s.irq_index);
  }
  for (size_t t = 0; t < f.slot_uuid.size(); ++t) {
    for (int s = 0; s < kSlots; ++s) {
      if (f.slot_uuid[t][static_cast<size_t>(s)] < 0) continue;
      out += Format(" t%zu.s%d=U%d%s", t, s,
                    f.slot_uuid[t][static_cast<size_t>(s)],
                    f.slot_is_live[t][static_cast<size_t>(s)] ? "" : "(stale)");
    }
  }
  out += "\n";
  return out;
}

}  // namespace mtty::race
