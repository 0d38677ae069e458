// Copyright mtty-lab authors.
//
// Conformance traces as fuzz seeds: every statement of a trace that the
// bar_access encoding can express (region accesses, time, RESET, the info
// ioctls, the common SET_IRQS forms, close) becomes a bar_access op, so each
// canonical trace starts a fuzzing run from the state a real driver leaves.
// Expectations are dropped: the fuzzer's oracles judge every step anyway.
#ifndef MTTY_FUZZ_BAR_ACCESS_TRACE_TO_SEED_H_
#define MTTY_FUZZ_BAR_ACCESS_TRACE_TO_SEED_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "conformance/trace.h"
#include "core/uart16550.h"
#include "fuzz/seeds.h"

namespace mtty::fuzz {

// The bar_access input for `trace` on `profile`; nullopt when the trace
// brings no device of its own ("device none") or excludes the profile.
std::optional<std::vector<uint8_t>> TraceToBarAccess(
    const conformance::Trace& trace, Profile profile);

// For every *.trace in `dir`: the file itself as a trace_parser seed, and
// one bar_access seed per profile it runs on ("trace_<name>_<profile>").
// Unreadable or unparsable files are reported in `errors`.
std::vector<Seed> TraceSeeds(const std::string& dir,
                             std::vector<std::string>* errors);

}  // namespace mtty::fuzz

#endif  // MTTY_FUZZ_BAR_ACCESS_TRACE_TO_SEED_H_
