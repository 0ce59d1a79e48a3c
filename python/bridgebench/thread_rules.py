"""The thread probes (bridgebench.harness.threads) and what the registry promises for each:
the one place the harness, the report and the tests read a bridge's declared thread
behaviour ([bridge.threads] in benches/bridges.toml) from.

Which cells are probed is the kernels' to say (their modules' LONG_CALLS, SHARED and
THROUGHPUT: bridgebench.kernels). A probe is named after what it does and its cell:
`gil:<cell>` (does its call let other Python threads run?), `private` (every cell from
every thread on inputs of its own), `shared:<cell>` (threads calling together on one
buffer or object), `throughput:<cell>` (calls per second from 1 and from 2 threads).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from bridgebench import kernels, spec

# `releases_gil` promises that other Python threads run during the cell's calls: by a
# release of the GIL, or, in pure Python, by the interpreter's switch inside the call.
LETS_OTHERS_RUN = ("released", "switched")


def _cells_with(attribute: str) -> list[spec.Cell]:
    return [c for c in spec.cells().values() if c.strategy in getattr(kernels.of(c), attribute, ())]


@cache
def probes() -> dict[str, str | None]:
    """Every probe and the cell it needs (None: every bridge has it), in report order."""
    found: dict[str, str | None] = {f"gil:{c.name}": c.name for c in _cells_with("LONG_CALLS")}
    found["private"] = None
    shared = sorted(_cells_with("SHARED"), key=lambda c: (kernels.of(c).SHARED[c.strategy], c.name))
    found |= {f"shared:{c.name}": c.name for c in shared}  # buffers first, then objects
    found |= {f"throughput:{c.name}": c.name for c in _cells_with("THROUGHPUT")}
    return found


def kind(probe: str) -> str:
    """gil, private, shared or throughput."""
    return probe.partition(":")[0]


def cell_of(probe: str) -> spec.Cell:
    return spec.cells()[probe.partition(":")[2]]


def shared_kind(probe: str) -> str:
    """A shared probe's "buffer" (the caller's memory) or "object" (the bridge's)."""
    cell = cell_of(probe)
    return str(kernels.of(cell).SHARED[cell.strategy])


def declared(bridge: spec.Bridge, probe: str) -> str:
    """The outcome the registry promises for `probe`: a `gil:` cell's released or held; a
    shared buffer's exact, wrong (races) or crash as `shared_buffer` says; throughput
    measured; exact for the rest."""
    if kind(probe) == "gil":
        return "released" if cell_of(probe).name in bridge.releases_gil else "held"
    if kind(probe) == "shared" and shared_kind(probe) == "buffer":
        head = bridge.shared_buffer.partition(":")[0].strip()
        return {"exact": "exact", "races": "wrong", "crash": "crash"}[head]
    return "measured" if kind(probe) == "throughput" else "exact"


def agrees(bridge: spec.Bridge, probe: str, outcome: str) -> bool:
    """Whether a measured outcome is what the registry declares for `probe`."""
    want = declared(bridge, probe)
    return outcome in LETS_OTHERS_RUN if want == "released" else outcome == want


def mismatches(bridge: spec.Bridge, record: dict[str, Any]) -> list[str]:
    """Every probe of a thread record whose outcome is not what the registry declares (n/a
    probes aside): what the tests assert empty and the report marks."""
    return [
        f"{bridge.name} {probe}: declared {declared(bridge, probe)}, measured "
        f"{result['outcome']} ({result.get('detail') or _evidence(result)})"
        for probe, result in record["probes"].items()
        if result["outcome"] != "n/a" and not agrees(bridge, probe, result["outcome"])
    ]


def _evidence(result: dict[str, Any]) -> str:
    """A probe's figures, for a message."""
    return ", ".join(f"{k} {v}" for k, v in result.items() if k not in ("outcome", "detail"))
