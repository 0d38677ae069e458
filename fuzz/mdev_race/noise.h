// Copyright mtty-lab authors.
//
// NoiseHooks: SyncHooks for the race fuzzer that widen race windows. At
// every acquire and release a thread seeded with SeedThisThread() may yield
// its CPU or sleep for up to ~0.4 ms, following a PRNG from its seed, so the
// input's noise seed steers where threads lose the CPU. Unseeded threads
// run untouched. Real locking is unchanged (the hooks only delay), so
// ThreadSanitizer still sees the true synchronisation.
#ifndef MTTY_FUZZ_MDEV_RACE_NOISE_H_
#define MTTY_FUZZ_MDEV_RACE_NOISE_H_

#include <cstdint>

#include "core/sync_hooks.h"

namespace mtty::race {

class NoiseHooks final : public SyncHooks {
 public:
  // Seeds the calling thread's delays; 0 turns them off (the default).
  static void SeedThisThread(uint32_t seed);

  void BeforeAcquire(const void* object) override;
  void AfterRelease(const void* object) override;
  void AfterNotifyAll(const void* cv) override;
};

}  // namespace mtty::race

#endif  // MTTY_FUZZ_MDEV_RACE_NOISE_H_
