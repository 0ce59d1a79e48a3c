"""The report's Threads section (report/threads.py) and summary lines, on a synthetic results
dict: what each probe's outcome reads as, the mark of an outcome the registry does not
declare, the declarations with their reasons, and the schema of the records."""

from __future__ import annotations

from typing import Any

from test_schema import synthetic

from bridgebench import schema, spec
from bridgebench.commands import merge
from bridgebench.report import markdown, threads
from bridgebench.report.fmt import esc
from bridgebench.report.view import View


def _gil(outcome: str, ticks: int) -> dict[str, Any]:
    fields = {"cell": "scale.buffer", "n": 10**6, "calls": 12, "call_ms": 24.5}
    return {"outcome": outcome, **fields, "ticks": ticks}


def _exact(of: int, unit: str | None = None) -> dict[str, Any]:
    found = {"outcome": "exact", "wrong": 0, "of": of, "detail": ""}
    return found | ({"unit": unit} if unit else {})


def _record(bridge: str, **probes: dict[str, Any]) -> dict[str, Any]:
    base = {
        "gil:scale.buffer": _gil("held", 0),
        "gil:scale.inplace": _gil("held", 0),
        "gil:summarize.columns": _gil("held", 0),
        "private": _exact(1840),
        "shared:scale.inplace": _exact(10**6, "elements"),
        "shared:holder.create": _exact(160000, "appends"),
        "shared:counter.method": _exact(160000, "bumps"),
        "throughput:scale.buffer": {
            "outcome": "measured",
            "cell": "scale.buffer",
            "n": 10**6,
            "seconds": 0.3,
            "one_thread_calls_per_s": [400.0, 410.0],
            "two_threads_calls_per_s": [700.0, 720.0],
            "one_thread_median": 405.0,
            "two_threads_median": 710.0,
            "ratio": 1.753,
            "usable_cores": 2,
            "load_average": 0.4,
        },
    }
    return {"bridge": bridge, "threads": 8, "usable_cores": 2, "probes": base | probes}


def _data() -> dict[str, Any]:
    ctypes_released = {
        f"gil:{cell}": _gil("released", 140) for cell in ("scale.buffer", "scale.inplace")
    }
    return {
        "schema": schema.VERSION,
        "created": "2026-12-07T10:00:00+00:00",
        "mode": "quick",
        "plan": {},
        "environment": {
            "cpu": "x",
            "cores": 2,
            "os": "linux",
            "kernel": "6",
            "python": "3.11.7",
            "git_commit": "abc",
            "git_dirty": False,
            "tools": {},
        },
        "cells": [],
        "threads": [
            _record(
                "ctypes",
                **ctypes_released,
                **{"gil:summarize.columns": _gil("released", 90)},
                **{
                    "shared:scale.inplace": {"outcome": "wrong", "wrong": 5326, "of": 10**6}
                    | {"detail": "", "unit": "elements"}
                },
            ),
            # held where the registry says it releases: marked
            _record("pyo3"),
            # pure Python: holds the GIL, the interpreter switches inside its long calls
            _record(
                "python",
                **{
                    "gil:scale.buffer": _gil("held", 0)
                    | {"outcome": "switched", "traced_n": [100, 10000]}
                    | {"traced_lines": [103, 10003]}
                },
            ),
            _record(
                "protobuf",
                **{
                    f"gil:{c}": {"outcome": "n/a", "detail": "no buffer"}
                    for c in ("scale.buffer", "scale.inplace", "summarize.columns")
                },
                **{
                    "shared:scale.inplace": {"outcome": "n/a", "detail": "no scale.inplace"},
                    "shared:counter.method": {"outcome": "crash", "detail": "SIGSEGV: boom"},
                },
            ),
        ],
    }


def test_the_records_match_the_schema() -> None:
    assert schema.validate(_data()) == []
    bad = _data()
    bad["threads"][0]["probes"]["private"]["outcome"] = "fine"
    assert any("threads[0].probes.private.outcome" in e for e in schema.validate(bad))


