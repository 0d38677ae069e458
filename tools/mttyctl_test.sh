#!/usr/bin/env bash
# Runs the mttyctl binary through its commands and checks outputs and exit
# codes. Usage: tools/mttyctl_test.sh [PATH_TO_MTTYCTL]
# (default: $MTTYCTL, then the Bazel runfiles copy, then bazel-bin).
set -u

bin=${1:-${MTTYCTL:-}}
if [[ -z $bin ]]; then
  for c in "${TEST_SRCDIR:-}/${TEST_WORKSPACE:-__main__}/tools/mttyctl" \
           "$(dirname "$0")/mttyctl" "bazel-bin/tools/mttyctl"; do
    if [[ -x $c ]]; then bin=$c; break; fi
  done
fi
if [[ -z $bin || ! -x $bin ]]; then
  echo "mttyctl_test: no mttyctl binary (pass its path as \$1)" >&2
  exit 2
fi

tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/mttyctl_test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
U=83b8f4f2-509f-382f-3c1e-e6bfe0fa1001
V=00000000-0000-0000-0000-000000000001

# run ARGS...: runs mttyctl; leaves $out, $err, $rc.
run() {
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err" <"${stdin:-/dev/null}"
  rc=$?
  out=$(cat "$tmp/out"; echo x); out=${out%x}
  err=$(cat "$tmp/err")
}
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
expect_rc() {  # WANT NAME
  [[ $rc == "$1" ]] || fail "$2: exit $rc, want $1 (stderr: $err)"
}
expect_out() {  # WANT NAME
  [[ $out == "$1" ]] || fail "$2: stdout was
---
$out---
want
---
$1---"
}
expect_err() {  # SUBSTRING NAME
  [[ $err == *"$1"* ]] || fail "$2: stderr '$err' lacks '$1'"
}
script() {  # writes stdin to $tmp/s.txt
  cat >"$tmp/s.txt"
}

# --- help -------------------------------------------------------------------
run --help
expect_rc 0 "--help"
[[ $out == "Usage: mttyctl COMMAND"* ]] || fail "--help text"
[[ $out == *"exec"* && $out == *"own in-process parent"* ]] ||
  fail "--help must explain that each process has its own parent"
run
expect_rc 2 "no arguments"
[[ $err == "Usage: mttyctl"* ]] || fail "no arguments prints usage"
for c in types list start stop exec open close read write ioctl time state \
         eventfd signals sysfs-read sysfs-write sysfs-list echo help; do
  run "$c" --help
  expect_rc 0 "$c --help"
  [[ $out == "Usage: mttyctl $c"* ]] || fail "$c --help text: $out"
  run help "$c"
  expect_rc 0 "help $c"
done
run help frob
expect_rc 2 "help of an unknown command"

# --- types ------------------------------------------------------------------
types_text='mtty
  mtty-1
    Available instances: 24
    Device API: vfio-pci
    Name: Single port serial
  mtty-2
    Available instances: 12
    Device API: vfio-pci
    Name: Dual port serial
'
run types
expect_rc 0 "types"
expect_out "$types_text" "types"
run types -p mtty
expect_out "$types_text" "types -p mtty"
run types -p other
expect_rc 0 "types -p other"
expect_out "" "types -p other"

types_json='[
  {
    "mtty": [
      {
        "mtty-1": {
          "available_instances": 24,
          "device_api": "vfio-pci",
          "name": "Single port serial"
        }
      },
      {
        "mtty-2": {
          "available_instances": 12,
          "device_api": "vfio-pci",
          "name": "Dual port serial"
        }
      }
    ]
  }
]
'
run types --dumpjson
expect_rc 0 "types --dumpjson"
expect_out "$types_json" "types --dumpjson"
run types --json
expect_out "$types_json" "types --json"

# --- one-shot commands --------------------------------------------------------
run list
expect_rc 0 "list"
expect_out "" "list (fresh process)"
run list --dumpjson
expect_out $'[]\n' "list --dumpjson (empty)"
run start -u $U -t mtty-2
expect_rc 0 "start"
expect_out "" "start with --uuid prints nothing"
run start -t mtty-1
expect_rc 0 "start without --uuid"
[[ $out =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'\n'$ ]] ||
  fail "start without --uuid prints a v4 UUID, got '$out'"

