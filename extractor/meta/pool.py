"""Pooling: inverse-variance fixed effect, Mantel-Haenszel, and REML, DL or PM random effects.

Every result is what ``metafor::rma`` (``rma.mh`` for Mantel-Haenszel) gives, checked to 1e-6 in
``tests/test_meta_pool.py`` against values printed by ``tests/metafor_reference.R``:

- ``FE``: inverse-variance weights ``1 / vi``; ``MH``: :mod:`extractor.meta.mh` on the 2x2 tables.
- ``REML`` (the default, as in metafor and RevMan), ``DL``, ``PM``: weights ``1 / (vi + tau^2)``
  with tau^2 from :mod:`extractor.meta.tau2`, its Q-profile interval, and the prediction interval
  ``mu -/+ crit * sqrt(se^2 + tau^2)`` (metafor's ``predict``; Higgins et al. 2009,
  https://doi.org/10.1111/j.1467-985X.2008.00552.x).
- ``hk=True``: Hartung-Knapp-Sidik-Jonkman (metafor's ``test="knha"``; IntHout et al. 2014,
  https://doi.org/10.1186/1471-2288-14-25): the variance of the estimate is multiplied by
  ``sum w (y - mu)^2 / (k - 1)`` (weights normalised to sum 1, no truncation at 1) and the
  estimate, its interval and the prediction interval use t on ``k - 1`` degrees of freedom.

Q is Cochran's Q of the fixed-effect model (taken about the MH estimate for MH, as ``rma.mh``
takes it). I^2 is ``(Q - df) / Q`` for fixed-effect models and ``tau^2 / (tau^2 + s^2)``
(``s^2`` the typical within-study variance, Higgins & Thompson 2002) for random effects, as
metafor reports it; the two agree for DL.

statsmodels is not used: ``combine_effects(..., method_re="dl")`` leaves a negative DL tau^2
un-truncated (see ``test_meta_pool_statsmodels_dl_leaves_tau2_negative``).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass

from extractor.errors import AnalysisError
from extractor.meta.effects import Z_975, Measure, binary_effect
from extractor.meta.mh import mantel_haenszel
from extractor.meta.tau2 import estimate_tau2, generalised_q, q_profile_interval

__all__ = ["Method", "Pooled", "pool", "pool_mh"]


class Method(enum.StrEnum):
    """A pooling method, named as metafor names it."""

    FE = "FE"
    MH = "MH"
    REML = "REML"
    DL = "DL"
    PM = "PM"

    @property
    def is_random(self) -> bool:
        """Whether the method estimates a between-study variance tau^2."""
        return self in (Method.REML, Method.DL, Method.PM)

    @property
    def label(self) -> str:
        """The method's name in summaries and plot titles."""
        return _METHOD_LABELS[self]


_METHOD_LABELS = {
    Method.FE: "Fixed-effect (inverse-variance)",
    Method.MH: "Fixed-effect (Mantel-Haenszel)",
    Method.REML: "Random-effects (REML)",
    Method.DL: "Random-effects (DerSimonian-Laird)",
    Method.PM: "Random-effects (Paule-Mandel)",
}


@dataclass(frozen=True, slots=True)
class Pooled:
    """A pooled estimate on the ``yi`` scale, with the heterogeneity statistics.

    ``z`` is the test statistic (a t statistic on ``t_df`` degrees of freedom when ``hk``);
    ``i2`` is a percentage; ``q_p`` is the chi-square p-value of Q (``None`` when k = 1);
    ``tau2_ci`` is the 95% Q-profile interval and ``pi_low``/``pi_high`` the 95% prediction
    interval (random effects only, else ``None``); ``weights`` are percentages in input order.
    """

    method: Method
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
    hk: bool = False
    tau2_ci: tuple[float, float] | None = None
    pi_low: float | None = None
    pi_high: float | None = None

    @property
    def t_df(self) -> int | None:
        """Degrees of freedom of the t distribution used (Hartung-Knapp), else ``None``."""
        return self.k - 1 if self.hk else None


@dataclass(frozen=True, slots=True)
class _Heterogeneity:
    q: float
    df: int
    q_p: float | None
    i2: float


def pool(
    yi: Sequence[float],
    vi: Sequence[float],
    method: Method | str = Method.REML,
    *,
    hk: bool = False,
) -> Pooled:
    """Pool effects ``yi`` with sampling variances ``vi`` by ``method`` (not ``MH``: :func:`pool_mh`).

    Raises
    ------
    AnalysisError
        If there is nothing to pool, the lengths differ, a variance is not positive, the method
        is MH, or ``hk`` is asked for a fixed-effect model or a single study.
    """
    method = Method(method)
    if method is Method.MH:
        raise AnalysisError("Mantel-Haenszel pools 2x2 tables: use pool_mh")
    if hk and not method.is_random:
        raise AnalysisError("Hartung-Knapp applies to random-effects models (REML, DL, PM)")
    _check(yi, vi, hk)
    tau2 = estimate_tau2(method, yi, vi) if method.is_random else 0.0
    w = [1 / (v + tau2) for v in vi]
    estimate = _weighted_mean(yi, w)
    se = math.sqrt(1 / sum(w))
    if hk:
        se *= math.sqrt(generalised_q(yi, vi, tau2) / (len(yi) - 1))
        if se == 0:
            raise AnalysisError("the effects are all equal: Hartung-Knapp has no spread to use")
    het = _heterogeneity(yi, vi, tau2 if method.is_random else None)
    result = _result(method, estimate, se, het, w, hk, len(yi))
    if not method.is_random:
        return result
    low, high = _prediction_interval(result, tau2)
    return _replace(result, tau2=tau2, tau2_ci=q_profile_interval(yi, vi), pi_low=low, pi_high=high)


