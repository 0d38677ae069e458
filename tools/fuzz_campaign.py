#!/usr/bin/env python3
"""One fuzzing campaign over every fuzzer, for a nightly job on one machine.

  bazel run //tools:fuzz_campaign -- --budget=30m --jobs=2 --out=DIR

Builds every fuzzer (`kind(instrumented_binary, //fuzz/...)`), splits the
fuzzing budget evenly across them and runs each in turn with libFuzzer's
-fork=JOBS on a working corpus made of corpus/<name>/, the corpus DIR kept
from the previous run, and --prev-corpus (e.g. last night's artifact). Then it
merges and minimises the corpus (-merge=1) back into DIR/corpus/<name>/, and
for every crash: reproduces it, deduplicates it by report kind and top frames
(tools/triage.py), minimises one input per signature (-minimize_crash) and
writes a reproducer. A coverage report over the final corpora follows
(tools/coverage.py). Everything is summarised in DIR/summary.md and
DIR/summary.json.

With --engine=afl, AFL++ builds (--config=afl, own output base) run side by
side with libFuzzer on the same fuzzer, one of the JOBS slots each; AFL++'s
queue is reduced with afl-cmin and fed into the merge, and its crashes are
triaged with the libFuzzer build.

Exit status: 0 no new crash, 1 at least one new crash (a signature not seen in
an earlier run with this DIR, nor in --known), 2 the campaign itself failed.
"""

import argparse
import datetime
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from typing import Dict, List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzzlib  # noqa: E402
import triage  # noqa: E402

ARTIFACT_PREFIXES = ("crash-", "leak-", "timeout-", "oom-")


class FuzzerRun:
    """State and results of one fuzzer within the campaign."""

    def __init__(self, fz: fuzzlib.Fuzzer, out: str):
        self.fz = fz
        self.work = os.path.join(out, "work", fz.name)
        self.corpus_keep = os.path.join(out, "corpus", fz.name)
        self.artifacts = os.path.join(self.work, "artifacts")
        self.binary = ""
        self.afl_binary = ""
        self.build_flags: List[str] = []
        self.stats = fuzzlib.LibFuzzerStats()
        self.afl_execs = 0
        self.afl_crashes = 0
        self.seconds = 0.0
        self.corpus_before = 0
        self.corpus_after = 0
        self.final_cov = 0
        self.final_ft = 0
        self.status = "pending"
        self.crashes: List[dict] = []
        self.error = ""

    def to_json(self) -> dict:
        execs = self.stats.execs + self.afl_execs
        return {
            "fuzzer": self.fz.name,
            "status": self.status,
            "seconds": round(self.seconds, 1),
            "executions": execs,
            "libfuzzer_executions": self.stats.execs,
            "afl_executions": self.afl_execs,
            "exec_per_s": int(execs / self.seconds) if self.seconds else 0,
            "edges": self.final_cov or self.stats.cov,
            "features": self.final_ft or self.stats.ft,
            "corpus_before": self.corpus_before,
            "corpus_after": self.corpus_after,
            "crash_files": len(self._artifact_files()),
            "unique_crashes": len(self.crashes),
            "new_crashes": sum(1 for c in self.crashes if c["new"]),
            "crashes": self.crashes,
            "error": self.error,
        }

    def _artifact_files(self) -> List[str]:
        files = [p for p in fuzzlib.files_in(self.artifacts)
                 if os.path.basename(p).startswith(ARTIFACT_PREFIXES)]
        afl_crashes = os.path.join(self.work, "afl", "default", "crashes")
        files += [p for p in fuzzlib.files_in(afl_crashes)
                  if os.path.basename(p).startswith("id:")]
        return files


