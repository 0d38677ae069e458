#!/usr/bin/env bash
# The mdev_race fuzzer built against //core:mdev_parent_planted_race must
# find the planted race within 60 s, starting from the checked-in seed
# corpus (which does not contain the planted-race scenario).
#   planted_race_fuzz_test.sh FUZZER_BINARY CORPUS_FILE...
set -uo pipefail
bin=$1
shift
work=$(mktemp -d "${TEST_TMPDIR:-/tmp}/planted_race.XXXXXX")
mkdir -p "$work/corpus"
for f in "$@"; do
  case "$f" in corpus/mdev_race/* | */corpus/mdev_race/*) cp -f "$f" "$work/corpus/" ;; esac
done
chmod -R u+w "$work/corpus"
echo "planted race: fuzzing with $(ls "$work/corpus" | wc -l) seeds, at most 60 s"
start=$(date +%s)
"$bin" -max_total_time=60 -max_len=160 -artifact_prefix="$work/" \
  "$work/corpus" >"$work/log" 2>&1
rc=$?
elapsed=$(($(date +%s) - start))
if [[ $rc -eq 0 ]]; then
  tail -5 "$work/log"
  echo "FAIL: no finding within 60 s (${elapsed}s)"
  exit 1
fi
if grep -q "WATCHDOG" "$work/log"; then
  grep -A40 "WATCHDOG" "$work/log" | head -60
  echo "FAIL: a hang, not the planted race"
  exit 1
fi
if ! grep -Eq "FINDING: oracle (handle-to-removed-device|linearizability|handle-count)" "$work/log"; then
  tail -60 "$work/log"
  echo "FAIL: the fuzzer stopped on something other than the planted race"
  exit 1
fi
grep -A12 "FINDING" "$work/log" | head -30
grep -E "^#[0-9]+" "$work/log" | tail -1
echo "PASS: planted race found after ${elapsed}s"
