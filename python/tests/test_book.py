"""The teaching book (docs/book, mdBook; `cargo xtask test` builds it into target/book):
every bridge has its page in the table of contents, every page is in it, and every
`{{#include}}` names a file and anchor that exist (mdBook itself only warns, and leaves an
empty block for a missing anchor)."""

from __future__ import annotations

import re
from pathlib import Path

from bridgebench import spec

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
