"""The registry (benches/bridges.toml) and the code agree, in both directions."""

from __future__ import annotations

import importlib
import sys

import pytest

from bridgebench import spec
from bridgebench.badinput import cases
from bridgebench.compat import tomllib
from bridgebench.outcomes import declared

ALL_CELLS = set(spec.cells())


@pytest.mark.parametrize("bridge", spec.bridges(), ids=lambda b: b.name)
def test_every_cell_is_covered_or_declared_na(bridge: spec.Bridge) -> None:
    covered, na = set(bridge.cells), set(bridge.na)
    assert not covered & na, f"{bridge.name}: cells both covered and n/a: {covered & na}"
    assert covered | na == ALL_CELLS, (
        f"{bridge.name}: every cell must be covered or have an n/a reason in "
        f"{spec.REGISTRY}; missing {ALL_CELLS - covered - na}, unknown {(covered | na) - ALL_CELLS}"
    )
    assert all(reason.strip() for reason in bridge.na.values()), "an n/a needs a reason"


def test_an_na_reason_is_written_once() -> None:
    """A reason several bridges or cells share is one [[na]] entry, not copies."""
    data = tomllib.loads(spec.REGISTRY.read_text())
    written = [r for b in data["bridge"] for r in b.get("na", {}).values()]
    written += [entry["reason"] for entry in data.get("na", [])]
    copies = sorted({r for r in written if written.count(r) > 1})
    assert not copies, f"{spec.REGISTRY}: write these once, as an [[na]] entry: {copies}"


@pytest.mark.parametrize("bridge", spec.python_bridges(), ids=lambda b: b.name)
def test_module_implements_exactly_its_registered_cells(bridge: spec.Bridge) -> None:
    module = bridge.import_module()
    for cell in spec.cells().values():
        has = callable(getattr(module, cell.function, None))
        if cell.name in bridge.cells:
            assert has, (
                f"{bridge.name}: registered cell {cell.name}, "
                f"but {bridge.module} has no {cell.function}()"
            )
        else:
            assert not has, (
                f"{bridge.name}: {bridge.module}.{cell.function}() exists but cell {cell.name} "
                f"is not registered for it in {spec.REGISTRY}"
            )


@pytest.mark.parametrize(
    "bridge",
    [b for b in spec.bridges() if b.python is not None or b.python_library is not None],
    ids=lambda b: b.name,
)
def test_a_bridge_is_built_exactly_for_the_interpreters_it_declares(bridge: spec.Bridge) -> None:
    """[bridge.python]: a version specifier and a reason; here, the build agrees with it."""
    from packaging.specifiers import SpecifierSet

    assert bridge.side == "python" and bridge.python_reason, f"{bridge.name}: [bridge.python]"
    SpecifierSet(bridge.python or "")  # raises on a malformed specifier
    if bridge.built_for():
        bridge.import_module()
    else:
        with pytest.raises(ImportError):
            importlib.import_module(bridge.module)
        reason = bridge.not_built_reason()
        assert reason is not None and reason.startswith(
            f"not built for CPython {sys.version_info[0]}.{sys.version_info[1]} ("
        )


def test_names_are_unique_and_sides_known() -> None:
    names = [b.name for b in spec.bridges()]
    assert len(names) == len(set(names))
    assert {b.side for b in spec.bridges()} <= {"python", "rust"}
    assert spec.reference().side == "python"


@pytest.mark.parametrize("bridge", spec.bridges(), ids=lambda b: b.name)
def test_code_paths_and_build_steps_exist(bridge: spec.Bridge) -> None:
    assert bridge.code, f"{bridge.name}: `code` must say where the binding code lives"
    for path in bridge.code:
        assert (spec.ROOT / path).exists(), f"{bridge.name}: code path {path} does not exist"
    if bridge.build is not None:
        assert bridge.build in spec.build_steps(), (
            f"{bridge.name}: unknown build step {bridge.build}"
        )
    page = f"docs/book/src/bridges/{bridge.name}.md"
    assert (spec.ROOT / page).exists(), f"{bridge.name}: every bridge has a page {page}"


def test_every_build_step_is_used() -> None:
    used = {b.build for b in spec.bridges()} | {
        after for step in spec.build_steps().values() for after in step.get("after", [])
    }
    assert set(spec.build_steps()) <= used


