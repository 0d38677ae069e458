#!/usr/bin/env python3
"""Crash triage: reproduce a fuzzer input, classify the report, sign it by
sanitizer report kind and top frames, and minimise it.

As a library it serves tools/fuzz_campaign.py and tools/canary_bench.py. As a
tool:

  bazel run //tools:triage -- --fuzzer=bar_access CRASH [CRASH...]
      prints kind, signature and top frames of each input
  bazel run //tools:triage -- --fuzzer=bar_access --minimize CRASH
      also writes CRASH.min (libFuzzer -minimize_crash) and checks that the
      minimised input still fails the same way

A signature is stable across builds and line moves: the report kind (an
oracle name, a sanitizer error type, a UBSan check) plus the names of the top
three frames in our code (core/, fuzz/, conformance/, tools/).
"""

import argparse
import dataclasses
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from typing import List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzzlib  # noqa: E402

OUR_DIRS = ("core/", "fuzz/", "conformance/", "tools/")
TOP_FRAMES = 3

_FRAME_RE = re.compile(
    r"^\s*#(\d+) 0x[0-9a-f]+ in (?P<func>.+?)(?: (?P<loc>/?[^ ]+:\d+(?::\d+)?))?"
    r"(?: \(.*\))?$")
_FINDING_RE = re.compile(r"==mtty-fuzz== FINDING: oracle (\S+)")
_ASAN_RE = re.compile(r"ERROR: AddressSanitizer: ([\w-]+)(?: on (?:unknown )?address)?")
_ACCESS_RE = re.compile(r"^(READ|WRITE) of size (\d+)", re.M)
_UBSAN_RE = re.compile(r"(?P<loc>[^\s:]+:\d+:\d+): runtime error: (?P<msg>.+)")
_LEAK_RE = re.compile(r"ERROR: LeakSanitizer: detected memory leaks")
_LIBFUZZER_RE = re.compile(r"ERROR: libFuzzer: ([\w-]+)")
_TSAN_RE = re.compile(r"WARNING: ThreadSanitizer: ([\w ()-]+?)(?: \(pid=\d+\))?$", re.M)


@dataclasses.dataclass
class Report:
    reproduced: bool
    kind: str  # e.g. "finding:lsr-dr-matches-fifo", "asan:heap-buffer-overflow READ 4"
    frames: List[str]  # our top frames, function names
    summary: str  # one line for humans
    text: str  # the full output
    exit_code: int

    def signature(self, fuzzer: str) -> str:
        key = "\n".join([fuzzer, self.kind] + self.frames[:TOP_FRAMES])
        return hashlib.sha1(key.encode()).hexdigest()[:12]


def _normalise_ubsan(msg: str) -> str:
    # Values differ between inputs that hit the same check.
    msg = re.sub(r"\b0x[0-9a-f]+\b", "N", msg)
    msg = re.sub(r"(?<![\w])-?\d+\b", "N", msg)
    return msg.strip()


def _short_func(func: str) -> str:
    # Drop argument lists and templates' noise; keep the qualified name.
    depth = 0
    out = []
    for ch in func:
        if ch == "(" and depth == 0:
            break
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return "".join(out).strip()


def _is_ours(func: str, loc: Optional[str]) -> bool:
    # All our code is in namespace mtty; the location helps when the binary
    # has line tables (fastbuild links strip them).
    if func.startswith("mtty::"):
        return True
    if not loc:
        return False
    loc = loc.replace("/proc/self/cwd/", "")
    return any(d in loc for d in OUR_DIRS) and "external/" not in loc


def parse_report(text: str, exit_code: int) -> Report:
    """Classifies sanitizer / libFuzzer / oracle output."""
    kind = ""
    summary = ""
    m = _FINDING_RE.search(text)
    if m:
        kind = "finding:" + m.group(1)
        line = text[m.start():].splitlines()[0]
        summary = line.replace("==mtty-fuzz== ", "")
    if not kind:
        m = _UBSAN_RE.search(text)
        if m:
            kind = "ubsan:" + _normalise_ubsan(m.group("msg"))
            summary = f"UBSan: {m.group('msg').strip()} at {m.group('loc')}"
    if not kind and _LEAK_RE.search(text):
        kind = "leak"
        summary = "LeakSanitizer: memory leak"
    if not kind:
        m = _ASAN_RE.search(text)
        if m:
            kind = "asan:" + m.group(1)
            acc = _ACCESS_RE.search(text)
            if acc:
                kind += f" {acc.group(1)} {acc.group(2)}"
            summary = "AddressSanitizer: " + kind[len("asan:"):]
    if not kind:
        m = _TSAN_RE.search(text)
        if m:
            kind = "tsan:" + m.group(1).strip()
            summary = "ThreadSanitizer: " + m.group(1).strip()
    if not kind:
        m = _LIBFUZZER_RE.search(text)
        if m:
            kind = "libfuzzer:" + m.group(1)
            summary = "libFuzzer: " + m.group(1)

    # Frames: the first stack after the report (ASan, LSan, libFuzzer's
    # deadly-signal trace), ours only. UBSan's own location counts first.
    frames: List[str] = []
    start = 0
    for pat in (_FINDING_RE, _UBSAN_RE, _ASAN_RE, _LEAK_RE, _TSAN_RE, _LIBFUZZER_RE):
        mm = pat.search(text)
        if mm:
            start = mm.start() if pat is not _FINDING_RE else 0
            break
    in_stack = False
    for line in text[start:].splitlines():
        fm = _FRAME_RE.match(line)
        if fm:
            in_stack = True
            func = fm.group("func")
            if _is_ours(func, fm.group("loc")) and "LLVMFuzzerTestOneInput" not in func:
                name = _short_func(func)
                if name not in frames:
                    frames.append(name)
            elif "LLVMFuzzerTestOneInput" in func:
                frames.append("LLVMFuzzerTestOneInput")
                break
        elif in_stack and not line.strip():
            break  # end of the first stack
    if kind.startswith("finding:"):
        frames = []  # the oracle's name is the whole story
    reproduced = bool(kind) or exit_code not in (0,)
    if not kind and exit_code != 0:
        kind = f"exit:{exit_code}"
        summary = f"exited with {exit_code} and no recognised report"
    return Report(reproduced=reproduced and bool(kind), kind=kind,
                  frames=frames[:TOP_FRAMES], summary=summary, text=text,
                  exit_code=exit_code)


