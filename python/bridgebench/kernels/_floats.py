"""Inputs of the kernels over float64 sequences (scale, map_callback)."""

from __future__ import annotations

from typing import Any

import numpy as np


def normal_values(n: int) -> np.ndarray:
    """n standard-normal float64 (seed n): normal numbers, no subnormal slow paths."""
    return np.random.default_rng(n).standard_normal(n)


def bits(result: Any, as_list: bool) -> bytes:
    """A float64 result's bytes, whether it came back as a list or as a buffer."""
    if as_list:
        return np.array(result, dtype=np.float64).tobytes()
    return memoryview(result).tobytes()
