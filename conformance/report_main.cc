// Copyright mtty-lab authors.
//
// `bazel run //conformance:report [-- -v] [--qemu] [FILE.trace ...]`:
// replays every trace (default: conformance/traces/*.trace) under both
// profiles and prints trace x profile -> pass / known deviation (N) /
// FAIL (N) / skipped. -v also lists every failure (decoded) and every
// written-down deviation. --qemu adds a column comparing the UART-level part
// of each trace between the 16550a profile and QEMU (conformance/
// differential.h): agrees / agrees (N allowed) / DIFFERS (N) / n/a.
// Exit status 1 when any trace fails, differs or does not parse.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "conformance/differential.h"
#include "conformance/qemu_harness.h"
#include "conformance/runner.h"
#include "conformance/trace.h"
#include "conformance/trace_files.h"

namespace {

using mtty::Profile;
namespace mc = mtty::conformance;

// The "16550a vs QEMU" cell; mismatches go to `details`.
std::string QemuCell(const mc::Trace& trace, const std::string& path,
                     std::string& details, int& failing) {
  std::vector<mc::UartOp> ops;
  if (!mc::ExtractUartOps(trace, ops) || ops.empty()) return "n/a";
  mtty::Result<std::unique_ptr<mc::Differential>> diff =
      mc::Differential::Create();
  if (!diff.ok()) return "QEMU error " + diff.status().ToString();
  mc::DiffStats stats;
  mtty::Status s = (*diff)->Run(ops, mc::TraceName(path), stats);
  if (!s.ok()) {
    ++failing;
    return "QEMU error " + s.ToString();
  }
  if (!stats.mismatches.empty()) {
    ++failing;
    for (const mc::Mismatch& m : stats.mismatches) {
      details += "[qemu] " + m.ToString() + "\n";
    }
    return "DIFFERS (" + std::to_string(stats.mismatches.size()) + ")";
  }
  size_t allowed = 0;
  for (const auto& [id, n] : stats.allowed) allowed += n;
  return allowed == 0 ? "agrees"
                      : "agrees (" + std::to_string(allowed) + " allowed)";
}

int Main(int argc, char** argv) {
  bool verbose = false;
  bool qemu = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-v" || arg == "--verbose") {
      verbose = true;
    } else if (arg == "--qemu") {
      qemu = true;
    } else if (arg == "-h" || arg == "--help") {
      std::printf("usage: report [-v] [--qemu] [FILE.trace ...]\n");
      return 0;
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) {
    files = mc::ListTraceFiles(mc::TraceDir());
    for (const std::string& f : mc::ListTraceFiles(mc::RealTraceDir())) {
      files.push_back(f);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "report: no traces found in %s\n",
                 mc::TraceDir().c_str());
    return 1;
  }

  const Profile kProfiles[] = {Profile::kKernel, Profile::k16550a};
  size_t width = 5;
  for (const std::string& f : files) {
    width = std::max(width, mc::TraceName(f).size());
  }
  if (qemu && mc::FindQemu().empty()) {
    std::fprintf(stderr, "report: --qemu: qemu-system-x86_64 not found\n");
    return 1;
  }
  std::printf("%-*s  %-24s  %-24s%s\n", static_cast<int>(width), "trace",
              "kernel", "16550a", qemu ? "  16550a vs QEMU" : "");
  std::printf("%s\n", std::string(width + (qemu ? 76 : 52), '-').c_str());

  int failing = 0;
  std::string details;
  for (const std::string& f : files) {
    mc::ParseResult parsed = mc::LoadTrace(f);
    if (!parsed.ok()) {
      ++failing;
      std::printf("%-*s  PARSE ERROR: %s\n", static_cast<int>(width),
                  mc::TraceName(f).c_str(), parsed.error().ToString().c_str());
      continue;
    }
    std::string row;
    for (Profile p : kProfiles) {
      mc::RunResult r = mc::RunTrace(parsed.trace(), p);
      if (!r.failures.empty()) ++failing;
      char cell[64];
      std::snprintf(cell, sizeof(cell), "  %-24s", mc::Verdict(r).c_str());
      row += cell;
      if (!verbose) continue;
      for (const mc::Failure& fail : r.failures) {
        details += "[" + std::string(mtty::ProfileName(p)) + "] " +
                   fail.ToString() + "\n";
      }
      for (const mc::DeviationUse& d : r.deviations) {
        details += "[" + std::string(mtty::ProfileName(p)) + "] deviation " +
                   f + ":" + std::to_string(d.line) + ": " + d.statement + "\n";
      }
    }
    if (qemu) row += "  " + QemuCell(parsed.trace(), f, details, failing);
    std::printf("%-*s%s\n", static_cast<int>(width), mc::TraceName(f).c_str(),
                row.c_str());
  }
  if (verbose && !details.empty()) std::printf("\n%s", details.c_str());
  return failing == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) { return Main(argc, argv); }
