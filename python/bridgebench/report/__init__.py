"""The results report: one self-contained HTML page with SVG plots, and a Markdown summary.

`render(data, folder, base=None)` writes folder/report.html and folder/summary.md; with a
base results file both also compare NEW (data) against it. docs/REPORT.md says what each
section shows and how to read it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bridgebench import machines
from bridgebench.comparison import THRESHOLD
from bridgebench.report import (
    builds,
    cells,
    compare,
    env,
    glance,
    kernel,
    markdown,
    missing,
    page,
    stable_abi,
    threads,
    versions,
)
from bridgebench.report.fmt import esc, tag
from bridgebench.report.view import View


def machine_lines(data: dict[str, Any]) -> list[str]:
    """The steadiness line of the run, or of each source of a merged file, as the first
    paragraphs under the title; a disturbed machine's stands out."""
    return [
        tag(
            "p",
            esc(machines.line(label, machine)),
            class_="machine disturbed" if machines.disturbed(machine) else "machine",
        )
        for label, machine in machines.of(data)
    ]


def html(
    data: dict[str, Any], base: dict[str, Any] | None = None, threshold: float = THRESHOLD
) -> str:
    view = View(data)
    toc = [("per-cell", "Per cell"), ("glance", "At a glance")]
    body = [cells.section(view), glance.section(view)]
    if base is not None:
        toc.append(("compare", "Compared with the base"))
        body.append(compare.section(view, base, data, threshold))
    across = versions.section(view)
    if across:
        toc.append(("versions", "Across CPython versions"))
        body.append(across)
    abi3 = stable_abi.section(view)
    if abi3:
        toc.append(("stable-abi", "The price of the stable ABI"))
        body.append(abi3)
    threaded = threads.section(view)
    if threaded:
        toc.append(("threads", "Threads"))
        body.append(threaded)
    for name in view.kernels:
        toc.append((f"kernel-{name}", name))
        body.append(kernel.section(view, name))
    toc += [
        ("builds", "What it costs to build"),
        ("not-measured", "Not measured"),
        ("environment", "Environment"),
    ]
    body.append(builds.section(view))
    body.append(missing.section(view))
    base_envs = View(base).environments() if base is not None else None
    body.append(env.section(view.environments(), base_envs))
    header = machine_lines(data)
    for title, e in view.environments():
        dirty = " (dirty)" if e.get("git_dirty") else ""
        header.append(
            tag(
                "p",
                esc(
                    f"{title} · commit {str(e.get('git_commit', '?'))[:12]}{dirty} · {e.get('cpu')}"
                    f" ({e.get('cores')} cores) · Python {e.get('python')}"
                ),
            )
        )
    if base is not None:
        header.append(tag("p", esc(f"compared with the base run of {base.get('created', '?')}")))
    return page.document("bridgebench report", header, toc, body)


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
