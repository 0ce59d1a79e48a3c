"""The results report: one self-contained HTML page with SVG plots, and a Markdown summary.

`render(data, folder, base=None)` writes folder/report.html and folder/summary.md; with a
base results file both also compare NEW (data) against it. docs/REPORT.md says what each
section shows and how to read it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bridgebench.commands.compare import THRESHOLD
from bridgebench.report import compare, env, glance, kernel, markdown, missing, page
from bridgebench.report.fmt import esc
from bridgebench.report.view import View


def html(
    data: dict[str, Any], base: dict[str, Any] | None = None, threshold: float = THRESHOLD
) -> str:
    view = View(data)
    toc = [("glance", "At a glance")]
    body = []
    if base is not None:
        toc.append(("compare", "Compared with the base"))
        body.append(compare.section(view, base, data, threshold))
    body.insert(0, glance.section(view))
    for name in view.kernels:
        toc.append((f"kernel-{name}", name))
        body.append(kernel.section(view, name))
    toc += [("not-measured", "Not measured"), ("environment", "Environment")]
    body.append(missing.section(view))
    base_envs = View(base).environments() if base is not None else None
    body.append(env.section(view.environments(), base_envs))
    subtitle = []
    for title, e in view.environments():
        dirty = " (dirty)" if e.get("git_dirty") else ""
        subtitle.append(
            esc(
                f"{title} · commit {str(e.get('git_commit', '?'))[:12]}{dirty} · {e.get('cpu')}"
                f" ({e.get('cores')} cores) · Python {e.get('python')}"
            )
        )
    if base is not None:
        subtitle.append(esc(f"compared with the base run of {base.get('created', '?')}"))
    return page.document("bridgebench report", subtitle, toc, body)


def render(
    data: dict[str, Any],
    folder: Path,
    base: dict[str, Any] | None = None,
    threshold: float = THRESHOLD,
) -> tuple[Path, Path]:
    """Write folder/report.html and folder/summary.md; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    html_path, md_path = folder / "report.html", folder / "summary.md"
    html_path.write_text(html(data, base, threshold))
    md_path.write_text(markdown.summary(View(data), base, threshold))
    return html_path, md_path
