"""The HTML page around the sections: one self-contained file (inline CSS, inline SVG,
no script, no external resource), readable from file:// and printable."""

from __future__ import annotations

from bridgebench.report.fmt import esc, tag

CSS = """
:root { --ink:#1f2430; --muted:#5f6b7a; --line:#e2e6eb; --bg:#f7f8fa; --accent:#2f5fa7; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
  color:var(--ink); background:var(--bg); }
header.top { background:#1f2a3c; color:#fff; padding:22px 32px 16px; }
header.top h1 { margin:0 0 4px; font-size:24px; }
header.top p { margin:2px 0; color:#cfd8e6; }
header.top p.machine { color:#fff; font-weight:600; margin:6px 0; }
header.top p.machine.disturbed, li.disturbed { background:#b42318; color:#fff; padding:3px 8px;
  border-radius:4px; font-weight:600; }
ul.machines { padding-left:20px; } ul.machines li { margin:3px 0; }
.cards { display:grid; grid-template-columns:repeat(auto-fill,minmax(min(520px,100%),1fr));
  gap:4px 24px; }
.card h3 { margin:14px 0 2px; } .card h3 a { color:var(--ink); text-decoration:none; }
.card p.side { margin:6px 0 0; font-size:12px; color:var(--muted); }
table.rank { margin:2px 0 4px; font-size:12.5px; width:100%; table-layout:fixed; }
table.rank td, table.rank th { padding:2px 6px; overflow:hidden; text-overflow:ellipsis; }
table.rank th:nth-child(1) { width:3em; } table.rank th:nth-child(2) { width:30%; }
table.rank td:nth-child(2) { white-space:nowrap; }
.flag { color:#b45309; cursor:help; }
nav { position:sticky; top:0; z-index:2; background:#fff; border-bottom:1px solid var(--line);
  padding:8px 32px; font-size:13px; }
nav a { color:var(--accent); text-decoration:none; margin-right:14px; white-space:nowrap; }
main { max-width:1240px; margin:0 auto; padding:8px 32px 48px; }
section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:8px 24px 20px;
  margin:20px 0; }
h2 { font-size:20px; margin:14px 0 8px; border-bottom:2px solid var(--line); padding-bottom:4px; }
h3 { font-size:16px; margin:22px 0 6px; }
h3 .sub { color:var(--muted); font-weight:normal; font-size:13px; }
h4 { font-size:14px; margin:16px 0 6px; color:#334; }
.cell { border-top:1px dashed var(--line); margin-top:14px; }
figure { margin:8px 0; overflow-x:auto; }
svg.plot { display:block; max-width:100%; height:auto; font:12px system-ui,"DejaVu Sans",sans-serif;
  fill:var(--ink); }
svg.plot .title { font-weight:600; font-size:13px; }
svg.plot .tick, svg.plot .axis, svg.plot .note { fill:var(--muted); font-size:11px; }
svg.plot .group { font-weight:600; fill:var(--accent); font-size:12px; }
svg.plot .legend { font-size:11.5px; }
table.data { border-collapse:collapse; margin:6px 0 10px; font-size:13px; }
table.data th, table.data td { border-bottom:1px solid var(--line); padding:3px 9px;
  text-align:left; vertical-align:top; }
table.data th { background:#f1f3f6; font-weight:600; position:sticky; top:0; }
table.data .num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
tr.bad td { background:#fdecea; } tr.good td { background:#e8f6ec; }
tr.warn td { background:#fff6dc; }
.scroll { overflow-x:auto; max-width:100%; }
.heat { display:block; padding:1px 6px; border-radius:3px; }
.na-cell { color:#98a1ad; font-style:italic; cursor:help; }
table.glance td:first-child { white-space:nowrap; }
table.glance th { white-space:nowrap; font-size:12px; }
.swatch { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:6px; }
.bad { color:#b42318; font-weight:600; }
.hint { color:var(--muted); font-size:13px; }
.signature code { background:#eef2f7; padding:2px 6px; border-radius:4px; }
.status { padding:0 5px; border-radius:3px; font-size:12px; }
.status.na { background:#eceff3; color:#525c69; }
.status.error { background:#fdecea; color:#b42318; }
ul.na { margin:4px 0; padding-left:20px; color:#3b4452; font-size:13px; }
.oc { display:inline-block; min-width:34px; text-align:center; border-radius:3px; padding:0 4px;
  font-size:12px; cursor:help; }
.oc.ok { background:#d3f0dc; color:#176b34; } .oc.other { background:#fff1c2; color:#7a5a00; }
.oc.wrong { background:#ffd5b8; color:#9a3b00; font-weight:600; }
.oc.crash { background:#b42318; color:#fff; font-weight:600; }
.oc.mismatch { background:#6d28d9; color:#fff; font-weight:600; }
table.matrix td { padding:2px 5px; } table.matrix code { font-size:12px; }
p.legend { font-size:12.5px; } p.legend .key { margin-right:14px; white-space:nowrap; }
.envs { display:grid; grid-template-columns:repeat(auto-fit,minmax(420px,1fr)); gap:0 28px; }
table.env td:first-child { color:var(--muted); white-space:nowrap; }
details { margin:8px 0; } summary { cursor:pointer; color:var(--accent); }
pre { background:#f4f6f9; padding:8px; overflow-x:auto; font-size:12px; }
.good-note { color:#176b34; }
footer { color:var(--muted); font-size:12px; text-align:center; padding:12px; }
@media print { nav { position:static; } section { break-inside:avoid-page; } }
"""


def document(title: str, header: list[str], toc: list[tuple[str, str]], body: list[str]) -> str:
    """The whole page; `header` the elements under the title, `toc` (anchor id, text),
    `body` the sections' HTML."""
    links = "".join(tag("a", esc(text), href=f"#{anchor}") for anchor, text in toc)
    head = (
        '<meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # no network, ever: the page only uses what is inline
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">" + tag("title", esc(title)) + tag("style", CSS)
    )
    top = tag("header", tag("h1", esc(title)) + "".join(header), class_="top")
    return (
        "<!DOCTYPE html>\n"
        + tag(
            "html",
            tag("head", head)
            + tag(
                "body",
                top
                + tag("nav", links)
                + tag("main", "\n".join(body))
                + tag("footer", "bridgebench report — docs/REPORT.md explains each section"),
            ),
            lang="en",
        )
        + "\n"
    )
