// Copyright mtty-lab authors.
#include "conformance/trace.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace mtty::conformance {
namespace {

Trace MustParse(std::string_view text) {
  ParseResult r = Parse(text, "t.trace");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().ToString());
  return r.ok() ? r.trace() : Trace();
}

std::string ErrorOf(std::string_view text) {
  ParseResult r = Parse(text, "t.trace");
  return r.ok() ? "(parsed)" : r.error().ToString();
}

const Access& AccessAt(const Trace& t, size_t i) {
  return std::get<Access>(t.statements.at(i).command);
}

TEST(TraceParseTest, DeviceHeaderAndReadWithMask) {
  Trace t = MustParse(
      "# header\n"
      "device mtty-2 profile=16550a\n"
      "bar1 r1 LSR == 0x60 mask 0x61  # idle\n");
  ASSERT_EQ(t.statements.size(), 3u);
  EXPECT_EQ(t.statements[0].comment, "header");
  EXPECT_EQ(t.device().type, "mtty-2");
  EXPECT_EQ(t.device().profiles, ProfileSet::k16550aOnly);
  const Access& a = AccessAt(t, 2);
  EXPECT_EQ(a.space, Space::kBar1);
  EXPECT_FALSE(a.write);
  EXPECT_EQ(a.width, 1);
  EXPECT_EQ(a.offset, 5u);
  EXPECT_EQ(a.reg_name, "LSR");
  EXPECT_EQ(a.expect.base.kind, Expectation::Kind::kValue);
  EXPECT_EQ(a.expect.base.value, 0x60u);
  EXPECT_EQ(a.expect.base.mask, std::optional<uint64_t>(0x61));
  EXPECT_EQ(t.statements[2].comment, "idle");
  EXPECT_EQ(t.statements[2].line, 3);
}

TEST(TraceParseTest, ProfileOverridesAreKeptInOrder) {
  Trace t = MustParse(
      "device mtty-1 profile=any\n"
      "bar0 r1 IIR == 0x01 [kernel] == 0xc1\n");
  const ExpectClause& c = AccessAt(t, 1).expect;
  EXPECT_EQ(c.For(Profile::k16550a).value, 0x01u);
  EXPECT_EQ(c.For(Profile::kKernel).value, 0xc1u);
  EXPECT_TRUE(c.HasOverride(Profile::kKernel));
  EXPECT_FALSE(c.HasOverride(Profile::k16550a));
}

TEST(TraceParseTest, WriteWithCharLiteralAndErrno) {
  Trace t = MustParse(
      "device mtty-1\n"
      "bar0 w1 THR 'h'\n"
      "bar1 w1 0 '\\n' == -EFAULT\n"
      "cfg r4 0xfc == -14\n");
  EXPECT_EQ(AccessAt(t, 1).value, uint32_t{'h'});
  EXPECT_EQ(AccessAt(t, 2).value, 0x0au);
  EXPECT_EQ(AccessAt(t, 2).expect.base.kind, Expectation::Kind::kErrno);
  EXPECT_EQ(AccessAt(t, 2).expect.base.err, EFAULT);
  EXPECT_EQ(AccessAt(t, 3).expect.base.err, EFAULT);
}

TEST(TraceParseTest, OnlyPrefixLimitsAStatement) {
  Trace t = MustParse("device mtty-1\n[kernel] irq intx == 2\n");
  EXPECT_EQ(t.statements[1].only, std::optional<Profile>(Profile::kKernel));
}

TEST(TraceParseTest, SetIrqsDefaultsStartAndCount) {
  Trace t = MustParse(
      "device mtty-1\n"
      "ioctl set-irqs intx trigger eventfd 5\n"
      "ioctl set-irqs intx unmask\n"
      "ioctl set-irqs msi trigger none count 0 == -EINVAL\n");
  const auto& a = std::get<SetIrqs>(t.statements[1].command);
  EXPECT_EQ(a.data, SetIrqs::Data::kEventfd);
  EXPECT_EQ(a.values, std::vector<int64_t>{5});
  EXPECT_EQ(a.count, 1u);
  const auto& b = std::get<SetIrqs>(t.statements[2].command);
  EXPECT_EQ(b.action, SetIrqs::Action::kUnmask);
  EXPECT_EQ(b.data, SetIrqs::Data::kNone);
  EXPECT_EQ(b.count, 1u);
  const auto& c = std::get<SetIrqs>(t.statements[3].command);
  EXPECT_EQ(c.index, 1u);
  EXPECT_EQ(c.count, 0u);
  EXPECT_EQ(c.expect.base.err, EINVAL);
}

