#!/usr/bin/env bash
# OSS-Fuzz-style build of every fuzzer, without Bazel (OSS-Fuzz and
# ClusterFuzzLite images have no Bazel 4; .clusterfuzzlite/build.sh runs this).
#
# Inputs, as OSS-Fuzz's `compile` sets them:
#   CC CXX CFLAGS CXXFLAGS   compiler and flags (sanitizer and coverage flags
#                            included, e.g. -fsanitize=address,fuzzer-no-link)
#   LIB_FUZZING_ENGINE       the engine to link: -fsanitize=fuzzer for
#                            libFuzzer, libAFLDriver.a for AFL++, ...
#   OUT                      where the fuzzers go
#   WORK                     scratch space (default: a temporary directory)
#   SRC                      unused; the repository is found from this script
# Outputs, next to each other in $OUT, for every mtty_fuzzer in the BUILD
# files (tools/oss_fuzz_targets.py):
#   <name>                   the fuzzer
#   <name>_seed_corpus.zip   corpus/<name>/ and the fuzzer folder's regressions/
#   <name>.dict              corpus/<name>.dict
#   <name>.options           [libfuzzer] dict = <name>.dict, plus the flags of
#                            the fuzzer folder's <name>.options (one per line)
#                            as key = value
# Local check (no Docker here), libFuzzer + ASan as OSS-Fuzz sets it:
#   export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only \
#     -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
#   CC=clang CXX=clang++ CXXFLAGS="$CFLAGS" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
#     OUT=/tmp/out tools/oss_fuzz_build.sh
# (AFL++: CC=afl-clang-fast CXX=afl-clang-fast++, no -fsanitize=fuzzer-no-link,
# LIB_FUZZING_ENGINE=/usr/lib/afl/libAFLDriver.a; see tools/CAMPAIGNS.md.)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
: "${CXX:?set CXX (e.g. clang++)}"
: "${OUT:?set OUT (the output directory)}"
: "${LIB_FUZZING_ENGINE:?set LIB_FUZZING_ENGINE (e.g. -fsanitize=fuzzer)}"
CXXFLAGS=${CXXFLAGS:-}
mkdir -p "$OUT"
work=${WORK:-}
if [[ -z $work ]]; then
  work=$(mktemp -d /tmp/mtty-oss-fuzz.XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi
objdir="$work/mtty-obj"
mkdir -p "$objdir"

targets=$(python3 "$here/oss_fuzz_targets.py" "$root")
if [[ -z $targets ]]; then
  echo "oss_fuzz_build: no fuzzers found" >&2
  exit 1
fi

# Our code is C++20, and gets the define Bazel's fuzz builds add
# (fuzz/fuzz.bzl). -Werror stays in the Bazel build: an engine's newer
# compiler may warn about things clang 14 does not.
compile() {
  local src=$1
  # shellcheck disable=SC2086  # CXXFLAGS is a word list by convention
  "$CXX" $CXXFLAGS -std=c++20 -I"$root" -DMTTY_FUZZ_BUILD \
    -c "$root/$src" -o "$objdir/${src//\//__}.o"
}
export -f compile
export CXX CXXFLAGS root objdir

# Every source once, in parallel.
jobs=$(nproc 2>/dev/null || echo 2)
mapfile -t all_srcs < <(cut -f3 <<<"$targets" | tr ' ' '\n' | sed '/^$/d' | sort -u)
echo "oss_fuzz_build: compiling ${#all_srcs[@]} sources with $CXX ($jobs at a time)"
printf '%s\n' "${all_srcs[@]}" | xargs -P "$jobs" -I{} bash -c 'compile "$1"' _ {}

while IFS=$'\t' read -r name pkg srcs; do
  objs=()
  for s in $srcs; do objs+=("$objdir/${s//\//__}.o"); done
  # shellcheck disable=SC2086
  # -pthread: older glibc (OSS-Fuzz images) keeps std::thread in libpthread.
  "$CXX" $CXXFLAGS "${objs[@]}" $LIB_FUZZING_ENGINE -pthread -o "$OUT/$name"

  # Seeds and checked-in reproducers, flat, as OSS-Fuzz unpacks them.
  rm -f "$OUT/${name}_seed_corpus.zip"
  seeds=()
  for d in "$root/corpus/$name" "$root/$pkg/regressions"; do
    [[ -d $d ]] && while IFS= read -r -d '' f; do seeds+=("$f"); done \
      < <(find "$d" -maxdepth 1 -type f ! -name 'BUILD*' -print0)
  done
  if ((${#seeds[@]})); then
    (cd "$work" && zip -q -j -X "$OUT/${name}_seed_corpus.zip" "${seeds[@]}")
  else
    echo "oss_fuzz_build: warning: $name has no seeds" >&2
  fi

  {
    echo "[libfuzzer]"
    if [[ -f $root/corpus/$name.dict ]]; then
      cp "$root/corpus/$name.dict" "$OUT/$name.dict"
      echo "dict = $name.dict"
    else
      echo "oss_fuzz_build: warning: $name has no corpus/$name.dict" >&2
    fi
    if [[ -f $root/$pkg/$name.options ]]; then
      # Our options file has one libFuzzer flag per line (-max_len=1024,
      # # comments); OSS-Fuzz wants `key = value` lines.
      sed -e 's/#.*//' -e 's/[[:space:]]//g' "$root/$pkg/$name.options" |
        sed -n 's/^-\([a-z_]*\)=\(.*\)$/\1 = \2/p' | grep -v '^dict = ' || true
    else
      echo "oss_fuzz_build: warning: $name has no $pkg/$name.options" >&2
    fi
  } >"$OUT/$name.options"
  echo "oss_fuzz_build: $OUT/$name (${#seeds[@]} seeds)"
done <<<"$targets"
