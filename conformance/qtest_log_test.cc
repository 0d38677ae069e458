// Copyright mtty-lab authors.
#include "conformance/qtest_log.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "conformance/qemu_harness.h"
#include "conformance/runner.h"
#include "conformance/trace.h"
#include "conformance/trace_files.h"

namespace mtty::conformance {
namespace {

const char* kTestdata = "conformance/testdata/";

std::string MustConvert(std::string_view text, ConvertOptions opt = {}) {
  opt.source_name = "t.log";
  ParseResult r = ConvertQemuLog(text, opt);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().ToString());
  return r.ok() ? Print(r.trace()) : "";
}

std::string ErrorOf(std::string_view text) {
  ConvertOptions opt;
  opt.source_name = "t.log";
  ParseResult r = ConvertQemuLog(text, opt);
  return r.ok() ? "(converted)" : r.error().ToString();
}

// The printed trace parses back and replays with every check holding.
void ExpectReplaysGreen(const std::string& text, size_t min_checks) {
  ParseResult parsed = Parse(text, "converted.trace");
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString() << "\n" << text;
  RunResult r = RunTrace(parsed.trace(), Profile::k16550a);
  for (const Failure& f : r.failures) ADD_FAILURE() << f.ToString();
  EXPECT_TRUE(r.passed());
  EXPECT_GE(r.checks, min_checks);
}

constexpr const char* kHeader =
    "# Converted by tools/qtest2trace from t.log (QEMU qtest log).\n"
    "# source: QEMU hw/char/serial.c (16550A), the session recorded in "
    "t.log\n"
    "# Expected values are QEMU's answers.\n";

TEST(QtestLogTest, ConvertsTheQtestLogForm) {
  EXPECT_EQ(MustConvert("[I 0.000000] OPENED\n"
                        "[R +0.1] outb 0x3fb 0x83\n"
                        "[S +0.1] OK\n"
                        "[R +0.1] inb 0x3f8\n"
                        "[S +0.1] OK 0x000c\n"
                        "[R +0.1] outb 0x3fb 0x03\n"
                        "[S +0.1] OK\n"
                        "[R +0.1] inw 0x3fc\n"
                        "[S +0.1] OK 0x601b\n"
                        "[I +0.2] CLOSED\n"),
            std::string(kHeader) +
                "device mtty-1 profile=16550a\n"
                "bar0 w1 LCR 0x83\n"
                "bar0 r1 DLL == 0x0c\n"  // DLAB tracked for the names
                "bar0 w1 LCR 0x03\n"
                "bar0 r2 0x4 == 0x601b\n");
}

TEST(QtestLogTest, ConvertsAPlainTranscript) {
  EXPECT_EQ(MustConvert("outb 0x3f9 0x2\nOK\ninb 0x3fa\nOK 0x0002\n"
                        "IRQ raise 4\n"
                        "clock_step 1000\nOK 1000\n"
                        "outb 0x80 0xff\nOK\n"
                        "clock_step\nFAIL Unknown command 'clock_step'\n"),
            std::string(kHeader) +
                "device mtty-1 profile=16550a\n"
                "bar0 w1 IER 0x02\n"
                "bar0 r1 IIR == 0x02\n"
                "# qtest: IRQ raise 4\n"
                "time +1us\n"
                "# qtest: outb 0x80 0xff (not a UART register)\n"
                "# qtest: clock_step -> FAIL Unknown command 'clock_step'\n");
}

TEST(QtestLogTest, SecondUartBecomesBar1) {
  ConvertOptions opt;
  opt.profiles = ProfileSet::kAny;
  const std::string out =
      MustConvert("outb 0x2ff 0x11\nOK\ninb 0x2ff\nOK 0x11\n", opt);
  EXPECT_NE(out.find("device mtty-2 profile=any\n"), std::string::npos);
  EXPECT_NE(out.find("bar1 w1 SCR 0x11\nbar1 r1 SCR == 0x11\n"),
            std::string::npos)
      << out;
}

TEST(QtestLogTest, ConvertsASerialTraceLog) {
  const std::string out = MustConvert(
      "1234@1700000000.123456:serial_write write addr 0x03 val 0x80\n"
      "serial_update_parameters baudrate=9600 parity='N' data=8 stop=1\n"
      "kvm_something unrelated\n"
      "serial_read read addr 0x00 val 0x0c\n"
      "serial_ioport_write write addr 0x03 val 0x03\n");
  EXPECT_NE(out.find("(QEMU -trace serial_* log)"), std::string::npos);
  EXPECT_NE(out.find("device mtty-1 profile=16550a\n"
                     "bar0 w1 LCR 0x80\n"
                     "# serial_update_parameters baudrate=9600 parity='N' "
                     "data=8 stop=1\n"
                     "bar0 r1 DLL == 0x0c\n"
                     "bar0 w1 LCR 0x03\n"),
            std::string::npos)
      << out;
}

TEST(QtestLogTest, Errors) {
  EXPECT_EQ(ErrorOf("OK 0x1\n"), "t.log:1: reply without a command");
  EXPECT_EQ(ErrorOf("inb 0x3f8\ninb 0x3f9\nOK 0x0\n"),
            "t.log:1: no reply for 'inb 0x3f8'");
  EXPECT_EQ(ErrorOf("inb 0x3f8\n"), "t.log:1: no reply for 'inb 0x3f8'");
  EXPECT_EQ(ErrorOf("inb 0x3f8\nOK\n"),
            "t.log:1: read reply without a value: 'OK'");
  EXPECT_EQ(ErrorOf("outb 0x3zz 1\nOK\n"), "t.log:1: bad address '0x3zz'");
  EXPECT_EQ(ErrorOf("[R +0.1 inb 0x3f8\n"), "t.log:1: unterminated '[' prefix");
  EXPECT_EQ(ErrorOf("hello\n"),
            "t.log:0: neither a qtest log nor a -trace serial_* log");
  EXPECT_EQ(ErrorOf("serial_read read addr 0x05\n"),
            "t.log:1: expected 'addr 0x.. val 0x..'");
}

ConvertOptions Capture() {
  ConvertOptions opt;
  opt.capture = true;
  opt.header = {"A test capture.", "source: Debian test 1.0"};
  return opt;
}

std::string CaptureErrorOf(std::string_view text) {
  ConvertOptions opt = Capture();
  opt.source_name = "t.log";
  ParseResult r = ConvertQemuLog(text, opt);
  return r.ok() ? "(converted)" : r.error().ToString();
}

// Capture mode starts from QEMU's power-on state and takes every looped
// byte back out, so a guest that never reads RX replays green although the
// mtty card loops its TX into RX.
TEST(QtestLogTest, CaptureUndoesTheLoopbackAndStartsFromQemusResetState) {
  const std::string out = MustConvert(
      "serial_read read addr 0x04 val 0x08\n"  // MCR before any write
      "serial_write write addr 0x00 val 0x68\n"
      "serial_read read addr 0x05 val 0x60\n"
      "serial_write write addr 0x00 val 0x69\n"
      "serial_read read addr 0x05 val 0x60\n",
      Capture());
  EXPECT_EQ(out.rfind("# A test capture.\n# source: Debian test 1.0\n", 0), 0u)
      << out;
  EXPECT_NE(out.find("bar0 w1 MCR 0x08\nbar0 r1 MCR == 0x08\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("bar0 w1 THR 0x68\nbar0 r1 RBR == 0x68  # converter: "),
            std::string::npos)
      << out;
  ExpectReplaysGreen(out, 6);
}

// Bytes written under MCR.LOOP loop back on QEMU too: no take-back read.
TEST(QtestLogTest, CaptureLeavesBytesLoopedUnderMcrLoop) {
  const std::string out = MustConvert(
      "serial_write write addr 0x02 val 0x01\n"
      "serial_write write addr 0x04 val 0x10\n"
      "serial_write write addr 0x00 val 0x41\n"
      "serial_read read addr 0x05 val 0x61\n"
      "serial_read read addr 0x00 val 0x41\n"
      "serial_write write addr 0x04 val 0x00\n"
      "serial_write write addr 0x00 val 0x42\n"
      "serial_read read addr 0x05 val 0x60\n",
      Capture());
  EXPECT_EQ(out.find("bar0 r1 RBR == 0x41  # converter"), std::string::npos)
      << out;
  EXPECT_NE(out.find("bar0 r1 RBR == 0x42  # converter"), std::string::npos)
      << out;
  ExpectReplaysGreen(out, 4);
}

TEST(QtestLogTest, CaptureCountsIdenticalLsrPolls) {
  std::string log;
  for (int i = 0; i < 10; ++i) log += "serial_read read addr 0x05 val 0x60\n";
  for (int i = 0; i < 3; ++i) log += "serial_read read addr 0x05 val 0x62\n";
  const std::string out = MustConvert(log, Capture());
  EXPECT_NE(out.find("bar0 r1 LSR == 0x60\nbar0 r1 LSR == 0x60\n# converter: 8 "
                     "more identical reads of LSR == 0x60"),
            std::string::npos)
      << out;
  size_t oe = 0;  // OE set: a read clears it, so none is elided
  for (size_t at = out.find("LSR == 0x62"); at != std::string::npos;
       at = out.find("LSR == 0x62", at + 1)) {
    ++oe;
  }
  EXPECT_EQ(oe, 3u) << out;
}

TEST(QtestLogTest, CaptureRejectsATruncatedLogWithItsLine) {
  EXPECT_EQ(CaptureErrorOf("serial_read read addr 0x05 val 0x60\n"
                           "serial_write write addr 0x00 val 0x4"),
            "t.log:2: the log ends inside a line: truncated (QEMU killed "
            "while writing it?)");
  EXPECT_EQ(CaptureErrorOf("serial_read read addr 0x05 val 0x60\n"
                           "serial_wri\n"),
            "t.log:2: unknown serial trace event 'serial_wri' (truncated "
            "line?)");
  EXPECT_EQ(CaptureErrorOf("serial_read read addr 0x05\n"),
            "t.log:1: expected 'addr 0x.. val 0x..'");
}

// The acceptance test: a session recorded with
//   qemu-system-x86_64 -M pc -nodefaults -display none -accel tcg -S
//     -qtest stdio -qtest-log FILE -chardev null,id=c0
//     -device isa-serial,iobase=0x3f8,chardev=c0 -trace 'serial_*' -D LOG
// (conformance/testdata/qemu_loopback_session.*) converts to a trace that
// replays green on the 16550a profile.
TEST(QtestLogTest, RecordedQtestLogReplaysGreen) {
  Result<std::string> log =
      ReadFile(std::string(kTestdata) + "qemu_loopback_session.qtest.log");
  ASSERT_TRUE(log.ok());
  const std::string trace = MustConvert(*log);
  EXPECT_NE(trace.find("bar0 r1 RBR == 0x68"), std::string::npos);
  ExpectReplaysGreen(trace, 24);
}

TEST(QtestLogTest, RecordedSerialTraceLogReplaysGreen) {
  Result<std::string> log = ReadFile(std::string(kTestdata) +
                                     "qemu_loopback_session.serial-trace.log");
  ASSERT_TRUE(log.ok());
  ExpectReplaysGreen(MustConvert(*log), 24);
}

// The same with a session recorded now from the installed QEMU.
TEST(QtestLogTest, LiveQemuSessionReplaysGreen) {
  if (FindQemu().empty()) {
    GTEST_SKIP() << "qemu-system-x86_64 is not installed";
  }
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path =
      std::string(tmp != nullptr ? tmp : "/tmp") + "/live_session.qtest.log";
  {
    QemuQtest::Options opt;
    opt.qtest_log = path;
    Result<std::unique_ptr<QemuQtest>> q = QemuQtest::Start(opt);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    std::vector<std::string> cmds = {
        "outb 0x3fb 0x83", "outb 0x3f8 0x0c", "outb 0x3f9 0x00",
        "outb 0x3fb 0x1a", "outb 0x3fc 0x1b", "outb 0x3fa 0x41",
        "outb 0x3f9 0x05", "inb 0x3fa",       "outb 0x3f8 0x31",
        "outb 0x3f8 0x32", "outb 0x3f8 0x33", "inb 0x3fa",
        "outb 0x3f8 0x34", "inb 0x3fa",       "inb 0x3fd",
        "inb 0x3f8",       "inb 0x3fa",       "inb 0x3f8",
        "inb 0x3f8",       "inb 0x3f8",       "inb 0x3fd",
        "inb 0x3fa",       "inb 0x3fb",       "inb 0x3fc",
        "inb 0x3fe"};
    ASSERT_TRUE((*q)->Exchange(cmds).ok());
  }  // QEMU exits and flushes its log
  Result<std::string> log = ReadFile(path);
  ASSERT_TRUE(log.ok());
  const std::string trace = MustConvert(*log);
  EXPECT_NE(trace.find("bar0 r1 IIR == 0xc4"), std::string::npos) << trace;
  ExpectReplaysGreen(trace, 17);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace mtty::conformance
