"""What the package takes from the standard library of CPython 3.11 and later, with the
backport that serves it on 3.10 (pinned for 3.10 in requirements-run.txt)."""

from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib  # the same parser and API, published before tomllib joined 3.11

__all__ = ["tomllib"]
