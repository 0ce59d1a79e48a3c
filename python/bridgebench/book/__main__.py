"""mdBook's preprocessor protocol: `supports <renderer>` answers yes; otherwise read
[context, book] as JSON from stdin and write the book back with every chapter expanded.

mdBook runs it from the book's root (docs/book.toml names it); an error goes to stderr,
naming the page, and fails the build.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bridgebench.book import check, directives, record


def chapters(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        chapter = item.get("Chapter") if isinstance(item, dict) else None
        if chapter is None:
            continue
        yield chapter
        yield from chapters(chapter.get("sub_items", []))


def process(context: dict[str, Any], book: dict[str, Any]) -> dict[str, Any]:
    config = context["config"].get("preprocessor", {}).get("bridgebench", {})
    if "record" not in config:
        raise record.BookError("book.toml: [preprocessor.bridgebench] names no `record`")
    loaded = record.load(Path(context["root"]) / config["record"])
    typed: list[str] = []
    for chapter in chapters(book["items"]):
        page = chapter.get("source_path") or chapter["name"]
        typed += check.hand_typed(page, chapter["content"])
        chapter["content"] = directives.expand(loaded, page, chapter["content"])
    if typed:
        raise record.BookError(
            "figures typed by hand, not rendered from the record (write them as "
            "{{#bb figure BRIDGE CELL [n=N] FIELD}}; lines count after includes):\n  "
            + "\n  ".join(typed)
        )
    return book


def main(argv: list[str]) -> int:
    if len(argv) > 1 and argv[1] == "supports":
        return 0
    context, book = json.load(sys.stdin)
    try:
        out = process(context, book)
    except record.BookError as exc:
        print(f"bridgebench book preprocessor: {exc}", file=sys.stderr)
        return 1
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
