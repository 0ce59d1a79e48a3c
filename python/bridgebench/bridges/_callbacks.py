"""A Python callable behind a C callback, for the bridges over the C ABI (ctypes, cffi).

ctypes and cffi both print and swallow an exception that escapes a Python function called
from C, so none may escape: `MapCall.call` stores it and tells the caller to return the
failure status; after the C call, `take_error` hands back the very object to re-raise.
"""

from __future__ import annotations

from collections.abc import Callable

from bridgebench.bridges._numbers import as_float


class MapCall:
    """One map_callback call's state, travelling through C as the callback's `context`."""

    __slots__ = ("error", "fn")

    def __init__(self, fn: Callable[[float], float]) -> None:
        if not callable(fn):
            raise TypeError(f"map_callback(): fn must be callable, not {type(fn).__name__}")
        self.fn = fn
        self.error: BaseException | None = None

    def call(self, x: float) -> float | None:
        """fn(x) as a float, or None after storing what went wrong (the kernel must stop)."""
        try:
            y = self.fn(x)
            # Converted here, not by the tool's double conversion: an exception there would
            # be raised inside the C callback, where the tool prints and swallows it.
            return y if type(y) is float else as_float(y, "fn's result")
        except BaseException as exc:  # KeyboardInterrupt too: it must reach the caller
            self.error = exc
            return None

    def take_error(self) -> BaseException:
        """The stored exception, removed from the state so no cycle keeps it alive.

        Raise it directly (`raise state.take_error()`), never via a local: the traceback
        keeps the raising frame alive, and a local in it pointing back at the exception
        would be a cycle only the garbage collector could free.
        """
        error, self.error = self.error, None
        return error if error is not None else RuntimeError("the callback failed")
