// Copyright mtty-lab authors.
//
// BiasedLock: a mutex with a lock-free fast path for one thread.
//
// A guest's port I/O comes from one vCPU thread, one byte at a time, and an
// uncontended std::mutex costs two locked instructions per access: more than
// the whole UART register access it protects. BiasedLock lets one thread,
// the owner, enter with plain loads and stores and no fence (asymmetric
// Dekker: the owner publishes `busy_` and then checks `revoked_`; a thread
// that wants in publishes `revoked_`, forces a full barrier on every running
// thread of the process with membarrier(2), then waits for `busy_` to drop).
// The same scheme is behind folly's asymmetric barriers and liburcu.
//
// Promises:
//  * Mutual exclusion between every TryEnterBiased()/ExitBiased() section
//    and every Lock()/Unlock() section, in any number of threads, with
//    happens-before from each section's end to the next one's start.
//  * TryEnterBiased() succeeds only in the owner thread, only while the bias
//    stands; it never blocks and never makes a system call.
//  * Ownership is offered explicitly (OfferBias, under Lock) and at most once
//    in the lock's lifetime: the first Lock() from another thread revokes it
//    (one membarrier, then a wait bounded by the owner's current section),
//    and from then on every section uses the mutex. Revocation is permanent
//    so that two threads sharing the device never trade it back and forth.
//  * Where membarrier(2) PRIVATE_EXPEDITED is unavailable (old kernels,
//    seccomp, gVisor) or `allow_bias` is false, no bias is ever granted and
//    the lock is a plain std::mutex.
//
// Owner sections must be short and must not block on another thread's
// progress: a revoking thread spins (then yields) until the owner leaves.
#ifndef MTTY_CORE_BIASED_LOCK_H_
#define MTTY_CORE_BIASED_LOCK_H_

#include <atomic>
#include <cstdint>
#include <mutex>

namespace mtty {

class BiasedLock {
 public:
  explicit BiasedLock(bool allow_bias = true) : allow_bias_(allow_bias) {}
  BiasedLock(const BiasedLock&) = delete;
  BiasedLock& operator=(const BiasedLock&) = delete;

  // The owner's way in. True: the caller holds the lock until ExitBiased().
  // False: take Lock() instead.
  bool TryEnterBiased() {
    if (owner_.load(std::memory_order_relaxed) != tls_token_) return false;
    busy_.store(true, std::memory_order_relaxed);
    // Light half of the asymmetric barrier: only the compiler must keep the
    // store above the load; Revoke's membarrier orders the CPU.
    std::atomic_signal_fence(std::memory_order_seq_cst);
    if (revoked_.load(std::memory_order_relaxed)) {
      busy_.store(false, std::memory_order_release);
      return false;
    }
    return true;
  }
  void ExitBiased() { busy_.store(false, std::memory_order_release); }

  // Blocking acquire for everyone (the owner too, for its other calls).
  // Revokes the bias when the caller is not its owner.
  void Lock();
  void Unlock() { mu_.unlock(); }

  // Called with the lock held (Lock): makes the caller the owner if nobody
  // has been and the platform supports the fast path. Returns whether the
  // caller is the owner now.
  bool OfferBias();

  // For tests and benchmarks: whether a bias stands / was ever revoked.
  bool biased() const {
    return owner_.load(std::memory_order_relaxed) != kNoOwner;
  }
  bool revoked() const { return revoked_.load(std::memory_order_relaxed); }

  // Whether this process can use the fast path (membarrier registered).
  static bool FastPathSupported();

 private:
  enum class State : uint8_t { kUnbiased, kBiased, kRevoked };
  static constexpr uint64_t kNoOwner = ~uint64_t{0};

  // The calling thread's token: nonzero, unique for the process's life.
  static uint64_t MyToken();
  void Revoke();

  // Zero until the thread first asks for a token; owner_ is never zero, so
  // a thread that never asked cannot match. Inline and constant-initialised,
  // so the fast path reads it with one thread-pointer-relative load.
  static inline thread_local uint64_t tls_token_ = 0;

  const bool allow_bias_;
  std::atomic<uint64_t> owner_{kNoOwner};
  std::atomic<bool> revoked_{false};
  // In a word of its own: on the fast path the load of `revoked_` follows
  // the store to `busy_` directly, and a CPU that checks store-to-load
  // forwarding at word granularity (AMD Zen here) would stall that load
  // until the store retires if they shared one.
  alignas(8) std::atomic<bool> busy_{false};
  std::mutex mu_;
  State state_ = State::kUnbiased;  // guarded by mu_
  uint64_t owner_token_ = 0;        // guarded by mu_; valid when kBiased
};

// Ends a section entered with TryEnterBiased() when it goes out of scope.
class BiasedSectionExit {
 public:
  explicit BiasedSectionExit(BiasedLock& lock) : lock_(lock) {}
  ~BiasedSectionExit() { lock_.ExitBiased(); }
  BiasedSectionExit(const BiasedSectionExit&) = delete;
  BiasedSectionExit& operator=(const BiasedSectionExit&) = delete;

 private:
  BiasedLock& lock_;
};

// RAII Lock()/Unlock().
class BiasedLockGuard {
 public:
  explicit BiasedLockGuard(BiasedLock& lock) : lock_(lock) { lock_.Lock(); }
  ~BiasedLockGuard() { lock_.Unlock(); }
  BiasedLockGuard(const BiasedLockGuard&) = delete;
  BiasedLockGuard& operator=(const BiasedLockGuard&) = delete;

 private:
  BiasedLock& lock_;
};

}  // namespace mtty

#endif  // MTTY_CORE_BIASED_LOCK_H_
