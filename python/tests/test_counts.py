"""Allocation and instruction counts (harness/counts.py, count_*.py; crates/measure-hooks):
exact, repeatable, and seeing what they must see. docs/COUNTS.md describes the method."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bridgebench import spec
from bridgebench.harness import count_figures, count_plan, counts, hooks
from bridgebench.harness.count_messages import InstructionLoops

BRIDGES = ("python", "cpython-api")
CELLS = ("add", "scale.list", "scale.inplace")
SIZES = (1, 1000)


@cache
def _run(bridge: str, kind: str, attempt: int) -> tuple[dict[str, Any], ...]:
    """One narrowed count run; `attempt` keeps two runs apart in the cache."""
    del attempt
    runs = counts.run_counts(bridge, kind, quick=True, cells=CELLS, sizes=SIZES)
    return tuple(asdict(r) for r in runs)


def _by_cell(records: tuple[dict[str, Any], ...]) -> dict[tuple[str, Any], dict[str, Any]]:
    return {(r["cell"], r["size"]): r for r in records}


# Not counts: the kernel's RSS figure, and live bytes between settled heaps (they wobble
# by a few dozen bytes from run to run; the leak verdict allows for it). Frees wobble too,
# a little (16.979 against 16.98 per call in a fresh clone, even with `setarch -R`): a
# free can fall just inside or just outside a loop. Allocations, bytes and instructions,
# the figures the gate compares, never moved.
NOT_EXACT = {"peak_rss_bytes", "live_bytes_per_call", "live_growth", "frees_per_call"}


def _exact(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in NOT_EXACT}


# ---------------------------------------------------------------- the runners, end to end


@pytest.mark.parametrize("kind", counts.KINDS)
@pytest.mark.parametrize("bridge", BRIDGES)
def test_counts_are_identical_across_runs(bridge: str, kind: str) -> None:
    if kind == "instructions" and shutil.which("valgrind") is None:
        pytest.fail(
            "valgrind is missing: instruction counts need the Debian package `valgrind` "
            "(ci/system-packages.txt); install it with `sudo apt-get install valgrind`"
        )
    first, second = _run(bridge, kind, 1), _run(bridge, kind, 2)
    want = [(c, n) for c in CELLS for n in ([None] if c == "add" else SIZES)]
    assert [(r["cell"], r["size"]) for r in first] == want
    assert [_exact(r) for r in first] == [_exact(r) for r in second]


def test_instruction_counts_order_the_bridges() -> None:
    ref = _by_cell(_run("python", "instructions", 1))
    capi = _by_cell(_run("cpython-api", "instructions", 1))
    # The hand-written C-API add is a few hundred instructions; the checked pure-Python
    # add is several times that (both include the loop's own bytecode).
    assert (
        100 < capi["add", None]["instructions_per_call"] < ref["add", None]["instructions_per_call"]
    )
    # In place on a buffer: no per-element Python objects, so far below the list version.
    assert capi["scale.inplace", 1000]["instructions_per_call"] < (
        capi["scale.list", 1000]["instructions_per_call"] / 10
    )


def test_allocation_counts_see_the_known_allocations() -> None:
    ref = _by_cell(_run("python", "allocs", 1))
    capi = _by_cell(_run("cpython-api", "allocs", 1))
    # The reference builds 1000 new floats and a list; CPython reuses up to 100 floats
    # from its float free list (PyFloat_MAXFREELIST), which never reach malloc.
    n = 1000
    assert ref["scale.list", n]["allocs_per_call"] >= 0.9 * n
    assert ref["scale.list", n]["bytes_per_call"] >= 0.9 * n * 24  # a float object: 24 bytes
    # In place through the buffer protocol: a fixed number of allocations whatever the
    # size (numpy's buffer export makes 2 per call: format and shape info), no copy.
    assert (
        capi["scale.inplace", 1]["allocs_per_call"] == capi["scale.inplace", n]["allocs_per_call"]
    )
    assert capi["scale.inplace", n]["allocs_per_call"] <= 2
    assert capi["scale.inplace", n]["copy_factor"] < 0.1
    # Small ints are cached: add(5, 3) through the C-API allocates nothing.
    assert capi["add", None]["allocs_per_call"] == 0
    for record in (*ref.values(), *capi.values()):
        assert record["leak"] == "ok", record
        # Every block made by a call is freed (one-off frees may fall in either loop).
        assert abs(record["frees_per_call"] - record["allocs_per_call"]) <= (
            0.01 * record["allocs_per_call"] + 0.5
        )
        assert record["tracemalloc_peak_bytes"] > 0
        assert record["peak_rss_bytes"] > 10 * 2**20


# ---------------------------------------------------------------- the allocator library


def test_the_interposed_allocator_counts_every_entry_point() -> None:
    """In a preloaded child: each malloc-family call through ctypes moves the counters by
    exactly what it did (no PYTHONMALLOC=malloc: Python's own objects stay in pymalloc)."""
    script = textwrap.dedent(
        """
        import ctypes
        from bridgebench.harness import hooks
        libc = ctypes.CDLL(None)
        for name in ("malloc", "calloc", "realloc", "aligned_alloc", "memalign"):
            getattr(libc, name).restype = ctypes.c_void_p
        libc.realloc.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        libc.free.argtypes = [ctypes.c_void_p]
        out = ctypes.c_void_p()
        reader = hooks.CounterReader()
        reader.before()
        a = libc.malloc(100)
        b = libc.calloc(10, 30)
        a = libc.realloc(a, 5000)
        c = libc.aligned_alloc(64, 640)
        d = libc.memalign(4096, 10)
        rc = libc.posix_memalign(ctypes.byref(out), 256, 1000)
        for p in (a, b, c, d, out.value):
            libc.free(p)
        reader.after()
        print(rc, reader.delta())
        """
    )
    env = dict(spec.child_env(), LD_PRELOAD=str(hooks.library_path()))
    env.pop("PYTHONMALLOC", None)
    run = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    # ctypes' own bookkeeping may allocate too, so: at least what was asked for, and every
    # block made here freed (live bytes back where they were).
    rc, delta = run.stdout.split(" ", 1)
    assert rc == "0"
    fields = dict(
        item.split("=")
        for item in delta.strip().removeprefix("AllocCounters(").rstrip(")").split(", ")
    )
    assert int(fields["allocs"]) >= 5  # malloc, calloc, aligned_alloc, memalign, posix_memalign
    assert int(fields["reallocs"]) >= 1
    assert int(fields["frees"]) >= 5
    assert int(fields["bytes"]) >= 100 + 300 + 5000 + 640 + 10 + 1000
    assert int(fields["live_bytes"]) == 0


def test_counters_refuse_to_read_without_the_preload() -> None:
    if "measure_hooks" in os.environ.get("LD_PRELOAD", ""):
        pytest.skip("this test process is itself preloaded")
    with pytest.raises(RuntimeError, match="LD_PRELOAD"):
        hooks.alloc_counters()


# ---------------------------------------------------------------- definitions


def test_leak_verdict() -> None:
    n = (100, 200)
    verdict = count_figures.leak_verdict
    assert verdict((0, 0), n, (0, 0)) == "ok"
    assert verdict((56, 56), n, (0, 0)) == "ok"  # a one-off, not per call
    assert verdict((4800, 9600), n, (0, 0)) == "leak"  # 48 bytes every call
    assert verdict((56, 112), (2, 4), (0, 0)) == "ok"  # a wobble, not a leak
    assert verdict((2**24, 2**25), (2, 4), (0, 0)) == "leak"  # a lost 8 MB buffer
    assert verdict((4800, 4850), n, (0, 0)) == "ok"  # grew once, then stopped
    assert verdict((0, 0), n, (100, 200)) == "leak"  # native objects never freed
    assert verdict((0, 0), n, (1, 0)) == "ok"


def test_payload_bytes_and_loop_lengths() -> None:
    cells = spec.cells()
    assert count_figures.payload_bytes(cells["add"], None) == 16
    assert count_figures.payload_bytes(cells["scale.list"], 1000) == 8000
    assert count_figures.payload_bytes(cells["map_callback"], 10) == 80
    assert count_figures.payload_bytes(cells["holder.create"], 1000) == 1000
    # records 0..9: 16 bytes of id and score each, names "name-0".."name-9" (6 bytes)
    assert count_figures.payload_bytes(cells["summarize.objects"], 10) == 10 * (16 + 6)
    for kind in count_plan.KINDS:
        for size in (None, 0, 1, 10**3, 10**6):
            n1, n2 = count_plan.loops(size, kind)
            assert n2 == 2 * n1 and count_plan.MIN_LOOPS <= n1 <= count_plan.MAX_LOOPS
    select = count_plan.Selection(quick=False)

    def biggest(sizes: list[int | None]) -> int:
        return max(n for n in sizes if n is not None)

    assert biggest(count_plan.count_sizes(cells["scale.list"], "instructions", select)) == (
        count_plan.INSTRUCTIONS_MAX_SIZE
    )
    assert biggest(count_plan.count_sizes(cells["scale.list"], "allocs", select)) == 10**6


def test_callgrind_dumps_are_read_by_name(tmp_path: Path) -> None:
    for i, (name, total) in enumerate([("bb-0-1000", 311514), ("bb-0-2000", 621514)], 1):
        (tmp_path / f"callgrind.out.{i}").write_text(
            f"version: 1\ndesc: Trigger: Client Request: {name}\nevents: Ir\n"
            f"summary: {total}\nfn=x\n1 2\ntotals: {total + 7}\n"
        )
    (tmp_path / "callgrind.out").write_text("desc: Trigger: Program termination\nsummary: 0\n")
    totals = counts._dump_totals(tmp_path, {}, set())
    assert totals == {"bb-0-1000": 311514, "bb-0-2000": 621514}
    raw = InstructionLoops("add", None, [1000, 2000], list(totals))
    assert count_figures.instructions(raw, totals).instructions_per_call == 310.0


def test_the_link_to_the_tree_is_made_safely_from_many_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gate's count threads all ask for the link to the tree at once (a race there
    once failed a gate run: two threads of one process renamed one temporary link)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    make = counts._tree_link.__wrapped__  # uncached: every thread makes or checks it
    barrier = threading.Barrier(8)

    def one() -> Path:
        barrier.wait()
        return make()

    with ThreadPoolExecutor(max_workers=8) as pool:
        links = list(pool.map(lambda _: one(), range(8)))
    assert len(set(links)) == 1
    assert os.readlink(links[0]) == str(spec.ROOT)


