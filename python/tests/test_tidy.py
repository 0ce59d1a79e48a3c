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
        if Path(f).suffix in CXX_SUFFIXES and Path(f) not in GENERATED
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
