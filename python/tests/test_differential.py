"""The checker of the differential tests: bit for bit, NaN-aware.

Every kernel's tests (tests/kernels/test_<kernel>.py) compare each bridge with the
reference on Hypothesis inputs. For float64 data the comparison is NaN-aware: any NaN
equals any NaN. IEEE 754 leaves the payload of NaN * NaN to the implementation (x86
returns its first operand's, and a compiler may swap the operands of a commutative
multiply), so payloads are not part of the contract; everything else, -0.0 and
subnormals included, must match exactly.
"""

from __future__ import annotations

import numpy as np

from support import same_bits_nan_aware


def test_nan_aware_comparison_can_fail() -> None:
    """The checker itself must be able to say no: 0.0 is not -0.0, a NaN is not a number."""
    nan, zero, minus_zero = (np.array([x]).tobytes() for x in (float("nan"), 0.0, -0.0))
    assert not same_bits_nan_aware(zero, minus_zero)
    assert not same_bits_nan_aware(nan, zero)
    assert same_bits_nan_aware(nan, np.array([-float("nan")]).tobytes())
