#!/usr/bin/env python3
"""Source-based coverage of core/ reached by the fuzz corpora and the
conformance traces.

  bazel run //tools:coverage -- [--out=DIR] [--corpus-root=DIR ...]

Builds every fuzzer (and the conformance targets) with --config=coverage
(clang -fprofile-instr-generate -fcoverage-mapping) in its own Bazel output
base, replays corpus/<fuzzer>/ plus the fuzzer folder's regressions/ plus each
--corpus-root/<fuzzer>/ through the fuzzers (-runs=0), runs the conformance
tests, merges the profiles with llvm-profdata and writes:

  DIR/html/index.html   llvm-cov's HTML report of core/ (lines, branches)
  DIR/summary.txt       one line: core/ line/branch/function coverage
  DIR/summary.json      the same numbers, and the uncovered items
  DIR/exceptions.md     every line and branch not reached: explained ones
                        (tools/coverage_exceptions.txt) with their reason,
                        the rest marked UNEXPLAINED

--with-unit-tests adds `bazel test //core/...` to the replay (a different
question: what the unit tests reach).
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
from typing import Dict, List, Optional, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzzlib  # noqa: E402

COV_FLAGS = ["--config=coverage"]
EXCEPTIONS_FILE = os.path.join("tools", "coverage_exceptions.txt")


def llvm_tool(name: str) -> str:
    for cand in (name, name + "-14", f"/usr/lib/llvm-14/bin/{name}"):
        path = shutil.which(cand)
        if path:
            return path
    raise RuntimeError(f"{name} not found (install Debian's llvm package: tools/setup.sh)")


def core_sources(ws: str) -> List[str]:
    out = []
    for p in sorted(glob.glob(os.path.join(ws, "core", "*.cc")) +
                    glob.glob(os.path.join(ws, "core", "*.h"))):
        rel = os.path.relpath(p, ws)
        if rel.endswith("_test.cc"):
            continue
        out.append(rel)
    return out


def load_exceptions(ws: str) -> List[Tuple[str, re.Pattern, str]]:
    """Lines: `core/file.cc | regex | reason`. The regex is searched in
    "FUNCTION: SOURCE LINE" (FUNCTION demangled, without arguments, e.g.
    `mtty::EventfdSink::Signal: if (fd_ < 0) return;`), so a rule can name a
    whole function or one statement. `<file>` stands for a whole file no
    binary links."""
    rules = []
    path = os.path.join(ws, EXCEPTIONS_FILE)
    if not os.path.isfile(path):
        return rules
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [p.strip() for p in line.split(" | ", 2)]
            if len(parts) != 3:
                continue
            rules.append((parts[0], re.compile(parts[1]), parts[2]))
    return rules


def function_spans(cov: str, profile: str, obj_args: List[str], sources: List[str],
                   ws: str, segments: Optional[Dict[str, Dict[int, List[Tuple[int, int, bool]]]]] = None
                   ) -> Dict[str, List[Tuple[int, int, str]]]:
    """file -> [(first line, last line, demangled name)] of every function,
    from llvm-cov's full export. If `segments` is given, it is filled with
    file -> {line: [(column, count, is_region_entry) of each non-gap segment
    starting on it]}."""
    proc = subprocess.run([cov, "export", "-format=text", "-skip-expansions",
                           f"-instr-profile={profile}"] + obj_args + sources,
                          cwd=ws, text=True, capture_output=True)
    if proc.returncode != 0:
        return {}
    data = json.loads(proc.stdout)["data"][0]
    if segments is not None:
        # Segment: [line, col, count, has_count, is_region_entry, is_gap].
        for f in data.get("files", []):
            per_line = segments.setdefault(normalise_path(f["filename"], ws), {})
            for seg in f.get("segments", []):
                if seg[3] and not seg[5]:
                    per_line.setdefault(seg[0], []).append((seg[1], seg[2], bool(seg[4])))
    spans: Dict[str, List[Tuple[int, int, str]]] = {}
    raw = []
    for fn in data.get("functions", []):
        regions = [r for r in fn.get("regions", []) if r[5] == 0]
        if not regions or not fn.get("filenames"):
            continue
        name = fn["name"].split(":", 1)[-1] if ":" in fn["name"] and not fn["name"].startswith("_Z") else fn["name"]
        raw.append((normalise_path(fn["filenames"][0], ws), min(r[0] for r in regions),
                    max(r[2] for r in regions), name))
    names = [r[3] for r in raw]
    demangled = names
    for tool in ("llvm-cxxfilt", "llvm-cxxfilt-14", "c++filt"):
        path = shutil.which(tool)
        if path:
            out = subprocess.run([path], input="\n".join(names), text=True,
                                 capture_output=True).stdout.splitlines()
            if len(out) == len(names):
                demangled = out
            break
    for (f, a, b, _), d in zip(raw, demangled):
        spans.setdefault(f, []).append((a, b, short_function_name(d)))
    return spans


def short_function_name(demangled: str) -> str:
    """`bool mtty::X::F<T>(int) const` -> `mtty::X::F<T>`; ABI tags and the
    argument list dropped, `(anonymous namespace)` kept."""
    d = demangled.replace("(anonymous namespace)", "\0anon\0").replace("[abi:cxx11]", "")
    depth, cut, start = 0, len(d), 0
    for i, ch in enumerate(d):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == " " and depth == 0:
            start = i + 1  # a template's return type precedes the name
        elif ch == "(" and depth == 0:
            cut = i
            break
    return d[start:cut].replace("\0anon\0", "(anonymous namespace)")


def enclosing(spans: List[Tuple[int, int, str]], line: int) -> str:
    best = None
    for a, b, name in spans:
        if a <= line <= b and (best is None or b - a < best[1] - best[0]):
            best = (a, b, name)
    return best[2] if best else ""


def parse_lcov(text: str) -> Dict[str, dict]:
    files: Dict[str, dict] = {}
    cur = None
    for line in text.splitlines():
        if line.startswith("SF:"):
            cur = {"lines": {}, "branches": [], "functions": {}}
            files[line[3:]] = cur
        elif cur is None:
            continue
        elif line.startswith("DA:"):
            ln, cnt = line[3:].split(",")[:2]
            cur["lines"][int(ln)] = cur["lines"].get(int(ln), 0) + int(cnt)
        elif line.startswith("BRDA:"):
            ln, block, br, taken = line[5:].split(",")
            cur["branches"].append((int(ln), block, br, 0 if taken == "-" else int(taken)))
        elif line.startswith("FNDA:"):
            cnt, name = line[5:].split(",", 1)
            cur["functions"][name] = cur["functions"].get(name, 0) + int(cnt)
    return files


def normalise_path(p: str, ws: str) -> str:
    p = p.replace("/proc/self/cwd/", "")
    if p.startswith(ws.rstrip("/") + "/"):
        return os.path.relpath(p, ws)
    if os.path.isabs(p):
        idx = p.find("/core/")
        if idx >= 0:
            return p[idx + 1:]
        return os.path.relpath(p, ws)
    return p


def run_coverage(ws: str, out: str, corpus_roots: List[str],
                 output_base: str, fuzzers: Optional[List[str]] = None,
                 conformance: bool = True, unit_tests: bool = False,
                 replay_timeout: int = 900) -> dict:
    os.makedirs(out, exist_ok=True)
    prof_dir = os.path.join(out, "profraw")
    shutil.rmtree(prof_dir, ignore_errors=True)
    os.makedirs(prof_dir)
    bz = fuzzlib.Bazel(ws, output_base=output_base)
    fzs = fuzzlib.discover_fuzzers(bz, only=fuzzers)
    notes: List[str] = []

    # The conformance traces: the tests that read //conformance:traces.
    conf_tests: List[str] = []
    if conformance:
        try:
            conf_tests = bz.query(
                "kind(cc_test, tests(//conformance/...) intersect "
                "rdeps(//conformance/..., //conformance:traces, 1))", keep_going=True)
        except fuzzlib.BazelError as e:
            notes.append(f"conformance traces skipped: query failed ({str(e).splitlines()[0]})")
    unit = bz.query('kind("cc_test", //core/...)') if unit_tests else []

    fuzzlib.log(f"coverage: building {len(fzs)} fuzzers with --config=coverage")
    broken = bz.build_each([f.label for f in fzs], COV_FLAGS)
    for label, err in sorted(broken.items()):
        notes.append(f"{label} skipped: does not build ({err})")
        fuzzlib.log("coverage: " + notes[-1])
    fzs = [f for f in fzs if f.label not in broken]
    if not fzs:
        raise RuntimeError("no fuzzer builds with --config=coverage")

    objects: List[str] = []
    env_base = fuzzlib.fuzz_env({"ASAN_OPTIONS": "detect_leaks=0:allocator_may_return_null=1"})
    inputs_replayed = 0
    for f in fzs:
        binary = os.path.realpath(bz.output_path(f.label, COV_FLAGS))
        objects.append(binary)
        dirs = [f.seed_dir, f.regression_dir] + [os.path.join(r, f.name) for r in corpus_roots]
        dirs = [d for d in dirs if fuzzlib.files_in(d)]
        if not dirs:
            continue
        n = sum(len(fuzzlib.files_in(d)) for d in dirs)
        inputs_replayed += n
        env = dict(env_base, LLVM_PROFILE_FILE=os.path.join(prof_dir, f"{f.name}-%p.profraw"))
        rc = subprocess.call([binary, "-runs=0", "-timeout=10"] + dirs,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=env, timeout=replay_timeout)
        if rc != 0:
            # An input that fails stops a -runs=0 pass; run the rest one by
            # one so one crash does not hide the coverage of the others.
            fuzzlib.log(f"coverage: {f.name}: replay exited {rc}; replaying inputs one by one")
            for d in dirs:
                for p in fuzzlib.files_in(d):
                    subprocess.call([binary, "-runs=1", "-timeout=10", p],
                                    stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, env=env, timeout=60)
        fuzzlib.log(f"coverage: {f.name}: replayed {n} inputs")

    test_targets = conf_tests + unit
    ran_tests: List[str] = []
    if test_targets:
        fuzzlib.log(f"coverage: running {len(test_targets)} tests "
                    "(conformance traces{})".format(", unit tests" if unit else ""))
        # --keep_going: a test that does not build (someone's work in
        # progress) is noted and skipped, the others still count.
        proc = bz.run(["test", "--keep_going"] + COV_FLAGS + [
            f"--test_env=LLVM_PROFILE_FILE={prof_dir}/test-%p-%m.profraw",
            "--cache_test_results=no", "--test_output=errors",
            "--test_summary=short"] + test_targets, check=False)
        text = (proc.stdout or "") + (proc.stderr or "")
        for label in test_targets:
            m = re.search(re.escape(label) + r"\s+(?:\(cached\)\s+)?([A-Z][A-Z ]+?)\b(?: in|$)",
                          text, re.M)
            status = m.group(1).strip() if m else "NO STATUS"
            if status in ("PASSED", "FAILED", "FLAKY", "TIMEOUT"):
                ran_tests.append(label)
                p = os.path.realpath(bz.output_path(label, COV_FLAGS))
                if os.path.isfile(p) and os.access(p, os.X_OK):
                    objects.append(p)
                if status != "PASSED":
                    notes.append(f"{label} {status} under coverage (its profile still counts)")
            else:
                notes.append(f"{label} skipped: {status}")
        for n in notes:
            fuzzlib.log("coverage: " + n)

    raws = glob.glob(os.path.join(prof_dir, "*.profraw"))
    if not raws:
        raise RuntimeError("no profiles were written (nothing replayed?)")
    merged = os.path.join(out, "merged.profdata")
    subprocess.run([llvm_tool("llvm-profdata"), "merge", "-sparse", "-o", merged] + raws,
                   check=True)
    shutil.rmtree(prof_dir, ignore_errors=True)

    # Bazel compiles in a sandbox whose paths the coverage mapping records
    # as /proc/self/cwd/core/...: map them onto the workspace so the source
    # filter (absolute core/ paths) matches and the HTML shows the sources.
    sources = [os.path.join(ws, p) for p in core_sources(ws)]
    cov = llvm_tool("llvm-cov")
    obj_args = ([f"-path-equivalence=/proc/self/cwd,{ws}", objects[0]] +
                [a for o in objects[1:] for a in ("-object", o)])
    html = os.path.join(out, "html")
    shutil.rmtree(html, ignore_errors=True)
    subprocess.run([cov, "show", "-format=html", f"-output-dir={html}",
                    f"-instr-profile={merged}", "-show-branches=count",
                    "-show-line-counts-or-regions", "-project-title=mtty-lab core/",
                    ] + obj_args + sources, cwd=ws, check=True,
                   stdout=subprocess.DEVNULL)
    exported = subprocess.run([cov, "export", "-format=text", "-summary-only",
                               f"-instr-profile={merged}"] + obj_args + sources,
                              cwd=ws, check=True, text=True, capture_output=True).stdout
    totals = json.loads(exported)["data"][0]["totals"]
    lcov = subprocess.run([cov, "export", "-format=lcov", f"-instr-profile={merged}"]
                          + obj_args + sources, cwd=ws, check=True, text=True,
                          capture_output=True).stdout

    def pct(k: str) -> str:
        t = totals[k]
        return f"{t['percent']:.1f}% ({t['covered']}/{t['count']})"

    line = (f"core/ coverage: lines {pct('lines')}, branches {pct('branches')}, "
            f"functions {pct('functions')} [{len(fzs)} fuzzers, {inputs_replayed} inputs"
            + "".join(f", {n} {what}" for n, what in (
                (sum(1 for t in ran_tests if t in conf_tests), "conformance tests"),
                (sum(1 for t in ran_tests if t in unit), "unit tests")) if n)
            + "]")

    # Uncovered lines and branches, explained or not.
    rules = load_exceptions(ws)
    files = parse_lcov(lcov)
    segments: Dict[str, Dict[int, List[Tuple[int, int, bool]]]] = {}
    spans = function_spans(cov, merged, obj_args, sources, ws, segments)
    uncovered = []
    for path, data in sorted(files.items()):
        rel = normalise_path(path, ws)
        if not rel.startswith("core/"):
            continue
        try:
            with open(os.path.join(ws, rel)) as f:
                src = f.read().splitlines()
        except OSError:
            src = []
        items = [(ln, "line", "") for ln, c in data["lines"].items() if c == 0]
        seen = set()
        for ln, block, br, taken in data["branches"]:
            if taken == 0 and (ln, br) not in seen and data["lines"].get(ln, 0) > 0:
                seen.add((ln, br))
                # llvm-cov numbers a line's branch arms 0, 1, 2, ...: each
                # condition's true arm, then its false arm.
                items.append((ln, "branch", "true" if int(br) % 2 == 0 else "false"))
        for ln, what, detail in sorted(items):
            text = src[ln - 1].strip() if 0 < ln <= len(src) else ""
            func = enclosing(spans.get(rel, []), ln)
            reason = ""
            # llvm-cov 14 takes a line's count from the segment wrapping
            # into it when no segment on the line is a region entry: after a
            # block that can return early (`if (..) return ..; }`) the
            # zero-count gap region up to the next statement makes that
            # statement's line 0 although it ran. The proof is a non-gap
            # segment with a count starting at (or before) the line's first
            # token; a segment later on the line only says that an inner
            # region ended there, so it does not count.
            first_col = len(src[ln - 1]) - len(src[ln - 1].lstrip()) + 1 if text else 0
            # A segment that only resumes the enclosing region, as on the `}`
            # of `} else if (x) {`, carries that region's count, not the
            # line's: on such lines only a region entry is proof.
            resumes = text.startswith("}")
            ran = max([c for col, c, entry in segments.get(rel, {}).get(ln, [])
                       if col <= first_col and (entry or not resumes)], default=0)
            if what == "line" and ran > 0:
                reason = (f"ran {ran} times: the segment at the line's first token has that "
                          "count; llvm-cov 14 counts the line by the zero-count gap region "
                          "before it (after a block that can return early)")
            for fpat, rx, why in ([] if reason else rules):
                if (fpat == rel or fpat == "*") and rx.search(f"{func}: {text}"):
                    reason = why
                    break
            uncovered.append({"file": rel, "line": ln, "what": what, "detail": detail,
                              "function": func, "source": text, "reason": reason})

    # A core/ file no replayed binary links has no coverage data at all, so
    # llvm-cov leaves it out of the totals: list it, it is never "covered".
    seen_files = {normalise_path(p, ws) for p in files}
    for rel in core_sources(ws):
        if rel.endswith(".cc") and rel not in seen_files:
            reason = ""
            for fpat, rx, why in rules:
                if fpat == rel and rx.pattern == "<file>":
                    reason = why
            uncovered.append({"file": rel, "line": 0, "what": "file",
                              "detail": "linked into no fuzzer or replayed test",
                              "function": "", "source": "", "reason": reason})
            notes.append(f"{rel}: linked into no fuzzer or replayed test (not in the totals)")

    unexplained = [u for u in uncovered if not u["reason"]]
    md = ["# core/ coverage exceptions", "", line, ""] + [f"Note: {n}" for n in notes] + ["",
          f"{len(uncovered)} uncovered items, {len(unexplained)} without a recorded reason "
          f"(add `file | regex | reason` lines to {EXCEPTIONS_FILE}).", "",
          "| file:line | function | what | source | reason |", "|---|---|---|---|---|"]
    for u in uncovered:
        if u["what"] == "branch":
            what = f"branch ({u['detail']} never taken)"
        else:
            what = u["what"] + (f" ({u['detail']})" if u["detail"] else "")
        src = u["source"].replace("|", "\\|")
        md.append(f"| {u['file']}:{u['line']} | `{u.get('function', '')}` | {what} | `{src}` | "
                  f"{u['reason'] or '**UNEXPLAINED**'} |")
    exceptions_file = os.path.join(out, "exceptions.md")
    with open(exceptions_file, "w") as f:
        f.write("\n".join(md) + "\n")
    result = {
        "line": line,
        "lines": totals["lines"], "branches": totals["branches"],
        "functions": totals["functions"], "regions": totals["regions"],
        "html": os.path.join(html, "index.html"),
        "exceptions_file": exceptions_file,
        "uncovered": len(uncovered), "unexplained": len(unexplained),
        "fuzzers": [f.name for f in fzs], "tests": ran_tests,
        "inputs_replayed": inputs_replayed,
        "notes": notes,
    }
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write(line + "\n")
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(dict(result, uncovered_items=uncovered), f, indent=2)
    return result


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="/tmp/mtty-coverage")
    ap.add_argument("--corpus-root", action="append", default=[],
                    help="directory with <fuzzer>/ corpora to replay too (e.g. a campaign's DIR/corpus)")
    ap.add_argument("--fuzzers", default="", help="comma-separated subset")
    ap.add_argument("--no-conformance", action="store_true")
    ap.add_argument("--with-unit-tests", action="store_true")
    ap.add_argument("--output-base", default=os.path.expanduser("~/.cache/mtty-bazel-coverage"),
                    help="Bazel output base for the coverage build")
    args = ap.parse_args(argv)
    ws = fuzzlib.workspace()
    cwd = os.environ.get("BUILD_WORKING_DIRECTORY", os.getcwd())
    try:
        res = run_coverage(
            ws=ws, out=os.path.abspath(os.path.join(cwd, args.out)),
            corpus_roots=[os.path.abspath(os.path.join(cwd, r)) for r in args.corpus_root],
            output_base=args.output_base,
            fuzzers=[s for s in args.fuzzers.split(",") if s] or None,
            conformance=not args.no_conformance, unit_tests=args.with_unit_tests)
    except (fuzzlib.BazelError, RuntimeError, subprocess.CalledProcessError) as e:
        fuzzlib.log(f"coverage: {e}")
        return 2
    print(res["line"])
    print(f"HTML: {res['html']}")
    print(f"Exceptions: {res['exceptions_file']} ({res['uncovered']} uncovered, "
          f"{res['unexplained']} unexplained)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
