"""add(a, b): two int64 -> their sum as int64, OverflowError when it does not fit.

Every Python-side bridge with the cell: the shared vectors of benches/kernels/add.toml,
and the reference's answer (or exception type) on int64s, extremes included. The checks
are shared with the other kernel of two int64 (tests/support.py)."""

from __future__ import annotations

import pytest

from bridgebench.spec import Bridge, Cell
from support import cell_id, check_int_pair_equals_reference, check_int_pair_vectors, kernel_cells

CELLS = kernel_cells("add")


@pytest.mark.parametrize("pair", CELLS, ids=cell_id)
def test_shared_vectors(pair: tuple[Bridge, Cell]) -> None:
    check_int_pair_vectors(*pair)


@pytest.mark.parametrize("pair", CELLS, ids=cell_id)
def test_equals_reference(pair: tuple[Bridge, Cell]) -> None:
    check_int_pair_equals_reference(*pair)
