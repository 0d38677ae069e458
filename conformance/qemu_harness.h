// Copyright mtty-lab authors.
//
// A QEMU process speaking the qtest protocol on its stdin/stdout, with two
// 16550A UARTs (QEMU's hw/char/serial.c) on the ISA bus:
//
//   qemu-system-x86_64 -M pc -nodefaults -display none -accel tcg -S
//     -qtest stdio -qtest-log /dev/null
//     -chardev null,id=c0 -device isa-serial,iobase=0x3f8,irq=4,chardev=c0
//     -chardev null,id=c1 -device isa-serial,iobase=0x2f8,irq=3,chardev=c1
//
// -S keeps the CPU stopped, so no firmware touches the UARTs and QEMU's
// virtual clock does not run (Debian's QEMU has no qtest accelerator, so
// `clock_step` is unavailable: the UARTs' character timeout never fires).
// The IOAPIC inputs are intercepted, so "IRQ raise/lower N" messages give the
// UARTs' interrupt line levels.
//
// Promises: no call blocks for longer than the timeout. When the object goes
// away QEMU gets SIGTERM (it shuts down cleanly, flushing its qtest log) and
// is reaped; if it is still there after 2 s it gets SIGKILL. Signals go to
// its pid only.
#ifndef MTTY_CONFORMANCE_QEMU_HARNESS_H_
#define MTTY_CONFORMANCE_QEMU_HARNESS_H_

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace mtty::conformance {

// The I/O base and ISA IRQ of UART `port` (0 or 1) in the QEMU machine.
inline constexpr std::array<uint16_t, 2> kQemuUartBase = {0x3f8, 0x2f8};
inline constexpr std::array<int, 2> kQemuUartIrq = {4, 3};

// Finds qemu-system-x86_64: $MTTY_QEMU if set, else the first executable in
// $PATH, else /usr/bin. Empty when there is none.
std::string FindQemu();

class QemuQtest {
 public:
  struct Options {
    std::string binary;                        // from FindQemu() when empty
    std::chrono::milliseconds timeout{20000};  // per Exchange()
    // Where QEMU writes its qtest log ("[R +t] inb ..", "[S +t] OK .."); the
    // log is complete once the object has been destroyed.
    std::string qtest_log = "/dev/null";
  };

  // -ENOENT when no QEMU binary exists; -EIO if it does not answer qtest.
  static Result<std::unique_ptr<QemuQtest>> Start(const Options& options);
  ~QemuQtest();
  QemuQtest(const QemuQtest&) = delete;
  QemuQtest& operator=(const QemuQtest&) = delete;

  // One qtest command's reply: "OK", "OK 0x..", "FAIL ..." or "ERR ...".
  struct Reply {
    std::string text;
    bool ok = false;
    uint64_t value = 0;  // the number after OK, if any
    // IRQ line levels right after this command (indexed by ISA IRQ 0..15).
    std::array<bool, 16> irq{};
  };

  // Sends `commands` (one per line, without '\n') and returns one Reply per
  // command, in order. Writes and reads are interleaved, so any batch size
  // is safe. -ETIMEDOUT / -EPIPE / -EIO when QEMU stops answering.
  Result<std::vector<Reply>> Exchange(const std::vector<std::string>& commands);

  // Convenience wrappers; a FAIL reply is -EIO.
  Status Outb(uint16_t port, uint8_t value);
  Result<uint8_t> Inb(uint16_t port);

  bool irq_level(int irq) const { return irq >= 0 && irq < 16 && irq_[irq]; }

 private:
  QemuQtest() = default;

  pid_t pid_ = -1;
  int to_qemu_ = -1;     // QEMU's stdin
  int from_qemu_ = -1;   // QEMU's stdout
  std::string pending_;  // partial line read from QEMU
  std::array<bool, 16> irq_{};
  std::chrono::milliseconds timeout_{20000};
};

}  // namespace mtty::conformance

#endif  // MTTY_CONFORMANCE_QEMU_HARNESS_H_
