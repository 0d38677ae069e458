#!/usr/bin/env bash
# `bazel run //fuzz/perf:exec_rate [-- RUNS]`: executions per second of the
# bar_access fuzzer next to an empty target's, both instrumented and run by
# libFuzzer with the same flags on the same 64-op inputs, one after the
# other (never in parallel); then the edges one bar_access run reaches and
# the engine's floor (feature_sink: a target that only reaches N edges).
# Prints the rates and their ratios. A finding stops the run; set
# MTTY_FUZZ_IGNORE (fuzz/README.md) to measure past a known, open one.
set -euo pipefail
gen=$1 empty=$2 bar=$3 devonly=$4 sink=$5
runs=${6:-200000}
work=$(mktemp -d /tmp/mtty-exec-rate.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/inputs"
max_len=$("$gen" "$work/inputs" 200 64)

rate() {  # binary [flags] -> executions per second over a fixed number of runs
  rm -rf "$work/corpus"
  cp -r "$work/inputs" "$work/corpus"
  local t0 t1
  t0=$(date +%s.%N)
  "$1" "${@:2}" -runs="$runs" -max_len="$max_len" -seed=1 \
    -artifact_prefix="$work/" "$work/corpus" \
    >"$work/log" 2>&1 || { tail -20 "$work/log" >&2; exit 1; }
  t1=$(date +%s.%N)
  awk -v n="$runs" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }'
}

# Edges one bar_access execution reaches: libFuzzer's INITED "cov:" for a
# corpus of that single input (device-only build, so oracle code is not
# counted; it is not instrumented anyway).
footprint() {
  local lo=999999 hi=0 f n
  for f in "$work"/inputs/in0 "$work"/inputs/in1 "$work"/inputs/in2 \
           "$work"/inputs/in3 "$work"/inputs/in4; do
    rm -rf "$work/one" && mkdir "$work/one" && cp "$f" "$work/one/"
    n=$("$devonly" -runs=0 "$work/one" 2>&1 | sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p')
    [ -n "$n" ] || continue
    [ "$n" -lt "$lo" ] && lo=$n
    [ "$n" -gt "$hi" ] && hi=$n
  done
  if [ "$hi" -eq 0 ]; then echo "unknown"; else echo "$lo-$hi"; fi
}

# Edges the sink reaches when asked for $1 (checks that it is one per call).
sink_cov() {
  rm -rf "$work/none" && mkdir "$work/none"
  MTTY_FEATURE_SINK_EDGES=$1 "$sink" -runs=0 "$work/none" 2>&1 |
    sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p'
}

e=$(rate "$empty")
d=$(rate "$devonly")
b=$(rate "$bar")
fp=$(footprint)
# The engine's own cost per execution for a target that reaches N edges and
# does nothing else, with entropic scheduling off: its cheapest bookkeeping
# (a do-nothing target's features all tie in frequency, entropic's worst
# case, which would overstate the floor).
e0=$(rate "$empty" -entropic=0)
s150=$(MTTY_FEATURE_SINK_EDGES=150 rate "$sink" -entropic=0)
s600=$(MTTY_FEATURE_SINK_EDGES=600 rate "$sink" -entropic=0)
echo "inputs:      200 random 64-op bar_access inputs, -max_len=$max_len, $runs runs each"
echo "empty:       $e exec/s"
echo "device only: $d exec/s   (bar_access with the oracles off: the ceiling)"
echo "bar_access:  $b exec/s"
echo "footprint:   one bar_access execution reaches $fp edges (5 of the inputs)"
echo "engine:      -entropic=0: empty $e0 exec/s; a target doing nothing but reach 150 edges $s150, 600 edges $s600"
echo "             (libFuzzer's cov: for those two sink runs: $(sink_cov 150) and $(sink_cov 600); 2 of them are the driver's)"
awk -v e="$e" -v b="$b" -v d="$d" 'BEGIN {
  printf "ratio:       %.3f of empty (target >= 0.25); device only reaches %.3f of empty\n", b / e, d / e
  printf "oracles:     bar_access runs at %.2f of the device-only rate\n", b / d }'
awk -v e="$e0" -v a="$s150" -v c="$s600" 'BEGIN {
  printf "floor:       reaching 150 edges alone caps a target at %.3f of empty, 600 edges at %.3f\n", a / e, c / e }'
