// Copyright mtty-lab authors.
//
// tools/qtest2trace's converter: a QEMU session that touched a 16550A becomes
// a conformance trace whose expected values are QEMU's answers.
//
// Two inputs are understood:
//  * a qtest log: the file written by `-qtest-log FILE` ("[R +t] inb 0x3fd",
//    "[S +t] OK 0x0060", "[I ...]" lines), or a plain transcript with the
//    commands and their "OK ..." replies interleaved. outb/outw/outl become
//    writes, inb/inw/inl reads checked against the reply, `clock_step N`
//    becomes `time +N`; everything else (including FAIL replies and IRQ
//    messages) becomes a comment.
//  * a `-trace serial_*` log (`serial_read read addr 0x05 val 0x60`,
//    `serial_write write addr 0x03 val 0x83`, optionally "pid@sec.usec:"
//    prefixed; also the older serial_ioport_read/write names). These name
//    no UART, so every access goes to BAR0; other serial_* events become
//    comments and unrelated lines are dropped.
// I/O addresses in [base0, base0 + 8) map to BAR0 and [base1, base1 + 8) to
// BAR1 (then the device is an mtty-2); other addresses become comments.
//
// QEMU's reset values differ from the 16550a profile's (MCR 0x08, divisor
// 12) and QEMU's null chardev only loops data back with MCR.LOOP set, so a
// session replays green on the 16550a profile when it writes MCR (with LOOP
// for looped data) and the divisor before reading them.
#ifndef MTTY_CONFORMANCE_QTEST_LOG_H_
#define MTTY_CONFORMANCE_QTEST_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/trace.h"

namespace mtty::conformance {

enum class QemuLogFormat : uint8_t { kAuto, kQtest, kSerialTrace };

struct ConvertOptions {
  QemuLogFormat format = QemuLogFormat::kAuto;
  uint16_t base0 = 0x3f8;
  std::optional<uint16_t> base1 = 0x2f8;
  ProfileSet profiles = ProfileSet::k16550aOnly;
  std::string source_name = "<stdin>";  // named in the header and errors

  // Capture mode (tools/capture_trace: a real guest under QEMU):
  //  * loopback: the mtty card loops TX into RX, QEMU's chardev does not.
  //    After every THR write made outside MCR.LOOP, a read of RBR that
  //    takes the looped byte back out is added (marked as the converter's),
  //    so the guest's own reads see the RX the guest saw on QEMU. Bytes
  //    written with MCR.LOOP set loop back on QEMU too and are left alone.
  //  * QEMU's power-on state, which the datasheet leaves open (MCR 0x08,
  //    divisor 12), is written first, marked as the converter's.
  //  * strict: a line that does not end in a newline (a truncated log) or
  //    an unknown serial_* event is an error with its line number.
  bool capture = false;
  // Comment lines for the header (the `# source:` line among them); when
  // empty the header names QEMU and source_name.
  std::vector<std::string> header;
};

// kQtest or kSerialTrace by content; kAuto when neither is recognisable.
QemuLogFormat DetectQemuLogFormat(std::string_view text);

// Converts a log. Errors ("name:line: what") for a reply without a command,
// a command without a reply, a read reply without a value, unparsable
// numbers, an unrecognisable format or input above kMaxTraceBytes.
ParseResult ConvertQemuLog(std::string_view text,
                           const ConvertOptions& options);

}  // namespace mtty::conformance

#endif  // MTTY_CONFORMANCE_QTEST_LOG_H_
