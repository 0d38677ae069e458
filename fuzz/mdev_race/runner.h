// Copyright mtty-lab authors.
//
// Runs race scripts against an MdevParent: the start state (fillers and
// pre-created devices), one thread's script with its results and logical
// times, and the end-state observation and oracles. Shared by the race
// fuzzer (real threads) and the explorer (scheduled threads); built twice in
// fuzz/mdev_race/BUILD.bazel, against //core:mdev_parent and against the
// planted-race variant.
#ifndef MTTY_FUZZ_MDEV_RACE_RUNNER_H_
#define MTTY_FUZZ_MDEV_RACE_RUNNER_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/irq.h"
#include "core/mdev_parent.h"
#include "core/migration.h"
#include "core/sync_hooks.h"
#include "fuzz/finding.h"
#include "fuzz/mdev_race/history.h"
#include "fuzz/mdev_race/model.h"
#include "fuzz/mdev_race/script.h"

namespace mtty::race {

// The logical clock events are stamped with. Must be callable from every
// script thread; successive values of one thread increase.
using Clock = std::function<uint64_t()>;

// A resolver that knows kEventFd; read-only once built, so any number of
// parents and threads may share it.
SinkResolver& SharedResolver();

// Creates the fillers and the pre-created script devices of `input` (in
// that order; a pre-created device that does not fit is skipped) and
// returns the state the model starts from.
InitialState PopulateParent(MdevParent& parent, const RaceInput& input);

// One thread's script. Handles it opens stay open after Run, for the
// end-state checks; CloseAll releases them.
class ThreadRunner {
 public:
  explicit ThreadRunner(std::vector<Op> ops) : ops_(std::move(ops)) {}
  ThreadRunner(ThreadRunner&&) = default;

  // Runs every op in order. `hooks` (may be null) is told of every device
  // call as an acquire/release of the device; `clock` stamps events.
  void Run(MdevParent& parent, SyncHooks* hooks, const Clock& clock);

  const std::vector<Event>& events() const { return events_; }
  // The uuid index slot `i`'s handle names, or -1 when closed.
  int slot_uuid(int i) const;
  const MdevHandle& slot(int i) const {
    return slots_[static_cast<size_t>(i)].handle;
  }
  void CloseAll();

 private:
  struct Slot {
    MdevHandle handle;
    int uuid = -1;
    std::shared_ptr<MigrationFile> file;  // the last one a MigStep made
    const void* file_device = nullptr;    // the device that made it
  };

  // Runs `op`; false if it was skipped (a slot op on an empty slot).
  bool Do(MdevParent& parent, SyncHooks* hooks, const Op& op, Outcome& out);
  static void CloseSlot(Slot& slot, SyncHooks* hooks);

  std::vector<Op> ops_;
  std::vector<Event> events_;
  std::array<Slot, kSlots> slots_;
};

// What the parent looks like after the threads joined (see FinalView).
FinalView ObserveParent(MdevParent& parent,
                        const std::vector<ThreadRunner>& runners);

// The end-state oracles, quiescent parent:
//  pool-accounting: free ports == 24 - ports of the live devices, and both
//    types' available_instances agree;
//  removing-at-rest: no device is still marked as being removed;
//  handle-to-removed-device: every open handle's device is the live device
//    of its UUID;
//  handle-count: each device's open_handles == the handles held on it;
//  config-space: every live device answers the whole config region and its
//    region sizes exactly as a fresh device of its type and profile.
fuzz::MaybeFinding CheckEndState(MdevParent& parent, const FinalView& view,
                                 const std::vector<ThreadRunner>& runners);

// Closes every handle, removes every device (timeout 0: nothing is open),
// and checks the pool is whole again (teardown-pool).
fuzz::MaybeFinding TearDownParent(MdevParent& parent,
                                  std::vector<ThreadRunner>& runners);

}  // namespace mtty::race

#endif  // MTTY_FUZZ_MDEV_RACE_RUNNER_H_
