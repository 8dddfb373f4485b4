"""Mantel-Haenszel pooling of 2x2 tables: the OR, RR and RD estimates and variances of ``rma.mh``.

The estimate is computed from the counts as reported (no 0.5 added: a zero cell does not stop
the method). Variances: Robins, Breslow & Greenland (1986, https://doi.org/10.2307/2531371) for
the log OR; Greenland & Robins (1985, https://doi.org/10.2307/2531965) for the log RR; Sato,
Greenland & Robins (1989, https://doi.org/10.2307/2532060) for the RD. Study weights are the
Mantel-Haenszel weights (``weights(rma.mh(...))``): ``b c / N``, ``c n1 / N`` and ``n1 n2 / N``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from extractor.errors import AnalysisError
from extractor.meta.effects import Measure

__all__ = ["MantelHaenszel", "mantel_haenszel"]


@dataclass(frozen=True, slots=True)
class MantelHaenszel:
    """The pooled estimate on the ``yi`` scale (log scale for OR and RR), its SE and weights (%)."""

    estimate: float
    se: float
    weights: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class _Table:
    a: float
    b: float
    c: float
    d: float

    @property
    def n1(self) -> float:
        return self.a + self.b

    @property
    def n2(self) -> float:
        return self.c + self.d

    @property
    def n(self) -> float:
        return self.n1 + self.n2


def mantel_haenszel(
    measure: Measure | str, tables: Sequence[tuple[float, float, float, float]]
) -> MantelHaenszel:
    """Pool ``(events1, n1, events2, n2)`` tables by Mantel-Haenszel for ``measure``.

    Raises
    ------
    AnalysisError
        If the measure is not binary, or the counts leave the estimate or its variance undefined
        (for example no events in any intervention arm for the OR).
    """
    measure = Measure(measure)
    if measure.outcome_type != "binary":
        raise AnalysisError(f"Mantel-Haenszel pools binary outcomes (OR, RR, RD), not {measure}")
    cells = [_Table(e1, n1 - e1, e2, n2 - e2) for e1, n1, e2, n2 in tables]
    try:
        estimate, variance, weights = _METHODS[measure](cells)
    except ZeroDivisionError:
        raise AnalysisError(f"the Mantel-Haenszel {measure} is undefined for these counts") from None
    if not variance > 0:
        raise AnalysisError(f"the Mantel-Haenszel {measure} has no variance for these counts")
    total = sum(weights)
    return MantelHaenszel(estimate, math.sqrt(variance), tuple(100 * w / total for w in weights))


def _or(t: list[_Table]) -> tuple[float, float, list[float]]:
    r = [x.a * x.d / x.n for x in t]
    s = [x.b * x.c / x.n for x in t]
    p = [(x.a + x.d) / x.n for x in t]
    q = [(x.b + x.c) / x.n for x in t]
    sr, ss = sum(r), sum(s)
    variance = (
        sum(pi * ri for pi, ri in zip(p, r, strict=True)) / (2 * sr * sr)
        + sum(pi * si + qi * ri for pi, qi, ri, si in zip(p, q, r, s, strict=True)) / (2 * sr * ss)
        + sum(qi * si for qi, si in zip(q, s, strict=True)) / (2 * ss * ss)
    )
    return math.log(sr / ss), variance, s


def _rr(t: list[_Table]) -> tuple[float, float, list[float]]:
    r = sum(x.a * x.n2 / x.n for x in t)
    s = [x.c * x.n1 / x.n for x in t]
    numerator = sum((x.n1 * x.n2 * (x.a + x.c) - x.a * x.c * x.n) / x.n**2 for x in t)
    return math.log(r / sum(s)), numerator / (r * sum(s)), s


def _rd(t: list[_Table]) -> tuple[float, float, list[float]]:
    w = [x.n1 * x.n2 / x.n for x in t]
    estimate = sum((x.a * x.n2 - x.c * x.n1) / x.n for x in t) / sum(w)
    p = sum(
        estimate * ((x.n1 / x.n) ** 2 * x.c - (x.n2 / x.n) ** 2 * x.a + x.n1 * x.n2 * (x.n2 - x.n1) / (2 * x.n**2))
        for x in t
    )
    q = sum((x.a * (x.n2 - x.c) + x.c * (x.n1 - x.a)) / (2 * x.n) for x in t)
    return estimate, (p + q) / sum(w) ** 2, w


_METHODS = {Measure.OR: _or, Measure.RR: _rr, Measure.RD: _rd}