def pool_mh(
    measure: Measure | str,
    tables: Sequence[tuple[float, float, float, float]],
) -> Pooled:
    """Pool ``(events1, n1, events2, n2)`` tables by Mantel-Haenszel, as ``rma.mh`` does.

    Q (about the Mantel-Haenszel estimate) and I^2 come from escalc's effects, with 0.5 added to
    tables with a zero cell and tables without events (or only events) in both arms left out,
    which are ``rma.mh``'s defaults.

    Raises
    ------
    AnalysisError
        If there is no table, the measure is not binary, or the counts leave it undefined.
    """
    if not tables:
        raise AnalysisError("nothing to pool: no study has a usable 2x2 table")
    mh = mantel_haenszel(measure, tables)
    effects = []
    for table in tables:
        try:
            effects.append(binary_effect(measure, *table, drop00=True))
        except AnalysisError:  # a double-zero table: no effect for Q, as rma.mh's drop00=TRUE
            continue
    het = _heterogeneity([e.yi for e in effects], [e.vi for e in effects], None, mh.estimate)
    result = _result(Method.MH, mh.estimate, mh.se, het, [1.0] * len(tables), False, len(tables))
    return _replace(result, weights=mh.weights)


def _replace(result: Pooled, **changes: object) -> Pooled:
    import dataclasses

    return dataclasses.replace(result, **changes)  # type: ignore[arg-type]


def _result(
    method: Method,
    estimate: float,
    se: float,
    het: _Heterogeneity,
    w: Sequence[float],
    hk: bool,
    k: int,
) -> Pooled:
    crit, p_value = _critical(estimate / se, k - 1 if hk else None)
    return Pooled(
        method=method,
        k=k,
        estimate=estimate,
        se=se,
        ci_low=estimate - crit * se,
        ci_high=estimate + crit * se,
        z=estimate / se,
        p_value=p_value,
        tau2=0.0,
        i2=het.i2,
        q=het.q,
        q_df=het.df,
        q_p=het.q_p,
        weights=tuple(100 * x / sum(w) for x in w),
        hk=hk,
    )


def _critical(statistic: float, t_df: int | None) -> tuple[float, float]:
    """The 97.5% quantile and the two-sided p-value: normal, or t on ``t_df`` df."""
    from scipy.stats import norm, t  # scipy is slow to import; only pooling needs it

    if t_df is None:
        return Z_975, float(2 * norm.sf(abs(statistic)))
    return float(t.ppf(0.975, t_df)), float(2 * t.sf(abs(statistic), t_df))


def _prediction_interval(result: Pooled, tau2: float) -> tuple[float, float]:
    crit, _ = _critical(result.z, result.t_df)
    half = crit * math.sqrt(result.se**2 + tau2)
    return result.estimate - half, result.estimate + half


def _heterogeneity(
    yi: Sequence[float], vi: Sequence[float], tau2: float | None, centre: float | None = None
) -> _Heterogeneity:
    """Cochran's Q and I^2; ``tau2`` given: I^2 of the random-effects model.

    Q is taken about the inverse-variance mean, or about ``centre`` (the Mantel-Haenszel
    estimate, as ``rma.mh`` takes it).
    """
    from scipy.stats import chi2

    df = len(yi) - 1
    if df < 1:
        return _Heterogeneity(0.0, max(df, 0), None, 0.0)
    if centre is None:
        q = generalised_q(yi, vi, 0.0)
    else:
        q = sum((y - centre) ** 2 / v for y, v in zip(yi, vi, strict=True))
    if tau2 is None:
        i2 = 100 * max(0.0, (q - df) / q) if q > 0 else 0.0
    else:
        w = [1 / v for v in vi]
        typical = df * sum(w) / (sum(w) ** 2 - sum(x * x for x in w))
        i2 = 100 * tau2 / (tau2 + typical)
    return _Heterogeneity(q, df, float(chi2.sf(q, df)), i2)


def _check(yi: Sequence[float], vi: Sequence[float], hk: bool) -> None:
    if not yi:
        raise AnalysisError("nothing to pool: no study has a usable effect size")
    if len(yi) != len(vi):
        raise AnalysisError(f"{len(yi)} effects but {len(vi)} variances")
    if not all(math.isfinite(y) for y in yi) or not all(math.isfinite(v) and v > 0 for v in vi):
        raise AnalysisError("every effect must be finite and every variance positive")
    if hk and len(yi) < 2:
        raise AnalysisError("Hartung-Knapp needs at least two studies")


def _weighted_mean(yi: Sequence[float], w: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(w, yi, strict=True)) / sum(w)
