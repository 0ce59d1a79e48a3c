"""How every measuring child process talks to its parent: one JSON line per typed record.

The timing worker (harness/worker.py), the count child (harness/count_child.py) and the
bad-input child (bridgebench/outcomes.py) each declare their records as dataclasses
beside them; `encode` writes one with its type's name, `decode` makes it again from the
types the reader expects, and refuses any other.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Failed:
    """A child, or one job of it, could not go on: what went wrong, for the parent to
    report with the bridge and cell it names (empty when it is the whole child)."""

    error: str
    bridge: str = ""
    cell: str = ""


def encode(record: Any) -> str:
    """One line (no newline) holding `record`, a dataclass instance, and its type."""
    return json.dumps({"type": type(record).__name__, **asdict(record)})


def decode(line: str, types: tuple[type[Any], ...]) -> Any:
    """The record of a line `encode` wrote, as one of `types`; ValueError otherwise."""
    fields = json.loads(line)
    kind = fields.pop("type", None)
    for t in types:
        if t.__name__ == kind:
            return t(**fields)
    names = [t.__name__ for t in types]
    raise ValueError(f"a child sent a {kind!r} record; expected one of {names}")
