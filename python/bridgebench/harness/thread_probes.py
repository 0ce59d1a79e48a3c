"""The probes of a bridge's thread behaviour, run inside the child of harness/threads.py.

Each probe makes calls of one bridge's module from several Python threads and returns
what it saw as a plain dict (the results file's `threads` records, docs/RESULTS.md):

- `gil(cell)`: does a long call of the cell let another Python thread run while it works?
- `private`: 8 threads, each calling every cell on inputs of its own, every answer checked
  against the reference (the harness's own checks: bridgebench.kernels);
- `shared(cell)`: 8 threads calling the cell together on one buffer or object (its kernel
  module's `shared`), and how many units that lost;
- `throughput(cell)`: calls per second of the cell's long call from 1 and from 2 threads.

What each call is, the kernels say (bridgebench.kernels: `long_call`, `shared`); the
probed cells are in bridgebench.thread_rules.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from bridgebench import kernels, spec
from bridgebench.harness import cases


@dataclass(frozen=True)
class Plan:
    """How long and how wide each probe is (the bench's; the tests take smaller ones)."""

    threads: int = 8
    gil_n: int = 10**6  # elements or records per long call
    gil_min_ms: float = 100.0  # calls repeated until they took this long: a loaded machine may
    # not run the ticking thread in a short release (20 ms missed one at a load of 11 on 2 cores)
    private_rounds: int = 10  # each thread calls every cell this often, at each size
    private_sizes: tuple[int, ...] = (1, 1000)
    shared_n: int = 10**6  # a shared buffer's elements
    shared_calls: int = 16  # calls per thread on a shared buffer (scale: 2**(8 * 16) expected)
    shared_objects_calls: int = 5000  # calls per thread on a shared object
    # A race in Python code loses updates in some runs only (0 of 16,000 in one, 4,000 in
    # the next, for the reference's unguarded `+=`): several runs, their losses summed.
    shared_objects_trials: int = 4
    throughput_n: int = 10**6
    throughput_s: float = 0.3  # each measurement: calls made for this long
    throughput_repeats: int = 5


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextmanager
def _switch_interval(seconds: float) -> Iterator[None]:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


# While several threads share something, the interpreter switches between them as often
# as it can: at its default 5 ms one thread makes thousands of short calls alone, and the
# reference Holder's unguarded `+=` lost none of 16,000 appends from 8 threads in some
# runs; at 1 µs it lost 24,008 to 59,634 of 160,000 in each of 5 runs.
STRESS_SWITCH_INTERVAL_S = 1e-6


def _run_threads(
    count: int, body: Callable[[int], Any], switch_s: float = STRESS_SWITCH_INTERVAL_S
) -> list[Any]:
    """body(i) in `count` threads started together (a barrier), the interpreter switching
    between them every `switch_s`; their return values. An exception in a thread is
    re-raised here, after every thread has finished."""
    barrier = threading.Barrier(count)
    out: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            out[i] = body(i)
        except BaseException as exc:  # re-raised below, in the caller's thread
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    with _switch_interval(switch_s):
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    if errors:
        raise errors[0]
    return out


# ------------------------------------------------------------------------------ the GIL

# The spinner sleeps this long between ticks: it needs the GIL only for a moment per
# tick, so it never keeps the measured call waiting for the GIL when the call ends.
SPIN_SLEEP_S = 20e-6
# First the interpreter's forced switch is off (its default interval is 5 ms): the spinner
# can only tick while a call has released the GIL. A call that holds it gets 0 ticks; one
# that releases it, at least RELEASED_MIN_TICKS; anything between is "unclear".
NO_SWITCH_INTERVAL_S = 10.0
RELEASED_MIN_TICKS = 3
# Then, for a call that held it: does it run Python bytecode for every element? The
# interpreter switches threads only between bytecodes (every 5 ms by default), so a call
# that loops in Python (pure Python) lets other threads in throughout ("switched"), and a
# native one does not. Counted, not timed: the trace's line events of one call at two
# sizes; "switched" when they grow by SWITCHED_MIN_LINES per element or more.
TRACED_SIZES = (100, 10_000)
SWITCHED_MIN_LINES = 0.5


class _Spinner(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.ticks = 0
        self.stop = False

    def run(self) -> None:
        while not self.stop:
            self.ticks += 1
            time.sleep(SPIN_SLEEP_S)


@contextmanager
def _spinning() -> Iterator[_Spinner]:
    spinner = _Spinner()
    spinner.start()
    try:
        while spinner.ticks == 0:
            time.sleep(0.001)
        yield spinner
    finally:
        spinner.stop = True
        spinner.join()


def _ticks(call: Callable[[], Any], min_ms: float) -> tuple[int, int, float]:
    """(ticks, calls, ms): the spinner's ticks during calls repeated until they took
    `min_ms` together (100 calls at most), the forced switch off."""
    ticks = calls = 0
    spent = 0.0
    with _switch_interval(NO_SWITCH_INTERVAL_S), _spinning() as spinner:
        while spent * 1e3 < min_ms and calls < 100:
            before = spinner.ticks
            start = time.perf_counter()
            call()
            spent += time.perf_counter() - start
            ticks += spinner.ticks - before
            calls += 1
    return ticks, calls, round(spent * 1e3, 3)


def _function(module: ModuleType, cell: spec.Cell) -> Callable[..., Any]:
    return getattr(module, cell.function)


def gil(module: ModuleType, cell: spec.Cell, plan: Plan) -> dict[str, Any]:
    """Whether `cell`'s calls let another Python thread run: `released` (the call releases
    the GIL), `switched` (it holds it, but the interpreter switches threads inside it: pure
    Python), `held` or `unclear`; the evidence: the ticks of a spinning thread during the
    calls, with the calls and their time, and for a call that held the GIL the Python
    lines one call runs at each of TRACED_SIZES."""
    kernel, fn = kernels.of(cell), _function(module, cell)
    call = kernel.long_call(fn, cell, plan.gil_n)
    call()  # first touch: page faults and lazy set-up belong to no measured call
    ticks, calls, ms = _ticks(call, plan.gil_min_ms)
    found = {"cell": cell.name, "n": plan.gil_n, "calls": calls, "call_ms": ms, "ticks": ticks}
    if ticks >= RELEASED_MIN_TICKS:
        return {"outcome": "released", **found}
    if ticks > 0:
        return {"outcome": "unclear", **found}
    lines = [_lines(kernel.long_call(fn, cell, n)) for n in TRACED_SIZES]
    per_element = (lines[1] - lines[0]) / (TRACED_SIZES[1] - TRACED_SIZES[0])
    traced = {"traced_n": list(TRACED_SIZES), "traced_lines": lines}
    outcome = "switched" if per_element >= SWITCHED_MIN_LINES else "held"
    return {"outcome": outcome, **found, **traced}


def _lines(call: Callable[[], Any]) -> int:
    """The Python line events of one call (sys.settrace): 0 for a call into native code."""
    count = 0

    def trace(frame: Any, event: str, arg: Any) -> Any:
        nonlocal count
        count += event == "line"
        return trace

    sys.settrace(trace)
    try:
        call()
    finally:
        sys.settrace(None)
    return count


# -------------------------------------------------------------- outcomes of 8 threads


def _outcome(wrong: int, of: int, detail: str = "") -> dict[str, Any]:
    return {
        "outcome": "exact" if wrong == 0 else "wrong",
        "wrong": wrong,
        "of": of,
        "detail": detail,
    }


def private(bridge: spec.Bridge, plan: Plan) -> dict[str, Any]:
    """Every cell of the bridge from `plan.threads` threads, each on its own inputs (the
    harness's calls, built in the thread), each answer checked against the reference."""
    sizes = list(plan.private_sizes)

    def body(_: int) -> tuple[int, int, str]:
        calls = [
            call
            for name in bridge.cells
            for _n, call in cases.cases(
                bridge, spec.cells()[name], sizes if spec.cells()[name].sized else [None]
            )
        ]
        answers = wrong = 0
        first = ""
        for _round in range(plan.private_rounds):
            for call in calls:
                answers += 1
                try:
                    call.check()
                except Exception as exc:  # a wrong answer or a raise: both are wrong
                    wrong += 1
                    first = first or f"{type(exc).__name__}: {str(exc)[:200]}"
        return answers, wrong, first

    got = _run_threads(plan.threads, body)
    return _outcome(
        sum(w for _, w, _ in got), sum(a for a, _, _ in got), next((f for *_, f in got if f), "")
    )


def shared(module: ModuleType, cell: spec.Cell, plan: Plan) -> dict[str, Any]:
    """Every thread calling `cell` on one buffer or object (its kernel's `shared`): a buffer
    `shared_calls` times per thread, once; an object `shared_objects_calls` times per thread,
    `shared_objects_trials` times. The units lost, summed, of all."""
    kernel, fn = kernels.of(cell), _function(module, cell)
    buffer = kernel.SHARED[cell.strategy] == "buffer"
    per_thread = plan.shared_calls if buffer else plan.shared_objects_calls
    wrong = of = 0
    unit = ""
    for _trial in range(1 if buffer else plan.shared_objects_trials):
        target = kernel.shared(fn, cell, plan.shared_n)

        def body(_: int, call: Callable[[], Any] = target.call) -> None:
            for _call in range(per_thread):
                call()

        _run_threads(plan.threads, body)
        lost, units = target.wrong(plan.threads * per_thread)
        wrong, of, unit = wrong + lost, of + units, target.unit
    return {**_outcome(wrong, of), "unit": unit}


# ---------------------------------------------------------------------------- throughput


def _calls_per_second(make: Callable[[], Callable[[], Any]], threads: int, plan: Plan) -> float:
    """Long calls per second from `threads` threads, each on its own input (`make`), each
    calling for `throughput_s` seconds (to its last call's end)."""
    calls = [make() for _ in range(threads)]

    def body(i: int) -> tuple[int, float, float]:
        call, made = calls[i], 0
        start = now = time.perf_counter()
        while now < start + plan.throughput_s:
            call()
            made += 1
            now = time.perf_counter()
        return made, start, now

    got = _run_threads(threads, body, switch_s=sys.getswitchinterval())  # as a user's threads
    return sum(m for m, _, _ in got) / (max(e for *_, e in got) - min(s for _, s, _ in got))


def throughput(module: ModuleType, cell: spec.Cell, plan: Plan) -> dict[str, Any]:
    """The cell's long calls per second from 1 thread and from 2 (each its own input),
    alternated `throughput_repeats` times; medians and their ratio."""
    kernel, fn = kernels.of(cell), _function(module, cell)

    def make() -> Callable[[], Any]:
        return kernel.long_call(fn, cell, plan.throughput_n)

    make()()  # first touch
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    one, two = [], []
    for _repeat in range(plan.throughput_repeats):
        one.append(_calls_per_second(make, 1, plan))
        two.append(_calls_per_second(make, 2, plan))
    median_one, median_two = statistics.median(one), statistics.median(two)
    return {
        "outcome": "measured",
        "cell": cell.name,
        "n": plan.throughput_n,
        "seconds": plan.throughput_s,
        "one_thread_calls_per_s": [round(x, 2) for x in one],
        "two_threads_calls_per_s": [round(x, 2) for x in two],
        "one_thread_median": round(median_one, 2),
        "two_threads_median": round(median_two, 2),
        "ratio": round(median_two / median_one, 3),
        "usable_cores": usable_cores(),
        # runnable processes on the machine (1-minute mean) as it began: what else wanted
        # the cores the second thread needs
        "load_average": load,
    }
