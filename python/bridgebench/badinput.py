"""The bad-input cases of the kernel specs, and the names their `args` may use (numpy as
`np`, `array`, the unusual kinds of bridgebench.kinds, and the cell's kernel module's
BAD_INPUT_NAMES)."""

from __future__ import annotations

import builtins
from array import array
from dataclasses import dataclass
from typing import Any

import numpy as np

from bridgebench import kernels, kinds, spec


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
    kwargs: str = "{}"  # keyword arguments of the call: a dict expression

    def call(self, module: Any) -> Any:
        """Make the bad call on a bridge's module: what it returns, or what it raises."""
        fn = getattr(module, spec.cells()[self.cell].function)
        if self.method:
            fn = getattr(fn(*evaluate_args(self.self_args, self.cell)), self.method)
        kwargs = evaluate(self.kwargs, self.cell)
        if not isinstance(kwargs, dict):
            raise ValueError(f"bad_input {self.id}: kwargs must be a dict expression")
        return fn(*evaluate_args(self.args, self.cell), **kwargs)

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
                        case.get("kwargs", "{}"),
                    )
                )
    return out


def evaluate(source: str, cell: str) -> Any:
    """Evaluate an expression of a case (trusted: it comes from this repo's spec)."""
    the_cell = spec.cells()[cell]
    names = getattr(kernels.of(the_cell), "BAD_INPUT_NAMES", {})
    namespace = {
        "np": np,
        "array": array,
        **kinds.NAMES,
        **{k: make(the_cell) for k, make in names.items()},
    }
    return eval(source, namespace)  # noqa: S307 - spec files are part of the repo


def evaluate_args(args_src: str, cell: str) -> tuple[Any, ...]:
    """Evaluate a case's `args` expression."""
    value = evaluate(args_src, cell)
    if not isinstance(value, tuple):
        raise ValueError(f"bad_input args must be a tuple expression, got {args_src!r}")
    return value
