// Copyright mtty-lab authors.
//
// The trace_parser oracles, each shown to fire on a parser or printer with
// one rule deliberately broken, and silent on the real ones.
#include "fuzz/trace_parser/harness.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace mtty::fuzz {
namespace {

std::string Oracle(const MaybeFinding& f) { return f ? f->oracle : "none"; }

MaybeFinding RunText(std::string_view text,
                     const TraceParserOptions& options = {}) {
  return RunTraceParser(
      {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, options);
}

constexpr std::string_view kTrace =
    "# a comment\n"
    "device mtty-2 profile=any\n"
    "bar0 w1 LCR 0x83  # DLAB\n"
    "bar0 r1 IIR == 0x01 [kernel] == 0xc1\n"
    "time +4ms\n";

TEST(TraceParserOracleTest, PrinterThatDropsTrailingComments) {
  TraceParserOptions options;
  options.print = [](const conformance::Trace& t) {
    conformance::Trace copy = t;
    for (auto& st : copy.statements) {
      if (!std::holds_alternative<conformance::Comment>(st.command)) {
        st.comment.clear();
      }
    }
    return conformance::Print(copy);
  };
  EXPECT_EQ(Oracle(RunText(kTrace)), "none");
  EXPECT_EQ(Oracle(RunText(kTrace, options)), "parse-print-parse-identity");
}

TEST(TraceParserOracleTest, PrinterWhoseOutputDoesNotParse) {
  TraceParserOptions options;
  options.print = [](const conformance::Trace& t) {
    return "bogus\n" + conformance::Print(t);
  };
  EXPECT_EQ(Oracle(RunText(kTrace, options)), "printed-text-parses");
}

TEST(TraceParserOracleTest, PrinterThatIsNotCanonical) {
  TraceParserOptions options;
  int calls = 0;
  options.print = [&calls](const conformance::Trace& t) {
    return std::string(calls++ % 2, '\n') + conformance::Print(t);
  };
  EXPECT_EQ(Oracle(RunText(kTrace, options)), "print-canonical");
}

TEST(TraceParserOracleTest, ErrorWithoutALineNumber) {
  TraceParserOptions options;
  options.parse = [](std::string_view text, std::string_view name) {
    conformance::ParseResult r = conformance::Parse(text, name);
    if (r.ok()) return r;
    conformance::ParseError e = r.error();
    e.line = 0;
    return conformance::ParseResult(e);
  };
  constexpr std::string_view kBad = "device mtty-1\nbar0 w1 0 0x100\n";
  EXPECT_EQ(Oracle(RunText(kBad)), "none");
  EXPECT_EQ(Oracle(RunText(kBad, options)), "rejected-line-numbered");
}

TEST(TraceParserOracleTest, ErrorPointingPastTheInput) {
  TraceParserOptions options;
  options.parse = [](std::string_view text, std::string_view name) {
    conformance::ParseResult r = conformance::Parse(text, name);
    if (r.ok()) return r;
    conformance::ParseError e = r.error();
    e.line += 5;
    return conformance::ParseResult(e);
  };
  EXPECT_EQ(Oracle(RunText("device mtty-1\nbar9 r1 0 == 0\n", options)),
            "rejected-line-numbered");
}

TEST(TraceParserHarnessTest, RandomTextFindsNothing) {
  std::mt19937 rng(3);
  const std::string words[] = {
      "device", "mtty-1", "mtty-2", "profile=any", "bar0",  "bar1",     "cfg",
      "r1",     "w4",     "LSR",    "==",          "0x60",  "[kernel]", "time",
      "+4ms",   "#",      "\n",     "ioctl",       "reset", "irq"};
  for (int round = 0; round < 500; ++round) {
    std::string text = round % 2 ? "device mtty-1 profile=any\n" : "";
    for (int i = 0; i < 40; ++i) text += words[rng() % 20] + " ";
    const MaybeFinding f = RunText(text);
    EXPECT_FALSE(f.has_value()) << f->ToString();
  }
}

}  // namespace
}  // namespace mtty::fuzz
