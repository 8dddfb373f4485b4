"""Inverse-variance pooling: fixed effect and DerSimonian-Laird random effects.

Written by hand (about 30 lines) rather than taken from statsmodels: ``statsmodels.stats.
meta_analysis.combine_effects(..., method_re="dl")`` leaves the DerSimonian-Laird tau^2 negative
when Q < k - 1, which shrinks (or, with small variances, breaks) the random-effects interval; see
``test_meta_pool_statsmodels_dl_leaves_tau2_negative``. Here tau^2 is truncated at zero, as in
DerSimonian & Laird (1986, https://doi.org/10.1016/0197-2456(86)90046-2) and ``metafor::rma``, so
the random-effects model then equals the fixed-effect one. Every result is checked against
``metafor::rma(method="FE"/"DL")`` in ``tests/test_meta_pool.py``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from extractor.errors import AnalysisError
from extractor.meta.effects import Z_975

__all__ = ["Model", "Pooled", "pool"]


class Model(enum.StrEnum):
    """A pooling model: inverse-variance fixed effect, or DerSimonian-Laird random effects."""

    FIXED = "fixed"
    RANDOM = "random"

    @property
    def label(self) -> str:
        """The model's name in summaries."""
        if self is Model.FIXED:
            return "Fixed-effect (inverse-variance)"
        return "Random-effects (DerSimonian-Laird)"


@dataclass(frozen=True, slots=True)
class Pooled:
    """A pooled estimate on the ``yi`` scale, with the heterogeneity statistics.

    ``i2`` is a percentage, ``max(0, (Q - df) / Q) * 100``, as metafor reports it for both models;
    ``q_p`` is the chi-square p-value of Q on ``k - 1`` degrees of freedom (``None`` when k = 1);
    ``weights`` are percentages under the model used, in the order of the input.
    """

    model: Model
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float
    tau2: float
    i2: float
    q: float
    q_df: int
    q_p: float | None
    weights: tuple[float, ...]


def pool(yi: Sequence[float], vi: Sequence[float], model: Model | str = Model.RANDOM) -> Pooled:
    """Pool effects ``yi`` with sampling variances ``vi`` under ``model``.

    Raises
    ------
    AnalysisError
        If there is nothing to pool, the lengths differ, or a variance is not positive.
    """
    model = Model(model)
    _check(yi, vi)
    w = [1 / v for v in vi]
    q, c = _q_statistic(yi, w), sum(w) - sum(x * x for x in w) / sum(w)
    df = len(yi) - 1
    tau2 = max(0.0, (q - df) / c) if model is Model.RANDOM and df > 0 else 0.0
    w = [1 / (v + tau2) for v in vi]
    estimate = _weighted_mean(yi, w)
    se = math.sqrt(1 / sum(w))
    z = estimate / se
    return Pooled(
        model=model,
        k=len(yi),
        estimate=estimate,
        se=se,
        ci_low=estimate - Z_975 * se,
        ci_high=estimate + Z_975 * se,
        z=z,
        p_value=2 * NormalDist().cdf(-abs(z)),
        tau2=tau2,
        i2=100 * max(0.0, (q - df) / q) if q > 0 else 0.0,
        q=q,
        q_df=df,
        q_p=_chi2_sf(q, df) if df > 0 else None,
        weights=tuple(100 * x / sum(w) for x in w),
    )


def _check(yi: Sequence[float], vi: Sequence[float]) -> None:
    if not yi:
        raise AnalysisError("nothing to pool: no study has a usable effect size")
    if len(yi) != len(vi):
        raise AnalysisError(f"{len(yi)} effects but {len(vi)} variances")
    if not all(math.isfinite(y) for y in yi) or not all(math.isfinite(v) and v > 0 for v in vi):
        raise AnalysisError("every effect must be finite and every variance positive")


def _weighted_mean(yi: Sequence[float], w: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(w, yi, strict=True)) / sum(w)


def _q_statistic(yi: Sequence[float], w: Sequence[float]) -> float:
    mean = _weighted_mean(yi, w)
    return sum(x * (y - mean) ** 2 for x, y in zip(w, yi, strict=True))


def _chi2_sf(q: float, df: int) -> float:
    from scipy.stats import chi2  # scipy is slow to import; only pooling needs it

    return float(chi2.sf(q, df))
