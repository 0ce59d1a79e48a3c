"""The C ABI bridges load the release build of the Rust kernel, never another copy.

`cargo run` puts target/debug on LD_LIBRARY_PATH, which the loader searches before the
cffi extension's RUNPATH; once, that silently timed cffi against an unoptimized kernel.
"""

from __future__ import annotations

from pathlib import Path

from bridgebench import spec


def _loaded(name: str) -> set[Path]:
    maps = Path("/proc/self/maps").read_text().splitlines()
    return {Path(line.split()[-1]) for line in maps if line.endswith(name)}


def test_ctypes_and_cffi_load_the_release_libc_abi() -> None:
    spec.bridge("ctypes").import_module()
    spec.bridge("cffi").import_module()
    assert _loaded("libc_abi.so") == {spec.ROOT / "target" / "release" / "libc_abi.so"}
