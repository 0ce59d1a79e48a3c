"""The price of the stable ABI: each bridge that builds a sibling's source against CPython's
stable ABI (registry `stable_abi_of`) beside that sibling, cell by cell, in the same run
(and per label in a merged file: per interpreter after `bench --python all`).

Time is compared on the two bridges' ratios to the floor (each measured side by side with
it, so the quotient survives the machine's moods); instructions per call are exact.
"""

from __future__ import annotations

from typing import Any

from bridgebench import spec
from bridgebench.report.fmt import count, esc, size, table, tag
from bridgebench.report.view import PREFERRED_SIZE, View

HEAD = [
    "bridge",
    "cell",
    "n",
    "× floor, version-specific",
    "× floor, stable ABI",
    "time, stable / specific",
    "instructions, version-specific",
    "instructions, stable ABI",
    "instructions, stable / specific",
]
NUMERIC = [False, False, True, True, True, True, True, True, True]


def _quotient(new: Any, old: Any) -> str:
    if not isinstance(new, (int, float)) or not isinstance(old, (int, float)) or old <= 0:
        return "–"
    return f"{new / old:.2f}×"


def rows(view: View) -> list[list[str]]:
    """One row per stable-ABI bridge, label and cell (cells without sizes, and sequences at
    n = 1000) that both it and its sibling measured."""
    pairs = {b.name: b.stable_abi_of for b in spec.bridges() if b.stable_abi_of}
    by = {
        (c.get("label"), c["bridge"], c["cell"], c.get("size")): c
        for c in view.cells
        if c.get("status") == "ok" and c.get("size") in (None, PREFERRED_SIZE)
    }
    out = []
    ordered = sorted(by.items(), key=lambda kv: (kv[0][1], kv[0][0] or "", kv[0][2], kv[0][3] or 0))
    for (label, bridge, cell, n), stable in ordered:
        sibling_name = pairs.get(bridge)
        specific = by.get((label, sibling_name, cell, n)) if sibling_name else None
        if specific is None:
            continue
        out.append(
            [
                f"{sibling_name} → {bridge}" + (f" · {label}" if label and view.merged else ""),
                cell,
                size(n),
                _ratio(specific),
                _ratio(stable),
                _quotient(stable.get("ratio"), specific.get("ratio")),
                count(specific.get("instructions_per_call")) or "–",
                count(stable.get("instructions_per_call")) or "–",
                _quotient(
                    stable.get("instructions_per_call"), specific.get("instructions_per_call")
                ),
            ]
        )
    return out


def _ratio(rec: dict[str, Any]) -> str:
    value = rec.get("ratio")
    return f"{value:.2f}" if isinstance(value, (int, float)) else "–"


def section(view: View) -> str:
    found = rows(view)
    if not found:
        return ""
    body = tag("h2", "The price of the stable ABI")
    body += tag(
        "p",
        esc(
            "Each bridge built from a sibling's source against CPython's stable ABI "
            "(abi3), beside the version-specific build, cell by cell in the same run. Time "
            "is the quotient of the two bridges' ratios to the floor; instructions per call "
            f"are exact. Cells without sizes, and sequences at n = {PREFERRED_SIZE}."
        ),
    )
    body += table(HEAD, [[esc(c) for c in r] for r in found], NUMERIC, class_="data stable-abi")
    return tag("section", body, id="stable-abi")
