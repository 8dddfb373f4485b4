"""From a comparison table to one pooled meta-analysis: rows in, :class:`MetaAnalysis` out.

Rows are grouped by trial (:mod:`extractor.meta.trials`): each trial is pooled once, so several
rows of one trial for the outcome stop the analysis until a time point, a row filter or a way of
treating a shared comparator is chosen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from extractor.errors import AnalysisError
from extractor.meta.effects import EffectSize, Measure, binary_effect, continuous_effect
from extractor.meta.pool import Method, Pooled, pool, pool_mh
from extractor.meta.table import filter_outcome, outcome_types, reported_row_effect, row_values
from extractor.meta.trials import (
    Row,
    Skipped,
    choose_timepoint,
    filter_rows,
    one_per_trial,
    table_rows,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

__all__ = [
    "MetaAnalysis",
    "Skipped",
    "StudyEffect",
    "analyse",
    "count_line",
    "format_summary",
    "heterogeneity_line",
    "p_text",
    "test_line",
    "title",
]

DEFAULT_MEASURE = {"binary": Measure.RR, "continuous": Measure.MD, "time-to-event": Measure.HR}


@dataclass(frozen=True, slots=True)
class StudyEffect:
    """One pooled row: its label, the numbers it was computed from, and its effect.

    ``trial`` identifies the trial (rows split from one trial share it); ``rows`` are the table
    rows (numbered from 1) it was computed from.
    """

    study: str
    values: tuple[float, ...]
    effect: EffectSize
    trial: str = ""
    rows: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class MetaAnalysis:
    """A pooled analysis of one outcome: the studies used, those skipped, and the result."""

    measure: Measure
    outcome: str | None
    studies: tuple[StudyEffect, ...]
    skipped: tuple[Skipped, ...]
    pooled: Pooled

    @property
    def trials(self) -> int:
        """The number of trials pooled (fewer than the studies when a shared control was split)."""
        return len({s.trial or s.study for s in self.studies})

    def display(self, value: float) -> float:
        """Move ``value`` from the ``yi`` scale to the reported one (ratios: exponentiate)."""
        return math.exp(value) if self.measure.is_ratio else value

    def to_dict(self) -> dict[str, Any]:
        """Return the result as ``pool --format json`` prints it (ratios on the ratio scale)."""
        p = self.pooled
        shown = self.display
        return {
            "measure": str(self.measure),
            "method": str(p.method),
            "hartung_knapp": p.hk,
            "outcome": self.outcome,
            "k": p.k,
            "trials": self.trials,
            "estimate": shown(p.estimate),
            "ci_low": shown(p.ci_low),
            "ci_high": shown(p.ci_high),
            "pi_low": None if p.pi_low is None else shown(p.pi_low),
            "pi_high": None if p.pi_high is None else shown(p.pi_high),
            "se": p.se,
            "z": p.z,
            "t_df": p.t_df,
            "p_value": p.p_value,
            "tau2": p.tau2,
            "tau2_ci": None if p.tau2_ci is None else list(p.tau2_ci),
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
            "rows": list(study.rows),
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
    method: Method | str = Method.REML,
    hk: bool = False,
    drop00: bool = False,
    timepoint: str | None = None,
    where: Sequence[str] = (),
    multiarm: str | None = None,
) -> MetaAnalysis:
    """Pool the rows of ``table`` (optionally only those whose outcome contains ``outcome``).

    ``measure`` defaults to RR for binary outcomes and MD for continuous ones; ``method`` is
    FE, MH, REML (default), DL or PM, ``hk`` asks for Hartung-Knapp. ``where`` filters rows
    (``COLUMN=TEXT``, ``COLUMN!=TEXT``), ``timepoint`` keeps one time point per trial
    (``first``, ``last``, ``primary`` or a text), ``multiarm`` (``combine`` or ``split``)
    settles arms compared with one shared comparator. A row whose per-arm numbers cannot give the
    measure is pooled from the estimate it reports with its CI (``yi``, ``vi`` from the CI), unless
    its trial has rows with per-arm numbers, which are used instead. Rows that lack a needed number,
    or whose numbers are impossible, are skipped and listed in :attr:`MetaAnalysis.skipped`.

    Raises
    ------
    AnalysisError
        If no row matches, the rows mix binary and continuous outcomes, the measure does not fit
        the outcome type, a trial still has several rows, or no row is usable.
    """
    method = Method(method)
    rows, kinds, skipped = _chosen_rows(table, outcome, where, timepoint)
    measure = _choose_measure({k for r in rows if (k := kinds[r.number])}, measure, outcome)
    usable = []
    for row in rows:
        try:
            usable.append(_read(row, kinds[row.number], measure, drop00))
        except AnalysisError as error:
            skipped.append(Skipped(row.label, str(error)))
    if not usable:
        raise AnalysisError(f"no usable rows for {measure} ({_reasons(skipped)})")
    binary = measure.outcome_type == "binary"
    chosen = one_per_trial(_per_arm_first(usable), multiarm, binary)
    studies = [_study(row, measure, drop00) for row in chosen]
    pooled = _pool(studies, measure, method, hk)
    return MetaAnalysis(measure, outcome, tuple(studies), tuple(skipped), pooled)


def _chosen_rows(
    table: pd.DataFrame, outcome: str | None, where: Sequence[str], timepoint: str | None
) -> tuple[list[Row], dict[int, str | None], list[Skipped]]:
    """The rows the outcome, row filters and time point keep; each row's type; trials left out."""
    table = filter_outcome(table, outcome) if outcome else table
    every = table_rows(table)
    kinds = dict(zip((r.number for r in every), outcome_types(table), strict=True))
    rows = filter_rows(every, where)
    if not rows:
        raise AnalysisError(_no_rows_message(outcome, where))
    skipped: list[Skipped] = []
    if timepoint:
        rows, skipped = choose_timepoint(rows, timepoint)
        if not rows:
            raise AnalysisError(f"no trial has a row at that time point ({_reasons(skipped)})")
    return rows, kinds, skipped


