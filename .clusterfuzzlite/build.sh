#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz entry point: every fuzzer, its seed corpus zip,
# dictionary and options into $OUT. The work is in tools/oss_fuzz_build.sh so
# it can be run (and tested) outside the container too.
exec "$SRC/mtty-lab/tools/oss_fuzz_build.sh"
