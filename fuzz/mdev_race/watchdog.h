// Copyright mtty-lab authors.
//
// The race tools' deadlock watchdog: a process-wide thread that, when a run
// stays armed past its limit, prints the run's label and the stack of every
// thread of the process to stderr and aborts, so a hang becomes a crash
// (libFuzzer then saves the input) with the evidence attached.
//
// Stacks are taken by signalling each thread (a real-time signal whose
// handler records backtrace() frames); a thread that cannot take the signal
// in time (under ThreadSanitizer signals wait for the thread to leave some
// blocking calls) is reported with its kernel wait channel and system call
// instead. Frames are symbolized by the sanitizer runtime when there is one.
#ifndef MTTY_FUZZ_MDEV_RACE_WATCHDOG_H_
#define MTTY_FUZZ_MDEV_RACE_WATCHDOG_H_

#include <chrono>
#include <string>

namespace mtty::race {

class Watchdog {
 public:
  // The one watchdog; its thread starts on first use and never ends.
  static Watchdog& Instance();

  // Starts timing a run; `label` is printed if it hangs. Re-arming replaces
  // the previous run.
  void Arm(std::chrono::milliseconds limit, std::string label);
  void Disarm();

 private:
  Watchdog();
  void Loop();
};

// MTTY_RACE_WATCHDOG_MS from the environment, else `fallback`.
std::chrono::milliseconds WatchdogLimit(std::chrono::milliseconds fallback);

// Prints every thread's stack to stderr (what the watchdog does before it
// aborts). Safe to call from any thread.
void PrintAllThreadStacks();

}  // namespace mtty::race

#endif  // MTTY_FUZZ_MDEV_RACE_WATCHDOG_H_
