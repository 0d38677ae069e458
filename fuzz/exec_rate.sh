#!/usr/bin/env bash
# `bazel run //fuzz:exec_rate [-- RUNS]`: executions per second of the
# bar_access fuzzer next to an empty target's, both instrumented and run by
# libFuzzer with the same flags on the same 64-op inputs, one after the
# other (never in parallel). Prints both rates and their ratio. A finding
# stops the run; set MTTY_FUZZ_IGNORE (fuzz/README.md) to measure past a
# known, open one.
set -euo pipefail
gen=$1 empty=$2 bar=$3 devonly=$4
runs=${5:-200000}
work=$(mktemp -d /tmp/mtty-exec-rate.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/inputs"
max_len=$("$gen" "$work/inputs" 200 64)

rate() {  # binary -> executions per second over a fixed number of runs
  rm -rf "$work/corpus"
  cp -r "$work/inputs" "$work/corpus"
  local t0 t1
  t0=$(date +%s.%N)
  "$1" -runs="$runs" -max_len="$max_len" -seed=1 \
    -artifact_prefix="$work/" "$work/corpus" \
    >"$work/log" 2>&1 || { tail -20 "$work/log" >&2; exit 1; }
  t1=$(date +%s.%N)
  awk -v n="$runs" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }'
}

e=$(rate "$empty")
d=$(rate "$devonly")
b=$(rate "$bar")
echo "inputs:      200 random 64-op bar_access inputs, -max_len=$max_len, $runs runs each"
echo "empty:       $e exec/s"
echo "device only: $d exec/s   (bar_access with the oracles off: the ceiling)"
echo "bar_access:  $b exec/s"
awk -v e="$e" -v b="$b" -v d="$d" 'BEGIN {
  printf "ratio:       %.3f of empty (target >= 0.25); device only reaches %.3f of empty\n", b / e, d / e
  printf "oracles:     bar_access runs at %.2f of the device-only rate\n", b / d }'
