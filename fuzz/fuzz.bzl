"""mtty_fuzzer: declare a fuzzer once, get every build of it.

In the spirit of bazelbuild/rules_fuzzing (which cannot be downloaded here).
A fuzzer is a folder, fuzz/<name>/: its input decoder, harness and oracles
(`:harness`), its LLVMFuzzerTestOneInput (fuzzer.cc), its oracle tests, its
seeds (`:seeds`, registered for make_seeds), a README and its crash
reproducers (regressions/) and its default libFuzzer flags (<name>.options,
which belong to the input format: -max_len is what the decoder reads). Its
seeds and dictionary are in corpus/<name>/ and corpus/<name>.dict. `fuzzer_package(name = "bar_access", deps = [...])`
in the folder's BUILD defines those from the conventional file names, and
its `mtty_fuzzer(name = "bar_access", srcs = ["fuzzer.cc"], deps =
[":harness"])` defines:

  :<name>            `bazel run` launcher: fuzzes a writable copy of
                     corpus/<name>/ with corpus/<name>.dict and the flags of
                     the folder's <name>.options, passes libFuzzer flags
                     through, writes crashes to an artifacts directory.
  :<name>_bin        the instrumented binary. Its whole dependency graph (not
                     only the harness) is built with ASan + UBSan and
                     -fsanitize=fuzzer-no-link through a configuration
                     transition, so `bazel test //core/...` stays plain.
                     Under --config=tsan the sanitizer is TSan instead; under
                     --config=afl the engine is AFL++'s driver.
  :<name>_launcher_test  runs the launcher as `bazel run` does, once, and
                     checks the fuzzer got its options and dictionary.
  :<name>_regression a test replaying every seed and every checked-in crash
                     reproducer (corpus/<name>/, corpus/<name>.generated/,
                     the folder's regressions/) under the same sanitizers.
                     Part of `bazel test //...`.
  :regressions       every file under the folder's regressions/.

`fuzzer_folder("bar_access")` in fuzz/BUILD.bazel makes //fuzz:bar_access
and //fuzz:bar_access_bin aliases of those (a target //fuzz:bar_access
itself would write bazel-bin/fuzz/bar_access, the folder's own output
directory), and gathers the folder's tests. `seed_tools` and
`package_tests`, after the fuzzer_folder lines in fuzz/BUILD.bazel, link
every folder's :seeds into make_seeds and seeds_test and collect every test:
a new fuzzer is its folder (files named as above, <name>.options and a
BUILD calling fuzzer_package), its corpus/<name>.dict and one
fuzzer_folder line.

`trace_seeds` builds corpus/<name>.generated/: seeds derived from the
conformance traces at build time, so they never go stale.
"""

_SAN_COPTS = [
    # Fuzzing speed: fastbuild's -O0 halves the exec rate; -O1 keeps
    # sanitizer reports precise (OSS-Fuzz builds with -O1 too).
    "-O1",
    "-fsanitize=address,undefined",
    "-fno-sanitize-recover=all",
    "-fno-omit-frame-pointer",
    "-g",
]
_SAN_LINKOPTS = [
    "-fsanitize=address,undefined",
    "-fsanitize-link-c++-runtime",
]

def _engine_impl(ctx):
    return []

fuzzing_engine = rule(
    implementation = _engine_impl,
    build_setting = config.string(flag = True),
    doc = "Fuzzing engine: libfuzzer (default), afl, or none (replay-only main, any compiler).",
)

