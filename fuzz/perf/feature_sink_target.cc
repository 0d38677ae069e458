// Copyright mtty-lab authors.
//
// A fuzz target that does no work of its own and only reaches a chosen
// number of distinct coverage edges per execution: MTTY_FEATURE_SINK_EDGES
// (0..kMaxEdges, default 0). Built like the real fuzzers (same
// instrumentation, same engine), it measures what libFuzzer itself spends per
// execution on a target as wide as the one being compared, i.e. the engine's
// floor under any harness that reaches that many edges (fuzz/README.md,
// "Speed"; fuzz/perf/exec_rate.sh prints it next to bar_access).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <utility>

#include "fuzz/oracle_code.h"

namespace {

constexpr size_t kMaxEdges = 2048;

// One instantiation per edge: each is its own function with one counter.
template <size_t I>
[[gnu::noinline]] void Edge(volatile uint8_t* sink) {
  *sink = static_cast<uint8_t>(I);
}

using EdgeFn = void (*)(volatile uint8_t*);

template <size_t... Is>
constexpr std::array<EdgeFn, sizeof...(Is)> MakeEdges(
    std::index_sequence<Is...>) {
  return {&Edge<Is>...};
}

constexpr std::array<EdgeFn, kMaxEdges> kEdges =
    MakeEdges(std::make_index_sequence<kMaxEdges>());

}  // namespace

// The driver itself is not instrumented, so the edges it reaches are exactly
// the Edge<I> entries it calls.
MTTY_ORACLE_CODE_BEGIN

namespace {

size_t EdgesPerRun() {
  const char* env = std::getenv("MTTY_FEATURE_SINK_EDGES");
  if (env == nullptr) return 0;
  const unsigned long n = std::strtoul(env, nullptr, 10);
  return n < kMaxEdges ? n : kMaxEdges;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)data;
  (void)size;
  static const size_t edges = EdgesPerRun();
  static volatile uint8_t sink;
  for (size_t i = 0; i < edges; ++i) kEdges[i](&sink);
  return 0;
}

MTTY_ORACLE_CODE_END
