#!/usr/bin/env python3
"""Planted-bug benchmark: do the fuzzers find the defects they exist for?

  bazel run //tools:canary_bench -- --runs=3 [--canary=NAME,...] [--max-time=120]

For every canary in tools/canary/canaries.bzl: builds its fuzzer with
`--define canary=NAME` (in a separate Bazel output base, so the normal build
stays cached), runs it --runs times with seeds 1..N from corpus/<fuzzer>/ on a
single core until the first crash or --max-time, and prints

  canary | fuzzer | found x/N | median | max | by a seed

A run counts as found only when the crashing input fails the canary build
and does not fail the normal build: a crash the clean code also has is a real
bug, reported in the note, not a find; the run then goes on fuzzing past it
(-fork=1 -ignore_crashes=1, each new crash judged the same way) until the
canary's crash or --max-time. Times are wall-clock from process start to
the crash, seed loading included. Not-found runs count as --max-time in the
median and max (shown with '>'). "by a seed" counts the finds made while
libFuzzer was still running the seed corpus (before INITED): the seeds, not
the mutations, hit the bug. --from-empty starts every run from an empty
corpus (dictionary still on) to measure the fuzzing alone.

--real measures the real defects instead (REAL_DEFECTS in the same file):
nothing is planted; each `_kernel` fuzzer drives Linux 6.1's own
samples/vfio-mdev/mtty.c with MTTY_KERNEL_HUNT=<defect>, so the other known
defects are avoided, from an empty corpus (dictionary on), and a run counts
as found when its crash reproduces with that hunt, names the defect and
samples/vfio-mdev/mtty.c:LINE, and does not reproduce hunting nothing.

  bazel run //tools:canary_bench -- --real --runs=3 --max-time=120

Exit status 0 when every canary was found in every run, 1 otherwise.
"""

import argparse
import ast
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzzlib  # noqa: E402
import triage  # noqa: E402


def load_canaries(ws: str, list_name: str = "CANARIES") -> List[dict]:
    """CANARIES (or REAL_DEFECTS) from tools/canary/canaries.bzl (literal lists)."""
    path = os.path.join(ws, "tools", "canary", "canaries.bzl")
    tree = ast.parse(open(path).read(), path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == list_name for t in node.targets):
            return ast.literal_eval(node.value)
    raise RuntimeError(f"no {list_name} list in {path}")


_SITE = re.compile(r"samples/vfio-mdev/mtty\.c:(\d+)")
_SITE_COL = re.compile(r"samples/vfio-mdev/mtty\.c:(\d+):\d+")


def _replay(binary: str, crash: str, hunt: str) -> subprocess.CompletedProcess:
    return subprocess.run([binary, crash], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace", timeout=120,
                          env=fuzzlib.fuzz_env({"MTTY_KERNEL_HUNT": hunt,
                                                "MTTY_KERNEL_QUIET": "1"}))


def judge_real(binary: str, defect: str, crash: str) -> dict:
    """found: the crash reproduces hunting `defect` alone, its report names
    the defect and the sample's file:line, and hunting nothing it passes."""
    hunted = _replay(binary, crash, defect)
    if hunted.returncode == 0:
        return {"found": False, "note": "crash did not reproduce"}
    # A sanitizer frame or UBSan line (file:line:column) is more precise
    # than the function line the lockstep announces.
    site = _SITE_COL.search(hunted.stdout) or _SITE.search(hunted.stdout)
    if defect not in hunted.stdout or site is None:
        return {"found": False, "note": "report does not name the defect at mtty.c:LINE"}
    if _replay(binary, crash, "none").returncode != 0:
        return {"found": False, "note": "crashes with nothing hunted: not this defect"}
    return {"found": True, "kind": f"mtty.c:{site.group(1)}"}


