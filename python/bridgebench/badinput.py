"""The bad-input cases of the kernel specs, and the names their `args` may use."""

from __future__ import annotations

import builtins
import ctypes
from array import array
from dataclasses import dataclass
from typing import Any

import numpy as np

from bridgebench import spec
from bridgebench.records import as_columns


@dataclass(frozen=True)
class BadInput:
    id: str
    cell: str
    args: str
    raises: tuple[str, ...]  # empty: the input is valid (if unusual) and must be accepted
    append: bool = False  # holder cases: call Holder('ok').append(*args), not Holder(*args)
    message: str = ""  # when set, the exception's message must contain it

    def exception_types(self) -> tuple[type[BaseException], ...]:
        return tuple(getattr(builtins, name) for name in self.raises)


def cases() -> list[BadInput]:
    """Every (case, cell) pair of every kernel spec."""
    out = []
    for data in spec.kernels().values():
        for case in data.get("bad_input", []):
            for cell in case["cells"]:
                out.append(
                    BadInput(
                        case["id"],
                        cell,
                        case["args"],
                        tuple(case["raises"]),
                        bool(case.get("append", False)),
                        case.get("message", ""),
                    )
                )
    return out


def _valid_values(cell: str) -> Any:
    if spec.cells()[cell].strategy == "list":
        return [1.0, 2.0, 3.0]
    return np.array([1.0, 2.0, 3.0])


def _readonly_values() -> np.ndarray:
    values = np.array([1.0, 2.0, 3.0])
    values.flags.writeable = False
    return values


def _raises_keyerror(x: float) -> float:
    raise KeyError("boom")


def _returns_str(x: float) -> str:
    return "x"


def evaluate_args(args_src: str, cell: str) -> tuple[Any, ...]:
    """Evaluate a case's `args` expression (trusted: it comes from this repo's spec)."""
    namespace = {
        "np": np,
        "array": array,
        "VALID_VALUES": _valid_values(cell),
        "READONLY_VALUES": _readonly_values(),
        "CTYPES_VALUES": (ctypes.c_double * 3)(1.0, 2.0, 3.0),
        "RAISES_KEYERROR": _raises_keyerror,
        "RETURNS_STR": _returns_str,
        "VALID_COLUMNS": as_columns([(1, "a", 1.0), (2, "bé", 2.0)]),
    }
    value = eval(args_src, namespace)  # noqa: S307 - spec files are part of the repo
    if not isinstance(value, tuple):
        raise ValueError(f"bad_input args must be a tuple expression, got {args_src!r}")
    return value
