#!/usr/bin/env bash
# <name>_launcher_test (fuzz.bzl): runs the launcher exactly as
# `bazel run //fuzz:<name>` does (same arguments), for one libFuzzer run on
# an empty corpus, and checks that the fuzzer got its defaults: every flag of
# its options file on the launcher's command line, -max_len taken by libFuzzer
# (it says when it has none), and its dictionary loaded by libFuzzer.
#   launcher_test.sh <run_fuzzer.sh> <name> <binary> <corpus name> <options file>
set -uo pipefail
launcher=$1
shift
corpus_name=$3
options_file=$4

fail() {
  echo "$log" >&2
  echo "FAIL: $*" >&2
  exit 1
}

tmp=${TEST_TMPDIR:-$(mktemp -d)}
export MTTY_FUZZ_OUT=$tmp/out
export MTTY_FUZZ_CORPUS=$tmp/corpus
log=$("$launcher" "$@" -runs=1 2>&1) || fail "the launcher exited with status $?"

options_line=$(grep -m1 '^mtty-fuzz:   options ' <<<"$log") ||
  fail "the launcher did not report its options"
[[ $options_line == *"($options_file)" ]] ||
  fail "the options line does not name $options_file: $options_line"
max_len=0
while read -r flag || [[ -n $flag ]]; do
  flag=${flag%%#*}
  flag=${flag//[[:space:]]/}
  [[ -z $flag ]] && continue
  [[ " $options_line " == *" $flag "* ]] ||
    fail "$options_file has $flag, the launcher did not pass it"
  [[ $flag == -max_len=* ]] && max_len=1
done <"$options_file"
((max_len)) || fail "$options_file sets no -max_len"
# libFuzzer says this when it was not given -max_len.
if grep -q -- '-max_len is not provided' <<<"$log"; then
  fail "$options_file sets -max_len, libFuzzer did not get it"
fi

[[ -f corpus/$corpus_name.dict ]] ||
  fail "corpus/$corpus_name.dict is not in the launcher's runfiles"
grep -q "^mtty-fuzz:   dict      corpus/$corpus_name.dict$" <<<"$log" ||
  fail "the launcher did not report corpus/$corpus_name.dict"
grep -Eq '^Dictionary: [1-9][0-9]* entries' <<<"$log" ||
  fail "libFuzzer loaded no entries from corpus/$corpus_name.dict"
grep -Eq '^Done [0-9]+ runs' <<<"$log" || fail "libFuzzer did not finish"
echo "ok: $options_line"
