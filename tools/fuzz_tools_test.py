#!/usr/bin/env python3
"""Tests of the fuzzing tools' pure parts: report classification and
signatures (triage), libFuzzer status parsing, durations, the lcov reader,
the canary registry against the #if blocks in core/, and the OSS-Fuzz target
resolver. No fuzzing and no Bazel here."""

import ast
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coverage  # noqa: E402
import fuzzlib  # noqa: E402
import oss_fuzz_targets  # noqa: E402
import triage  # noqa: E402

ASAN = """INFO: Running with entropic power schedule (0xFF, 100).
=================================================================
==123==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x60f000000fff at pc 0x1 bp 0x2 sp 0x3
READ of size 1 at 0x60f000000fff thread T0
    #0 0x55d1 in mtty::PciConfig::Read(unsigned int, int) const core/pci_config.cc:101:20
    #1 0x55d2 in mtty::MttyDevice::ReadPiece(unsigned int, unsigned long, int) core/vfio_device.cc:120:9
    #2 0x55d3 in std::vector<int, std::allocator<int> >::size() const /usr/include/c++/12/bits/stl_vector.h:919:9
    #3 0x55d4 in mtty::MttyDevice::Access(unsigned long, unsigned char*, unsigned long, bool) core/vfio_device.cc:170:30
    #4 0x55d5 in mtty::fuzz::RunConfigSpace(std::span<unsigned char const, 18446744073709551615ul>) fuzz/config_space/harness.cc:80:3
    #5 0x55d6 in LLVMFuzzerTestOneInput fuzz/config_space/fuzzer.cc:9:3
    #6 0x55d7 in fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long) (/x/config_space+0x1)

SUMMARY: AddressSanitizer: heap-buffer-overflow core/pci_config.cc:101:20 in mtty::PciConfig::Read(unsigned int, int) const
"""

UBSAN = """core/vfio_device.cc:116:20: runtime error: index 3 out of bounds for type 'Uart16550 *[2]'
    #0 0x1 in mtty::MttyDevice::ReadPiece(unsigned int, unsigned long, int) core/vfio_device.cc:116:20
    #1 0x2 in mtty::MttyDevice::Access(unsigned long, unsigned char*, unsigned long, bool) core/vfio_device.cc:170:30
    #2 0x3 in LLVMFuzzerTestOneInput fuzz/bar_access/fuzzer.cc:9:3
SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior core/vfio_device.cc:116:20 in
"""

FINDING = """
==mtty-fuzz== FINDING: oracle wide-read-upper-bytes-zero fired at op #3: BAR0+0 width 4 read 0xbebebe60
==77== ERROR: libFuzzer: deadly signal
    #0 0x1 in __sanitizer_print_stack_trace (/x/bar_access+0x1)
    #1 0x2 in fuzzer::PrintStackTrace() (/x/bar_access+0x2)
    #5 0x3 in abort stdlib/abort.c:79:7
    #6 0x4 in mtty::fuzz::ReportAndAbort(mtty::fuzz::Finding const&) fuzz/finding.cc:17:3
    #7 0x5 in LLVMFuzzerTestOneInput fuzz/bar_access/fuzzer.cc:12:5
"""

LEAK = """
=================================================================
==9==ERROR: LeakSanitizer: detected memory leaks

Direct leak of 64 byte(s) in 1 object(s) allocated from:
    #0 0x1 in operator new(unsigned long) (/x/f+0x1)
    #1 0x2 in mtty::MdevParent::Create(std::basic_string_view<char, std::char_traits<char> >, mtty::Uuid const&, mtty::Profile) core/mdev_parent.cc:120:5
    #2 0x3 in LLVMFuzzerTestOneInput fuzz/mdev_lifecycle/fuzzer.cc:20:3
"""


