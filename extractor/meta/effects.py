"""Effect sizes of one comparison, on metafor's ``escalc`` conventions.

Binary outcomes (events and group size per arm) give the risk ratio (``RR``), the odds ratio
(``OR``) and the risk difference (``RD``); continuous outcomes (mean, SD and n per arm) give the
mean difference (``MD``) and the standardised mean difference (``SMD``, Hedges' g). Each effect is
``yi`` with its sampling variance ``vi``; ``yi`` is on the log scale for the ratio measures, as in
``metafor::escalc`` (Viechtbauer 2010, https://doi.org/10.18637/jss.v036.i03).

Zero cells follow escalc's defaults (``add=1/2, to="only0", drop00=FALSE``): when any of the four
cells of a 2x2 table is zero, 0.5 is added to all four cells before ``yi`` and ``vi`` are computed,
for RR, OR and RD alike, and :attr:`EffectSize.added` says so. A study with no events in either arm
(or only events in both) is kept the same way, because escalc keeps it by default; pass
``drop00=True`` to refuse it instead, as ``escalc(..., drop00=TRUE)`` sets it to NA. Such a study
carries almost no weight on the ratio scales but does inform the risk difference.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from statistics import NormalDist

from extractor.errors import AnalysisError

__all__ = [
    "EffectSize",
    "Measure",
    "binary_effect",
    "confidence_interval",
    "continuous_effect",
    "hedges_correction",
    "reported_effect",
]

#: The 97.5% quantile of the standard normal, metafor's ``qnorm(0.975)``.
Z_975 = NormalDist().inv_cdf(0.975)


class Measure(enum.StrEnum):
    """An effect measure, named as metafor and RevMan name it."""

    RR = "RR"
    OR = "OR"
    RD = "RD"
    MD = "MD"
    SMD = "SMD"
    HR = "HR"

    @property
    def is_ratio(self) -> bool:
        """Whether ``yi`` is a log ratio, to be exponentiated for display."""
        return self in (Measure.RR, Measure.OR, Measure.HR)

    @property
    def outcome_type(self) -> str:
        """``"binary"`` for RR, OR and RD; ``"continuous"`` for MD and SMD; ``"time-to-event"`` for HR
        (only ever pooled from reported estimates)."""
        if self is Measure.HR:
            return "time-to-event"
        return "continuous" if self in (Measure.MD, Measure.SMD) else "binary"

    @property
    def label(self) -> str:
        """The measure's name with its abbreviation, for summaries and plot axes."""
        return _LABELS[self]


_LABELS = {
    Measure.RR: "risk ratio (RR)",
    Measure.OR: "odds ratio (OR)",
    Measure.RD: "risk difference (RD)",
    Measure.MD: "mean difference (MD)",
    Measure.SMD: "standardised mean difference (SMD, Hedges' g)",
    Measure.HR: "hazard ratio (HR)",
}


@dataclass(frozen=True, slots=True)
class EffectSize:
    """One comparison's effect: ``yi`` and its sampling variance ``vi`` (escalc's names).

    ``added`` is what was added to every cell of the 2x2 table (0.5 when a cell was zero, else 0);
    ``double_zero`` marks a study with no events (or only events) in both arms.
    """

    measure: Measure
    yi: float
    vi: float
    added: float = 0.0
    double_zero: bool = False

    @property
    def ci(self) -> tuple[float, float]:
        """The 95% Wald interval on the ``yi`` scale (log scale for ratios)."""
        return confidence_interval(self.yi, self.vi)


def confidence_interval(yi: float, vi: float) -> tuple[float, float]:
    """Return ``yi -/+ qnorm(0.975) * sqrt(vi)``, the interval metafor prints."""
    half = Z_975 * math.sqrt(vi)
    return yi - half, yi + half


def binary_effect(
    measure: Measure | str,
    events1: float,
    n1: float,
    events2: float,
    n2: float,
    *,
    drop00: bool = False,
) -> EffectSize:
    """Compute RR, OR or RD of arm 1 (intervention) against arm 2 (comparator).

    Parameters
    ----------
    measure
        ``"RR"``, ``"OR"`` or ``"RD"``.
    events1, n1, events2, n2
        Events and group size of each arm (escalc's ``ai``, ``n1i``, ``ci``, ``n2i``).
    drop00
        Refuse a study with no events, or only events, in both arms (escalc's ``drop00``).

    Raises
    ------
    AnalysisError
        If the counts are impossible, the measure is not a binary one, or ``drop00`` refuses them.
    """
    measure = _binary_measure(measure)
    ai, bi, ci, di = _cells(events1, n1, events2, n2)
    double_zero = (ai == 0 and ci == 0) or (bi == 0 and di == 0)
    if double_zero and drop00:
        raise AnalysisError("no events (or only events) in both arms; dropped as drop00 asks")
    added = 0.5 if 0 in (ai, bi, ci, di) else 0.0
    yi, vi = _BINARY[measure](ai + added, bi + added, ci + added, di + added)
    return EffectSize(measure, yi, vi, added, double_zero)


def _binary_measure(measure: Measure | str) -> Measure:
    measure = Measure(measure)
    if measure.outcome_type != "binary":
        raise AnalysisError(f"{measure} is not a measure for binary outcomes (use RR, OR or RD)")
    return measure


