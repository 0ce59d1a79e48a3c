"""A Rust panic on the C ABI path becomes an error value and a Python exception, not an abort.

crates/c-abi exports a test hook, `bb_debug_panic`, that runs a real `panic!` inside the same
`catch_unwind` guard every `bb_*` kernel function runs in. Through both bridges over that ABI
it must come back as `BB_STATUS_PANIC`, which the bridge turns into RuntimeError. Were the
guard missing, the panic would reach an `extern "C"` frame and Rust would abort the process;
so the hook is only ever called in a child process, and a broken guard fails these tests
instead of killing the test run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache

import pytest

from bridgebench import spec

# Bridge -> (the hook, the PANIC status) as the bridge module sees them: ctypes through the
# library it loaded and its hand-copied Status, cffi through the compiled `lib` and the header's
# constant. Dotted names, looked up on the bridge's module in the child.
HOOKS = {
    "ctypes": ("_lib.bb_debug_panic", "Status.PANIC"),
    "cffi": ("lib.bb_debug_panic", "lib.BB_STATUS_PANIC"),
}

CHILD = r"""
import importlib, json, sys
from operator import attrgetter
module_name, hook, panic = sys.argv[1:]
module = importlib.import_module(module_name)
status = attrgetter(hook)(module)()
error = module._error(status)  # the bridge's own status -> exception mapping
print(json.dumps({
    "status": int(status),
    "panic": int(attrgetter(panic)(module)),
    "error": type(error).__name__,
    "message": str(error),
    "after": module.checked_div(7, 2),  # the library still works after the caught panic
}))
"""

PANIC_MESSAGE = "bb_debug_panic: a deliberate panic"  # the panic! in crates/c-abi/src/lib.rs


@cache
def run_hook(bridge: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, spec.bridge(bridge).module, *HOOKS[bridge]],
        capture_output=True,
        text=True,
        timeout=120,
        env={**spec.child_env(), "RUST_BACKTRACE": "0"},
        cwd=spec.ROOT,
    )


@pytest.mark.parametrize("bridge", sorted(HOOKS))
def test_interpreter_survives_the_panic(bridge: str) -> None:
    proc = run_hook(bridge)
    # A negative code is the signal that killed the child (SIGABRT: the panic unwound into C).
    assert proc.returncode == 0, f"{bridge}: child exited {proc.returncode}\n{proc.stderr[-2000:]}"
    # Rust's default panic hook printed the message: a real panic ran, it was not skipped.
    assert PANIC_MESSAGE in proc.stderr, proc.stderr


@pytest.mark.parametrize("bridge", sorted(HOOKS))
def test_panic_becomes_the_panic_status_and_runtime_error(bridge: str) -> None:
    proc = run_hook(bridge)
    assert proc.returncode == 0, f"{bridge}: child exited {proc.returncode}\n{proc.stderr[-2000:]}"
    got = json.loads(proc.stdout)
    assert got["status"] == got["panic"], got
    assert got["error"] == "RuntimeError", got
    assert "panic" in got["message"], got
    assert got["after"] == 3, got
