"""Holder(text): a native object owning a str's UTF-8, with text(), utf8_len() and append().

For every Python-side bridge with the holder cells: the shared vectors of
benches/kernels/holder.toml, the reference's answers on Hypothesis texts (any code points
but surrogates), and every native object freed exactly once, by its native destructor:
`live_holders()` (the native side's own count of live objects) must come back to its
start after `del`, for holders caught in reference cycles (which only the cycle collector
frees), for holders made and dropped from 8 threads at once, after a failed constructor,
and over 10^5 create/drop cycles, during which resident memory may not grow by 1 MB.
"""

from __future__ import annotations

import gc
import os
import threading
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

import wrappers
from bridgebench import spec
from support import REFERENCE, SETTINGS, bridge_id, kernel_bridges, names, vectors

HOLDER_BRIDGES = kernel_bridges("holder")
TEXT = "héllo wörld, 😀 \x00 " * 4  # non-ASCII, an emoji and a NUL: 100+ UTF-8 bytes


@pytest.fixture(params=HOLDER_BRIDGES, ids=bridge_id)
def bridge(request: pytest.FixtureRequest) -> spec.Bridge:
    return request.param


@pytest.fixture
def module(bridge: spec.Bridge) -> ModuleType:
    return bridge.import_module()


def _refused(bridge: spec.Bridge, case: str) -> list[object]:
    """Bad text arguments; bytes only where the bridge does not declare it accepts them
    (the declared outcome is checked by test_bad_input)."""
    bad: list[object] = ["ab\ud800cd", None]
    return bad if case in bridge.outcomes else [*bad, b"bytes"]


def _settled(module: ModuleType) -> int:
    gc.collect()
    return int(module.live_holders())


def test_shared_vectors(bridge: spec.Bridge, module: ModuleType) -> None:
    start = module.live_holders()
    kept = []
    for v in vectors("holder"):
        text = v["text"] * v.get("repeat", 1)
        holder = module.Holder(text)
        for more in v.get("append", []):
            assert holder.append(more) is None
            text += more
        label = f"{bridge.name}: holder vector {v['text'][:20]!r} x{v.get('repeat', 1)}"
        got = holder.text()
        assert type(got) is str, f"{label}: text() returned {type(got).__name__}"
        assert got == text, f"{label}: text() differs (len {len(got)} vs {len(text)})"
        assert holder.utf8_len() == v["utf8_len"], label
        kept.append(holder)
        assert module.live_holders() == start + len(kept), f"{label}: live count"
    del kept, holder
    gc.collect()
    assert module.live_holders() == start, f"{bridge.name}: holders left alive"


# The kinds of str argument (tests/wrappers.py) and the bad-input case of holder.toml that
# declares a tool's other nature for them.
DECLARED_BY = {
    "str subclass": {"holder-str-subclass-is-valid"},
    "str subclass with its own __str__, encode and __len__": {"holder-str-subclass-is-valid"},
    "numpy str_": {"holder-str-subclass-is-valid"},
}


def test_equals_reference(bridge: spec.Bridge, module: ModuleType) -> None:
    """Texts of any code points, each wrapped in a kind of str the contract accepts."""
    wraps = wrappers.drawn(bridge, wrappers.STR_KINDS, DECLARED_BY, "str")

    @SETTINGS
    @given(st.tuples(names, wraps), st.lists(st.tuples(names, wraps), max_size=5))
    def check(text: tuple[str, wrappers.Wrap], appends: list[tuple[str, wrappers.Wrap]]) -> None:
        wrappers.example(bridge, "holder")
        given_text = text[1](text[0])
        got, want = module.Holder(given_text), REFERENCE.Holder(given_text)
        for more, wrap in appends:
            given_more = wrap(more)
            got.append(given_more)
            want.append(given_more)
        answer = got.text()
        assert type(answer) is str, f"text() returned {type(answer).__name__}"
        assert (answer, got.utf8_len()) == (want.text(), want.utf8_len())

    check()


def test_del_frees_the_native_object(module: ModuleType) -> None:
    start = _settled(module)
    holder = module.Holder(TEXT)
    other = module.Holder("")
    assert module.live_holders() == start + 2
    del holder
    assert _settled(module) == start + 1
    del other
    assert _settled(module) == start


def test_holders_in_reference_cycles_are_freed(module: ModuleType) -> None:
    start = _settled(module)
    for _ in range(100):
        holder = module.Holder(TEXT)
        box: list[object] = [holder]
        box.append(box)  # a cycle: only the cycle collector can free it
        del holder, box
    gc.collect()
    assert module.live_holders() == start


def test_holders_made_and_dropped_from_eight_threads(module: ModuleType) -> None:
    start = _settled(module)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            barrier.wait()
            kept = []
            for i in range(2000):
                holder = module.Holder(f"{seed}-{i}-{TEXT}")
                holder.append("!")
                if i % 3 == 0:
                    kept.append(holder)
                assert holder.text().endswith("!")
            kept.clear()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert _settled(module) == start


def test_a_failed_constructor_leaves_nothing_alive(bridge: spec.Bridge, module: ModuleType) -> None:
    start = _settled(module)
    for bad in _refused(bridge, "holder-bytes"):
        with pytest.raises((TypeError, ValueError)):
            module.Holder(bad)
    assert _settled(module) == start


def test_a_failed_append_leaves_the_text_unchanged(bridge: spec.Bridge, module: ModuleType) -> None:
    holder = module.Holder("kept")
    for bad in _refused(bridge, "holder-append-bytes"):
        with pytest.raises((TypeError, ValueError)):
            holder.append(bad)
    assert holder.text() == "kept"
    assert holder.utf8_len() == 4


def test_text_is_a_new_str_each_time(module: ModuleType) -> None:
    holder = module.Holder(TEXT)
    first = holder.text()
    holder.append("+")
    assert first == TEXT, "a str handed out earlier must not change with the holder"
    assert holder.text() == TEXT + "+"


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_1e5_create_drop_cycles_return_the_count_and_the_memory(module: ModuleType) -> None:
    make = module.Holder
    for _ in range(10_000):  # warm-up: allocator pools, caches, method lookups
        make(TEXT).text()
    start, rss_before = _settled(module), _rss_bytes()
    for _ in range(100_000):
        make(TEXT).text()
    grown = _rss_bytes() - rss_before
    assert _settled(module) == start
    # A leak of the text alone would be 100_000 x 100+ bytes = 10+ MB.
    assert grown < 1 << 20, f"resident memory grew by {grown} bytes over 10^5 cycles"
