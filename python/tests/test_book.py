"""The teaching book (docs/book, mdBook; `cargo xtask test` builds it into target/book):
every bridge has its page in the table of contents, every page is in it, and every
`{{#include}}` names a file and anchor that exist (mdBook itself only warns, and leaves an
empty block for a missing anchor)."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

import support
from bridgebench import schema, spec
from bridgebench.book import __main__ as preprocessor
from bridgebench.book import check, record
from bridgebench.compat import tomllib

SRC = spec.ROOT / "docs" / "book" / "src"
SUMMARY = SRC / "SUMMARY.md"
INCLUDE = re.compile(r"\{\{#include\s+([^}:\s]+)(?::([^}\s]+))?\s*\}\}")


def _summary_pages() -> list[str]:
    return re.findall(r"\]\(([^)]+\.md)\)", SUMMARY.read_text())


def test_every_bridge_has_its_page_in_the_book() -> None:
    pages = set(_summary_pages())
    for bridge in spec.bridges():
        assert f"bridges/{bridge.name}.md" in pages, (
            f"{bridge.name}: list its page in {SUMMARY.relative_to(spec.ROOT)}"
        )


def test_every_page_is_in_the_table_of_contents() -> None:
    listed = {SRC / page for page in _summary_pages()}
    for page in SRC.rglob("*.md"):
        if page != SUMMARY:
            assert page in listed, f"{page.relative_to(spec.ROOT)} is not in SUMMARY.md"
    for page in listed:
        assert page.is_file(), f"SUMMARY.md lists {page.relative_to(spec.ROOT)}, which is missing"


def _anchored(text: str, anchor: str) -> bool:
    """Whether `text` has mdBook's `ANCHOR: name` ... `ANCHOR_END: name` pair, or `anchor`
    is a line range (`10:20`, `10:`, `:20`) or a line number."""
    if re.fullmatch(r"\d*(:\d*)?", anchor):
        return True
    return f"ANCHOR: {anchor}" in text and f"ANCHOR_END: {anchor}" in text


def test_every_include_names_a_file_and_anchor_that_exist() -> None:
    found = 0
    for page in SRC.rglob("*.md"):
        for match in INCLUDE.finditer(page.read_text()):
            found += 1
            target = (page.parent / match[1]).resolve()
            where = f"{page.relative_to(spec.ROOT)}: {match[0]}"
            assert target.is_file(), f"{where}: no file {target}"
            if match[2]:
                assert _anchored(target.read_text(), match[2]), f"{where}: no such anchor"
    assert found > 0


def test_the_include_check_can_fail(tmp_path: Path) -> None:
    source = tmp_path / "lib.rs"
    source.write_text("// ANCHOR: add\nfn add() {}\n// ANCHOR_END: add\n")
    assert _anchored(source.read_text(), "add")
    assert not _anchored(source.read_text(), "scale")
    match = INCLUDE.fullmatch("{{#include ../lib.rs:add}}")
    assert match is not None and match[2] == "add"


# ------------------------------------------------------------ bridge pages, same headings

HEADINGS = [
    "What it is",
    "How it is built",
    "How each cell crosses",
    "Bad input",
    "What it costs",
    "When to pick it",
    "Pitfalls met",
    "Read next",
]


@pytest.mark.parametrize("bridge", [b.name for b in spec.bridges()])
def test_every_bridge_page_has_the_same_headings(bridge: str) -> None:
    page = SRC / "bridges" / f"{bridge}.md"
    text = check.prose(page.read_text())  # a `## ` inside a code block is not a heading
    headings = re.findall(r"^## (.+?)\s*$", text, re.M)
    assert headings == HEADINGS, f"{page.relative_to(spec.ROOT)}: ## headings {headings}"
    for directive in ("build", "building", "cells", "outcomes", "costs"):
        assert f"{{{{#bb {directive} {bridge}}}}}" in text or (
            f"{{{{#bb {directive} {bridge}}}}}" in page.read_text()
        ), f"{page.relative_to(spec.ROOT)} does not render {{{{#bb {directive} {bridge}}}}}"


# ------------------------------------------------------------ figures come from the record


def _process(text: str, page: str = "bridges/pybind11.md") -> str:
    context = {
        "root": str(SRC.parent),
        "config": {"preprocessor": {"bridgebench": {"record": _record_setting()}}},
    }
    chapter = {"name": "t", "content": text, "sub_items": [], "source_path": page}
    out = preprocessor.process(context, {"items": [{"Chapter": chapter}]})
    return str(out["items"][0]["Chapter"]["content"])


def _record_setting() -> str:
    config = tomllib.loads((SRC.parent / "book.toml").read_text())
    return str(config["preprocessor"]["bridgebench"]["record"])


def _record() -> record.Book:
    return record.load(SRC.parent / _record_setting())


def test_the_book_renders_a_committed_full_run() -> None:
    book = _record()
    assert book.folder.parent.resolve() == record.RECORDS.resolve()
    assert book.data["mode"] == "full"
    assert schema.validate(book.data) == []
    newest = max(p.name for p in record.RECORDS.iterdir() if (p / "results.json").is_file())
    assert book.id == newest, f"book.toml renders {book.id}, the newest record is {newest}"


def test_a_figure_directive_renders_the_records_value() -> None:
    book = _record()
    rec = book.cell("pybind11", "add", None)
    out = _process("pybind11 add: {{#bb figure pybind11 add instructions}}.")
    assert f"{rec['instructions_per_call']:,.0f} instructions</span>." in out
    assert 'class="bb-figure"' in out


def test_a_figure_the_record_does_not_hold_fails_the_build() -> None:
    with pytest.raises(record.BookError, match=r"no pybind11 scale\.list at n=7"):
        _process("{{#bb figure pybind11 scale.list n=7 ns}}")
    with pytest.raises(record.BookError, match="unknown directive"):
        _process("{{#bb figures pybind11 add ns}}")


def test_a_hand_typed_figure_fails_the_build() -> None:
    ok = "n = 10^6 floats, a 1 MB text, CPython 3.11, 8 bytes per float64, `5 ns` in code."
    assert _process(ok) == ok
    for typed in (
        "about 1.5 µs per element",
        "70% slower",
        "3.2× faster",
        "2,006 allocations",
        "12 ns",
        "4x faster than",
        "11,000 instructions per call",
    ):
        with pytest.raises(record.BookError, match="figures typed by hand"):
            _process(f"It costs {typed} here.")


def test_every_page_of_the_built_book_has_its_figures_rendered(built_book: Path) -> None:
    pages = [p for p in built_book.rglob("*.html") if p.name not in {"print.html", "toc.html"}]
    assert len(pages) > len(spec.bridges())
    rendered = 0
    for page in pages:
        text = page.read_text()
        assert "{{#" not in text, f"{page.name}: a directive or include was left unexpanded"
        rendered += text.count('class="bb-figure"')
    assert rendered > 100


# ------------------------------------------------------------ snippets come from the source


def test_a_changed_binding_line_shows_in_the_rebuilt_book(tmp_path: Path) -> None:
    """The book is built from a copy of docs/ beside a copy of cpp/bindings/pybind11 in
    which one line inside an included anchor is changed: the page shows the changed line."""
    tree = tmp_path / "tree"
    shutil.copytree(spec.ROOT / "docs", tree / "docs")
    binding = Path("cpp/bindings/pybind11/bb_pybind11.cpp")
    for top in spec.ROOT.iterdir():
        if top.name not in {"docs", "cpp", "target", ".git"}:
            (tree / top.name).symlink_to(top)
    (tree / binding.parent).mkdir(parents=True)
    original = (spec.ROOT / binding).read_text()
    marker = 'm.def("add", &bridgebench::add, py::arg("a").noconvert(), py::arg("b").noconvert());'
    assert marker in original
    changed = 'm.def("add", &bridgebench::add, py::arg("left"), py::arg("right"));'
    (tree / binding).write_text(original.replace(marker, changed))
    (tree / "cpp" / "kernels").symlink_to(spec.ROOT / "cpp" / "kernels")
    for other in (spec.ROOT / "cpp" / "bindings").iterdir():
        if other.name != "pybind11":
            (tree / "cpp" / "bindings" / other.name).symlink_to(other)
    done = support.build_book(tmp_path / "out", tree / "docs" / "book")
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "out" / "bridges" / "pybind11.html").read_text()
    assert _highlighted(changed, page), "the changed line is not on the rebuilt page"
    assert not _highlighted(marker, page), "the page still shows the line before the change"


def _highlighted(code: str, page: str) -> bool:
    """Whether `code` appears in the page's text once tags are stripped."""
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    return code in text


