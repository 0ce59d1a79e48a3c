"""`python -m bridgebench record`: a full run is kept under benches/records/<date>-<machine>/;
a quick run or a file that fails the schema is refused."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from bridgebench.commands import record

FIXTURE = Path(__file__).parent / "fixtures" / "report_results.json"


def _run(tmp_path: Path, mode: str) -> Path:
    run = tmp_path / "run"
    run.mkdir()
    data = json.loads(FIXTURE.read_text())
    data["mode"] = mode
    (run / "results.json").write_text(json.dumps(data))
    (run / "results.md").write_text("# results\n")
    return run


def test_a_full_run_is_kept_under_its_date_and_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(record, "RECORDS", tmp_path / "records")
    monkeypatch.setattr(record.spec, "ROOT", tmp_path)
    run = _run(tmp_path, "full")
    assert record.run(argparse.Namespace(run=run, id=None)) == 0
    data = json.loads((run / "results.json").read_text())
    kept = tmp_path / "records" / record.record_id(data)
    assert kept.name.startswith(data["created"][:10] + "-")
    assert kept.name.endswith(f"-{data['environment']['cores']}core")
    assert (kept / "results.json").read_bytes() == (run / "results.json").read_bytes()
    assert (kept / "results.md").is_file()


def test_a_quick_run_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(record, "RECORDS", tmp_path / "records")
    run = _run(tmp_path, "quick")
    assert record.run(argparse.Namespace(run=run, id=None)) == 2
    assert not (tmp_path / "records").exists()
    shutil.rmtree(run)
