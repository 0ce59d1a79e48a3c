"""Thread behaviour of one Python-side bridge: its probes (harness/thread_probes.py) run in
a child process, so a bridge that crashes or hangs under threads gives an outcome, never
the harness's death.

The child (`python -m bridgebench.harness.threads <bridge> <plan> <probe>...`) says when it
begins each probe and what it saw (typed records, bridgebench.harness.messages). If it
dies inside a probe, that probe's outcome is `crash` (with the signal) or `hang` (killed
after the timeout), and a new child carries on with the rest.

A bridge's record (results.json `threads`, docs/RESULTS.md) holds one result per probe
(bridgebench.thread_rules), each with an `outcome`: `gil:<cell>` released / switched /
held / unclear; `private` and `shared:<cell>` exact / wrong (`wrong` of `of`);
`throughput:<cell>` measured; any of them n/a (the bridge lacks the cell: `detail` says
why), crash, hang or error.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from bridgebench import spec, thread_rules
from bridgebench.harness import thread_probes
from bridgebench.harness.messages import decode, encode
from bridgebench.harness.thread_probes import Plan

# The bench's plans: a quick run repeats the throughput figure fewer times.
FULL = Plan()
QUICK = Plan(throughput_repeats=3)


@dataclass(frozen=True)
class Started:
    probe: str


@dataclass(frozen=True)
class Done:
    probe: str
    result: dict[str, Any]


def _probe(bridge: spec.Bridge, probe: str, plan: Plan) -> dict[str, Any]:
    if probe == "private":
        return thread_probes.private(bridge, plan)
    measure = {
        "gil": thread_probes.gil,
        "shared": thread_probes.shared,
        "throughput": thread_probes.throughput,
    }[thread_rules.kind(probe)]
    return measure(bridge.import_module(), thread_rules.cell_of(probe), plan)


def child(bridge_name: str, plan: Plan, probes: list[str]) -> None:
    bridge = spec.bridge(bridge_name)
    bridge.import_module()  # an import failure is the whole child's, not a probe's
    for probe in probes:
        print(encode(Started(probe)), flush=True)
        try:
            result = _probe(bridge, probe, plan)
        except Exception as exc:
            result = {"outcome": "error", "detail": f"{type(exc).__name__}: {exc}"[:500]}
            traceback.print_exc()
        print(encode(Done(probe, result)), flush=True)


def _not_applicable(bridge: spec.Bridge, cell: str) -> dict[str, Any]:
    return {"outcome": "n/a", "detail": bridge.na.get(cell, f"{bridge.name} has no {cell} cell")}


def _child(
    bridge: spec.Bridge,
    plan: Plan,
    probes: list[str],
    timeout: float,
    results: dict[str, dict[str, Any]],
) -> tuple[str | None, dict[str, Any]]:
    """Run `probes` in one child, adding each probe it finished to `results`. Returns None
    when it finished them all, else the probe it died in and that probe's crash or hang
    (RuntimeError if it died outside any probe: its module did not import, say)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", __name__, bridge.name, json.dumps(asdict(plan)), *probes],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=spec.child_env(),
        cwd=spec.ROOT,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
        hung = False
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        hung = True
    started = None
    for line in out.splitlines():
        msg = decode(line, (Started, Done))
        if isinstance(msg, Started):
            started = msg.probe
        else:
            results[msg.probe] = msg.result
            started = None
    if proc.returncode == 0 and not hung:
        return None, {}
    if started is None:
        raise RuntimeError(
            f"bridge `{bridge.name}`: the thread child (python/bridgebench/harness/threads.py) "
            f"failed (exit {proc.returncode}) outside any probe; is the bridge built "
            f"(`cargo xtask build`)?\n{err[-2000:]}"
        )
    if hung:
        how = f"killed after {timeout:.0f} s"
    elif proc.returncode < 0:
        how = signal.Signals(-proc.returncode).name
    else:
        how = f"exit {proc.returncode}"
    detail = f"{how}: {err[-300:]}" if err.strip() else how
    return started, {"outcome": "hang" if hung else "crash", "detail": detail}


def measure(
    bridge: spec.Bridge,
    plan: Plan = FULL,
    probes: list[str] | None = None,
    timeout: float = 600.0,
) -> dict[str, Any]:
    """The bridge's thread record: every probe in `probes` (default all), n/a where it
    lacks the probe's cell. RuntimeError when its module cannot even be imported."""
    wanted = list(thread_rules.probes()) if probes is None else probes
    results: dict[str, dict[str, Any]] = {}
    pending = []
    for probe in wanted:
        cell = thread_rules.probes()[probe]
        if cell is not None and cell not in bridge.cells:
            results[probe] = _not_applicable(bridge, cell)
        else:
            pending.append(probe)
    while pending:
        started, ended = _child(bridge, plan, pending, timeout, results)
        if started is None:
            break
        results[started] = ended
        pending = [p for p in pending if p not in results]
    return {
        "bridge": bridge.name,
        "threads": plan.threads,
        "usable_cores": thread_probes.usable_cores(),
        "probes": {p: results[p] for p in wanted},
    }


def _summary(record: dict[str, Any]) -> str:
    """One progress line's worth of a bridge's record."""
    probes = record["probes"]
    said = [
        f"{p} {r['outcome']}" + (f" ({r['wrong']} of {r['of']})" if r["outcome"] == "wrong" else "")
        for p, r in probes.items()
        if thread_rules.kind(p) != "throughput"
    ]
    said += [
        f"{p} 2 threads / 1: {r['ratio']:.2f}"
        for p, r in probes.items()
        if r["outcome"] == "measured"
    ]
    return "; ".join(said)


def measure_all(
    bridges: list[spec.Bridge], plan: Plan, progress: Callable[[str], None] = lambda _: None
) -> tuple[list[dict[str, Any]], list[str]]:
    """The thread record of every Python-side bridge in `bridges`, and an error per bridge
    whose module failed to load (left out, not guessed)."""
    records: list[dict[str, Any]] = []
    errors: list[str] = []
    python_side = [b for b in bridges if b.side == "python"]
    for i, bridge in enumerate(python_side, 1):
        clock = time.monotonic()
        try:
            record = measure(bridge, plan)
        except RuntimeError as exc:
            errors.append(f"{bridge.name}: {exc}")
            progress(f"[threads {i}/{len(python_side)}] {bridge.name} ERROR: {str(exc)[:200]}")
            continue
        records.append(record)
        progress(
            f"[threads {i}/{len(python_side)}] {bridge.name} ({time.monotonic() - clock:.0f} s):"
            f" {_summary(record)}"
        )
        for mismatch in thread_rules.mismatches(bridge, record):
            progress(f"    NOT AS DECLARED in benches/bridges.toml: {mismatch}")
    return records, errors


if __name__ == "__main__":
    fields = json.loads(sys.argv[2])
    plan = Plan(**dict(fields, private_sizes=tuple(fields["private_sizes"])))
    child(sys.argv[1], plan, sys.argv[3:])
