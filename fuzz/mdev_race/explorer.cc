// Copyright mtty-lab authors.
#include "fuzz/mdev_race/explorer.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <semaphore>
#include <set>
#include <thread>
#include <utility>
#include <vector>

namespace mtty::race {
namespace {

using fuzz::Finding;
using fuzz::Format;

// Which managed thread the calling thread is; -1 for any other thread.
thread_local int tls_thread = -1;

struct PendingOp {
  enum Kind : uint8_t { kStart, kAcquire, kWait, kDone };
  Kind kind = kStart;
  const void* object = nullptr;  // kAcquire: the object; kWait: the mutex
  const void* cv = nullptr;      // kWait
};

// One executed step: the op a thread was let go at, and everything it
// touched until its next scheduling point.
struct Transition {
  int thread = 0;
  PendingOp op;
  bool notified = false;                  // kWait: woken by a notify
  std::vector<const void*> footprint;     // sorted, unique
  std::vector<uint32_t> clock;            // vector clock, entries index + 1
  std::vector<PendingOp> pending_before;  // every thread's op before it
};

// A state of the depth-first search: where the schedule branches.
struct Node {
  std::vector<int> enabled;  // sorted
  int chosen = -1;
  int running_before = -1;  // the thread that reached this point
  int preemptions_before = 0;
  std::set<int> backtrack;  // still to try (DPOR adds to it)
  std::set<int> done;
};

bool Intersects(const std::vector<const void*>& a,
                const std::vector<const void*>& b) {
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (*i == *j) return true;
    if (*i < *j) {
      ++i;
    } else {
      ++j;
    }
  }
  return false;
}

std::vector<const void*> OpObjects(const PendingOp& op) {
  std::vector<const void*> out;
  if (op.kind == PendingOp::kAcquire) out.push_back(op.object);
  if (op.kind == PendingOp::kWait) {
    out.push_back(op.object);
    out.push_back(op.cv);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void AddObject(std::vector<const void*>& set, const void* object) {
  auto it = std::lower_bound(set.begin(), set.end(), object);
  if (it == set.end() || *it != object) set.insert(it, object);
}

class Scheduler final : public SyncHooks, public ExecutionContext {
 public:
  Scheduler(Program& program, const ExploreOptions& options)
      : program_(program),
        options_(options),
        n_(program.threads()),
        threads_(static_cast<size_t>(n_)) {
    for (int t = 0; t < n_; ++t) {
      threads_[static_cast<size_t>(t)].worker =
          std::thread([this, t] { WorkerLoop(t); });
    }
  }

  // Joins the workers, unless an execution deadlocked (then they are
  // detached: they stay blocked).
  ~Scheduler() {
    if (leaked_) {
      for (ThreadState& t : threads_) t.worker.detach();
      return;
    }
    stop_ = true;
    for (ThreadState& t : threads_) t.go.release();
    for (ThreadState& t : threads_) t.worker.join();
  }

  bool leaked() const { return leaked_; }

  ExploreResult Run() {
    ExploreResult result;
    while (true) {
      if (result.stats.executions >= options_.max_executions) break;
      RunOne();
      if (leaked_) {  // deadlock: the threads cannot be resumed
        result.finding = finding_;
        result.schedule = RenderSchedule();
        return result;
      }
      ++result.stats.executions;
      result.stats.max_steps =
          std::max<uint64_t>(result.stats.max_steps, trace_.size());
      result.stats.max_preemptions =
          std::max<uint64_t>(result.stats.max_preemptions, preemptions_);
      if (!finding_) finding_ = program_.Check();
      program_.Teardown();
      if (finding_) {
        result.finding = finding_;
        result.schedule = RenderSchedule();
        return result;
      }
      if (options_.reduction == Reduction::kDpor) AnalyseRaces();
      if (!Backtrack()) {
        result.stats.complete = true;
        break;
      }
    }
    return result;
  }

  // ExecutionContext.
  SyncHooks* hooks() override { return this; }
  uint64_t now() const override {
    return step_.load(std::memory_order_relaxed);
  }

  // SyncHooks.
  void BeforeAcquire(const void* object) override {
    if (tls_thread < 0) return;
    Yield(PendingOp{PendingOp::kAcquire, object, nullptr});
  }
  void AfterRelease(const void* object) override {
    if (tls_thread < 0) return;
    std::lock_guard<std::mutex> lock(mu_);
    ReleaseLocked(tls_thread, object);
  }
  void AfterNotifyAll(const void* cv) override {
    if (tls_thread < 0) return;
    std::lock_guard<std::mutex> lock(mu_);
    for (ThreadState& t : threads_) {
      if (t.pending.kind == PendingOp::kWait && t.pending.cv == cv) {
        t.notified = true;
      }
    }
    if (!trace_.empty()) AddObject(trace_.back().footprint, cv);
  }
  bool OwnsWaits() const override { return true; }
  WakeReason Wait(const void* cv, const void* mutex) override {
    if (tls_thread < 0) return WakeReason::kTimedOut;
    const int self = tls_thread;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ReleaseLocked(self, mutex);
      if (!trace_.empty()) AddObject(trace_.back().footprint, cv);
    }
    Yield(PendingOp{PendingOp::kWait, mutex, cv});
    return threads_[static_cast<size_t>(self)].wake;
  }

 private:
  struct ThreadState {
    std::thread worker;
    std::binary_semaphore go{0};
    PendingOp pending;
    bool finished = false;
    bool notified = false;  // while pending is kWait
    WakeReason wake = WakeReason::kTimedOut;
    std::vector<const void*> held;
  };

  ThreadState& T(int t) { return threads_[static_cast<size_t>(t)]; }

  void WorkerLoop(int t) {
    tls_thread = t;
    while (true) {
      T(t).go.acquire();
      if (stop_) return;
      program_.Body(t);
      Finish(t);
    }
  }

  void RunOne() {
    program_.Setup(*this);
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (ThreadState& t : threads_) {
        t.pending = PendingOp{};
        t.finished = false;
        t.notified = false;
        t.held.clear();
      }
      trace_.clear();
      owner_.clear();
      edges_.clear();
      names_.clear();
      finding_.reset();
      running_ = -1;
      preemptions_ = 0;
      step_.store(0, std::memory_order_relaxed);
      starting_ = true;
    }
    // Each thread's code up to its first scheduling point touches nothing
    // shared (nothing the hooks see), so it runs first, one thread after the
    // other, and is not a choice.
    for (int t = 0; t < n_; ++t) {
      T(t).go.release();
      started_.acquire();
    }
    int first;
    {
      std::lock_guard<std::mutex> lock(mu_);
      starting_ = false;
      first = ScheduleLocked();
    }
    if (first >= 0) T(first).go.release();
    done_.acquire();
  }

  // The calling managed thread reached a scheduling point.
  void Yield(const PendingOp& op) {
    const int self = tls_thread;
    int next;
    bool starting;
    {
      std::lock_guard<std::mutex> lock(mu_);
      T(self).pending = op;
      starting = starting_;
      next = starting ? -1 : ScheduleLocked();
    }
    if (starting) {
      started_.release();
      T(self).go.acquire();
      return;
    }
    if (next == self) return;
    if (next >= 0) T(next).go.release();
    T(self).go.acquire();
  }

  void Finish(int self) {
    int next;
    bool starting;
    {
      std::lock_guard<std::mutex> lock(mu_);
      T(self).finished = true;
      T(self).pending = PendingOp{PendingOp::kDone};
      if (!T(self).held.empty() && !finding_) {
        finding_ = Finding{"explorer-lock-held-at-exit", 0,
                           Format("thread %d ended holding %zu lock(s)", self,
                                  T(self).held.size())};
      }
      // Read under the lock: once this thread's ScheduleLocked ends the
      // execution, the controller may start the next one at any moment.
      starting = starting_;
      next = starting ? -1 : ScheduleLocked();
    }
    if (starting) {
      started_.release();
      return;
    }
    if (next >= 0) T(next).go.release();
  }

  void ReleaseLocked(int self, const void* object) {
    owner_.erase(object);
    std::vector<const void*>& held = T(self).held;
    auto it = std::find(held.begin(), held.end(), object);
    if (it != held.end()) held.erase(it);
    if (!trace_.empty()) AddObject(trace_.back().footprint, object);
  }

  bool Enabled(int t) {
    const ThreadState& s = T(t);
    if (s.finished) return false;
    switch (s.pending.kind) {
      case PendingOp::kStart:
        return true;
      case PendingOp::kAcquire:
      case PendingOp::kWait:
        return owner_.count(s.pending.object) == 0;
      case PendingOp::kDone:
        return false;
    }
    return false;
  }

  // Picks and lets go the next thread; -1 when none can run (the
  // controller is then released). Called with mu_ held.
  int ScheduleLocked() {
    std::vector<int> enabled;
    bool all_finished = true;
    for (int t = 0; t < n_; ++t) {
      if (!T(t).finished) all_finished = false;
      if (Enabled(t)) enabled.push_back(t);
    }
    if (enabled.empty()) {
      if (!all_finished) {
        finding_ = Finding{"explorer-deadlock", 0, DescribeBlocked()};
        leaked_ = true;
      }
      done_.release();
      return -1;
    }
    const size_t depth = trace_.size();
    int chosen;
    if (depth < stack_.size()) {
      Node& node = stack_[depth];
      if (node.enabled != enabled && !finding_) {
        finding_ =
            Finding{"explorer-nondeterminism", 0,
                    Format("replay diverged at step %zu: the program does not "
                           "repeat under the same schedule",
                           depth)};
      }
      chosen = node.chosen;
      if (std::find(enabled.begin(), enabled.end(), chosen) == enabled.end()) {
        chosen = enabled.front();
      }
    } else {
      Node node;
      node.enabled = enabled;
      node.running_before = running_;
      node.preemptions_before = static_cast<int>(preemptions_);
      const bool running_enabled =
          running_ >= 0 &&
          std::find(enabled.begin(), enabled.end(), running_) != enabled.end();
      node.chosen = running_enabled ? running_ : enabled.front();
      switch (options_.reduction) {
        case Reduction::kExhaustive:
          node.backtrack.insert(enabled.begin(), enabled.end());
          break;
        case Reduction::kDpor:
          node.backtrack.insert(node.chosen);
          break;
        case Reduction::kPreemptionBound:
          for (int t : enabled) {
            const bool preempts = running_enabled && t != running_;
            if (!preempts ||
                node.preemptions_before < options_.preemption_bound) {
              node.backtrack.insert(t);
            }
          }
          break;
      }
      chosen = node.chosen;
      stack_.push_back(std::move(node));
    }
    Dispatch(chosen, enabled);
    return chosen;
  }

  void Dispatch(int c, const std::vector<int>& enabled) {
    const bool running_enabled =
        running_ >= 0 &&
        std::find(enabled.begin(), enabled.end(), running_) != enabled.end();
    if (running_enabled && c != running_) ++preemptions_;
    Transition tr;
    tr.thread = c;
    ThreadState& s = T(c);
    tr.op = s.pending;
    tr.pending_before.reserve(threads_.size());
    for (const ThreadState& t : threads_)
      tr.pending_before.push_back(t.pending);
    tr.footprint = OpObjects(s.pending);
    if (s.pending.kind == PendingOp::kAcquire ||
        s.pending.kind == PendingOp::kWait) {
      const void* object = s.pending.object;
      for (const void* h : s.held) AddEdge(h, object, c);
      owner_[object] = c;
      s.held.push_back(object);
    }
    if (s.pending.kind == PendingOp::kWait) {
      tr.notified = s.notified;
      s.wake = s.notified ? WakeReason::kNotified : WakeReason::kTimedOut;
      s.notified = false;
    }
    trace_.push_back(std::move(tr));
    running_ = c;
    step_.store(trace_.size(), std::memory_order_relaxed);
  }

  // Lock-order graph of this execution: `from` held while `to` acquired.
  void AddEdge(const void* from, const void* to, int thread) {
    if (from == to) return;  // a self-deadlock shows up as a deadlock
    if (!edges_[from].insert(to).second) return;
    // A path back from `to` to `from` closes a cycle.
    std::vector<const void*> work = {to};
    std::set<const void*> seen;
    while (!work.empty()) {
      const void* at = work.back();
      work.pop_back();
      if (at == from) {
        if (!finding_) {
          finding_ = Finding{
              "explorer-lock-order-inversion", 0,
              Format("thread %d took %s while holding %s, and another path "
                     "of this execution took them the other way round",
                     thread, Name(to).c_str(), Name(from).c_str())};
        }
        return;
      }
      if (!seen.insert(at).second) continue;
      auto it = edges_.find(at);
      if (it == edges_.end()) continue;
      for (const void* next : it->second) work.push_back(next);
    }
  }

  // Flanagan-Godefroid: for every state and every thread's next op, the
  // latest earlier transition of another thread that touches the same
  // object and does not happen-before that op must also be tried the other
  // way round.
  void AnalyseRaces() {
    const size_t k_max = trace_.size();
    for (size_t k = 0; k < k_max; ++k) {
      Transition& tk = trace_[k];
      tk.clock.assign(threads_.size(), 0);
      for (size_t j = k; j-- > 0;) {
        if (trace_[j].thread == tk.thread) {
          Join(tk.clock, trace_[j].clock);
          break;
        }
      }
      for (size_t j = 0; j < k; ++j) {
        if (Intersects(trace_[j].footprint, tk.footprint)) {
          Join(tk.clock, trace_[j].clock);
        }
      }
      tk.clock[static_cast<size_t>(tk.thread)] = static_cast<uint32_t>(k + 1);
    }
    std::vector<uint32_t> thread_clock;
    for (size_t k = 0; k < k_max; ++k) {
      const Transition& at = trace_[k];
      for (int p = 0; p < n_; ++p) {
        const PendingOp& op = at.pending_before[static_cast<size_t>(p)];
        if (op.kind != PendingOp::kAcquire && op.kind != PendingOp::kWait) {
          continue;
        }
        const std::vector<const void*> objects = OpObjects(op);
        // p's clock at state k: that of its last transition before k.
        thread_clock.assign(threads_.size(), 0);
        for (size_t j = k; j-- > 0;) {
          if (trace_[j].thread == p) {
            thread_clock = trace_[j].clock;
            break;
          }
        }
        for (size_t i = k; i-- > 0;) {
          const Transition& ti = trace_[i];
          if (ti.thread == p || !Intersects(ti.footprint, objects)) continue;
          if (thread_clock[static_cast<size_t>(ti.thread)] >= i + 1) continue;
          Node& node = stack_[i];
          if (std::find(node.enabled.begin(), node.enabled.end(), p) !=
              node.enabled.end()) {
            node.backtrack.insert(p);
          } else {
            node.backtrack.insert(node.enabled.begin(), node.enabled.end());
          }
          break;
        }
      }
    }
  }

  static void Join(std::vector<uint32_t>& into,
                   const std::vector<uint32_t>& from) {
    for (size_t i = 0; i < into.size() && i < from.size(); ++i) {
      into[i] = std::max(into[i], from[i]);
    }
  }

  // Moves to the deepest state with an untried choice; false when none.
  bool Backtrack() {
    while (!stack_.empty()) {
      Node& node = stack_.back();
      node.done.insert(node.chosen);
      for (int t : node.backtrack) {
        if (node.done.count(t) != 0) continue;
        if (std::find(node.enabled.begin(), node.enabled.end(), t) ==
            node.enabled.end()) {
          continue;
        }
        node.chosen = t;
        return true;
      }
      stack_.pop_back();
    }
    return false;
  }

  std::string Name(const void* object) {
    auto [it, inserted] = names_.emplace(object, names_.size() + 1);
    (void)inserted;
    return "#" + std::to_string(it->second);
  }

  std::string DescribeOp(const PendingOp& op) {
    switch (op.kind) {
      case PendingOp::kStart:
        return "start";
      case PendingOp::kAcquire:
        return "acquire " + Name(op.object);
      case PendingOp::kWait:
        return "wait " + Name(op.cv) + " for " + Name(op.object);
      case PendingOp::kDone:
        return "done";
    }
    return "?";
  }

  std::string DescribeBlocked() {
    std::string out = "no thread can run:";
    for (int t = 0; t < n_; ++t) {
      if (T(t).finished) continue;
      out +=
          Format("\n  t%d blocked at %s", t, DescribeOp(T(t).pending).c_str());
      auto it = owner_.find(T(t).pending.object);
      if (it != owner_.end()) out += Format(" (held by t%d)", it->second);
    }
    return out;
  }

  std::string RenderSchedule() {
    std::string out;
    for (size_t i = 0; i < trace_.size(); ++i) {
      const Transition& tr = trace_[i];
      out += Format("%3zu t%d %s", i + 1, tr.thread, DescribeOp(tr.op).c_str());
      if (tr.op.kind == PendingOp::kWait) {
        out += tr.notified ? " (notified)" : " (timed out)";
      }
      out += "\n";
    }
    return out;
  }

  Program& program_;
  const ExploreOptions options_;
  const int n_;
  std::vector<ThreadState> threads_;
  std::binary_semaphore done_{0};
  std::binary_semaphore started_{0};  // a thread reached its first point
  // The threads are running up to their first scheduling point (mu_).
  bool starting_ = false;
  std::atomic<bool> stop_{false};
  bool leaked_ = false;

  std::mutex mu_;  // everything below; only one thread runs at a time anyway
  std::vector<Node> stack_;
  std::vector<Transition> trace_;
  std::map<const void*, int> owner_;
  std::map<const void*, std::set<const void*>> edges_;
  std::map<const void*, size_t> names_;
  int running_ = -1;
  uint64_t preemptions_ = 0;
  std::atomic<uint64_t> step_{0};
  std::optional<Finding> finding_;
};

}  // namespace

ExploreResult Explore(Program& program, const ExploreOptions& options) {
  if (program.threads() < 1 || program.threads() > kMaxExploredThreads) {
    ExploreResult r;
    r.finding = Finding{"explorer-bad-program", 0,
                        Format("%d threads", program.threads())};
    return r;
  }
  auto scheduler = std::make_unique<Scheduler>(program, options);
  ExploreResult result = scheduler->Run();
  // Deadlocked threads still reference the scheduler: keep it.
  if (scheduler->leaked()) (void)scheduler.release();
  return result;
}

}  // namespace mtty::race
