// Copyright mtty-lab authors.
//
// The trace_parser fuzzer's logic: arbitrary bytes as conformance trace
// text (conformance/trace.h). Oracles:
//  * accepted input: Print gives text that parses again, to an equal tree
//    (parse -> print -> parse is the identity), and printing that tree gives
//    the same text (the printer is canonical);
//  * rejected input: the error names the file and a line that exists in
//    the input (1 .. number of lines; 0, "the whole file", only for an empty
//    input), with a non-empty message, formatted "file:line: message".
#ifndef MTTY_FUZZ_TRACE_PARSER_HARNESS_H_
#define MTTY_FUZZ_TRACE_PARSER_HARNESS_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "conformance/trace.h"
#include "fuzz/finding.h"

namespace mtty::fuzz {

struct TraceParserOptions {
  // Replaceable so a test can show each oracle fire.
  std::function<conformance::ParseResult(std::string_view text,
                                         std::string_view filename)>
      parse = &conformance::Parse;
  std::function<std::string(const conformance::Trace&)> print =
      &conformance::Print;
};

MaybeFinding RunTraceParser(std::span<const uint8_t> input,
                            const TraceParserOptions& options = {});

}  // namespace mtty::fuzz

#endif  // MTTY_FUZZ_TRACE_PARSER_HARNESS_H_
