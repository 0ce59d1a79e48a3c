"""`{{#bb NAME ARGS...}}` directives, expanded page by page (the list: book.tables and
book.figures)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

from bridgebench.book import figures, tables
from bridgebench.book.record import Book, BookError

DIRECTIVE = re.compile(r"\{\{#bb\s+([^}]*)\}\}")

# (record, page path, arguments) -> Markdown
Render = Callable[[Book, str, list[str]], str]


def _one_bridge(render: Callable[[str], str]) -> Render:
    def run(book: Book, page: str, args: list[str]) -> str:
        if len(args) != 1:
            raise BookError("expected one bridge name")
        return render(args[0])

    return run


def _no_args(render: Callable[[str], str]) -> Render:
    def run(book: Book, page: str, args: list[str]) -> str:
        if args:
            raise BookError("takes no arguments")
        return render(page)

    return run


def _with_book(render: Callable[[Book, list[str]], str]) -> Render:
    return lambda book, page, args: render(book, args)


def _book_and_bridge(render: Callable[[Book, str], str]) -> Render:
    def run(book: Book, page: str, args: list[str]) -> str:
        if len(args) != 1:
            raise BookError("expected one bridge name")
        return render(book, args[0])

    return run


DIRECTIVES: dict[str, Render] = {
    "figure": _with_book(figures.figure),
    "vs": _with_book(figures.vs),
    "worst": _with_book(figures.worst),
    "record": lambda book, page, args: tables.record_line(book),
    "bridges": _no_args(tables.bridges_table),
    "declared": _no_args(tables.declared),
    "build": _one_bridge(tables.build),
    "cells": _one_bridge(tables.cells),
    "outcomes": _book_and_bridge(tables.outcomes),
    "costs": _book_and_bridge(tables.costs),
    "building": _book_and_bridge(tables.building),
    "compare": lambda book, page, args: tables.compare(book, page, args),
}


def expand(book: Book, page: str, text: str) -> str:
    """The page with every directive rendered; BookError names the page and directive."""

    def one(m: re.Match[str]) -> str:
        words = shlex.split(m.group(1))
        if not words or words[0] not in DIRECTIVES:
            raise BookError(
                f"{page}: unknown directive {m.group(0)!r}; known: {', '.join(DIRECTIVES)}"
            )
        try:
            return DIRECTIVES[words[0]](book, page, words[1:])
        except (BookError, TypeError) as exc:
            raise BookError(f"{page}: {m.group(0)}: {exc}") from exc

    return DIRECTIVE.sub(one, text)
