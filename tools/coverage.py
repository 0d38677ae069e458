#!/usr/bin/env python3
"""Source-based coverage of core/ reached by the fuzz corpora and the
conformance traces.

  bazel run //tools:coverage -- [--out=DIR] [--corpus-root=DIR ...]

Builds every fuzzer (and the conformance targets) with --config=coverage
(clang -fprofile-instr-generate -fcoverage-mapping) in its own Bazel output
base, replays corpus/<fuzzer>/ plus fuzz/regressions/<fuzzer>/ plus each
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
    """Lines: `core/file.cc | regex matched against the source line | reason`."""
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

    # The conformance traces: the tests that read //conformance:traces.
    conf_tests: List[str] = []
    notes: List[str] = []
    if conformance:
        try:
            conf_tests = bz.query(
                "kind(cc_test, tests(//conformance/...) intersect "
                "rdeps(//conformance/..., //conformance:traces, 1))", keep_going=True)
        except fuzzlib.BazelError as e:
            notes.append(f"conformance traces skipped: query failed ({str(e).splitlines()[0]})")
    unit = bz.query('kind("cc_test", //core/...)') if unit_tests else []

    fuzzlib.log(f"coverage: building {len(fzs)} fuzzers with --config=coverage")
    bz.build([f.label for f in fzs], COV_FLAGS)
    if conf_tests or unit:
        try:
            bz.build(conf_tests + unit, COV_FLAGS)
        except fuzzlib.BazelError as e:
            first = [l for l in str(e).splitlines() if "ERROR" in l][:1]
            notes.append("conformance/unit tests skipped: build failed "
                         f"({first[0] if first else 'see bazel'})")
            fuzzlib.log("coverage: " + notes[-1])
            conf_tests, unit = [], []

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
    if test_targets:
        fuzzlib.log(f"coverage: running {len(test_targets)} tests "
                    "(conformance traces{})".format(", unit tests" if unit else ""))
        bz.run(["test"] + COV_FLAGS + [
            f"--test_env=LLVM_PROFILE_FILE={prof_dir}/test-%p-%m.profraw",
            "--cache_test_results=no", "--test_output=errors"] + test_targets,
            check=False)
        for label in test_targets:
            p = os.path.realpath(bz.output_path(label, COV_FLAGS))
            if os.path.isfile(p) and os.access(p, os.X_OK):
                objects.append(p)

    raws = glob.glob(os.path.join(prof_dir, "*.profraw"))
    if not raws:
        raise RuntimeError("no profiles were written (nothing replayed?)")
    merged = os.path.join(out, "merged.profdata")
    subprocess.run([llvm_tool("llvm-profdata"), "merge", "-sparse", "-o", merged] + raws,
                   check=True)
    shutil.rmtree(prof_dir, ignore_errors=True)

    sources = core_sources(ws)
    cov = llvm_tool("llvm-cov")
    obj_args = [objects[0]] + [a for o in objects[1:] for a in ("-object", o)]
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
            f"{', ' + str(len(conf_tests)) + ' conformance tests' if conf_tests else ''}]")

    # Uncovered lines and branches, explained or not.
    rules = load_exceptions(ws)
    files = parse_lcov(lcov)
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
                items.append((ln, "branch", "true" if br == "0" else "false"))
        for ln, what, detail in sorted(items):
            text = src[ln - 1].strip() if 0 < ln <= len(src) else ""
            reason = ""
            for fpat, rx, why in rules:
                if (fpat == rel or fpat == "*") and rx.search(text):
                    reason = why
                    break
            uncovered.append({"file": rel, "line": ln, "what": what, "detail": detail,
                              "source": text, "reason": reason})

    unexplained = [u for u in uncovered if not u["reason"]]
    md = ["# core/ coverage exceptions", "", line, ""] + [f"Note: {n}" for n in notes] + ["",
          f"{len(uncovered)} uncovered items, {len(unexplained)} without a recorded reason "
          f"(add `file | regex | reason` lines to {EXCEPTIONS_FILE}).", "",
          "| file:line | what | source | reason |", "|---|---|---|---|"]
    for u in uncovered:
        what = u["what"] + (f" ({u['detail']} never taken)" if u["detail"] else "")
        src = u["source"].replace("|", "\\|")
        md.append(f"| {u['file']}:{u['line']} | {what} | `{src}` | "
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
        "fuzzers": [f.name for f in fzs], "conformance_tests": conf_tests,
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