run start -u not-a-uuid -t mtty-2
expect_rc 1 "start bad uuid"
expect_err "mttyctl: start: EINVAL (Invalid argument): 'not-a-uuid' is not a UUID" "start bad uuid"
run start -u $U -t mtty-9
expect_rc 1 "start bad type"
expect_err "EINVAL (Invalid argument): Parent mtty does not support mdev type mtty-9" "start bad type"
run start -u $U -t mtty-2 -p 0000:00:02.0
expect_rc 1 "start other parent"
expect_err "ENODEV (No such device): Unable to find parent device '0000:00:02.0'" "start other parent"
run start -u $U -t mtty-2 --profile 8250
expect_rc 1 "start bad profile"
expect_err "EINVAL" "start bad profile"
run start -u $U
expect_rc 2 "start without --type"
expect_err "EINVAL" "start without --type"
run start -u $U -t mtty-2 --frob
expect_rc 2 "start unknown option"
expect_err "unknown option '--frob'" "start unknown option"
run start -u
expect_rc 2 "option without value"
run stop -u $U
expect_rc 1 "stop in a fresh process"
expect_err "mttyctl: stop: ENODEV (No such device): Device $U is not active" "stop"
run stop
expect_rc 2 "stop without --uuid"
run frob
expect_rc 2 "unknown command"
expect_err "EINVAL (Invalid argument): unknown command 'frob'" "unknown command"
run read $U bar0 0 1
expect_rc 1 "read in a fresh process"
expect_err "ENODEV" "read in a fresh process"
run sysfs-read mdev_supported_types/mtty-2/name
expect_rc 0 "sysfs-read"
expect_out $'Dual port serial\n' "sysfs-read name"
run sysfs-read mdev_supported_types/mtty-2/create
expect_rc 1 "sysfs-read of a write-only file"
expect_err "EACCES (Permission denied)" "sysfs-read of a write-only file"
run sysfs-write mdev_supported_types/mtty-2/name x
expect_rc 1 "sysfs-write of a read-only file"
expect_err "EACCES (Permission denied)" "sysfs-write of a read-only file"
run sysfs-read mdev_supported_types/mtty-2/description
expect_rc 1 "no description"
expect_err "ENOENT" "no description"
run sysfs-list mdev_supported_types/mtty-2
expect_out $'available_instances\ncreate\ndevice_api\ndevices\nname\n' "sysfs-list type dir"

# --- an exec session ----------------------------------------------------------
script <<EOF
# create, inspect, use and remove devices in one parent
start -u $U -t mtty-2
start --uuid=$V --type mtty-1 --profile 16550a
types
list
list -v
list --dumpjson
list --json -u $U
write $U bar0 0x0 0x41
read $U bar0 0x5 1
read $U bar0 0x0 1
read $U config 0 4
ioctl $U get-info
ioctl $U get-region-info 7
ioctl $U get-region-info 1
ioctl $V get-region-info 1
ioctl $U get-irq-info 0
sysfs-read $U/vendor/sample_mdev_dev
sysfs-read $U/mdev_type
stop -u $U
stop --uuid $V
list
types --json
EOF
run exec "$tmp/s.txt"
expect_rc 0 "exec session"
expect_out "mtty
  mtty-1
    Available instances: 21
    Device API: vfio-pci
    Name: Single port serial
  mtty-2
    Available instances: 10
    Device API: vfio-pci
    Name: Dual port serial
$V mtty mtty-1 manual
$U mtty mtty-2 manual
$V mtty mtty-1 manual
  Profile: 16550a
  Open handles: 0
$U mtty mtty-2 manual
  Profile: kernel
  Open handles: 0
[
  {
    \"mtty\": [
      {
        \"$V\": {
          \"mdev_type\": \"mtty-1\",
          \"start\": \"manual\",
          \"attrs\": []
        }
      },
      {
        \"$U\": {
          \"mdev_type\": \"mtty-2\",
          \"start\": \"manual\",
          \"attrs\": []
        }
      }
    ]
  }
]
{
  \"mdev_type\": \"mtty-2\",
  \"start\": \"manual\",
  \"attrs\": []
}
01
41
48 43 53 32
flags 0x2 num_regions 9 num_irqs 5
index 7 flags 0x3 size 0xff offset 0x70000000000
index 1 flags 0x3 size 0x8 offset 0x10000000000
index 1 flags 0x3 size 0x0 offset 0x10000000000
index 0 flags 0x7 count 1
This is MDEV $U
mtty-2
$types_json" "exec session"
[[ -z $err ]] || fail "exec session stderr: $err"

# The kernel documentation's example through the sysfs view.
script <<EOF
sysfs-write mdev_supported_types/mtty-2/create "$U\n"
sysfs-read mdev_supported_types/mtty-2/available_instances
sysfs-read mdev_supported_types/mtty-1/available_instances
sysfs-list mdev_supported_types/mtty-2/devices
sysfs-list $U
sysfs-write $U/remove 0
sysfs-list
sysfs-write $U/remove "1\n"
sysfs-list
EOF
run exec "$tmp/s.txt"
expect_rc 0 "sysfs session"
expect_out "37
11
22
$U
mdev_type
remove
vendor
1
$U
mdev_supported_types
2
mdev_supported_types
" "sysfs session"

