"""Hand-typed figures: a measured quantity written into a page instead of rendered from
the record.

A *figure* here is a number with the unit of something measured: a time (ns, µs, ms, s),
a count per call (instructions, allocations), a percentage, or a multiple (3.2 times,
4x faster, or with the multiplication sign). Sizes (n = 10^6, a 1 MB text), versions and
format facts (8 bytes per float64) are inputs and facts, not figures, and pass. The check
reads what a page's author wrote: directives (which render the record's figures), code
blocks and inline code are left out.

Pages whose figures are dated evidence of a past investigation (the methodology, counts
and gate documents the book includes as chapters: each such figure is given with the run
and date it comes from, to explain a design choice) are listed in EVIDENCE_PAGES and not
checked; everything written for the book itself is.
"""

from __future__ import annotations

import re

EVIDENCE_PAGES = frozenset(
    {"methodology.md", "counts.md", "gate.md", "results.md", "report.md", "ci.md"}
)

_FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.M | re.S)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_DIRECTIVE = re.compile(r"\{\{#bb\b[^}]*\}\}")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_NUMBER = r"(?<![\w.^*/])\d[\d,]*(?:\.\d+)?"
FIGURE = re.compile(
    _NUMBER
    + r"\s?(?:"
    + r"(?:ns|µs|us|ms|s|sec|seconds?|minutes?)\b"
    + r"|%"
    + r"|×"
    + r"|x\b(?=\s*(?:faster|slower|more|less|fewer|the|as)\b)"
    + r"|(?:instructions?|allocations?|allocs?|reallocs?|reallocations?)\b"
    + r"|times\s+(?:faster|slower|more|less|fewer|as)\b"
    + r")"
)


def prose(text: str) -> str:
    """What the author wrote, without code, comments and directives (same line count)."""

    def blank(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))

    for pattern in (_FENCE, _HTML_COMMENT, _DIRECTIVE, _INLINE_CODE):
        text = pattern.sub(blank, text)
    return text


def hand_typed(path: str, text: str) -> list[str]:
    """'page:line: figure' for every hand-typed figure of a page (none on an evidence page)."""
    if path in EVIDENCE_PAGES:
        return []
    found = []
    for number, line in enumerate(prose(text).splitlines(), start=1):
        for m in FIGURE.finditer(line):
            found.append(f"{path}:{number}: {m.group(0)!r}")
    return found
