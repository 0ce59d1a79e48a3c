"""The Rust-side count binary (`rust-counts`, benches/rust/count.rs, crates/rust-counts):
the count runner starts it to count one Rust-side row's calls, the same bench modules
criterion times (benches/rust/<kernel>.rs) run through a counting runner.
"""

from __future__ import annotations

import os
from pathlib import Path

from bridgebench import spec

BINARY = spec.TARGET / "release" / "rust-counts"
BUILD = "cargo build --release --locked --package rust-counts (or `cargo xtask build`)"


def binary() -> Path:
    """The built count binary; FileNotFoundError says how to build it."""
    if not (BINARY.is_file() and os.access(BINARY, os.X_OK)):
        raise FileNotFoundError(f"no count binary {BINARY}: build it with `{BUILD}`")
    return BINARY
