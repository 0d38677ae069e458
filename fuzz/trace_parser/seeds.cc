// Copyright mtty-lab authors.
//
// trace_parser seeds beyond the canonical traces (which the build adds,
// //corpus:trace_parser.generated): every statement kind once, and the
// malformed lines the parser must reject with a line number.
#include "fuzz/seeds.h"

#include <string>

#include "fuzz/trace_parser/harness.h"

namespace mtty::fuzz {

namespace {

std::vector<Seed> TraceParserSeeds() {
  std::vector<Seed> seeds;
  auto add = [&](const char* name, const std::string& text) {
    seeds.push_back(Seed{"trace_parser", name, {text.begin(), text.end()}});
  };
  add("every_statement.trace",
      "# one of each\n"
      "device mtty-2 profile=any\n"
      "bar0 w1 LCR 0x83\n"
      "bar0 r1 DLL == 0x00 mask 0xff\n"
      "bar1 r2 0x0 == 0x0000 [kernel] == 0x0000\n"
      "cfg w4 0x10 0xffffffff\n"
      "cfg r4 0x10 == 0xfffffff9\n"
      "bar5 r1 0 == -EFAULT\n"
      "time +4ms\n"
      "time +87us\n"
      "reset\n"
      "ioctl get-info == ok\n"
      "ioctl get-region-info 7\n"
      "ioctl get-irq-info 0\n"
      "eventfd 5\n"
      "file 6\n"
      "ioctl set-irqs intx trigger eventfd 5\n"
      "ioctl set-irqs intx mask none\n"
      "ioctl set-irqs intx unmask bool 1\n"
      "irq intx == 0\n"
      "irq fd 5 == 0\n"
      "close-fd 5\n"
      "[16550a] bar0 r1 IIR == 0x01\n"
      "[kernel] bar0 r1 IIR == 0xc1  # trailing comment\n");
  add("lifecycle.trace",
      "device none profile=any\n"
      "available mtty-1 == 24\n"
      "create mtty-2 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001\n"
      "open 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001\n"
      "close\n"
      "remove 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001\n");
  add("bad_value.trace", "device mtty-1 profile=any\nbar0 w1 0 0x100\n");
  add("bad_offset.trace",
      "device mtty-1 profile=any\nbar0 r1 0x10000000000 == 0\n");
  add("no_device.trace", "# only a comment\nbar0 r1 LSR == 0x60\n");
  add("second_device.trace",
      "device mtty-1 profile=any\ndevice mtty-2 profile=any\n");
  add("duplicate_override.trace",
      "device mtty-1 profile=any\n"
      "bar0 r1 IIR == 0x01 [kernel] == 0xc1 [kernel] == 0xc1\n");
  add("missing_expectation.trace", "device mtty-1 profile=any\nirq intx\n");
  add("crlf_and_tabs.trace",
      "device\tmtty-1\tprofile=any\r\nbar0 r1 LSR == 0x60\r\n");
  add("empty.trace", "");
  return seeds;
}

}  // namespace

MTTY_REGISTER_SEEDS(trace_parser, TraceParserSeeds, RunTraceParser)

}  // namespace mtty::fuzz
