"""Checks on reported numbers: p-values recomputed from 2x2 tables, SDs from SEs and CIs.

A reported p-value is compared with the p-values of Pearson's chi-square test (with and without
Yates' correction) and Fisher's exact test on the same counts. Papers rarely say which test gave
their p-value, so the report is consistent when any of them agrees, allowing for rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from extractor.nlp.grammar import limit, weight

P_TOLERANCE = weight("stats.p_tolerance")
FISHER_UP_TO = limit("stats.fisher_up_to")  # Fisher's test costs time in the size of the table
_MIN_EXPECTED = weight("stats.min_expected")


@dataclass(frozen=True, slots=True)
class PCheck:
    """The p-value recomputed from counts and whether the reported one agrees with it."""

    recomputed: float
    consistent: bool | None
    test: str


def two_by_two_p(events1: int, n1: int, events2: int, n2: int) -> dict[str, float]:
    """P-values of Pearson chi-square (plain, Yates) and Fisher exact for a 2x2 table.

    Closed forms rather than scipy's general routines: this runs for every comparison, and the
    general ones cost a millisecond each. Agreement with scipy is tested.
    """
    out = {}
    if n1 + n2 <= FISHER_UP_TO or _min_expected(events1, n1, events2, n2) < _MIN_EXPECTED:
        out["fisher"] = fisher_exact_p(events1, n1, events2, n2)
    if min(events1 + events2, n1 + n2 - events1 - events2) > 0:
        out["chi2"] = _chi2_p(events1, n1, events2, n2, yates=False)
        out["chi2_yates"] = _chi2_p(events1, n1, events2, n2, yates=True)
    return out


def _chi2_p(a: int, n1: int, c: int, n2: int, *, yates: bool) -> float:
    b, d, n = n1 - a, n2 - c, n1 + n2
    margins = (a + c) * (b + d) * n1 * n2
    diff = abs(a * d - b * c)
    if yates:
        diff = max(0.0, diff - n / 2)
    chi2 = n * diff * diff / margins
    return math.erfc(math.sqrt(chi2 / 2))  # survival function of chi-square with 1 df


def fisher_exact_p(a: int, n1: int, c: int, n2: int) -> float:
    """Two-sided Fisher exact p: the total probability of tables no more likely than the one seen."""
    events = a + c
    low, high = max(0, events - n2), min(events, n1)
    whole = _log_comb(n1 + n2, events)  # the same for every table: computed once
    log_p = [_log_comb(n1, k) + _log_comb(n2, events - k) - whole for k in range(low, high + 1)]
    seen = log_p[a - low]
    total = sum(math.exp(lp) for lp in log_p if lp <= seen + 1e-7)
    return min(1.0, total)


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def check_p(
    events1: int, n1: int, events2: int, n2: int, reported: float | None, relation: str | None
) -> PCheck | None:
    """Recompute the p-value of a 2x2 table and compare it with the reported one.

    Returns None when the table is impossible (events above totals, empty arms). ``recomputed`` is
    Fisher's exact p when an expected count is below 5, else Pearson's chi-square p.
    """
    if min(n1, n2) <= 0 or not (0 <= events1 <= n1 and 0 <= events2 <= n2):
        return None
    ps = two_by_two_p(events1, n1, events2, n2)
    test = "chi2" if "chi2" in ps and _min_expected(events1, n1, events2, n2) >= 5 else "fisher"
    consistent = None if reported is None else any(_agrees(p, reported, relation) for p in ps.values())
    return PCheck(ps[test], consistent, test)


def _min_expected(e1: int, n1: int, e2: int, n2: int) -> float:
    total, events = n1 + n2, e1 + e2
    return min(n * k / total for n in (n1, n2) for k in (events, total - events))


def _agrees(p: float, reported: float, relation: str | None) -> bool:
    if relation in ("<", "<="):
        return p <= reported * P_TOLERANCE
    if relation in (">", ">="):
        return p >= reported / P_TOLERANCE
    if reported <= 0 or p <= 0:
        return p == reported
    return abs(math.log(p / reported)) <= math.log(P_TOLERANCE)


def sd_from_se(se: float, n: int) -> float:
    """SD = SE x sqrt(n) (Cochrane Handbook 6.5.2.2)."""
    return se * math.sqrt(n)


def sd_from_ci(low: float, high: float, n: int, level: float = 95.0) -> float:
    """SD of a group from the CI of its mean (Cochrane Handbook 6.5.2.2).

    The CI's half-width is divided by the normal quantile (3.92 for a 95% CI) when the group has
    at least 60 members, as the Handbook does for large samples, and by the t quantile below that.
    """
    from scipy import stats  # only here: importing scipy costs more than everything else in this module

    tail = 0.5 + level / 200.0
    q = float(stats.norm.ppf(tail)) if n >= LARGE_SAMPLE else float(stats.t.ppf(tail, n - 1))
    return math.sqrt(n) * (high - low) / (2 * q)


LARGE_SAMPLE = limit("stats.large_sample")


# --- which way an estimate goes -----------------------------------------------------------------

_RATIOS = frozenset({"RR", "OR"})


def effect_direction(measure: str | None, effect: float | None, first: tuple[float | None, ...],
                     second: tuple[float | None, ...]) -> int:
    """Whether an estimate compares ``first`` with ``second`` (1), the other way round (-1), or
    neither can be told (0). Each side is (mean, events, total): a mean difference is checked
    against the means, a risk or odds ratio against the counts, each within the rounding of the
    estimate (the larger of 2% and 0.015 of it, for numbers given to two decimals). Hazard ratios,
    standardised differences and adjusted estimates that the values do not give back are 0."""
    if effect is None or measure is None:
        return 0
    if measure == "MD" and first[0] is not None and second[0] is not None:
        forward, backward = first[0] - second[0], second[0] - first[0]
    elif measure in _RATIOS and None not in (first[1], first[2], second[1], second[2]) and effect > 0:
        ratio = _ratio(measure, first[1], first[2], second[1], second[2])  # type: ignore[arg-type]
        if not ratio:
            return 0
        forward, backward = ratio, 1 / ratio
    else:
        return 0
    there, back = _close(effect, forward), _close(effect, backward)
    return 1 if there and not back else -1 if back and not there else 0


def _ratio(measure: str, e1: float, n1: float, e2: float, n2: float) -> float | None:
    if measure == "RR":
        return (e1 / n1) / (e2 / n2) if n1 and n2 and e2 else None
    return (e1 / (n1 - e1)) / (e2 / (n2 - e2)) if n1 > e1 and n2 > e2 and e2 else None


def _close(reported: float, computed: float) -> bool:
    return abs(reported - computed) <= max(0.02 * abs(computed), 0.015)
