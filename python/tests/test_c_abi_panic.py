"""A Rust panic on the C ABI path becomes an error value and a Python exception, not an abort.

The test-only crate crates/test-c-abi-panic exports `bb_debug_panic`, which runs a real
`panic!` inside crates/c-abi's `guard`, the `catch_unwind` helper every `bb_*` kernel function
runs in (the hook stays out of the C ABI itself, whose readers see kernels only). Loaded the
way each bridge over that ABI loads a library (ctypes; cffi, here in ABI mode), it must come
back as the bridge's `BB_STATUS_PANIC`, which the bridge turns into RuntimeError. Were the
guard missing, the panic would reach an `extern "C"` frame and Rust would abort the process;
so the hook is only ever called in a child process, and a broken guard fails these tests
instead of killing the test run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from bridgebench import spec

PACKAGE = "test-c-abi-panic"
LIBRARY = spec.ROOT / "target" / "release" / "libtest_c_abi_panic.so"

# Bridge -> the PANIC status as the bridge module sees it: ctypes through its hand-copied
# Status, cffi through the header's constant in its compiled `lib`. A dotted name, looked up
# on the bridge's module in the child.
PANIC_STATUS = {"ctypes": "Status.PANIC", "cffi": "lib.BB_STATUS_PANIC"}

CHILD = r"""
import importlib, json, sys
from operator import attrgetter
bridge, module_name, panic, library = sys.argv[1:]
module = importlib.import_module(module_name)
if bridge == "ctypes":
    import ctypes
    hook = ctypes.CDLL(library).bb_debug_panic  # restype int: a bb_status
else:
    import cffi
    ffi = cffi.FFI()
    ffi.cdef("int bb_debug_panic(void);")  # bb_status is a C enum, an int
    hook = ffi.dlopen(library).bb_debug_panic
status = hook()
error = module._error(status)  # the bridge's own status -> exception mapping
print(json.dumps({
    "status": int(status),
    "panic": int(attrgetter(panic)(module)),
    "error": type(error).__name__,
    "message": str(error),
    "after": module.checked_div(7, 2),  # the bridge still works after the caught panic
}))
"""

PANIC_MESSAGE = "bb_debug_panic: a deliberate panic"  # the panic! in crates/test-c-abi-panic


@pytest.fixture(scope="module")
def library() -> Path:
    """The hook's library, built here: no build step makes it (a fresh clone has none)."""
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.fail(f"cargo is not on PATH: this test builds the crate {PACKAGE} (rustup.rs)")
    build = subprocess.run(
        [cargo, "build", "--release", "--locked", "--package", PACKAGE],
        cwd=spec.ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    return LIBRARY


@cache
def run_hook(bridge: str, library: Path) -> subprocess.CompletedProcess[str]:
    module = spec.bridge(bridge).module
    return subprocess.run(
        [sys.executable, "-c", CHILD, bridge, module, PANIC_STATUS[bridge], str(library)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**spec.child_env(), "RUST_BACKTRACE": "0"},
        cwd=spec.ROOT,
    )


@pytest.mark.parametrize("bridge", sorted(PANIC_STATUS))
def test_interpreter_survives_the_panic(bridge: str, library: Path) -> None:
    proc = run_hook(bridge, library)
    # A negative code is the signal that killed the child (SIGABRT: the panic unwound into C).
    assert proc.returncode == 0, f"{bridge}: child exited {proc.returncode}\n{proc.stderr[-2000:]}"
    # Rust's default panic hook printed the message: a real panic ran, it was not skipped.
    assert PANIC_MESSAGE in proc.stderr, proc.stderr


@pytest.mark.parametrize("bridge", sorted(PANIC_STATUS))
def test_panic_becomes_the_panic_status_and_runtime_error(bridge: str, library: Path) -> None:
    proc = run_hook(bridge, library)
    assert proc.returncode == 0, f"{bridge}: child exited {proc.returncode}\n{proc.stderr[-2000:]}"
    got = json.loads(proc.stdout)
    assert got["status"] == got["panic"], got
    assert got["error"] == "RuntimeError", got
    assert "panic" in got["message"], got
    assert got["after"] == 3, got