class Progress:
    """Prints a status line every `interval` seconds while a fuzzer runs."""

    def __init__(self, runs: List[FuzzerRun], deadline: float, interval: float):
        self.runs = runs
        self.deadline = deadline
        self.interval = interval
        self.start = fuzzlib.now()
        self._last = 0.0

    def maybe_print(self, current: FuzzerRun, force: bool = False) -> None:
        t = fuzzlib.now()
        if not force and t - self._last < self.interval:
            return
        self._last = t
        s = current.stats
        left = max(0.0, self.deadline - t)
        found = ", ".join(f"{r.fz.name}={r.stats.crashes + r.afl_crashes}"
                          for r in self.runs if r.status in ("running", "done"))
        afl = f" afl-execs {current.afl_execs}" if current.afl_binary else ""
        eps = int(s.execs / current.seconds) if current.seconds else s.exec_per_s
        fuzzlib.log(
            f"[campaign {fuzzlib.fmt_duration(t - self.start)} elapsed, "
            f"{fuzzlib.fmt_duration(left)} of fuzzing left] {current.fz.name}: "
            f"execs {s.execs} ({eps}/s){afl} cov {s.cov} ft {s.ft} corp {s.corp} | "
            f"crashes: {found or '-'}")


def _reader(stream, q: "queue.Queue[Optional[str]]", logf) -> None:
    for line in iter(stream.readline, ""):
        logf.write(line)
        q.put(line)
    q.put(None)


def run_libfuzzer(run: FuzzerRun, seconds: float, jobs: int, extra: List[str],
                  progress: Progress, seed_dirs: List[str]) -> None:
    os.makedirs(run.artifacts, exist_ok=True)
    flags = [f"-fork={jobs}", "-ignore_crashes=1", "-ignore_timeouts=1",
             "-ignore_ooms=1", f"-max_total_time={int(max(1, seconds))}",
             f"-artifact_prefix={run.artifacts}/", "-print_final_stats=1"]
    # The fuzzer's own defaults first, so the campaign's flags win.
    flags = run.fz.default_flags() + flags + extra
    cmd = [run.binary] + flags + [os.path.join(run.work, "corpus")] + seed_dirs
    logpath = os.path.join(run.work, "libfuzzer.log")
    with open(logpath, "w") as logf:
        logf.write("$ " + " ".join(cmd) + "\n")
        proc = subprocess.Popen(cmd, cwd=run.work, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True,
                                errors="replace", env=fuzzlib.fuzz_env())
        q: "queue.Queue[Optional[str]]" = queue.Queue()
        th = threading.Thread(target=_reader, args=(proc.stdout, q, logf),
                              daemon=True)
        th.start()
        start = fuzzlib.now()
        hard_stop = start + seconds + 120
        while True:
            try:
                line = q.get(timeout=1)
            except queue.Empty:
                line = ""
            if line is None:
                break
            if line:
                run.stats.feed(line)
            run.seconds = fuzzlib.now() - start
            progress.maybe_print(run)
            if fuzzlib.now() > hard_stop:
                proc.kill()
        proc.wait()
        th.join(timeout=5)
    run.seconds = fuzzlib.now() - start


def run_afl(run: FuzzerRun, seconds: float, stop: threading.Event) -> None:
    """afl-fuzz for `seconds` on the seeds; counts execs from fuzzer_stats."""
    seeds = os.path.join(run.work, "afl-in")
    os.makedirs(seeds, exist_ok=True)
    fuzzlib.add_inputs(seeds, [os.path.join(run.work, "corpus")])
    if not fuzzlib.files_in(seeds):
        with open(os.path.join(seeds, "empty"), "wb") as f:
            f.write(b"\0")
    outdir = os.path.join(run.work, "afl")
    cmd = ["afl-fuzz", "-i", seeds, "-o", outdir, "-V", str(int(max(1, seconds)))]
    if run.fz.dict_path:
        cmd += ["-x", run.fz.dict_path]
    cmd += ["--", run.afl_binary]
    env = fuzzlib.clean_env()
    env.update({
        "AFL_NO_UI": "1", "AFL_SKIP_CPUFREQ": "1", "AFL_NO_AFFINITY": "1",
        "AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES": "1", "AFL_QUIET": "1",
        "AFL_AUTORESUME": "1",
        "ASAN_OPTIONS": "abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1",
        "UBSAN_OPTIONS": "halt_on_error=1:abort_on_error=1:symbolize=0",
    })
    with open(os.path.join(run.work, "afl.log"), "w") as logf:
        logf.write("$ " + " ".join(cmd) + "\n")
        logf.flush()
        proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, env=env)
        deadline = fuzzlib.now() + seconds + 60
        while proc.poll() is None:
            time.sleep(1)
            _read_afl_stats(run, outdir)
            if stop.is_set() or fuzzlib.now() > deadline:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        _read_afl_stats(run, outdir)


