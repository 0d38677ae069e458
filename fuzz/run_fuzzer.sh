#!/usr/bin/env bash
# `bazel run //fuzz:<name> -- [libFuzzer flags] [extra corpus dirs]`
# (the macro passes: <name> <binary> <corpus name> <options file>, then
# the user's args)
#
# Fuzzes a writable copy of corpus/<name>/ (the source tree is never written
# unless MTTY_FUZZ_CORPUS points into it), with corpus/<name>.dict when it
# exists, writing crash artifacts to $MTTY_FUZZ_OUT/<name>/artifacts/.
#   MTTY_FUZZ_OUT     where work happens (default /tmp/mtty-fuzz)
#   MTTY_FUZZ_CORPUS  use this corpus directory instead of a copy
# Every libFuzzer flag passes through: -max_total_time=60 -jobs=2 -runs=N ...
# The fuzzer folder's <name>.options (one flag per line, # comments) holds
# defaults that come before the command line's flags, so the command line
# wins.
set -euo pipefail
name=$1
bin=$2
# The corpus folder: the fuzzer's own, or the one whose input format it
# shares (the _kernel targets).
seeds_name=$3
options_file=$4
shift 4

here=$(pwd)
# The options first: a bad file stops the launcher before it writes anything.
flags=()
n=0
while read -r line || [[ -n $line ]]; do
  n=$((n + 1))
  line=${line%%#*}
  line=${line//[[:space:]]/}
  [[ -z "$line" ]] && continue
  # libFuzzer takes a word without a dash for a corpus directory.
  if [[ $line != -?*=* ]]; then
    echo "mtty-fuzz: $options_file:$n: '$line' is not a libFuzzer flag (-name=value)" >&2
    exit 2
  fi
  flags+=("$line")
done <"$here/$options_file"

out=${MTTY_FUZZ_OUT:-/tmp/mtty-fuzz}/$name
mkdir -p "$out/artifacts"
if [[ -n "${MTTY_FUZZ_CORPUS:-}" ]]; then
  corpus=$MTTY_FUZZ_CORPUS
  mkdir -p "$corpus"
else
  corpus=$out/corpus
  mkdir -p "$corpus"
  # Seeds are read-only in the runfiles tree; copy them into a writable dir.
  # corpus/<name>.generated/ holds the seeds built from conformance traces.
  for seeds in "$here/corpus/$seeds_name" "$here/corpus/$seeds_name.generated"; do
    if [[ -d "$seeds" ]]; then
      find -L "$seeds" -maxdepth 1 -type f -exec cp -f {} "$corpus/" \;
    fi
  done
  chmod -R u+w "$corpus"
fi

defaults="${flags[*]:-none}"
dict="$here/corpus/$seeds_name.dict"
[[ -f "$dict" ]] && flags+=("-dict=$dict")
flags+=("-artifact_prefix=$out/artifacts/")

has_jobs=0
for a in "$@"; do
  case "$a" in -jobs=*|-workers=*|-fork=*) has_jobs=1 ;; esac
done
# With -jobs, libFuzzer writes fuzz-<n>.log files into the working directory.
if ((has_jobs)); then cd "$out"; fi

echo "mtty-fuzz: $name"
echo "mtty-fuzz:   corpus    $corpus ($(find "$corpus" -type f | wc -l) inputs)"
echo "mtty-fuzz:   dict      $([[ -f "$dict" ]] && echo "corpus/$seeds_name.dict" || echo none)"
echo "mtty-fuzz:   options   $defaults ($options_file)"
echo "mtty-fuzz:   artifacts $out/artifacts/"
echo "mtty-fuzz:   reproduce a crash with: bazel run //fuzz:${name}_bin -- <crash-file>"
exec "$here/$bin" "${flags[@]}" "$@" "$corpus"
