"""From a comparison table to one pooled meta-analysis: rows in, :class:`MetaAnalysis` out."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from extractor.errors import AnalysisError
from extractor.meta.effects import EffectSize, Measure
from extractor.meta.pool import Model, Pooled, pool
from extractor.meta.table import (
    filter_outcome,
    outcome_types,
    records,
    row_effect,
    row_values,
    study_labels,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MetaAnalysis",
    "Skipped",
    "StudyEffect",
    "analyse",
    "format_summary",
    "heterogeneity_line",
    "p_text",
]

DEFAULT_MEASURE = {"binary": Measure.RR, "continuous": Measure.MD}


@dataclass(frozen=True, slots=True)
class StudyEffect:
    """One pooled row: its label, the numbers it was computed from, and its effect."""

    study: str
    values: tuple[float, ...]
    effect: EffectSize


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row left out of the analysis, and why."""

    study: str
    reason: str


@dataclass(frozen=True, slots=True)
class MetaAnalysis:
    """A pooled analysis of one outcome: the studies used, those skipped, and the result."""

    measure: Measure
    outcome: str | None
    studies: tuple[StudyEffect, ...]
    skipped: tuple[Skipped, ...]
    pooled: Pooled

    def display(self, value: float) -> float:
        """Move ``value`` from the ``yi`` scale to the reported one (ratios: exponentiate)."""
        return math.exp(value) if self.measure.is_ratio else value

    def to_dict(self) -> dict[str, Any]:
        """Return the result as ``pool --format json`` prints it (ratios on the ratio scale)."""
        p = self.pooled
        return {
            "measure": str(self.measure),
            "model": str(p.model),
            "outcome": self.outcome,
            "k": p.k,
            "estimate": self.display(p.estimate),
            "ci_low": self.display(p.ci_low),
            "ci_high": self.display(p.ci_high),
            "se": p.se,
            "z": p.z,
            "p_value": p.p_value,
            "tau2": p.tau2,
            "i2": p.i2,
            "q": p.q,
            "q_df": p.q_df,
            "q_p": p.q_p,
            "studies": [
                self._study_dict(s, w) for s, w in zip(self.studies, p.weights, strict=True)
            ],
            "skipped": [{"study": s.study, "reason": s.reason} for s in self.skipped],
        }

    def _study_dict(self, study: StudyEffect, weight: float) -> dict[str, Any]:
        effect = study.effect
        low, high = effect.ci
        return {
            "study": study.study,
            "yi": effect.yi,
            "vi": effect.vi,
            "estimate": self.display(effect.yi),
            "ci_low": self.display(low),
            "ci_high": self.display(high),
            "weight": weight,
            "added": effect.added,
            "double_zero": effect.double_zero,
        }


def analyse(
    table: pd.DataFrame,
    *,
    outcome: str | None = None,
    measure: Measure | str | None = None,
    model: Model | str = Model.RANDOM,
    drop00: bool = False,
) -> MetaAnalysis:
    """Pool the rows of ``table`` (optionally only those whose outcome contains ``outcome``).

    ``measure`` defaults to RR for binary outcomes and MD for continuous ones. Rows that lack a
    needed number, or whose numbers are impossible, are skipped and listed in
    :attr:`MetaAnalysis.skipped`.

    Raises
    ------
    AnalysisError
        If no row matches, the rows mix binary and continuous outcomes, the measure does not fit
        the outcome type, or no row is usable.
    """
    rows = filter_outcome(table, outcome) if outcome else table
    if rows.empty:
        raise AnalysisError(_no_rows_message(outcome))
    labels, types = study_labels(rows), outcome_types(rows)
    measure = _choose_measure(set(filter(None, types)), measure, outcome)
    studies, skipped = [], []
    for label, kind, row in zip(labels, types, records(rows), strict=True):
        try:
            studies.append(_study(label, kind, row, measure, drop00))
        except AnalysisError as error:
            skipped.append(Skipped(label, str(error)))
    if not studies:
        reasons = "; ".join(f"{s.study}: {s.reason}" for s in skipped)
        raise AnalysisError(f"no usable rows for {measure} ({reasons})")
    pooled = pool([s.effect.yi for s in studies], [s.effect.vi for s in studies], model)
    return MetaAnalysis(measure, outcome, tuple(studies), tuple(skipped), pooled)