def _read_afl_stats(run: FuzzerRun, outdir: str) -> None:
    path = os.path.join(outdir, "default", "fuzzer_stats")
    try:
        with open(path) as f:
            for line in f:
                k, _, v = line.partition(":")
                k, v = k.strip(), v.strip()
                if k == "execs_done":
                    run.afl_execs = int(v)
                elif k in ("saved_crashes", "unique_crashes"):
                    run.afl_crashes = int(v)
    except (OSError, ValueError):
        pass


def afl_cmin(run: FuzzerRun) -> Optional[str]:
    queue_dir = os.path.join(run.work, "afl", "default", "queue")
    if not fuzzlib.files_in(queue_dir):
        return None
    out = os.path.join(run.work, "afl-cmin")
    shutil.rmtree(out, ignore_errors=True)
    env = fuzzlib.clean_env()
    # AFL_ALLOW_TMP: campaign directories often live under /tmp.
    env.update({"AFL_QUIET": "1", "AFL_ALLOW_TMP": "1",
                "ASAN_OPTIONS": "abort_on_error=1:symbolize=0:detect_leaks=0"})
    with open(os.path.join(run.work, "afl-cmin.log"), "w") as logf:
        rc = subprocess.call(["afl-cmin", "-i", queue_dir, "-o", out, "--",
                              run.afl_binary], stdout=logf,
                             stderr=subprocess.STDOUT, env=env)
    return out if rc == 0 and fuzzlib.files_in(out) else queue_dir


def merge_corpus(run: FuzzerRun, extra_dirs: List[str]) -> None:
    """-merge=1 of the working corpus (and AFL++'s) into a fresh minimal
    corpus, which replaces DIR/corpus/<name>."""
    merged = os.path.join(run.work, "merged")
    shutil.rmtree(merged, ignore_errors=True)
    os.makedirs(merged)
    dirs = [os.path.join(run.work, "corpus")] + [d for d in extra_dirs if d]
    with open(os.path.join(run.work, "merge.log"), "w") as logf:
        rc = subprocess.call([run.binary, "-merge=1", "-timeout=10",
                              f"-artifact_prefix={run.artifacts}/", merged] + dirs,
                             cwd=run.work, stdout=logf, stderr=subprocess.STDOUT,
                             env=fuzzlib.fuzz_env())
    if rc != 0 or not fuzzlib.files_in(merged) and fuzzlib.files_in(dirs[0]):
        # A crash during merge must not lose the corpus: keep the union.
        fuzzlib.log(f"campaign: {run.fz.name}: merge exited {rc}; keeping the unmerged corpus")
        fuzzlib.add_inputs(merged, dirs)
    tmp = run.corpus_keep + ".new"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(merged, tmp)
    shutil.rmtree(run.corpus_keep, ignore_errors=True)
    os.replace(tmp, run.corpus_keep)
    run.corpus_after = len(fuzzlib.files_in(run.corpus_keep))
    st = fuzzlib.replay_stats(run.binary, [run.corpus_keep])
    run.final_cov, run.final_ft = st.cov, st.ft