def _reasons(skipped: Sequence[Skipped]) -> str:
    return "; ".join(f"{s.study}: {s.reason}" for s in skipped)


def _read(row: Row, kind: str | None, measure: Measure, drop00: bool) -> Row:
    """The row with its values (or the estimate it reports, when its per-arm numbers cannot give
    ``measure``), or an AnalysisError saying why it cannot give ``measure``."""
    if kind not in (None, measure.outcome_type):
        raise AnalysisError(f"a {kind} outcome cannot give a {measure}")
    try:
        row = replace(row, values=row_values(row.cells, measure))
    except AnalysisError:
        reported = reported_row_effect(row.cells, measure)
        if reported is None:
            raise
        return replace(row, reported=reported)
    _effect(row, measure, drop00)
    return row


def _per_arm_first(rows: list[Row]) -> list[Row]:
    """A trial's rows with per-arm numbers, without its rows of reported estimates; the reported
    estimates of trials that give no per-arm numbers."""
    counted = {row.trial for row in rows if row.reported is None}
    return [row for row in rows if row.reported is None or row.trial not in counted]


def _effect(row: Row, measure: Measure, drop00: bool) -> EffectSize:
    if row.reported is not None:
        return row.reported
    if measure.outcome_type == "binary":
        return binary_effect(measure, *row.values, drop00=drop00)
    return continuous_effect(measure, *row.values)


def _study(row: Row, measure: Measure, drop00: bool) -> StudyEffect:
    effect = _effect(row, measure, drop00)
    return StudyEffect(row.label, row.values, effect, row.trial, (row.number,))


