"""Shared fixtures: every test parametrizes over the registry, never over a hand list."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# Make `bridgebench` importable even without the venv's .pth file.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The teaching book, built once per test process into a temporary folder."""
    from support import build_book

    dest = tmp_path_factory.mktemp("book")
    done = build_book(dest)
    problems = [line for line in (done.stdout + done.stderr).splitlines() if " INFO " not in line]
    if done.returncode != 0 or problems:
        pytest.fail("mdbook build docs/book failed:\n" + "\n".join(problems))
    return dest
