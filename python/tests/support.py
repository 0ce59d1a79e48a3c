"""Helpers the tests share: a kernel's cells and bridges from the registry, its spec's
vectors and errors, exact bits of any bridge's result, Hypothesis settings and inputs,
and the checks of the kernels of two int64 (add, checked_div)."""

from __future__ import annotations

import builtins
import math
import os
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wrappers
from bridgebench import spec
from bridgebench.bridges._buffers import FLOAT64_FORMATS
from bridgebench.spec import Bridge, Cell, cells, python_bridges

# The bridge every other must equal, bit for bit.
REFERENCE = spec.reference().import_module()


def python_cells() -> list[tuple[Bridge, Cell]]:
    """Every (bridge, cell) pair that a Python-side bridge covers."""
    return [(b, cells()[c]) for b in python_bridges() for c in b.cells]


def kernel_cells(kernel: str) -> list[tuple[Bridge, Cell]]:
    """Every (bridge, cell) pair of `kernel` that a Python-side bridge covers."""
    return [p for p in python_cells() if p[1].kernel == kernel]


def kernel_bridges(kernel: str) -> list[Bridge]:
    """Every Python-side bridge with a cell of `kernel` (for a kernel whose cells are
    calls on one native object: its tests are per bridge, not per cell)."""
    return [b for b in python_bridges() if any(cells()[c].kernel == kernel for c in b.cells)]


def cell_id(pair: tuple[Bridge, Cell]) -> str:
    return f"{pair[0].name}-{pair[1].name}"


def bridge_id(bridge: Bridge) -> str:
    return bridge.name


def vectors(kernel: str, table: str = "vectors") -> list[dict[str, Any]]:
    """The `[[table]]` entries of benches/kernels/<kernel>.toml (never none)."""
    found: list[dict[str, Any]] = spec.kernels()[kernel][table]
    assert found, f"benches/kernels/{kernel}.toml has no [[{table}]]"
    return found


@contextmanager
def raises_declared(kernel: str, error: str, label: str) -> Iterator[None]:
    """The block raises the kernel's `[errors.<error>]`: its Python exception, whose
    message contains the spec's `message`."""
    declared = spec.kernels()[kernel]["errors"][error]
    with pytest.raises(getattr(builtins, declared["python"])) as caught:
        yield
    assert declared["message"] in str(caught.value), f"{label}: message {caught.value!r}"


def float64_bits(result: Any, strategy: str) -> bytes:
    """The exact bytes of a scale result, after checking its type fits the strategy."""
    if strategy == "list":
        assert type(result) is list, f"scale_list must return a list, got {type(result).__name__}"
        assert all(type(x) is float for x in result), "scale_list must return floats"
        return struct.pack(f"{len(result)}d", *result)
    view = memoryview(result)
    assert view.format in FLOAT64_FORMATS, f"result buffer has format {view.format!r}, not float64"
    assert view.ndim == 1 and view.c_contiguous, "result must be a 1-D C-contiguous buffer"
    return view.tobytes()


def same_bits_nan_aware(got: bytes, want: bytes) -> bool:
    """Bit-for-bit equal float64 data, where any NaN equals any NaN (see scale.toml)."""
    a, b = np.frombuffer(got, dtype=np.float64), np.frombuffer(want, dtype=np.float64)
    if a.shape != b.shape:
        return False
    same = a.view(np.uint64) == b.view(np.uint64)
    return bool(np.all(same | (np.isnan(a) & np.isnan(b))))


def floats_of(bits: bytes) -> list[float]:
    return list(struct.unpack(f"{len(bits) // 8}d", bits))


def same_nan_aware(got: list[float], want: list[float]) -> bool:
    """Bit-for-bit, except any NaN equals any NaN (TOML vectors cannot spell payloads)."""
    if len(got) != len(want):
        return False
    return all(
        (math.isnan(g) and math.isnan(w)) or struct.pack("d", g) == struct.pack("d", w)
        for g, w in zip(got, want, strict=True)
    )


