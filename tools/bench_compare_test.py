#!/usr/bin/env python3
"""bench_compare on fake benchmark binaries: the ratio table, the exit
status against --tolerance, and a clear error (status 2) for every bad
input: a missing or failing binary, no benchmark in common, bad --rounds."""

import os
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "bench_compare.py")


def fake_bench(directory, name, benchmarks, exit_status=0):
    """An executable printing Google Benchmark JSON: name -> ns."""
    entries = ",".join(
        '{"name": "%s", "run_type": "iteration", "real_time": %s, '
        '"time_unit": "ns"}' % (n, t) for n, t in benchmarks.items())
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n")
        f.write("cat <<'JSON'\n{\"benchmarks\": [%s]}\nJSON\n" % entries)
        f.write("echo 'broken on purpose' >&2\n" if exit_status else "")
        f.write("exit %d\n" % exit_status)
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
    return path


def run(*args):
    return subprocess.run([sys.executable, TOOL] + list(args),
                          capture_output=True, text=True, check=False)


class BenchCompareTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def test_ratio_of_medians_and_pass(self):
        old = fake_bench(self.dir, "old", {"A": 10.0, "B": 4.0})
        new = fake_bench(self.dir, "new", {"A": 5.0, "B": 4.0})
        r = run(old, new, "--rounds=3", "--min-time=0")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = {l.split()[0]: l.split() for l in r.stdout.splitlines()}
        self.assertEqual(lines["A"][1:], ["10.00", "5.00", "0.500"])
        self.assertEqual(lines["B"][1:], ["4.00", "4.00", "1.000"])

    def test_slower_than_tolerance_fails(self):
        old = fake_bench(self.dir, "old", {"A": 10.0})
        new = fake_bench(self.dir, "new", {"A": 11.0})
        self.assertEqual(run(old, new, "--rounds=1").returncode, 1)
        self.assertEqual(
            run(old, new, "--rounds=1", "--tolerance=1.2").returncode, 0)

    def test_benchmark_in_one_binary_only_is_named_not_compared(self):
        old = fake_bench(self.dir, "old", {"A": 1.0, "Gone": 1.0})
        new = fake_bench(self.dir, "new", {"A": 1.0})
        r = run(old, new, "--rounds=1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("only in one binary, not compared: Gone", r.stdout)

    def test_bad_inputs_are_status_2_with_a_reason(self):
        good = fake_bench(self.dir, "good", {"A": 1.0})
        other = fake_bench(self.dir, "other", {"Z": 1.0})
        failing = fake_bench(self.dir, "failing", {"A": 1.0}, exit_status=3)
        cases = [
            ((os.path.join(self.dir, "missing"), good), "not an executable"),
            ((good, failing), "exited with 3: broken on purpose"),
            ((good, other), "share no benchmark"),
            ((good, good, "--rounds=0"), "--rounds must be at least 1"),
        ]
        for args, reason in cases:
            r = run(*args)
            self.assertEqual(r.returncode, 2, (args, r.stdout, r.stderr))
            self.assertIn(reason, r.stderr, args)
            self.assertEqual(r.stdout, "", args)


if __name__ == "__main__":
    unittest.main()
