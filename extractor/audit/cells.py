"""Judging one cell of a filled sheet against what the article says.

For a sheet row the extractor's own reading is taken once (:class:`Reading`): the answer ``fill``
gives with its confidence, the trial's arms the sheet's names denote, and every result naming the
row's outcome. A cell is then, in this order:

- ``found`` when it is the value ``fill`` reads, or this arm's value in a result naming the outcome
  (for a group size: the arm's size as randomised or analysed);
- ``derived`` when it follows from such a result: the one count a percentage and a group size allow,
  or an SD from an SE or a CI with the group size (Cochrane Handbook 6.5.2.2), equal within the
  rounding of the numbers it comes from;
- ``conflict`` when ``fill`` answers the cell with confidence and reads another value;
- ``elsewhere`` when the number stands in the article, but not as this arm's value for this
  outcome; ``absent`` when it does not stand there at all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from extractor.audit.numbers import NumberIndex, as_decimal, decimals, number_index, passage_around, reported_number
from extractor.audit.places import TablePlace, names_arm, names_outcome, nearest_arm, table_places
from extractor.evidence import Arm, ArmValue, Evidence, Filled, Query, Result, TrialReader, fill
from extractor.evidence.choose import MIN_MARGIN, MIN_OUTCOME_SCORE, outcome_score, prefer_final
from extractor.evidence.sheet_arms import query_arms
from extractor.records import Record

__all__ = ["FLAGS", "STATUSES", "CellCheck", "Reading", "Trial", "check_cell", "is_empty", "read_row", "read_trial"]

Status = Literal["found", "derived", "elsewhere", "absent", "conflict", ""]
STATUSES: tuple[Status, ...] = ("found", "derived", "elsewhere", "absent", "conflict", "")
FLAGS = frozenset({"elsewhere", "absent", "conflict"})
EMPTY = frozenset({"", "x", "na", "n/a", "nan", "none", "unknown", "null", "nr", "-"})
SIDES = ("intervention", "comparator")
# fill's confidence from which its reading contradicts a cell: below it, fill itself is unsure.
CONFIDENT = 0.75
# A baseline result answers no outcome; a result this far below fill's choice is another outcome.
_Z95 = 1.959964


@dataclass(frozen=True, slots=True)
class CellCheck:
    """The verdict on one cell: its status, where the article says so, and what the tool reads."""

    status: Status
    evidence: tuple[Evidence, ...] = ()
    tool_value: str | None = None
    why: str = ""


@dataclass(frozen=True, slots=True)
class Trial:
    """An article read once: its record, the extractor's reader, its numbers and table places."""

    record: Record
    reader: TrialReader
    index: NumberIndex
    places: dict[str, TablePlace]


def read_trial(record: Record) -> Trial:
    """Read ``record`` once for checking every row about it."""
    reader = TrialReader(record)
    return Trial(record, reader, number_index(record), table_places(reader))


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


def read_row(reader: TrialReader, query: Query) -> Reading:
    """The extractor's reading of one sheet row: fill's answer and the results naming the outcome."""
    filled = fill(reader, query)
    arms, i_name, c_name = query_arms(reader, query)
    by_name = {a.name: a for a in arms}
    pair = (by_name.get(i_name), by_name.get(c_name)) if i_name != c_name else (None, None)
    if pair[0] is None or pair[1] is None:
        return Reading(query, filled, pair, (), None)
    results = _naming(reader.results_with(arms), query, reader.abbreviations, (i_name, c_name))
    chosen = next((r for _, r in results if _evidence_of(r, (i_name, c_name)) == filled.evidence), None)
    return Reading(query, filled, pair, results, chosen)


def _naming(results: Sequence[Result], query: Query, abbreviations: dict[str, str],
            names: tuple[str, str]) -> tuple[tuple[float, Result], ...]:
    """Results giving one of the row's arms a value and naming its outcome (baseline only if asked),
    best first, scored as fill scores them (the last time point of an outcome leads)."""
    baseline_asked = "baseline" in query.outcome.lower()
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
    confident = tool is not None and reading.filled.confidence >= CONFIDENT and (
        name != "group_size" or _result_sized(reading, arm))  # else fill's size is the arm's, not the result's
    if tool is not None and as_decimal(tool) == value and (confident or name != "group_size"):
        if column in reading.filled.derived:
            return CellCheck("derived", _side_evidence(reading, side, name), _show(tool), "fill derives it")
        return CellCheck("found", _side_evidence(reading, side, name), _show(tool), "the value fill reads")
    derived = _derived(reading, arm, name, value)
    if derived is not None:
        return derived
    if confident:
        return CellCheck("conflict", _side_evidence(reading, side, name), _show(tool),  # type: ignore[arg-type]
                         f"fill reads {_show(tool)} (confidence {reading.filled.confidence:.2f})")  # type: ignore[arg-type]
    found = _size(reading, arm, value) if name == "group_size" else _found(reading, arm, name, value)
    if found is not None:
        return found
    where = trial.index.where(value)
    partner = reported_number(row.get(_partner(column)) or "")
    placed = _in_place(reading, trial, arm, name, where) or (
        _paired(reading, trial, arm, where, partner) if partner is not None and name != "group_size" else None)
    if placed is not None:
        return placed
    if where:
        return CellCheck("elsewhere", where[:3], _show(tool) if tool is not None else None,
                         f"in the article {len(where)} time(s), not as this arm's value")
    return CellCheck("absent", (), _show(tool) if tool is not None else None, "nowhere in the article")


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
LESSER = 1e-9  # a result scoring below the best names the outcome less well: another reading


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
    return {n for n in (read.total, read.n, arm.n_randomised, arm.n_analysed) if n}


