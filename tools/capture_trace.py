#!/usr/bin/env python3
"""Capture a conformance trace from a real guest booted under QEMU.

  bazel run //tools:capture_trace -- --guest=linux|seabios|ovmf|uboot|all [--out DIR]

Boots the guest from its Debian package under qemu-system-x86_64 (TCG, no
KVM) with one COM port and `-trace serial_*`, stops once its serial probing
and configuration are done, and turns what it did to its 16550 into
conformance/traces/real/<guest>.trace with tools/qtest2trace --capture
(conformance/qtest_log.h: the TX->RX loopback of the mtty card is undone
by the converter, QEMU's power-on state is written first). Every read the
guest made is checked, on the 16550a profile, with QEMU's answer.

When a guest stops:
  linux    QEMU exits: the kernel has no root file system, panics after
           /dev/console is open (so the 8250 probe, autoconfig, console
           setup and startup all ran) and panic=-1 reboots into -no-reboot
  seabios  no serial access for --quiet seconds (it probes the COM ports
           early in POST, then waits for a boot device that is not there)
  ovmf     the UEFI shell prompt "Shell> " appears on the serial console
  uboot    the U-Boot prompt "=> " appears
and in any case after --timeout seconds (the header then says so).

A malformed or truncated QEMU log is an error naming its line
(qtest2trace --capture).
"""

import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional

GUESTS: Dict[str, dict] = {
    "linux": {
        "package": "linux-image-amd64",
        "what": "the Debian kernel's 8250 driver: earlycon, PNP probe and "
                "autoconfig, console setup, serial8250_do_startup",
        "stop": "exit",
    },
    "seabios": {
        "package": "seabios",
        "file": "/usr/share/seabios/bios.bin",
        "what": "SeaBIOS POST: serial_setup() probing the COM ports",
        "stop": "quiet",
    },
    "ovmf": {
        "package": "ovmf",
        "file": "/usr/share/ovmf/OVMF.fd",
        "what": "OVMF (EDK2): SerialDxe / the 16550 serial port library, "
                "terminal output up to the UEFI shell prompt",
        "stop": "Shell> ",
    },
    "uboot": {
        "package": "u-boot-qemu",
        "file": "/usr/lib/u-boot/qemu-x86_64/u-boot.rom",
        "what": "U-Boot's ns16550 driver (qemu-x86_64 build) up to its prompt",
        "stop": "=> ",
    },
}

LINUX_APPEND = "console=ttyS0 earlycon=uart8250,io,0x3f8,115200 quiet panic=-1"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def dpkg_version(package: str) -> Optional[str]:
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return r.stdout.strip() if r.returncode == 0 and r.stdout.strip() else None


