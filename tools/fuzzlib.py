"""Shared pieces of the fuzzing tools (fuzz_campaign, coverage, canary_bench,
triage): finding the workspace, driving Bazel, discovering the fuzzers, and
reading libFuzzer's output.

Standard library only: the tools run under `bazel run` (py_binary) and as
plain `python3 tools/<tool>.py` alike.
"""

import dataclasses
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from typing import Dict, Iterable, List, Optional


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def workspace() -> str:
    """The source tree: BUILD_WORKSPACE_DIRECTORY under `bazel run`, else the
    directory above this file (resolving the runfiles symlink)."""
    ws = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if ws:
        return ws
    here = os.path.dirname(os.path.realpath(__file__))
    return os.path.dirname(here)


def parse_duration(text: str) -> float:
    """'90', '90s', '5m', '1h30m', '2h' -> seconds."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    total = 0.0
    pos = 0
    for m in re.finditer(r"(\d+(?:\.\d+)?)([hms])", text):
        if m.start() != pos:
            raise ValueError(f"bad duration: {text!r}")
        total += float(m.group(1)) * {"h": 3600, "m": 60, "s": 1}[m.group(2)]
        pos = m.end()
    if pos != len(text) or pos == 0:
        raise ValueError(f"bad duration: {text!r}")
    return total


def fmt_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def clean_env() -> Dict[str, str]:
    """The environment for nested Bazel calls and fuzzers: `bazel run` sets
    variables that would confuse a nested Bazel (runfiles of this tool)."""
    env = dict(os.environ)
    for k in ("RUNFILES_DIR", "RUNFILES_MANIFEST_FILE", "JAVA_RUNFILES",
              "PYTHON_RUNFILES", "TEST_SRCDIR", "BUILD_WORKING_DIRECTORY"):
        env.pop(k, None)
    return env


class BazelError(RuntimeError):
    pass


class Bazel:
    """One Bazel output base. The default one is shared with everybody's
    `bazel run //fuzz:...`; builds with other flags (canaries, coverage,
    AFL++) use their own output base so they never evict the normal build's
    outputs."""

    def __init__(self, ws: str, output_base: Optional[str] = None,
                 quiet: bool = True):
        self.ws = ws
        self.output_base = output_base
        self.quiet = quiet
        self._bazel_bin: Optional[str] = None

    def _startup(self) -> List[str]:
        args = ["bazel"]
        if self.output_base:
            os.makedirs(self.output_base, exist_ok=True)
            # A side server should not linger on a shared machine.
            args += [f"--output_base={self.output_base}",
                     "--max_idle_secs=600"]
        return args

    def run(self, args: List[str], capture: bool = True,
            check: bool = True) -> subprocess.CompletedProcess:
        if self.output_base and args and args[0] in ("build", "test", "run"):
            # Builds in a private output base must not repoint the
            # workspace's bazel-bin/bazel-out links at it (users run
            # afl-fuzz and friends from bazel-bin).
            args = [args[0], "--symlink_prefix=/"] + args[1:]
        cmd = self._startup() + args
        if not self.quiet:
            log("+ " + " ".join(cmd))
        proc = subprocess.run(
            cmd, cwd=self.ws, env=clean_env(), text=True,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.PIPE if capture else None)
        if check and proc.returncode != 0:
            tail = (proc.stderr or "")[-4000:] if capture else ""
            raise BazelError(f"{' '.join(cmd)} failed ({proc.returncode})\n{tail}")
        return proc

    def query(self, expr: str, keep_going: bool = False) -> List[str]:
        """Labels matching `expr`. With keep_going, packages that fail to
        load (someone else's work in progress) are skipped, not fatal."""
        args = ["query", expr, "--output=label"]
        if keep_going:
            args.append("--keep_going")
        proc = self.run(args, check=not keep_going)
        if keep_going and proc.returncode not in (0, 3):
            raise BazelError(f"bazel query {expr} failed ({proc.returncode})\n"
                             + (proc.stderr or "")[-2000:])
        out = proc.stdout
        return sorted(l.strip() for l in out.splitlines() if l.strip())

    def build(self, targets: List[str], flags: Iterable[str] = ()) -> None:
        self.run(["build"] + list(flags) + targets)

    def build_each(self, targets: List[str], flags: Iterable[str] = ()) -> Dict[str, str]:
        """Builds what builds (--keep_going); returns {label: error} for the
        targets that do not, so one broken fuzzer (someone's work in
        progress) does not stop the others."""
        flags = list(flags)
        proc = self.run(["build", "--keep_going"] + flags + targets, check=False)
        if proc.returncode == 0:
            return {}
        failed: Dict[str, str] = {}
        for t in targets:  # cached: each of these is quick
            p = self.run(["build"] + flags + [t], check=False)
            if p.returncode != 0:
                errs = [l for l in (p.stderr or "").splitlines() if "ERROR" in l or "error:" in l]
                failed[t] = " | ".join(errs[:3])[:400] or f"exit {p.returncode}"
        if not failed:
            raise BazelError("bazel build --keep_going failed, yet every target builds alone:\n"
                             + (proc.stderr or "")[-2000:])
        return failed

    def bazel_bin(self, flags: Iterable[str] = ()) -> str:
        if self._bazel_bin is None:
            out = self.run(["info"] + list(flags) + ["bazel-bin"]).stdout
            self._bazel_bin = out.strip()
        return self._bazel_bin

    def output_path(self, label: str, flags: Iterable[str] = ()) -> str:
        """The file a `//pkg:name` rule writes in the top-level config."""
        pkg, name = split_label(label)
        return os.path.join(self.bazel_bin(flags), pkg, name)


def split_label(label: str):
    label = label.lstrip("@")
    if label.startswith("//"):
        label = label[2:]
    if ":" in label:
        pkg, name = label.split(":", 1)
    else:
        pkg, name = label, label.rsplit("/", 1)[-1]
    return pkg, name


@dataclasses.dataclass
class Fuzzer:
    name: str  # bar_access
    label: str  # //fuzz/bar_access:bar_access_bin (the instrumented binary)
    ws: str

    @property
    def package(self) -> str:
        return split_label(self.label)[0]

    @property
    def run_label(self) -> str:
        return f"//{self.package}:{self.name}"

    @property
    def corpus_name(self) -> str:
        """A `<name>_kernel` target shares `<name>`'s input format, corpus
        and dictionary (fuzz/kernel/README.md)."""
        return self.name[:-len("_kernel")] if self.name.endswith("_kernel") else self.name

    @property
    def kernel(self) -> bool:
        return self.name.endswith("_kernel")

    @property
    def seed_dir(self) -> str:
        return os.path.join(self.ws, "corpus", self.corpus_name)

    @property
    def dict_path(self) -> Optional[str]:
        p = os.path.join(self.ws, "corpus", self.corpus_name + ".dict")
        return p if os.path.isfile(p) else None

    @property
    def regression_dir(self) -> str:
        """The fuzzer folder's regressions/ (fuzz/<name>/regressions/); a
        `_kernel` target's are fuzz/kernel/regressions/<name>/."""
        if self.kernel:
            return os.path.join(self.ws, "fuzz", "kernel", "regressions", self.name)
        return os.path.join(self.ws, self.package, "regressions")

    @property
    def options_path(self) -> str:
        """The fuzzer folder's <name>.options; a `_kernel` target takes its
        input format's, fuzz/<format>/<format>.options (fuzz/fuzz.bzl)."""
        if self.kernel:
            return os.path.join(self.ws, "fuzz", self.corpus_name, self.corpus_name + ".options")
        return os.path.join(self.ws, self.package, self.name + ".options")

    def default_flags(self) -> List[str]:
        """libFuzzer flags from options_path, the defaults
        `bazel run //fuzz:<name>` uses (fuzz/run_fuzzer.sh), then -dict.
        Flags given later on a command line win."""
        flags = read_options(self.options_path)
        if self.dict_path and not any(f.startswith("-dict=") for f in flags):
            flags.append(f"-dict={self.dict_path}")
        return flags


def git_commit(ws: str) -> str:
    """The commit a build of `ws` is made from: HEAD, with "-dirty" when
    tracked files differ from it ("unknown" outside git). Read it before
    building, not after: the tree may change while a campaign runs."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ws,
                              text=True, capture_output=True).stdout.strip()
        if not head:
            return "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ws, text=True, capture_output=True).stdout.strip()
        return head + ("-dirty" if dirty else "")
    except OSError:
        return "unknown"


def read_options(path: str) -> List[str]:
    """One flag per line, `#` starts a comment, blanks ignored (the format
    fuzz/run_fuzzer.sh reads). A line that is not `-name=value` is a
    ValueError naming the file and line: libFuzzer would take it for a
    corpus directory."""
    flags: List[str] = []
    if not os.path.isfile(path):
        return flags
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = "".join(line.split("#", 1)[0].split())
            if not line:
                continue
            if not re.fullmatch(r"-[^=]+=.*", line):
                raise ValueError(f"{path}:{n}: '{line}' is not a libFuzzer flag (-name=value)")
            flags.append(line)
    return flags


def discover_fuzzers(bazel: Bazel, only: Optional[List[str]] = None,
                     exclude: Optional[List[str]] = None) -> List[Fuzzer]:
    """Every fuzzer: an instrumented binary tagged `fuzzer` (mtty_fuzzer
    tags its :<name>_bin so; other instrumented binaries, e.g. benchmark
    targets, are not fuzzers) and not testonly (a testonly fuzzer is a test
    fixture, e.g. one built over a planted bug)."""
    labels = bazel.query(
        r'attr(testonly, 0, attr(tags, "\bfuzzer\b", kind(instrumented_binary, //fuzz/...)))')
    fuzzers = []
    for label in labels:
        _, name = split_label(label)
        if not name.endswith("_bin"):
            continue
        f = Fuzzer(name=name[:-len("_bin")], label=label, ws=bazel.ws)
        if only and f.name not in only:
            continue
        if exclude and f.name in exclude:
            continue
        fuzzers.append(f)
    if only:
        missing = sorted(set(only) - {f.name for f in fuzzers})
        if missing:
            raise BazelError(f"no such fuzzer: {', '.join(missing)} "
                             f"(have: {', '.join(split_label(l)[1][:-4] for l in labels)})")
    return fuzzers


def copy_binary(src: str, dst: str) -> str:
    """Copies a built binary out of bazel-out, so later builds (ours or
    another engineer's) cannot change it under a running campaign."""
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    tmp = dst + ".tmp"
    shutil.copyfile(os.path.realpath(src), tmp)
    os.chmod(tmp, 0o755)
    os.replace(tmp, dst)
    return dst


def files_in(d: str) -> List[str]:
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, n) for n in os.listdir(d)
                  if os.path.isfile(os.path.join(d, n)))