def triage_run(run: FuzzerRun, out: str, known: Dict[str, dict],
               max_inputs: int, minimize_s: int) -> None:
    files = run._artifact_files()
    # Smallest first: the likeliest to be quick and already near-minimal.
    files.sort(key=lambda p: (os.path.getsize(p), p))
    groups: Dict[str, dict] = {}
    for path in files[:max_inputs]:
        if os.path.basename(path).startswith("timeout-"):
            rep = triage.reproduce(run.binary, path, timeout=60)
        else:
            rep = triage.reproduce(run.binary, path, timeout=30)
        if not rep.reproduced:
            sig = "unreproducible"
            rep.kind = rep.kind or "unreproducible"
            rep.summary = rep.summary or "did not fail when run again"
        else:
            sig = rep.signature(run.fz.name)
        g = groups.setdefault(sig, {"report": rep, "inputs": []})
        g["inputs"].append(path)
    if len(files) > max_inputs:
        fuzzlib.log(f"campaign: {run.fz.name}: triaged {max_inputs} of {len(files)} "
                    "crash files (smallest first); raise --max-triage for more")
    for sig, g in sorted(groups.items()):
        rep: triage.Report = g["report"]
        dest = os.path.join(out, "crashes", run.fz.name, sig)
        os.makedirs(dest, exist_ok=True)
        first = g["inputs"][0]
        is_new = sig != "unreproducible" and sig not in known
        minimized = os.path.join(dest, "input")
        if os.path.isfile(minimized) and sig in known:
            # Kept from the run that first saw it; its report goes with it.
            old = triage.reproduce(run.binary, minimized)
            if old.reproduced and old.signature(run.fz.name) == sig:
                rep = old
            else:
                shutil.copyfile(first, os.path.join(dest, "original"))
                triage.minimize_same(run.binary, run.fz.name, first, minimized, sig,
                                     minimize_s)
        else:
            shutil.copyfile(first, os.path.join(dest, "original"))
            if sig == "unreproducible" or rep.kind == "libfuzzer:timeout":
                shutil.copyfile(first, minimized)
            else:
                triage.minimize_same(run.binary, run.fz.name, first, minimized, sig,
                                     minimize_s)
        with open(os.path.join(dest, "report.txt"), "w") as f:
            f.write(rep.text)
        repro = " ".join(["bazel", "run"] + run.build_flags +
                         [run.fz.label, "--", os.path.abspath(minimized)])
        script = os.path.join(dest, "reproduce.sh")
        with open(script, "w") as f:
            f.write("#!/usr/bin/env bash\n"
                    f"# {run.fz.name}: {rep.summary}\n"
                    f"# signature {sig}: {rep.kind}"
                    + "".join(f"\n#   in {fr}" for fr in rep.frames) + "\n"
                    f"cd \"$(git -C \"$(dirname \"$0\")\" rev-parse --show-toplevel 2>/dev/null || echo {run.fz.ws})\"\n"
                    f"exec {repro} \"$@\"\n")
        os.chmod(script, 0o755)
        entry = {
            "signature": sig,
            "kind": rep.kind,
            "summary": rep.summary,
            "frames": rep.frames,
            "count": len(g["inputs"]),
            "new": is_new,
            "input": os.path.abspath(minimized),
            "input_bytes": os.path.getsize(minimized),
            "reproduce": repro,
            "reproduce_script": os.path.abspath(script),
        }
        run.crashes.append(entry)
        if is_new:
            known[sig] = {"fuzzer": run.fz.name, "kind": rep.kind,
                          "first_seen": datetime.datetime.now(datetime.timezone.utc)
                          .isoformat(timespec="seconds")}


def load_known(out: str, extra: List[str]) -> Dict[str, dict]:
    known: Dict[str, dict] = {}
    for path in [os.path.join(out, "crashes", "known.json")] + extra:
        if os.path.isfile(path):
            with open(path) as f:
                known.update(json.load(f))
    return known


