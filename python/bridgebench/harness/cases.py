"""The calls the harness measures: for each cell and input size, the callable, its
arguments and a check of its answer against the reference.

Shared by the timing worker and the count runners (instructions, allocations), so every
figure of a cell is taken on the same inputs. Sizes come from each kernel's `[bench]`
table: `sizes` (the full sweep) and `quick_sizes`.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from bridgebench import spec
from bridgebench.records import arguments, bench_records, summary_fields

FACTOR = -1.0  # keeps repeated in-place scaling bounded: no drift into inf or subnormals


def _bits(result: Any, strategy: str) -> bytes:
    if strategy == "list":
        return np.array(result, dtype=np.float64).tobytes()
    return memoryview(result).tobytes()


def _bench(cell: spec.Cell) -> dict[str, Any]:
    bench: dict[str, Any] = spec.kernels()[cell.kernel]["bench"]
    return bench


# size, the callable timed, its arguments, a check of its answer
Case = tuple[int | None, Callable[..., Any], tuple[Any, ...], Callable[[], None]]


# The inputs and expected answers a kernel's cases are built from, the same for every
# bridge, when the timing worker has built them once (share_inputs) before it forks the
# children that measure a cell: each child would otherwise build them twice, for the
# bridge and for the floor. Elsewhere (count runs, tests) every case builds its own.
_SHARED: dict[tuple[Any, ...], Any] = {}


def _normal_values(n: int) -> np.ndarray:
    """n standard-normal float64 (seed n): normal numbers, no subnormal slow paths."""
    return np.random.default_rng(n).standard_normal(n)


def _callback_want(callback: Callable[[float], float], values: list[float]) -> bytes:
    return np.array([callback(x) for x in values], dtype=np.float64).tobytes()


def _summary_want(records: list[Any]) -> tuple[Any, ...]:
    return summary_fields(spec.reference().import_module().summarize_objects(records))


def share_inputs(cell: spec.Cell, sizes: list[Any]) -> None:
    """Build the inputs of `cell` at `sizes` once, for every case built after (read-only:
    no case can change what another is given)."""
    for n in sizes:
        if n is None:
            continue
        if cell.kernel == "summarize":
            records = bench_records(n)
            _SHARED["records", n] = (records, _summary_want(records))
        elif cell.kernel in ("scale", "map_callback"):
            values = _normal_values(n)
            values.setflags(write=False)
            _SHARED["values", n] = values
            if cell.strategy == "callback":
                want = _callback_want(_callback(cell), values.tolist())
                _SHARED["callback_want", cell.name, n] = want


def forget_inputs() -> None:
    """Drop the shared inputs (the worker does, between cells)."""
    _SHARED.clear()


def _callback(cell: spec.Cell) -> Callable[[float], float]:
    """The spec's [bench] callback of a map_callback cell (a Python lambda)."""
    name = _bench(cell)["callback"]
    return eval(spec.kernels()[cell.kernel]["callbacks"][name]["python"])  # noqa: S307


def _callback_cases(fn: Callable[..., Any], cell: spec.Cell, sizes: list[int]) -> list[Case]:
    """map_callback over n normal numbers with the spec's [bench] callback (a Python lambda)."""
    callback = _callback(cell)
    cases: list[Case] = []
    for n in sizes:
        shared = _SHARED.get(("values", n))
        values = (shared if shared is not None else _normal_values(n)).tolist()
        want = _SHARED.get(("callback_want", cell.name, n)) or _callback_want(callback, values)

        def check(values: list[float] = values, want: bytes = want, n: int = n) -> None:
            if _bits(fn(values, callback), "list") != want:
                raise AssertionError(f"wrong answer from {cell.function} (n={n})")

        cases.append((n, fn, (values, callback), check))
    return cases


def _scalar_cases(fn: Callable[..., Any], cell: spec.Cell) -> list[Case]:
    """The kernel spec's [bench] args, checked against the reference's answer."""
    a, b = _bench(cell)["args"]
    want = getattr(spec.reference().import_module(), cell.function)(a, b)

    def check() -> None:
        if fn(a, b) != want:
            raise AssertionError(f"wrong answer from {cell.function}({a}, {b})")

    return [(None, fn, (a, b), check)]