def test_a_column_per_probe() -> None:
    names, numeric = threads.head(View(_data()))
    assert names == [
        "bridge",
        "GIL released: scale.buffer",
        "GIL released: scale.inplace",
        "GIL released: summarize.columns",
        "private inputs",
        "one shared buffer: scale.inplace",
        "one shared object: counter.method",
        "one shared object: holder.create",
        "scale.buffer calls/s, 1 thread",
        "2 threads",
        "2 threads / 1",
    ]
    assert numeric == [False] * 8 + [True] * 3


def test_each_outcome_reads_as_what_it_is() -> None:
    by_bridge = {r[0]: r for r, _ in threads.rows(View(_data()))}
    ctypes = by_bridge["ctypes"]
    assert ctypes[1] == "yes (140 ticks in 24 ms)"
    assert ctypes[5] == "races (5,326 of 1,000,000 elements wrong)"
    assert ctypes[6] == "exact (160,000 bumps)" and ctypes[7] == "exact (160,000 appends)"
    assert ctypes[8:] == ["405.0", "710.0", "1.75× (load 0.4)"]
    protobuf = by_bridge["protobuf"]
    assert protobuf[1] == "n/a" and protobuf[5] == "n/a"
    assert protobuf[6] == "crash (SIGSEGV) ≠ declared exact"


def test_pure_python_lets_others_run_by_switching() -> None:
    """The reference declares every call lets other threads run: a switch inside the call
    is that, a call that holds the GIL throughout is not."""
    row, odd = next((r, odd) for r, odd in threads.rows(View(_data())) if r[0] == "python")
    assert row[1] == "switches (Python: 10,003 lines run at n = 10,000; 0 ticks switching off)"
    assert row[2] == "no (0 ticks in 24 ms) ≠ declared released" and odd


def test_an_outcome_the_registry_does_not_declare_is_marked() -> None:
    """pyo3 declares scale.buffer released: a held call is marked, its row flagged."""
    assert "scale.buffer" in spec.bridge("pyo3").releases_gil
    found = {r[0]: (r, odd) for r, odd in threads.rows(View(_data()))}
    row, odd = found["pyo3"]
    assert odd and row[1] == "no (0 ticks in 24 ms) ≠ declared released"
    assert row[2] == "no (0 ticks in 24 ms)"  # scale.inplace holds, as declared


def test_the_section_shows_the_declarations_and_their_reasons() -> None:
    html = threads.section(View(_data()))
    assert html.startswith("<section") and 'id="threads"' in html
    assert 'class="bad"' in html  # the pyo3 row
    ctypes = spec.bridge("ctypes")
    assert ctypes.threads_reason and esc(ctypes.threads_reason) in html
    assert "races: " in html  # the declared shared-buffer outcome, with its why


def test_the_summary_says_what_races_and_what_is_not_declared() -> None:
    text = markdown.summary(View(_data()))
    assert "## Threads" in text
    line = next(x for x in text.splitlines() if x.startswith("4 bridges under 8"))
    assert "GIL released in a long call: ctypes; switched inside by the interpreter: python" in line
    assert "ctypes shared:scale.inplace" in line and "protobuf shared:counter.method" in line
    assert "Not as declared: python, pyo3, protobuf" in line


def test_a_file_without_thread_records_has_no_section() -> None:
    data = _data()
    del data["threads"]
    assert threads.section(View(data)) == "" and threads.markdown(View(data)) == ""


def test_each_sources_thread_records_survive_a_merge() -> None:
    """`merge` keeps a thread record per label and bridge; the report names the label."""
    a, b = synthetic("x"), synthetic("x", median=120.0)
    a["threads"], b["threads"] = [_record("pyo3")], [_record("pyo3")]
    b["threads"][0]["probes"]["shared:holder.create"] = _exact(8, "appends")
    out = merge.merge([("a.json", a), ("b.json", b)], ["py3.11", "py3.12"])
    assert schema.validate(out) == []
    assert [(r["label"], r["probes"]["shared:holder.create"]["of"]) for r in out["threads"]] == [
        ("py3.11", 160000),
        ("py3.12", 8),
    ]
    assert [r[0] for r, _ in threads.rows(View(out))] == ["pyo3 · py3.11", "pyo3 · py3.12"]