# Pool exhaustion stops the script at the failing line.
{
  for i in $(seq -w 1 13); do
    echo "start -u 00000000-0000-0000-0000-0000000000$i -t mtty-2"
  done
  echo "echo not reached"
} | script
run exec "$tmp/s.txt"
expect_rc 1 "13th dual"
expect_out "" "13th dual"
expect_err "mttyctl: $tmp/s.txt:13: start: ENOSPC (No space left on device): No available instances of mtty-2 on mtty" "13th dual"

# A leading - keeps going past a failure; duplicates are EEXIST.
script <<EOF
start -u $U -t mtty-1
-start -u $U -t mtty-1
-start -u $U -t mtty-2
-stop -u $V
echo still here
EOF
run exec "$tmp/s.txt"
expect_rc 0 "- prefix"
expect_out $'still here\n' "- prefix"
expect_err "s.txt:2: start: EEXIST (File exists): Device already exists" "duplicate"
expect_err "s.txt:3: start: EEXIST (File exists): Device exists with different type" "duplicate other type"
expect_err "s.txt:4: stop: ENODEV" "stop unknown"

# Remove while open: EBUSY at once, the device stays; after close it goes.
script <<EOF
start -u $U -t mtty-1
open $U
eventfd 10
ioctl $U get-info
ioctl $U set-irqs 0x24 0 0 1 10
write $U bar0 2 0x07
write $U bar0 1 0x01
write $U bar0 0 0x42
signals 10
-stop -u $U
list
sysfs-write $U/remove 0
-sysfs-write $U/remove 1
read $U bar0 0
close $U
-close $U
stop -u $U
list
EOF
run exec -x "$tmp/s.txt"
expect_rc 0 "remove while open"
expect_out "+ start -u $U -t mtty-1
+ open $U
+ eventfd 10
+ ioctl $U get-info
flags 0x2 num_regions 9 num_irqs 5
+ ioctl $U set-irqs 0x24 0 0 1 10
+ write $U bar0 2 0x07
+ write $U bar0 1 0x01
+ write $U bar0 0 0x42
+ signals 10
1
+ stop -u $U
+ list
$U mtty mtty-1 manual
+ sysfs-write $U/remove 0
1
+ sysfs-write $U/remove 1
+ read $U bar0 0
42
+ close $U
+ close $U
+ stop -u $U
+ list
" "remove while open"
expect_err "s.txt:10: stop: EBUSY (Device or resource busy)" "stop while open"
expect_err "s.txt:13: sysfs-write: EBUSY" "sysfs remove while open"
expect_err "s.txt:16: close: EBADF" "double close"

# Region and ioctl errors.
script <<EOF
start -u $V -t mtty-1
-read $V bar2 0 1
-ioctl $V get-region-info 9
-ioctl $V set-irqs 0x24 0 0 1 10
ioctl $V mig-state stop-copy
-ioctl $V mig-state pre-copy
-ioctl $V mig-state error
ioctl $V mig-state stop
ioctl $V mig-state running
EOF
run exec "$tmp/s.txt"
expect_rc 0 "device errors"
expect_out $'state stop-copy\nstate stop\nstate running\n' "device errors"
expect_err "s.txt:2: read: EFAULT" "read of an unbacked BAR"
expect_err "s.txt:3: ioctl: EINVAL" "region index 9"
expect_err "s.txt:4: ioctl: EINVAL" "SET_IRQS before GET_INFO"
expect_err "s.txt:6: ioctl: EINVAL (Invalid argument): cannot go from stop-copy to pre-copy" "STOP_COPY -> PRE_COPY"
expect_err "s.txt:7: ioctl: EINVAL" "ERROR cannot be set"

# Script from standard input; tokenizer and nesting errors.
printf 'echo "a  b" c\\x41 \x27d e\x27\n' >"$tmp/in"
stdin=$tmp/in run exec -
expect_rc 0 "exec -"
expect_out $'a  b c\\x41 d e\n' "exec - quoting"
printf 'echo "\\x41\\tB"\n' >"$tmp/in"
stdin=$tmp/in run exec -
expect_out $'A\tB\n' "exec - escapes"
printf 'echo "open\n' >"$tmp/in"
stdin=$tmp/in run exec -
expect_rc 2 "unterminated quote"
expect_err "-:1: " "unterminated quote"
printf 'exec -\n' >"$tmp/in"
stdin=$tmp/in run exec -
expect_rc 2 "nested exec"
run exec "$tmp/does-not-exist"
expect_rc 1 "missing script"
expect_err "ENOENT" "missing script"
run exec
expect_rc 2 "exec without a file"

if ((failures)); then
  echo "mttyctl_test: $failures failure(s)" >&2
  exit 1
fi
echo "mttyctl_test: all checks passed"
