"""swig-stable beside swig in one process: two builds of one SWIG interface, kept apart.

Every SWIG module of one runtime version in a process shares one table of the C++ types it
wraps, keyed by SWIG_TYPE_TABLE, and a module that registers a type already in it re-points
the type at its own proxy class. Had the stable build (cpp/bindings/swig_stable) the sibling's
table, the module imported last would make the other's results instances of its classes:
the values stay right, so the differential tests would pass, but each call of the other
module would go through this one's proxies.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from bridgebench import spec

Builds = tuple[ModuleType, ModuleType]


@pytest.fixture(scope="module")
def modules() -> Builds:
    stable = spec.bridge("swig-stable")
    why = stable.not_built_reason()
    if why is not None:
        pytest.skip(why)
    return spec.bridge("swig").import_module(), stable.import_module()


def test_each_build_makes_objects_of_its_own_classes(modules: Builds) -> None:
    for module in modules:
        summary = module.summarize_objects([(1, "a", 2.0)])
        assert type(summary) is module.Summary, f"{module.__name__}: {type(summary)}"
        holder = module.Holder("x")
        assert type(holder) is module.Holder and holder.text() == "x"
    version_specific, stable = modules
    assert version_specific.Summary is not stable.Summary


def test_the_stable_build_is_an_abi3_extension(modules: Builds) -> None:
    _, stable = modules
    extension = Path(str(stable.bb_swig._bb_swig.__file__))
    assert extension.parent == Path(str(stable.__file__)).parent
    assert extension.name.startswith("_bb_swig.abi3."), extension
