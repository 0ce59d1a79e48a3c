"""Every Python-side bridge under Python threads behaves as benches/bridges.toml declares
([bridge.threads]; docs/protocol.md, "Threads"), measured in a child process per bridge
(bridgebench.harness.threads): which buffer cells release the GIL, the shared buffer exact
or racing, every Holder keeping every append and every Counter every bump from 8 threads,
and every answer exact with 8 threads on private inputs.

The probes themselves are tested on small stand-ins that do what a bridge could do wrong
(numpy's own multiply releases the GIL and races; an unguarded `+=` loses updates), so a
probe that cannot see a failure fails here; and the parent's handling of a child that
crashes or hangs, with a stand-in interpreter.
"""

from __future__ import annotations

import stat
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from bridgebench import spec
from bridgebench.harness import thread_probes, threads
from bridgebench.harness.thread_probes import Plan
from bridgebench.thread_rules import declared, kind, mismatches, probes

# The bench's probes, shorter: no throughput (a speed, measured by the bench, not tested);
# calls on 10^6 elements stay long enough for a release to show.
TEST_PLAN = Plan(private_rounds=3, shared_calls=32)
# Pure Python is 100x slower per element: the reference's long calls are shorter inputs.
REFERENCE_PLAN = Plan(private_rounds=3, gil_n=5 * 10**5, shared_n=10**5, shared_calls=4)
TESTED = [p for p in probes() if kind(p) != "throughput"]


@pytest.mark.parametrize("bridge", spec.python_bridges(), ids=lambda b: b.name)
def test_thread_behaviour_is_as_declared(bridge: spec.Bridge) -> None:
    plan = REFERENCE_PLAN if bridge == spec.reference() else TEST_PLAN
    record = threads.measure(bridge, plan, probes=TESTED, timeout=300)
    # A declared race shows in most runs, not all (how the threads interleave): an exact run
    # of a racing bridge is measured again, a few times, before it counts as a mismatch.
    for probe in [p for p in TESTED if declared(bridge, p) == "wrong"]:
        for _ in range(4):
            if record["probes"][probe]["outcome"] != "exact":
                break
            again = threads.measure(bridge, plan, probes=[probe], timeout=300)
            record["probes"][probe] = again["probes"][probe]
    assert not mismatches(bridge, record), (
        "not as benches/bridges.toml [bridge.threads] declares (or a probe failed); fix the "
        "binding or the declaration:\n  " + "\n  ".join(mismatches(bridge, record))
    )
    for probe, result in record["probes"].items():  # objects keep every call, answers exact
        if probe == "private" or (kind(probe) == "shared" and probe != "shared:scale.inplace"):
            assert result["outcome"] in ("exact", "n/a"), (bridge.name, probe, result)


# ----------------------------------------------------------- the probes can see failure


class _Unguarded:
    """A Holder and a Counter as Python code without a lock: read, call, write (the
    interpreter may switch threads at the call, as at the reference's utf8() or add())."""

    def __init__(self, start: str | int = "") -> None:
        self.data: Any = start

    @staticmethod
    def _same(x: Any) -> Any:
        return x

    def append(self, more: str) -> None:
        self.data = self.data + self._same(more)

    def utf8_len(self) -> int:
        return len(self.data.encode())

    def bump(self, by: int) -> int:
        self.data = self.data + self._same(by)
        return int(self.data)

    @property
    def value(self) -> int:
        return int(self.data)


NUMPY = SimpleNamespace(
    scale_buffer=lambda values, factor: np.multiply(values, factor),
    scale_inplace=lambda values, factor: np.multiply(values, factor, out=values),
    Holder=_Unguarded,
    Counter=_Unguarded,
)


def test_the_gil_probe_sees_a_release_and_a_hold() -> None:
    """numpy's multiply of 10^6 float64 releases the GIL; a call that holds it does not
    let the spinning thread tick, however long it takes."""
    cell = spec.cells()["scale.buffer"]
    released = thread_probes.gil(NUMPY, cell, TEST_PLAN)  # type: ignore[arg-type]
    assert released["outcome"] == "released" and released["ticks"] >= 3, released

    def held(values: np.ndarray, factor: float) -> int:
        return sum(range(300_000))  # one C loop, with the GIL held throughout

    holding = SimpleNamespace(scale_buffer=held)
    result = thread_probes.gil(holding, cell, TEST_PLAN)  # type: ignore[arg-type]
    assert result["outcome"] == "held" and result["ticks"] == 0 and result["call_ms"] > 5, result


def _shows_failure(cell: str, plan: Plan, attempts: int = 5) -> dict[str, Any]:
    """The shared probe's result on the stand-ins, run again (up to `attempts`) until it
    shows a failure: a race shows in some runs only, so one exact run proves no probe blind."""
    for _ in range(attempts):
        result = thread_probes.shared(NUMPY, spec.cells()[cell], plan)  # type: ignore[arg-type]
        if result["outcome"] == "wrong":
            break
    return result


def test_the_shared_probes_see_races_and_lost_updates() -> None:
    """numpy's in-place multiply races from 8 threads; unguarded Python loses updates."""
    racing = _shows_failure("scale.inplace", Plan(shared_calls=32))
    assert racing["outcome"] == "wrong" and racing["wrong"] > 0, racing
    assert racing["unit"] == "elements" and racing["of"] == 10**6
    for cell, unit in (("holder.create", "appends"), ("counter.method", "bumps")):
        lost = _shows_failure(cell, TEST_PLAN)
        assert lost["outcome"] == "wrong" and 0 < lost["wrong"] < lost["of"], (cell, lost)
        assert lost["unit"] == unit and lost["of"] == 4 * 8 * 5000


def test_declared_outcomes_follow_the_registry() -> None:
    ctypes, pyo3 = spec.bridge("ctypes"), spec.bridge("pyo3")
    assert declared(ctypes, "shared:scale.inplace") == "wrong"
    assert declared(ctypes, "gil:scale.inplace") == "released"
    assert declared(pyo3, "gil:scale.buffer") == "released"
    assert declared(pyo3, "gil:scale.inplace") == "held"
    assert declared(pyo3, "shared:scale.inplace") == declared(pyo3, "shared:holder.create")
    assert declared(pyo3, "shared:holder.create") == "exact"


# ------------------------------------------------- a child that crashes or hangs


def _stand_in(tmp_path: Path, then: str) -> str:
    """An interpreter that begins its first probe (argv: -m module bridge plan probe...)
    and then does `then`."""
    script = tmp_path / "python"
    script.write_text(
        f'#!/bin/sh\necho "{{\\"type\\": \\"Started\\", \\"probe\\": \\"$5\\"}}"\n{then}\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_a_child_that_dies_in_a_probe_is_that_probes_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(threads.sys, "executable", _stand_in(tmp_path, "kill -SEGV $$"))
    record = threads.measure(
        spec.reference(), TEST_PLAN, probes=["private", "shared:holder.create"]
    )
    for probe in ("private", "shared:holder.create"):
        result = record["probes"][probe]
        assert result["outcome"] == "crash" and result["detail"].startswith("SIGSEGV"), result


def test_a_child_that_hangs_in_a_probe_is_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(threads.sys, "executable", _stand_in(tmp_path, "exec sleep 60"))
    probe = "shared:counter.method"
    record = threads.measure(spec.reference(), TEST_PLAN, probes=[probe], timeout=1)
    assert record["probes"][probe]["outcome"] == "hang", record
