// Copyright mtty-lab authors.
//
// The kernel's migration next-state table (vfio_mig_get_next_state with the
// v7.2 fix), restated from docs/spec/vfio-migration.md#next-step for a
// device with STOP_COPY | P2P | PRE_COPY — every state but ERROR usable —
// and the arc actions of mtty_step_state
// (docs/spec/vfio-migration.md#what-mtty-does-on-each-arc). The
// fuzzers' oracles; not derived from core/migration.cc.
#ifndef MTTY_FUZZ_MODELS_MIG_MODEL_H_
#define MTTY_FUZZ_MODELS_MIG_MODEL_H_

#include <cstdint>
#include <optional>
#include <vector>

namespace mtty::fuzz::mig {

// vfio_device_mig_state values.
enum : uint8_t {
  kE = 0,  // ERROR
  kS = 1,
  kR = 2,
  kSC = 3,
  kRS = 4,
  kRP = 5,
  kPC = 6,
  kPCP = 7,
};

// kNext[cur][target]: the next state on the way; kE where the kernel
// refuses (SC -> PC / PCP, anything -> ERROR, anything from ERROR).
inline constexpr uint8_t kNext[8][8] = {
    //  E    S    R    SC   RS   RP   PC    PCP
    {kE, kE, kE, kE, kE, kE, kE, kE},          // E
    {kE, kS, kRP, kSC, kRS, kRP, kRP, kRP},    // S
    {kE, kRP, kR, kRP, kRP, kRP, kPC, kRP},    // R
    {kE, kS, kS, kSC, kS, kS, kE, kE},         // SC
    {kE, kS, kS, kS, kRS, kS, kS, kS},         // RS
    {kE, kS, kR, kS, kS, kRP, kR, kPCP},       // RP
    {kE, kR, kR, kPCP, kR, kR, kPC, kPCP},     // PC
    {kE, kRP, kRP, kSC, kRP, kRP, kPC, kPCP},  // PCP
};

// The arcs from `cur` to `target` (empty when equal), or nullopt when the
// kernel answers -EINVAL.
inline std::optional<std::vector<uint8_t>> Path(uint32_t cur, uint32_t target) {
  if (cur == target && cur >= kS && cur <= kPCP) return std::vector<uint8_t>{};
  if (cur < kS || cur > kPCP || target < kS || target > kPCP) {
    return std::nullopt;
  }
  std::vector<uint8_t> path;
  while (cur != target) {
    const uint8_t next = kNext[cur][target];
    if (next == kE || path.size() >= 8) return std::nullopt;
    path.push_back(next);
    cur = next;
  }
  return path;
}

// Whether the kernel's table has the single arc from -> to at all (the
// states a device may pass through between two observations).
inline bool IsArc(uint8_t from, uint8_t to) {
  if (from < kS || from > kPCP || to < kS || to > kPCP) return false;
  for (uint8_t t = kS; t <= kPCP; ++t) {
    if (kNext[from][t] == to && to != from) return true;
  }
  return false;
}

enum class ArcFile {
  kNone,
  kNewSave,
  kNewSaveWithPorts,
  kAppendPorts,
  kNewResume,
  kDrop,
  kLoadThenDrop
};

// What mtty_step_state does on an arc
// (docs/spec/vfio-migration.md#what-mtty-does-on-each-arc).
inline ArcFile ArcAction(uint8_t from, uint8_t to) {
  if ((from == kR && to == kPC) || (from == kRP && to == kPCP)) {
    return ArcFile::kNewSave;
  }
  if (from == kS && to == kSC) return ArcFile::kNewSaveWithPorts;
  if (from == kPCP && to == kSC) return ArcFile::kAppendPorts;
  if (from == kS && to == kRS) return ArcFile::kNewResume;
  if ((from == kPC && to == kR) || (from == kPCP && to == kRP) ||
      (from == kSC && to == kS)) {
    return ArcFile::kDrop;
  }
  if (from == kRS && to == kS) return ArcFile::kLoadThenDrop;
  return ArcFile::kNone;
}

}  // namespace mtty::fuzz::mig

#endif  // MTTY_FUZZ_MODELS_MIG_MODEL_H_