def reproduce(binary: str, path: str, timeout: float = 60,
              extra_flags: Optional[List[str]] = None) -> Report:
    """Runs one input once. A timeout/hang is reported as such."""
    cmd = [binary, "-runs=1", f"-timeout={max(1, int(timeout) // 2)}"]
    cmd += extra_flags or []
    cmd.append(path)
    try:
        proc = subprocess.run(cmd, text=True, errors="replace",
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=timeout, env=fuzzlib.fuzz_env())
    except subprocess.TimeoutExpired as e:
        out = e.stdout if isinstance(e.stdout, str) else (e.stdout or b"").decode(errors="replace")
        return Report(True, "libfuzzer:timeout", [], "hang (killed)", out, -9)
    rep = parse_report(proc.stdout, proc.returncode)
    if proc.returncode == 0:
        rep.reproduced = False
        rep.kind = ""
    return rep


def minimize(binary: str, path: str, out_path: str, budget_s: int = 60,
             runs: int = 20000) -> Optional[str]:
    """libFuzzer -minimize_crash into out_path; None when it produced
    nothing usable."""
    with tempfile.TemporaryDirectory(prefix="mtty-min-") as tmp:
        cmd = [binary, "-minimize_crash=1", f"-runs={runs}",
               f"-max_total_time={budget_s}", "-timeout=10",
               f"-exact_artifact_path={out_path}", path]
        try:
            subprocess.run(cmd, cwd=tmp, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=budget_s + 60,
                           env=fuzzlib.fuzz_env())
        except subprocess.TimeoutExpired:
            pass
    if os.path.isfile(out_path) and os.path.getsize(out_path) <= os.path.getsize(path):
        return out_path
    return None


def minimize_same(binary: str, fuzzer: str, path: str, out_path: str,
                  want_sig: str, budget_s: int = 60) -> str:
    """Minimises and keeps the result only if it fails the same way."""
    got = minimize(binary, path, out_path, budget_s)
    if got:
        rep = reproduce(binary, got)
        if rep.reproduced and rep.signature(fuzzer) == want_sig:
            return got
        os.remove(got)
    shutil.copyfile(path, out_path)
    return out_path


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fuzzer", required=True, help="fuzzer name, e.g. bar_access")
    ap.add_argument("--binary", help="use this binary instead of building //fuzz:<fuzzer>_bin")
    ap.add_argument("--minimize", action="store_true")
    ap.add_argument("--minimize-time", type=int, default=60)
    ap.add_argument("--verbose", "-v", action="store_true", help="print the full report")
    ap.add_argument("inputs", nargs="+")
    args = ap.parse_args(argv)

    ws = fuzzlib.workspace()
    cwd = os.environ.get("BUILD_WORKING_DIRECTORY", os.getcwd())
    binary = args.binary
    if not binary:
        bz = fuzzlib.Bazel(ws)
        (fz,) = fuzzlib.discover_fuzzers(bz, only=[args.fuzzer])
        bz.build([fz.label])
        binary = fuzzlib.copy_binary(bz.output_path(fz.label),
                                     os.path.join(tempfile.gettempdir(),
                                                  "mtty-triage", fz.name))
    status = 0
    for inp in args.inputs:
        path = os.path.join(cwd, inp)
        rep = reproduce(binary, path)
        if not rep.reproduced:
            print(f"{inp}: does not reproduce")
            continue
        status = 1
        sig = rep.signature(args.fuzzer)
        print(f"{inp}: {rep.kind}  signature {sig}")
        print(f"  {rep.summary}")
        for f in rep.frames:
            print(f"    in {f}")
        if args.minimize:
            out = minimize_same(binary, args.fuzzer, path, path + ".min", sig,
                                args.minimize_time)
            print(f"  minimised: {out} ({os.path.getsize(out)} bytes, was "
                  f"{os.path.getsize(path)})")
        if args.verbose:
            print(rep.text)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