class TriageTest(unittest.TestCase):
    def test_asan_kind_and_our_frames_only(self):
        r = triage.parse_report(ASAN, 1)
        self.assertTrue(r.reproduced)
        self.assertEqual(r.kind, "asan:heap-buffer-overflow READ 1")
        self.assertEqual(r.frames, ["mtty::PciConfig::Read", "mtty::MttyDevice::ReadPiece",
                                    "mtty::MttyDevice::Access"])

    def test_frames_of_a_stripped_binary_found_by_namespace(self):
        stripped = re.sub(r" (core|fuzz)/[\w.]+:\d+:\d+", " (/x/f+0x1)", ASAN)
        self.assertNotEqual(stripped, ASAN)
        r = triage.parse_report(stripped, 1)
        self.assertEqual(r.frames, ["mtty::PciConfig::Read", "mtty::MttyDevice::ReadPiece",
                                    "mtty::MttyDevice::Access"])

    def test_signature_ignores_addresses_and_lines(self):
        moved = ASAN.replace(":101:20", ":140:3").replace("0x60f000000fff", "0x6020000000ef")
        self.assertEqual(triage.parse_report(ASAN, 1).signature("config_space"),
                         triage.parse_report(moved, 1).signature("config_space"))

    def test_signature_depends_on_fuzzer_and_frames(self):
        a = triage.parse_report(ASAN, 1)
        self.assertNotEqual(a.signature("config_space"), a.signature("bar_access"))
        other = ASAN.replace("PciConfig::Read", "PciConfig::Write")
        self.assertNotEqual(a.signature("x"), triage.parse_report(other, 1).signature("x"))

    def test_ubsan_values_normalised(self):
        r = triage.parse_report(UBSAN, 1)
        self.assertEqual(r.kind, "ubsan:index N out of bounds for type 'Uart16550 *[N]'")
        self.assertEqual(r.frames[0], "mtty::MttyDevice::ReadPiece")
        r5 = triage.parse_report(UBSAN.replace("index 3", "index 5"), 1)
        self.assertEqual(r.signature("b"), r5.signature("b"))

    def test_oracle_finding_signs_by_oracle_name(self):
        r = triage.parse_report(FINDING, 1)
        self.assertEqual(r.kind, "finding:wide-read-upper-bytes-zero")
        self.assertEqual(r.frames, [])
        self.assertIn("op #3", r.summary)
        other_op = FINDING.replace("op #3", "op #9").replace("0xbebebe60", "0xbebebe01")
        self.assertEqual(r.signature("b"), triage.parse_report(other_op, 1).signature("b"))

    def test_leak(self):
        r = triage.parse_report(LEAK, 23)
        self.assertEqual(r.kind, "leak")
        self.assertEqual(r.frames, ["mtty::MdevParent::Create", "LLVMFuzzerTestOneInput"])

    def test_unrecognised_failure_is_exit_kind(self):
        r = triage.parse_report("something odd\n", 3)
        self.assertEqual(r.kind, "exit:3")
        self.assertTrue(r.reproduced)

    def test_clean_run_is_not_a_crash(self):
        r = triage.parse_report("Done 1 runs in 0 second(s)\n", 0)
        self.assertFalse(r.reproduced)


class LibFuzzerStatsTest(unittest.TestCase):
    def test_single_process_lines(self):
        s = fuzzlib.LibFuzzerStats()
        self.assertTrue(s.feed("#4096\tpulse  cov: 120 ft: 300 corp: 12/340b lim: 8 exec/s: 617 rss: 40Mb"))
        self.assertTrue(s.feed("#5000\tNEW    cov: 125 ft: 310 corp: 13/350b lim: 8 exec/s: 700 rss: 41Mb L: 5/9 MS: 1 CopyPart-"))
        self.assertEqual((s.execs, s.cov, s.ft, s.corp, s.exec_per_s), (5000, 125, 310, 13, 700))

    def test_fork_lines(self):
        s = fuzzlib.LibFuzzerStats()
        self.assertTrue(s.feed("#5648744: cov: 6 ft: 7 corp: 5 exec/s 12 oom/timeout/crash: 1/2/155 time: 14s job: 156 dft_time: 0"))
        self.assertEqual((s.execs, s.cov, s.ft, s.corp, s.exec_per_s), (5648744, 6, 7, 5, 12))
        self.assertEqual((s.ooms, s.timeouts, s.crashes), (1, 2, 155))

    def test_other_lines_ignored(self):
        s = fuzzlib.LibFuzzerStats()
        self.assertFalse(s.feed("INFO: Seed: 123"))
        self.assertFalse(s.feed("==1== ERROR: libFuzzer: deadly signal"))
        self.assertEqual(s.execs, 0)


