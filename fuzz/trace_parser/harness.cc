// Copyright mtty-lab authors.
#include "fuzz/trace_parser/harness.h"

#include <algorithm>
#include <string>

namespace mtty::fuzz {
namespace {

constexpr std::string_view kInputName = "fuzz.trace";
constexpr std::string_view kPrintedName = "printed.trace";

std::string Excerpt(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 160)) {
    if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20 ||
               static_cast<unsigned char>(c) >= 0x7f) {
      out += Format("\\x%02x", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  if (text.size() > 160) out += "...";
  return out;
}

}  // namespace

MaybeFinding RunTraceParser(std::span<const uint8_t> input,
                            const TraceParserOptions& options) {
  const std::string_view text(reinterpret_cast<const char*>(input.data()),
                              input.size());
  auto fail = [&](const char* oracle, std::string detail) -> MaybeFinding {
    if (OracleIgnored(oracle)) return std::nullopt;
    return Finding{oracle, 0, detail + "; input: \"" + Excerpt(text) + "\""};
  };

  const conformance::ParseResult first = options.parse(text, kInputName);
  if (!first.ok()) {
    const conformance::ParseError& e = first.error();
    const int lines =
        1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
    // Line 0 names the file as a whole; only an empty (or oversized) input
    // has nothing better to point at.
    const int lowest =
        text.empty() || text.size() > conformance::kMaxTraceBytes ? 0 : 1;
    if (e.line < lowest || e.line > lines) {
      return fail("rejected-line-numbered",
                  Format("error at line %d of a %d-line input: %s", e.line,
                         lines, e.message.c_str()));
    }
    const std::string prefix =
        Format("%.*s:%d: ", static_cast<int>(kInputName.size()),
               kInputName.data(), e.line);
    const std::string shown = e.ToString();
    if (e.message.empty() || e.filename != kInputName ||
        shown.compare(0, prefix.size(), prefix) != 0 ||
        shown.size() == prefix.size()) {
      return fail("rejected-line-numbered", "the error is not \"" + prefix +
                                                "message\": \"" + shown + "\"");
    }
    return std::nullopt;
  }

  const std::string printed = options.print(first.trace());
  const conformance::ParseResult second = options.parse(printed, kPrintedName);
  if (!second.ok()) {
    return fail("printed-text-parses",
                "Print's output is rejected: " + second.error().ToString() +
                    "; printed: \"" + Excerpt(printed) + "\"");
  }
  if (!(second.trace() == first.trace())) {
    size_t i = 0;
    const auto& a = first.trace().statements;
    const auto& b = second.trace().statements;
    while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
    return fail(
        "parse-print-parse-identity",
        Format("trees differ at statement %zu of %zu/%zu (line %d): "
               "\"%s\" came back as \"%s\"",
               i, a.size(), b.size(), i < a.size() ? a[i].line : 0,
               i < a.size() ? conformance::PrintStatement(a[i]).c_str() : "",
               i < b.size() ? conformance::PrintStatement(b[i]).c_str() : ""));
  }
  const std::string reprinted = options.print(second.trace());
  if (reprinted != printed) {
    return fail("print-canonical",
                "printing the re-parsed tree gives different text: \"" +
                    Excerpt(reprinted) + "\" vs \"" + Excerpt(printed) + "\"");
  }
  return std::nullopt;
}

}  // namespace mtty::fuzz
