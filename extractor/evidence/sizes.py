"""The design of a trial as its text states it, for group sizes no arm mention gives.

Reviewers fill a group size even when the paper never writes "(n = 30)" beside a group's name:
"Sixty patients were randomised into two groups" makes groups of 30, "two groups of 10
participants" groups of 10, and in a crossover or before-after study every condition has all
the participants. :func:`read_design` reads these statements once per trial; the sheet filler
uses them only for arms it could not size otherwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from extractor.nlp.grammar import rule
from extractor.nlp.rules import parse_count_word

# The phrasings of a design are grammar rules (patterns/design.jsonl), each with its examples.
_SPLIT = rule("design.split_into_groups")
_TOTAL = rule("design.total_people")
_GROUPS_OF = rule("design.groups_of")
_EACH_GROUP = rule("design.each_group")
_PARTICIPANTS = rule("design.participants")
_WITHIN = rule("design.within_subject")
_NOT_ENROLLED = rule("design.not_enrolled")
_ENROLLED = rule("design.enrolled")
_SENTENCE_BREAK = rule("design.sentence_break")


@dataclass(frozen=True, slots=True)
class Design:
    """What the text says of the trial's groups: ``groups`` of ``per_group`` each, ``participants``
    in all, and whether each participant had every condition (``within_subject``)."""

    groups: int | None = None
    per_group: int | None = None
    participants: int | None = None
    within_subject: bool = False


def read_design(texts: Iterable[str]) -> Design:
    """The design stated in a trial's texts (abstract and body sections, not tables)."""
    texts = list(texts)
    split = next(filter(None, (_equal_split(t) for t in texts)), None)
    return Design(
        groups=split[0] if split else None,
        per_group=split[1] if split else None,
        participants=_participants(texts),
        within_subject=any(_WITHIN.search(t) for t in texts),
    )


def _equal_split(text: str) -> tuple[int, int] | None:
    """(k, n): "N patients were randomised into k groups" (N divisible by k), "k groups of n"."""
    for m in _SPLIT.finditer(text):
        before = text[max(0, m.start() - 300) : m.start()]
        totals = [parse_count_word(t.group("n")) for t in _TOTAL.finditer(before)]
        total, groups = next((t for t in reversed(totals) if t), None), parse_count_word(m.group("k"))
        if total and groups and groups > 1 and total % groups == 0:
            return groups, total // groups
    for m in _GROUPS_OF.finditer(text):
        groups, n = parse_count_word(m.group("k")), parse_count_word(m.group("n"))
        if groups and n:
            return groups, n
    for m in _EACH_GROUP.finditer(text):  # "allocated into two groups, 25 in each group"
        groups, n = parse_count_word(m.group("k")), parse_count_word(m.group("n"))
        if groups and n:
            return groups, n
    return None


def _participants(texts: list[str]) -> int | None:
    """The number of people studied: the count of patients the text states most often, those
    said to be randomised, enrolled or analysed counting thrice (the larger on a tie), outside
    sentences on screening, exclusion, loss or the planned sample size."""
    counts: Counter[int] = Counter()
    for text in texts:
        for sentence in _SENTENCE_BREAK.split(text):
            if _NOT_ENROLLED.search(sentence):
                continue
            for m in _PARTICIPANTS.finditer(sentence):
                n = parse_count_word(m.group("n"))
                if n and n > 1:
                    of_the = sentence[max(0, m.start() - 7) : m.start()].lower() == "of the "  # "7 of the 32 patients"
                    counts[n] += 3 if _ENROLLED.search(sentence) or of_the else 1
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0] if counts else None
