// Copyright mtty-lab authors.
#include "fuzz/mdev_race/script.h"

#include "fuzz/byte_reader.h"
#include "fuzz/finding.h"

namespace mtty::race {
namespace {

using fuzz::ByteReader;
using fuzz::Format;
using fuzz::PutLe;

constexpr const char* kKindNames[kOpKinds] = {
    "Create",   "Remove",  "Open",      "Close",    "ConfigRead",
    "BarWrite", "BarRead", "SetIrqs",   "Reset",    "MigStep",
    "MigRead",  "Find",    "Available", "Snapshot",
};

}  // namespace

RaceInput DecodeRaceInput(std::span<const uint8_t> data) {
  ByteReader r(data);
  RaceInput in;
  const int threads = kMinThreads + r.U8() % (kMaxThreads - kMinThreads + 1);
  in.prefill_ports = r.U8() % (kMaxFillers + 1);
  const uint8_t pre = r.U8();
  for (int u = 0; u < kUuids; ++u) {
    in.precreated[static_cast<size_t>(u)] = (pre >> (2 * u)) & 3;
  }
  in.noise_seed = r.U16();
  in.threads.resize(static_cast<size_t>(threads));
  for (std::vector<Op>& ops : in.threads) {
    const int n = r.U8() % (kMaxOps + 1);
    for (int i = 0; i < n; ++i) {
      Op op;
      op.kind = static_cast<OpKind>(r.U8() % kOpKinds);
      const uint8_t a = r.U8();
      op.uuid = static_cast<uint8_t>((a & 3) % kUuids);
      op.slot = static_cast<uint8_t>((a >> 2) & 1);
      op.nr_ports = (a & 8) ? 2 : 1;
      op.profile = (a & 16) ? Profile::k16550a : Profile::kKernel;
      op.arg = r.U8();
      op.value = r.U8();
      ops.push_back(op);
    }
  }
  return in;
}

std::vector<uint8_t> EncodeRaceInput(const RaceInput& in) {
  std::vector<uint8_t> out;
  out.push_back(static_cast<uint8_t>(in.threads.size() - kMinThreads));
  out.push_back(static_cast<uint8_t>(in.prefill_ports));
  uint8_t pre = 0;
  for (int u = 0; u < kUuids; ++u) {
    pre |= static_cast<uint8_t>((in.precreated[static_cast<size_t>(u)] & 3)
                                << (2 * u));
  }
  out.push_back(pre);
  PutLe(out, in.noise_seed, 2);
  for (const std::vector<Op>& ops : in.threads) {
    out.push_back(static_cast<uint8_t>(ops.size()));
    for (const Op& op : ops) {
      out.push_back(static_cast<uint8_t>(op.kind));
      out.push_back(static_cast<uint8_t>(
          op.uuid | (op.slot << 2) | (op.nr_ports == 2 ? 8 : 0) |
          (op.profile == Profile::k16550a ? 16 : 0)));
      out.push_back(op.arg);
      out.push_back(op.value);
    }
  }
  return out;
}

Uuid ScriptUuid(int index) {
  std::array<uint8_t, 16> b{};
  b[0] = 0x3c;
  b[15] = static_cast<uint8_t>(index);
  return Uuid(b);
}

Uuid FillerUuid(int index) {
  std::array<uint8_t, 16> b{};
  b[0] = 0xf1;
  b[15] = static_cast<uint8_t>(index);
  return Uuid(b);
}

int UuidIndex(const Uuid& uuid) {
  for (int i = 0; i < kUuids; ++i) {
    if (uuid == ScriptUuid(i)) return i;
  }
  for (int i = 0; i < kMaxFillers; ++i) {
    if (uuid == FillerUuid(i)) return kUuids + i;
  }
  return -1;
}

int RemoveTimeoutMs(const Op& op) {
  return kRemoveTimeoutsMs[op.arg % kRemoveTimeoutsMs.size()];
}

vfio::MigState MigTarget(const Op& op) {
  return static_cast<vfio::MigState>(op.arg % vfio::kNumMigStates);
}

std::string ToString(const Op& op) {
  const char* name = kKindNames[static_cast<int>(op.kind)];
  const int port = op.arg & 1;
  const int reg = (op.arg >> 1) % 8;
  switch (op.kind) {
    case OpKind::kCreate:
      return Format("%s(U%d, mtty-%d%s)", name, op.uuid, op.nr_ports,
                    op.profile == Profile::k16550a ? ", 16550a" : "");
    case OpKind::kRemove:
      return Format("%s(U%d, %dms)", name, op.uuid, RemoveTimeoutMs(op));
    case OpKind::kOpen:
      return Format("%s(U%d) -> s%d", name, op.uuid, op.slot);
    case OpKind::kClose:
    case OpKind::kReset:
      return Format("%s(s%d)", name, op.slot);
    case OpKind::kConfigRead:
      return Format("%s(s%d, 0x%02x)", name, op.slot, 4 * (op.arg % 64));
    case OpKind::kBarWrite:
      return Format("%s(s%d, bar%d+%d, 0x%02x)", name, op.slot, port, reg,
                    op.value);
    case OpKind::kBarRead:
      return Format("%s(s%d, bar%d+%d)", name, op.slot, port, reg);
    case OpKind::kSetIrqs:
      return Format("%s(s%d, %s, %s)", name, op.slot,
                    (op.arg & 1) ? "MSI" : "INTx",
                    (op.arg & 2) ? "eventfd" : "off");
    case OpKind::kMigStep:
      return Format("%s(s%d, %u)", name, op.slot,
                    static_cast<unsigned>(MigTarget(op)));
    case OpKind::kMigRead:
      return Format("%s(s%d, %d bytes)", name, op.slot, op.arg % 64 + 1);
    case OpKind::kFind:
      return Format("%s(U%d)", name, op.uuid);
    case OpKind::kAvailable:
      return Format("%s(mtty-%d)", name, op.nr_ports);
    case OpKind::kSnapshot:
      return name;
  }
  return "?";
}

std::string ToString(const RaceInput& in) {
  std::string out = Format("prefill %d ports; precreated", in.prefill_ports);
  for (int u = 0; u < kUuids; ++u) {
    const int p = in.precreated[static_cast<size_t>(u)];
    static constexpr const char* kPre[] = {"-", "mtty-1", "mtty-2",
                                           "mtty-1/16550a"};
    out += Format(" U%d:%s", u, kPre[p]);
  }
  out += Format("; noise %u\n", in.noise_seed);
  for (size_t t = 0; t < in.threads.size(); ++t) {
    out += Format("t%zu:", t);
    for (const Op& op : in.threads[t]) out += " " + ToString(op) + ";";
    out += "\n";
  }
  return out;
}

}  // namespace mtty::race
