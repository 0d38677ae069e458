// Copyright mtty-lab authors.
//
// Finding and loading the trace files shipped in conformance/traces, for the
// GoogleTest suite, the report and the QEMU differential.
#ifndef MTTY_CONFORMANCE_TRACE_FILES_H_
#define MTTY_CONFORMANCE_TRACE_FILES_H_

#include <string>
#include <vector>

#include "conformance/trace.h"
#include "core/status.h"

namespace mtty::conformance {

// The directory holding the *.trace files: $MTTY_TRACE_DIR if set, else
// "conformance/traces" (relative to the Bazel runfiles tree, the current
// directory of tests and `bazel run`).
std::string TraceDir();

// TraceDir() + "/real": the traces tools/capture_trace captured from real
// guests under QEMU (16550a profile only; conformance/README.md).
std::string RealTraceDir();

// Sorted paths of every "*.trace" file in `dir` (empty if `dir` is missing).
std::vector<std::string> ListTraceFiles(const std::string& dir);

// Reads a whole file; -ENOENT/-EIO/-EFBIG (above kMaxTraceBytes) on failure.
Result<std::string> ReadFile(const std::string& path);

// The file name without directory and ".trace", e.g. "linux_8250_autoconfig";
// a trace of RealTraceDir() is "real/linux".
std::string TraceName(const std::string& path);

// Reads and parses `path`; a read failure or parse error becomes a
// ParseError naming the file.
ParseResult LoadTrace(const std::string& path);

}  // namespace mtty::conformance

#endif  // MTTY_CONFORMANCE_TRACE_FILES_H_
