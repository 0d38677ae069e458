// Copyright mtty-lab authors.
//
// tools/qtest2trace: turns a QEMU qtest log (-qtest-log FILE, or a transcript
// of outb/inb commands and their OK replies) or a `-trace serial_*` log into
// a conformance trace (conformance/TRACE_FORMAT.md) on stdout.
//
//   qtest2trace [--format auto|qtest|trace] [--base 0x3f8] [--base2 0x2f8]
//               [--profile 16550a|any|kernel] [--capture] [--header TEXT]...
//               [-o OUT.trace] [LOG | -]
//
// See conformance/qtest_log.h for what is converted and how.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include "conformance/qtest_log.h"
#include "conformance/trace.h"
#include "conformance/trace_files.h"

namespace {

namespace mc = mtty::conformance;

int Usage() {
  std::fprintf(stderr,
               "usage: qtest2trace [--format auto|qtest|trace] [--base ADDR] "
               "[--base2 ADDR|none] [--profile 16550a|any|kernel] "
               "[-o OUT.trace] [LOG | -]\n");
  return 2;
}

bool ParseAddr(const std::string& s, uint16_t& out) {
  char* end = nullptr;
  const unsigned long v = std::strtoul(s.c_str(), &end, 0);
  if (end == s.c_str() || *end != '\0' || v > 0xfff8) return false;
  out = static_cast<uint16_t>(v);
  return true;
}

int Main(int argc, char** argv) {
  mc::ConvertOptions opt;
  std::string input = "-";
  std::string output;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      return i + 1 < argc ? std::string(argv[++i]) : std::string();
    };
    if (a == "--format") {
      const std::string f = value();
      if (f == "auto") {
        opt.format = mc::QemuLogFormat::kAuto;
      } else if (f == "qtest") {
        opt.format = mc::QemuLogFormat::kQtest;
      } else if (f == "trace") {
        opt.format = mc::QemuLogFormat::kSerialTrace;
      } else {
        return Usage();
      }
    } else if (a == "--base") {
      if (!ParseAddr(value(), opt.base0)) return Usage();
    } else if (a == "--base2") {
      const std::string v = value();
      if (v == "none") {
        opt.base1.reset();
      } else {
        uint16_t b = 0;
        if (!ParseAddr(v, b)) return Usage();
        opt.base1 = b;
      }
    } else if (a == "--profile") {
      const std::string p = value();
      if (p == "16550a") {
        opt.profiles = mc::ProfileSet::k16550aOnly;
      } else if (p == "any") {
        opt.profiles = mc::ProfileSet::kAny;
      } else if (p == "kernel") {
        opt.profiles = mc::ProfileSet::kKernelOnly;
      } else {
        return Usage();
      }
    } else if (a == "--capture") {
      opt.capture = true;
    } else if (a == "--header") {
      const std::string h = value();
      if (h.empty()) return Usage();
      opt.header.push_back(h);
    } else if (a == "-o") {
      output = value();
      if (output.empty()) return Usage();
    } else if (a == "-h" || a == "--help") {
      Usage();
      return 0;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return Usage();
    } else {
      input = a;
    }
  }

  std::string text;
  if (input == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin),
                std::istreambuf_iterator<char>());
    opt.source_name = "<stdin>";
  } else {
    mtty::Result<std::string> r = mc::ReadFile(input);
    if (!r.ok()) {
      std::fprintf(stderr, "qtest2trace: %s: %s\n", input.c_str(),
                   r.status().ToString().c_str());
      return 1;
    }
    text = *r;
    const size_t slash = input.find_last_of('/');
    opt.source_name =
        slash == std::string::npos ? input : input.substr(slash + 1);
  }

  mc::ParseResult converted = mc::ConvertQemuLog(text, opt);
  if (!converted.ok()) {
    std::fprintf(stderr, "qtest2trace: %s\n",
                 converted.error().ToString().c_str());
    return 1;
  }
  const std::string trace = mc::Print(converted.trace());
  if (output.empty()) {
    std::fwrite(trace.data(), 1, trace.size(), stdout);
    return 0;
  }
  FILE* f = std::fopen(output.c_str(), "wb");
  if (f == nullptr ||
      std::fwrite(trace.data(), 1, trace.size(), f) != trace.size()) {
    std::fprintf(stderr, "qtest2trace: cannot write %s\n", output.c_str());
    if (f != nullptr) std::fclose(f);
    return 1;
  }
  return std::fclose(f) == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) { return Main(argc, argv); }