# ------------------------------------------------------------ links


HREF = re.compile(r'(?:href|src)="([^"]+)"')
ID = re.compile(r'\bid="([^"]+)"')


def test_no_link_of_the_built_book_is_broken(built_book: Path) -> None:
    """Every link and resource of every page names a file of the book (and an id on that
    page, for a #fragment); links out of the book are broken, web links are not fetched
    (no network here) but must be https."""
    ids: dict[Path, set[str]] = {}
    broken = []
    checked = 0
    for page in sorted(built_book.rglob("*.html")):
        if page.name == "404.html":
            continue  # mdBook's own page links from the site's root, wherever it is served
        text = page.read_text()
        for target in HREF.findall(text):
            target = html.unescape(target)
            if target.startswith(("https://", "mailto:")):
                continue
            if target.startswith("http://") or target.startswith("//"):
                broken.append(f"{page.relative_to(built_book)}: {target} (not https)")
                continue
            path_part, _, fragment = target.partition("#")
            path_part = path_part.split("?")[0]
            dest = (page.parent / path_part).resolve() if path_part else page.resolve()
            checked += 1
            if not dest.is_relative_to(built_book.resolve()) or not dest.exists():
                broken.append(f"{page.relative_to(built_book)}: {target}")
                continue
            if fragment and dest.suffix == ".html":
                if dest not in ids:
                    ids[dest] = set(ID.findall(dest.read_text()))
                if fragment not in ids[dest]:
                    broken.append(f"{page.relative_to(built_book)}: {target} (no id {fragment})")
    assert checked > 500
    assert not broken, "broken links:\n" + "\n".join(broken)


