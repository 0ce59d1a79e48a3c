"""How steady the machine was while a run measured it: one verdict and the figures behind it.

Two kinds of evidence, both gathered during the timing (harness/load.py, harness/canary.py):
- what else ran: the CPU that other processes used, in cores on average, and the share of
  CPU time the hypervisor stole, per phase (the Python harness, the criterion passes);
- how fast the machine was: the canary, a fixed pure-Python loop timed after every sample
  on the Python side, summarized over the run (its 10th, 50th and 90th percentile) and
  per round (the median of each round's probes: a drift shows as rounds that differ).

The run is `disturbed` when another process competed for the CPUs or the hypervisor stole
time: causes outside the VM's own behaviour, which a user can see to. The canary's
figures are shown beside, but they are no reason: on the shared VMs this project runs on,
the host flips the VM between a fast and a slow state within milliseconds all day (the
canary's 90th percentile 1.8-2.0x its 10th, with or without a busy neighbour), and the
mixture shifts over minutes, so the canary's median moved by 1.19x between the rounds of
a run in which other processes used 0.01 cores (2026-12-06). Every bridge of a cell met
the same mixture within its round, which is why ratios pair rounds. Nothing is corrected
by any of this: the figures are what the machine did, and this says what it was doing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from bridgebench.harness.load import Measured

# Other processes busy for a fifth of a core on average: more than a shell, an editor and
# the odd cron job, which use a few hundredths.
OTHERS_CORES = 0.2
STEAL_SHARE = 0.05


def phase(load: Measured) -> dict[str, Any]:
    return {
        "seconds": load.seconds,
        "others_cores": load.others_cores,
        "steal_share": load.steal_share,
    }


def canary_fields(rounds: Sequence[Sequence[int]]) -> dict[str, Any]:
    """The canary over the run and each round's median, in ns."""
    every = np.array([x for r in rounds for x in r], dtype=np.float64)
    if not len(every):
        return {}
    p10, p50, p90 = np.percentile(every, [10.0, 50.0, 90.0])
    return {
        "canary_ns": {"p10": float(p10), "median": float(p50), "p90": float(p90)},
        "canary_round_medians_ns": [float(np.median(r)) for r in rounds if len(r)],
    }


def verdict(phases: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """`steady` or `disturbed`, with a reason per threshold crossed, over every phase."""
    reasons = []
    for name, p in phases.items():
        others, steal = p.get("others_cores"), p.get("steal_share")
        if others is not None and others >= OTHERS_CORES:
            reasons.append(
                f"{name}: other processes kept {others:.2f} cores busy on average"
                f" (threshold {OTHERS_CORES})"
            )
        if steal is not None and steal >= STEAL_SHARE:
            reasons.append(f"{name}: the hypervisor stole {steal:.1%} of CPU time")
    return {"verdict": "disturbed" if reasons else "steady", "reasons": reasons, "phases": phases}


def line(machine: dict[str, Any]) -> str:
    """The report's one line on the run's machine."""
    parts = []
    for name, p in machine["phases"].items():
        bits = []
        if p.get("others_cores") is not None:
            bits.append(f"others used {p['others_cores']:.2f} cores")
        if p.get("steal_share") is not None:
            bits.append(f"steal {p['steal_share']:.1%}")
        if p.get("canary_ns"):
            c = p["canary_ns"]
            spread = f"canary {c['median'] / 1e3:.1f} µs (p10–p90 ×{c['p90'] / c['p10']:.2f}"
            rounds = p.get("canary_round_medians_ns") or []
            if len(rounds) >= 2:
                spread += f", rounds' medians ×{max(rounds) / min(rounds):.2f}"
            bits.append(spread + ")")
        parts.append(f"{name}: " + ", ".join(bits))
    head = "steady" if machine["verdict"] == "steady" else "DISTURBED"
    why = f" — {'; '.join(machine['reasons'])}" if machine["reasons"] else ""
    return f"Machine during the timing: {head} ({'; '.join(parts)}){why}."
