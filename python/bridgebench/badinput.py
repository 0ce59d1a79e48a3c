"""The bad-input cases of the kernel specs, and the names their `args` may use (numpy as
`np`, `array`, and the cell's kernel module's BAD_INPUT_NAMES)."""

from __future__ import annotations

import builtins
from array import array
from dataclasses import dataclass
from typing import Any

import numpy as np

from bridgebench import kernels, spec


@dataclass(frozen=True)
class BadInput:
    id: str
    cell: str
    args: str
    raises: tuple[str, ...]  # empty: the input is valid (if unusual) and must be accepted
    message: str = ""  # when set, the exception's message must contain it
    # When set: call function(*self_args).<method>(*args) instead of function(*args).
    method: str | None = None
    self_args: str = "()"

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
                        case.get("message", ""),
                        case.get("method"),
                        case.get("self_args", "()"),
                    )
                )
    return out


def evaluate_args(args_src: str, cell: str) -> tuple[Any, ...]:
    """Evaluate a case's `args` expression (trusted: it comes from this repo's spec)."""
    the_cell = spec.cells()[cell]
    names = getattr(kernels.of(the_cell), "BAD_INPUT_NAMES", {})
    namespace = {"np": np, "array": array, **{k: make(the_cell) for k, make in names.items()}}
    value = eval(args_src, namespace)  # noqa: S307 - spec files are part of the repo
    if not isinstance(value, tuple):
        raise ValueError(f"bad_input args must be a tuple expression, got {args_src!r}")
    return value