def dpkg_owner(path: str) -> Optional[str]:
    r = subprocess.run(["dpkg-query", "-S", path], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    if r.returncode != 0 or ":" not in r.stdout:
        return None
    return r.stdout.split(":", 1)[0].strip()


def linux_kernel() -> str:
    """/boot/vmlinuz of the kernel linux-image-amd64 depends on."""
    r = subprocess.run(["dpkg-query", "-W", "-f=${Depends}", "linux-image-amd64"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    m = re.search(r"linux-image-([0-9][^ ,(]*)", r.stdout)
    if not m:
        raise SystemExit("capture_trace: linux-image-amd64 is not installed "
                         "(sudo tools/setup.sh)")
    path = f"/boot/vmlinuz-{m.group(1)}"
    if not os.path.exists(path):
        raise SystemExit(f"capture_trace: {path} is missing (reinstall linux-image-{m.group(1)})")
    return path


def qemu_version(qemu: str) -> str:
    r = subprocess.run([qemu, "--version"], stdout=subprocess.PIPE, text=True)
    return r.stdout.splitlines()[0].strip() if r.stdout else "unknown"


def source_line(guest: str, image: str) -> str:
    g = GUESTS[guest]
    if guest == "linux":
        pkg = dpkg_owner(image) or "linux-image-?"
        meta = dpkg_version("linux-image-amd64")
        return (f"Debian {pkg} {dpkg_version(pkg)} (via linux-image-amd64 {meta}), "
                f"{image}")
    return f"Debian {g['package']} {dpkg_version(g['package'])}, {image}"


def run_guest(guest: str, qemu: str, work: str, timeout: float, quiet: float):
    """Boots the guest; returns (serial trace log path, stop reason, seconds)."""
    g = GUESTS[guest]
    trace_log = os.path.join(work, "serial.log")
    tx = os.path.join(work, "tx.txt")
    cmd = [qemu, "-M", "pc", "-accel", "tcg", "-m", "512", "-display", "none",
           "-nodefaults", "-no-reboot", "-serial", f"file:{tx}",
           "-trace", "serial_*", "-D", trace_log]
    if guest == "linux":
        image = linux_kernel()
        cmd += ["-kernel", image, "-append", LINUX_APPEND]
    else:
        image = g["file"]
        if not os.path.exists(image):
            raise SystemExit(f"capture_trace: {image} is missing: install Debian's "
                             f"{g['package']} (sudo tools/setup.sh)")
        cmd += ["-bios", image]
    log("capture_trace: " + " ".join(cmd))
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    reason = f"the time limit ({timeout:.0f} s)"
    last_size, last_change = -1, time.monotonic()
    try:
        while time.monotonic() - t0 < timeout:
            if proc.poll() is not None:
                reason = "QEMU exited (the guest rebooted into -no-reboot)"
                break
            size = os.path.getsize(trace_log) if os.path.exists(trace_log) else 0
            if size != last_size:
                last_size, last_change = size, time.monotonic()
            stop = g["stop"]
            if stop == "quiet" and size > 0 and time.monotonic() - last_change >= quiet:
                reason = f"no serial access for {quiet:.0f} s"
                break
            if stop not in ("quiet", "exit") and os.path.exists(tx):
                with open(tx, "rb") as f:
                    if stop.encode() in f.read():
                        reason = f"the prompt {stop.strip()!r} appeared"
                        break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode not in (0, -15, None) and "terminating on signal" not in err \
            and reason.startswith("QEMU exited") and proc.returncode != 0:
        raise SystemExit(f"capture_trace: QEMU failed (exit {proc.returncode}): {err.strip()}")
    return trace_log, tx, image, reason, time.monotonic() - t0


def cut_complete_lines(path: str) -> None:
    """QEMU killed mid-write leaves a partial last line: the capture ends at
    the last complete one (the converter rejects a partial line)."""
    with open(path, "rb") as f:
        data = f.read()
    cut = data.rfind(b"\n") + 1
    if cut != len(data):
        with open(path, "wb") as f:
            f.write(data[:cut])


def capture(guest: str, args, qtest2trace: str) -> str:
    qemu = shutil.which("qemu-system-x86_64")
    if qemu is None:
        raise SystemExit("capture_trace: qemu-system-x86_64 is missing (sudo tools/setup.sh)")
    with tempfile.TemporaryDirectory(prefix=f"capture-{guest}-") as work:
        trace_log, tx, image, reason, secs = run_guest(guest, qemu, work, args.timeout,
                                                       args.quiet)
        if not os.path.exists(trace_log) or os.path.getsize(trace_log) == 0:
            raise SystemExit(f"capture_trace: {guest}: the guest never touched its COM port")
        cut_complete_lines(trace_log)
        if args.keep_log:
            shutil.copy(trace_log, os.path.join(args.out, f"{guest}.serial.log"))
        with open(tx, "rb") as f:
            tx_bytes = len(f.read())
        header = [
            f"A real guest's serial port: {GUESTS[guest]['what']}.",
            f"source: {source_line(guest, image)}",
            f"Booted under {qemu_version(qemu)}, TCG, -M pc, one COM port at 0x3f8"
            + (f", -append '{LINUX_APPEND}'" if guest == "linux" else "") + ".",
            f"Captured by `bazel run //tools:capture_trace -- --guest={guest}` on "
            f"{datetime.date.today().isoformat()}: stopped when {reason}, after "
            f"{secs:.1f} s; the guest wrote {tx_bytes} bytes of text.",
            "Expected values are QEMU's answers; every read the guest made is here,",
            "except runs of identical error-free LSR polls, counted in a comment.",
            "Lines marked 'converter:' are the converter's (conformance/qtest_log.h).",
        ]
        out = os.path.join(args.out, f"{guest}.trace")
        cmd = [qtest2trace, "--capture", "--format", "trace", "--base2", "none",
               "--profile", "16550a", "-o", out]
        for h in header:
            cmd += ["--header", h]
        cmd.append(trace_log)
        r = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise SystemExit(f"capture_trace: {guest}: {r.stderr.strip()}")
        log(f"capture_trace: {guest}: {reason} after {secs:.1f} s -> {out}")
        return out


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--guest", required=True, choices=sorted(GUESTS) + ["all"])
    ws = os.environ.get("BUILD_WORKSPACE_DIRECTORY", os.getcwd())
    ap.add_argument("--out", default=os.path.join(ws, "conformance", "traces", "real"))
    ap.add_argument("--timeout", type=float, default=180,
                    help="seconds before a guest is stopped regardless")
    ap.add_argument("--quiet", type=float, default=3,
                    help="seconds without serial access that end a 'quiet' guest")
    ap.add_argument("--keep-log", action="store_true",
                    help="also keep QEMU's raw -trace log beside the trace")
    ap.add_argument("--qtest2trace", default=None, help="path of tools/qtest2trace")
    args = ap.parse_args(argv)
    qtest2trace = args.qtest2trace or os.environ.get("QTEST2TRACE")
    if not qtest2trace or not os.path.exists(qtest2trace):
        raise SystemExit("capture_trace: run it with `bazel run //tools:capture_trace`, "
                         "or pass --qtest2trace PATH")
    qtest2trace = os.path.abspath(qtest2trace)
    os.makedirs(args.out, exist_ok=True)
    guests = sorted(GUESTS) if args.guest == "all" else [args.guest]
    for g in guests:
        capture(g, args, qtest2trace)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
