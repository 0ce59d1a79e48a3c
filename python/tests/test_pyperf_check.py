"""`python -m bridgebench pyperf-check`: the headline figures against pyperf."""

from __future__ import annotations

import pytest

from bridgebench import spec
from bridgebench.commands import pyperf_check
from bridgebench.harness import cases


def _pyperf_file(loops: int, values: list[float]) -> dict[str, object]:
    """A pyperf JSON document of one benchmark: a calibration run, then a worker's run."""
    return {
        "version": "1.0",
        "metadata": {"loops": loops, "name": "timeit"},
        "benchmarks": [
            {
                "runs": [
                    {"metadata": {"loops": loops}, "warmups": [[loops, 1e-7]]},
                    {"metadata": {"loops": loops}, "warmups": [[loops, 1e-7]], "values": values},
                ]
            }
        ],
    }


def test_pyperf_values_are_read_as_ns_per_loop() -> None:
    loops, values = pyperf_check.parse_pyperf(_pyperf_file(1024, [2e-7, 3e-7]))
    assert loops == 1024
    assert values == pytest.approx([200.0, 300.0])


def test_the_table_compares_the_headline_with_pyperf_net_of_its_empty_loop() -> None:
    good = pyperf_check.Pair("python", "add", None, harness=[[100.0, 102.0], [101.0]])
    good.pyperf_ns, good.pass_ns, good.pyperf_loops = [108.0, 110.0, 109.0], [8.0, 8.0], 64
    bad = pyperf_check.Pair("ctypes", "add", None, harness=[[150.0]])
    bad.pyperf_ns, bad.pass_ns = [108.0], [8.0]
    text, ok = pyperf_check.table([good], 0.10)
    assert ok and "| python | add |  | 101.0 | 101.0 | 1.000 | yes |" in text
    text, ok = pyperf_check.table([good, bad], 0.10)
    assert not ok and "| 1.500 | **no** |" in text


def test_the_checked_calls_are_the_harness_cases() -> None:
    assert pyperf_check.checks(), "the kernel specs ask for at least one check"
    for cell, size in pyperf_check.checks():
        assert size in cases.sizes(spec.cells()[cell], quick=False), "a size the bench measures"
        call = cases.one(spec.reference().name, cell, size)
        assert call.names and call.stmt
    with pytest.raises(KeyError):
        cases.one("no-such-bridge", "add", None)


def test_one_real_round_of_the_reference_bridge() -> None:
    pair = pyperf_check.Pair(spec.reference().name, "add", None)
    pyperf_check.measure([pair], 1)
    assert len(pair.harness) == 1 and pair.pyperf_loops > 0
    assert len(pair.pyperf_ns) >= 3 and len(pair.pass_ns) >= 3
    # Whether the two clocks agree is the command's finding, a figure it reports, not a
    # test's: under load (pytest runs a worker per core) pyperf once read 780 ns where the
    # harness read 296. Here: both measured something.
    assert pair.headline_ns > 0 and pair.pyperf_net_ns > 0
