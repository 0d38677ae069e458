#!/usr/bin/env python3
"""Lists every mtty_fuzzer and the C++ sources it links, read from the BUILD
files, for builds without Bazel (tools/oss_fuzz_build.sh: OSS-Fuzz and
ClusterFuzzLite images have no Bazel 4).

  python3 tools/oss_fuzz_targets.py [REPO_ROOT]
  -> one line per fuzzer: NAME<TAB>FOLDER<TAB>SRC SRC ...
     (paths relative to the root; FOLDER is the package that declares the
     fuzzer, whose regressions/ holds its reproducers)

BUILD files are Starlark, which Python's parser reads. Only what the
fuzzers' dependency graphs use is understood: cc_library / cc_binary /
mtty_fuzzer calls whose `srcs` and `deps` are lists of strings, names of
top-level lists of strings, or sums of those, and fuzzer_package calls
(fuzz/fuzz.bzl: the :harness library over harness.cc with `deps`, and the
fuzzer over fuzzer.cc and :harness); every other call (tests,
filegroups, comprehensions, selects) is skipped. Dependencies outside
this repository (`@...`) are an error: a fuzzer must link nothing but our
code and the fuzzing engine.
"""

import ast
import os
import sys
from typing import Dict, List, Optional, Tuple

RULES = ("cc_library", "cc_binary", "mtty_fuzzer", "fuzzer_package")


def _literal_strings(node: ast.AST, env: Optional[Dict[str, List[str]]] = None
                     ) -> Optional[List[str]]:
    """A list of strings from literals, names of top-level lists, and +."""
    env = env or {}
    if isinstance(node, ast.Name):
        return list(env[node.id]) if node.id in env else None
    if isinstance(node, (ast.List, ast.Tuple)):
        out = []
        for elt in node.elts:
            if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                out.append(elt.value)
            else:
                return None
        return out
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        a, b = _literal_strings(node.left, env), _literal_strings(node.right, env)
        if a is not None and b is not None:
            return a + b
    return None


def parse_build(text: str, filename: str = "BUILD.bazel") -> Dict[str, dict]:
    """name -> {"kind", "srcs", "deps"} for the rules we understand."""
    rules: Dict[str, dict] = {}
    tree = ast.parse(text, filename)
    env: Dict[str, List[str]] = {}  # top-level `NAME = [...]` lists
    for stmt in tree.body:
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and
                isinstance(stmt.targets[0], ast.Name)):
            value = _literal_strings(stmt.value, env)
            if value is not None:
                env[stmt.targets[0].id] = value
            continue
        if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
            continue
        call = stmt.value
        if not isinstance(call.func, ast.Name) or call.func.id not in RULES:
            continue
        kw = {k.arg: k.value for k in call.keywords if k.arg}
        name = kw.get("name")
        if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            continue
        srcs = _literal_strings(kw["srcs"], env) if "srcs" in kw else []
        deps = _literal_strings(kw["deps"], env) if "deps" in kw else []
        # None (not literal) is an error only if a fuzzer needs the rule.
        if call.func.id == "fuzzer_package":
            rules["harness"] = {"kind": "cc_library", "srcs": ["harness.cc"], "deps": deps}
            rules[name.value] = {"kind": "mtty_fuzzer", "srcs": ["fuzzer.cc"],
                                 "deps": [":harness"]}
            continue
        rules[name.value] = {"kind": call.func.id, "srcs": srcs, "deps": deps}
    return rules


def split_label(label: str, pkg: str) -> Tuple[str, str]:
    if label.startswith("@"):
        raise ValueError(f"external dependency {label} (from //{pkg})")
    if label.startswith(":"):
        return pkg, label[1:]
    if label.startswith("//"):
        body = label[2:]
        if ":" in body:
            p, n = body.split(":", 1)
            return p, n
        return body, body.rsplit("/", 1)[-1]
    return pkg, label  # bare name


class Repo:
    def __init__(self, root: str):
        self.root = root
        self._pkgs: Dict[str, Dict[str, dict]] = {}

    def package(self, pkg: str) -> Dict[str, dict]:
        if pkg not in self._pkgs:
            for fname in ("BUILD.bazel", "BUILD"):
                path = os.path.join(self.root, pkg, fname)
                if os.path.isfile(path):
                    with open(path) as f:
                        self._pkgs[pkg] = parse_build(f.read(), path)
                    break
            else:
                raise ValueError(f"no BUILD file in {pkg or '.'}")
        return self._pkgs[pkg]

    def sources(self, pkg: str, name: str, seen=None) -> List[str]:
        """Transitive .cc/.c sources of //pkg:name, dependencies first."""
        seen = set() if seen is None else seen
        key = (pkg, name)
        if key in seen:
            return []
        seen.add(key)
        rule = self.package(pkg).get(name)
        if rule is None:
            raise ValueError(f"//{pkg}:{name} is not a cc_library/cc_binary this tool reads")
        if rule["srcs"] is None or rule["deps"] is None:
            raise ValueError(f"//{pkg}:{name}: srcs and deps must be literal lists")
        out: List[str] = []
        for dep in rule["deps"]:
            dp, dn = split_label(dep, pkg)
            for s in self.sources(dp, dn, seen):
                if s not in out:
                    out.append(s)
        for s in rule["srcs"]:
            if s.endswith((".cc", ".c", ".cpp")):
                path = os.path.join(pkg, s) if pkg else s
                if path not in out:
                    out.append(path)
        return out

    def fuzzers(self) -> List[Tuple[str, str, List[str]]]:
        found = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames
                                 if not d.startswith((".", "bazel-")) and d != "third_party")
            if "BUILD.bazel" not in filenames and "BUILD" not in filenames:
                continue
            pkg = os.path.relpath(dirpath, self.root)
            pkg = "" if pkg == "." else pkg
            try:
                rules = self.package(pkg)
            except (SyntaxError, ValueError):
                continue  # not a package with fuzzers we can read
            for name, rule in sorted(rules.items()):
                if rule["kind"] == "mtty_fuzzer":
                    found.append((name, pkg, self.sources(pkg, name)))
        return found


def main(argv: List[str]) -> int:
    root = os.path.abspath(argv[0] if argv else
                           os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        for name, pkg, srcs in Repo(root).fuzzers():
            print(name + "\t" + pkg + "\t" + " ".join(srcs))
    except ValueError as e:
        print(f"oss_fuzz_targets: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
