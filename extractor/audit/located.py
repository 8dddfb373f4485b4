"""Numbers the extractor read no result from, placed by what surrounds them.

A number stands as this arm's value for this outcome when its place says so: a table cell whose row
names the outcome and whose column the arm (or the other way round), a sentence naming the outcome in
which this arm is the group named nearest, a size written as one ("n = 29", "42/402", "29 patients")
beside the arm's name, or the row's two values side by side where the outcome is named and nothing
gives them to the arms the other way round.

What the place says otherwise is kept: a row labelled by another variable under a caption naming the
outcome is that variable; a column under an earlier time point than the row gives the arm later is
another time point (unless the outcome names one); a number written as a size ("n = 175", a
denominator) is no count, mean or SD; a number heading a column is a size only when written as one
("n = 23", "(23)") or under a column of sizes ("N") in the outcome's row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from itertools import count

from extractor.audit.numbers import NumberIndex, passage_around
from extractor.audit.places import (
    TablePlace,
    named_order,
    names_arm,
    names_outcome,
    names_outcome_row,
    nearest_arm,
)
from extractor.audit.trial import Trial
from extractor.evidence import Arm, Evidence
from extractor.nlp.rules import parse_timepoint, untimed

__all__ = ["BASELINE", "Placed", "in_place", "outcome_size", "paired"]

# Where a number stands and why that place makes it this arm's value for this outcome.
Placed = tuple[tuple[Evidence, ...], str]

# "Baseline", but not a change "from baseline" (nor "since", "over", "versus" baseline).
BASELINE = re.compile(r"(?<!from )(?<!since )(?<!over )(?<!versus )(?<!vs\. )(?<!vs )(?<!to )\bbaseline\b|"
                      r"\bpre-?(?:treatment|intervention|operative|test)\b|\bbefore\b|"
                      r"\bat (?:entry|inclusion|randomi[sz]ation)\b", re.I)


def in_place(trial: Trial, outcome: str, arm: Arm, other: Arm | None, name: str,
             where: Sequence[Evidence]) -> Placed | None:
    """Where the number stands in a place naming this outcome and this arm, and why it counts."""
    abbreviations = trial.evidence.abbreviations
    baseline_asked = bool(BASELINE.search(outcome))
    for ev in where:
        place = trial.places.get(ev.section)
        text = trial.index.texts[ev.section]
        sized = name == "group_size" and _is_size(text, ev)
        if name != "group_size" and _is_other_size(text, ev, name):
            continue
        if place is not None:
            of_outcome = names_outcome_row(outcome, place, abbreviations) and (
                baseline_asked or not BASELINE.search(place.row))
            about = of_outcome if name != "group_size" else (
                place.is_size_row or sized or place.is_header and _bracketed(text, ev)
                or place.is_size_column and of_outcome)
            if about and names_arm(place.column, arm, other, abbreviations) and not (
                    name != "group_size" and _later_time(trial, ev.section, outcome, arm, other)):
                return (ev,), f"table cell: {place.row[:80]} | {place.column}"
            if name != "group_size" and _transposed(place, outcome, arm, other, abbreviations, baseline_asked) and (
                    not _later_time(trial, ev.section, outcome, arm, other, transposed=True)):
                return (ev,), f"table cell: {place.row[:80]} | {place.column}"
            continue
        if name == "group_size" and not sized:
            continue
        sentence, offset = passage_around(text, ev.start, ev.end)
        if name != "group_size" and not names_outcome(outcome, sentence, abbreviations):
            continue
        if name != "group_size" and _tabled_later(trial, outcome, arm, other, sentence):
            continue
        if _respectively(sentence, ev.start - offset):
            continue  # values listed in the order of the groups: the nearest name says nothing
        reach = SIZE_REACH if name == "group_size" else None
        if nearest_arm(sentence, ev.start - offset, [a for a in (arm, other) if a is not None], abbreviations,
                       reach) is arm:
            return (ev,), f"a sentence naming this arm and {'its size' if name == 'group_size' else 'the outcome'}"
    return None


def _later_time(trial: Trial, section: str, outcome: str, arm: Arm, other: Arm | None,
                transposed: bool = False) -> bool:
    """Whether the table gives this arm's value at a later time point than the cell's, and the outcome
    names no time point of its own (the last one is the trial's outcome, as reviewers take it): in
    its row, a column of this arm headed later ("Week 12" where "Week 52" follows); in its column, a
    row of the same variable and group labelled later ("6 months" where "24 months" follows)."""
    if parse_timepoint(outcome) is not None:
        return False
    place = trial.places.get(section)
    if place is None:
        return False
    row, _, c = section.rpartition("/")
    table, _, r = row.rpartition("/")
    abbreviations = trial.evidence.abbreviations
    by_column, by_row = _days(place.column), _days(place.label)
    for k in count():
        sibling = trial.places.get(f"{row}/{k}")
        if sibling is None:
            break
        if _later(by_column, sibling.column) and (transposed or names_arm(sibling.column, arm, other, abbreviations)):
            return True
    for k in count():
        sibling = trial.places.get(f"{table}/{k}/{c}")
        if sibling is None:
            return False
        if _later(by_row, sibling.label) and (sibling.group, untimed(sibling.label)) == (
                place.group, untimed(place.label)):
            return True
    return False


def _tabled_later(trial: Trial, outcome: str, arm: Arm, other: Arm | None, sentence: str) -> bool:
    """Whether a sentence gives the outcome at a time point ("over the first 6 months") earlier than one
    a table of the article gives this arm's value at (a row or a column of the outcome, labelled later),
    and the outcome names no time point of its own."""
    days = _days(sentence)
    if days is None or parse_timepoint(outcome) is not None:
        return False
    abbreviations = trial.evidence.abbreviations
    return any((_later(days, place.label) or _later(days, place.column)) and not place.is_header
               and names_outcome_row(outcome, place, abbreviations)
               and names_arm(place.column, arm, other, abbreviations) for place in trial.places.values())


def _later(days: float | None, text: str) -> bool:
    later = _days(text) if days is not None else None
    return later is not None and days is not None and later > days


@lru_cache(maxsize=65536)
def _days(text: str) -> float | None:
    tp = parse_timepoint(text)
    return tp.days if tp else None


def _transposed(place: TablePlace, outcome: str, arm: Arm, other: Arm | None, abbreviations: Mapping[str, str],
                baseline_asked: bool) -> bool:
    """Whether a cell of a table whose rows are the arms stands in this arm's row, under the outcome."""
    about = f"{place.column} {place.row}"
    return names_arm(place.label, arm, other, abbreviations) and names_outcome(
        outcome, about, abbreviations) and (baseline_asked or not BASELINE.search(place.column))


_RESPECTIVELY = re.compile(r"\brespectively\b", re.I)


def _respectively(sentence: str, at: int) -> bool:
    """Whether a "respectively" of the sentence lists the number at ``at`` in the order of the groups:
    one inside brackets lists the values in those brackets only."""
    for m in _RESPECTIVELY.finditer(sentence):
        opened = sentence.rfind("(", 0, m.start())
        closed = sentence.find(")", m.end()) % (len(sentence) + 1)  # a bracket the passage cuts runs to its end
        inside = opened > sentence.rfind(")", 0, m.start())
        if not inside or opened < at < closed:
            return True
    return False
SIZE_REACH = 30  # characters from a size to its arm's name: "RMD, n = 29", "29 patients received RMD"
_SIZE_BEFORE = re.compile(r"(?:\b[nN]\s*[=:]|/|\bof)\s*$")
_SIZE_AFTER = re.compile(r"^\s*(?:patients|participants|subjects|women|men|children|infants|neonates|people|"
                         r"individuals|persons|adults|mothers|volunteers|students|nurses|cases|eyes)\b", re.I)


_N_BEFORE = re.compile(r"\b[nN]\s*[=:]\s*$")
_N_IS = re.compile(r"\b[nN]\s*[=:]\s*(?=\d)")
_DENOMINATOR_BEFORE = re.compile(r"(?:\d\s*/|\d\s+of)\s*$")


def _is_other_size(text: str, ev: Evidence, name: str) -> bool:
    """Whether a number read for a count, a mean or an SD is written as a size: "n = 175" for any of
    them, a denominator ("42/402", "13 of 69") for a count."""
    before = text[max(0, ev.start - 8):ev.start]
    return bool(_N_BEFORE.search(before) or (name == "events" and _DENOMINATOR_BEFORE.search(before)))


def _bracketed(text: str, ev: Evidence) -> bool:
    """Whether a number stands alone in brackets ("Placebo (23)"): in a header, the group's size."""
    return text[:ev.start].rstrip().endswith(("(", "[")) and text[ev.end:].lstrip().startswith((")", "]"))


def _is_size(text: str, ev: Evidence) -> bool:
    """Whether a number reads as a group's size: "n = 29", "42/402", "13 of 69", "29 patients"."""
    return bool(_SIZE_BEFORE.search(text[max(0, ev.start - 6):ev.start]) or _SIZE_AFTER.match(text[ev.end:ev.end + 16]))


def outcome_size(trial: Trial, outcome: str, arm: Arm, other: Arm | None) -> tuple[Decimal, Evidence] | None:
    """A size written for this arm ("placebo group (n = 117, ...)") in a sentence naming the outcome:
    the n analysed for the outcome, which a size stated elsewhere for the arm is not."""
    abbreviations = trial.evidence.abbreviations
    arms = [a for a in (arm, other) if a is not None]
    for value, ev in _written_sizes(trial.index):
        text = trial.index.texts[ev.section]
        sentence, offset = passage_around(text, ev.start, ev.end)
        before = sentence[:ev.start - offset]  # "placebo (n = 117)": the group named before its n
        if names_outcome(outcome, sentence, abbreviations) and nearest_arm(
                before, len(before), arms, abbreviations, SIZE_REACH) is arm:
            return value, ev
    return None


@lru_cache(maxsize=256)
def _written_sizes(index: NumberIndex) -> tuple[tuple[Decimal, Evidence], ...]:
    """Every number of the article's sentences written as a size ("n = 117"), in reading order."""
    found = (index.at(section, m.end()) for section, text in index.texts.items() if not section.startswith("tables/")
             for m in _N_IS.finditer(text))
    return tuple(f for f in found if f is not None)


def paired(trial: Trial, outcome: str, arm: Arm, other: Arm | None, name: str, where: Sequence[Evidence],
           partner: Decimal) -> Placed | None:
    """``found`` where the number and the other arm's number of the row stand together (one sentence,
    one table row or column) in a place naming the outcome, and nothing there gives them to the other
    arm than the sheet does: the two are read as a pair there (in a table, at its last time point)."""
    if other is None:
        return None
    abbreviations = trial.evidence.abbreviations
    baseline_asked = bool(BASELINE.search(outcome))
    for ev in where:
        if _is_other_size(trial.index.texts[ev.section], ev, name) or _later_time(trial, ev.section, outcome, arm,
                                                                                  other):
            continue
        if ev.section not in trial.places and _tabled_later(
                trial, outcome, arm, other, passage_around(trial.index.texts[ev.section], ev.start, ev.end)[0]):
            continue
        for pv in trial.index.where(partner):
            about = _shared_place(trial, ev, pv, (arm, other))
            if about is None or (BASELINE.search(about) and not baseline_asked):
                continue
            if names_outcome(outcome, about, abbreviations):
                return (ev, pv), "beside the other arm's value, where the outcome is named"
    return None


# "480 vs. 305 days", "3.4 ± 1.0 versus 3.2 ± 0.5": two values set against each other, a unit or a
# dispersion between them.
_VERSUS = re.compile(r"^\s*%?\s*(?:[a-zA-Z/]+\s*)?(?:\(?(?:±|\+/-|SD|SE)\s*[\d.,]+\)?\s*%?\s*(?:[a-zA-Z/]+\s*)?)?"
                     r",?\s*(?:vs\.?|versus)\s*$")


def _versus_order(sentence: str, offset: int, ev: Evidence, pv: Evidence, arms: tuple[Arm, Arm],
                  abbreviations: Mapping[str, str]) -> bool | None:
    """Whether two values set against each other ("x vs. y") follow the order in which the sentence
    named the two arms before them (the first named has the first value); None where the values are
    not so set, or the sentence does not name both arms before them."""
    first, second = sorted((ev, pv), key=lambda v: v.start)
    if not _VERSUS.match(sentence[first.end - offset:second.start - offset]):
        return None
    order = named_order(sentence[:first.start - offset], arms, abbreviations)
    if len(order) != 2:
        return None
    return (order[0] is arms[0]) == (first is ev)


def _shared_place(trial: Trial, ev: Evidence, pv: Evidence, arms: tuple[Arm, Arm]) -> str | None:
    """The text naming what two numbers measure, when they stand in one sentence, table row or
    column as the values of ``arms`` (in that order): in a sentence no arm named nearer says
    otherwise; in a table a header of theirs names their arm and none names the other."""
    abbreviations = trial.evidence.abbreviations
    if ev.section == pv.section and ev.start != pv.start and not ev.section.startswith("tables/"):
        sentence, offset = passage_around(trial.index.texts[ev.section], ev.start, ev.end)
        if not offset <= pv.start < offset + len(sentence):
            return None
        versus = _versus_order(sentence, offset, ev, pv, arms, abbreviations)
        near = [nearest_arm(sentence, v.start - offset, list(arms), abbreviations) for v in (ev, pv)]
        if versus is False or versus is None and (near[0] is arms[1] or near[1] is arms[0]):
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
    pairs = list(zip(heads, arms, arms[::-1], strict=True))
    own = [names_arm(h, mine, theirs, abbreviations) for h, mine, theirs in pairs]
    swapped = [names_arm(h, theirs, mine, abbreviations) for h, mine, theirs in pairs]
    return about if any(own) and not any(swapped) else None

