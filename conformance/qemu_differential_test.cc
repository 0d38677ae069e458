// Copyright mtty-lab authors.
//
// //conformance:qemu_differential — QEMU's 16550A (hw/char/serial.c) as an
// independent oracle for the 16550a profile. Replays every UART-level trace
// and 3000 seeded random register programs on both, and fails on any
// difference that conformance/differential.cc's allowlist does not explain.
// Skipped, saying so, when qemu-system-x86_64 is not installed.
#include <gtest/gtest.h>

#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "conformance/differential.h"
#include "conformance/qemu_harness.h"
#include "conformance/trace.h"
#include "conformance/trace_files.h"

namespace mtty::conformance {
namespace {

constexpr uint32_t kSeed = 0x16550a;
constexpr int kPrograms = 3000;

#define SKIP_WITHOUT_QEMU()                                                  \
  do {                                                                       \
    if (FindQemu().empty()) {                                                \
      GTEST_SKIP() << "qemu-system-x86_64 is not installed (tools/setup.sh " \
                      "installs qemu-system-x86); the QEMU differential "    \
                      "did not run";                                         \
    }                                                                        \
  } while (0)

void Report(const std::string& title, const DiffStats& stats) {
  std::cout << title << ": " << stats.ops << " ops, " << stats.reads_compared
            << " reads and " << stats.lines_compared
            << " IRQ-line levels compared, " << stats.skipped_rx_diverged
            << " comparisons paused while receive paths diverged\n";
  for (const auto& [id, n] : stats.allowed) {
    std::cout << "  allowed " << id << ": " << n << "\n";
  }
}

void ExpectNoMismatch(const DiffStats& stats) {
  for (const Mismatch& m : stats.mismatches) ADD_FAILURE() << m.ToString();
}

// What the harness assumes about QEMU, checked on the live binary so a
// different QEMU version cannot silently change the comparison.
TEST(QemuFactsTest, HarnessAssumptionsHold) {
  SKIP_WITHOUT_QEMU();
  Result<std::unique_ptr<QemuQtest>> q = QemuQtest::Start({});
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  QemuQtest& qemu = **q;
  const uint16_t base = kQemuUartBase[0];
  // Reset values: MCR OUT2 (the datasheet says 0) and divisor 12.
  EXPECT_EQ(*qemu.Inb(base + kMcr), 0x08);
  EXPECT_EQ(*qemu.Inb(base + kLsr), 0x60);
  EXPECT_EQ(*qemu.Inb(base + kMsr), 0xb0);
  ASSERT_TRUE(qemu.Outb(base + kLcr, 0x80).ok());
  EXPECT_EQ(*qemu.Inb(base + kRbrThr), 0x0c);
  ASSERT_TRUE(qemu.Outb(base + kLcr, 0x00).ok());
  // Outside loopback the null chardev swallows THR: nothing comes back.
  ASSERT_TRUE(qemu.Outb(base + kRbrThr, 0x41).ok());
  EXPECT_EQ(*qemu.Inb(base + kLsr), 0x60);
  // With MCR 0x1b (LOOP | OUT2 | RTS | DTR) it loops, and the looped modem
  // inputs read DCD | DSR | CTS = 0xb0, the profile's fixed inputs.
  ASSERT_TRUE(qemu.Outb(base + kMcr, 0x1b).ok());
  EXPECT_EQ(*qemu.Inb(base + kMsr), 0xb0);
  ASSERT_TRUE(qemu.Outb(base + kRbrThr, 0x42).ok());
  EXPECT_EQ(*qemu.Inb(base + kLsr), 0x61);
  EXPECT_EQ(*qemu.Inb(base + kRbrThr), 0x42);
  // The interrupt line follows IIR (no OUT2 gating): THRI raises IRQ 4.
  EXPECT_FALSE(qemu.irq_level(4));
  ASSERT_TRUE(qemu.Outb(base + kIer, 0x02).ok());
  EXPECT_TRUE(qemu.irq_level(4));
  EXPECT_EQ(*qemu.Inb(base + kIirFcr), 0x02);
  EXPECT_FALSE(qemu.irq_level(4));
  // `clock_step` needs the qtest accelerator: time cannot advance.
  Result<std::vector<QemuQtest::Reply>> r = qemu.Exchange({"clock_step 1000"});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE((*r)[0].ok) << (*r)[0].text;
}

// The comparison is not vacuous: the kernel profile (OR-ed IIR, no loopback
// MSR, sticky OE) disagrees with QEMU on Linux's autoconfig sequence.
TEST(QemuDifferentialTest, KernelProfileIsCaught) {
  SKIP_WITHOUT_QEMU();
  ParseResult parsed = LoadTrace(TraceDir() + "/linux_8250_autoconfig.trace");
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  std::vector<UartOp> ops;
  ASSERT_TRUE(ExtractUartOps(parsed.trace(), ops));
  Result<std::unique_ptr<Differential>> diff =
      Differential::Create(Profile::kKernel);
  ASSERT_TRUE(diff.ok()) << diff.status().ToString();
  DiffStats stats;
  ASSERT_TRUE((*diff)->Run(ops, "autoconfig/kernel", stats).ok());
  EXPECT_FALSE(stats.mismatches.empty());
}

TEST(QemuDifferentialTest, EveryUartTraceAgreesWithQemu) {
  SKIP_WITHOUT_QEMU();
  DiffStats total;
  int traces = 0;
  for (const std::string& path : ListTraceFiles(TraceDir())) {
    ParseResult parsed = LoadTrace(path);
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    std::vector<UartOp> ops;
    if (!ExtractUartOps(parsed.trace(), ops) || ops.empty()) {
      std::cout << "not UART-level, skipped: " << TraceName(path) << "\n";
      continue;
    }
    ++traces;
    Result<std::unique_ptr<Differential>> diff = Differential::Create();
    ASSERT_TRUE(diff.ok()) << diff.status().ToString();
    DiffStats stats;
    Status s = (*diff)->Run(ops, TraceName(path), stats);
    ASSERT_TRUE(s.ok()) << TraceName(path) << ": " << s.ToString();
    Report(TraceName(path), stats);
    total.Merge(stats);
  }
  EXPECT_GE(traces, 15);
  Report("all traces", total);
  ExpectNoMismatch(total);
}

TEST(QemuDifferentialTest, RandomProgramsAgreeWithQemu) {
  SKIP_WITHOUT_QEMU();
  Result<std::unique_ptr<Differential>> diff = Differential::Create();
  ASSERT_TRUE(diff.ok()) << diff.status().ToString();
  std::mt19937 rng(kSeed);
  DiffStats total;
  for (int i = 0; i < kPrograms; ++i) {
    std::vector<UartOp> ops = RandomProgram(rng, 32 + rng() % 224);
    for (uint8_t port : {uint8_t{0}, uint8_t{1}}) {
      std::vector<UartOp> resync = ResyncProgram(port);
      ops.insert(ops.end(), resync.begin(), resync.end());
    }
    const std::string context = "random program " + std::to_string(i) +
                                " (seed " + std::to_string(kSeed) + ")";
    Status s = (*diff)->Run(ops, context, total);
    ASSERT_TRUE(s.ok()) << context << ": " << s.ToString();
    if (total.mismatches.size() >= DiffStats::kMaxMismatches) break;
  }
  Report(std::to_string(kPrograms) + " random programs", total);
  EXPECT_GT(total.reads_compared, 100000u);
  ExpectNoMismatch(total);
}

// The allowlist is short, and each entry says which side follows the
// datasheet.
TEST(AllowlistTest, ShortAndDocumented) {
  EXPECT_LE(Allowlist().size(), 6u);
  for (const AllowlistEntry& e : Allowlist()) {
    EXPECT_GT(std::string(e.id).size(), 0u);
    EXPECT_GT(std::string(e.difference).size(), 40u) << e.id;
    EXPECT_NE(std::string(e.datasheet).find("datasheet"), std::string::npos)
        << e.id;
  }
}

}  // namespace
}  // namespace mtty::conformance
