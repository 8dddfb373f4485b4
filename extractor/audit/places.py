"""What the place of a number says it is: which outcome, which arm.

A number the extractor read no result from can still stand where the article gives this arm's value
for this outcome: a table cell whose row names the outcome and whose column names the arm, or a
sentence naming the outcome in which the arm is the group named nearest the number. These are the
places a reviewer reads a value from, found without reading the value itself. Each table cell's
:class:`TablePlace` comes with the trial's evidence (``TrialEvidence.places``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from extractor.evidence import Arm
from extractor.evidence.choose import outcome_terms
from extractor.evidence.model import TablePlace
from extractor.evidence.sheet_arms import arm_score
from extractor.evidence.similarity import coverage, expand, matched, stem

__all__ = ["NAMES_OUTCOME", "TablePlace", "named_order", "names_arm", "names_outcome", "names_outcome_row",
           "nearest_arm"]

# The share of the outcome's terms a row label or sentence must hold to be about the outcome.
NAMES_OUTCOME = 0.6
# An arm's name in a column header or sentence (as arm_score measures), and its margin over the other.
NAMES_ARM = 0.5


def names_outcome(outcome: str, text: str, abbreviations: Mapping[str, str]) -> bool:
    """Whether ``text`` names the sheet's outcome (most of its terms, abbreviations expanded)."""
    known = _frozen(abbreviations)
    wanted = _terms(outcome, known)
    return bool(wanted) and coverage(wanted, set(_terms(text, known))) >= NAMES_OUTCOME


def names_outcome_row(outcome: str, place: TablePlace, abbreviations: Mapping[str, str]) -> bool:
    """Whether a table row is about the sheet's outcome: its text (label, group rows, caption) names
    the outcome, and its own label, when it names something, names part of it: under a caption
    naming the outcome, a row labelled by something else ('Ovarian cystectomy') is another variable."""
    if not names_outcome(outcome, place.row, abbreviations):
        return False
    known = _frozen(abbreviations)
    own = _terms(place.label, known)
    return not own or bool(matched(_terms(outcome, known), own))


def names_arm(text: str, arm: Arm, other: Arm | None, abbreviations: Mapping[str, str]) -> bool:
    """Whether ``text`` (a column header) names ``arm`` rather than the row's other arm."""
    known = _frozen(abbreviations)
    score = _arm_score(text, arm, known)
    rival = _arm_score(text, other, known) if other is not None else 0.0
    return score >= NAMES_ARM and score > rival


# A sheet asks the same questions of the same headers and sentences row after row: cached per
# article (its abbreviations are part of the key).
Known = tuple[tuple[str, str], ...]


def _frozen(abbreviations: Mapping[str, str]) -> Known:
    return tuple(sorted(abbreviations.items()))


@lru_cache(maxsize=65536)
def _terms(text: str, known: Known) -> tuple[str, ...]:
    abbreviations = dict(known)
    once = expand(text, abbreviations)
    # an abbreviation defined by another ("SCTT, segmental CTT") is read to the end
    terms = outcome_terms(expand(once, abbreviations) if once != text else once)
    return tuple(_ROOT_ENDING.sub("", t) for t in terms)


# A condition and its adjective are one term: "hypoglycemia" and "hypoglycemic", "anaemia" and "anaemic".
_ROOT_ENDING = re.compile(r"(?<=\w{5})(?:ia|ic|ical)$")


@lru_cache(maxsize=65536)
def _arm_score(text: str, arm: Arm, known: Known) -> float:
    return arm_score(text, arm, dict(known))


def nearest_arm(sentence: str, at: int, arms: Sequence[Arm], abbreviations: Mapping[str, str],
                reach: int | None = None) -> Arm | None:
    """The arm named nearest offset ``at`` of ``sentence`` (within ``reach`` characters if given): by
    the words of its names (and their abbreviations) that the other arms' names lack."""
    own = _own_words(arms, abbreviations)
    best: tuple[int, int] | None = None
    for m in _WORD.finditer(sentence):
        term = stem(m.group().lower())
        for k, names in enumerate(own):
            if term in names:
                distance = at - m.end() if m.end() <= at else m.start() - at
                if distance >= 0 and (best is None or distance < best[0]) and (reach is None or distance <= reach):
                    best = (distance, k)
    return arms[best[1]] if best is not None else None


def named_order(text: str, arms: Sequence[Arm], abbreviations: Mapping[str, str]) -> list[Arm]:
    """The arms ``text`` names (by the words of their names the others lack), in the order it first
    names them."""
    own = _own_words(arms, abbreviations)
    order: list[Arm] = []
    for m in _WORD.finditer(text):
        term = stem(m.group().lower())
        order += [arm for arm, names in zip(arms, own, strict=True) if term in names and arm not in order]
    return order


def _own_words(arms: Sequence[Arm], abbreviations: Mapping[str, str]) -> list[frozenset[str]]:
    """The words of each arm's names (and their abbreviations) that the other arms' names lack."""
    known = _frozen(abbreviations)
    words = [_arm_words(arm, known) for arm in arms]
    return [w - frozenset().union(*(o for j, o in enumerate(words) if j != k)) for k, w in enumerate(words)]


_WORD = re.compile(r"[^\W_][\w+]*")
_GENERIC = frozenset(stem(w) for w in "group groups arm arms patient patients participant participants subject "
                     "subjects treatment treated therapy received receiving with without and the of daily "
                     "dose mg day week".split())


@lru_cache(maxsize=4096)
def _arm_words(arm: Arm, known: Known) -> frozenset[str]:
    names = " ".join(sorted({arm.name, *arm.aliases}))
    found = {stem(w.lower()) for w in _WORD.findall(expand(names, dict(known)))}
    found |= _ROLE_WORDS.get(arm.role or "", frozenset())  # "the intervention group", "controls"
    return frozenset(w for w in found if w not in _GENERIC)  # doses kept: "300 mg" names its arm


_ROLE_WORDS = {"intervention": frozenset({"intervention", "experimental"}),
               "control": frozenset({"control", "placebo", "sham"})}

