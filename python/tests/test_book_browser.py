"""The teaching book in a real browser: headless Chromium (Debian's package) through
Playwright opens three pages of the built book — a bridge page, the guide and the seed
article's examples — and fails on any console error, page error or request that leaves
the book's files, on a figure that did not render, and on a plot without drawn marks. A
screenshot of the guide is kept as a build artifact: build/artifacts/book-guide.png.
"""

from __future__ import annotations

from pathlib import Path

import support
from bridgebench import spec

PAGES = ["bridges/pybind11.html", "guide.html", "seed.html"]
SCREENSHOT = spec.ROOT / "build" / "artifacts" / "book-guide.png"

# Every rendered figure's text, every plot's box and drawn marks, and any directive or
# include left in the page's text.
MEASURE = """() => ({
  figures: [...document.querySelectorAll('main .bb-figure')].map(s => s.textContent.trim()),
  plots: [...document.querySelectorAll('main svg.plot')].map(svg => {
    const box = svg.getBoundingClientRect();
    return {width: box.width, height: box.height, marks: svg.querySelectorAll('.mark').length};
  }),
  left: (document.querySelector('main').innerText.match(/\\{\\{#\\w+[^}]*\\}\\}/g) || []),
  title: document.title,
})"""


def test_three_pages_render_in_headless_chromium(built_book: Path) -> None:
    seen: dict[str, dict[str, object]] = {}
    with support.chromium_page() as (page, browsed):
        for name in PAGES:
            page.goto((built_book / name).as_uri(), wait_until="load")
            seen[name] = page.evaluate(MEASURE)
            if name == "guide.html":
                SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOT), full_page=True)
    errors, outside = browsed.errors, browsed.outside
    print(f"\nscreenshot: {SCREENSHOT} ({SCREENSHOT.stat().st_size:,} bytes)")
    assert not errors, "the book logged errors:\n" + "\n".join(errors)
    assert not outside, f"the book made requests beyond its files: {outside}"
    for name, found in seen.items():
        figures = found["figures"]
        assert isinstance(figures, list) and len(figures) >= 5, f"{name}: {figures}"
        assert all(f and f != "–" for f in figures), f"{name}: an empty figure: {figures}"
        assert found["left"] == [], f"{name}: unexpanded {found['left']}"
        plots = found["plots"]
        assert isinstance(plots, list)
        empty = [p for p in plots if p["width"] <= 0 or p["height"] <= 0 or p["marks"] == 0]
        assert not empty, f"{name}: plots without a box or drawn marks: {empty}"
    bridge_plots = seen["bridges/pybind11.html"]["plots"]
    assert isinstance(bridge_plots, list) and len(bridge_plots) >= 1