@pytest.mark.parametrize("bridge", spec.bridges(), ids=lambda b: b.name)
def test_declared_outcomes_name_real_cases(bridge: spec.Bridge) -> None:
    known = {c.id for c in cases() if c.cell in bridge.cells}
    for case_id, declaration in bridge.outcomes.items():
        assert case_id in known, f"{bridge.name}: outcome for unknown case {case_id}"
        declared(declaration)  # raises if unreadable


@pytest.mark.parametrize("bridge", spec.bridges(), ids=lambda b: b.name)
def test_thread_declarations_are_well_formed(bridge: spec.Bridge) -> None:
    """[bridge.threads] / [[threads]]: Python side only; releases_gil names the bridge's own
    cells; shared_buffer is "exact" or "races: why" / "crash: why" for a bridge with
    scale.inplace; and anything declared carries its reason, which says nothing undeclared."""
    declared = bool(bridge.releases_gil) or bridge.shared_buffer != "exact"
    if bridge.side != "python":
        assert not declared and not bridge.threads_reason, f"{bridge.name}: a Rust-side bridge"
        return
    stray = set(bridge.releases_gil) - set(bridge.cells)
    assert not stray, f"{bridge.name}: releases_gil names cells it does not cover: {stray}"
    assert len(set(bridge.releases_gil)) == len(bridge.releases_gil), f"{bridge.name}: repeats"
    if bridge.shared_buffer != "exact":
        kind, _, why = bridge.shared_buffer.partition(": ")
        assert kind in {"races", "crash"} and why.strip(), (
            f'{bridge.name}: shared_buffer {bridge.shared_buffer!r} is neither "exact" '
            'nor "races: why" / "crash: why"'
        )
        assert "scale.inplace" in bridge.cells, f"{bridge.name}: no scale.inplace to share"
    assert declared == bool(bridge.threads_reason.strip()), (
        f"{bridge.name}: a thread declaration needs a reason, and a reason a declaration"
    )


def test_a_thread_declaration_is_written_once() -> None:
    """A bridge's thread behaviour is its own [bridge.threads] or one [[threads]] entry;
    spec.bridges() refuses two, so here it only has to load."""
    data = tomllib.loads(spec.REGISTRY.read_text())
    shared = [name for entry in data.get("threads", []) for name in entry["bridges"]]
    own = [b["name"] for b in data["bridge"] if "threads" in b]
    assert len(shared) == len(set(shared)) and not set(shared) & set(own)
    assert spec.bridges()


def test_bad_input_cases_name_real_cells_and_exceptions() -> None:
    for case in cases():
        assert case.cell in ALL_CELLS, f"bad_input {case.id}: unknown cell {case.cell}"
        case.exception_types()  # every name is a builtin exception


@pytest.mark.parametrize("example", spec.examples(), ids=lambda e: e.name)
def test_an_example_sits_beside_a_python_bridge_covering_its_cells(example: spec.Example) -> None:
    """An [[example]] is measured beside a bridge's cells (benches/bridges.toml): its
    `beside` is a Python-side bridge that covers each of them, its name no bridge's, its
    code and build step exist, and its module makes a call for each of its cells."""
    assert example.name not in {b.name for b in spec.bridges()}, f"{example.name}: a bridge's name"
    beside = spec.bridge(example.beside)
    assert beside.side == "python", f"{example.name}: beside a {beside.side}-side bridge"
    assert example.cells, f"{example.name}: no cells"
    for cell in example.cells:
        assert cell in ALL_CELLS, f"{example.name}: unknown cell {cell}"
        assert cell in beside.cells, f"{example.name}: {beside.name} does not cover {cell}"
    assert example.code and all((spec.ROOT / path).exists() for path in example.code)
    assert example.build is None or example.build in spec.build_steps()
    module = example.import_module()
    for function in example.calls.values():
        assert callable(getattr(module, function, None)), f"{example.module} has no {function}()"
    assert spec.paired_with(example, example.cells[0]) == (beside, example.cells[0])


def test_example_names_are_unique() -> None:
    names = [e.name for e in spec.examples()]
    assert len(names) == len(set(names))
