"""Threads: how each Python-side bridge behaves when Python threads call it (the results'
`threads`, measured by bridgebench.harness.threads), beside what the registry declares
([bridge.threads] in benches/bridges.toml) and why.

Per bridge, a column per probe of the file (bridgebench.thread_rules): whether each long
call let another Python thread run (the ticks of a spinning thread during the calls are the
evidence), 8 threads on private inputs, 8 threads calling on one shared buffer or object,
and the calls per second of a long call from 1 and from 2 threads.
"""

from __future__ import annotations

from typing import Any

from bridgebench import spec, thread_rules
from bridgebench.report.fmt import esc, md_table, table, tag
from bridgebench.report.view import View
from bridgebench.thread_rules import agrees, declared

Record = dict[str, Any]


def _bridge(name: str) -> spec.Bridge | None:
    return next((b for b in spec.bridges() if b.name == name), None)


def _failed(result: Record) -> str:
    """A probe that did not run to its end, or whose bridge lacks the cell."""
    detail = result.get("detail", "")
    return result["outcome"] + (f" ({detail.split(':')[0]})" if result["outcome"] != "n/a" else "")


def gil_text(result: Record) -> str:
    outcome = result["outcome"]
    if outcome == "switched":
        lines, n = result["traced_lines"][-1], result["traced_n"][-1]
        return f"switches (Python: {lines:,} lines run at n = {n:,}; 0 ticks switching off)"
    if outcome not in ("released", "held", "unclear"):
        return _failed(result)
    word = {"released": "yes", "held": "no", "unclear": "unclear"}[outcome]
    return f"{word} ({result['ticks']:,} ticks in {result['call_ms']:.0f} ms)"


def outcome_text(probe: str, result: Record) -> str:
    """exact / races / lost / wrong answers, with their count."""
    unit = result.get("unit", "answers")
    if result["outcome"] == "exact":
        return f"exact ({result['of']:,} {unit})"
    if result["outcome"] != "wrong":
        return _failed(result)
    wrong, of = f"{result['wrong']:,}", f"{result['of']:,}"
    if thread_rules.kind(probe) == "private":
        return f"{wrong} of {of} answers wrong"
    if thread_rules.shared_kind(probe) == "buffer":
        return f"races ({wrong} of {of} {unit} wrong)"
    return f"lost {wrong} of {of} {unit}"


def _rate_texts(result: Record | None) -> list[str]:
    if result is None:
        return ["–"] * 3
    if result["outcome"] != "measured":
        return [_failed(result), "", ""]
    load = result.get("load_average")
    return [
        f"{result['one_thread_median']:,.1f}",
        f"{result['two_threads_median']:,.1f}",
        f"{result['ratio']:.2f}×" + (f" (load {load:.1f})" if load is not None else ""),
    ]


def _mark(bridge: spec.Bridge | None, probe: str, result: Record | None, text: str) -> str:
    """The text, with `≠ declared X` when the registry promises another outcome."""
    if bridge is None or result is None or result["outcome"] == "n/a":
        return text
    if agrees(bridge, probe, result["outcome"]):
        return text
    return f"{text} ≠ declared {declared(bridge, probe)}"


def _probes(view: View) -> list[str]:
    """The probes of the file's records, in thread_rules' order."""
    present = {p for r in _records(view) for p in r["probes"]}
    return [p for p in thread_rules.probes() if p in present]


def head(view: View) -> tuple[list[str], list[bool]]:
    """The column headers and which are numeric."""
    names, numeric = ["bridge"], [False]
    for probe in _probes(view):
        what, cell = thread_rules.kind(probe), probe.partition(":")[2]
        if what == "throughput":
            names += [f"{cell} calls/s, 1 thread", "2 threads", "2 threads / 1"]
            numeric += [True] * 3
            continue
        names.append(
            {
                "gil": f"GIL released: {cell}",
                "private": "private inputs",
                "shared": f"one shared {thread_rules.shared_kind(probe)}: {cell}"
                if what == "shared"
                else "",
            }[what]
        )
        numeric.append(False)
    return names, numeric


def rows(view: View) -> list[tuple[list[str], bool]]:
    """Text cells of each thread record, in registry order, and whether any probe is not
    what the registry declares."""
    out = []
    probes = _probes(view)
    for rec in _records(view):
        bridge = _bridge(rec["bridge"])
        cells = [rec["bridge"] + (f" · {rec['label']}" if view.merged and "label" in rec else "")]
        for probe in probes:
            result = rec["probes"].get(probe)
            if thread_rules.kind(probe) == "throughput":
                cells += _rate_texts(result)
                continue
            shown = (
                gil_text
                if thread_rules.kind(probe) == "gil"
                else (lambda r, p=probe: outcome_text(p, r))
            )
            text = shown(result) if result is not None else "–"
            cells.append(_mark(bridge, probe, result, text))
        out.append((cells, any("≠ declared" in c for c in cells)))
    return out


