"""How steady the machine was (bridgebench.steadiness, harness/load.py)."""

from __future__ import annotations

import subprocess
import sys
import time

from bridgebench import steadiness
from bridgebench.harness.load import Load

QUIET = {"seconds": 400.0, "others_cores": 0.01, "steal_share": 0.0}
CANARY = {
    "canary_ns": {"p10": 58e3, "median": 64e3, "p90": 118e3},
    "canary_round_medians_ns": [72e3, 61e3, 64e3],
}


def test_a_busy_process_that_is_not_ours_shows_as_other_load() -> None:
    load = Load.start()
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(1.0)
        measured = load.stop()  # before waiting for it: its CPU is not ours yet
    finally:
        busy.kill()
        busy.wait()
    assert measured.others_cores is not None and measured.others_cores >= 0.5
    assert measured.steal_share is not None and 0 <= measured.steal_share <= 1


def test_only_other_load_or_steal_makes_a_run_disturbed() -> None:
    # The VM's own moods (a wide canary, rounds that differ) are shown, not judged.
    steady = steadiness.verdict({"python": QUIET | CANARY, "rust": QUIET})
    assert steady["verdict"] == "steady" and steady["reasons"] == []
    busy = steadiness.verdict({"python": QUIET | {"others_cores": 0.98}, "rust": QUIET})
    assert busy["verdict"] == "disturbed"
    assert busy["reasons"] == [
        "python: other processes kept 0.98 cores busy on average (threshold 0.2)"
    ]
    stolen = steadiness.verdict({"rust": QUIET | {"steal_share": 0.08}})
    assert stolen["reasons"] == ["rust: the hypervisor stole 8.0% of CPU time"]


def test_the_line_gives_every_figure_behind_the_verdict() -> None:
    line = steadiness.line(steadiness.verdict({"python": QUIET | CANARY, "rust": QUIET}))
    assert line == (
        "Machine during the timing: steady (python: others used 0.01 cores, steal 0.0%,"
        " canary 64.0 µs (p10–p90 ×2.03, rounds' medians ×1.18); rust: others used 0.01"
        " cores, steal 0.0%)."
    )
    busy = steadiness.verdict({"python": QUIET | {"others_cores": 0.98}})
    assert steadiness.line(busy).startswith("Machine during the timing: DISTURBED (")
    assert steadiness.line(busy).endswith("(threshold 0.2).")