def sha1_file(path: str) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def add_inputs(dst: str, srcs: Iterable[str]) -> int:
    """Copies every file of the `srcs` dirs into `dst`, named by content hash
    as libFuzzer names corpus files (so duplicates collapse). Returns how many
    files are new."""
    os.makedirs(dst, exist_ok=True)
    added = 0
    for d in srcs:
        for p in files_in(d):
            target = os.path.join(dst, sha1_file(p))
            if not os.path.exists(target):
                shutil.copyfile(p, target)
                os.chmod(target, 0o644)
                added += 1
    return added


# libFuzzer status lines, single process and fork mode:
#   #1234	NEW    cov: 120 ft: 300 corp: 12/340b lim: 8 exec/s: 617 rss: 40Mb
#   #1234: cov: 120 ft: 300 corp: 12 exec/s 617 oom/timeout/crash: 0/0/1 time: 9s job: 3 dft_time: 0
_STAT_RE = re.compile(
    r"^#(?P<execs>\d+):?\s+(?P<what>[A-Za-z]+)?\s*cov: (?P<cov>\d+) ft: (?P<ft>\d+)"
    r"(?: corp: (?P<corp>\d+))?.*?exec/s:? (?P<eps>\d+)")
_FORK_CRASH_RE = re.compile(r"oom/timeout/crash: (\d+)/(\d+)/(\d+)")


