"""Shared fixtures: every test parametrizes over the registry, never over a hand list."""

from __future__ import annotations

import sys
from pathlib import Path

# Make `bridgebench` importable even without the venv's .pth file.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