def _no_rows_message(outcome: str | None) -> str:
    if outcome:
        return f"no row has an outcome containing {outcome!r}"
    return "the table has no rows"


def _choose_measure(kinds: set[str], measure: Measure | str | None, outcome: str | None) -> Measure:
    if len(kinds) > 1:
        where = f"the rows matching {outcome!r} mix" if outcome else "the table mixes"
        raise AnalysisError(
            f"{where} binary and continuous outcomes; pool one outcome at a time (--outcome)"
        )
    if measure is not None:
        chosen = Measure(measure)
        if kinds and chosen.outcome_type not in kinds:
            raise AnalysisError(
                f"{chosen} needs {chosen.outcome_type} outcomes; these are {kinds.pop()}"
            )
        return chosen
    if not kinds:
        raise AnalysisError(
            "cannot tell whether the outcome is binary or continuous; give a measure"
        )
    return DEFAULT_MEASURE[kinds.pop()]


def _study(
    label: str, kind: str | None, row: dict[str, Any], measure: Measure, drop00: bool
) -> StudyEffect:
    if kind not in (None, measure.outcome_type):
        raise AnalysisError(f"a {kind} outcome cannot give a {measure}")
    return StudyEffect(label, row_values(row, measure), row_effect(row, measure, drop00=drop00))


def format_summary(analysis: MetaAnalysis) -> str:
    """Render ``analysis`` as a plain-text table followed by the pooled line and heterogeneity."""
    measure, p = analysis.measure, analysis.pooled
    width = max(len("Pooled"), *(len(s.study) for s in analysis.studies))
    head = f"{p.model.label} meta-analysis of the {measure.label}"
    if analysis.outcome:
        head += f", outcome matching {analysis.outcome!r}"
    lines = [
        head,
        f"k = {p.k} studies",
        "",
        f"{'Study':<{width}}  {measure:>8}  {'95% CI':<20}  Weight",
    ]
    for study, weight in zip(analysis.studies, p.weights, strict=True):
        low, high = study.effect.ci
        cells = _estimate_cells(analysis, study.effect.yi, low, high)
        lines.append(f"{study.study:<{width}}  {cells}  {weight:5.1f}%")
    lines.append(
        f"{'Pooled':<{width}}  {_estimate_cells(analysis, p.estimate, p.ci_low, p.ci_high)}  100.0%"
    )
    lines += [
        "",
        f"Test of the pooled effect: z = {p.z:.2f}, {p_text(p.p_value)}",
        heterogeneity_line(p),
    ]
    return "\n".join(lines)


def _estimate_cells(analysis: MetaAnalysis, yi: float, low: float, high: float) -> str:
    value, low, high = (analysis.display(x) for x in (yi, low, high))
    interval = f"[{low:.{_DIGITS}f}, {high:.{_DIGITS}f}]"
    return f"{value:>8.{_DIGITS}f}  {interval:<20}"


_DIGITS = 3


def heterogeneity_line(pooled: Pooled) -> str:
    """Return ``Heterogeneity: tau^2 = ..., I^2 = ...%, Q = ... (df = ..., p = ...)``."""
    q_p = "p n/a" if pooled.q_p is None else p_text(pooled.q_p)
    return (
        f"Heterogeneity: tau\u00b2 = {pooled.tau2:.4g}; I\u00b2 = {pooled.i2:.1f}%; "
        f"Q = {pooled.q:.2f} (df = {pooled.q_df}, {q_p})"
    )


def p_text(value: float) -> str:
    """Return ``"p = 0.123"``, or ``"p < 0.001"`` below 0.001."""
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"