def _scale_cases(fn: Callable[..., Any], cell: spec.Cell, sizes: list[int]) -> list[Case]:
    cases: list[Case] = []
    for n in sizes:
        values = _SHARED.get(("values", n))
        if values is None:
            values = _normal_values(n)
        want = (values * FACTOR).tobytes()
        data: Any = values.tolist() if cell.strategy == "list" else values.copy()

        def check(values: Any = values, data: Any = data, want: bytes = want, n: int = n) -> None:
            if cell.strategy == "inplace":
                probe = values.copy()
                fn(probe, FACTOR)
                got = probe.tobytes()
            else:
                got = _bits(fn(data, FACTOR), cell.strategy)
            if got != want:
                raise AssertionError(f"wrong answer from scale ({cell.strategy}, n={n})")

        cases.append((n, fn, (data, FACTOR), check))
    return cases


def _holder_cases(cls: Callable[..., Any], cell: spec.Cell, sizes: list[int]) -> list[Case]:
    """Holder(text) built and dropped (create), or text() of a holder (method), per size."""
    bench = _bench(cell)
    cases: list[Case] = []
    for n in sizes:
        text = (bench["pattern"] * (n // len(bench["pattern"]) + 1))[:n]
        fn: Callable[..., Any] = cls
        args: tuple[Any, ...] = (text,)
        if cell.strategy == "method":
            if cell.method is None:
                raise ValueError(f"benches/kernels/holder.toml: cell {cell.name} names no method")
            holder = cls(text)
            # The unbound method, called with the holder: no bound-method object per call.
            fn, args = getattr(type(holder), cell.method), (holder,)

        def check(
            fn: Callable[..., Any] = fn, args: tuple[Any, ...] = args, text: str = text
        ) -> None:
            got = fn(*args)
            if (got if cell.strategy == "method" else got.text()) != text:
                raise AssertionError(f"wrong text from Holder ({cell.name}, n={len(text)})")

        cases.append((n, fn, args, check))
    return cases


def _summarize_cases(fn: Callable[..., Any], cell: spec.Cell, sizes: list[int]) -> list[Case]:
    """n records in the strategy's form, checked against the reference's summary."""
    cases: list[Case] = []
    for n in sizes:
        records, want = _SHARED.get(("records", n)) or (bench_records(n), None)
        want = want or _summary_want(records)
        args = arguments(cell.strategy, records)

        def check(args: tuple[Any, ...] = args, want: tuple[Any, ...] = want, n: int = n) -> None:
            if summary_fields(fn(*args)) != want:
                raise AssertionError(f"wrong summary from {cell.function} (n={n})")

        cases.append((n, fn, args, check))
    return cases


def sizes(cell: spec.Cell, *, quick: bool) -> list[int | None]:
    """The input sizes of a cell: [None] for a scalar cell, else the kernel's sweep."""
    if cell.strategy == "scalar":
        return [None]
    bench = _bench(cell)
    return list(bench["quick_sizes" if quick else "sizes"])


def cases(module: ModuleType, cell: spec.Cell, sizes: list[Any]) -> list[Case]:
    """Every measured call of one cell of a bridge's module, one per size."""
    fn = getattr(module, cell.function)
    if cell.kernel == "holder":
        return _holder_cases(fn, cell, sizes)
    if cell.kernel == "summarize":
        return _summarize_cases(fn, cell, sizes)
    if cell.strategy == "scalar":
        return _scalar_cases(fn, cell)
    if cell.strategy == "callback":
        return _callback_cases(fn, cell, sizes)
    return _scale_cases(fn, cell, sizes)


def one(
    bridge_name: str, cell_name: str, size: int | None
) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    """The call and arguments the harness times for one bridge, cell and size (for an
    outside clock: `python -m bridgebench pyperf-check`)."""
    cell = spec.cells()[cell_name]
    module = spec.bridge(bridge_name).import_module()
    ((_, fn, args, check),) = cases(module, cell, [size])
    check()
    return fn, args
