#!/usr/bin/env bash
# The launcher's reading of an options file, with a stand-in for the fuzzer:
# good flags reach it first, and a line that is not a flag stops the launcher
# with the file and line named, before it writes anything or runs the fuzzer.
set -uo pipefail
launcher=$(realpath "$1")
work=${TEST_TMPDIR:-$(mktemp -d)}/launcher
mkdir -p "$work/corpus/x" && cd "$work" || exit 1
printf '#!/usr/bin/env bash\necho "$@" >"%s/ran"\n' "$work" >fuzzer
chmod +x fuzzer
export MTTY_FUZZ_OUT=$work/out

fail() { echo "FAIL: $*" >&2; exit 1; }

printf '# defaults\n-max_len=5  # why\n\n-use_value_profile=1' >good.options
"$launcher" x fuzzer x good.options -runs=3 >log 2>&1 || fail "good options: exit $?: $(cat log)"
read -r first second _ <ran
[[ $first == -max_len=5 && $second == -use_value_profile=1 ]] ||
  fail "the fuzzer got '$(cat ran)', not the options first"

for bad in max_len=5 -max_len corpus_dir; do
  rm -f ran
  printf -- '-runs=1\n# ok\n%s\n' "$bad" >bad.options
  "$launcher" y fuzzer x bad.options >log 2>&1
  status=$?
  ((status == 2)) || fail "'$bad': exit $status, not 2: $(cat log)"
  grep -qF "bad.options:3: '$bad' is not a libFuzzer flag" log ||
    fail "'$bad': the error does not name the line: $(cat log)"
  [[ ! -e ran ]] || fail "'$bad': the fuzzer ran"
  [[ ! -e $MTTY_FUZZ_OUT/y ]] || fail "'$bad': the launcher wrote $MTTY_FUZZ_OUT/y"
done
echo "ok"