def _records(view: View) -> list[Record]:
    names = [b.name for b in spec.bridges()]
    found: list[Record] = view.data.get("threads", [])
    return sorted(
        found,
        key=lambda r: (
            names.index(r["bridge"]) if r["bridge"] in names else len(names),
            r.get("label", ""),
        ),
    )


def declarations(view: View) -> list[tuple[str, str, str]]:
    """(bridges, what they declare, why) for every declaration of the file's bridges,
    bridges that share one declaration together."""
    present = {r["bridge"] for r in _records(view)}
    grouped: dict[tuple[str, str], list[str]] = {}
    for bridge in spec.bridges():
        if bridge.name not in present or not bridge.threads_reason:
            continue
        said = []
        if bridge.releases_gil:
            every = set(bridge.releases_gil) == set(bridge.cells)
            said.append(
                "releases_gil: " + ("every cell" if every else ", ".join(bridge.releases_gil))
            )
        said.append(f"shared buffer: {bridge.shared_buffer}")
        grouped.setdefault(("; ".join(said), bridge.threads_reason), []).append(bridge.name)
    return [(", ".join(names), what, why) for (what, why), names in grouped.items()]


CAPTION = (
    "GIL released: whether a call on 10^6 elements or records let another Python thread run:",
    "`yes` when it released the GIL (a thread ticking between 20 µs sleeps ticked during the",
    "calls, the interpreter's forced switch being off); `switches` when it held the GIL but",
    "runs Python bytecode for every element (pure Python: the interpreter lets other threads",
    "in between bytecodes, every 5 ms); `no` otherwise. The evidence: the ticks during the",
    "calls and their time, or the Python lines one call runs.",
    "Private inputs: every cell from each thread on its own inputs, every answer compared bit",
    "for bit with the reference. Shared buffer: scale_inplace(a, 2.0) on one array of 10^6",
    "ones from every thread; each element must end as 2^(threads × calls). Holder, Counter:",
    "one object, append('x') / bump(1) from every thread, the interpreter switching threads",
    "as often as it can. Throughput: calls of scale.buffer on 10^6 elements per second from 1",
    "thread, and from 2 (each its own input), medians of alternated repetitions, as measured",
    "on this machine in this run, beside the load average as they began (runnable processes:",
    "above the usable cores, the second thread waits for a core). `≠ declared`: not what",
    "benches/bridges.toml says.",
)


def _caption(view: View) -> str:
    recs = _records(view)
    threads = "/".join(str(n) for n in sorted({r["threads"] for r in recs}))
    cores = "/".join(str(n) for n in sorted({r["usable_cores"] for r in recs}))
    return f"{threads} Python threads; {cores} usable cores. " + " ".join(CAPTION)


def section(view: View) -> str:
    found = rows(view)
    if not found:
        return ""
    body = tag("h2", "Threads")
    body += tag("p", esc(_caption(view)))
    names, numeric = head(view)
    body += table(
        names,
        [[esc(c) for c in r] for r, _ in found],
        numeric,
        row_classes=["bad" if odd else "" for _, odd in found],
        class_="data threads",
    )
    said = declarations(view)
    if said:
        items = "".join(
            tag("li", tag("b", esc(names)) + esc(f": {what}. Why: {why}"))
            for names, what, why in said
        )
        body += tag("p", esc("Declared in benches/bridges.toml ([bridge.threads]):"))
        body += tag("ul", items)
    return tag("section", body, id="threads")


def markdown(view: View) -> str:
    """summary.md's lines: which bridges release the GIL, what races or loses updates, and
    anything not as declared."""
    found = rows(view)
    if not found:
        return ""
    recs = _records(view)

    def having(outcome: str) -> str:
        names = [
            r["bridge"]
            for r in recs
            if any(
                thread_rules.kind(p) == "gil" and x["outcome"] == outcome
                for p, x in r["probes"].items()
            )
        ]
        return ", ".join(dict.fromkeys(names)) or "none"

    wrong = [
        f"{r['bridge']} {p}"
        for r in recs
        for p, x in r["probes"].items()
        if x["outcome"] in ("wrong", "crash", "hang", "error", "unclear")
    ]
    odd = [r[0] for r, bad in found if bad]
    # The shared probes and the throughput ratio: the rest is in report.html.
    names, _ = head(view)
    keep = [0] + [
        i for i, name in enumerate(names) if name.startswith("one shared") or name.endswith("/ 1")
    ]
    lines = [
        "## Threads",
        "",
        f"{len(recs)} bridges under {recs[0]['threads']} Python threads. GIL released in a "
        f"long call: {having('released')}; switched inside by the interpreter: "
        f"{having('switched')}. Not exact: {', '.join(wrong) or 'none'}."
        f" Not as declared: {', '.join(odd) or 'none'}.",
        "",
        md_table([names[i] for i in keep], [[r[i] for i in keep] for r, _ in found]),
    ]
    return "\n".join(lines) + "\n"
