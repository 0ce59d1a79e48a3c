"""Bad (and valid but unusual) input at the boundary: a clean exception, or the declared outcome.

Every case runs in a child process (bridgebench.outcomes), so a bridge that crashes
is recorded as crashed and this test process never dies of it.
"""

from __future__ import annotations

import os
from functools import cache

import pytest

from bridgebench import spec
from bridgebench.badinput import BadInput, cases
from bridgebench.outcomes import Outcome, declared, run_cases

# Under ASan (`cargo xtask check-memory`'s bad-input run) a read of freed memory inside a
# library built without it (cffi's _cffi_backend) is neither reported nor a crash: ASan's
# allocator keeps freed memory mapped. A crash declared for such a read may return there.
UNDER_ASAN = "libasan" in os.environ.get("LD_PRELOAD", "")

PAIRS = [(b, c) for b in spec.python_bridges() for c in cases() if c.cell in b.cells]


@cache
def outcomes_of(bridge_name: str) -> dict[tuple[str, str], Outcome]:
    bridge = spec.bridge(bridge_name)
    return run_cases(bridge, [c for c in cases() if c.cell in bridge.cells])


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: f"{p[0].name}-{p[1].cell}-{p[1].id}")
def test_bad_input(pair: tuple[spec.Bridge, BadInput]) -> None:
    bridge, case = pair
    got = outcomes_of(bridge.name)[(case.id, case.cell)]
    if case.id in bridge.outcomes:
        kind, detail = declared(bridge.outcomes[case.id])
        if kind == "crashed" and got.kind == "returned" and UNDER_ASAN:
            return
        assert got.kind == kind, f"{bridge.name} declares {bridge.outcomes[case.id]!r}, got {got}"
        if kind == "raised":
            assert got.detail == detail, f"{bridge.name}: declared raises {detail}, got {got}"
        return
    if not case.raises:
        assert got.kind == "returned", f"{bridge.name}, {case.cell}: valid input {case.id}: {got}"
        return
    assert got.kind == "raised", (
        f"{bridge.name}, {case.cell}, case {case.id}: expected one of {case.raises}, got {got}"
    )
    assert got.detail in case.raises, (
        f"{bridge.name}, {case.cell}, case {case.id}: expected one of {case.raises}, "
        f"got {got.detail}: {got.message}"
    )
    assert got.message.strip(), f"{bridge.name}, case {case.id}: {got.detail} has no message"
    assert case.message in got.message, (
        f"{bridge.name}, case {case.id}: message {got.message!r} lacks {case.message!r}"
    )
