"""The thread probes (bridgebench.harness.threads) and what the registry promises for each:
the one place the harness, the report and the tests read a bridge's declared thread
behaviour ([bridge.threads] in benches/bridges.toml) from.
"""

from __future__ import annotations

from typing import Any

from bridgebench import spec

# The cells whose calls read or write a caller's buffer: where releasing the GIL is a choice.
GIL_CELLS = ("scale.buffer", "scale.inplace", "summarize.columns")

# Each probe and the cell it needs (None: every bridge has it).
PROBES: dict[str, str | None] = {
    **{f"gil:{cell}": cell for cell in GIL_CELLS},
    "private": None,
    "shared_buffer": "scale.inplace",
    "holder": "holder.create",
    "counter": "counter.method",
    "throughput": "scale.buffer",
}


# `releases_gil` promises that other Python threads run during the cell's calls: by a
# release of the GIL, or, in pure Python, by the interpreter's switch inside the call.
LETS_OTHERS_RUN = ("released", "switched")


def declared(bridge: spec.Bridge, probe: str) -> str:
    """The outcome the registry promises for `probe`: a `gil:` cell's released / held, the
    shared buffer's exact / wrong / crash; throughput measured; exact for the rest."""
    if probe.startswith("gil:"):
        return "released" if probe.removeprefix("gil:") in bridge.releases_gil else "held"
    if probe == "shared_buffer":
        kind = bridge.shared_buffer.partition(":")[0].strip()
        return {"exact": "exact", "races": "wrong", "crash": "crash"}[kind]
    return "measured" if probe == "throughput" else "exact"


def mismatches(bridge: spec.Bridge, record: dict[str, Any]) -> list[str]:
    """Every probe of a thread record whose outcome is not what the registry declares (n/a
    probes aside): what the tests assert empty and the report marks."""
    return [
        f"{bridge.name} {probe}: declared {declared(bridge, probe)}, measured "
        f"{result['outcome']}" + (f" ({result['detail']})" if result.get("detail") else "")
        for probe, result in record["probes"].items()
        if result["outcome"] != "n/a" and not agrees(bridge, probe, result["outcome"])
    ]


def agrees(bridge: spec.Bridge, probe: str, outcome: str) -> bool:
    """Whether a measured outcome is what the registry declares for `probe`."""
    want = declared(bridge, probe)
    return outcome in LETS_OTHERS_RUN if want == "released" else outcome == want
