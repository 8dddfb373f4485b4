"""The design of a trial as its text states it, for group sizes no arm mention gives.

Reviewers fill a group size even when the paper never writes "(n = 30)" beside a group's name:
"Sixty patients were randomised into two groups" makes groups of 30, "two groups of 10
participants" groups of 10, and in a crossover or before-after study every condition has all
the participants. :func:`read_design` reads these statements once per trial; the sheet filler
uses them only for arms it could not size otherwise.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from extractor.nlp.rules import parse_count_word

_COUNT = (r"\d{1,5}|(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|"
          r"five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
          r"[a-z]+teen|one hundred|a hundred)")
_PEOPLE = r"(?:patients|participants|subjects|women|men|males|females|children|adults|infants|volunteers|individuals)"
_SPLIT = re.compile(
    r"(?:randomi[sz]ed|allocated|divided|assigned|distributed)\s+(?:\w+\s+){0,3}?(?:in|into|to)\s+"
    r"(?P<k>two|three|four|five|2|3|4|5)\s+(?:equal\s+|equally\s+sized\s+|parallel\s+)?(?:groups|arms)\b",
    re.I,
)
_TOTAL = re.compile(  # "A total of 120 patients", "Sixty ASA I-II female patients"
    rf"\b(?P<n>\d{{2,5}}|(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|"
    rf"five|six|seven|eight|nine))?|ten|eleven|twelve|[a-z]+teen|one hundred|a hundred))\s+(?:[\w-]+,?\s+){{0,9}}?"
    rf"{_PEOPLE}\b",
    re.I,
)
_GROUPS_OF = re.compile(  # "two groups of 10 participants"
    rf"\b(?P<k>two|three|four|five|[2-5])\s+(?:equal\s+)?groups\s+of\s+(?P<n>{_COUNT})\s+(?:[\w-]+\s+){{0,3}}?"
    rf"{_PEOPLE}\b",
    re.I,
)
_EACH_GROUP = re.compile(
    rf"\b(?P<k>two|three|four|five|[2-5])\s+(?:equal\s+)?groups\b[^.;]{{0,20}}?\b(?P<n>{_COUNT})\s+"
    rf"(?:{_PEOPLE}\s+)?(?:in\s+each|per|in\s+every)\s+group\b",
    re.I,
)
_PARTICIPANTS = re.compile(rf"\b(?P<n>{_COUNT})\s+(?:(?!\d)[\w-]+,?\s+){{0,4}}?{_PEOPLE}\b", re.I)
_WITHIN = re.compile(r"within[- ]subjects?|cross-?over|in (?:a )?random(?:i[sz]ed)? order|"
                     r"\border\b[^.]{0,60}\brandomly|counterbalanced|repeated[- ]measures design", re.I)
_NOT_ENROLLED = re.compile(r"screen|exclu|eligib|withdr|lost to|dropp|declin|assessed for|approached|\baim|"
                           r"\bplann|\bpower\b|sample size|\bwould\b|\bwill\b", re.I)
_ENROLLED = re.compile(r"randomi[sz]|enrol|recruit|includ|particip|took part|were studied|complet|analy[sz]", re.I)


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
        for sentence in re.split(r"(?<=[.;])\s+", text):
            if _NOT_ENROLLED.search(sentence):
                continue
            for m in _PARTICIPANTS.finditer(sentence):
                n = parse_count_word(m.group("n"))
                if n and n > 1:
                    of_the = sentence[max(0, m.start() - 7) : m.start()].lower() == "of the "  # "7 of the 32 patients"
                    counts[n] += 3 if _ENROLLED.search(sentence) or of_the else 1
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0] if counts else None
