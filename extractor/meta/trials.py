"""One trial, counted once: group a table's rows by trial and settle trials with several rows.

A row's trial is its ``study`` label, else its ``pmid``, else ``pmcid``, else ``id`` (the first one
filled in); a row with none is a trial of its own. A trial may give several rows for one outcome:
time points, subgroups, or several arms against one control. Pooling them as independent studies
counts its patients more than once, so :func:`one_per_trial` refuses unless the caller chose:

- a time point (:func:`choose_timepoint`): ``first`` or ``last`` (ordered by the time they name,
  "week 12" before "6 months"), ``primary`` (the row marked ``is_primary``) or a text the row's
  ``timepoint`` contains;
- rows (:func:`filter_rows`): ``COLUMN=TEXT`` keeps rows whose column contains TEXT,
  ``COLUMN!=TEXT`` drops them (any case);
- for several arms against one shared comparator, ``combine`` (the arms pooled into one group)
  or ``split`` (the comparator's n, and its events for binary outcomes, divided equally among the
  comparisons), the two options of the Cochrane Handbook, section 23.3.4
  (https://training.cochrane.org/handbook/current/chapter-23#section-23-3-4). Means and SDs are
  combined by the formula of the Handbook's Table 6.5.a.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import reduce
from typing import TYPE_CHECKING, Any

from extractor.errors import AnalysisError
from extractor.meta.effects import EffectSize
from extractor.meta.table import LABEL_COLUMNS, cell_text, records

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MULTIARM",
    "TIMEPOINTS",
    "TRIAL_COLUMNS",
    "Row",
    "Skipped",
    "choose_timepoint",
    "filter_rows",
    "one_per_trial",
    "select_rows",
    "table_rows",
    "timepoint_days",
]

TRIAL_COLUMNS = LABEL_COLUMNS
TIMEPOINTS = ("first", "last", "primary")
MULTIARM = ("combine", "split")
_DAYS = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 30.4375, "year": 365.25}
_UNIT_NAMES = {
    **{name: "minute" for name in ("minute", "minutes", "min", "mins")},
    **{name: "hour" for name in ("hour", "hours", "h", "hr", "hrs")},
    **{name: "day" for name in ("day", "days", "d")},
    **{name: "week" for name in ("week", "weeks", "wk", "wks", "w")},
    **{name: "month" for name in ("month", "months", "mo", "mth", "mths", "m")},
    **{name: "year" for name in ("year", "years", "yr", "yrs", "y")},
}
_TIME_PATTERNS = (
    re.compile(r"(?P<unit>[a-z]+)\s*(?P<num>\d+(?:\.\d+)?)\b"),  # "week 12", "W12"
    re.compile(r"(?P<num>\d+(?:\.\d+)?)\s*-?\s*(?P<unit>[a-z]+)\b"),  # "12 weeks", "6-month"
)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row (or a trial) left out of the analysis, and why."""

    study: str
    reason: str


@dataclass(frozen=True, slots=True)
class Row:
    """A table row: its number (from 1, header not counted), trial, label and cells.

    ``values`` holds the numbers the measure needs, in escalc's order, once they are read;
    ``reported`` the effect of a row pooled from the estimate it reports (no per-arm numbers).
    """

    number: int
    trial: str
    label: str
    cells: Mapping[str, Any]
    values: tuple[float, ...] = ()
    reported: EffectSize | None = None

    def cell(self, name: str) -> str:
        """The cell ``name`` as text (``""`` when empty)."""
        return cell_text(self.cells.get(name))

    @property
    def arms_half(self) -> int:
        return len(self.values) // 2


def table_rows(table: pd.DataFrame) -> list[Row]:
    """Return every row of ``table`` with its number and trial (see the module docstring)."""
    rows = []
    for number, cells in zip(_numbers(table), records(table), strict=True):
        name = next((c for c in TRIAL_COLUMNS if cell_text(cells.get(c))), None)
        trial = f"{name}:{cell_text(cells[name])}" if name else f"row:{number}"
        label = cell_text(cells[name]) if name else f"row {number}"
        rows.append(Row(number, trial, label, cells))
    return rows