TEST(TraceParseTest, TimeUnits) {
  Trace t = MustParse("device mtty-1\ntime +4ms\ntime +3\ntime +2us\n");
  EXPECT_EQ(std::get<Time>(t.statements[1].command).ns, 4000000u);
  EXPECT_EQ(std::get<Time>(t.statements[2].command).ns, 3u);
  EXPECT_EQ(std::get<Time>(t.statements[3].command).ns, 2000u);
}

TEST(TraceParseTest, InfoFields) {
  Trace t = MustParse(
      "device mtty-1\n"
      "ioctl get-region-info 7 == size 0xff offset 0x70000000000 flags 3\n");
  const auto& io = std::get<InfoIoctl>(t.statements[1].command);
  EXPECT_EQ(io.kind, InfoIoctl::Kind::kRegionInfo);
  EXPECT_EQ(io.index, 7u);
  ASSERT_EQ(io.expect.base.fields.size(), 3u);
  EXPECT_EQ(io.expect.base.fields[1].first, "offset");
  EXPECT_EQ(io.expect.base.fields[1].second, uint64_t{7} << 40);
}

// Every error names the file and line and what was wrong.
TEST(TraceParseTest, ErrorMessages) {
  EXPECT_EQ(ErrorOf("bar0 r1 0 == 1\n"),
            "t.trace:1: the first command must be 'device TYPE profile=...'");
  EXPECT_EQ(ErrorOf("device mtty-1\nbar0 r1 LSR\n"),
            "t.trace:2: missing '== expected' (every read is checked)");
  EXPECT_EQ(ErrorOf("device mtty-1\nbar0 r1 LSR == 0x100\n"),
            "t.trace:2: value 0x100 is wider than 1 byte(s)");
  EXPECT_EQ(ErrorOf("device mtty-1\nbar0 r1 LSR == 0x61 mask 0x60\n"),
            "t.trace:2: expected value 0x61 has bits outside mask 0x60");
  EXPECT_EQ(ErrorOf("device mtty-1\nbar0 r1 LSR == 0 mask 0\n"),
            "t.trace:2: mask 0 checks nothing");
  EXPECT_EQ(ErrorOf("device mtty-1\nbar0 r1 THR == 0\n"),
            "t.trace:2: THR is not read; use the name for this direction");
  EXPECT_EQ(ErrorOf("device mtty-1\nfrobnicate\n"),
            "t.trace:2: unknown command 'frobnicate'");
  EXPECT_EQ(ErrorOf("device mtty-3\n"),
            "t.trace:1: unknown device type 'mtty-3' (mtty-1/mtty-2/none)");
  EXPECT_EQ(ErrorOf("device mtty-1\ndevice mtty-1\n"),
            "t.trace:2: second 'device' line");
  EXPECT_EQ(ErrorOf("device mtty-1\nbar0 w1 0 'ab'\n"),
            "t.trace:2: unterminated character literal");
  EXPECT_EQ(ErrorOf("device mtty-1\nbar0 w1 0 1\x01\n"),
            "t.trace:2: control character 0x01 in line");
  EXPECT_EQ(ErrorOf("device mtty-1\nbar0 r1 0 == 1 [kernel] == 2 "
                    "[kernel] == 3\n"),
            "t.trace:2: two [kernel] overrides");
  EXPECT_EQ(ErrorOf("device mtty-1\ncfg r1 LSR == 0\n"),
            "t.trace:2: register name LSR outside a BAR");
  EXPECT_EQ(ErrorOf("device mtty-1\nbar0 r1 0x10000000000 == 0\n"),
            "t.trace:2: offset 0x10000000000 is beyond 2^40");
  EXPECT_EQ(ErrorOf("device mtty-1\ntime 5\n"),
            "t.trace:2: duration must start with '+'");
  EXPECT_EQ(ErrorOf("device mtty-1\nirq intx\n"),
            "t.trace:2: missing '== expected' (every read is checked)");
  EXPECT_EQ(ErrorOf("device mtty-1\n[kernel]\n"),
            "t.trace:2: expected a command after [kernel]");
  EXPECT_EQ(ErrorOf("# only a comment\n"),
            "t.trace:1: no 'device TYPE profile=...' line");
  EXPECT_EQ(ErrorOf("device mtty-1\nioctl get-info == size 8\n"),
            "t.trace:2: unknown field 'size'");
  EXPECT_EQ(ErrorOf("device mtty-1\nbar0 w1 0 0x100\n"),
            "t.trace:2: value 0x100 is above 0xff");
}

TEST(TraceParseTest, OversizedInputIsRefused) {
  std::string big(kMaxTraceBytes + 1, '#');
  EXPECT_EQ(ErrorOf(big), "t.trace:0: trace larger than 4194304 bytes");
}

