"""What a count run counts: which cells and sizes, and how many calls per loop.

Every figure of a count run is a difference of two loop lengths, X(N2) - X(N1) over
N2 - N1 calls with N2 = 2 * N1, so start-up, warm-up and the cost of reading the counter
cancel (docs/COUNTS.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from bridgebench import spec
from bridgebench.harness.cases import sizes as sweep

KINDS = ("allocs", "instructions")
# callgrind runs the code about 50x slower: instruction counts stop at this size.
INSTRUCTIONS_MAX_SIZE = 10**4
# The one size a quick run (and so the CI gate) counts of every sequence cell.
QUICK_SIZES = (1000,)
# Calls in the short loop: at most MAX_LOOPS, fewer for big inputs so that a loop handles
# about BUDGET elements, and at least MIN_LOOPS (a count is exact at any loop length).
MAX_LOOPS = 1000
MIN_LOOPS = 2
BUDGET = {"allocs": 10**5, "instructions": 10**4}


def loops(size: int | None, kind: str) -> tuple[int, int]:
    """N1 and N2 = 2 * N1 for a case of the given input size."""
    n1 = max(MIN_LOOPS, min(MAX_LOOPS, BUDGET[kind] // max(size or 1, 1)))
    return n1, 2 * n1


@dataclass(frozen=True)
class Selection:
    """What a run counts: the kernels' quick or full sizes, or only some cells and sizes
    (for tests and for looking at one cell)."""

    quick: bool
    cells: tuple[str, ...] | None = None  # None: every cell of the bridge
    sizes: tuple[int, ...] | None = None  # None: the kernels' sweeps (scalar cells: always)

    def argv(self) -> list[str]:
        out = ["--quick"] if self.quick else []
        if self.cells is not None:
            out += ["--cells", ",".join(self.cells)]
        if self.sizes is not None:
            out += ["--sizes", ",".join(map(str, self.sizes))]
        return out

    @staticmethod
    def parse(quick: bool, cells: str | None, sizes: str | None) -> Selection:
        """The selection of a command line's --quick, --cells and --sizes."""
        return Selection(
            quick,
            tuple(cells.split(",")) if cells else None,
            tuple(int(n) for n in sizes.split(",")) if sizes else None,
        )


def count_sizes(cell: spec.Cell, kind: str, select: Selection) -> list[int | None]:
    """The sizes counted: the kernel's sweep, capped at INSTRUCTIONS_MAX_SIZE for callgrind."""
    all_sizes = sweep(cell, quick=select.quick)
    if select.sizes is not None and cell.sized:
        all_sizes = list(select.sizes)
    if kind == "instructions":
        return [n for n in all_sizes if n is None or n <= INSTRUCTIONS_MAX_SIZE]
    return all_sizes
