"""The book's generated blocks: what the registry, the kernel specs and the record say
about a bridge, as Markdown (tables) or HTML (plots).

    {{#bb record}}              which record the page's figures come from
    {{#bb bridges}}             every bridge: side, tool, cells measured, page
    {{#bb build BRIDGE}}        how it is built: its registry build step, as commands
    {{#bb cells BRIDGE}}        every cell: what crosses, or why the tool cannot express it
    {{#bb outcomes BRIDGE}}     its declared bad-input outcomes and the recorded matrix
    {{#bb declared}}            every declared outcome of every bridge
    {{#bb costs BRIDGE}}        its figures from the record, cell by cell, and a plot
    {{#bb building BRIDGE}}     what it cost the record's run to build it and what it ships
    {{#bb compare CELL [n=N] [BRIDGE...]}}  one cell across bridges, from the record

and, inline (bridgebench.book.figures): {{#bb figure ...}}, {{#bb vs ...}}, {{#bb worst ...}}.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence

from bridgebench import outcome_matrix, results, spec
from bridgebench.book.figures import CELL_FIELDS, span
from bridgebench.book.record import Book, BookError, Record
from bridgebench.report import svg
from bridgebench.report.fmt import md_table, ns_tick
from bridgebench.report.view import PREFERRED_SIZE, color

OUTCOME_WORDS = {
    "raised-as-contract": "raised the contract's exception",
    "accepted-as-contract": "accepted a valid unusual input",
}


def _bridge(name: str) -> spec.Bridge:
    try:
        return spec.bridge(name)
    except KeyError as exc:
        raise BookError(f"{exc.args[0]}: name a bridge of benches/bridges.toml") from exc


def _measured_name(name: str) -> str:
    """A bridge's or an [[example]]'s name, as the record keys its records."""
    if any(e.name == name for e in spec.examples()):
        return name
    return _bridge(name).name


def _size(cell: str) -> int | None:
    return PREFERRED_SIZE if spec.cells()[cell].sized else None


def _kernel_line(cell: str) -> str:
    kernel = spec.cells()[cell].kernel
    return str(spec.kernels()[kernel]["summary"])


def record_line(book: Book) -> str:
    env = book.data["environment"]
    commit = str(env.get("git_commit") or "?")[:10]
    dirty = " (with uncommitted changes)" if env.get("git_dirty") else ""
    machine = book.data.get("machine", {})
    return (
        f"> Figures on this page come from the committed record "
        f"`benches/records/{book.id}/results.json`, a full run of "
        f"{book.data['created'][:10]} at commit `{commit}`{dirty}: {env.get('cpu')}, "
        f"{env.get('cores')} cores, CPython {env.get('python')}, {env.get('rustc')}, "
        f"{env.get('cxx')}; the machine was *{machine.get('verdict', 'not recorded')}*."
    )


def page_link(page: str, bridge: str) -> str:
    """A link from `page` (a path under the book's src) to a bridge's page."""
    up = "../" * page.count("/")
    return f"[`{bridge}`]({up}bridges/{bridge}.md)"


def bridges_table(page: str) -> str:
    rows = []
    for b in spec.bridges():
        rows.append(
            [
                page_link(page, b.name),
                b.side,
                b.tool,
                str(len(b.cells)),
                str(len(b.na)),
                str(len(b.outcomes)),
            ]
        )
    head = ["bridge", "side", "tool", "cells", "n/a", "declared outcomes"]
    return md_table(head, rows, numeric=[False, False, False, True, True, True])


def build(name: str) -> str:
    b = _bridge(name)
    if b.build is None:
        if b.side == "rust":
            crates = ", ".join(f"`{c}`" for c in b.code)
            return (
                f"No build step of its own: its code ({crates}) is part of the Cargo "
                "workspace, compiled into the Rust side's criterion binary (`cargo bench -p "
                "rust-side`) and count binary (`cargo build --release -p rust-counts`), "
                "both run by `cargo xtask bench`."
            )
        return "Nothing to build: it is Python code, imported as it is."
    step = spec.build_steps()[b.build]
    shared = [x.name for x in spec.bridges() if x.build == b.build and x.name != b.name]
    lines = [" ".join(_quote(a) for a in argv) for argv in step["steps"]]
    text = [
        f"Build step `{b.build}` of `benches/bridges.toml`"
        + (f" (shared with {', '.join(f'`{s}`' for s in shared)})" if shared else "")
        + ", run by `cargo xtask build` (and by both README commands) when one of its inputs "
        + "changed: "
        + ", ".join(f"`{i}`" for i in step["inputs"])
        + (
            "; after step " + ", ".join(f"`{a}`" for a in step["after"])
            if step.get("after")
            else ""
        )
        + ". `{python}` is the project venv's interpreter.",
        "",
        "```sh",
        *lines,
        "```",
    ]
    return "\n".join(text)


def _quote(arg: str) -> str:
    return arg if all(c.isalnum() or c in "-_./{}=:" for c in arg) else f"'{arg}'"


def cells(name: str) -> str:
    b = _bridge(name)
    rows = []
    for cell, c in spec.cells().items():
        if cell in b.cells:
            how = "measured"
        elif cell in b.na:
            how = f"n/a: {_text(b.na[cell])}"
        else:
            continue
        rows.append([f"`{cell}`", f"`{c.kernel}`", c.strategy, how])
    return md_table(["cell", "kernel", "strategy", "this bridge"], rows)


def _text(free: str) -> str:
    """Registry prose in a Markdown table: `Vec<f64>` must not read as an HTML tag."""
    return html.escape(free, quote=False)


def _recorded(book: Book, recorded: list[Record], case: str) -> str:
    seen = Counter(o["outcome"] for o in recorded if o["case"] == case)
    if not seen:
        return "not in the record"
    return "; ".join(
        f"{kind} in {span(book, f'{case} {kind}', str(n))} " + ("cell" if n == 1 else "cells")
        for kind, n in sorted(seen.items())
    )


def _predates(book: Book, name: str) -> str:
    """What a page says where its bridge joined the registry after the record was taken."""
    return (
        f"Record {book.id} predates `{name}`: it holds no figures of it yet. They appear "
        "here once a full run that measures it is recorded (`python -m bridgebench record`)."
    )


def _not_built(book: Book, name: str, why: str) -> str:
    """What a page says where the record's interpreter had no build of its bridge."""
    return (
        f"Record {book.id} holds no figures of `{name}`: the bridge is {_text(why)}. Its "
        "figures appear here once a full run on an interpreter it is built for is recorded."
    )


def _absent(book: Book, name: str) -> str | None:
    """The note a page shows in place of a bridge's record tables when the record cannot
    have them (it predates the bridge, or its interpreter had no build of it), or None."""
    if book.predates(name):
        return _predates(book, name)
    why = book.not_built(name)
    return None if why is None else _not_built(book, name, why)


def outcomes(book: Book, name: str) -> str:
    b = _bridge(name)
    recorded = book.outcomes(name)
    absent = _absent(book, name)
    if not recorded and b.side == "python" and absent is None:
        raise BookError(f"record {book.id} has no bad-input outcomes for {name}")
    parts = []
    if b.outcomes:
        rows = []
        for case, declaration in b.outcomes.items():
            what, _, why = declaration.partition(":")
            row = [f"`{case}`", f"**{what.strip()}**", _text(why.strip())]
            rows.append([*row, _recorded(book, recorded, case)] if recorded else row)
        columns = ["bad input", "declared outcome", "why", "recorded"][: len(rows[0])]
        parts.append(md_table(columns, rows))
    elif b.side == "python":
        parts.append("No declared outcome: every bad input must raise the contract's exception.")
    else:
        parts.append("No declared outcome.")
    if not recorded and b.side == "python" and absent is not None:
        parts.append(absent)
        return "\n\n".join(parts)
    if not recorded:
        parts.append(
            "The bad-input matrix is recorded for the Python side; on the Rust side bad "
            "input is refused by the types or checked by `cargo test` (crates/rust-side)."
        )
        return "\n\n".join(parts)
    tally = Counter(o["outcome"] for o in recorded)
    rows = [
        [OUTCOME_WORDS.get(kind, kind), span(book, f"{name} outcomes {kind}", str(n))]
        for kind, n in sorted(tally.items())
    ]
    parts.append(
        f"The record's bad-input matrix for `{name}`: {len(recorded)} pairs of a bad input "
        "and a cell, each run in a child process.\n\n"
        + md_table(["outcome", "pairs"], rows, numeric=[False, True])
    )
    odd = [o for o in recorded if o["outcome"] in outcome_matrix.UNDECLARED]
    if odd:
        rows = [[f"`{o['case']}`", f"`{o['cell']}`", o["outcome"], _text(o["detail"])] for o in odd]
        parts.append(
            "**Not as the contract says, and not declared:**\n\n"
            + md_table(["bad input", "cell", "outcome", "what happened"], rows)
        )
    return "\n\n".join(parts)


def declared(page: str) -> str:
    rows = []
    for b in spec.bridges():
        for case, declaration in b.outcomes.items():
            head, _, why = declaration.partition(":")
            row = [page_link(page, b.name), f"`{case}`", head.strip(), _text(why.strip())]
            rows.append(row)
    return md_table(["bridge", "bad input", "declared outcome", "why"], rows)


COST_HEAD = ["cell", "n", "ns per call", "× floor", "instructions", "allocs", "bytes"]
COST_HEAD += ["copy factor", "leak"]

# Table cells say the unit once, in the head: a count reads as a bare number there.
TABLE_FORMAT = {
    "ns": CELL_FIELDS["ns"],
    "ratio": CELL_FIELDS["ratio"],
    "instructions": ("instructions_per_call", lambda r: f"{r['instructions_per_call']:,.0f}"),
    "allocs": ("allocs_per_call", lambda r: _plain(r["allocs_per_call"])),
    "bytes": ("bytes_per_call", lambda r: f"{r['bytes_per_call']:,.0f}"),
    "copy_factor": CELL_FIELDS["copy_factor"],
}


def _plain(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) or value >= 100 else f"{value:,.1f}"


def _figures(book: Book, rec: Record) -> list[str]:
    where = f"{rec['bridge']} {rec['cell']} n={rec.get('size')}"

    def one(field: str) -> str:
        key, render = TABLE_FORMAT[field]
        if rec.get(key) is None or (field == "ratio" and "ratio" not in rec):
            return "–"
        return span(book, f"{where} {field}", render(rec))

    leak = rec.get("leak")
    return [
        *(one(f) for f in TABLE_FORMAT),
        span(book, f"{where} leak", leak) if leak else "–",
    ]


def _measured(book: Book, b: spec.Bridge) -> list[Record]:
    return [book.cell(b.name, cell, _size(cell)) for cell in spec.cells() if cell in b.cells]


def costs(book: Book, name: str) -> str:
    b = _bridge(name)
    absent = _absent(book, name)
    if absent is not None:
        return absent
    floor = spec.floor(b.side).name
    recs = _measured(book, b)
    rows = [
        [f"`{r['cell']}`", f"{r['size']:,}" if r.get("size") else "", *_figures(book, r)]
        for r in recs
    ]
    table = md_table(COST_HEAD, rows, numeric=[False, True, *([True] * 6), False])
    bars = [
        svg.Bar(label=r["cell"], value=r["median_ns"], color=color(name), note=_note(r))
        for r in recs
    ]
    plot = svg.bar_chart(
        bars,
        title=f"{name}: ns per call, n = {PREFERRED_SIZE:,} for sized cells (× {floor}, the floor)",
        axis_label="ns per call",
        tick_format=ns_tick,
        width=760,
    )
    return f'{table}\n\n<figure class="bb-plot">\n{plot}\n</figure>'


def _note(rec: Record) -> str:
    return results.ratio_text(rec, ci=False) if "ratio" in rec else ""


def _who(page: str, name: str) -> str:
    """A bridge's name linking to its page; an example's, in italics (it has none)."""
    if any(e.name == name for e in spec.examples()):
        return f"*{name}* (example)"
    return page_link(page, name)


def compare(book: Book, page: str, args: Sequence[str]) -> str:
    if not args:
        raise BookError("expected {{#bb compare CELL [n=N] [BRIDGE...]}}")
    cell, rest = args[0], list(args[1:])
    if cell not in spec.cells():
        raise BookError(f"no cell {cell!r} in benches/kernels/*.toml")
    size = _size(cell)
    if rest and rest[0].startswith("n="):
        size = int(rest.pop(0)[2:])
    # Named bridges must be in the record; every bridge (no names) means those it measured.
    every = [b.name for b in spec.bridges() if cell in b.cells]
    unbuilt = [n for n in every if not book.predates(n) and book.not_built(n) is not None]
    names = rest or [n for n in every if not book.predates(n) and n not in unbuilt]
    recs = sorted(
        (book.cell(_measured_name(n), cell, size) for n in names), key=lambda r: r["median_ns"]
    )
    rows = [[_who(page, r["bridge"]), r["side"], *_figures(book, r)] for r in recs]
    head = ["bridge", "side", *COST_HEAD[2:]]
    table = md_table(head, rows, numeric=[False, False, *([True] * 6), False])
    newer = [] if rest else [page_link(page, n) for n in every if book.predates(n)]
    if newer:
        table += f"\n\nNot in record {book.id}, which predates them: {', '.join(newer)}."
    if unbuilt and not rest:
        links = ", ".join(page_link(page, n) for n in unbuilt)
        table += f"\n\nNot built for the interpreter of record {book.id}: {links}."
    return table


def building(book: Book, name: str) -> str:
    """The record's build figures of a bridge (results.json `builds`, `build-figures`)."""
    b = _bridge(name)
    if b.side == "python" and b.build is None:
        return "Nothing to build, so no build figures."
    if b.side != "python":
        return (
            "No build figures: `build-figures` measures the Python-side bridges (the Rust "
            "side's crates are built into the bench binaries)."
        )
    found = [r for r in book.data.get("builds") or [] if r["bridge"] == name]
    absent = _absent(book, name)
    if not found and absent is not None:
        return absent
    if not found:
        raise BookError(f"record {book.id} has no build figures of {name} (results.json `builds`)")
    rec = found[0]
    if rec["status"] != "ok":
        return f"The record's build of `{name}` failed: {_text(str(rec.get('reason')))}."

    def seconds(key: str) -> str:
        return span(book, f"{name} build {key}", f"{rec[key]:.1f} s")

    rows = [
        ["clean, from an empty folder", seconds("clean_wall_s"), seconds("clean_cpu_s")],
        [
            f"again after touching `{rec.get('touched') or 'the kernel'}`",
            seconds("incremental_wall_s"),
            seconds("incremental_cpu_s"),
        ],
    ]
    times = md_table(["build", "wall", "CPU"], rows, numeric=[False, True, True])
    ships = [
        [
            f"`{s['file']}`",
            s["role"],
            span(book, f"{name} ships {s['file']} stripped", f"{s['stripped_bytes']:,} B"),
            span(book, f"{name} ships {s['file']} as built", f"{s['bytes']:,} B"),
        ]
        for s in rec["ships"]
    ]
    sizes = md_table(
        ["ships", "what", "stripped", "as built"], ships, numeric=[False, False, True, True]
    )
    steps = " + ".join(f"`{x}`" for x in rec["steps"])
    note = rec.get("note") or ""
    note = f" {_text(note[:1].upper() + note[1:])}." if note else ""
    return (
        f"The record's run built it alone (steps {steps}, `[bridge.alone]` in the registry) "
        f"in an empty scratch folder, dependencies included, with CPython "
        f"{rec['python']}.{note}\n\n{times}\n\n{sizes}"
    )