@dataclasses.dataclass
class LibFuzzerStats:
    execs: int = 0
    cov: int = 0
    ft: int = 0
    corp: int = 0
    exec_per_s: int = 0
    ooms: int = 0
    timeouts: int = 0
    crashes: int = 0
    lines: int = 0

    def feed(self, line: str) -> bool:
        m = _STAT_RE.match(line)
        if not m:
            return False
        self.lines += 1
        self.execs = max(self.execs, int(m.group("execs")))
        self.cov = max(self.cov, int(m.group("cov")))
        self.ft = max(self.ft, int(m.group("ft")))
        if m.group("corp"):
            self.corp = int(m.group("corp"))
        self.exec_per_s = int(m.group("eps"))
        c = _FORK_CRASH_RE.search(line)
        if c:
            self.ooms, self.timeouts, self.crashes = map(int, c.groups())
        return True


def replay_stats(binary: str, dirs: List[str], timeout: float = 600,
                 env: Optional[Dict[str, str]] = None) -> LibFuzzerStats:
    """Edges and features covered by a corpus: one -runs=0 pass."""
    stats = LibFuzzerStats()
    dirs = [d for d in dirs if os.path.isdir(d)]
    if not dirs:
        return stats
    try:
        proc = subprocess.run([binary, "-runs=0"] + dirs, text=True,
                              errors="replace", stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout,
                              env=env or fuzz_env())
        for line in proc.stdout.splitlines():
            stats.feed(line)
    except subprocess.TimeoutExpired:
        pass
    return stats


def fuzz_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """Sanitizer options for a fuzz run. The `_kernel` targets hunt nothing
    unless told (MTTY_KERNEL_HUNT): a campaign looks for new differences
    from the real sample; its known defects are tools/canary_bench --real's."""
    env = clean_env()
    env.setdefault("MTTY_KERNEL_HUNT", "none")
    env.setdefault("ASAN_OPTIONS", "")
    env["ASAN_OPTIONS"] = ":".join(filter(None, [
        env["ASAN_OPTIONS"], "detect_leaks=1", "abort_on_error=0",
        "symbolize=1", "allocator_may_return_null=1"]))
    env["UBSAN_OPTIONS"] = ":".join(filter(None, [
        env.get("UBSAN_OPTIONS", ""), "print_stacktrace=1", "halt_on_error=1",
        "symbolize=1"]))
    if extra:
        env.update(extra)
    return env


def now() -> float:
    return time.monotonic()
