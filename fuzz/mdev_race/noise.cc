// Copyright mtty-lab authors.
#include "fuzz/mdev_race/noise.h"

#include <sched.h>
#include <time.h>

namespace mtty::race {
namespace {

thread_local uint32_t tls_state = 0;

uint32_t Next() {
  // xorshift32: never returns 0 from a non-zero state.
  uint32_t x = tls_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  tls_state = x;
  return x;
}

void MaybeDelay(uint32_t sleep_in_64, uint32_t yield_in_64) {
  if (tls_state == 0) return;
  const uint32_t x = Next();
  const uint32_t roll = x % 64;
  if (roll < sleep_in_64) {
    timespec ts{0, static_cast<long>(20'000 + (x >> 8) % 380'000)};
    nanosleep(&ts, nullptr);
  } else if (roll < sleep_in_64 + yield_in_64) {
    sched_yield();
  }
}

}  // namespace

void NoiseHooks::SeedThisThread(uint32_t seed) {
  // Spread small seeds; keep 0 meaning "off".
  tls_state = seed == 0 ? 0 : (seed * 2654435761u) | 1u;
}

void NoiseHooks::BeforeAcquire(const void*) { MaybeDelay(3, 13); }

void NoiseHooks::AfterRelease(const void*) { MaybeDelay(1, 7); }

void NoiseHooks::AfterNotifyAll(const void*) {}

}  // namespace mtty::race
