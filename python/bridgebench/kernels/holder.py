"""`holder` (benches/kernels/holder.toml): a native object built from a str (`create`),
or a method of one (`method`: text())."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from bridgebench import spec
from bridgebench.kernels import Call, Shared, bench, plain


def text_of(cell: spec.Cell, n: int) -> str:
    """The spec's ASCII pattern repeated to n characters."""
    pattern: str = bench(cell)["pattern"]
    return (pattern * (n // len(pattern) + 1))[:n]


def inputs(cell: spec.Cell, n: int) -> None:
    """Nothing shared: the text is built in the child that measures the call (see the
    package's docstring)."""


def case(cls: Callable[..., Any], cell: spec.Cell, n: int, given: None) -> Call:
    """Holder(text) built and dropped (create), or text() of a holder (method)."""
    text = text_of(cell, n)
    fn: Callable[..., Any] = cls
    args: tuple[Any, ...] = (text,)
    if cell.strategy == "method":
        if cell.method is None:
            raise ValueError(f"benches/kernels/holder.toml: cell {cell.name} names no method")
        holder = cls(text)
        # The unbound method, called with the holder: no bound-method object per call.
        fn, args = getattr(type(holder), cell.method), (holder,)

    def check() -> None:
        got = fn(*args)
        if (got if cell.strategy == "method" else got.text()) != text:
            raise AssertionError(f"wrong text from Holder ({cell.name}, n={len(text)})")

    return plain(fn, args, check)


def payload_bytes(cell: spec.Cell, n: int) -> int:
    """The text's UTF-8 bytes."""
    return len(text_of(cell, n).encode())


def live_objects(module: ModuleType) -> int:
    """The bridge module's count of its live Holders (for the leak verdict of counts)."""
    return int(module.live_holders())


# Thread probes (bridgebench.harness.threads): one Holder appended to by every thread.
SHARED = {"create": "object"}


def shared(cls: Callable[..., Any], cell: spec.Cell, n: int) -> Shared:
    """Holder(""), append("x") per call: its UTF-8 length counts the appends it kept."""
    holder = cls("")
    return Shared(
        "object", "appends", lambda: holder.append("x"), lambda k: (k - holder.utf8_len(), k)
    )