class DurationTest(unittest.TestCase):
    def test_forms(self):
        self.assertEqual(fuzzlib.parse_duration("90"), 90)
        self.assertEqual(fuzzlib.parse_duration("90s"), 90)
        self.assertEqual(fuzzlib.parse_duration("5m"), 300)
        self.assertEqual(fuzzlib.parse_duration("1h30m"), 5400)
        for bad in ("", "m", "5x", "5m3"):
            with self.assertRaises(ValueError):
                fuzzlib.parse_duration(bad)


class OptionsTest(unittest.TestCase):
    def test_one_flag_per_line_with_comments(self):
        with tempfile.NamedTemporaryFile("w", suffix=".options", delete=False) as f:
            f.write("# defaults\n-max_len=1024\n\n  -use_value_profile=1  # why\n")
        try:
            self.assertEqual(fuzzlib.read_options(f.name),
                             ["-max_len=1024", "-use_value_profile=1"])
        finally:
            os.remove(f.name)
        self.assertEqual(fuzzlib.read_options("/nonexistent.options"), [])

    def test_a_line_that_is_not_a_flag_is_an_error_naming_it(self):
        for bad in ("max_len=1024", "-max_len", "corpus_dir"):
            with tempfile.NamedTemporaryFile("w", suffix=".options", delete=False) as f:
                f.write(f"# defaults\n-runs=1\n{bad}\n")
            try:
                with self.assertRaisesRegex(ValueError, re.escape(f"{f.name}:3: '{bad}'")):
                    fuzzlib.read_options(f.name)
            finally:
                os.remove(f.name)


class FunctionNameTest(unittest.TestCase):
    def test_short_names(self):
        f = coverage.short_function_name
        self.assertEqual(f("mtty::EventfdSink::Signal()"), "mtty::EventfdSink::Signal")
        self.assertEqual(f("mtty::ErrnoName[abi:cxx11](int)"), "mtty::ErrnoName")
        self.assertEqual(f("mtty::(anonymous namespace)::Hex2(unsigned char)"),
                         "mtty::(anonymous namespace)::Hex2")
        self.assertEqual(f("bool mtty::SyncCondVar::WaitFor<mtty::X::$_0>(std::mutex&, int)"),
                         "mtty::SyncCondVar::WaitFor<mtty::X::$_0>")
        self.assertEqual(f("mtty::operator==(mtty::Fifo const&, mtty::Fifo const&)"),
                         "mtty::operator==")


class LcovTest(unittest.TestCase):
    def test_lines_branches_functions(self):
        text = "SF:core/irq.cc\nFNDA:0,_ZN4mtty1fEv\nDA:10,5\nDA:11,0\nBRDA:10,0,0,5\nBRDA:10,0,1,-\nend_of_record\n"
        f = coverage.parse_lcov(text)["core/irq.cc"]
        self.assertEqual(f["lines"], {10: 5, 11: 0})
        self.assertEqual(f["branches"], [(10, "0", "0", 5), (10, "0", "1", 0)])
        self.assertEqual(f["functions"], {"_ZN4mtty1fEv": 0})


def runfile(path):
    """A data file of this test (Bazel runfiles), else the source tree."""
    here = os.path.dirname(os.path.abspath(__file__))
    for root in (os.environ.get("TEST_SRCDIR", ""),):
        if root:
            p = os.path.join(root, os.environ.get("TEST_WORKSPACE", "mtty_lab"), path)
            if os.path.exists(p):
                return p
    return os.path.join(os.path.dirname(here), path)


