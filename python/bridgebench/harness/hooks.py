"""ctypes access to `libmeasure_hooks.so` (crates/measure-hooks): allocation counters and
callgrind client requests, for the count child (harness/count_child.py, docs/COUNTS.md).

The allocation counters count only when the library is LD_PRELOADed (then it is the
process's malloc); loaded here without the preload they stay at zero, and
`alloc_counters()` says so instead of returning zeros. The callgrind requests are no-ops
outside valgrind.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bridgebench.spec import ROOT, TARGET

LIBRARY = TARGET / "release" / "libmeasure_hooks.so"
BUILD = "cargo build --release --locked --package measure-hooks"
# Order of bb_alloc_counters' output (crates/measure-hooks/src/alloc.rs).
FIELDS = ("allocs", "reallocs", "frees", "bytes", "live_bytes")


def library_path() -> Path:
    """The built library, or an error that says how to build it."""
    if not LIBRARY.is_file():
        raise FileNotFoundError(f"{LIBRARY} is missing: build it with `{BUILD}` (from {ROOT})")
    return LIBRARY


@cache
def _lib() -> ctypes.CDLL:
    lib = ctypes.CDLL(str(library_path()))
    lib.bb_alloc_counters_len.restype = ctypes.c_size_t
    if lib.bb_alloc_counters_len() != len(FIELDS):
        raise RuntimeError(f"{LIBRARY} is stale (counter layout changed): rebuild with `{BUILD}`")
    lib.bb_alloc_counters.argtypes = [ctypes.c_void_p]
    lib.bb_alloc_counters.restype = None
    lib.bb_callgrind_dump.argtypes = [ctypes.c_char_p]
    lib.bb_callgrind_dump.restype = None
    for name in ("toggle_collect", "zero", "start_instrumentation", "stop_instrumentation"):
        getattr(lib, f"bb_callgrind_{name}").restype = None
    lib.bb_running_on_valgrind.restype = ctypes.c_int
    return lib


@dataclass(frozen=True)
class AllocCounters:
    """A snapshot of the process's allocator counters (cumulative since start-up)."""

    allocs: int  # new blocks: malloc, calloc, aligned variants, realloc(NULL, n)
    reallocs: int  # resizes of an existing block
    frees: int
    bytes: int  # bytes requested by allocations and reallocs (a realloc: its new size)
    live_bytes: int  # usable bytes of live blocks, modulo 2**64: use differences

    def __sub__(self, other: AllocCounters) -> AllocCounters:
        live = (self.live_bytes - other.live_bytes) % 2**64
        return AllocCounters(
            self.allocs - other.allocs,
            self.reallocs - other.reallocs,
            self.frees - other.frees,
            self.bytes - other.bytes,
            live - 2**64 if live >= 2**63 else live,  # signed: a loop may free more than it made
        )


class CounterReader:
    """Reads the counters into buffers made up front, so a read allocates as little as
    possible (the same amount every time, which the two-loop difference cancels)."""

    def __init__(self) -> None:
        self._read = _lib().bb_alloc_counters
        self._buffers = [(ctypes.c_uint64 * len(FIELDS))() for _ in range(2)]

    def before(self) -> None:
        self._read(self._buffers[0])

    def after(self) -> None:
        self._read(self._buffers[1])

    def delta(self) -> AllocCounters:
        """Counters at `after()` minus counters at `before()`."""
        first, second = (AllocCounters(*buffer) for buffer in self._buffers)
        return second - first


def alloc_counters() -> AllocCounters:
    """The counters now; raises unless the library is preloaded (LD_PRELOAD)."""
    buffer = (ctypes.c_uint64 * len(FIELDS))()
    _lib().bb_alloc_counters(buffer)
    counters = AllocCounters(*buffer)
    if counters.allocs == 0:
        raise RuntimeError(
            f"the allocation counters are not active: run with LD_PRELOAD={LIBRARY} "
            "(and PYTHONMALLOC=malloc to count the Python heap too)"
        )
    return counters


def running_on_valgrind() -> bool:
    return bool(_lib().bb_running_on_valgrind())


def callgrind_toggle_collect() -> None:
    _lib().bb_callgrind_toggle_collect()


def callgrind_zero() -> None:
    _lib().bb_callgrind_zero()


def callgrind_dump(name: str) -> None:
    """Dump the costs since the last dump into a new file named by `name`, and zero them."""
    _lib().bb_callgrind_dump(name.encode())


def callgrind_start_instrumentation() -> None:
    _lib().bb_callgrind_start_instrumentation()


def callgrind_stop_instrumentation() -> None:
    _lib().bb_callgrind_stop_instrumentation()
