// Executions per second of the bar_access fuzz target next to an empty
// target's, measured the way libFuzzer calls them (each input copied into a
// fresh, exactly-sized heap buffer, then the entry point called), in one
// run of a plain -c opt build:
//   bazel run -c opt //bench:fuzz_bench
// Inputs: 64-op bar_access inputs of a driver-like mix (fuzz/bar_access/ops.h),
// single- and dual-port, both profiles. Target: bar_access at least 1/4 of
// the empty target's rate; the counter `fraction_of_empty` reports it.
//
// Note: here the empty target costs only the copy and the call, so the
// fraction measures the harness against a near-zero floor. Inside libFuzzer
// each execution also pays the engine's own work; fuzz/perf/exec_rate.sh
// measures that setting (both instrumented targets under libFuzzer, same
// flags).
// `fraction_of_device_only` compares with the same inputs driven through
// the device with every oracle off: the price of the oracles alone.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "core/uart16550.h"
#include "core/vfio_uapi.h"
#include "fuzz/bar_access/harness.h"
#include "fuzz/bar_access/ops.h"
#include "fuzz/bar_access/random.h"

namespace mtty {
namespace {

constexpr int kOps = 64;
constexpr int kPool = 256;

std::vector<std::vector<uint8_t>> MakeInputs(Profile profile, int nr_ports,
                                             uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::vector<uint8_t>> pool;
  for (int n = 0; n < kPool; ++n) {
    pool.push_back(fuzz::bar::RandomInput(rng, profile, nr_ports, kOps));
  }
  return pool;
}

const std::vector<std::vector<uint8_t>>& Pool(Profile profile, int nr_ports) {
  static const auto* pools = [] {
    auto* p = new std::vector<std::vector<uint8_t>>[4];
    for (int i = 0; i < 4; ++i) {
      p[i] = MakeInputs(i & 1 ? Profile::k16550a : Profile::kKernel,
                        i & 2 ? 2 : 1, 1000 + i);
    }
    return p;
  }();
  return pools[(profile == Profile::k16550a ? 1 : 0) + (nr_ports == 2 ? 2 : 0)];
}

int EmptyTarget(const uint8_t* data, size_t size) {
  benchmark::DoNotOptimize(data);
  benchmark::DoNotOptimize(size);
  return 0;
}

int BarAccessTarget(const uint8_t* data, size_t size) {
  // LLVMFuzzerTestOneInput without the abort: a finding would be a bug.
  return fuzz::RunBarAccess({data, size}).has_value() ? 1 : 0;
}

// The same decoding and device calls, no snapshots and no oracles: what
// the oracles cost is the difference.
int DeviceOnlyTarget(const uint8_t* data, size_t size) {
  static const fuzz::BarAccessOptions options = [] {
    fuzz::BarAccessOptions o;
    o.oracles = false;
    return o;
  }();
  return fuzz::RunBarAccess({data, size}, options).has_value() ? 1 : 0;
}

// One libFuzzer-style execution: fresh exact-size copy, then the call.
template <typename Target>
int Execute(Target target, const std::vector<uint8_t>& input) {
  std::unique_ptr<uint8_t[]> copy(new uint8_t[input.size()]);
  std::memcpy(copy.get(), input.data(), input.size());
  return target(copy.get(), input.size());
}

template <typename Target>
double NsPerExec(Target target, const std::vector<std::vector<uint8_t>>& pool,
                 int n) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    benchmark::DoNotOptimize(Execute(target, pool[i % pool.size()]));
  }
  const auto t1 = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::nano>(t1 - t0).count() / n;
}

double DeviceOnlyNs(Profile profile, int nr_ports) {
  double best = 1e30;
  for (int rep = 0; rep < 3; ++rep) {
    best = std::min(best,
                    NsPerExec(DeviceOnlyTarget, Pool(profile, nr_ports), 5000));
  }
  return best;
}

double EmptyNs() {
  static const double ns = [] {
    double best = 1e30;
    for (int rep = 0; rep < 5; ++rep) {
      best = std::min(
          best, NsPerExec(EmptyTarget, Pool(Profile::kKernel, 1), 200000));
    }
    return best;
  }();
  return ns;
}

void BM_EmptyTarget(benchmark::State& state) {
  const auto& pool = Pool(Profile::kKernel, 1);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(Execute(EmptyTarget, pool[i++ % pool.size()]));
  }
  state.counters["exec_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EmptyTarget);

void BM_BarAccess64Ops(benchmark::State& state) {
  const Profile profile = state.range(0) ? Profile::k16550a : Profile::kKernel;
  const int nr_ports = static_cast<int>(state.range(1));
  const auto& pool = Pool(profile, nr_ports);
  size_t i = 0, findings = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    findings += Execute(BarAccessTarget, pool[i++ % pool.size()]);
  }
  const auto t1 = std::chrono::steady_clock::now();
  if (findings != 0) state.SkipWithError("an input produced a finding");
  const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() /
                    static_cast<double>(state.iterations());
  state.counters["exec_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["ns_per_op"] = ns / kOps;
  state.counters["empty_exec_per_s"] = 1e9 / EmptyNs();
  state.counters["fraction_of_empty"] = EmptyNs() / ns;
  state.counters["fraction_of_device_only"] =
      DeviceOnlyNs(profile, nr_ports) / ns;
  state.SetLabel(std::string(ProfileName(profile)) + ", " +
                 std::to_string(nr_ports) + " port(s)");
}
void BM_DeviceOnly64Ops(benchmark::State& state) {
  const Profile profile = state.range(0) ? Profile::k16550a : Profile::kKernel;
  const auto& pool = Pool(profile, static_cast<int>(state.range(1)));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        Execute(DeviceOnlyTarget, pool[i++ % pool.size()]));
  }
  state.counters["exec_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DeviceOnly64Ops)
    ->ArgNames({"16550a", "ports"})
    ->Args({0, 1})
    ->Args({1, 2});

BENCHMARK(BM_BarAccess64Ops)
    ->ArgNames({"16550a", "ports"})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Args({0, 2})
    ->Args({1, 2});

}  // namespace
}  // namespace mtty

BENCHMARK_MAIN();
