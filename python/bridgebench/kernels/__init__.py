"""One module per kernel: `bridgebench.kernels.<name>` for `benches/kernels/<name>.toml`.

What the harness needs to know about a kernel, and nothing else does, lives in its module:
how a cell's inputs are built at each size, how an answer is checked against the
reference, how many bytes of input a call carries, and the names its bad-input cases'
`args` may use. The harness, the count runs, the results and the report find the module
by the kernel's name (`of(cell)`) and never name a kernel or a cell themselves; a new
kernel is its spec, this module, its tests and the bridges' code.

A kernel module defines:
- `inputs(cell, n)`: what is expensive to build for `cell` at size `n` (None for a cell
  without sizes) and the same for every bridge; the timing worker builds it once per cell
  and size and its forked children share it, so it is read-only.
- `case(fn, cell, n, inputs)`: the `Call` the harness times, made from the bridge's
  `cell.function` (`fn`): a statement over local names (`fn(a, b)`, `c.value = v`) with
  their values (its own copies of anything the call may change), and a check that raises
  AssertionError unless that call answers what the reference does. It runs in the child
  that measures the call: what the call's arguments are made of is allocated there. A
  1 MB str built in the worker instead made ctypes' and cffi's `holder.create` at n = 10^6
  ten times slower, and scaled copies of 10^5 float64 made there moved `scale.list` by up
  to 46 % (glibc's heap state, which a fork copies, decides how such blocks are found).
- `payload_bytes(cell, n)`: the bytes of input one call carries (the copy factor's
  denominator).
- `BAD_INPUT_NAMES`: optional, `{name: factory(cell)}` of the values its bad-input
  cases' `args` expressions may use.
- `live_objects(module)`: optional, for a kernel with native objects: how many of them a
  bridge's module holds alive now (the counts' leak verdict watches it).
- For the thread probes (bridgebench.harness.threads), optional: `LONG_CALLS`, the
  strategies whose binding may release the GIL (those reading or writing a caller's
  buffer), with `long_call(fn, cell, n)`, one such call on n elements, ready to repeat;
  `THROUGHPUT`, the strategies whose long call is timed from 1 and from 2 threads;
  `SHARED`, strategy -> "buffer" or "object", with `shared(fn, cell)`, a `Shared` for
  threads to call together.

Its tests are python/tests/kernels/test_<kernel>.py.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from bridgebench import spec


@dataclass(frozen=True)
class Call:
    """One call as the harness measures it (timeit's habit): `stmt` is Python source that
    becomes the body of the timing and counting loops (bridgebench.harness.loops), in
    which each of `names` is a local variable. So what is measured is the statement as a
    user writes it (`fn(a, b)`, `c.bump(by=by)`, `c.value`, or a call inside the `try`
    that catches what it raises) and nothing around it. `check` raises AssertionError
    unless the statement's call answers what the reference does."""

    stmt: str
    names: dict[str, Any]
    check: Callable[[], None]


@dataclass(frozen=True)
class Shared:
    """One thing several threads call together (the thread probes): `call()` is one call
    of one thread; `wrong(calls)` is, after `calls` calls from all threads, how many of how
    many units (`unit`: elements, appends, ...) are not what those calls together make.
    `kind`: "buffer" (the caller's memory: the registry's `shared_buffer` declares its
    outcome) or "object" (a bridge's object: every bridge keeps every call)."""

    kind: str
    unit: str
    call: Callable[[], Any]
    wrong: Callable[[int], tuple[int, int]]


def plain(fn: Callable[..., Any], args: tuple[Any, ...], check: Callable[[], None]) -> Call:
    """`fn(a, b, ...)`: fn called on positional arguments."""
    arg_names = [f"a{i}" for i in range(len(args))]
    stmt = f"fn({', '.join(arg_names)})"
    return Call(stmt, {"fn": fn, **dict(zip(arg_names, args, strict=True))}, check)


def of(cell: spec.Cell) -> ModuleType:
    """The kernel module of `cell` (an error naming the missing file if there is none)."""
    try:
        return importlib.import_module(f"{__name__}.{cell.kernel}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{cell.kernel}":
            raise
        raise ModuleNotFoundError(
            f"kernel {cell.kernel!r} (benches/kernels/{cell.kernel}.toml) has no harness "
            f"module: add python/bridgebench/kernels/{cell.kernel}.py (see its package's "
            "docstring for what it defines)"
        ) from exc


def bench(cell: spec.Cell) -> dict[str, Any]:
    """The `[bench]` table of the cell's kernel spec."""
    table: dict[str, Any] = spec.kernels()[cell.kernel]["bench"]
    return table


def reference_answer(cell: spec.Cell, *args: Any) -> Any:
    """What the reference bridge's `cell.function` answers for `args`."""
    return getattr(spec.reference().import_module(), cell.function)(*args)
