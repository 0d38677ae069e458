// Copyright mtty-lab authors.
//
// The conformance trace format (conformance/TRACE_FORMAT.md): a line-based
// text that says what a driver writes to an mtty device and what it must read
// back. This header holds the syntax tree, the parser and the printer; the
// replay lives in conformance/runner.h.
//
// Promises:
//  * Parse is total: any byte string gives a Trace or an error naming
//    "file:line: what was wrong". Work is linear in the input; inputs above
//    kMaxTraceBytes are refused.
//  * Print is canonical and round-trips: for every Trace t that Parse
//    produced, Parse(Print(t)) == t. Equality ignores source line numbers
//    (and nothing else), so blank lines and spelling such as "0x10" vs "16"
//    may change while the tree stays equal.
#ifndef MTTY_CONFORMANCE_TRACE_H_
#define MTTY_CONFORMANCE_TRACE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/status.h"
#include "core/uart16550.h"

namespace mtty::conformance {

inline constexpr size_t kMaxTraceBytes = size_t{4} << 20;

// Which profiles a trace runs on (the `device ... profile=` header).
enum class ProfileSet : uint8_t { kAny, kKernelOnly, k16550aOnly };
bool ProfileSetContains(ProfileSet set, Profile profile);

// One expected outcome. Which kinds a statement accepts depends on the
// statement (see TRACE_FORMAT.md); the parser enforces it.
struct Expectation {
  enum class Kind : uint8_t {
    kOk,      // the call succeeds (`== ok`, or nothing written)
    kErrno,   // the call fails with -err (`== -EFAULT`)
    kValue,   // a read value or a count (`== 0x60 [mask 0x61]`)
    kFields,  // named result fields of an info ioctl (`== size 8 ...`)
  };
  Kind kind = Kind::kOk;
  uint64_t value = 0;
  std::optional<uint64_t> mask;  // only for region reads
  int err = 0;                   // positive errno, kErrno only
  std::vector<std::pair<std::string, uint64_t>> fields;  // as written

  friend bool operator==(const Expectation&, const Expectation&) = default;
};

// `== base [kernel] == other ...`: the base is what a 16550A (and the real
// driver) expects; each override is a written-down deviation of one profile.
struct ExpectClause {
  bool written = false;  // false: nothing after the command (base is kOk)
  Expectation base;
  std::vector<std::pair<Profile, Expectation>> overrides;  // distinct profiles

  // The override for `profile`, else the base.
  const Expectation& For(Profile profile) const;
  bool HasOverride(Profile profile) const;

