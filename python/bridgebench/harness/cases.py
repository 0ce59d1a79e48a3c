"""The calls the harness measures: for each cell and input size, the `Call` (its
statement, the names it uses and a check of its answer against the reference).

Shared by the timing worker and the count runners (instructions, allocations), so every
figure of a cell is taken on the same inputs. What a call is, kernel by kernel, is in
bridgebench.kernels; sizes come from each kernel's `[bench]` table: `sizes` (the full
sweep) and `quick_sizes`.
"""

from __future__ import annotations

from types import ModuleType
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


def cases(module: ModuleType, cell: spec.Cell, sizes: list[Any]) -> list[Case]:
    """Every measured call of one cell of a bridge's module, one per size."""
    kernel = kernels.of(cell)
    fn = getattr(module, cell.function)
    out: list[Case] = []
    for n in sizes:
        given = _SHARED[cell.name, n] if (cell.name, n) in _SHARED else kernel.inputs(cell, n)
        out.append((n, kernel.case(fn, cell, n, given)))
    return out


def one(bridge_name: str, cell_name: str, size: int | None) -> Call:
    """The call the harness times for one bridge, cell and size, checked (for an outside
    clock: `python -m bridgebench pyperf-check`)."""
    cell = spec.cells()[cell_name]
    module = spec.bridge(bridge_name).import_module()
    ((_, call),) = cases(module, cell, [size])
    call.check()
    return call
