// Copyright mtty-lab authors.
//
// The scripts of the mdev race tools: what each of 2-4 threads does to one
// MdevParent, on a small set of UUIDs so that threads collide, and how the
// race fuzzer's input bytes decode into them.
//
// Input layout (ByteReader: reading past the end gives zeros, so every input
// decodes):
//   u8  threads       2 + value % 3
//   u8  prefill       ports taken by filler devices first (value % 25)
//   u8  precreated    2 bits per script UUID: none, mtty-1, mtty-2,
//                     mtty-1 with the 16550a profile, created next
//   u16 noise_seed    0: no delays; else seeds the delay injector
//   per thread: u8 op count (value % (kMaxOps + 1)), then per op 4 bytes:
//     kind (value % kOpKinds), a, b, c
//   a: bits 0-1 uuid (% kUuids), bit 2 slot, bit 3 mtty-2 (Create,
//      Available), bit 4 16550a profile (Create); b: the op's argument;
//      c: a value (BarWrite data).
#ifndef MTTY_FUZZ_MDEV_RACE_SCRIPT_H_
#define MTTY_FUZZ_MDEV_RACE_SCRIPT_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/uart16550.h"
#include "core/uuid.h"
#include "core/vfio_uapi.h"

namespace mtty::race {

inline constexpr int kMinThreads = 2;
inline constexpr int kMaxThreads = 4;
inline constexpr int kMaxOps = 8;  // per thread
inline constexpr int kUuids = 3;   // U0..U2, the UUIDs scripts use
inline constexpr int kSlots = 2;   // handle slots per thread
inline constexpr int kMaxFillers = 24;
// Every SET_IRQS with an eventfd uses this fd; the resolver knows it.
inline constexpr int32_t kEventFd = 10;
// Remove timeouts a script can ask for, in milliseconds: short, so that the
// fuzzer stays fast, and 0 for "EBUSY at once".
inline constexpr std::array<int, 4> kRemoveTimeoutsMs = {0, 1, 2, 10};

enum class OpKind : uint8_t {
  kCreate,      // Create(type, uuid, profile)
  kRemove,      // Remove(uuid, timeout)
  kOpen,        // Open(uuid) into a slot (a held handle is closed first)
  kClose,       // close a slot's handle (no-op on an empty slot)
  kConfigRead,  // 4-byte config read at 4 * (arg % 64) via a slot
  kBarWrite,    // 1-byte write of `value` to BAR (arg & 1), reg (arg >> 1) % 8
  kBarRead,     // 1-byte read of BAR (arg & 1), reg (arg >> 1) % 8
  kSetIrqs,     // GET_INFO, then SET_IRQS TRIGGER|EVENTFD on index arg & 1,
                // fd kEventFd if arg & 2 else -1 (disable)
  kReset,       // VFIO_DEVICE_RESET
  kMigStep,     // SET_STATE to migration state arg % 8
  kMigRead,     // read arg % 64 + 1 bytes of the slot's last migration file
  kFind,        // Find(uuid)
  kAvailable,   // AvailableInstances(mtty-1 or mtty-2)
  kSnapshot,    // Snapshot(): the pool and every device at one instant
};
inline constexpr int kOpKinds = 14;

struct Op {
  OpKind kind = OpKind::kFind;
  uint8_t uuid = 0;      // 0..kUuids-1
  uint8_t slot = 0;      // 0..kSlots-1
  uint8_t nr_ports = 1;  // 1 (mtty-1) or 2 (mtty-2)
  Profile profile = Profile::kKernel;
  uint8_t arg = 0;
  uint8_t value = 0;

  friend bool operator==(const Op&, const Op&) = default;
};

struct RaceInput {
  int prefill_ports = 0;  // 0..24
  // 0 none, 1 mtty-1, 2 mtty-2, 3 mtty-1 16550a; created after the fillers
  // (skipped when the pool is too small).
  std::array<uint8_t, kUuids> precreated{};
  uint16_t noise_seed = 0;
  std::vector<std::vector<Op>> threads;  // kMinThreads..kMaxThreads

  friend bool operator==(const RaceInput&, const RaceInput&) = default;
};

RaceInput DecodeRaceInput(std::span<const uint8_t> data);
// The inverse for inputs within the ranges above: Decode(Encode(x)) == x.
std::vector<uint8_t> EncodeRaceInput(const RaceInput& input);

// The UUID of script UUID `index` (0..kUuids-1) and of filler `index`;
// script UUIDs sort before fillers.
Uuid ScriptUuid(int index);
Uuid FillerUuid(int index);
// The inverse: 0..kUuids-1 for script UUIDs, kUuids + i for filler i, -1
// for anything else.
int UuidIndex(const Uuid& uuid);

int RemoveTimeoutMs(const Op& op);
vfio::MigState MigTarget(const Op& op);

std::string ToString(const Op& op);
std::string ToString(const RaceInput& input);

}  // namespace mtty::race

#endif  // MTTY_FUZZ_MDEV_RACE_SCRIPT_H_
