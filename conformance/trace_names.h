// Copyright mtty-lab authors.
//
// Internal to //conformance:trace. The words the trace parser reads and the
// printer writes, each spelling beside its inverse so that the round-trip
// promise of trace.h (Parse(Print(t)) == t) holds by construction.
#ifndef MTTY_CONFORMANCE_TRACE_NAMES_H_
#define MTTY_CONFORMANCE_TRACE_NAMES_H_

#include <optional>
#include <string_view>

#include "conformance/trace.h"
#include "core/uart16550.h"

namespace mtty::conformance::trace_internal {

// SET_IRQS indices 0..4 by name; other indices are written as numbers.
inline constexpr const char* kIrqIndexNames[] = {"intx", "msi", "msix", "err",
                                                 "req"};

// SpaceName's inverse: "bar0".."bar5", "rom", "cfg", "vga".
std::optional<Space> ParseSpace(std::string_view name);

// "[kernel]" / "[16550a]": a profile override or a statement limited to it.
const char* ProfileToken(Profile profile);
std::optional<Profile> ParseProfileToken(std::string_view token);

// "any" / "kernel" / "16550a", as in `device TYPE profile=NAME`.
const char* ProfileSetName(ProfileSet set);
std::optional<ProfileSet> ParseProfileSetName(std::string_view name);

// The inverse of ErrnoSymbol over the names it prints: "EFAULT" -> EFAULT.
// Names outside the format's list (TRACE_FORMAT.md) are nullopt.
std::optional<int> ErrnoFromSymbol(std::string_view name);

}  // namespace mtty::conformance::trace_internal

#endif  // MTTY_CONFORMANCE_TRACE_NAMES_H_