def write_summary(out: str, runs: List[FuzzerRun], meta: dict,
                  coverage: Optional[dict]) -> str:
    data = {"campaign": meta, "fuzzers": [r.to_json() for r in runs],
            "coverage": coverage}
    tot = {k: sum(f[k] for f in data["fuzzers"])
           for k in ("executions", "unique_crashes", "new_crashes")}
    data["totals"] = tot
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(data, f, indent=2)

    lines = [
        f"# Fuzzing campaign {meta['started']}",
        "",
        f"Budget {meta['budget']} of fuzzing ({meta['per_fuzzer_s']} s per fuzzer), "
        f"jobs {meta['jobs']}, engine {meta['engine']}, commit {meta['commit']}. "
        f"Wall time {fuzzlib.fmt_duration(meta['wall_s'])}."
        + (f" Build flags: `{' '.join(meta['build_flags'])}`." if meta.get("build_flags") else ""),
        "",
        "| fuzzer | status | executions | exec/s | edges | features | corpus before | corpus after | crash files | unique crashes | new |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in data["fuzzers"]:
        lines.append(
            f"| {f['fuzzer']} | {f['status']} | {f['executions']} | {f['exec_per_s']} | "
            f"{f['edges']} | {f['features']} | {f['corpus_before']} | {f['corpus_after']} | "
            f"{f['crash_files']} | {f['unique_crashes']} | {f['new_crashes']} |")
    lines += ["", f"Total: {tot['executions']} executions, {tot['unique_crashes']} unique "
              f"crashes, {tot['new_crashes']} new.", ""]
    crashes = [(f["fuzzer"], c) for f in data["fuzzers"] for c in f["crashes"]]
    if crashes:
        lines += ["## Crashes", ""]
        for name, c in crashes:
            tag = "NEW" if c["new"] else "known"
            lines.append(f"- **{tag}** `{name}` `{c['signature']}` {c['kind']} "
                         f"({c['count']} inputs): {c['summary']}")
            for fr in c["frames"]:
                lines.append(f"  - in `{fr}`")
            lines.append(f"  - reproduce: `{c['reproduce']}`")
        lines.append("")
    if coverage:
        lines += ["## Coverage of core/", "", coverage.get("line", ""), "",
                  f"HTML report: `{coverage.get('html', '')}`; exceptions: "
                  f"`{coverage.get('exceptions_file', '')}`", ""]
    errors = [f for f in data["fuzzers"] if f["error"]]
    if errors:
        lines += ["## Errors", ""] + [f"- {f['fuzzer']}: {f['error']}" for f in errors] + [""]
    md = "\n".join(lines)
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write(md)
    return md


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget", default="30m",
                    help="total fuzzing time, split evenly across fuzzers (e.g. 90s, 5m, 1h)")
    ap.add_argument("--jobs", type=int, default=2, help="parallel fuzzing processes")
    ap.add_argument("--out", default="/tmp/mtty-campaign",
                    help="campaign directory; reused across runs (corpus, known crashes)")
    ap.add_argument("--prev-corpus", action="append", default=[],
                    help="extra corpus root with <fuzzer>/ subdirectories (e.g. last night's)")
    ap.add_argument("--fuzzers", default="", help="comma-separated subset")
    ap.add_argument("--exclude", default="", help="comma-separated fuzzers to skip")
    ap.add_argument("--engine", choices=["libfuzzer", "afl", "afl-only"], default="libfuzzer",
                    help="afl: AFL++ side by side with libFuzzer; afl-only: AFL++ alone")
    ap.add_argument("--afl-output-base", default=os.path.expanduser("~/.cache/mtty-bazel-afl"))
    ap.add_argument("--known", action="append", default=[],
                    help="known.json of crash signatures not to count as new")
    ap.add_argument("--max-triage", type=int, default=100,
                    help="crash files reproduced per fuzzer (smallest first)")
    ap.add_argument("--minimize-time", type=int, default=30,
                    help="seconds of -minimize_crash per unique crash")
    ap.add_argument("--no-coverage", action="store_true", help="skip the coverage report")
    ap.add_argument("--coverage-output-base",
                    default=os.path.expanduser("~/.cache/mtty-bazel-coverage"))
    ap.add_argument("--build-flag", action="append", default=[],
                    help="extra Bazel build flag for the libFuzzer builds, e.g. "
                         "--build-flag=--define=canary=iir_priority (use with --output-base)")
    ap.add_argument("--output-base", default=None,
                    help="Bazel output base for the libFuzzer builds (default: the "
                         "workspace's own, shared with `bazel run //fuzz:...`)")
    ap.add_argument("--progress-interval", type=float, default=15)
    ap.add_argument("libfuzzer_flags", nargs="*",
                    help="extra libFuzzer flags after --, e.g. -use_value_profile=1")
    args = ap.parse_args(argv)

    wall_start = fuzzlib.now()
    ws = fuzzlib.workspace()
    cwd = os.environ.get("BUILD_WORKING_DIRECTORY", os.getcwd())
    out = os.path.abspath(os.path.join(cwd, args.out))
    os.makedirs(out, exist_ok=True)
    budget = fuzzlib.parse_duration(args.budget)
    jobs = max(1, args.jobs)
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    commit = fuzzlib.git_commit(ws)

    bz = fuzzlib.Bazel(ws, output_base=args.output_base)
    try:
        fuzzers = fuzzlib.discover_fuzzers(
            bz, only=[s for s in args.fuzzers.split(",") if s] or None,
            exclude=[s for s in args.exclude.split(",") if s])
    except fuzzlib.BazelError as e:
        fuzzlib.log(f"campaign: {e}")
        return 2
    if not fuzzers:
        fuzzlib.log("campaign: no fuzzers found under //fuzz/...")
        return 2
    runs = [FuzzerRun(f, out) for f in fuzzers]
    fuzzlib.log(f"campaign: {len(runs)} fuzzers: {', '.join(r.fz.name for r in runs)}")

    # Build everything first: a broken build fails before any fuzzing.
    fuzzlib.log("campaign: building the libFuzzer binaries")
    try:
        broken = bz.build_each([r.fz.label for r in runs], args.build_flag)
    except fuzzlib.BazelError as e:
        fuzzlib.log(f"campaign: build failed:\n{e}")
        return 2
    for r in runs:
        r.build_flags = list(args.build_flag)
        if r.fz.label in broken:
            # Reported as a row of the summary; the campaign exits 2.
            r.status = "build failed"
            r.error = broken[r.fz.label]
            fuzzlib.log(f"campaign: {r.fz.name} does not build: {r.error}")
            continue
        r.binary = fuzzlib.copy_binary(bz.output_path(r.fz.label, args.build_flag),
                                       os.path.join(out, "bin", r.fz.name))
    afl = args.engine in ("afl", "afl-only")
    if afl:
        fuzzlib.log("campaign: building the AFL++ binaries (--config=afl, own output base)")
        abz = fuzzlib.Bazel(ws, output_base=args.afl_output_base)
        try:
            afl_broken = abz.build_each([r.fz.label for r in runs],
                                        ["--config=afl"] + args.build_flag)
        except fuzzlib.BazelError as e:
            fuzzlib.log(f"campaign: AFL++ build failed:\n{e}")
            return 2
        for r in runs:
            if r.status == "build failed":
                continue
            if r.fz.label in afl_broken:
                r.error = "AFL++ build failed: " + afl_broken[r.fz.label]
                fuzzlib.log(f"campaign: {r.fz.name}: {r.error}")
                if args.engine == "afl-only":
                    r.status = "build failed"
                continue
            r.afl_binary = fuzzlib.copy_binary(
                abz.output_path(r.fz.label, ["--config=afl"]),
                os.path.join(out, "bin", r.fz.name + ".afl"))

    runnable = [r for r in runs if r.status == "pending"]
    if not runnable:
        fuzzlib.log("campaign: no fuzzer builds")
        return 2
    per_fuzzer = budget / len(runnable)
    deadline = fuzzlib.now() + budget
    progress = Progress(runs, deadline, args.progress_interval)
    known = load_known(out, args.known)
    fuzzlib.log(f"campaign: {fuzzlib.fmt_duration(budget)} of fuzzing, "
                f"{int(per_fuzzer)} s per fuzzer, {jobs} jobs, out {out}")

    for r in runnable:
        r.status = "running"
        shutil.rmtree(r.work, ignore_errors=True)
        work_corpus = os.path.join(r.work, "corpus")
        os.makedirs(work_corpus)
        prev = [os.path.join(p, r.fz.name) for p in args.prev_corpus]
        prev += [os.path.join(p, "corpus", r.fz.name) for p in args.prev_corpus]
        fuzzlib.add_inputs(work_corpus, [r.corpus_keep, r.fz.seed_dir,
                                         r.fz.regression_dir] + prev)
        r.corpus_before = len(fuzzlib.files_in(work_corpus))
        fuzzlib.log(f"campaign: == {r.fz.name} ({r.corpus_before} corpus inputs, "
                    f"{'kept from the last run' if os.path.isdir(r.corpus_keep) else 'seeds only'})")
        # The time left is shared by the fuzzers still to run, so one that
        # ends early (or a slow build) does not shorten the others.
        remaining = [x for x in runs if x.status in ("pending", "running")]
        seconds = max(5.0, min(per_fuzzer * 1.5, (deadline - fuzzlib.now()) / len(remaining)))
        stop = threading.Event()
        afl_thread = None
        try:
            if r.afl_binary:
                afl_thread = threading.Thread(target=run_afl, args=(r, seconds, stop),
                                              daemon=True)
                afl_thread.start()
            if args.engine == "afl-only":
                t0 = fuzzlib.now()
                while afl_thread.is_alive():
                    afl_thread.join(timeout=1)
                    r.seconds = fuzzlib.now() - t0
                    progress.maybe_print(r)
            else:
                lf_jobs = max(1, jobs - 1) if r.afl_binary else jobs
                run_libfuzzer(r, seconds, lf_jobs, args.libfuzzer_flags, progress, [])
            if afl_thread:
                afl_thread.join(timeout=seconds + 120)
                stop.set()
            progress.maybe_print(r, force=True)
            cmin = afl_cmin(r) if r.afl_binary else None
            merge_corpus(r, [cmin] if cmin else [])
            triage_run(r, out, known, args.max_triage, args.minimize_time)
            r.status = "done"
        except Exception as e:  # keep going: one broken fuzzer is one row
            stop.set()
            r.status = "error"
            r.error = f"{type(e).__name__}: {e}"
            fuzzlib.log(f"campaign: {r.fz.name}: {r.error}")
        new = sum(1 for c in r.crashes if c["new"])
        fuzzlib.log(f"campaign: {r.fz.name}: {r.stats.execs + r.afl_execs} execs, "
                    f"cov {r.final_cov} ft {r.final_ft}, corpus {r.corpus_before} -> "
                    f"{r.corpus_after}, {len(r.crashes)} unique crashes ({new} new)")

    os.makedirs(os.path.join(out, "crashes"), exist_ok=True)
    with open(os.path.join(out, "crashes", "known.json"), "w") as f:
        json.dump(known, f, indent=2, sort_keys=True)

    coverage = None
    if not args.no_coverage:
        import coverage as cov_tool
        fuzzlib.log("campaign: coverage report over the final corpora")
        try:
            coverage = cov_tool.run_coverage(
                ws=ws, out=os.path.join(out, "coverage"),
                corpus_roots=[os.path.join(out, "corpus")],
                output_base=args.coverage_output_base,
                fuzzers=[r.fz.name for r in runnable])
        except Exception as e:
            fuzzlib.log(f"campaign: coverage failed: {type(e).__name__}: {e}")
            coverage = {"line": f"coverage failed: {e}"}

    meta = {
        "started": started, "budget": args.budget, "budget_s": budget,
        "per_fuzzer_s": int(per_fuzzer), "jobs": jobs, "engine": args.engine,
        "build_flags": args.build_flag,
        "out": out, "commit": commit, "wall_s": fuzzlib.now() - wall_start,
    }
    md = write_summary(out, runs, meta, coverage)
    print(md)
    print(f"Summaries: {os.path.join(out, 'summary.md')} and "
          f"{os.path.join(out, 'summary.json')}")
    if any(r.status in ("error", "build failed") for r in runs):
        return 2
    return 1 if any(c["new"] for r in runs for c in r.crashes) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
