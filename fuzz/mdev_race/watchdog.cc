// Copyright mtty-lab authors.
#include "fuzz/mdev_race/watchdog.h"

#include <dirent.h>
#include <execinfo.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// Present in every sanitizer runtime (all fuzz builds have one).
extern "C" void __sanitizer_symbolize_pc(void* pc, const char* fmt, char* out,
                                         size_t out_size) __attribute__((weak));

namespace mtty::race {
namespace {

constexpr int kMaxFrames = 64;

// Handshake with the signal handler: one thread at a time.
std::atomic<long> g_target{0};
std::atomic<int> g_frames_taken{0};
void* g_frames[kMaxFrames];
int g_frame_count = 0;

long Tid() { return static_cast<long>(syscall(SYS_gettid)); }

int DumpSignal() { return SIGRTMIN + 3; }

void OnDumpSignal(int) {
  const int saved = errno;
  if (Tid() == g_target.load(std::memory_order_acquire)) {
    g_frame_count = backtrace(g_frames, kMaxFrames);
    g_frames_taken.store(1, std::memory_order_release);
  }
  errno = saved;
}

void InstallHandler() {
  static std::once_flag once;
  std::call_once(once, [] {
    // The first backtrace() loads the unwinder (and allocates): do it here,
    // not in the handler.
    void* warm[2];
    (void)backtrace(warm, 2);
    struct sigaction sa;
    std::memset(&sa, 0, sizeof(sa));
    sa.sa_handler = OnDumpSignal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(DumpSignal(), &sa, nullptr);
  });
}

std::string ReadSmallFile(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return "?";
  char buf[256];
  const size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  std::string s(buf, n);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
  return s;
}

void PrintFrames(void* const* frames, int count) {
  for (int i = 0; i < count; ++i) {
    if (__sanitizer_symbolize_pc != nullptr) {
      char line[512];
      __sanitizer_symbolize_pc(frames[i], "%p %F %L", line, sizeof(line));
      std::fprintf(stderr, "    #%d %s\n", i, line);
    } else {
      std::fprintf(stderr, "    #%d %p\n", i, frames[i]);
    }
  }
  if (__sanitizer_symbolize_pc == nullptr) {
    std::fflush(stderr);
    backtrace_symbols_fd(frames, count, STDERR_FILENO);
  }
}

std::vector<long> Threads() {
  std::vector<long> out;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return out;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    out.push_back(std::strtol(e->d_name, nullptr, 10));
  }
  closedir(dir);
  return out;
}

struct State {
  std::mutex mu;
  std::condition_variable changed;
  bool armed = false;
  uint64_t generation = 0;
  std::chrono::steady_clock::time_point deadline;
  std::chrono::milliseconds limit{0};
  std::string label;
};

State& S() {
  static State* const s = new State();
  return *s;
}

}  // namespace

void PrintAllThreadStacks() {
  InstallHandler();
  static std::mutex one_dump_at_a_time;
  std::lock_guard<std::mutex> lock(one_dump_at_a_time);
  const long self = Tid();
  for (long tid : Threads()) {
    const std::string task = "/proc/self/task/" + std::to_string(tid);
    std::fprintf(stderr, "  thread %ld (%s)%s:\n", tid,
                 ReadSmallFile(task + "/comm").c_str(),
                 tid == self ? " [watchdog]" : "");
    if (tid == self) {
      void* frames[kMaxFrames];
      PrintFrames(frames, backtrace(frames, kMaxFrames));
      continue;
    }
    g_frames_taken.store(0, std::memory_order_relaxed);
    g_target.store(tid, std::memory_order_release);
    bool taken = false;
    if (syscall(SYS_tgkill, getpid(), tid, DumpSignal()) == 0) {
      for (int i = 0; i < 200 && !taken; ++i) {
        taken = g_frames_taken.load(std::memory_order_acquire) != 0;
        if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    g_target.store(0, std::memory_order_release);
    if (taken) {
      PrintFrames(g_frames, g_frame_count);
    } else {
      std::fprintf(stderr,
                   "    (no stack: the thread did not take the signal; "
                   "wchan %s, syscall %s)\n",
                   ReadSmallFile(task + "/wchan").c_str(),
                   ReadSmallFile(task + "/syscall").c_str());
    }
  }
  std::fflush(stderr);
}

Watchdog& Watchdog::Instance() {
  static Watchdog* const w = new Watchdog();
  return *w;
}

Watchdog::Watchdog() {
  InstallHandler();
  std::thread([this] { Loop(); }).detach();
}

void Watchdog::Arm(std::chrono::milliseconds limit, std::string label) {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.mu);
  s.armed = true;
  ++s.generation;
  s.limit = limit;
  s.deadline = std::chrono::steady_clock::now() + limit;
  s.label = std::move(label);
  s.changed.notify_all();
}

void Watchdog::Disarm() {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.mu);
  s.armed = false;
  ++s.generation;
  s.changed.notify_all();
}

void Watchdog::Loop() {
  State& s = S();
  std::unique_lock<std::mutex> lock(s.mu);
  while (true) {
    if (!s.armed) {
      s.changed.wait(lock);
      continue;
    }
    const uint64_t generation = s.generation;
    s.changed.wait_until(lock, s.deadline);
    if (!s.armed || s.generation != generation ||
        std::chrono::steady_clock::now() < s.deadline) {
      continue;
    }
    std::fprintf(stderr,
                 "\n==mdev_race== WATCHDOG: the run did not finish within "
                 "%lld ms (deadlock or livelock)\n%s\n==mdev_race== stacks "
                 "of every thread:\n",
                 static_cast<long long>(s.limit.count()), s.label.c_str());
    lock.unlock();
    // Taking stacks needs the other threads' cooperation; if it gets stuck
    // (a runtime lock held by a hung thread), abort anyway.
    std::thread([] {
      std::this_thread::sleep_for(std::chrono::seconds(20));
      std::fprintf(stderr,
                   "==mdev_race== WATCHDOG: stack dump stuck; aborting\n");
      std::abort();
    }).detach();
    PrintAllThreadStacks();
    std::fprintf(stderr, "==mdev_race== WATCHDOG: aborting\n");
    std::fflush(stderr);
    std::abort();
  }
}

std::chrono::milliseconds WatchdogLimit(std::chrono::milliseconds fallback) {
  const char* env = std::getenv("MTTY_RACE_WATCHDOG_MS");
  if (env == nullptr || *env == '\0') return fallback;
  char* end = nullptr;
  const long long v = std::strtoll(env, &end, 10);
  if (end == env || *end != '\0' || v <= 0) return fallback;
  return std::chrono::milliseconds(v);
}

}  // namespace mtty::race
