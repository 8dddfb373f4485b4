"""Judging one cell of a filled sheet against what the article says.

For a sheet row the extractor's own reading is taken once (:class:`Reading`): the answer ``fill``
gives with its confidence, the trial's arms the sheet's names denote, and every result naming the
row's outcome, best first. A cell is then, in this order:

- not a count of participants (``elsewhere`` or ``absent``) when a count exceeds its group's size;
- ``found`` when it is the value ``fill`` reads (``derived`` when fill derived it);
- ``derived`` when it follows from a best reading of the outcome: the one count a percentage and a
  group size allow, or an SD from an SE or a CI with the group size (Cochrane Handbook 6.5.2.2),
  equal within the rounding of the numbers it comes from;
- ``conflict`` when ``fill`` answers the cell with confidence and reads another value;
- ``found`` when it is this arm's value in a best reading of the outcome (a group size: the n of
  the result, else the arm's size), ``elsewhere`` when only a lesser reading gives it;
- ``found`` when its place in the text says so (:mod:`extractor.audit.located`);
- for a group size found so far, ``elsewhere`` when it is the arm's n randomised and the article
  gives another n analysed (reviewers take the n analysed), or when a sentence naming the outcome
  gives the arm another n (the n analysed for the outcome, which the arm's size stated elsewhere is not);
- ``elsewhere`` when the number stands anywhere else in the article, ``absent`` when nowhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from extractor.audit.located import BASELINE, Placed, in_place, outcome_size, paired
from extractor.audit.numbers import as_decimal, decimals, reported_number
from extractor.audit.trial import Trial
from extractor.evidence import Arm, ArmValue, Evidence, Filled, Query, Result, TrialEvidence, fill
from extractor.evidence.choose import MIN_OUTCOME_SCORE, choice_model, outcome_score, prefer_final

__all__ = ["FLAGS", "STATUSES", "CellCheck", "Reading", "check_cell", "is_empty", "read_row"]

Status = Literal["found", "derived", "elsewhere", "absent", "conflict", ""]
STATUSES: tuple[Status, ...] = ("found", "derived", "elsewhere", "absent", "conflict", "")
FLAGS = frozenset({"elsewhere", "absent", "conflict"})
EMPTY = frozenset({"", "x", "na", "n/a", "nan", "none", "unknown", "null", "nr", "-"})
SIDES = ("intervention", "comparator")
# A result naming the outcome less well than the best one is another reading of it (another time
# point, a subscale): a value found only there is found elsewhere.
LESSER = 1e-9
_Z95 = 1.959964  # the normal quantile of a 95% CI


@dataclass(frozen=True, slots=True)
class CellCheck:
    """The verdict on one cell: its status, where the article says so, and what the tool reads."""

    status: Status
    evidence: tuple[Evidence, ...] = ()
    tool_value: str | None = None
    why: str = ""


@dataclass(frozen=True, slots=True)
class Reading:
    """What the article says for one sheet row, read once for all its cells."""

    query: Query
    filled: Filled
    arms: tuple[Arm | None, Arm | None]
    results: tuple[tuple[float, Result], ...]
    chosen: Result | None


def is_empty(text: str | None) -> bool:
    """Whether a cell holds no value (blank, "x", "NA", ...)."""
    return (text or "").strip().lower() in EMPTY


def read_row(trial: TrialEvidence, query: Query) -> Reading:
    """The extractor's reading of one sheet row, from a trial read for it: fill's answer and the
    results naming the outcome.

    :raises KeyError: when the trial was not read for ``query``.
    """
    filled = fill(trial, query)
    sheet = trial.sheet_arms(query)
    arms, i_name, c_name = sheet.arms, sheet.intervention, sheet.comparator
    by_name = {a.name: a for a in arms}
    pair = (by_name.get(i_name), by_name.get(c_name)) if i_name != c_name else (None, None)
    if pair[0] is None or pair[1] is None:
        return Reading(query, filled, pair, (), None)
    results = _naming(sheet.results, query, trial.abbreviations, (i_name, c_name))
    chosen = next((r for _, r in results if _evidence_of(r, (i_name, c_name)) == filled.evidence), None)
    return Reading(query, filled, pair, results, chosen)


def _naming(results: Sequence[Result], query: Query, abbreviations: Mapping[str, str],
            names: tuple[str, str]) -> tuple[tuple[float, Result], ...]:
    """Results giving one of the row's arms a value and naming its outcome (baseline only if asked),
    best first, scored as fill scores them (the last time point of an outcome leads)."""
    baseline_asked = bool(BASELINE.search(query.outcome))
    scored = []
    for result in results:
        if not any(result.value_for(n) is not None for n in names):
            continue
        if result.is_baseline and not baseline_asked:
            continue
        score = outcome_score(query.outcome, result, abbreviations)
        if score >= MIN_OUTCOME_SCORE:
            scored.append((score, result))
    return tuple(sorted(prefer_final(scored), key=lambda c: -c[0]))


def _evidence_of(result: Result, names: tuple[str, str]) -> tuple[Evidence, ...]:
    values = [result.value_for(n) for n in names]
    return tuple(e for v in values if v is not None for e in v.evidence)


def check_cell(reading: Reading, trial: Trial, column: str, row: Mapping[str, str]) -> CellCheck:
    """The status of one value cell of a sheet row (``intervention_mean``, ``comparator_events``, ...)."""
    text = row.get(column)
    if is_empty(text):
        return CellCheck("")
    value = reported_number(text or "")
    if value is None:
        return CellCheck("absent", why="not a number")
    side, name = column.split("_", 1)
    arm = reading.arms[SIDES.index(side)]
    tool = reading.filled.values.get(column)
    too_many = _more_than_the_group(trial, row, side, arm, value, tool) if name == "events" else None
    if too_many is not None:
        return too_many
    # fill contradicts a cell from the probability at which its choice model fills a row at all
    confident = tool is not None and reading.filled.confidence >= choice_model().threshold and (
        name != "group_size" or _result_sized(reading, arm))  # else fill's size is the arm's, not the result's
    if tool is not None and as_decimal(tool) == value and (confident or name != "group_size"):
        if column in reading.filled.derived:
            return CellCheck("derived", _side_evidence(reading, side, name), _show(tool), "fill derives it")
        return CellCheck("found", _side_evidence(reading, side, name), _show(tool), "the value fill reads")
    derived = _derived(reading, arm, name, value)
    if derived is not None:
        return derived
    if confident and tool is not None:
        return CellCheck("conflict", _side_evidence(reading, side, name), _show(tool),
                         f"fill reads {_show(tool)} (confidence {reading.filled.confidence:.2f})")
    found = _size(reading, arm, value) if name == "group_size" else _found(reading, arm, name, value)
    if found is None:
        placed = _placed(reading, trial, column, row, trial.index.where(value))
        found = CellCheck("found", placed[0], why=placed[1]) if placed is not None else None
    if found is not None and found.status == "found" and name == "group_size":
        if arm is not None and arm.n_analysed and arm.n_randomised == value != arm.n_analysed:
            return CellCheck("elsewhere", (*found.evidence[:2], *arm.evidence[:1]),
                             why=f"the n randomised to {arm.name}; {arm.n_analysed} were analysed")
        return _unless_sized_for_outcome(reading, trial, side, value, found)
    return found or _nowhere_as_this(trial, value, tool)


def _nowhere_as_this(trial: Trial, value: Decimal, tool: float | int | None, why: str = "") -> CellCheck:
    """``elsewhere`` where the number stands in the article (not as this arm's value), else ``absent``."""
    where = trial.index.where(value)
    shown = _show(tool) if tool is not None else None
    if where:
        return CellCheck("elsewhere", where[:3], shown,
                         why or f"in the article {len(where)} time(s), not as this arm's value")
    return CellCheck("absent", (), shown, f"{why}; nowhere in the article" if why else "nowhere in the article")


def _more_than_the_group(trial: Trial, row: Mapping[str, str], side: str, arm: Arm | None, value: Decimal,
                         tool: float | int | None) -> CellCheck | None:
    """A count above its group's size counts events, not participants with one: not this cell's value."""
    size = _group_size(row, side, arm)
    if size is None or value <= size:
        return None
    return _nowhere_as_this(trial, value, tool, f"more than the group's {size} participants: not a count of "
                                                "participants with the event")


def _group_size(row: Mapping[str, str], side: str, arm: Arm | None) -> Decimal | None:
    """The size of the row's group on ``side``: the sheet's own cell, else the arm's known size."""
    cell = reported_number(row.get(f"{side}_group_size") or "")
    if cell is not None:
        return cell
    known = arm.n_analysed or arm.n_randomised if arm is not None else None
    return as_decimal(known) if known else None


def _unless_sized_for_outcome(reading: Reading, trial: Trial, side: str, value: Decimal,
                              found: CellCheck) -> CellCheck:
    """``elsewhere`` for a group's size where a sentence naming the outcome gives the arm another n."""
    k = SIDES.index(side)
    arm, other = reading.arms[k], reading.arms[1 - k]
    own = outcome_size(trial, reading.query.outcome, arm, other) if arm is not None else None
    if own is None or own[0] == value:
        return found
    return CellCheck("elsewhere", (*found.evidence[:2], own[1]),
                     why=f"{found.why}, but n = {own[1].text} where the outcome is reported")


def _placed(reading: Reading, trial: Trial, column: str, row: Mapping[str, str],
            where: Sequence[Evidence]) -> Placed | None:
    side, name = column.split("_", 1)
    k = SIDES.index(side)
    arm, other = reading.arms[k], reading.arms[1 - k]
    if arm is None:
        return None
    outcome = reading.query.outcome
    partner = reported_number(row.get(f"{SIDES[1 - k]}_{name}") or "")
    if partner is None or name == "group_size":
        return in_place(trial, outcome, arm, other, name, where)
    return in_place(trial, outcome, arm, other, name, where) or paired(trial, outcome, arm, other, name, where, partner)


def _show(value: float | int) -> str:
    return str(as_decimal(value))


def _side_evidence(reading: Reading, side: str, name: str) -> tuple[Evidence, ...]:
    arm = reading.arms[SIDES.index(side)]
    if reading.chosen is not None and arm is not None:
        value = reading.chosen.value_for(arm.name)
        if value is not None and value.evidence:
            return value.evidence
    if name == "group_size" and arm is not None:
        return arm.evidence
    return reading.filled.evidence


def _values(value: ArmValue, name: str) -> tuple[float | int | None, ...]:
    if name == "events":
        return (value.events,)
    if name == "group_size":
        return (value.total, value.n)
    if name == "mean":
        return (value.mean,)
    return (value.sd,)


def _found(reading: Reading, arm: Arm | None, name: str, value: Decimal) -> CellCheck | None:
    if arm is None:
        return None
    readings = [(score, r, v) for score, r in reading.results if (v := r.value_for(arm.name)) is not None
                and any(x is not None for x in _values(v, name))]
    for score, result, read in readings:
        if any(v is not None and as_decimal(v) == value for v in _values(read, name)):
            if score < readings[0][0] - LESSER:
                return CellCheck("elsewhere", read.evidence, why=f"a lesser reading: {result.outcome}")
            return CellCheck("found", read.evidence, why=f"{arm.name}: {result.outcome}")
    return None


def _result_sized(reading: Reading, arm: Arm | None) -> bool:
    """Whether the result fill chose gives ``arm`` its own n."""
    read = reading.chosen.value_for(arm.name) if reading.chosen is not None and arm is not None else None
    return read is not None and bool(read.total or read.n)


def _size(reading: Reading, arm: Arm | None, value: Decimal) -> CellCheck | None:
    """A group size is the n analysed for this outcome: the result's own, else the arm's analysed,
    else its randomised (reviewers' convention; the n randomised where fewer were analysed is not)."""
    if arm is None:
        return None
    results = (reading.chosen,) if reading.chosen is not None else tuple(r for _, r in reading.results)
    sized = [(r, v) for r in results if (v := r.value_for(arm.name)) is not None and (v.total or v.n)]
    for result, read in sized:
        if value in {as_decimal(n) for n in (read.total, read.n) if n}:
            return CellCheck("found", read.evidence, why=f"the n of {arm.name} for {result.outcome}")
    known = arm.n_analysed or arm.n_randomised
    if not sized and known and value == as_decimal(known):
        return CellCheck("found", arm.evidence, why=f"the size of {arm.name}")
    return None


def _sizes(arm: Arm, read: ArmValue) -> set[int]:
    """The n a result's statistics are of: its own where it gives one, else the arm's (analysed or
    randomised: the result does not say which); never the arm's where the result gives another."""
    own = {n for n in (read.total, read.n) if n}
    return own or {n for n in (arm.n_randomised, arm.n_analysed) if n}


def _derived(reading: Reading, arm: Arm | None, name: str, value: Decimal) -> CellCheck | None:
    if arm is None or name not in ("events", "standard_deviation"):
        return None
    best = reading.results[0][0] if reading.results else 0.0
    for score, result in reading.results:
        read = result.value_for(arm.name)
        if read is None or score < best - LESSER:
            continue
        for n in sorted(_sizes(arm, read)):
            how = _count_from_percent(read, n, value) if name == "events" else _sd_from(read, n, value)
            if how:
                return CellCheck("derived", read.evidence, why=f"{how} (n = {n}): {result.outcome}")
    return None


def _count_from_percent(read: ArmValue, n: int, value: Decimal) -> str | None:
    """The one count of ``n`` a reported percentage allows, if it is ``value``."""
    if read.percent is None or decimals(value) or not 0 <= value <= n:
        return None
    percent = as_decimal(read.percent)
    half_unit = Decimal(5) * Decimal(10) ** -(decimals(percent) + 1)
    centre = int(percent * n / 100)
    fits = [k for k in range(max(0, centre - 2), min(n, centre + 3) + 1)
            if abs(Decimal(100 * k) / n - percent) <= half_unit]
    return f"{_show(read.percent)}% of {n}" if fits == [int(value)] else None


def _sd_from(read: ArmValue, n: int, value: Decimal) -> str | None:
    """An SD from the SE or the CI of the mean with ``n``, equal to ``value`` within rounding."""
    cell_slack = 0.5 * 10.0 ** -decimals(value)
    if read.se is not None:
        slack = cell_slack + 0.5 * 10.0 ** -decimals(as_decimal(read.se)) * math.sqrt(n)
        if abs(read.se * math.sqrt(n) - float(value)) <= slack + 1e-9:
            return f"SD = SE {_show(read.se)} × √n"
    if read.dispersion == "ci" and read.low is not None and read.high is not None and n > 1:
        width = read.high - read.low
        slack = cell_slack + 10.0 ** -decimals(as_decimal(read.low)) * math.sqrt(n) / 3.92
        for q in {_Z95, _t95(n - 1)}:
            if abs(math.sqrt(n) * width / (2 * q) - float(value)) <= slack + 1e-9:
                return f"SD from the 95% CI {_show(read.low)} to {_show(read.high)}"
    return None


def _t95(df: int) -> float:
    from scipy import stats  # only here: importing scipy is slow

    return float(stats.t.ppf(0.975, df))