class CanaryRegistryTest(unittest.TestCase):
    def setUp(self):
        src = open(runfile("tools/canary/canaries.bzl")).read()
        for node in ast.parse(src).body:
            if isinstance(node, ast.Assign) and node.targets[0].id == "CANARIES":
                self.canaries = ast.literal_eval(node.value)

    def test_names_unique_and_fields_present(self):
        names = [c["name"] for c in self.canaries]
        self.assertEqual(len(names), len(set(names)))
        for c in self.canaries:
            self.assertRegex(c["name"], r"^[a-z0-9_]+$")
            self.assertIn(c["kind"], ("memory", "semantic"))
            self.assertTrue(c["fuzzer"] and c["files"] and c["what"])

    def test_every_canary_has_its_blocks(self):
        for c in self.canaries:
            macro = "MTTY_CANARY_" + c["name"].upper()
            for f in c["files"]:
                text = open(runfile(f)).read()
                self.assertTrue(f"defined({macro})" in text, f"{macro} missing in {f}")

    def test_no_unregistered_canary_blocks(self):
        known = {"MTTY_CANARY_" + c["name"].upper() for c in self.canaries}
        files = {f for c in self.canaries for f in c["files"]}
        for f in sorted(files):
            used = set(re.findall(r"MTTY_CANARY_[A-Z0-9_]+", open(runfile(f)).read()))
            self.assertLessEqual(used, known, f"unregistered canary macro in {f}")


class FuzzerPathsTest(unittest.TestCase):
    """Where a fuzzer's reproducers, seeds and dictionary are, from its
    label: the folder of the package that declares it."""

    def test_folder_fuzzer(self):
        f = fuzzlib.Fuzzer("bar_access", "//fuzz/bar_access:bar_access_bin", "/w")
        self.assertEqual(f.regression_dir, "/w/fuzz/bar_access/regressions")
        self.assertEqual(f.seed_dir, "/w/corpus/bar_access")
        self.assertEqual(f.options_path, "/w/fuzz/bar_access/bar_access.options")
        self.assertEqual(f.run_label, "//fuzz/bar_access:bar_access")

    def test_race_fuzzer_lives_in_its_package(self):
        f = fuzzlib.Fuzzer("mdev_race", "//fuzz/mdev_race:mdev_race_bin", "/w")
        self.assertEqual(f.regression_dir, "/w/fuzz/mdev_race/regressions")
        self.assertEqual(f.options_path, "/w/fuzz/mdev_race/mdev_race.options")

    def test_kernel_variant_shares_corpus_keeps_own_reproducers(self):
        f = fuzzlib.Fuzzer("vfio_ioctl_kernel", "//fuzz:vfio_ioctl_kernel_bin", "/w")
        self.assertEqual(f.regression_dir,
                         "/w/fuzz/kernel/regressions/vfio_ioctl_kernel")
        self.assertEqual(f.seed_dir, "/w/corpus/vfio_ioctl")
        self.assertEqual(f.options_path, "/w/fuzz/vfio_ioctl/vfio_ioctl.options")

    def test_default_flags_are_the_folders_options_then_the_dict(self):
        with tempfile.TemporaryDirectory() as ws:
            os.makedirs(os.path.join(ws, "fuzz", "vfio_ioctl"))
            os.makedirs(os.path.join(ws, "corpus"))
            with open(os.path.join(ws, "fuzz", "vfio_ioctl", "vfio_ioctl.options"), "w") as f:
                f.write("# defaults\n-max_len=512\n")
            with open(os.path.join(ws, "corpus", "vfio_ioctl.dict"), "w") as f:
                f.write('"x"\n')
            dict_flag = "-dict=" + os.path.join(ws, "corpus", "vfio_ioctl.dict")
            for name, label in (("vfio_ioctl", "//fuzz/vfio_ioctl:vfio_ioctl_bin"),
                                ("vfio_ioctl_kernel", "//fuzz:vfio_ioctl_kernel_bin")):
                fz = fuzzlib.Fuzzer(name, label, ws)
                self.assertEqual(fz.default_flags(), ["-max_len=512", dict_flag], name)


