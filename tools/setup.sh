#!/usr/bin/env bash
# Installs exactly what mtty-lab needs from Debian 12's package registry.
# Idempotent: packages already present are reported and left alone.
# Usage: sudo tools/setup.sh        (or as root)
set -euo pipefail

PACKAGES=(
  bazel-bootstrap     # Bazel 4.2.3, WORKSPACE mode
  clang               # default compiler (clang 14)
  lld
  llvm                # llvm-profdata / llvm-cov for tools/coverage
  libclang-rt-14-dev  # libFuzzer and sanitizer runtimes
  afl++               # AFL++ 4.04c (--config=afl)
  g++                 # --config=gcc portability build
  googletest          # sources in /usr/src/googletest, built by Bazel
  libbenchmark-dev    # Google Benchmark
  qemu-system-x86     # QEMU's 16550A as the conformance oracle
  python3             # tools/ scripts
  git                 # the campaign summary's commit (tools/fuzzlib.py) and its test
  python-is-python3   # Bazel 4's py_binary stub runs `/usr/bin/env python`
  zip                 # seed corpus archives (OSS-Fuzz packaging)
  linux-source-6.1    # the kernel's own samples/vfio-mdev/mtty.c, built in userspace (//kshim)
  xz-utils            # unpacks it at build time
  # Real guests for tools/capture_trace (conformance/traces/real/):
  linux-image-amd64   # Debian's kernel (8250 earlycon, probe, console)
  seabios             # the PC BIOS QEMU boots (also a qemu dependency)
  ovmf                # EDK2 firmware
  u-boot-qemu         # U-Boot's qemu-x86_64 build
)

missing=()
for p in "${PACKAGES[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    echo "setup: $p already installed"
  else
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing packages: ${missing[*]}" >&2
    echo "setup: run as root (sudo tools/setup.sh) to install them" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
    echo "setup: apt-get install failed; refreshing the package lists and retrying" >&2
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}" || {
      echo "setup: could not install: ${missing[*]} (is the Debian mirror reachable?)" >&2
      exit 1
    }
  fi
fi

# Check the tools the build relies on really work.
check() {
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then
    echo "setup: ok: $what"
  else
    echo "setup: FAILED: $what (command: $*)" >&2
    exit 1
  fi
}
check "bazel" bazel --version
check "clang++" clang++ --version
check "libFuzzer runtime" test -e "$(clang -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a"
check "afl-clang-fast++" afl-clang-fast++ --version
check "googletest sources" test -d /usr/src/googletest/googletest/src
check "benchmark library" test -e /usr/include/benchmark/benchmark.h
check "qemu-system-x86_64" qemu-system-x86_64 --version
check "linux-source-6.1 tarball" test -e /usr/src/linux-source-6.1.tar.xz
check "a Debian kernel image" sh -c 'ls /boot/vmlinuz-* >/dev/null'
check "OVMF firmware" test -e /usr/share/ovmf/OVMF.fd
check "U-Boot qemu-x86_64 ROM" test -e /usr/lib/u-boot/qemu-x86_64/u-boot.rom
echo "setup: done"