def _pool(studies: list[StudyEffect], measure: Measure, method: Method, hk: bool) -> Pooled:
    if method is Method.MH:
        if hk:
            raise AnalysisError("Hartung-Knapp applies to random-effects models (REML, DL, PM)")
        reported = [s.study for s in studies if not s.values]
        if reported:
            raise AnalysisError(f"Mantel-Haenszel needs the counts of each arm; {', '.join(reported)} "
                                "report only an estimate with its CI (use FE, REML, DL or PM)")
        return pool_mh(measure, [s.values for s in studies])  # type: ignore[misc]
    return pool([s.effect.yi for s in studies], [s.effect.vi for s in studies], method, hk=hk)


def _no_rows_message(outcome: str | None, where: Sequence[str]) -> str:
    if where:
        return "no row meets " + " and ".join(repr(w) for w in where)
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


def format_summary(analysis: MetaAnalysis) -> str:
    """Render ``analysis`` as a plain-text table followed by the pooled line and heterogeneity."""
    measure, p = analysis.measure, analysis.pooled
    width = max(len("Pooled"), *(len(s.study) for s in analysis.studies))
    lines = [
        title(analysis),
        count_line(analysis),
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
    lines += ["", test_line(p), heterogeneity_line(p)]
    if p.pi_low is not None and p.pi_high is not None:
        lines.append(f"95% prediction interval: {_interval(analysis, p.pi_low, p.pi_high)}")
    return "\n".join(lines)


def title(analysis: MetaAnalysis) -> str:
    """``Random-effects (REML) meta-analysis of the risk ratio (RR)[, Hartung-Knapp], outcome ...``."""
    p = analysis.pooled
    head = f"{p.method.label} meta-analysis of the {analysis.measure.label}"
    if p.hk:
        head += " with Hartung-Knapp-Sidik-Jonkman intervals"
    if analysis.outcome:
        head += f", outcome matching {analysis.outcome!r}"
    return head


def count_line(analysis: MetaAnalysis) -> str:
    """``k = 4 trials``, or ``k = 5 comparisons from 4 trials`` when a shared control was split."""
    k, trials = analysis.pooled.k, analysis.trials
    if k == trials:
        return f"k = {k} {'trial' if k == 1 else 'trials'}"
    return f"k = {k} comparisons from {trials} {'trial' if trials == 1 else 'trials'}"


def test_line(pooled: Pooled) -> str:
    """``Test of the pooled effect: z = ..., p = ...`` (``t(df) = ...`` under Hartung-Knapp)."""
    statistic = "z" if pooled.t_df is None else f"t({pooled.t_df})"
    return f"Test of the pooled effect: {statistic} = {pooled.z:.2f}, {p_text(pooled.p_value)}"


def _interval(analysis: MetaAnalysis, low: float, high: float) -> str:
    low, high = analysis.display(low), analysis.display(high)
    return f"[{low:.{_DIGITS}f}, {high:.{_DIGITS}f}]"


def _estimate_cells(analysis: MetaAnalysis, yi: float, low: float, high: float) -> str:
    interval = _interval(analysis, low, high)
    return f"{analysis.display(yi):>8.{_DIGITS}f}  {interval:<20}"


_DIGITS = 3


def heterogeneity_line(pooled: Pooled) -> str:
    """Return ``Heterogeneity: tau^2 = ... [Q-profile 95% CI]; I^2 = ...%; Q = ... (df, p)``."""
    q_p = "p n/a" if pooled.q_p is None else p_text(pooled.q_p)
    tau2 = f"tau\u00b2 = {pooled.tau2:.4g}"
    if pooled.tau2_ci is not None:
        tau2 += f" [{pooled.tau2_ci[0]:.4g}, {pooled.tau2_ci[1]:.4g}]"
    return (
        f"Heterogeneity: {tau2}; I\u00b2 = {pooled.i2:.1f}%; "
        f"Q = {pooled.q:.2f} (df = {pooled.q_df}, {q_p})"
    )


def p_text(value: float) -> str:
    """Return ``"p = 0.123"``, or ``"p < 0.001"`` below 0.001."""
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"