  friend bool operator==(const ExpectClause&, const ExpectClause&) = default;
};

// Regions of a vfio-pci device, by index (bar0..bar5 = 0..5, rom 6, cfg 7,
// vga 8).
enum class Space : uint8_t {
  kBar0 = 0,
  kBar1 = 1,
  kBar2 = 2,
  kBar3 = 3,
  kBar4 = 4,
  kBar5 = 5,
  kRom = 6,
  kCfg = 7,
  kVga = 8,
};
const char* SpaceName(Space space);

// Offsets below 2^40 (the mdev region-offset field).
inline constexpr uint64_t kMaxRegionOffset = (uint64_t{1} << 40) - 1;

// `bar0 r1 LSR == 0x60`, `cfg w4 0x10 0xffffffff`.
struct Access {
  Space space = Space::kBar0;
  bool write = false;
  int width = 1;  // 1, 2 or 4
  uint64_t offset = 0;
  std::string reg_name;  // spelling used for a BAR offset ("LSR"); or empty
  uint32_t value = 0;    // writes only
  ExpectClause expect;   // reads: kValue/kErrno; writes: kOk/kErrno
  friend bool operator==(const Access&, const Access&) = default;
};

// `device mtty-2 profile=any`: the device the trace starts with ("none": the
// trace creates and opens its own).
struct DeviceDecl {
  std::string type;  // "mtty-1", "mtty-2" or "none"
  ProfileSet profiles = ProfileSet::kAny;
  friend bool operator==(const DeviceDecl&, const DeviceDecl&) = default;
};

// `time +4ms`: advance the virtual clock.
struct Time {
  uint64_t ns = 0;
  friend bool operator==(const Time&, const Time&) = default;
};

// `reset`: VFIO_DEVICE_RESET.
struct Reset {
  ExpectClause expect;  // kOk/kErrno
  friend bool operator==(const Reset&, const Reset&) = default;
};

// `ioctl get-info`, `ioctl get-region-info N`, `ioctl get-irq-info N`.
struct InfoIoctl {
  enum class Kind : uint8_t { kDeviceInfo, kRegionInfo, kIrqInfo };
  Kind kind = Kind::kDeviceInfo;
  uint32_t index = 0;   // region / irq index
  ExpectClause expect;  // kOk/kErrno/kFields
  friend bool operator==(const InfoIoctl&, const InfoIoctl&) = default;
};

// `ioctl set-irqs intx trigger eventfd 5 [start S] [count C]`.
struct SetIrqs {
  enum class Action : uint8_t { kMask, kUnmask, kTrigger };
  enum class Data : uint8_t { kNone, kBool, kEventfd };
  uint32_t index = 0;  // 0 intx, 1 msi, 2 msix, 3 err, 4 req, or any number
  Action action = Action::kTrigger;
  Data data = Data::kNone;
  std::vector<int64_t> values;  // bools (0..255) or fds (int32)
  uint32_t start = 0;
  uint32_t count = 0;
  ExpectClause expect;  // kOk/kErrno
  friend bool operator==(const SetIrqs&, const SetIrqs&) = default;
};

// `eventfd 5` / `file 6` / `close-fd 5`: the fake descriptor table that
// SET_IRQS resolves fds in.
struct FdOp {
  enum class Kind : uint8_t { kEventfd, kFile, kClose };
  Kind kind = Kind::kEventfd;
  int32_t fd = 0;
  friend bool operator==(const FdOp&, const FdOp&) = default;
};

// `irq intx == 1`, `irq msi == 0`, `irq fd 5 == 2`, `irq none`: signals since
// the last check of the same eventfd.
struct IrqCheck {
  enum class Target : uint8_t { kIntx, kMsi, kFd, kNone };
  Target target = Target::kNone;
  int32_t fd = 0;       // kFd only
  ExpectClause expect;  // kValue (a count); kNone: not written
  friend bool operator==(const IrqCheck&, const IrqCheck&) = default;
};

// Parent lifecycle: `create mtty-1 UUID`, `remove UUID`, `open UUID`,
// `close`, `available mtty-1 == 24`. Type and UUID are kept as written so
// traces can probe malformed names.
struct Lifecycle {
  enum class Kind : uint8_t { kCreate, kRemove, kOpen, kClose, kAvailable };
  Kind kind = Kind::kCreate;
  std::string type;
  std::string uuid;
  ExpectClause expect;  // kOk/kErrno; kAvailable: kValue/kErrno
  friend bool operator==(const Lifecycle&, const Lifecycle&) = default;
};

// A whole-line comment.
struct Comment {
  friend bool operator==(const Comment&, const Comment&) = default;
};

using Command = std::variant<Comment, DeviceDecl, Access, Time, Reset,
                             InfoIoctl, SetIrqs, FdOp, IrqCheck, Lifecycle>;

struct Statement {
  int line = 0;  // 1-based source line; not part of equality
  // `[kernel] cmd`: the statement runs only on that profile.
  std::optional<Profile> only;
  Command command;
  std::string comment;  // text after '#', trimmed (whole-line or trailing)

  friend bool operator==(const Statement& a, const Statement& b) {
    return a.only == b.only && a.command == b.command && a.comment == b.comment;
  }
};

struct Trace {
  std::string filename;  // for messages; not part of equality
  std::vector<Statement> statements;

  // The `device` header (always the first non-comment statement).
  const DeviceDecl& device() const;

  friend bool operator==(const Trace& a, const Trace& b) {
    return a.statements == b.statements;
  }
};

// A parse error: "file:line: message".
struct ParseError {
  std::string filename;
  int line = 0;
  std::string message;
  std::string ToString() const;
};

class ParseResult {
 public:
  ParseResult(Trace trace) : v_(std::move(trace)) {}  // NOLINT
  ParseResult(ParseError e) : v_(std::move(e)) {}     // NOLINT
  bool ok() const { return std::holds_alternative<Trace>(v_); }
  // Preconditions: ok() / !ok().
  const Trace& trace() const { return std::get<Trace>(v_); }
  Trace& trace() { return std::get<Trace>(v_); }
  const ParseError& error() const { return std::get<ParseError>(v_); }

 private:
  std::variant<Trace, ParseError> v_;
};

ParseResult Parse(std::string_view text, std::string_view filename);

// Canonical text; see the round-trip promise above.
std::string Print(const Trace& trace);
// One statement as it would appear in Print (no newline, no line number).
std::string PrintStatement(const Statement& statement);

// "EFAULT" for 14: the name for the errnos TRACE_FORMAT.md lets a trace
// spell by name, "E<n>" for every other number.
std::string ErrnoSymbol(int err);

}  // namespace mtty::conformance

#endif  // MTTY_CONFORMANCE_TRACE_H_
