"""Exit 0 when ci/gate-baseline.json was measured on this toolchain, 1 when not (naming
what differs), 2 when it cannot be read. ci/gate.sh asks this before gating a push against
the committed baseline, so a runner of another kind falls back to comparing two commits
instead of failing on counts that were never comparable (docs/CI.md).

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
        baseline = gate.load(BASELINE)
    except gate.GateError as exc:
        print(exc)
        return 2
    diff = gate.fingerprint_diff(baseline.fingerprint, gate.fingerprint(environment.describe()))
    for name, (was, now) in diff.items():
        print(f"  {name}: baseline {was!r}, this runner {now!r}")
    print(f"{Path(BASELINE).name} {'does not match' if diff else 'matches'} this toolchain")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