TEST(TracePrintTest, CanonicalForm) {
  Trace t = MustParse(
      "  device   mtty-1\n"
      "\n"
      "bar0 w1 LCR 131   #  DLAB  \n"
      "bar0 r1 IIR == 0xC1 [kernel] == 0xc1 mask 0xcf\n"
      "[16550a] time +1000000\n"
      "ioctl set-irqs intx trigger eventfd 5 start 0\n"
      "#\n");
  EXPECT_EQ(Print(t),
            "device mtty-1 profile=any\n"
            "bar0 w1 LCR 0x83  # DLAB\n"
            "bar0 r1 IIR == 0xc1 [kernel] == 0xc1 mask 0xcf\n"
            "[16550a] time +1ms\n"
            "ioctl set-irqs intx trigger eventfd 5\n"
            "#\n");
}

TEST(TracePrintTest, RoundTripsEveryStatementKind) {
  const char* text =
      "# all kinds\n"
      "device none profile=kernel\n"
      "create mtty-2 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 == ok\n"
      "create mtty-9 nonsense == -EINVAL\n"
      "available mtty-1 == 22\n"
      "open 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001\n"
      "cfg w4 0x10 0xffffffff\n"
      "cfg r4 0x10 == 0xfffffff9\n"
      "bar1 r2 0 == 0x0000 mask 0xff00\n"
      "bar0 w4 0x4 0x01020304 == -EFAULT [16550a] == ok\n"
      "eventfd 5\n"
      "file 6\n"
      "close-fd 6\n"
      "ioctl get-info == flags 0x2 regions 9 irqs 5\n"
      "ioctl get-irq-info 0 == flags 7 count 1 [kernel] == -EINVAL\n"
      "ioctl set-irqs 7 mask bool 1 0 start 3 count 9 == -EINVAL\n"
      "ioctl set-irqs msi trigger eventfd -1\n"
      "irq intx == 1 [kernel] == 2\n"
      "irq fd 5 == 0\n"
      "irq none\n"
      "time +0\n"
      "time +18446744073709551615\n"
      "reset == ok\n"
      "close\n"
      "remove 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 == -EBUSY\n";
  Trace t = MustParse(text);
  ParseResult again = Parse(Print(t), "printed");
  ASSERT_TRUE(again.ok()) << again.error().ToString() << "\n" << Print(t);
  EXPECT_EQ(again.trace(), t);
  EXPECT_EQ(Print(again.trace()), Print(t));
}

// Equality covers the tree, not line numbers.
TEST(TracePrintTest, EqualityIgnoresLineNumbers) {
  Trace a = MustParse("device mtty-1\nbar0 r1 0 == 0\n");
  Trace b = MustParse("\n\ndevice mtty-1\n\nbar0 r1 0x0 == 0x00\n");
  EXPECT_EQ(a, b);
  Trace c = MustParse("device mtty-1\nbar0 r1 0 == 1\n");
  EXPECT_NE(a, c);
}

// Seeded property check of the promise the fuzzer relies on: whatever
// Parse accepts, Print gives text that parses back to an equal tree.
TEST(TracePrintTest, RandomLinesRoundTrip) {
  const std::vector<std::string> words = {
      "bar0",     "bar1",         "cfg",      "rom",      "r1",
      "r2",       "r4",           "w1",       "w2",       "w4",
      "LSR",      "IIR",          "THR",      "RBR",      "0",
      "0x7",      "255",          "0x10",     "'a'",      "'\\x41'",
      "==",       "mask",         "0xff",     "-EFAULT",  "-EINVAL",
      "ok",       "[kernel]",     "[16550a]", "irq",      "intx",
      "msi",      "fd",           "none",     "eventfd",  "5",
      "-1",       "ioctl",        "set-irqs", "trigger",  "unmask",
      "bool",     "start",        "count",    "get-info", "get-region-info",
      "flags",    "size",         "time",     "+5ms",     "reset",
      "create",   "mtty-1",       "x-y",      "remove",   "open",
      "close",    "available",    "#",        "# c",      "file",
      "close-fd", "get-irq-info", "regions"};
  std::mt19937 rng(12345);
  int parsed = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string text = "device mtty-1\n";
    const int lines = 1 + static_cast<int>(rng() % 3);
    for (int l = 0; l < lines; ++l) {
      const int n = 1 + static_cast<int>(rng() % 8);
      for (int i = 0; i < n; ++i) {
        text += words[rng() % words.size()];
        text += ' ';
      }
      text += '\n';
    }
    ParseResult r = Parse(text, "rand");
    if (!r.ok()) continue;
    ++parsed;
    ParseResult again = Parse(Print(r.trace()), "printed");
    ASSERT_TRUE(again.ok()) << text << "->\n"
                            << Print(r.trace()) << again.error().ToString();
    ASSERT_EQ(again.trace(), r.trace()) << text;
  }
  EXPECT_GT(parsed, 200);
}

}  // namespace
}  // namespace mtty::conformance
