// Copyright mtty-lab authors.
//
// SyncMutex and SyncCondVar: std::mutex and std::condition_variable that
// report every acquire, release, wait and notify to an optional SyncHooks.
// Production code passes no hooks and gets the standard primitives plus one
// predictable branch per operation. Tests pass hooks to watch or steer the
// synchronisation of an object: fuzz/mdev_race's deterministic scheduler decides
// which thread runs at every acquire and wait (so that it can enumerate
// interleavings), and its fuzzer injects delays there.
//
// Promises:
//  * Without hooks, SyncMutex is a std::mutex and SyncCondVar::WaitFor is
//    std::condition_variable::wait_for with a predicate.
//  * With hooks, BeforeAcquire runs before every lock(), AfterRelease after
//    every unlock(), AfterNotifyAll after every NotifyAll(); a wait either
//    goes to the real condition variable or, when the hooks OwnsWaits(), is
//    handed to SyncHooks::Wait with the mutex released (see there).
#ifndef MTTY_CORE_SYNC_HOOKS_H_
#define MTTY_CORE_SYNC_HOOKS_H_

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace mtty {

// Observer (and possibly controller) of the synchronisation of the objects it
// is given to. Implementations must be thread-safe. `object` is the identity
// of a lock-like thing: a SyncMutex, a SyncCondVar, or anything a caller
// guards the same way (fuzz/mdev_race reports device calls as acquire/release of
// the device).
class SyncHooks {
 public:
  enum class WakeReason { kNotified, kTimedOut };

  virtual ~SyncHooks() = default;

  // The calling thread is about to acquire `object`. May block or delay; when
  // it returns the caller goes on to take the lock.
  virtual void BeforeAcquire(const void* object) = 0;
  // The calling thread has just released `object`.
  virtual void AfterRelease(const void* object) = 0;
  // The calling thread has just notified every waiter of `cv`.
  virtual void AfterNotifyAll(const void* cv) = 0;

  // Whether waits are handed to Wait() instead of the real condition
  // variable. A scheduler that lets one thread run at a time must own every
  // blocking point; an observer leaves waits alone.
  virtual bool OwnsWaits() const { return false; }
  // One wait on `cv` by the calling thread, standing for the release of
  // `mutex` (a SyncMutex), the sleep and the re-acquisition: called only
  // when OwnsWaits(), with `mutex` already unlocked, which the caller locks
  // again (without BeforeAcquire) once Wait returns, so an implementation
  // must return only when `mutex` is free. kTimedOut means the caller's
  // timeout may have passed: the caller checks its predicate once more and
  // gives up.
  virtual WakeReason Wait(const void* cv, const void* mutex) {
    (void)cv;
    (void)mutex;
    return WakeReason::kTimedOut;
  }
};

// A std::mutex whose lock() and unlock() are reported to `hooks` (if any).
// BasicLockable, so std::lock_guard and std::unique_lock work.
class SyncMutex {
 public:
  // `hooks` is not owned and may be null; it must outlive the mutex.
  explicit SyncMutex(SyncHooks* hooks = nullptr) : hooks_(hooks) {}
  SyncMutex(const SyncMutex&) = delete;
  SyncMutex& operator=(const SyncMutex&) = delete;

  void lock() {
    if (hooks_ != nullptr) hooks_->BeforeAcquire(this);
    mu_.lock();
  }
  void unlock() {
    mu_.unlock();
    if (hooks_ != nullptr) hooks_->AfterRelease(this);
  }

 private:
  friend class SyncCondVar;

  std::mutex mu_;
  SyncHooks* const hooks_;
};

// A condition variable over SyncMutex with the one wait form the parent
// needs: a bounded wait for a predicate.
class SyncCondVar {
 public:
  // `hooks` is not owned and may be null; it must outlive the condition
  // variable and be the same hooks as its mutex's.
  explicit SyncCondVar(SyncHooks* hooks = nullptr) : hooks_(hooks) {}
  SyncCondVar(const SyncCondVar&) = delete;
  SyncCondVar& operator=(const SyncCondVar&) = delete;

  // Waits (at most `timeout`, which must not be negative) until `pred()`
  // holds; returns its last value. `lock` must hold its mutex, and holds it
  // again on return. `pred` runs with the mutex held.
  template <class Pred>
  bool WaitFor(std::unique_lock<SyncMutex>& lock,
               std::chrono::milliseconds timeout, Pred pred) {
    SyncMutex& mutex = *lock.mutex();
    if (hooks_ == nullptr || !hooks_->OwnsWaits()) {
      // The real wait on the real mutex; `native` only borrows the lock.
      std::unique_lock<std::mutex> native(mutex.mu_, std::adopt_lock);
      const bool result = cv_.wait_for(native, timeout, std::move(pred));
      native.release();
      return result;
    }
    while (!pred()) {
      mutex.mu_.unlock();
      const SyncHooks::WakeReason why = hooks_->Wait(this, &mutex);
      mutex.mu_.lock();
      if (why == SyncHooks::WakeReason::kTimedOut) return pred();
    }
    return true;
  }

  void NotifyAll() {
    cv_.notify_all();
    if (hooks_ != nullptr) hooks_->AfterNotifyAll(this);
  }

 private:
  std::condition_variable cv_;
  SyncHooks* const hooks_;
};

}  // namespace mtty

#endif  // MTTY_CORE_SYNC_HOOKS_H_