def _cells(events1: float, n1: float, events2: float, n2: float) -> tuple[float, ...]:
    for events, n in ((events1, n1), (events2, n2)):
        if not all(map(math.isfinite, (events, n))):
            raise AnalysisError("counts must be finite numbers")
        if n <= 0 or events < 0 or events > n:
            raise AnalysisError(f"impossible counts: {events:g} events in a group of {n:g}")
    return events1, n1 - events1, events2, n2 - events2


def _rr(ai: float, bi: float, ci: float, di: float) -> tuple[float, float]:
    n1, n2 = ai + bi, ci + di
    return math.log(ai / n1) - math.log(ci / n2), 1 / ai - 1 / n1 + 1 / ci - 1 / n2


def _or(ai: float, bi: float, ci: float, di: float) -> tuple[float, float]:
    return math.log(ai * di / (bi * ci)), 1 / ai + 1 / bi + 1 / ci + 1 / di


def _rd(ai: float, bi: float, ci: float, di: float) -> tuple[float, float]:
    n1, n2 = ai + bi, ci + di
    p1, p2 = ai / n1, ci / n2
    return p1 - p2, p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2


_BINARY = {Measure.RR: _rr, Measure.OR: _or, Measure.RD: _rd}


def continuous_effect(
    measure: Measure | str,
    mean1: float,
    sd1: float,
    n1: float,
    mean2: float,
    sd2: float,
    n2: float,
) -> EffectSize:
    """Compute MD or SMD (Hedges' g) of arm 1 (intervention) against arm 2 (comparator).

    MD uses escalc's default ``vtype="LS"``: ``vi = sd1^2/n1 + sd2^2/n2`` (no equal-variance
    assumption). SMD divides by the pooled SD, multiplies by the exact small-sample correction
    :func:`hedges_correction` and uses ``vi = 1/n1 + 1/n2 + g^2 / (2 (n1 + n2))``, escalc's
    ``vtype="LS"`` for ``measure="SMD"``.

    Raises
    ------
    AnalysisError
        If a value is not finite, an SD is negative, a group has fewer than 2 people, both SDs
        are zero, or the measure is not a continuous one.
    """
    measure = Measure(measure)
    if measure.outcome_type != "continuous":
        raise AnalysisError(f"{measure} is not a measure for continuous outcomes (use MD or SMD)")
    _check_arms(mean1, sd1, n1, mean2, sd2, n2)
    if measure is Measure.MD:
        return EffectSize(measure, mean1 - mean2, sd1**2 / n1 + sd2**2 / n2)
    pooled_sd = math.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / (n1 + n2 - 2))
    g = hedges_correction(n1 + n2 - 2) * (mean1 - mean2) / pooled_sd
    return EffectSize(measure, g, 1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2)))


def _check_arms(*values: float) -> None:
    if not all(map(math.isfinite, values)):
        raise AnalysisError("means, SDs and group sizes must be finite numbers")
    _, sd1, n1, _, sd2, n2 = values
    if min(sd1, sd2) < 0 or sd1 == sd2 == 0:
        raise AnalysisError(f"unusable standard deviations: {sd1:g} and {sd2:g}")
    if min(n1, n2) < 2:
        raise AnalysisError(f"each group needs at least 2 people (got {n1:g} and {n2:g})")


def hedges_correction(df: float) -> float:
    """Return the exact small-sample bias correction of Hedges' g for ``df`` degrees of freedom.

    ``c(m) = Gamma(m/2) / (sqrt(m/2) * Gamma((m-1)/2))``, computed on the log scale as metafor's
    ``.cmicalc`` does (Hedges 1981, https://doi.org/10.3102/10769986006002107).
    """
    if df <= 1:
        raise AnalysisError(f"Hedges' correction needs more than 1 degree of freedom (got {df:g})")
    return math.exp(math.lgamma(df / 2) - math.log(math.sqrt(df / 2)) - math.lgamma((df - 1) / 2))


def reported_effect(
    measure: Measure | str, estimate: float, low: float, high: float, level: float = 95.0
) -> EffectSize:
    """Turn a reported estimate and its CI into ``yi`` and ``vi``.

    ``yi`` is the estimate (its log for RR, OR and HR); the standard error is the CI's width on
    that scale divided by twice the normal quantile of the level (3.92 for 95%), as the Cochrane
    Handbook, section 6.3.1, derives it
    (https://training.cochrane.org/handbook/current/chapter-06#section-6-3-1), and ``vi`` its square.

    Raises
    ------
    AnalysisError
        If the estimate lies outside its CI, a ratio or its CI is not positive, the CI has no
        width, or the level is not between 50 and 100.
    """
    measure = Measure(measure)
    values = (estimate, low, high, level)
    if not all(map(math.isfinite, values)):
        raise AnalysisError("the reported estimate and its CI must be finite numbers")
    if not low <= estimate <= high or low == high:
        raise AnalysisError(f"the reported {measure} {estimate:g} does not lie inside its CI {low:g} to {high:g}")
    if measure.is_ratio and low <= 0:
        raise AnalysisError(f"a {measure} and its CI must be positive (got {low:g} to {high:g})")
    if not 50 <= level < 100:
        raise AnalysisError(f"a CI level of {level:g}% cannot be read")
    scale = math.log if measure.is_ratio else float
    z = NormalDist().inv_cdf(0.5 + level / 200)
    se = (scale(high) - scale(low)) / (2 * z)
    return EffectSize(measure, scale(estimate), se * se)