def _numbers(table: pd.DataFrame) -> list[int]:
    index = list(table.index)
    if all(isinstance(i, int) for i in index):
        return [i + 1 for i in index]
    return list(range(1, len(index) + 1))


def filter_rows(rows: list[Row], conditions: Sequence[str]) -> list[Row]:
    """Keep the rows meeting every ``COLUMN=TEXT`` / ``COLUMN!=TEXT`` condition (substring, any case).

    Raises
    ------
    AnalysisError
        If a condition has no ``=`` or names no column of the table.
    """
    for condition in conditions:
        column, keep, wanted = _condition(condition)
        if rows and column not in rows[0].cells:
            raise AnalysisError(f"--where {condition!r}: the table has no column {column!r}")
        rows = [r for r in rows if (wanted in r.cell(column).lower()) == keep]
    return rows


def select_rows(
    table: pd.DataFrame, *, where: Sequence[str] = (), timepoint: str | None = None
) -> tuple[pd.DataFrame, list[Skipped]]:
    """The rows of ``table`` that :func:`filter_rows` and :func:`choose_timepoint` keep.

    Returns the kept rows (in table order) and the trials left without a row at ``timepoint``.
    """
    rows = filter_rows(table_rows(table), where)
    skipped: list[Skipped] = []
    if timepoint:
        rows, skipped = choose_timepoint(rows, timepoint)
    kept = {row.number for row in rows}
    return table[[number in kept for number in _numbers(table)]], skipped


def _condition(condition: str) -> tuple[str, bool, str]:
    if "=" not in condition:
        raise AnalysisError(f"--where {condition!r}: write COLUMN=TEXT or COLUMN!=TEXT")
    column, wanted = condition.split("=", 1)
    keep = not column.endswith("!")
    return column.rstrip("!").strip(), keep, wanted.strip().lower()


def choose_timepoint(rows: list[Row], how: str) -> tuple[list[Row], list[Skipped]]:
    """Keep, within each trial, the rows at the time point ``how`` chooses.

    Trials without such a row are returned as skipped.

    Raises
    ------
    AnalysisError
        If ``first``/``last`` must order time points that name no time ("end of treatment").
    """
    kept: list[Row] = []
    skipped: list[Skipped] = []
    for trial_rows in _by_trial(rows):
        chosen = _at_timepoint(trial_rows, how)
        kept += chosen
        if not chosen:
            reason = "no row marked primary" if how == "primary" else f"no row at {how!r}"
            skipped.append(Skipped(trial_rows[0].label, reason))
    return sorted(kept, key=lambda r: r.number), skipped


def _at_timepoint(rows: list[Row], how: str) -> list[Row]:
    if how == "primary":
        return [r for r in rows if r.cell("is_primary").lower() in ("true", "1", "yes")]
    if how not in ("first", "last"):
        return [r for r in rows if how.lower() in r.cell("timepoint").lower()]
    if len({r.cell("timepoint") for r in rows}) < 2:
        return rows
    times = {r.number: _days(r) for r in rows}
    best = (min if how == "first" else max)(times.values())
    return [r for r in rows if times[r.number] == best]


def _days(row: Row) -> float:
    days = timepoint_days(row.cell("timepoint"))
    if days is None:
        raise AnalysisError(
            f"cannot order the time points of trial {row.label!r}: "
            f"{row.cell('timepoint') or '(none)'!r} in row {row.number} names no time; "
            "choose one with --timepoint TEXT"
        )
    return days


def timepoint_days(text: str) -> float | None:
    """The time ``text`` names in days ("week 12" 84, "6 months" 182.6, "24-h" 1), else ``None``.

    Written here rather than taken from ``extractor.nlp.rules.parse_timepoint``, whose package
    imports spaCy: pooling should not wait seconds for a language model it does not use.
    """
    for pattern in _TIME_PATTERNS:
        for match in pattern.finditer(text.lower()):
            unit = _UNIT_NAMES.get(match["unit"])
            if unit:
                return float(match["num"]) * _DAYS[unit]
    return None


