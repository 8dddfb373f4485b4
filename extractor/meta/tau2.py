"""The between-study variance tau^2: DerSimonian-Laird, Paule-Mandel, REML, and its Q-profile interval.

Each estimator is the one ``metafor::rma`` computes (Viechtbauer 2005,
https://doi.org/10.3102/10769986030003261; Veroniki et al. 2016, https://doi.org/10.1002/jrsm.1164),
truncated at zero as metafor truncates it:

- ``DL``: the method-of-moments estimate ``(Q - (k - 1)) / (sum w - sum w^2 / sum w)`` with
  ``w = 1 / vi`` (DerSimonian & Laird 1986, https://doi.org/10.1016/0197-2456(86)90046-2).
- ``PM``: the tau^2 at which the generalised Q statistic equals its expectation ``k - 1``
  (Paule & Mandel 1982, https://doi.org/10.6028/jres.087.022).
- ``REML``: the root of the derivative of the restricted log-likelihood (metafor reaches the same
  maximum by Fisher scoring).
- :func:`q_profile_interval`: the tau^2 at which the generalised Q statistic equals the 97.5% and
  2.5% quantiles of chi-square on ``k - 1`` degrees of freedom (Viechtbauer 2007,
  https://doi.org/10.1002/sim.2514), as ``confint(rma(...))`` gives it.

The roots are found by scipy's ``brentq`` on a bracket widened until it holds the root.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from extractor.errors import AnalysisError

__all__ = ["TAU2_METHODS", "estimate_tau2", "generalised_q", "q_profile_interval"]

#: The upper end of the bracket stops growing here: no variance of an effect size is this large.
_TAU2_LIMIT = 1e12


def generalised_q(yi: Sequence[float], vi: Sequence[float], tau2: float) -> float:
    """Return ``sum w (y - mu)^2`` with ``w = 1 / (vi + tau2)`` and ``mu`` their weighted mean."""
    w = [1 / (v + tau2) for v in vi]
    mean = sum(x * y for x, y in zip(w, yi, strict=True)) / sum(w)
    return sum(x * (y - mean) ** 2 for x, y in zip(w, yi, strict=True))


def _dl(yi: Sequence[float], vi: Sequence[float]) -> float:
    w = [1 / v for v in vi]
    c = sum(w) - sum(x * x for x in w) / sum(w)
    return max(0.0, (generalised_q(yi, vi, 0.0) - (len(yi) - 1)) / c)


def _pm(yi: Sequence[float], vi: Sequence[float]) -> float:
    df = len(yi) - 1
    return _root(lambda tau2: generalised_q(yi, vi, tau2) - df, yi, vi)


def _reml_score(yi: Sequence[float], vi: Sequence[float], tau2: float) -> float:
    """Twice the derivative of the restricted log-likelihood with respect to tau^2."""
    w = [1 / (v + tau2) for v in vi]
    total = sum(w)
    mean = sum(x * y for x, y in zip(w, yi, strict=True)) / total
    squares = sum(x * x * (y - mean) ** 2 for x, y in zip(w, yi, strict=True))
    return squares - total + sum(x * x for x in w) / total


def _reml(yi: Sequence[float], vi: Sequence[float]) -> float:
    return _root(lambda tau2: _reml_score(yi, vi, tau2), yi, vi)


def _root(f: Callable[[float], float], yi: Sequence[float], vi: Sequence[float]) -> float:
    """The root of ``f``, positive at 0 and negative for large tau^2; 0 when ``f(0) <= 0``."""
    from scipy.optimize import brentq  # scipy is slow to import; only pooling needs it

    if f(0.0) <= 0:
        return 0.0
    high = max(1.0, 10 * max(vi), max((y - min(yi)) ** 2 for y in yi))
    while f(high) > 0:
        high *= 10
        if high > _TAU2_LIMIT:
            raise AnalysisError("tau\u00b2 could not be estimated: no root below 1e12")
    return float(brentq(f, 0.0, high, xtol=1e-300, rtol=1e-15, maxiter=500))


TAU2_METHODS: dict[str, Callable[[Sequence[float], Sequence[float]], float]] = {
    "DL": _dl,
    "PM": _pm,
    "REML": _reml,
}


def estimate_tau2(method: str, yi: Sequence[float], vi: Sequence[float]) -> float:
    """Estimate tau^2 by ``method`` (``"DL"``, ``"PM"`` or ``"REML"``); 0 for a single study."""
    if len(yi) < 2:
        return 0.0
    return TAU2_METHODS[method](yi, vi)


def q_profile_interval(
    yi: Sequence[float], vi: Sequence[float], level: float = 0.95
) -> tuple[float, float] | None:
    """The Q-profile ``level`` interval of tau^2 (``None`` for fewer than two studies).

    A bound is 0 when the generalised Q at tau^2 = 0 is already below its chi-square quantile.
    """
    from scipy.stats import chi2

    df = len(yi) - 1
    if df < 1:
        return None
    alpha = (1 - level) / 2

    def bound(quantile: float) -> float:
        return _root(lambda tau2: generalised_q(yi, vi, tau2) - quantile, yi, vi)

    return bound(float(chi2.ppf(1 - alpha, df))), bound(float(chi2.ppf(alpha, df)))
