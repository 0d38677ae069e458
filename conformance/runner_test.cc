// Copyright mtty-lab authors.
#include "conformance/runner.h"

#include <gtest/gtest.h>

#include <string>

#include "conformance/trace.h"

namespace mtty::conformance {
namespace {

RunResult RunText(std::string_view text, Profile profile) {
  ParseResult p = Parse(text, "r.trace");
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().ToString());
  if (!p.ok()) return RunResult();
  return RunTrace(p.trace(), profile);
}

TEST(RunnerTest, PassingTraceCountsChecks) {
  RunResult r = RunText(
      "device mtty-1\n"
      "bar0 r1 LSR == 0x60\n"
      "cfg r4 0 == 0x32534348\n",
      Profile::k16550a);
  EXPECT_TRUE(r.passed());
  EXPECT_EQ(r.checks, 3u);  // the device header opens: one check
  EXPECT_EQ(r.statements_run, 3u);
  EXPECT_EQ(Verdict(r), "pass");
}

TEST(RunnerTest, FailureCarriesLineExpectedActualAndDecodedRegisters) {
  RunResult r = RunText(
      "device mtty-1\n"
      "bar0 w1 FCR 0x01\n"
      "bar0 w1 IER 0x01\n"
      "bar0 w1 THR 0x41\n"
      "bar0 r1 IIR == 0xc1\n",
      Profile::k16550a);
  ASSERT_EQ(r.failures.size(), 1u);
  const Failure& f = r.failures[0];
  EXPECT_EQ(f.filename, "r.trace");
  EXPECT_EQ(f.line, 5);
  EXPECT_EQ(f.statement, "bar0 r1 IIR == 0xc1");
  EXPECT_EQ(f.expected, "0xc1");
  EXPECT_EQ(f.actual, "0xc4");
  EXPECT_EQ(f.explanation,
            "actual: IIR 0xc4 = FIFO on, RDA pending | expected: IIR 0xc1 = "
            "FIFO on, no interrupt pending | differing bits 0x05");
  EXPECT_NE(f.device.find("rx=[41]"), std::string::npos) << f.device;
  EXPECT_EQ(Verdict(r), "FAIL (1)");
  EXPECT_NE(f.ToString().find("r.trace:5: bar0 r1 IIR == 0xc1\n  expected: "
                              "0xc1\n  actual:   0xc4\n  decoded:  actual: "),
            std::string::npos)
      << f.ToString();
}

TEST(RunnerTest, DlabSelectsDivisorNamesInExplanation) {
  RunResult r = RunText(
      "device mtty-1\n"
      "bar0 w1 LCR 0x80\n"
      "bar0 w1 DLL 0x0c\n"
      "bar0 r1 DLL == 0x01\n",
      Profile::k16550a);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].explanation,
            "actual: DLL 0x0c = divisor low byte | expected: DLL 0x01 = "
            "divisor low byte | differing bits 0x0d");
}

TEST(RunnerTest, OverrideIsAKnownDeviationOnlyForItsProfile) {
  const char* text =
      "device mtty-1\n"
      "bar0 r1 IIR == 0x01 [kernel] == 0xc1\n";
  RunResult k = RunText(text, Profile::kKernel);
  RunResult a = RunText(text, Profile::k16550a);
  EXPECT_TRUE(k.passed());
  ASSERT_EQ(k.deviations.size(), 1u);
  EXPECT_EQ(k.deviations[0].line, 2);
  EXPECT_EQ(Verdict(k), "known deviation (1)");
  EXPECT_TRUE(a.passed());
  EXPECT_TRUE(a.deviations.empty());
}

// A deviation that stops holding is a failure, not silence.
TEST(RunnerTest, WrongOverrideFails) {
  RunResult k = RunText("device mtty-1\nbar0 r1 IIR == 0x01 [kernel] == 0x01\n",
                        Profile::kKernel);
  ASSERT_EQ(k.failures.size(), 1u);
  EXPECT_EQ(k.failures[0].actual, "0xc1");
}

TEST(RunnerTest, MaskLimitsTheComparedBits) {
  RunResult r = RunText("device mtty-1\nbar0 r1 IIR == 0x01 mask 0x0f\n",
                        Profile::kKernel);
  EXPECT_TRUE(r.passed());
}

TEST(RunnerTest, OnlyPrefixRunsOnThatProfile) {
  const char* text =
      "device mtty-1\n"
      "[kernel] bar0 w1 SCR 0x55\n"
      "bar0 r1 SCR == 0x55 [16550a] == 0x00\n";
  EXPECT_TRUE(RunText(text, Profile::kKernel).passed());
  EXPECT_TRUE(RunText(text, Profile::k16550a).passed());
}

TEST(RunnerTest, ProfileHeaderSkipsOtherProfile) {
  RunResult r = RunText("device mtty-1 profile=16550a\nbar0 r1 LSR == 0x60\n",
                        Profile::kKernel);
  EXPECT_TRUE(r.skipped);
  EXPECT_EQ(r.skip_reason, "trace declares profile=16550a");
  EXPECT_EQ(Verdict(r), "skipped");
}