def real_run(binary: str, fz: fuzzlib.Fuzzer, defect: str, seed: int,
             max_time: float, workdir: str) -> dict:
    """Time to the first crash of one real defect, from an empty corpus."""
    work = os.path.join(workdir, f"run{seed}")
    shutil.rmtree(work, ignore_errors=True)
    corpus = os.path.join(work, "corpus")
    arts = os.path.join(work, "artifacts")
    os.makedirs(corpus)
    os.makedirs(arts)
    flags = fz.default_flags() + [f"-seed={seed}", "-timeout=10", "-print_final_stats=0",
                                  f"-max_total_time={int(max_time)}",
                                  f"-artifact_prefix={arts}/", corpus]
    res = {"seed": seed, "seconds": max_time, "found": False, "note": ""}
    t0 = time.monotonic()
    with open(os.path.join(work, "log"), "w") as logf:
        try:
            subprocess.run([binary] + flags, cwd=work, stdout=logf, stderr=subprocess.STDOUT,
                           env=fuzzlib.fuzz_env({"MTTY_KERNEL_HUNT": defect}),
                           timeout=max_time + 60)
        except subprocess.TimeoutExpired:
            pass
    elapsed = time.monotonic() - t0
    found = _crashes(arts)
    if not found:
        res["note"] = "no crash"
        return res
    verdict = judge_real(binary, defect, found[0])
    if verdict["found"]:
        res.update(found=True, seconds=round(elapsed, 2), kind=verdict["kind"],
                   input=found[0], by_seed=False)
    else:
        res["note"] = verdict["note"]
    return res