def _by_trial(rows: Sequence[Row]) -> Iterator[list[Row]]:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row.trial, []).append(row)
    yield from groups.values()


def one_per_trial(rows: list[Row], multiarm: str | None, binary: bool) -> list[Row]:
    """Return the rows to pool, at most one per trial unless arms against one control are split.

    Raises
    ------
    AnalysisError
        Naming the first trial with several rows, its rows and the options that settle it.
    """
    out: list[Row] = []
    conflicts: list[list[Row]] = []
    for trial_rows in _by_trial(rows):
        if len(trial_rows) == 1:
            out += trial_rows
        elif multiarm and all(r.values for r in trial_rows) and _shares_comparator(trial_rows):
            out += _settle(trial_rows, multiarm, binary)
        else:
            conflicts.append(trial_rows)
    if conflicts:
        raise AnalysisError(_conflict_message(conflicts))
    return out


def _shares_comparator(rows: list[Row]) -> bool:
    same = {(r.cell("comparator").lower(), r.values[r.arms_half :]) for r in rows}
    arms = {r.cell("intervention").lower() for r in rows}
    when = {(r.cell("timepoint"), r.cell("subgroup")) for r in rows}
    return len(same) == 1 and len(arms) == len(rows) and len(when) == 1


def _settle(rows: list[Row], how: str, binary: bool) -> list[Row]:
    if how == "combine":
        arms = [r.values[: r.arms_half] for r in rows]
        merged = reduce(_add_binary if binary else _add_continuous, arms)
        names = " + ".join(r.cell("intervention") for r in rows)
        first = rows[0]
        return [replace(first, values=merged + first.values[first.arms_half :],
                        cells={**first.cells, "intervention": names})]  # fmt: skip
    share = len(rows)
    split = []
    for row in rows:
        control = list(row.values[row.arms_half :])
        control[-1] /= share  # the group size, last in both orders
        if binary:
            control[0] /= share
        label = f"{row.label} ({row.cell('intervention')})"
        split.append(replace(row, label=label, values=row.values[: row.arms_half] + tuple(control)))
    return split


def _add_binary(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, ...]:
    return a[0] + b[0], a[1] + b[1]


def _add_continuous(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, ...]:
    (m1, sd1, n1), (m2, sd2, n2) = a, b
    n = n1 + n2
    mean = (n1 * m1 + n2 * m2) / n
    sd = math.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2 + n1 * n2 / n * (m1 - m2) ** 2) / (n - 1))
    return mean, sd, n


def _conflict_message(conflicts: list[list[Row]]) -> str:
    rows = conflicts[0]
    numbers = ", ".join(str(r.number) for r in rows)
    what = _difference(rows)
    message = (
        f"trial {rows[0].label!r} has {len(rows)} rows for this outcome (rows {numbers}"
        f"{': ' + what if what else ''}), which are not independent studies"
    )
    if len(conflicts) > 1:
        more = len(conflicts) - 1
        message += f" (and {more} more {'trial' if more == 1 else 'trials'})"
    options = "choose one per trial with --timepoint first|last|primary|TEXT or --where COLUMN=TEXT"
    if _arms_differ(rows):
        options += ", or settle a shared comparator with --multiarm combine|split"
    return f"{message}; {options}"


def _difference(rows: list[Row]) -> str:
    for column in ("outcome", "timepoint", "subgroup", "intervention", "comparator"):
        cells = [r.cell(column) or "(none)" for r in rows]
        if len(set(cells)) > 1:
            shown = cells if len(cells) <= _SHOWN else [*cells[: _SHOWN - 1], "..."]
            return ", ".join(shown)
    return ""


#: A conflict lists every row number but describes at most this many rows.
_SHOWN = 4


def _arms_differ(rows: list[Row]) -> bool:
    return len({r.cell("intervention").lower() for r in rows}) > 1
