"""The bad-input outcome matrix: bad-input case by bridge, each square coloured by what the
bridge did (bridgebench.outcome_matrix): the contract's exception, a declared other
exception, a wrong answer, a crash, or something its registry entry does not declare."""

from __future__ import annotations

from collections import Counter

from bridgebench.report.fmt import esc, table, tag
from bridgebench.report.view import Record, View

# outcome class -> (css class, short text, legend text), best first
KINDS = {
    "as-contract": ("ok", "✓", "raised the contract's exception, or accepted a valid input"),
    "declared-raises": ("other", "exc", "raised another exception, as its registry declares"),
    "declared-accepts": (
        "other",
        "acc",
        "converted an input the contract refuses, as its registry declares",
    ),
    "silently-wrong": ("wrong", "wrong", "returned an answer instead of raising"),
    "crashed": ("crash", "crash", "the process died"),
    "mismatch": ("mismatch", "≠", "not what the contract or the registry says (a bug)"),
}


def kind(outcome: str) -> str:
    """The colour class of an outcome string (declared wrong answers and crashes are still
    wrong answers and crashes: declaring them only documents them)."""
    if outcome in ("raised-as-contract", "accepted-as-contract"):
        return "as-contract"
    if outcome.startswith("declared: "):
        what = outcome.removeprefix("declared: ")
        if what.startswith("raises"):
            return "declared-raises"
        if what.startswith("accepts"):
            return "declared-accepts"
        return "crashed" if what.startswith("crash") else "silently-wrong"
    return outcome if outcome in KINDS else "mismatch"


def legend() -> str:
    items = "".join(
        tag("span", tag("span", esc(short), class_=f"oc {css}") + " " + esc(text), class_="key")
        for css, short, text in KINDS.values()
    )
    return tag(
        "p",
        items + " — a ▪ after the mark: declared under [bridge.outcomes] in benches/bridges.toml",
        class_="legend",
    )


def _square(rec: Record) -> str:
    css, short, _ = KINDS[kind(rec["outcome"])]
    mark = short + ("▪" if rec["outcome"].startswith("declared") else "")
    return tag("span", esc(mark), class_=f"oc {css}", title=f"{rec['outcome']}: {rec['detail']}")


def kernel_matrix(view: View, kernel: str) -> str:
    """The kernel's matrix (one row per case and cell, one column per bridge), or ''."""
    recs = [r for r in view.outcomes if r["kernel"] == kernel]
    if not recs:
        return ""
    columns = sorted({view.series(dict(r, side="python")) for r in recs})
    by_key = {(r["case"], r["cell"], view.series(dict(r, side="python"))): r for r in recs}
    rows_keys = list(dict.fromkeys((r["case"], r["cell"]) for r in recs))
    rows = []
    for case, cell in rows_keys:
        row = [tag("code", esc(case)), esc(cell)]
        for series in columns:
            rec = by_key.get((case, cell, series))
            row.append(_square(rec) if rec else "")
        rows.append(row)
    head = ["case", "cell", *[view.name(s) for s in columns]]
    tally = Counter(kind(r["outcome"]) for r in recs)
    said = ", ".join(f"{tally[k]} {KINDS[k][1]}" for k in KINDS if tally[k])
    return (
        tag("h4", f"Bad input: what each bridge does ({len(rows)} cases; {said})")
        + legend()
        + tag("div", table(head, rows, class_="data matrix"), class_="scroll")
    )


def bridge_tally(view: View) -> dict[str, Counter[str]]:
    """Per bridge (series name): how many outcomes of each kind."""
    out: dict[str, Counter[str]] = {}
    for rec in view.outcomes:
        name = view.name(view.series(dict(rec, side="python")))
        out.setdefault(name, Counter())[kind(rec["outcome"])] += 1
    return out