def main_real(args, ws: str, out: str) -> int:
    defects = load_canaries(ws, "REAL_DEFECTS")
    want = [s for s in args.canary.split(",") if s]
    if want:
        defects = [d for d in defects if d["name"] in want]
    bz = fuzzlib.Bazel(ws)
    fuzzers = {f.name: f for f in fuzzlib.discover_fuzzers(bz)}
    needed = sorted({d["fuzzer"] for d in defects})
    fuzzlib.log(f"canary_bench: building {', '.join(needed)}")
    broken = bz.build_each([fuzzers[n].label for n in needed if n in fuzzers])
    binaries = {n: fuzzlib.copy_binary(bz.output_path(fuzzers[n].label),
                                       os.path.join(out, "bin", "real", n))
                for n in needed if n in fuzzers and fuzzers[n].label not in broken}
    jobs = [(d, seed) for d in defects if d["fuzzer"] in binaries
            for seed in range(1, args.runs + 1)]

    def work(job):
        d, seed = job
        r = real_run(binaries[d["fuzzer"]], fuzzers[d["fuzzer"]], d["name"], seed,
                     args.max_time, os.path.join(out, "runs", d["name"]))
        state = f"found in {r['seconds']:.1f} s: {r.get('kind')}" if r["found"] else r["note"]
        fuzzlib.log(f"canary_bench: {d['name']} seed {seed}: {state}")
        return d["name"], r

    results: Dict[str, List[dict]] = {d["name"]: [] for d in defects}
    with ThreadPoolExecutor(max_workers=max(1, args.parallel)) as ex:
        for name, r in ex.map(work, jobs):
            results[name].append(r)
    rows = []
    all_found = True
    for d in defects:
        rs = sorted(results[d["name"]], key=lambda r: r["seed"])
        n = sum(1 for r in rs if r["found"])
        if not rs or n < len(rs):
            all_found = False
        times = [r["seconds"] for r in rs] or [args.max_time]
        med, mx = statistics.median(times), max(times)
        capped = n < len(rs)
        sites = ", ".join(sorted({r["kind"] for r in rs if r["found"]})) or "-"
        notes = "; ".join(sorted({r["note"] for r in rs if r["note"]}))
        rows.append([d["name"], d["fuzzer"], d["detector"], f"{n}/{len(rs)}",
                     (">" if capped and med >= args.max_time else "") + f"{med:.1f} s",
                     (">" if capped else "") + f"{mx:.1f} s", sites, notes])
    header = ["real defect", "fuzzer", "detector", "found", "median", "max", "report", "note"]
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    table = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for r in rows:
        table.append("| " + " | ".join(str(v).ljust(w) for v, w in zip(r, widths)) + " |")
    text = "\n".join(table)
    print(text)
    with open(os.path.join(out, "real_defects.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(out, "real_defects.json"), "w") as f:
        json.dump({"runs": args.runs, "max_time": args.max_time, "defects": defects,
                   "results": results}, f, indent=2)
    print(f"\n{'every real defect found in every run' if all_found else 'NOT every real defect was found'}"
          f" (empty start corpus, Linux 6.1 samples/vfio-mdev/mtty.c); details in "
          f"{out}/real_defects.json")
    return 0 if all_found else 1


def _crashes(d: str) -> List[str]:
    return [p for p in fuzzlib.files_in(d)
            if os.path.basename(p).startswith(("crash-", "leak-", "timeout-", "oom-"))]


def _judge(binary: str, clean: str, crash: str) -> dict:
    """found: fails the canary build and passes the normal one."""
    rep = triage.reproduce(binary, crash)
    clean_rep = triage.reproduce(clean, crash)
    if clean_rep.reproduced:
        return {"found": False, "real_bug": clean_rep.kind, "kind": rep.kind}
    if not rep.reproduced:
        return {"found": False, "kind": "", "unreproducible": True}
    return {"found": True, "kind": rep.kind}


def one_run(binary: str, clean: str, fz: fuzzlib.Fuzzer, seed: int,
            max_time: float, workdir: str, use_seeds: bool = True) -> dict:
    """Time to the first crash that is the canary's. libFuzzer stops at the
    first crash; when that one is a real bug (the normal build fails too),
    fuzzing goes on in -fork=1 -ignore_crashes=1 mode from the corpus so far,
    every new crash judged as it appears, until the canary's or the time is
    up."""
    work = os.path.join(workdir, f"run{seed}")
    shutil.rmtree(work, ignore_errors=True)
    corpus = os.path.join(work, "corpus")
    arts = os.path.join(work, "artifacts")
    os.makedirs(corpus)
    os.makedirs(arts)
    base = fz.default_flags() + [f"-seed={seed}", "-timeout=10", "-print_final_stats=0"]
    seeds = [d for d in (fz.seed_dir,) if use_seeds and fuzzlib.files_in(d)]
    res = {"seed": seed, "seconds": max_time, "found": False, "note": "", "real_bugs": []}
    t0 = time.monotonic()
    with open(os.path.join(work, "log"), "w") as logf:
        try:
            subprocess.run([binary] + base + [f"-max_total_time={int(max_time)}",
                                              f"-artifact_prefix={arts}/", corpus] + seeds,
                           cwd=work, stdout=logf, stderr=subprocess.STDOUT,
                           env=fuzzlib.fuzz_env(), timeout=max_time + 60)
        except subprocess.TimeoutExpired:
            pass
    elapsed = time.monotonic() - t0
    found = _crashes(arts)
    if not found:
        res["note"] = "no crash"
        return res
    # libFuzzer prints INITED once the seeds have run: a crash before that
    # came from a seed, not from fuzzing.
    with open(os.path.join(work, "log"), errors="replace") as f:
        by_seed = re.search(r"\bINITED\b", f.read()) is None
    verdict = _judge(binary, clean, found[0])
    if verdict["found"]:
        res.update(found=True, seconds=round(elapsed, 2), kind=verdict["kind"],
                   input=found[0], by_seed=by_seed)
        return res
    if "real_bug" not in verdict:
        res["note"] = "crash did not reproduce"
        return res
    res["real_bugs"].append(verdict["real_bug"])

    # A real bug got there first: keep fuzzing past it.
    arts2 = os.path.join(work, "artifacts-fork")
    os.makedirs(arts2)
    left = max_time - (time.monotonic() - t0)
    judged = set()
    if left >= 2:
        with open(os.path.join(work, "log-fork"), "w") as logf:
            proc = subprocess.Popen(
                [binary] + base + ["-fork=1", "-ignore_crashes=1", "-ignore_timeouts=1",
                                   "-ignore_ooms=1", f"-max_total_time={int(left)}",
                                   f"-artifact_prefix={arts2}/", corpus] + seeds,
                cwd=work, stdout=logf, stderr=subprocess.STDOUT,
                env=fuzzlib.fuzz_env(), start_new_session=True)
            try:
                while time.monotonic() - t0 < max_time + 30:
                    done = proc.poll() is not None
                    for crash in _crashes(arts2):
                        if crash in judged:
                            continue
                        judged.add(crash)
                        v = _judge(binary, clean, crash)
                        if v["found"]:
                            res.update(found=True, kind=v["kind"], input=crash, by_seed=False,
                                       seconds=round(time.monotonic() - t0, 2))
                            break
                        if "real_bug" in v and v["real_bug"] not in res["real_bugs"]:
                            res["real_bugs"].append(v["real_bug"])
                    if res["found"] or done:
                        break
                    time.sleep(0.2)
            finally:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
    bugs = ", ".join(res["real_bugs"])
    res["note"] = f"real bug(s) in the normal build first: {bugs}" + (
        "" if res["found"] else "; canary not reached in the time left")
    return res


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--canary", default="", help="comma-separated subset")
    ap.add_argument("--max-time", type=float, default=120,
                    help="seconds per run before it counts as not found")
    ap.add_argument("--from-empty", action="store_true",
                    help="start from an empty corpus (the dictionary still applies): "
                         "measures the fuzzer, not the seeds")
    ap.add_argument("--parallel", type=int, default=1,
                    help="runs at once (each is one process on one core)")
    ap.add_argument("--out", default="/tmp/mtty-canary-bench")
    ap.add_argument("--output-base", default=os.path.expanduser("~/.cache/mtty-bazel-canary"),
                    help="Bazel output base for the --define canary=... builds")
    ap.add_argument("--list", action="store_true", help="list the canaries and exit")
    ap.add_argument("--real", action="store_true",
                    help="the real Linux 6.1 sample's known defects (REAL_DEFECTS), "
                         "not the planted canaries; always from an empty corpus")
    args = ap.parse_args(argv)

    ws = fuzzlib.workspace()
    if args.real:
        if args.list:
            for d in load_canaries(ws, "REAL_DEFECTS"):
                print(f"{d['name']:24} {d['fuzzer']:20} {d['detector']:12} spec {d['spec']}")
            return 0
        cwd = os.environ.get("BUILD_WORKING_DIRECTORY", os.getcwd())
        out = os.path.abspath(os.path.join(cwd, args.out))
        os.makedirs(out, exist_ok=True)
        return main_real(args, ws, out)
    canaries = load_canaries(ws)
    if args.list:
        for c in canaries:
            print(f"{c['name']:24} {c['fuzzer']:16} {c['kind']:9} {c['what']}")
        return 0
    want = [s for s in args.canary.split(",") if s]
    unknown = set(want) - {c["name"] for c in canaries}
    if unknown:
        fuzzlib.log(f"canary_bench: unknown canary: {', '.join(sorted(unknown))}")
        return 2
    if want:
        canaries = [c for c in canaries if c["name"] in want]
    cwd = os.environ.get("BUILD_WORKING_DIRECTORY", os.getcwd())
    out = os.path.abspath(os.path.join(cwd, args.out))
    os.makedirs(out, exist_ok=True)

    main_bz = fuzzlib.Bazel(ws)
    fuzzers = {f.name: f for f in fuzzlib.discover_fuzzers(main_bz)}
    # Clean binaries from the normal (shared) build: the reference a crash
    # must not reproduce on.
    needed = sorted({c["fuzzer"] for c in canaries if c["fuzzer"] in fuzzers})
    clean: Dict[str, str] = {}
    if needed:
        fuzzlib.log(f"canary_bench: building the normal fuzzers: {', '.join(needed)}")
        broken = main_bz.build_each([fuzzers[n].label for n in needed])
        for n in needed:
            if fuzzers[n].label in broken:
                fuzzlib.log(f"canary_bench: //fuzz:{n} does not build: {broken[fuzzers[n].label]}")
                del fuzzers[n]
                continue
            clean[n] = fuzzlib.copy_binary(main_bz.output_path(fuzzers[n].label),
                                           os.path.join(out, "bin", "clean", n))

    cbz = fuzzlib.Bazel(ws, output_base=args.output_base)
    binaries: Dict[str, Optional[str]] = {}
    notes: Dict[str, str] = {}
    for c in canaries:
        fz = fuzzers.get(c["fuzzer"])
        if fz is None:
            binaries[c["name"]] = None
            notes[c["name"]] = (f"//fuzz:{c['fuzzer']} does not build"
                                if c["fuzzer"] in needed else
                                f"fuzzer //fuzz:{c['fuzzer']} does not exist yet")
            continue
        flag = f"--define=canary={c['name']}"
        fuzzlib.log(f"canary_bench: building {fz.label} with {flag}")
        t0 = time.monotonic()
        try:
            cbz.build([fz.label], [flag])
        except fuzzlib.BazelError as e:
            binaries[c["name"]] = None
            notes[c["name"]] = "build failed"
            fuzzlib.log(str(e))
            continue
        binaries[c["name"]] = fuzzlib.copy_binary(
            cbz.output_path(fz.label, [flag]), os.path.join(out, "bin", c["name"], fz.name))
        fuzzlib.log(f"canary_bench:   built in {time.monotonic() - t0:.0f} s")

    jobs = []
    for c in canaries:
        b = binaries.get(c["name"])
        if not b:
            continue
        for seed in range(1, args.runs + 1):
            jobs.append((c, seed))
    results: Dict[str, List[dict]] = {c["name"]: [] for c in canaries}

    def work(job):
        c, seed = job
        fz = fuzzers[c["fuzzer"]]
        r = one_run(binaries[c["name"]], clean[fz.name], fz, seed, args.max_time,
                    os.path.join(out, "runs", c["name"]), use_seeds=not args.from_empty)
        state = (f"found in {r['seconds']:.1f} s"
                 f"{' (by a seed)' if r.get('by_seed') else ''}: {r.get('kind')}"
                 if r["found"] else r["note"])
        fuzzlib.log(f"canary_bench: {c['name']} seed {seed}: {state}")
        return c["name"], r

    fuzzlib.log(f"canary_bench: {len(jobs)} runs, up to {args.max_time:.0f} s each, "
                f"{args.parallel} at a time")
    with ThreadPoolExecutor(max_workers=max(1, args.parallel)) as ex:
        for name, r in ex.map(work, jobs):
            results[name].append(r)

    rows = []
    all_found = True
    for c in canaries:
        rs = sorted(results[c["name"]], key=lambda r: r["seed"])
        n_found = sum(1 for r in rs if r["found"])
        times = [r["seconds"] for r in rs]
        if not rs:
            all_found = False
            rows.append([c["name"], c["fuzzer"], f"0/{args.runs}", "-", "-", "-", "-",
                         notes.get(c["name"], "not run")])
            continue
        if n_found < len(rs):
            all_found = False
        med = statistics.median(times)
        mx = max(times)
        miss = n_found < len(rs)

        def show(t: float, capped: bool) -> str:
            return (">" if capped else "") + f"{t:.1f} s"

        bug_runs = [r for r in rs if r.get("real_bugs")]
        other = sorted({r["note"] for r in rs if r["note"] and not r.get("real_bugs")})
        if bug_runs:
            kinds = sorted({k for r in bug_runs for k in r["real_bugs"]})
            other.insert(0, f"{len(bug_runs)}/{len(rs)} runs hit a real bug first "
                            f"({', '.join(kinds)}) and fuzzed on past it")
        note = "; ".join(other)
        by_seed = sum(1 for r in rs if r["found"] and r.get("by_seed"))
        kinds = sorted({r["kind"] for r in rs if r["found"]})
        rows.append([c["name"], c["fuzzer"], f"{n_found}/{len(rs)}",
                     show(med, miss and med >= args.max_time),
                     show(mx, miss), f"{by_seed}/{len(rs)}",
                     ", ".join(kinds) or "-", note])
    header = ["canary", "fuzzer", "found", "median", "max", "by a seed", "report", "note"]
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    table = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for r in rows:
        table.append("| " + " | ".join(str(v).ljust(w) for v, w in zip(r, widths)) + " |")
    text = "\n".join(table)
    print(text)
    with open(os.path.join(out, "canaries.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(out, "canaries.json"), "w") as f:
        json.dump({"runs": args.runs, "max_time": args.max_time,
                   "canaries": canaries, "results": results, "notes": notes}, f, indent=2)
    print(f"\n{'every canary found in every run' if all_found else 'NOT every canary was found'}"
          f" ({'empty start corpus' if args.from_empty else 'seeded from corpus/<fuzzer>/'})"
          f"; details in {out}/canaries.json")
    return 0 if all_found else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