FENCE = re.compile(r"^[ \t]*(```|~~~)([^\n]*)\n(.*?)^[ \t]*\1\s*$", re.M | re.S)


def test_every_code_block_is_included_from_the_source() -> None:
    """No code is copied into a page: every fenced block holds only `{{#include}}` lines
    (or a `{{#bb build}}`, which renders the registry's build commands)."""
    copied = []
    for page in sorted(SRC.rglob("*.md")):
        for match in FENCE.finditer(page.read_text()):
            body = match[3].strip()
            if not re.fullmatch(r"(?:\{\{#include [^}]+\}\}\s*)+", body):
                copied.append(f"{page.relative_to(spec.ROOT)}: {match[0][:60]!r}")
    assert not copied, "code typed into the book instead of included:\n" + "\n".join(copied)


def test_a_time_against_the_paired_bridge_is_the_records_paired_ratio() -> None:
    """`vs X / FLOOR ns` gives the ratio of the samples taken in pairs (what every table's
    × floor shows), not a quotient of two medians; against another bridge, the quotient."""  # noqa: RUF002
    book = _record()
    rec = book.cell("pyo3", "add", None)
    paired = _process("{{#bb vs pyo3 add / cpython-api ns}}")
    assert f">{rec['ratio']:.2f}×</span>" in paired
    other = book.cell("nanobind", "add", None)
    quotient = _process("{{#bb vs pyo3 add / nanobind ns}}")
    assert f">{rec['median_ns'] / other['median_ns']:.2f}×</span>" in quotient


