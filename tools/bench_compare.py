#!/usr/bin/env python3
"""Before/after speed of one Google Benchmark binary, as ratios from one run.

  bazel run -c opt //tools:bench_compare -- BEFORE_BINARY AFTER_BINARY \
      [--rounds=5] [--filter=REGEX] [--min-time=0.2]

Builds nothing: pass two builds of the same benchmark (for example
//bench:bar_access_bench from a `git worktree` of the old commit and from the
working tree). Runs them alternately, round after round (before, after,
before, ...), so drift of the machine (frequency, a neighbour's load) falls
on both alike, and prints per benchmark the median ns of each and
after/before: below 1.00 is faster. Times of separate runs are not
comparable on a shared machine; ratios taken in the same run are.

Exit status 0 when every benchmark is at most --tolerance slower (default
1.05), 1 otherwise; 2 on a usage error or a binary that failed.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys


def run_once(binary, bench_filter, min_time):
    """One run of `binary`: {benchmark name: real ns per iteration}."""
    cmd = [
        binary,
        "--benchmark_format=json",
        f"--benchmark_min_time={min_time}",
    ]
    if bench_filter:
        cmd.append(f"--benchmark_filter={bench_filter}")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(
            f"{binary} exited with {proc.returncode}: {proc.stderr.strip()}")
    report = json.loads(proc.stdout)
    times = {}
    for bench in report["benchmarks"]:
        if bench.get("run_type", "iteration") != "iteration":
            continue
        scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[bench["time_unit"]]
        times[bench["name"]] = bench["real_time"] * scale
    return times


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", help="benchmark binary of the old code")
    parser.add_argument("after", help="benchmark binary of the new code")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--filter", default="",
                        help="--benchmark_filter for both binaries")
    parser.add_argument("--min-time", type=float, default=0.2,
                        help="--benchmark_min_time per benchmark, seconds")
    parser.add_argument("--tolerance", type=float, default=1.05,
                        help="largest after/before ratio that passes")
    args = parser.parse_args()

    # bazel run starts us in the runfiles tree; relative paths the user typed
    # are relative to where they typed them.
    cwd = os.environ.get("BUILD_WORKING_DIRECTORY", os.getcwd())
    binaries = [os.path.join(cwd, b) for b in (args.before, args.after)]
    for b in binaries:
        if not os.access(b, os.X_OK):
            print(f"bench_compare: {b}: not an executable file", file=sys.stderr)
            return 2
    if args.rounds < 1:
        print("bench_compare: --rounds must be at least 1", file=sys.stderr)
        return 2

    samples = ({}, {})  # before, after: name -> [ns per round]
    for r in range(args.rounds):
        for side, binary in enumerate(binaries):
            try:
                times = run_once(binary, args.filter, args.min_time)
            except (RuntimeError, json.JSONDecodeError, KeyError) as e:
                print(f"bench_compare: round {r + 1}: {e}", file=sys.stderr)
                return 2
            for name, ns in times.items():
                samples[side].setdefault(name, []).append(ns)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    names = [n for n in samples[0] if n in samples[1]]
    only = sorted(set(samples[0]) ^ set(samples[1]))
    if not names:
        print("bench_compare: the binaries share no benchmark", file=sys.stderr)
        return 2
    width = max(len(n) for n in names)
    print(f"{'benchmark':<{width}}  {'before ns':>10}  {'after ns':>10}  "
          f"{'after/before':>12}")
    worst = 0.0
    for name in names:
        before = statistics.median(samples[0][name])
        after = statistics.median(samples[1][name])
        ratio = after / before if before > 0 else float("inf")
        worst = max(worst, ratio)
        print(f"{name:<{width}}  {before:>10.2f}  {after:>10.2f}  "
              f"{ratio:>12.3f}")
    print(f"medians of {args.rounds} alternating rounds; worst ratio "
          f"{worst:.3f} (tolerance {args.tolerance:.2f})")
    for name in only:
        print(f"only in one binary, not compared: {name}")
    return 0 if worst <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
