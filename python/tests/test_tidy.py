"""Tidy checks, written as tests: Python lint, format and types, C++ format.

(Rust's `cargo fmt --check` and `cargo clippy -D warnings` run in `cargo xtask test`.)
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from bridgebench.spec import ROOT

CXX_SUFFIXES = {".cpp", ".cc", ".hpp", ".h"}
# cbindgen writes this header; its style is cbindgen's (a test in crates/c-abi keeps it fresh).
GENERATED = {Path("crates/c-abi/include/bb_c_abi.h")}
# The seed article's examples, kept as the article wrote them (cpp/seed/CMakeLists.txt).
SEED = Path("cpp/seed")


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(Path(sys.executable).parent))
    assert path, f"{name} is not in the venv: run `cargo xtask setup`"
    return path


def _tracked(*patterns: str) -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [line for line in out.stdout.splitlines() if line]


def test_ruff_lint_and_format() -> None:
    ruff = _tool("ruff")
    for argv in ([ruff, "check", "python"], [ruff, "format", "--check", "python"]):
        proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
        assert proc.returncode == 0, (
            f"{' '.join(argv[1:])} (fix: ruff format python):\n{proc.stdout}"
        )


def test_mypy() -> None:
    proc = subprocess.run(
        [_tool("mypy"), "bridgebench", "tests"], cwd=ROOT / "python", capture_output=True, text=True
    )
    assert proc.returncode == 0, f"mypy:\n{proc.stdout[-3000:]}"


def test_cxx_is_clang_formatted() -> None:
    files = [
        f
        for f in _tracked("cpp", "crates")
        if Path(f).suffix in CXX_SUFFIXES
        and Path(f) not in GENERATED
        and not Path(f).is_relative_to(SEED)
    ]
    assert files, "no C++ files found: is this a git checkout?"
    proc = subprocess.run(
        [_tool("clang-format"), "--dry-run", "-Werror", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, f"clang-format -i <file> fixes:\n{proc.stderr[-3000:]}"


def _imported(path: Path) -> set[str]:
    """Every module a Python file imports, by its full dotted name."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_only_the_command_line_imports_command_modules() -> None:
    # A command is a user's entry point; what two of them share (the compare rule, the
    # gate's counting) lives in a module of its own that the report can use too.
    package = ROOT / "python" / "bridgebench"
    commands = {f"bridgebench.commands.{p.stem}" for p in (package / "commands").glob("*.py")}
    offenders = {
        str(path.relative_to(package)): sorted(_imported(path) & commands)
        for path in package.rglob("*.py")
        if path.name != "__main__.py" and _imported(path) & commands
    }
    assert offenders == {}, f"modules importing a command module: {offenders}"


def test_every_kernel_has_its_test_file() -> None:
    """A kernel's tests live in python/tests/kernels/test_<kernel>.py (its vectors, its
    differential checks against the reference): one file per spec in benches/kernels/,
    and no file for a kernel that is gone."""
    from bridgebench import spec

    tests = ROOT / "python" / "tests" / "kernels"
    have = {p.stem.removeprefix("test_") for p in tests.glob("test_*.py")}
    missing = sorted(f"python/tests/kernels/test_{k}.py" for k in set(spec.kernels()) - have)
    stale = sorted(f"python/tests/kernels/test_{k}.py" for k in have - set(spec.kernels()))
    assert not missing, f"kernels without their tests: add {missing}"
    assert not stale, f"tests of no kernel in benches/kernels/: {stale}"


def test_no_harness_module_names_a_kernel_or_a_cell() -> None:
    """A kernel lives in its spec and its module under bridgebench/kernels/; the harness,
    counts, results, report and commands find it by name (README, "Adding a kernel").
    Bridges implement kernels and are exempt, as are the seed article's examples (measured
    code too); comments and docstrings may cite examples."""
    from bridgebench import spec

    names = set(spec.kernels()) | set(spec.cells())
    package = ROOT / "python" / "bridgebench"
    found = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package)
        if rel.parts[0] in ("kernels", "bridges", "seed"):  # seed: measured code, as bridges
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and (node.value in names or node.value.split(".")[0] in spec.kernels())
            ):
                found.append(f"python/bridgebench/{rel}:{node.lineno}: {node.value!r}")
    assert not found, "kernel or cell names outside bridgebench/kernels/:\n" + "\n".join(found)