def test_a_bridge_page_shows_what_its_build_cost_in_the_record() -> None:
    book = _record()
    rec = next(r for r in book.data["builds"] if r["bridge"] == "pyo3")
    out = _process("{{#bb building pyo3}}")
    assert f">{rec['clean_wall_s']:.1f} s</span>" in out
    module = next(s for s in rec["ships"] if s["role"] == "module")
    assert f">{module['stripped_bytes']:,} B</span>" in out
    assert "Nothing to build" in _process("{{#bb building python}}")


def test_a_bridge_newer_than_the_record_says_so_and_a_measured_one_stays_strict() -> None:
    """A bridge with no row in the record (registered after it was taken) renders a note in
    place of its tables and is left out of an unnamed `compare`; a bridge the record holds,
    or one a directive names, still fails the build where a figure is missing."""
    from bridgebench.book import figures, tables

    book = _record()
    data = dict(book.data)
    for key in ("cells", "outcomes", "builds"):
        data[key] = [r for r in book.data[key] if r["bridge"] != "pyo3"]
    older = record.Book(book.folder, data)
    assert older.predates("pyo3") and not book.predates("pyo3")
    for render in (tables.costs, tables.outcomes, tables.building):
        assert "predates `pyo3`" in render(older, "pyo3")
        assert "predates" not in render(book, "pyo3")
    link = "[`pyo3`](bridges/pyo3.md)"
    table, _, note = tables.compare(older, "guide.md", ["add"]).partition("\n\n")
    assert link not in table and "predates them: " in note and link in note
    table, _, note = tables.compare(book, "guide.md", ["add"]).partition("\n\n")
    assert link in table and link not in note
    with pytest.raises(record.BookError, match="no pyo3 add"):
        tables.compare(older, "guide.md", ["add", "pyo3", "cpython-api"])
    with pytest.raises(record.BookError, match="no pyo3 add"):
        figures.figure(older, ["pyo3", "add", "ns"])
    # The record holds pyo3's cells but not its bad-input matrix: a broken record, not a newer
    # bridge, so the page cannot render.
    data = {**book.data, "outcomes": [o for o in book.data["outcomes"] if o["bridge"] != "pyo3"]}
    with pytest.raises(record.BookError, match="no bad-input outcomes for pyo3"):
        tables.outcomes(record.Book(book.folder, data), "pyo3")


def test_a_bridge_not_built_for_the_records_interpreter_says_so() -> None:
    """A bridge the record's interpreter had no build of ([bridge.python]) has only n/a rows
    with the harness's "not built for CPython" reason, no outcomes and no build figures: its
    tables render a note, an unnamed `compare` leaves it out and names it, and a directive
    that names it still fails the build."""
    from bridgebench.book import figures, tables

    book = _record()
    why = "not built for CPython 3.11: a test's reason"
    data = dict(book.data)
    data["cells"] = [
        {**r, "status": "n/a", "reason": why} if r["bridge"] == "nanobind" else r
        for r in book.data["cells"]
    ]
    for key in ("outcomes", "builds"):
        data[key] = [r for r in book.data[key] if r["bridge"] != "nanobind"]
    unbuilt = record.Book(book.folder, data)
    assert unbuilt.not_built("nanobind") == why and not unbuilt.predates("nanobind")
    assert book.not_built("nanobind") is None
    for render in (tables.costs, tables.outcomes, tables.building):
        assert f"holds no figures of `nanobind`: the bridge is {why}" in render(unbuilt, "nanobind")
    link = "[`nanobind`](bridges/nanobind.md)"
    table, _, note = tables.compare(unbuilt, "guide.md", ["add"]).partition("\n\n")
    assert link not in table and "Not built for the interpreter of record" in note
    assert link in note
    with pytest.raises(record.BookError, match="nanobind add n=None is n/a"):
        figures.figure(unbuilt, ["nanobind", "add", "ns"])
