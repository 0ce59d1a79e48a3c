"""The machine records of a results file, as the report, the summary, results.md and
`compare` show them: one per run, one per source of a merged file (`merge` keeps each
source's), each as bridgebench.steadiness words it."""

from __future__ import annotations

from typing import Any

from bridgebench import steadiness

Machine = dict[str, Any]
NOT_RECORDED = "Machine during the timing: not recorded in this file."


def of(data: dict[str, Any]) -> list[tuple[str | None, Machine | None]]:
    """(label, machine) of the single run (label None), or of every source of a merged
    file; machine None when the file does not say."""
    if "sources" in data:
        return [(s["label"], s.get("machine")) for s in data["sources"]]
    return [(None, data.get("machine"))]


def disturbed(machine: Machine | None) -> bool:
    return machine is not None and machine.get("verdict") == "disturbed"


def line(label: str | None, machine: Machine | None) -> str:
    """The steadiness line, after the source's label in a merged file."""
    text = steadiness.line(machine) if machine is not None else NOT_RECORDED
    return f"{label}: {text}" if label else text


def lines(data: dict[str, Any]) -> list[str]:
    return [line(label, machine) for label, machine in of(data)]


def markdown(data: dict[str, Any]) -> list[str]:
    """The lines as Markdown paragraphs, a disturbed machine's in bold: it is the first
    thing to know about the figures below it."""
    out = []
    for label, machine in of(data):
        text = line(label, machine)
        out += ["", f"**{text}**" if disturbed(machine) else text]
    return out[1:]