class GitCommitTest(unittest.TestCase):
    def test_head_then_dirty_then_unknown_outside_git(self):
        with tempfile.TemporaryDirectory() as ws:
            def git(*args):
                subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
                               cwd=ws, check=True, capture_output=True)
            git("init", "-q")
            with open(os.path.join(ws, "f"), "w") as f:
                f.write("a\n")
            git("add", "f")
            git("commit", "-q", "-m", "x")
            head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ws,
                                  text=True, capture_output=True).stdout.strip()
            self.assertRegex(head, "^[0-9a-f]{7,}$")
            self.assertEqual(fuzzlib.git_commit(ws), head)
            with open(os.path.join(ws, "untracked"), "w") as f:
                f.write("u\n")
            self.assertEqual(fuzzlib.git_commit(ws), head)
            with open(os.path.join(ws, "f"), "w") as f:
                f.write("b\n")
            self.assertEqual(fuzzlib.git_commit(ws), head + "-dirty")
        with tempfile.TemporaryDirectory() as empty:
            self.assertEqual(fuzzlib.git_commit(empty), "unknown")


class OssFuzzTargetsTest(unittest.TestCase):
    def test_resolves_transitive_sources(self):
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "core"))
            os.makedirs(os.path.join(root, "fuzz"))
            with open(os.path.join(root, "core", "BUILD.bazel"), "w") as f:
                f.write('load("//x:y.bzl", "z")\n'
                        'cc_library(name = "status", srcs = ["status.cc"], hdrs = ["status.h"], defines = z())\n'
                        'cc_library(name = "uart", srcs = ["uart.cc", "fifo.h"], deps = [":status"])\n'
                        'cc_library(name = "core", deps = [":uart"])\n'
                        '[cc_test(name = t + "_test", srcs = [t + "_test.cc"]) for t in ["uart"]]\n')
            with open(os.path.join(root, "fuzz", "BUILD.bazel"), "w") as f:
                f.write('_SRCS = ["finding.cc"]\n'
                        '_DEPS = ["//core:status"]\n'
                        'cc_library(name = "common", srcs = _SRCS, deps = _DEPS + [])\n'
                        'cc_library(name = "globbed", srcs = glob(["*.cc"]))\n'
                        'mtty_fuzzer(name = "bar", srcs = ["bar.cc"], deps = [":common", "//core"])\n')
            got = oss_fuzz_targets.Repo(root).fuzzers()
            self.assertEqual(got, [("bar", "fuzz",
                                    ["core/status.cc", "fuzz/finding.cc",
                                     "core/uart.cc", "fuzz/bar.cc"])])

    def test_fuzzer_package_is_a_harness_and_a_fuzzer(self):
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "core"))
            os.makedirs(os.path.join(root, "fuzz", "baz"))
            with open(os.path.join(root, "core", "BUILD.bazel"), "w") as f:
                f.write('cc_library(name = "status", srcs = ["status.cc"])\n')
            with open(os.path.join(root, "fuzz", "baz", "BUILD.bazel"), "w") as f:
                f.write('load("//fuzz:fuzz.bzl", "fuzzer_package")\n'
                        'fuzzer_package(name = "baz", deps = ["//core:status"],\n'
                        '               extra_deps = ["//core:status"])\n')
            got = oss_fuzz_targets.Repo(root).fuzzers()
            self.assertEqual(got, [("baz", "fuzz/baz",
                                    ["core/status.cc", "fuzz/baz/harness.cc",
                                     "fuzz/baz/fuzzer.cc"])])

    def test_external_dependency_is_an_error(self):
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "fuzz"))
            with open(os.path.join(root, "fuzz", "BUILD.bazel"), "w") as f:
                f.write('mtty_fuzzer(name = "bar", srcs = ["bar.cc"], deps = ["@gtest//:gtest"])\n')
            with self.assertRaisesRegex(ValueError, "external"):
                oss_fuzz_targets.Repo(root).fuzzers()


if __name__ == "__main__":
    unittest.main()
