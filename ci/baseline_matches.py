"""Exit 0 when ci/gate-baseline.json has an entry measured on this toolchain, 1 when not
(naming what differs from the closest entry), 2 when it cannot be read. ci/gate.sh asks
this before gating a push against the committed baseline, so a runner of another kind
falls back to comparing two commits instead of failing on counts that were never
comparable (docs/CI.md).

Run with the project venv's python (the `bridgebench` package on its path).
"""

from __future__ import annotations

import sys
from pathlib import Path

from bridgebench import environment, gate, spec

BASELINE = spec.ROOT / "ci" / "gate-baseline.json"


def main() -> int:
    if not BASELINE.exists():
        print(f"{BASELINE}: missing; create it with `python -m bridgebench gate-update`")
        return 1
    try:
        baselines = gate.load(BASELINE)
    except gate.GateError as exc:
        print(exc)
        return 2
    here = gate.fingerprint(environment.describe())
    if gate.for_toolchain(baselines, here) is not None:
        print(f"{Path(BASELINE).name} has an entry for this toolchain")
        return 0
    closest = gate.closest(baselines, here)
    if closest is not None:
        for name, (was, now) in gate.fingerprint_diff(closest.fingerprint, here).items():
            print(f"  {name}: closest baseline {was!r}, this runner {now!r}")
    print(f"{Path(BASELINE).name} has no entry for this toolchain ({len(baselines)} entries)")
    return 1


if __name__ == "__main__":
    sys.exit(main())