# Property-based inputs (Hypothesis), the same for every bridge: derandomized, so a run
# is repeatable.
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
int64s = st.one_of(
    st.sampled_from([INT64_MIN, INT64_MIN + 1, -2, -1, 0, 1, 2, INT64_MAX - 1, INT64_MAX]),
    st.integers(INT64_MIN, INT64_MAX),
)
SPECIALS = [
    0.0,
    -0.0,
    float("inf"),
    float("-inf"),
    float("nan"),
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    1.7976931348623157e308,
    1.0,
    -1.0,
]
# Any float64 bit pattern: NaNs with payloads, +-inf, -0.0 and subnormals all occur.
float64_bit_patterns = st.integers(0, 2**64 - 1).map(
    lambda b: struct.unpack("d", struct.pack("Q", b))[0]
)
# Any code points but surrogates (those have no UTF-8 form), NUL and emoji included.
names = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)


def outcome(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, Any]:
    """What a call answers: its value with its type (an int, never a bool or a numpy int),
    or the type of the exception it raised."""
    try:
        value = fn(*args, **kwargs)
    except (ArithmeticError, TypeError, ValueError) as exc:
        return "raised", type(exc)
    return "value", (type(value), value)


# The kernels of two int64 -> int64 that may fail (add, checked_div): one cell each,
# strategy `scalar`, errors declared in their spec.


def check_int_pair_vectors(bridge: Bridge, cell: Cell) -> None:
    """Every vector: `expect` answered, or its `error` raised with the spec's message."""
    fn = getattr(bridge.import_module(), cell.function)
    for v in vectors(cell.kernel):
        label = f"{bridge.name}: {cell.kernel}({v['a']}, {v['b']})"
        if "expect" in v:
            assert fn(v["a"], v["b"]) == v["expect"], label
            continue
        with raises_declared(cell.kernel, v["error"], label):
            fn(v["a"], v["b"])


# The kinds of int argument (tests/wrappers.py) and the bad-input cases of add.toml that declare
# a tool's other nature for them.
INT_DECLARED_BY = {
    "bool": {"add-bool-is-valid"},
    "numpy integer": {"add-numpy-int-is-valid"},
    "object with __index__": {"add-index-object-is-valid"},
}


def check_int_pair_equals_reference(bridge: Bridge, cell: Cell) -> None:
    """On int64s (extremes included), each wrapped in a kind of int argument the contract
    accepts, the bridge answers, or raises, what the reference does."""
    fn = getattr(bridge.import_module(), cell.function)
    reference = getattr(REFERENCE, cell.function)
    wraps = wrappers.drawn(bridge, wrappers.INT_KINDS, INT_DECLARED_BY, "int")

    @SETTINGS
    @given(int64s, int64s, wraps, wraps)
    def check(a: int, b: int, wrap_a: wrappers.Wrap, wrap_b: wrappers.Wrap) -> None:
        wrappers.example(bridge, cell.name)
        a, b = wrap_a(a), wrap_b(b)
        assert outcome(fn, a, b) == outcome(reference, a, b), f"{cell.function}({a!r}, {b!r})"

    check()


def build_book(dest: Path, book: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`mdbook build` of the teaching book (docs/book, or a copy at `book`) into `dest`."""
    venv_bin = Path(sys.executable).parent  # mdbook, and the `python` of its preprocessor
    source = book or spec.ROOT / "docs" / "book"
    return subprocess.run(
        [str(venv_bin / "mdbook"), "build", str(source), "--dest-dir", str(dest)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": f"{venv_bin}:{os.environ.get('PATH', '')}"},
    )


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Browsed:
    """What a headless page logged: console errors and page errors, and every request
    that left the local files (a page must need no network)."""

    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


@contextmanager
def chromium_page(width: int = 1280, height: int = 900) -> Iterator[tuple[Any, Browsed]]:
    """A page of headless Chromium (Debian's package, driven by Playwright) and what it
    logged; fails the test with the set-up command when Chromium is missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `cargo xtask setup` (installs ci/system-packages.txt)"
            " or `apt-get install chromium`"
        )
    from playwright.sync_api import sync_playwright

    seen = Browsed()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on(
                "console",
                lambda m: seen.errors.append(f"console: {m.text}") if m.type == "error" else None,
            )
            page.on("pageerror", lambda e: seen.errors.append(f"page error: {e}"))
            page.on(
                "request",
                lambda r: seen.outside.append(r.url) if not r.url.startswith("file:") else None,
            )
            yield page, seen
        finally:
            browser.close()
