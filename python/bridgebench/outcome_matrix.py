"""The bad-input outcome matrix: what each Python-side bridge does with each bad input.

The tests (tests/test_bad_input.py) assert the contract; this module records the same
judgement as data for the results file and the report, so a reader sees which bridges
raise the contract's exception, which do something else by design (declared under
`[bridge.outcomes]` in benches/bridges.toml) and which return a wrong answer or crash.
Cases run in child processes through bridgebench.outcomes, so a crash is a row here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bridgebench import spec
from bridgebench.badinput import BadInput, cases
from bridgebench.outcomes import Outcome, declared, run_cases

# Every outcome, best first (the report colours them in this order). "declared: <what>"
# is the fifth kind, e.g. "declared: raises TypeError" or "declared: silently-wrong".
AS_CONTRACT = ("raised-as-contract", "accepted-as-contract")
UNDECLARED = ("silently-wrong", "crashed", "mismatch")


def judge(bridge: spec.Bridge, case: BadInput, got: Outcome) -> tuple[str, str]:
    """(outcome, detail) of one case, by the rules of tests/test_bad_input.py."""
    seen = f"{got.summary()}: {got.message}" if got.message else got.summary()
    if case.id in bridge.outcomes:
        kind, detail = declared(bridge.outcomes[case.id])
        head = bridge.outcomes[case.id].partition(":")[0].strip()
        if got.kind == kind and (kind != "raised" or got.detail == detail):
            return f"declared: {head}", bridge.outcomes[case.id].partition(":")[2].strip()
        return "mismatch", f"declared {head!r}, got {seen}"
    if not case.raises:  # a valid (if unusual) input: it must be accepted
        if got.kind == "returned":
            return "accepted-as-contract", got.detail
        return ("crashed" if got.kind == "crashed" else "mismatch"), f"valid input: {seen}"
    if got.kind == "returned":
        return "silently-wrong", f"expected {' or '.join(case.raises)}, returned {got.detail}"
    if got.kind == "crashed":
        return "crashed", seen
    if got.detail not in case.raises:
        return "mismatch", f"expected {' or '.join(case.raises)}, got {seen}"
    if not got.message.strip() or case.message not in got.message:
        return "mismatch", f"{got.detail} without the message {case.message!r}: {got.message!r}"
    return "raised-as-contract", seen


def collect(bridge: spec.Bridge) -> list[dict[str, Any]]:
    """One record per (case, cell) the bridge covers: bridge, kernel, case, cell, outcome,
    detail. RuntimeError (from run_cases) when the bridge's module cannot even load."""
    mine = [c for c in cases() if c.cell in bridge.cells]
    got = run_cases(bridge, mine)
    records = []
    for case in mine:
        outcome, detail = judge(bridge, case, got[(case.id, case.cell)])
        records.append(
            {
                "bridge": bridge.name,
                "kernel": spec.cells()[case.cell].kernel,
                "case": case.id,
                "cell": case.cell,
                "outcome": outcome,
                "detail": detail[:300],
            }
        )
    return records


def collect_all(
    bridges: list[spec.Bridge], progress: Callable[[str], None] = lambda _: None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Records of every Python-side bridge in `bridges`, and an error per bridge whose
    module failed to load (its cases are left out, not guessed)."""
    records: list[dict[str, Any]] = []
    errors: list[str] = []
    python_side = [b for b in bridges if b.side == "python"]
    for i, bridge in enumerate(python_side, 1):
        progress(f"[bad input {i}/{len(python_side)}] {bridge.name}")
        try:
            mine = collect(bridge)
        except RuntimeError as exc:
            errors.append(f"{bridge.name}: {exc}")
            progress(f"    ERROR: {str(exc)[:200]}")
            continue
        records += mine
        bad = sum(r["outcome"] in UNDECLARED for r in mine)
        progress(f"    {len(mine)} cases, {bad} silently wrong, crashed or not as declared")
    return records, errors
