"""Planted-bug canaries: known defects of the kernel sample (and a few
semantic bugs), switched back on one at a time with `--define canary=NAME`,
never in a normal build.

Each canary is an `#if defined(MTTY_CANARY_<NAME>)` (or `!defined`) block in
the files listed below. canary_defines(), on //core:status so every core
library sees it, turns on exactly the one named by --define; without
--define it is empty and the compile commands are unchanged.
tools/canary_bench builds every canary with the fuzzer meant to find it and
measures how fast it does (tools/CAMPAIGNS.md).

CANARIES is plain literals: tools/canary_bench.py reads it with
ast.literal_eval. Fields: name; fuzzer (the //fuzz target meant to find it);
files (where the #if blocks are); kind (memory or semantic); what.
"""

CANARIES = [
    {
        "name": "config_oob_read",
        "fuzzer": "config_space",
        "files": ["core/pci_config.cc", "core/vfio_device.cc"],
        "kind": "memory",
        "what": "config reads are not bounds-checked: any offset indexes the 0xff-byte buffer (heap overflow)",
    },
    {
        "name": "config_write_overread",
        "fuzzer": "config_space",
        "files": ["core/pci_config.cc"],
        "kind": "memory",
        "what": "a 1- or 2-byte config write at BAR0/BAR1 is read as a 4-byte value (stack over-read)",
    },
    {
        "name": "bar_index_oob",
        "fuzzer": "bar_access",
        "files": ["core/vfio_device.cc"],
        "kind": "memory",
        "what": "BAR indexes 2..5 index the two-element port array",
    },
    {
        "name": "bar_read_uninit",
        "fuzzer": "bar_access",
        "files": ["core/vfio_device.cc"],
        "kind": "memory",
        "what": "2- and 4-byte BAR reads return stale bytes above the first (the sample's uninitialised stack bytes)",
    },
    {
        "name": "mig_record_count_unchecked",
        "fuzzer": "migration_stream",
        "files": ["core/uart16550.cc"],
        "kind": "memory",
        "what": "a resumed port record's FIFO count is trusted: a count above 16 reads past the 64-byte record",
    },
    {
        "name": "iir_priority",
        "fuzzer": "bar_access",
        "files": ["core/uart16550_inl.h"],
        "kind": "semantic",
        "what": "16550a IIR reports THRE ahead of received data (wrong priority)",
    },
    {
        "name": "fifo_count_off_by_one",
        "fuzzer": "bar_access",
        "files": ["core/uart16550_inl.h"],
        "kind": "semantic",
        "what": "the receive path accepts one byte more than the FIFO capacity",
    },
    {
        "name": "intx_while_masked",
        "fuzzer": "vfio_ioctl",
        "files": ["core/irq.cc"],
        "kind": "semantic",
        "what": "INTx is signalled while masked",
    },
    {
        "name": "pool_port_leak",
        "fuzzer": "mdev_lifecycle",
        "files": ["core/mdev_parent.cc"],
        "kind": "semantic",
        "what": "a create that fails with -EEXIST keeps the ports it took from the pool",
    },
]

CANARY_PACKAGE = "//tools/canary"

def canary_macro(name):
    return "MTTY_CANARY_" + name.upper()

def canary_defines():
    """The MTTY_CANARY_<NAME> define for --define canary=NAME, else nothing."""
    branches = {CANARY_PACKAGE + ":" + c["name"]: [canary_macro(c["name"])] for c in CANARIES}
    branches["//conditions:default"] = []
    return select(branches)

def canary_config_settings():
    """One config_setting per canary; instantiated in //tools/canary."""
    for c in CANARIES:
        native.config_setting(
            name = c["name"],
            values = {"define": "canary=" + c["name"]},
            visibility = ["//visibility:public"],
        )

# Real defects: the known defects of Linux 6.1's samples/vfio-mdev/mtty.c
# that a user of the device file can reach (fuzz/kernel/known_defects.cc has
# the same names). Nothing is planted: `tools/canary_bench --real` runs the
# fuzzer named here (a `_kernel` target driving the real sample) with
# MTTY_KERNEL_HUNT=<name>, so every other known defect is avoided, and times
# the first crash whose report names this defect. Fields: name; fuzzer;
# detector (sanitizer, kshim or differential); spec (the entry in
# docs/spec/mtty-defects.md).
REAL_DEFECTS = [
    {"name": "config-read-oob", "fuzzer": "config_space_kernel", "detector": "sanitizer", "spec": "d1"},
    {"name": "config-write-unchecked", "fuzzer": "config_space_kernel", "detector": "differential", "spec": "d2"},
    {"name": "config-write-overread", "fuzzer": "config_space_kernel", "detector": "sanitizer", "spec": "d5"},
    {"name": "bar-index-oob", "fuzzer": "bar_access_kernel", "detector": "sanitizer", "spec": "d3"},
    {"name": "phantom-bar1", "fuzzer": "bar_access_kernel", "detector": "differential", "spec": "d3"},
    {"name": "bar-read-uninit", "fuzzer": "bar_access_kernel", "detector": "differential", "spec": "d4"},
    {"name": "bar-offset-unchecked", "fuzzer": "bar_access_kernel", "detector": "differential", "spec": "d6"},
    {"name": "fifo-full-reads-empty", "fuzzer": "bar_access_kernel", "detector": "differential", "spec": "d12"},
    {"name": "null-eventfd-signal", "fuzzer": "bar_access_kernel", "detector": "kshim", "spec": "d7"},
    {"name": "set-irqs-null-payload", "fuzzer": "vfio_ioctl_kernel", "detector": "sanitizer", "spec": "d8"},
    {"name": "eventfd-use-after-put", "fuzzer": "bar_access_kernel", "detector": "kshim", "spec": "d9"},
    {"name": "eventfd-put-underflow", "fuzzer": "bar_access_kernel", "detector": "kshim", "spec": "d9"},
    {"name": "eventfd-leak", "fuzzer": "vfio_ioctl_kernel", "detector": "kshim", "spec": "d10"},
]
