// Copyright mtty-lab authors.
#include "core/biased_lock.h"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace mtty {
namespace {

long Membarrier(int cmd) { return syscall(SYS_membarrier, cmd, 0, 0); }

std::atomic<uint64_t> next_token{1};

}  // namespace

bool BiasedLock::FastPathSupported() {
  static const bool supported = [] {
    const long cmds = Membarrier(MEMBARRIER_CMD_QUERY);
    if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) return false;
    return Membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
  }();
  return supported;
}

uint64_t BiasedLock::MyToken() {
  if (tls_token_ == 0) {
    tls_token_ = next_token.fetch_add(1, std::memory_order_relaxed);
  }
  return tls_token_;
}

void BiasedLock::Lock() {
  mu_.lock();
  if (state_ == State::kBiased && owner_token_ != MyToken()) Revoke();
}

bool BiasedLock::OfferBias() {
  if (state_ == State::kUnbiased) {
    if (!allow_bias_ || !FastPathSupported()) {
      state_ = State::kRevoked;
      return false;
    }
    owner_token_ = MyToken();
    state_ = State::kBiased;
    owner_.store(owner_token_, std::memory_order_relaxed);
  }
  return state_ == State::kBiased && owner_token_ == MyToken();
}

void BiasedLock::Revoke() {
  state_ = State::kRevoked;
  revoked_.store(true, std::memory_order_relaxed);
  owner_.store(kNoOwner, std::memory_order_relaxed);
  // Heavy half of the asymmetric barrier: when this returns, every thread
  // of the process has passed a full barrier. So either the owner's
  // `busy_ = true` is visible below, or its next load of `revoked_` sees
  // true and it stays out.
  for (;;) {
    if (Membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) break;
    // ENOMEM (the kernel's cpumask allocation) is transient: try again.
    // Anything else breaks the contract registration gave us, and going
    // on without the barrier could let two threads into the device.
    if (errno != ENOMEM && errno != EAGAIN && errno != EINTR) {
      std::fprintf(stderr,
                   "mtty: membarrier(PRIVATE_EXPEDITED) failed after "
                   "registration: %s\n",
                   std::strerror(errno));
      std::abort();
    }
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  // The owner is inside one short section. Spin briefly, then sleep rather
  // than sched_yield: a real-time revoker could otherwise keep a preempted
  // owner off its CPU.
  for (int spins = 0; busy_.load(std::memory_order_acquire);) {
    if (spins < 128) {
      ++spins;
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
  }
}

}  // namespace mtty
