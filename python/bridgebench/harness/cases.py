"""The calls the harness measures: for each cell and input size, the `Call` (its
statement, the names it uses and a check of its answer against the reference).

Shared by the timing worker and the count runners (instructions, allocations), so every
figure of a cell is taken on the same inputs. What a call is, kernel by kernel, is in
bridgebench.kernels; sizes come from each kernel's `[bench]` table: `sizes` (the full
sweep) and `quick_sizes`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from bridgebench import kernels, spec
from bridgebench.kernels import Call

# An input size and the call measured at that size.
Case = tuple[int | None, Call]


# The inputs and expected answers of a cell, the same for every bridge, when the timing
# worker has built them once (share_inputs) before it forks the children that measure the
# cell: each child would otherwise build them twice, for the bridge and for the floor.
# Elsewhere (count runs, tests) every case builds its own.
_SHARED: dict[tuple[str, int | None], Any] = {}


def share_inputs(cell: spec.Cell, sizes: list[Any]) -> None:
    """Build the inputs of `cell` at `sizes` once, for every case built after (read-only:
    no case may change what another is given)."""
    kernel = kernels.of(cell)
    for n in sizes:
        _SHARED[cell.name, n] = kernel.inputs(cell, n)


def forget_inputs() -> None:
    """Drop the shared inputs (the worker does, between cells)."""
    _SHARED.clear()


def sizes(cell: spec.Cell, *, quick: bool) -> list[int | None]:
    """The input sizes of a cell: [None] for a cell without sizes, else the kernel's sweep."""
    if not cell.sized:
        return [None]
    return list(kernels.bench(cell)["quick_sizes" if quick else "sizes"])


def _maker(subject: spec.Subject, cell: spec.Cell) -> Callable[[Any, Any], Call]:
    """(n, inputs) -> the Call of `cell` at size n: a bridge's `cell.function` made a call
    by the cell's kernel module, or the call an example's module makes for the cell (its
    function named in benches/bridges.toml [[example]])."""
    module = subject.import_module()
    if isinstance(subject, spec.Example):
        return partial(getattr(module, subject.calls[cell.name]), cell)
    return partial(kernels.of(cell).case, getattr(module, cell.function), cell)


def cases(subject: spec.Subject, cell: spec.Cell, sizes: list[Any]) -> list[Case]:
    """Every measured call of one cell of a bridge or an example, one per size."""
    kernel = kernels.of(cell)
    make = _maker(subject, cell)
    out: list[Case] = []
    for n in sizes:
        given = _SHARED[cell.name, n] if (cell.name, n) in _SHARED else kernel.inputs(cell, n)
        out.append((n, make(n, given)))
    return out


def one(bridge_name: str, cell_name: str, size: int | None) -> Call:
    """The call the harness times for one bridge, cell and size, checked (for an outside
    clock: `python -m bridgebench pyperf-check`)."""
    cell = spec.cells()[cell_name]
    ((_, call),) = cases(spec.bridge(bridge_name), cell, [size])
    call.check()
    return call
