"""Statistics of the timings: per-cell summaries, spread flags, cost models, crossovers.

Pure functions over plain numbers (no I/O, no spec), so each one is unit-tested on
synthetic data with a known answer (python/tests/test_stats.py).

Summary of one cell (the pooled samples of every worker process at one input size):
- the **median** and the **quartiles** (IQR): robust against the odd slow sample a noisy
  neighbour causes, which would drag a mean and a standard deviation (pyperf reports
  mean ± std; on a shared 2-core VM medians reproduce better);
- a **95 % bootstrap confidence interval of the median**: percentile bootstrap, 2000
  resamples, fixed seed, so the same samples always give the same interval.

Spread flags (`spread_flags`), the documented rule:
- ``wide-spread`` when IQR > 13.5 % of the median. pyperf warns when the standard
  deviation exceeds 10 % of the mean; for normally distributed samples IQR = 1.349 sd,
  so 13.5 % is the same threshold stated on the robust statistics we report. It says the
  samples disagree (often: worker processes drew different memory layouts).
- ``wide-ci`` when the 95 % CI of the median is wider than ±5 % of the median
  (hi - lo > 10 % of it). Two runs are expected to agree within 5 %; a median not
  known to ±5 % by its own samples cannot be expected to.

Cost model of one (bridge, cell) over its size sweep: t(n) = fixed + per_unit · n, fitted
by weighted least squares on *relative* residuals (t_i - model(n_i)) / t_i, i.e. weights
1/t_i²: a plain fit would spend all its effort on n = 10^6 and ignore n = 1, where the
fixed cost shows. Both coefficients are kept ≥ 0 (a negative fixed cost or per-element
cost is not a cost: such a fit is redone with that coefficient at 0). Fit quality is the
RMS and the maximum of the relative residuals: below 0.1 the straight line explains
every size within ~10 %; more means the cost is not linear in n (cache levels, allocator
regimes, a different code path at some size).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20261125  # fixed: the same samples always give the same interval
WIDE_SPREAD_IQR = 0.135  # IQR / median; pyperf's std/mean > 10 % for a normal distribution
WIDE_CI = 0.10  # (CI high - CI low) / median, i.e. wider than ±5 %


def median(samples: Sequence[float]) -> float:
    if not samples:
        raise ValueError("median of no samples")
    return float(np.median(np.asarray(samples, dtype=np.float64)))


def quartiles(samples: Sequence[float]) -> tuple[float, float]:
    """First and third quartile (linear interpolation, as statistics' "inclusive")."""
    if not samples:
        raise ValueError("quartiles of no samples")
    q1, q3 = np.percentile(np.asarray(samples, dtype=np.float64), [25.0, 75.0])
    return float(q1), float(q3)


def _clusters(rounds: Sequence[Sequence[float]]) -> np.ndarray:
    """The samples as a (clusters, samples) array padded with NaN: one row per round
    (worker process or criterion pass) when there are two or more, else one row per
    sample, so a run of one round still gets an interval (of its samples alone)."""
    kept = [list(r) for r in rounds if len(r)]
    if len(kept) < 2:
        kept = [[x] for r in kept for x in r]
    width = max(len(r) for r in kept)
    return np.array([r + [math.nan] * (width - len(r)) for r in kept], dtype=np.float64)


def _resampled_medians(x: np.ndarray, picks: np.ndarray) -> np.ndarray:
    """The median of each resample: `picks` (resamples, clusters) indexes rows of `x`."""
    drawn = x[picks].reshape(len(picks), -1)
    medians: np.ndarray = np.nanmedian(drawn, axis=1)
    return medians


def _percentiles(values: np.ndarray, confidence: float) -> tuple[float, float]:
    tail = (1.0 - confidence) / 2 * 100
    lo, hi = np.percentile(values, [tail, 100.0 - tail])
    return float(lo), float(hi)


def bootstrap_ci(
    rounds: Sequence[Sequence[float]],
    *,
    confidence: float = 0.95,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float]:
    """Percentile-bootstrap confidence interval of the median of every sample, resampling
    whole rounds: samples of one process share its memory layout and moment, so they are
    not independent, and resampling them one by one would draw too narrow an interval."""
    if not any(len(r) for r in rounds):
        raise ValueError("confidence interval of no samples")
    x = _clusters(rounds)
    picks = np.random.default_rng(seed).integers(0, len(x), size=(resamples, len(x)))
    return _percentiles(_resampled_medians(x, picks), confidence)


def spread_flags(med: float, q1: float, q3: float, ci: tuple[float, float] | None) -> list[str]:
    """The flags of the module docstring's rule; [] for a tight cell. `ci` None: a single
    sample, which has no interval."""
    if med <= 0:
        # Nothing left after subtracting the loop's overhead: no relative spread to judge,
        # but samples that straddle zero are noise, not a measurement.
        return ["wide-spread"] if q3 - q1 > 0 else []
    flags = []
    if (q3 - q1) / med > WIDE_SPREAD_IQR:
        flags.append("wide-spread")
    if ci is not None and (ci[1] - ci[0]) / med > WIDE_CI:
        flags.append("wide-ci")
    return flags


def summarize(rounds: Sequence[Sequence[float]]) -> dict[str, Any]:
    """The time fields of a results record from every round's samples (ns per call), as
    measured: nothing scales them. One sample alone (a quick run) has no interval."""
    every = [x for r in rounds for x in r]
    med = median(every)
    q1, q3 = quartiles(every)
    ci = bootstrap_ci(rounds) if len(every) >= 2 else None
    return {
        "median_ns": med,
        "quartiles_ns": [q1, q3],
        "iqr_ns": q3 - q1,
        **({"ci95_ns": [ci[0], ci[1]]} if ci else {}),
        "flags": spread_flags(med, q1, q3, ci),
        "round_samples_ns": [list(r) for r in rounds],
    }


@dataclass(frozen=True)
class CostModel:
    """t(n) = fixed_ns + per_unit_ns · n, and how well that line fits the medians."""

    fixed_ns: float
    per_unit_ns: float
    rms_rel_error: float  # RMS of (t_i - model(n_i)) / t_i over the fitted sizes
    max_rel_error: float
    sizes: tuple[int, ...]  # the sizes fitted

    def at(self, n: float) -> float:
        return self.fixed_ns + self.per_unit_ns * n


def _relative_errors(a: float, b: float, n: np.ndarray, t: np.ndarray) -> np.ndarray:
    result: np.ndarray = (t - (a + b * n)) / t
    return result


def fit_cost_model(sizes: Sequence[int], times_ns: Sequence[float]) -> CostModel | None:
    """Weighted (relative) least squares of t = fixed + per_unit · n, both ≥ 0.

    Sizes whose time is ≤ 0 (nothing left after subtracting the loop overhead) carry no
    relative information and are left out. None when fewer than two distinct sizes remain.
    """
    pairs = [(float(n), float(t)) for n, t in zip(sizes, times_ns, strict=True) if t > 0]
    if len({n for n, _ in pairs}) < 2:
        return None
    n = np.array([p[0] for p in pairs])
    t = np.array([p[1] for p in pairs])
    # Minimise sum(((t - a - b n) / t)^2): least squares of [1/t, n/t] @ [a, b] ≈ 1.
    design = np.column_stack([1.0 / t, n / t])
    (a, b), *_ = np.linalg.lstsq(design, np.ones_like(t), rcond=None)
    candidates = []
    if a >= 0 and b >= 0:
        candidates.append((float(a), float(b)))
    else:
        # The optimum with one coefficient pinned at 0 (one-variable least squares).
        x = n / t
        if (x * x).sum() > 0:
            candidates.append((0.0, max(float(x.sum() / (x * x).sum()), 0.0)))
        y = 1.0 / t
        candidates.append((max(float(y.sum() / (y * y).sum()), 0.0), 0.0))
    a, b = min(candidates, key=lambda c: float((_relative_errors(c[0], c[1], n, t) ** 2).sum()))
    err = _relative_errors(a, b, n, t)
    return CostModel(
        fixed_ns=a,
        per_unit_ns=b,
        rms_rel_error=float(np.sqrt((err**2).mean())),
        max_rel_error=float(np.abs(err).max()),
        sizes=tuple(int(x) for x in n),
    )


@dataclass(frozen=True)
class Crossover:
    """Where a bridge's model beats the reference's (pure Python's).

    `from_n`: the bridge is faster for every n ≥ from_n; 0 if at every size, None if not
    at large sizes (its per-unit cost is not lower). `below_n`: set only when the bridge
    is faster at small sizes but loses at large ones: faster for every n < below_n.
    """

    from_n: int | None
    below_n: int | None = None


def crossover(bridge: CostModel, reference: CostModel) -> Crossover:
    """Compare two straight lines over n ≥ 0 ("faster" means strictly faster)."""
    d_fixed = bridge.fixed_ns - reference.fixed_ns  # < 0: the bridge starts ahead
    d_unit = bridge.per_unit_ns - reference.per_unit_ns  # < 0: the bridge gains per unit
    if d_unit < 0:
        if d_fixed < 0:
            return Crossover(from_n=0)
        # Equal at n = d_fixed / -d_unit; strictly faster from the next integer on.
        return Crossover(from_n=math.floor(d_fixed / -d_unit) + 1)
    if d_fixed < 0:
        if d_unit == 0:
            return Crossover(from_n=0)
        # Faster while n < -d_fixed / d_unit.
        return Crossover(from_n=None, below_n=math.ceil(-d_fixed / d_unit))
    return Crossover(from_n=None)


def model_records(
    cells: Sequence[dict[str, Any]],
    *,
    reference_bridge: str,
    reference_cells: dict[str, str],
    units: dict[str, str],
) -> list[dict[str, Any]]:
    """A cost model per (side, bridge, cell) of the results' records, as JSON-ready dicts.

    `reference_cells` maps a cell to the reference bridge's cell to compare it with (the
    same cell, or e.g. `summarize.objects` for `summarize.protobuf`, which the reference
    lacks); `units` maps a cell to its kernel's `[bench] unit`. Crossovers are computed
    for the Python side only: pure Python is the alternative a Python caller has.
    """
    sweeps: dict[tuple[str, str, str], list[tuple[int, float]]] = {}
    for rec in cells:
        size, med = rec.get("size"), rec.get("median_ns")
        if rec.get("status") != "ok" or size is None or med is None:
            continue  # scalar cells (no size), n/a and failed cells
        key = (rec["side"], rec["bridge"], rec["cell"])
        sweeps.setdefault(key, []).append((int(size), float(med)))
    fitted = {
        key: model
        for key, points in sweeps.items()
        if (model := fit_cost_model([p[0] for p in points], [p[1] for p in points]))
    }
    out: list[dict[str, Any]] = []
    for (side, bridge, cell), model in sorted(fitted.items()):
        model_rec: dict[str, Any] = {
            "side": side,
            "bridge": bridge,
            "cell": cell,
            "unit": units.get(cell, "element"),
            "fixed_ns": model.fixed_ns,
            "per_unit_ns": model.per_unit_ns,
            "rms_rel_error": model.rms_rel_error,
            "max_rel_error": model.max_rel_error,
            "sizes": list(model.sizes),
        }
        ref_cell = reference_cells.get(cell)
        ref = fitted.get(("python", reference_bridge, ref_cell)) if ref_cell else None
        if side == "python" and bridge != reference_bridge and ref is not None:
            cross = crossover(model, ref)
            model_rec["reference_cell"] = ref_cell
            model_rec["crossover_n"] = cross.from_n
            model_rec["faster_below_n"] = cross.below_n
        out.append(model_rec)
    return out