TEST(RunnerTest, RegionErrorsAreComparable) {
  RunResult r = RunText(
      "device mtty-1\n"
      "bar1 r1 0 == -EFAULT\n"
      "bar0 w1 8 0x00 == -EFAULT\n"
      "cfg r4 0xfc == -EFAULT\n",
      Profile::k16550a);
  EXPECT_TRUE(r.passed()) << r.failures[0].ToString();
}

TEST(RunnerTest, IrqCountsSignalsSinceTheLastCheck) {
  const char* text =
      "device mtty-1\n"
      "eventfd 5\n"
      "ioctl get-info\n"
      "ioctl set-irqs msi trigger eventfd 5\n"
      "irq msi == 0\n"
      "bar0 w1 IER 0x02\n"
      "irq msi == 1\n"
      "irq fd 5 == 0\n"
      "bar0 w1 IER 0x02\n"
      "irq msi == 0 [kernel] == 1\n"
      "irq none\n";
  RunResult k = RunText(text, Profile::kKernel);
  RunResult a = RunText(text, Profile::k16550a);
  EXPECT_TRUE(k.passed()) << k.failures[0].ToString();
  EXPECT_TRUE(a.passed()) << a.failures[0].ToString();
}

TEST(RunnerTest, IrqNoneReportsWhatFired) {
  RunResult r = RunText(
      "device mtty-1\n"
      "eventfd 5\n"
      "ioctl get-info\n"
      "ioctl set-irqs msi trigger eventfd 5\n"
      "bar0 w1 IER 0x02\n"
      "irq none\n",
      Profile::k16550a);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].expected, "no signals");
  EXPECT_EQ(r.failures[0].actual, "fd 5 1");
}

TEST(RunnerTest, IrqWithoutInstalledEventfdFails) {
  RunResult r = RunText("device mtty-1\nirq intx == 0\n", Profile::k16550a);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].actual, "none");
}

TEST(RunnerTest, LifecycleThroughTheParent) {
  RunResult r = RunText(
      "device none\n"
      "available mtty-2 == 12\n"
      "create mtty-2 11111111-2222-3333-4444-555555555555\n"
      "create mtty-2 11111111-2222-3333-4444-555555555555 == -EEXIST\n"
      "create mtty-1 not-a-uuid == -EINVAL\n"
      "available mtty-2 == 11\n"
      "bar0 r1 LSR == 0x60\n"
      "open 11111111-2222-3333-4444-555555555555\n"
      "bar1 r1 LSR == 0x60\n"
      "remove 11111111-2222-3333-4444-555555555555 == -EBUSY\n"
      "close\n"
      "remove 11111111-2222-3333-4444-555555555555\n"
      "available mtty-2 == 12\n"
      "open 11111111-2222-3333-4444-555555555555 == -ENODEV\n",
      Profile::kKernel);
  // The only failure is the BAR read with no device open.
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].line, 7);
  EXPECT_EQ(r.failures[0].actual, "no device is open");
}

TEST(RunnerTest, TimeDrivesTheCharacterTimeout) {
  // 115200 8N1: 4 frames of 10 bits = 347223 ns.
  const char* text =
      "device mtty-1\n"
      "bar0 w1 LCR 0x83\n"
      "bar0 w1 DLL 0x01\n"
      "bar0 w1 DLM 0x00\n"
      "bar0 w1 LCR 0x03\n"
      "bar0 w1 FCR 0x41\n"
      "bar0 w1 IER 0x01\n"
      "bar0 w1 THR 0x41\n"
      "time +347222ns\n"
      "bar0 r1 IIR == 0xc1 [kernel] == 0xc4\n"
      "time +1ns\n"
      "bar0 r1 IIR == 0xcc [kernel] == 0xc4\n";
  EXPECT_TRUE(RunText(text, Profile::k16550a).passed());
  RunResult k = RunText(text, Profile::kKernel);
  EXPECT_TRUE(k.passed()) << k.failures[0].ToString();
  RunOptions no_time;
  no_time.skip_time = true;
  ParseResult p = Parse(text, "t");
  ASSERT_TRUE(p.ok());
  RunResult a = RunTrace(p.trace(), Profile::k16550a, no_time);
  ASSERT_EQ(a.failures.size(), 1u);
  EXPECT_EQ(a.failures[0].line, 12);
}

TEST(RunnerTest, IoctlFields) {
  RunResult r = RunText(
      "device mtty-2\n"
      "ioctl get-info == flags 0x2 regions 9 irqs 5\n"
      "ioctl get-region-info 1 == size 8 offset 0x10000000000 flags 0x3\n"
      "ioctl get-region-info 7 == size 0xff\n"
      "ioctl get-region-info 9 == -EINVAL\n"
      "ioctl get-irq-info 0 == flags 0x7 count 1\n",
      Profile::kKernel);
  EXPECT_TRUE(r.passed()) << r.failures[0].ToString();
  RunResult bad = RunText("device mtty-1\nioctl get-region-info 1 == size 8\n",
                          Profile::kKernel);
  ASSERT_EQ(bad.failures.size(), 1u);
  EXPECT_EQ(bad.failures[0].actual, "flags 0x3 size 0x0 offset 0x10000000000");
}

}  // namespace
}  // namespace mtty::conformance
