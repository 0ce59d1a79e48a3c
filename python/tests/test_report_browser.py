"""The report in a real browser: headless Chromium (Debian's package) through Playwright.

Renders the fixture (tests/fixtures/report_results.json) in compare mode, so every kind
of section is on the page, opens it from file://, and fails on any console error, page
error or request that leaves the file (the page must need no network). Every <svg> plot
must have a non-zero box and drawn marks. A full-page screenshot is kept as a build
artifact: build/artifacts/report.png.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import support
from bridgebench import report, spec

FIXTURE = Path(__file__).parent / "fixtures" / "report_results.json"
SCREENSHOT = spec.ROOT / "build" / "artifacts" / "report.png"

# Per plot: its box and how many data marks (bars, lines, points) it drew.
MEASURE_PLOTS = """() => [...document.querySelectorAll('svg.plot')].map(svg => {
  const box = svg.getBoundingClientRect();
  const marks = [...svg.querySelectorAll('.mark')].filter(m => {
    const b = m.getBBox(); return b.width > 0 || b.height > 0;
  });
  return {title: svg.getAttribute('aria-label'), width: box.width, height: box.height,
          marks: marks.length};
})"""


# The page's first section, the per-cell ranking: its id, its tables, whether any of their
# cells clips its text, and where it starts against the machine line in the header.
MEASURE_LEAD = """() => {
  const first = document.querySelector('main section');
  const machine = document.querySelector('header p.machine');
  const tables = [...first.querySelectorAll('table.rank')];
  const clipped = [...first.querySelectorAll('table.rank td')]
    .filter(td => td.scrollWidth > td.clientWidth + 1).map(td => td.textContent);
  return {first: first.id, tables: tables.length,
          empty: tables.filter(t => t.getBoundingClientRect().height <= 0).length,
          clipped: clipped, machine_bottom: machine ? machine.getBoundingClientRect().bottom : null,
          first_top: first.getBoundingClientRect().top};
}"""


def _slower_base(data: dict[str, Any]) -> dict[str, Any]:
    """A base in which one cell was 2x faster against its floor, so compare mode has a
    change to show."""
    base = copy.deepcopy(data)
    for cell in base["cells"]:
        if cell["bridge"] == "pyo3" and cell["cell"] == "add":
            cell["ratio"] /= 2
            cell["ratio_ci95"] = [x / 2 for x in cell["ratio_ci95"]]
    return base


def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    data = json.loads(FIXTURE.read_text())
    html_path, _ = report.render(data, tmp_path, base=_slower_base(data))
    with support.chromium_page() as (page, seen):
        page.goto(html_path.as_uri(), wait_until="load")
        plots = page.evaluate(MEASURE_PLOTS)
        lead = page.evaluate(MEASURE_LEAD)
        sections = page.evaluate("() => document.querySelectorAll('section').length")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
    errors, outside = seen.errors, seen.outside
    print(f"\nscreenshot: {SCREENSHOT} ({SCREENSHOT.stat().st_size:,} bytes)")
    print(f"{len(plots)} plots, {sections} sections")
    assert not errors, "the page logged errors:\n" + "\n".join(errors)
    assert not outside, f"the page made requests beyond its file: {outside}"
    # at a glance + compare + one bar chart per cell + a sweep chart per sequence cell
    assert len(plots) >= 20, f"only {len(plots)} plots rendered"
    empty = [p for p in plots if p["width"] <= 0 or p["height"] <= 0 or p["marks"] == 0]
    assert not empty, f"plots without a box or without drawn marks: {empty}"
    assert SCREENSHOT.stat().st_size > 50_000, "the screenshot is suspiciously small"
    # The machine line, then the per-cell ranking: a table per side of every timed cell,
    # each drawn, none clipping a figure.
    assert lead["first"] == "per-cell"
    assert lead["machine_bottom"] is not None and lead["machine_bottom"] < lead["first_top"]
    timed = {(c["cell"], c["side"]) for c in data["cells"] if c["status"] == "ok"}
    assert lead["tables"] == len(timed) and lead["empty"] == 0
    assert lead["clipped"] == [], f"ranking cells too narrow for their text: {lead['clipped']}"
