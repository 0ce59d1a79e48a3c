"""The shared kernel spec (benches/kernels/*.toml) and bridge registry (benches/bridges.toml).

Everything on the Python side — tests, the harness, the results table — reads bridges
and kernels from here, so adding a bridge or a kernel is one declared entry.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from bridgebench.compat import tomllib


def _root() -> Path:
    """The tree, two folders above this package, as the package's path names it: not
    resolved, since a count child reaches the tree through a link of fixed length. A count
    child imports the package through a link to it alone (harness/counts.py); then the
    link's target names the tree."""
    package = os.path.dirname(os.path.abspath(__file__))
    if os.path.islink(package):
        package = os.readlink(package)
    return Path(package).parent.parent


ROOT = _root()
# cargo's output folder: CARGO_TARGET_DIR when set (`cargo xtask --python X.Y` builds each
# interpreter's bridges into a folder of its own), else the workspace's target/.
TARGET = Path(os.path.abspath(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target"))
KERNELS_DIR = ROOT / "benches" / "kernels"
REGISTRY = ROOT / "benches" / "bridges.toml"


@dataclass(frozen=True)
class Cell:
    """One way of calling a kernel: `scale.buffer` is kernel `scale`, strategy `buffer`."""

    name: str
    kernel: str
    function: str
    strategy: str
    method: str | None = None  # a method of what `function` returns (holder.text: Holder.text)
    stand_in: str | None = None  # the cell in its place for a bridge that lacks this one
    # Checked against pyperf by `pyperf-check`: True for a cell without sizes, else the size.
    pyperf_check: bool | int = False

    @property
    def sized(self) -> bool:
        """Measured over a sweep of input sizes (its kernel's [bench] `sizes`), or not."""
        return "sizes" in kernels()[self.kernel].get("bench", {})


@dataclass(frozen=True)
class Bridge:
    name: str
    side: str
    tool: str
    version: str
    module: str
    cells: tuple[str, ...]
    build: str | None = None
    floor: bool = False  # every other bridge of its side is divided by it (its ratios)
    code: tuple[str, ...] = ()
    na: dict[str, str] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)
    # [bridge.python]: the CPython versions it is built for (a specifier), a system library
    # it needs for the interpreter ("boost_python{major}{minor}"), and why no other.
    python: str | None = None
    python_library: str | None = None
    python_reason: str = ""
    stable_abi_of: str | None = None  # the bridge whose source it builds for the stable ABI
    # [bridge.threads]: the cells whose call lets other Python threads run (the GIL is
    # released), what 8 threads scaling one shared buffer in place get ("exact", or the
    # declared "races: why" / "crash: why"), and why the tool or binding chooses so.
    releases_gil: tuple[str, ...] = ()
    shared_buffer: str = "exact"
    threads_reason: str = ""

    def import_module(self) -> ModuleType:
        """Import the bridge's module, or explain how to build it."""
        return _import("bridge", self.name, self.module, self.build)

    def built_for(self, version: tuple[int, int] | None = None) -> bool:
        """Whether it is built for CPython `version` (default: the running one)."""
        return self.not_built_reason(version) is None

    def not_built_reason(self, version: tuple[int, int] | None = None) -> str | None:
        """Why it is not built for CPython `version` (default: the running one), or None."""
        major, minor = version or sys.version_info[:2]
        missing = []
        if self.python is not None:
            from packaging.specifiers import SpecifierSet  # only for a bridge that needs it

            if not SpecifierSet(self.python).contains(f"{major}.{minor}"):
                missing.append(f"it needs CPython {self.python}")
        if self.python_library is not None:
            library = self.python_library.format(major=major, minor=minor)
            if not _system_library(library):
                missing.append(f"no lib{library} on this system")
        if not missing:
            return None
        return f"not built for CPython {major}.{minor} ({'; '.join(missing)}): {self.python_reason}"


@dataclass(frozen=True)
class Example:
    """Code measured beside a bridge's cells but outside the contract: an [[example]] of
    the registry (the seed article's examples). For each cell in `calls`, a function of
    its `module` makes the call measured (cell -> the function's name, called as
    `fn(cell, n, inputs)` -> bridgebench.kernels.Call, on the kernel's inputs), and each
    sample of it is paired with a sample of the `beside` bridge's call of the same cell."""

    name: str
    tool: str
    module: str
    beside: str  # a Python-side bridge covering every cell in `calls`
    calls: dict[str, str]
    build: str | None = None
    code: tuple[str, ...] = ()
    side: str = "python"

    @property
    def cells(self) -> tuple[str, ...]:
        return tuple(self.calls)

    def import_module(self) -> ModuleType:
        """Import the example's module, or explain how to build it."""
        return _import("example", self.name, self.module, self.build)


# What the harness measures: a registered bridge, or an example beside one.
Subject = Bridge | Example


def _import(kind: str, name: str, module: str, build: str | None) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        how = f"`cargo xtask build` (build step `{build}`)" if build else "nothing"
        raise ImportError(
            f"{kind} `{name}`: cannot import module `{module}` ({exc}). "
            f"It is built by {how}; see benches/bridges.toml."
        ) from exc


@cache
def _system_library(name: str) -> bool:
    """Whether the system's loader finds lib<name>.so (ldconfig's cache)."""
    import ctypes.util

    return ctypes.util.find_library(name) is not None


def _load(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        try:
            return tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: {exc}") from exc


@cache
def kernels() -> dict[str, dict[str, Any]]:
    """Every kernel spec, by name."""
    return {p.stem: _load(p) for p in sorted(KERNELS_DIR.glob("*.toml"))}


@cache
def cells() -> dict[str, Cell]:
    """Every cell of every kernel, by cell name."""
    out: dict[str, Cell] = {}
    for kernel, data in kernels().items():
        for name, cell in data["cells"].items():
            out[name] = Cell(
                name,
                kernel,
                cell["function"],
                cell["strategy"],
                cell.get("method"),
                cell.get("stand_in"),
                cell.get("pyperf_check", False),
            )
    return out


@cache
def bridges() -> tuple[Bridge, ...]:
    """Every registered bridge, in registry order."""
    data = _load(REGISTRY)
    shared: dict[str, dict[str, str]] = {}  # the [[na]] reasons, by bridge and cell
    for entry in data.get("na", []):
        for name in entry["bridges"]:
            for cell in entry["cells"]:
                shared.setdefault(name, {})[cell] = entry["reason"]
    unknown = set(shared) - {b["name"] for b in data["bridge"]}
    if unknown:
        raise ValueError(f"{REGISTRY}: an [[na]] entry names no bridge {sorted(unknown)}")
    threads = _threads(data)
    return tuple(
        Bridge(
            name=b["name"],
            side=b["side"],
            tool=b["tool"],
            version=b["version"],
            module=b["module"],
            cells=tuple(b["cells"]),
            build=b.get("build"),
            floor=bool(b.get("floor", False)),
            code=tuple(b.get("code", ())),
            na={**b.get("na", {}), **shared.get(b["name"], {})},
            outcomes=dict(b.get("outcomes", {})),
            python=b.get("python", {}).get("versions"),
            python_library=b.get("python", {}).get("library"),
            stable_abi_of=b.get("stable_abi_of"),
            python_reason=b.get("python", {}).get("reason", ""),
            **_threads_fields(b, threads.get(b["name"], {})),
        )
        for b in data["bridge"]
    )


def _threads(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The [[threads]] declarations, by bridge; a bridge named twice is an error."""
    out: dict[str, dict[str, Any]] = {}
    for entry in data.get("threads", []):
        for name in entry["bridges"]:
            if name in out:
                raise ValueError(f"{REGISTRY}: bridge {name!r} is in two [[threads]] entries")
            out[name] = {k: v for k, v in entry.items() if k != "bridges"}
    unknown = set(out) - {b["name"] for b in data["bridge"]}
    if unknown:
        raise ValueError(f"{REGISTRY}: a [[threads]] entry names no bridge {sorted(unknown)}")
    return out


def _threads_fields(b: dict[str, Any], shared: dict[str, Any]) -> dict[str, Any]:
    """Bridge's thread fields from its [bridge.threads] or its [[threads]] entry."""
    own = b.get("threads")
    if own is not None and shared:
        raise ValueError(
            f"{REGISTRY}: bridge {b['name']!r} has both [bridge.threads] and a [[threads]] "
            "entry; keep one"
        )
    declared = own or shared
    unknown = set(declared) - {"releases_gil", "shared_buffer", "reason"}
    releases = declared.get("releases_gil", [])
    if unknown or (isinstance(releases, str) and releases != "all"):
        raise ValueError(
            f"{REGISTRY}: bridge {b['name']!r}'s thread declaration: unknown fields "
            f'{sorted(unknown)} or releases_gil {releases!r} neither "all" nor a list of '
            "cells (see the header's [bridge.threads])"
        )
    return {
        "releases_gil": tuple(b["cells"]) if releases == "all" else tuple(releases),
        "shared_buffer": declared.get("shared_buffer", "exact"),
        "threads_reason": declared.get("reason", ""),
    }


@cache
def examples() -> tuple[Example, ...]:
    """Every [[example]] of the registry, in registry order (python/tests/test_registry.py
    checks that each `beside` bridge covers its cells)."""
    return tuple(
        Example(
            name=e["name"],
            tool=e["tool"],
            module=e["module"],
            beside=e["beside"],
            calls=dict(e["cells"]),
            build=e.get("build"),
            code=tuple(e.get("code", ())),
        )
        for e in _load(REGISTRY).get("example", [])
    )


def measured(name: str) -> Subject:
    """A bridge or an example, by name: what the timing and count runs are given."""
    for b in bridges():
        if b.name == name:
            return b
    for example in examples():
        if example.name == name:
            return example
    raise KeyError(f"no bridge or example named {name!r} in {REGISTRY}")


def paired_with(subject: Subject, cell: str) -> tuple[Bridge, str] | None:
    """The bridge and cell whose call each sample of `subject`'s `cell` is paired with,
    and its ratio taken to: an example's `beside` bridge, the same cell; a bridge's side's
    floor, floor_cell; None for the floor itself or a cell the floor has no stand-in for."""
    if isinstance(subject, Example):
        return bridge(subject.beside), cell
    side_floor = floor(subject.side)
    to = floor_cell(subject.side, cell) if subject != side_floor else None
    return (side_floor, to) if to is not None else None


@cache
def build_steps() -> dict[str, dict[str, Any]]:
    return dict(_load(REGISTRY).get("build", {}))


def python_bridges() -> tuple[Bridge, ...]:
    """The Python-side bridges built for the running interpreter (its [bridge.python])."""
    return tuple(b for b in bridges() if b.side == "python" and b.built_for())


def bridge(name: str) -> Bridge:
    for b in bridges():
        if b.name == name:
            return b
    raise KeyError(f"no bridge named {name!r} in {REGISTRY}")


def reference() -> Bridge:
    return bridge("python")


def floor(side: str) -> Bridge:
    """The bridge of `side` that the registry marks `floor = true`."""
    found = [b for b in bridges() if b.side == side and b.floor]
    if len(found) != 1:
        raise ValueError(f"{REGISTRY}: {len(found)} bridges of side {side!r} say floor = true")
    return found[0]


def floor_cell(side: str, cell: str) -> str | None:
    """The floor's cell a bridge's `cell` is paired with and divided by, or None if it has
    none: the cell itself, else the cell's declared `stand_in` (benches/kernels/*.toml)."""
    return cell_of(floor(side), cell)


def cell_of(bridge: Bridge, cell: str) -> str | None:
    """`cell` if `bridge` has it, else the cell's `stand_in` if the bridge has that."""
    if cell in bridge.cells:
        return cell
    stand_in = cells()[cell].stand_in
    return stand_in if stand_in in bridge.cells else None


def child_env() -> dict[str, str]:
    """Environment for a child Python process that must import `bridgebench`."""
    python_dir = str(ROOT / "python")
    path = os.environ.get("PYTHONPATH")
    return dict(os.environ, PYTHONPATH=python_dir + (os.pathsep + path if path else ""))
