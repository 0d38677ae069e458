// Copyright mtty-lab authors.
//
// The known defects of Linux 6.1's samples/vfio-mdev/mtty.c that a user of
// the device file can reach, and which of them a `_kernel` fuzz run hunts.
//
// A hunted defect is a finding when it happens: the sanitizer's report, the
// kshim runtime's report, or a lockstep finding named "kernel-defect/<name>".
// A defect that is not hunted is avoided, so fuzzing goes on past it: an
// operation that would reach a memory-unsafe defect is not sent to the
// sample (nor to our device, so the two stay in lockstep); a kshim-detected
// one is survived (kshim does the memory-safe thing and counts it); a
// difference the lockstep attributes to it is tolerated.
//
// MTTY_KERNEL_HUNT selects: unset or "all" hunts every defect, "none" hunts
// nothing (only unexplained differences are findings), otherwise a comma
// list of names. Unknown names are a usage error, reported on stderr.
#ifndef MTTY_FUZZ_KERNEL_KNOWN_DEFECTS_H_
#define MTTY_FUZZ_KERNEL_KNOWN_DEFECTS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mtty::fuzz::kernel {

enum class Defect : uint8_t {
  kConfigReadOob,         // docs/spec/mtty-defects.md d1
  kBarIndexOob,           // d3
  kPhantomBar1,           // d3, last sentence
  kBarReadUninit,         // d4
  kConfigWriteOverread,   // d5
  kNullEventfdSignal,     // d7
  kSetIrqsNullPayload,    // d8
  kEventfdUseAfterPut,    // d9
  kEventfdPutUnderflow,   // d9
  kEventfdLeak,           // d10
  kFifoFullReadsEmpty,    // d12
  kBarOffsetUnchecked,    // d6
  kConfigWriteUnchecked,  // d2
};
inline constexpr size_t kNumDefects = 13;

// How a run sees the defect happen.
enum class Detector : uint8_t {
  kSanitizer,     // ASan / UBSan report (the op reached memory it must not)
  kKshim,         // the kshim runtime's report (kshim/kshim.h bug kinds)
  kDifferential,  // the lockstep differential attributes a difference to it
};

struct DefectInfo {
  Defect defect;
  const char* name;      // kebab-case, as MTTY_KERNEL_HUNT spells it
  const char* function;  // where in mtty.c it happens
  Detector detector;
  const char* what;
};

const std::array<DefectInfo, kNumDefects>& AllDefects();
const DefectInfo& Info(Defect d);
std::optional<Defect> DefectByName(std::string_view name);
const char* DetectorName(Detector d);

// The set of hunted defects.
class Hunt {
 public:
  static Hunt All();
  static Hunt None();
  // "all", "none" or a comma list; nullopt and *error on an unknown name.
  static std::optional<Hunt> Parse(std::string_view spec, std::string* error);
  // MTTY_KERNEL_HUNT, read once per process; exits with a message on a
  // usage error.
  static const Hunt& FromEnvironment();

  bool hunts(Defect d) const { return (bits_ >> static_cast<int>(d)) & 1; }
  std::string ToString() const;

 private:
  uint32_t bits_ = 0;
};

}  // namespace mtty::fuzz::kernel

#endif  // MTTY_FUZZ_KERNEL_KNOWN_DEFECTS_H_