def test_the_child_sees_the_package_alone_and_finds_the_tree_through_it() -> None:
    """No listing on the child's path changes while tests run: python/ gains tools' caches
    (.mypy_cache once mypy has run), and a longer listing moved the heap and the counts."""
    env = counts._child_env("instructions")
    package_dir = Path(env["PYTHONPATH"].split(os.pathsep)[0])
    assert sorted(p.name for p in package_dir.iterdir()) == ["bridgebench"]
    assert all(not Path(p).is_relative_to(spec.ROOT) for p in env["PYTHONPATH"].split(os.pathsep))
    probe = "from bridgebench import spec; print(spec.ROOT); print(spec.REGISTRY.is_file())"
    out = subprocess.run(
        [counts._interpreter(), "-s", "-c", probe],
        env=env,
        cwd=tempfile.gettempdir(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [str(counts._tree_link()), "True"]


# ---------------------------------------------------------------- the Rust side

RUST_ROW = "extern-c"  # C++ behind a C ABI: Rust's allocator and C++'s, both counted


def test_a_rust_rows_copies_are_counted_on_the_same_payload() -> None:
    """The count binary counts a Rust-side row (benches/rust/count.rs): the same figures,
    the same copy factor against the same payload bytes as the Python side."""
    runs = counts.run_counts(
        RUST_ROW, "allocs", quick=True, cells=["add", "scale.buffer"], sizes=[1000]
    )
    got = {r.cell: asdict(r) for r in runs}
    assert got["add"]["allocs_per_call"] == 0 and got["add"]["bytes_per_call"] == 0
    # A new Vec<f64> of 1000 elements per call: one block, the payload's 8000 bytes, freed.
    buffer = got["scale.buffer"]
    assert (buffer["allocs_per_call"], buffer["bytes_per_call"]) == (1.0, 8000.0)
    assert buffer["copy_factor"] == 1.0 and buffer["frees_per_call"] == 1.0
    assert buffer["leak"] == "ok"


def test_a_rust_rows_instructions_are_identical_across_runs() -> None:
    def run() -> list[dict[str, Any]]:
        records = counts.run_counts(
            RUST_ROW, "instructions", quick=True, cells=["add", "scale.buffer"], sizes=[1000]
        )
        return [asdict(r) for r in records]

    first = run()
    assert [(r["cell"], r["size"]) for r in first] == [("add", None), ("scale.buffer", 1000)]
    # A checked add through a C ABI: tens of instructions, not hundreds.
    assert 10 < first[0]["instructions_per_call"] < 200
    assert first == run()