def _derived(reading: Reading, arm: Arm | None, name: str, value: Decimal) -> CellCheck | None:
    if arm is None or name not in ("events", "standard_deviation"):
        return None
    for _, result in reading.results:
        read = result.value_for(arm.name)
        if read is None:
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


_BASELINE = re.compile(r"\bbaseline\b|\bpre-?(?:treatment|intervention|operative|test)\b|\bbefore\b|"
                       r"\bat (?:entry|inclusion|randomi[sz]ation)\b", re.I)


def _in_place(reading: Reading, trial: Trial, arm: Arm | None, name: str,
              where: Sequence[Evidence]) -> CellCheck | None:
    """``found`` where the number stands in a place naming this outcome and this arm."""
    if arm is None:
        return None
    other = reading.arms[1] if arm is reading.arms[0] else reading.arms[0]
    abbreviations = trial.reader.abbreviations
    outcome = reading.query.outcome
    baseline_asked = bool(_BASELINE.search(outcome))
    for ev in where:
        place = trial.places.get(ev.section)
        text = trial.index.texts[ev.section]
        sized = name == "group_size" and _is_size(text, ev)
        if place is not None:
            about = (place.is_header or place.is_size_row or sized) if name == "group_size" else (
                names_outcome(outcome, place.row, abbreviations)
                and (baseline_asked or not _BASELINE.search(place.row)))
            if about and names_arm(place.column, arm, other, abbreviations):
                return CellCheck("found", (ev,), why=f"table cell: {place.row[:80]} | {place.column}")
            continue
        if name == "group_size" and not sized:
            continue
        sentence, offset = passage_around(text, ev.start, ev.end)
        if name != "group_size" and not names_outcome(outcome, sentence, abbreviations):
            continue
        reach = SIZE_REACH if name == "group_size" else None
        if nearest_arm(sentence, ev.start - offset, [a for a in (arm, other) if a is not None], abbreviations,
                       reach) is arm:
            return CellCheck("found", (ev,), why="a sentence naming this arm" + (
                " and its size" if name == "group_size" else " and the outcome"))
    return None


SIZE_REACH = 30  # characters from a size to its arm's name: "RMD, n = 29", "29 patients received RMD"
_SIZE_BEFORE = re.compile(r"(?:\b[nN]\s*[=:]|/)\s*$")
_SIZE_AFTER = re.compile(r"^\s*(?:patients|participants|subjects|women|men|children|infants|neonates|people|"
                         r"individuals|persons|adults|mothers|volunteers|students|nurses|cases|eyes)\b", re.I)


def _is_size(text: str, ev: Evidence) -> bool:
    """Whether a number reads as a group's size: "n = 29", "42/402", "29 patients"."""
    return bool(_SIZE_BEFORE.search(text[max(0, ev.start - 6):ev.start]) or _SIZE_AFTER.match(text[ev.end:ev.end + 16]))


def _partner(column: str) -> str:
    """The same field of the other arm: ``intervention_mean`` <-> ``comparator_mean``."""
    side, name = column.split("_", 1)
    return f"{SIDES[1 - SIDES.index(side)]}_{name}"


def _paired(reading: Reading, trial: Trial, arm: Arm | None, where: Sequence[Evidence],
            partner: Decimal) -> CellCheck | None:
    """``found`` where the number and the other arm's number of the row stand together (one sentence,
    one table row or column) in a place naming the outcome, and nothing there gives them to the other
    arm than the sheet does: the two are read as a pair there."""
    if arm is None:
        return None
    other = reading.arms[1] if arm is reading.arms[0] else reading.arms[0]
    if other is None:
        return None
    outcome, abbreviations = reading.query.outcome, trial.reader.abbreviations
    baseline_asked = bool(_BASELINE.search(outcome))
    for ev in where:
        for pv in trial.index.where(partner):
            about = _shared_place(trial, ev, pv, (arm, other))
            if about is None or (_BASELINE.search(about) and not baseline_asked):
                continue
            if names_outcome(outcome, about, abbreviations):
                return CellCheck("found", (ev, pv), why="beside the other arm's value, where the outcome is named")
    return None


def _shared_place(trial: Trial, ev: Evidence, pv: Evidence, arms: tuple[Arm, Arm]) -> str | None:
    """The text naming what two numbers measure, when they stand in one sentence, table row or
    column as the values of ``arms`` (in that order): in a sentence no arm named nearer says
    otherwise; in a table a header of theirs names their arm and none names the other."""
    abbreviations = trial.reader.abbreviations
    if ev.section == pv.section and ev.start != pv.start and not ev.section.startswith("tables/"):
        sentence, offset = passage_around(trial.index.texts[ev.section], ev.start, ev.end)
        if not offset <= pv.start < offset + len(sentence):
            return None
        near = [nearest_arm(sentence, v.start - offset, list(arms), abbreviations) for v in (ev, pv)]
        if near[0] is arms[1] or near[1] is arms[0]:
            return None
        return f"{ev.label or ''} {sentence}"
    a, b = ev.section.split("/"), pv.section.split("/")
    here, there = trial.places.get(ev.section), trial.places.get(pv.section)
    if here is None or there is None or len(a) != 5 or len(b) != 5 or a[:3] != b[:3] or a[2] != "body":
        return None
    if a[3] == b[3] and a[4] != b[4]:
        heads, about = (here.column, there.column), here.row
    elif a[4] == b[4] and a[3] != b[3]:
        heads, about = (here.row, there.row), f"{here.column} {here.row} {there.row}"
    else:
        return None
    own = [names_arm(h, mine, theirs, abbreviations) for h, mine, theirs in zip(heads, arms, arms[::-1], strict=True)]
    swapped = [names_arm(h, theirs, mine, abbreviations) for h, mine, theirs in zip(heads, arms, arms[::-1], strict=True)]
    return about if any(own) and not any(swapped) else None

