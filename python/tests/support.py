"""Helpers for the tests: turning any bridge's result into exact bits."""

from __future__ import annotations

import math
import struct
from typing import Any

import numpy as np

from bridgebench.bridges._buffers import FLOAT64_FORMATS
from bridgebench.spec import Bridge, Cell, cells, python_bridges


def python_cells() -> list[tuple[Bridge, Cell]]:
    """Every (bridge, cell) pair that a Python-side bridge covers."""
    return [(b, cells()[c]) for b in python_bridges() for c in b.cells]


def cell_id(pair: tuple[Bridge, Cell]) -> str:
    return f"{pair[0].name}-{pair[1].name}"


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