def _fuzz_transition_impl(settings, attr):
    copts = list(settings["//command_line_option:copt"])
    linkopts = list(settings["//command_line_option:linkopt"])
    engine = settings["//fuzz:engine"]
    if engine == "none":
        # A plain build (e.g. --config=gcc): no sanitizer, no coverage
        # instrumentation; the harness links //fuzz:standalone_main, which
        # replays the files and directories it is given.
        return {
            "//command_line_option:copt": copts,
            "//command_line_option:linkopt": linkopts,
        }
    if "-DMTTY_FUZZ_BUILD" in copts:
        return {
            "//command_line_option:copt": copts,
            "//command_line_option:linkopt": linkopts,
        }
    joined = " ".join(copts)
    if "-fsanitize=thread" not in joined and "-fsanitize=address" not in joined:
        copts += _SAN_COPTS
        linkopts += _SAN_LINKOPTS
    if engine == "afl":
        # afl-clang-fast instruments with its own pass and links its runtime.
        # It would also swap -fsanitize=fuzzer for its driver, but Bazel hands
        # link flags over in a @params file it does not look into, so clang
        # would link libFuzzer next to AFL's runtime (duplicate
        # __sanitizer_cov_* symbols). Link AFL++'s driver by path instead.
        linkopts += ["/usr/lib/afl/libAFLDriver.a"]
    else:
        copts += ["-fsanitize=fuzzer-no-link"]
        linkopts += ["-fsanitize=fuzzer"]
    copts += ["-DMTTY_FUZZ_BUILD"]
    return {
        "//command_line_option:copt": copts,
        "//command_line_option:linkopt": linkopts,
    }

_fuzz_transition = transition(
    implementation = _fuzz_transition_impl,
    inputs = [
        "//command_line_option:copt",
        "//command_line_option:linkopt",
        "//fuzz:engine",
    ],
    outputs = [
        "//command_line_option:copt",
        "//command_line_option:linkopt",
    ],
)

def _instrumented_binary_impl(ctx):
    target = ctx.attr.binary[0]
    src = target[DefaultInfo].files_to_run.executable
    out = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.symlink(output = out, target_file = src, is_executable = True)
    runfiles = ctx.runfiles(files = [src]).merge(target[DefaultInfo].default_runfiles)
    return [DefaultInfo(files = depset([out]), executable = out, runfiles = runfiles)]

