// Copyright mtty-lab authors.
//
// What a race run records: every operation each thread performed with its
// result and the logical time of its call and return, plus what the parent
// looked like once every thread had finished. The linearizability checker
// (model.h) and the end-state oracles (oracles.h) read it.
#ifndef MTTY_FUZZ_MDEV_RACE_HISTORY_H_
#define MTTY_FUZZ_MDEV_RACE_HISTORY_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/uart16550.h"
#include "core/vfio_uapi.h"
#include "fuzz/mdev_race/script.h"

namespace mtty::race {

// A device as Find / Snapshot report it. `uuid` indexes ScriptUuid (0 ..
// kUuids-1) or, from kUuids on, FillerUuid(uuid - kUuids).
struct DeviceView {
  int uuid = 0;
  int nr_ports = 0;
  Profile profile = Profile::kKernel;
  int open_handles = 0;
  bool removing = false;
  friend bool operator==(const DeviceView&, const DeviceView&) = default;
};

struct Outcome {
  // 0 or -errno; byte count for region access; the count for Available.
  int code = 0;
  int get_info = 0;                 // SetIrqs: GET_INFO's result
  std::array<uint8_t, 4> bytes{};   // ConfigRead: the bytes read
  DeviceView found;                 // Find (when code == 0)
  int free_ports = 0;               // Snapshot
  std::vector<DeviceView> devices;  // Snapshot, sorted by uuid index
};

struct Event {
  Op op;  // for Close events made by an Open into a held slot: kind kClose
  Outcome out;
  uint64_t call = 0;  // logical times; call < ret
  uint64_t ret = 0;
};

// The parent after every thread joined, before any cleanup.
struct FinalView {
  int free_ports = 0;
  std::vector<DeviceView> devices;  // sorted by uuid index
  // Per live script device (uuid index -> state), read through a new handle.
  struct DeviceState {
    int uuid = 0;
    vfio::MigState mig_state = vfio::MigState::kRunning;
    int irq_index = -1;
  };
  std::vector<DeviceState> states;
  // Per thread and slot: the uuid index its open handle names, or -1; and
  // whether that handle's device is the one Open(uuid) gives now.
  std::vector<std::array<int, kSlots>> slot_uuid;
  std::vector<std::array<bool, kSlots>> slot_is_live;
};

struct History {
  std::vector<std::vector<Event>> threads;
  FinalView final_view;
};

std::string ToString(const Event& event);
// Every thread's events, one per line, then the final view.
std::string ToString(const History& history);

}  // namespace mtty::race

#endif  // MTTY_FUZZ_MDEV_RACE_HISTORY_H_