instrumented_binary = rule(
    implementation = _instrumented_binary_impl,
    attrs = {
        "binary": attr.label(cfg = _fuzz_transition, executable = True, mandatory = True),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
    executable = True,
)

def _regression_test_impl(ctx):
    binary = ctx.executable.binary
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(
        output = script,
        is_executable = True,
        content = "\n".join([
            "#!/usr/bin/env bash",
            "# Replays every seed and regression input; any sanitizer report or",
            "# oracle failure fails the test.",
            "set -euo pipefail",
            "inputs=()",
            "for d in {dirs}; do [[ -d \"$d\" ]] && inputs+=(\"$d\"); done",
            "export ASAN_OPTIONS=\"${{ASAN_OPTIONS:-}}:detect_leaks=1\"",
            "if [[ ${{#inputs[@]}} -eq 0 ]]; then echo 'no inputs to replay' >&2; exit 1; fi",
            "exec {bin} -runs=0 \"${{inputs[@]}}\"",
            "",
        ]).format(
            bin = binary.short_path,
            dirs = " ".join(ctx.attr.input_dirs),
        ),
    )
    runfiles = ctx.runfiles(files = [binary] + ctx.files.data).merge(
        ctx.attr.binary[DefaultInfo].default_runfiles,
    )
    return [DefaultInfo(executable = script, runfiles = runfiles)]

regression_test = rule(
    implementation = _regression_test_impl,
    attrs = {
        "binary": attr.label(executable = True, cfg = "target", mandatory = True),
        "data": attr.label_list(allow_files = True),
        "input_dirs": attr.string_list(),
    },
    test = True,
)

def _trace_seeds_impl(ctx):
    out = ctx.actions.declare_directory(ctx.label.name)
    traces = ctx.files.traces
    if ctx.attr.copy:
        ctx.actions.run_shell(
            inputs = traces,
            outputs = [out],
            command = 'out=$1; shift; mkdir -p "$out"; cp "$@" "$out"/',
            arguments = [out.path] + [t.path for t in traces],
            mnemonic = "TraceSeeds",
            progress_message = "Copying traces into %s" % out.short_path,
        )
    else:
        ctx.actions.run(
            executable = ctx.executable.tool,
            inputs = traces,
            outputs = [out],
            arguments = [out.path] + [t.path for t in traces],
            mnemonic = "TraceSeeds",
            progress_message = "Translating traces into %s" % out.short_path,
        )
    return [DefaultInfo(
        files = depset([out]),
        runfiles = ctx.runfiles(files = [out]),
    )]

trace_seeds = rule(
    implementation = _trace_seeds_impl,
    doc = """Seeds generated from conformance traces at build time, in the
    directory corpus/<fuzzer>.generated/ that the launcher and the
    regression test read next to corpus/<fuzzer>/. With copy = True the
    traces themselves; else `tool OUT_DIR TRACE...` writes them.""",
    attrs = {
        "traces": attr.label_list(allow_files = [".trace"]),
        "copy": attr.bool(default = False),
        "tool": attr.label(executable = True, cfg = "exec"),
    },
)

def mtty_fuzzer(name, srcs, deps = [], tags = [], corpus = None, regression = True, **kwargs):
    """One fuzzer, all its builds. See the module docstring.

    `corpus` names the corpus/<corpus>/ folder and dictionary when the
    fuzzer shares another's input format (default: its own name); such a
    fuzzer takes the default flags of fuzz/<corpus>/<corpus>.options, since
    they belong to that format. Otherwise they are <name>.options in this
    package, which every fuzzer has.
    `regression = False` leaves the replay test to the caller (the `_kernel`
    targets use kernel_regression_test, and keep their reproducers in
    fuzz/kernel/regressions/).

    Every generated target is tagged "fuzzer". With --//fuzz:engine=none
    (set by --config=gcc) the binaries are plain replay programs built by any
    compiler; --config=gcc still skips running them as tests.
    """
    native.cc_binary(
        name = name + "_harness",
        srcs = srcs,
        deps = deps + select({
            "//fuzz:engine_none": ["//fuzz:standalone_main"],
            "//conditions:default": [],
        }),
        tags = tags + ["manual"],
        visibility = ["//visibility:private"],
        **kwargs
    )
    instrumented_binary(
        name = name + "_bin",
        binary = ":" + name + "_harness",
        tags = tags + ["fuzzer"],
    )
    if corpus:
        options = "//fuzz/%s:%s.options" % (corpus, corpus)
    else:
        corpus = name
        options = name + ".options"
        if not native.glob([options], allow_empty = True):
            fail("mtty_fuzzer %s needs %s/%s: its default libFuzzer flags, one per line, at least -max_len" %
                 (name, native.package_name(), options))
        native.exports_files([options])
    launch_data = [":" + name + "_bin", "//corpus:" + corpus, options]
    launch_args = [name, "$(rootpath :%s_bin)" % name, corpus, "$(rootpath %s)" % options]
    native.sh_binary(
        name = name,
        srcs = ["//fuzz:run_fuzzer.sh"],
        data = launch_data,
        args = launch_args,
        tags = tags + ["fuzzer"],
    )
    native.sh_test(
        name = name + "_launcher_test",
        size = "small",
        srcs = ["//fuzz:launcher_test.sh"],
        data = ["//fuzz:run_fuzzer.sh"] + launch_data,
        args = ["$(rootpath //fuzz:run_fuzzer.sh)"] + launch_args,
        tags = tags + ["fuzzer"],
    )
    if not regression:
        return
    native.filegroup(
        name = "regressions",
        srcs = native.glob(["regressions/**"], allow_empty = True),
    )
    regression_test(
        name = name + "_regression",
        binary = ":" + name + "_bin",
        data = ["//corpus:" + corpus, ":regressions"],
        input_dirs = [
            "corpus/" + corpus,
            "corpus/" + corpus + ".generated",
            native.package_name() + "/regressions",
        ],
        size = "medium",
        tags = tags + ["fuzzer"],
    )

def fuzzer_package(name, deps, extra_deps = []):
    """Every target of the fuzzer folder fuzz/<name>/, from its conventional
    files: :harness (harness.cc, harness.h and ops.h where present, with
    `deps`), the mtty_fuzzer targets over fuzzer.cc, :harness_test
    (harness_test.cc) and :seeds (seeds.cc, alwayslink so that it
    registers). `extra_deps` are what the test and the seeds use directly
    besides the harness."""
    native.cc_library(
        name = "harness",
        srcs = ["harness.cc"],
        hdrs = native.glob(["harness.h", "ops.h"]),
        deps = deps,
    )
    mtty_fuzzer(
        name = name,
        srcs = ["fuzzer.cc"],
        deps = [":harness"],
    )
    native.cc_test(
        name = "harness_test",
        size = "small",
        srcs = ["harness_test.cc"],
        deps = [":harness"] + extra_deps + ["@com_google_googletest//:gtest_main"],
    )
    native.cc_library(
        name = "seeds",
        srcs = ["seeds.cc"],
        deps = [":harness", "//fuzz:seeds_registry"] + extra_deps,
        alwayslink = True,
    )

def fuzzer_folder(name):
    """In fuzz/BUILD.bazel: the fuzzer in fuzz/<name>/ under its short names
    (//fuzz:<name>, //fuzz:<name>_bin), its seeds for seed_tools
    (<name>_seeds) and its tests for package_tests (<name>_tests)."""
    folder = "//fuzz/" + name
    native.alias(name = name, actual = folder + ":" + name)
    native.alias(name = name + "_bin", actual = folder + ":" + name + "_bin")
    native.alias(name = name + "_seeds", actual = folder + ":seeds")
    native.test_suite(
        name = name + "_tests",
        tests = [
            folder + ":harness_test",
            folder + ":" + name + "_launcher_test",
            folder + ":" + name + "_regression",
        ],
    )

def seed_tools():
    """:make_seeds and :seeds_test over every fuzzer_folder above: each
    `<name>_seeds` alias names a fuzz/<name>:seeds library, linked in so that
    it registers its seeds."""
    seeds = sorted([
        ":" + r["name"]
        for r in native.existing_rules().values()
        if r["kind"] == "alias" and r["name"].endswith("_seeds")
    ])

    # bazel run //fuzz:make_seeds   rewrites corpus/<fuzzer>/<seed> in the
    # tree for every fuzzer folder.
    native.cc_binary(
        name = "make_seeds",
        srcs = ["make_seeds.cc"],
        deps = [":seeds_registry"] + seeds,
    )

    # The checked-in seeds are what make_seeds writes, and none is a finding.
    native.cc_test(
        name = "seeds_test",
        size = "small",
        srcs = ["seeds_test.cc"],
        data = [
            "//conformance:traces",
            "//corpus:all",
        ],
        deps = [
            ":seeds_registry",
            "//fuzz/bar_access:trace_to_seed",
            "@com_google_googletest//:gtest_main",
        ] + seeds,
    )

def _kernel_regression_test_impl(ctx):
    binary = ctx.executable.binary
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(
        output = script,
        is_executable = True,
        content = "\n".join([
            "#!/usr/bin/env bash",
            "# 1. Every seed of the shared corpus, hunting nothing: the real sample",
            "#    and our kernel profile must agree (no unexplained difference).",
            "# 2. Every reproducer <defect>[.<n>] in the regressions folder, hunting",
            "#    that defect only: the run must fail and name the defect and",
            "#    samples/vfio-mdev/mtty.c:LINE.",
            "set -uo pipefail",
            "export MTTY_KERNEL_QUIET=1",
            "export ASAN_OPTIONS=\"${{ASAN_OPTIONS:-}}:detect_leaks=1\"",
            "seeds=()",
            "for d in {seed_dirs}; do [[ -d \"$d\" ]] && seeds+=(\"$d\"); done",
            "if [[ ${{#seeds[@]}} -eq 0 ]]; then echo 'no seeds to replay' >&2; exit 1; fi",
            "MTTY_KERNEL_HUNT=none {bin} -runs=0 \"${{seeds[@]}}\" || {{ echo 'FAIL: a seed shows an unexplained difference (above)' >&2; exit 1; }}",
            "n=0",
            "for f in {reg_dir}/*; do",
            "  [[ -f \"$f\" ]] || continue",
            "  defect=$(basename \"$f\"); defect=${{defect%%.*}}",
            "  log=$(MTTY_KERNEL_HUNT=$defect {bin} \"$f\" 2>&1) && {{ echo \"FAIL: $f: no finding with MTTY_KERNEL_HUNT=$defect\" >&2; exit 1; }}",
            "  if ! grep -q -- \"$defect\" <<<\"$log\" || ! grep -q 'samples/vfio-mdev/mtty.c:[0-9]' <<<\"$log\"; then",
            "    echo \"$log\" >&2; echo \"FAIL: $f: the report does not name $defect at samples/vfio-mdev/mtty.c:LINE\" >&2; exit 1",
            "  fi",
            "  echo \"ok: $f reproduces $defect: $(grep -m1 -o 'samples/vfio-mdev/mtty.c:[0-9]*' <<<\"$log\")\"",
            "  n=$((n + 1))",
            "done",
            "echo \"replayed ${{#seeds[@]}} seed folder(s) and $n defect reproducer(s)\"",
            "",
        ]).format(
            bin = binary.short_path,
            seed_dirs = " ".join(ctx.attr.seed_dirs),
            reg_dir = ctx.attr.regression_dir,
        ),
    )
    runfiles = ctx.runfiles(files = [binary] + ctx.files.data).merge(
        ctx.attr.binary[DefaultInfo].default_runfiles,
    )
    return [DefaultInfo(executable = script, runfiles = runfiles)]

kernel_regression_test = rule(
    implementation = _kernel_regression_test_impl,
    doc = "The `_kernel` targets' replay: seeds agree, reproducers find their defect.",
    attrs = {
        "binary": attr.label(executable = True, cfg = "target", mandatory = True),
        "data": attr.label_list(allow_files = True),
        "seed_dirs": attr.string_list(),
        "regression_dir": attr.string(),
    },
    test = True,
)

def mtty_kernel_fuzzer(name, corpus, tags = []):
    """`<corpus>_kernel`: the fuzzer `corpus`'s input format driving the real
    Linux 6.1 sample in lockstep with our kernel profile (fuzz/kernel/)."""
    mtty_fuzzer(
        name = name,
        srcs = [],
        deps = ["//fuzz/kernel:" + name + "_entry"],
        tags = tags,
        corpus = corpus,
        regression = False,
    )
    kernel_regression_test(
        name = name + "_regression",
        binary = ":" + name + "_bin",
        data = ["//corpus:" + corpus, "//fuzz/kernel:regressions"],
        seed_dirs = [
            "corpus/" + corpus,
            "corpus/" + corpus + ".generated",
        ],
        regression_dir = "fuzz/kernel/regressions/" + name,
        size = "medium",
        tags = tags + ["fuzzer"],
    )

def package_tests(name, extra = [], **kwargs):
    """A test_suite of every test rule and every fuzzer_folder's tests
    declared above it in this package, plus `extra` (other suites). Call it
    last in the BUILD file so a new fuzzer's regression and oracle tests join
    the suite without a list to keep up to date."""
    tests = sorted([
        ":" + r["name"]
        for r in native.existing_rules().values()
        if r["kind"].endswith("_test") or r["kind"] == "_regression_test" or
           (r["kind"] == "test_suite" and r["name"].endswith("_tests"))
    ])
    native.test_suite(name = name, tests = tests + extra, **kwargs)
