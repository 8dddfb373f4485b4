"""Structured-abstract helpers shared by the parsers that do not get PubMed's ``NlmCategory``.

PubMed XML says for each labelled part of an abstract which of its five categories it belongs to.
JATS, catalogue records and plain text only give the label ("Objectives:", "TRIAL REGISTRATION
NUMBER"), so :func:`nlm_category` maps a label the way NLM does. The table below holds the
label/category pairs seen in real PubMed records (the PubMed files of the shared corpus); labels
not in it fall back on their first word. NLM's own choices are kept even where they surprise
("TRIAL REGISTRATION" and "FUNDING" are BACKGROUND in PubMed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from extractor.records import AbstractSection

__all__ = ["abstract_text", "clean_label", "nlm_category", "split_labelled"]

_CATEGORY_OF: dict[str, str] = {}
for _category, _labels in {
    "BACKGROUND": (
        "BACKGROUND",
        "INTRODUCTION",
        "CONTEXT",
        "RATIONALE",
        "BACKGROUND CONTEXT",
        "SUMMARY OF BACKGROUND DATA",
        "TRIAL REGISTRATION",
        "TRIAL REGISTRATION NUMBER",
        "CLINICAL TRIAL REGISTRATION NUMBER",
        "CLINICAL TRIAL REGISTRATION",
        "REGISTRATION",
        "FUNDING",
        "FINANCIAL DISCLOSURE",
        "SUPPLEMENTARY INFORMATION",
        "CONTACT",
    ),
    "OBJECTIVE": (
        "OBJECTIVE",
        "OBJECTIVES",
        "PURPOSE",
        "AIM",
        "AIMS",
        "GOAL",
        "GOALS",
        "IMPORTANCE",
        "HYPOTHESIS",
        "OBJECT",
        "PURPOSE OF THE STUDY",
        "BACKGROUND AND AIMS",
        "BACKGROUND AND OBJECTIVE",
        "BACKGROUND AND OBJECTIVES",
        "BACKGROUND AND PURPOSE",
        "BACKGROUND/PURPOSE",
        "BACKGROUND/OBJECTIVES",
        "BACKGROUND/AIMS",
        "AIM OF THE STUDY",
    ),
    "METHODS": (
        "METHODS",
        "METHOD",
        "DESIGN",
        "SETTING",
        "STUDY DESIGN",
        "MATERIAL AND METHODS",
        "MATERIALS AND METHODS",
        "MATERIAL AND METHOD",
        "PATIENTS AND METHODS",
        "SUBJECTS AND METHODS",
        "PATIENT AND METHODS",
        "PATIENTS",
        "PATIENT",
        "SUBJECTS",
        "PARTICIPANTS",
        "INTERVENTION",
        "INTERVENTIONS",
        "MAIN OUTCOME MEASURE",
        "MAIN OUTCOME MEASURES",
        "OUTCOME MEASURES",
        "MEASURES",
        "MEASUREMENTS",
        "SETTING AND PARTICIPANTS",
        "DESIGN, SETTING, AND PARTICIPANTS",
        "DESIGN AND SETTING",
        "STUDY DESIGN AND SETTING",
        "SETTING/PARTICIPANTS",
        "STATISTICAL ANALYSIS",
        "CASE PRESENTATION",
        "CASE REPORT",
        "CASE DESCRIPTION",
        "CASE SUMMARY",
        "LEVEL OF EVIDENCE",
        "NEW METHOD",
        "PROTOCOL",
        "EXPERIMENTAL DESIGN",
        "METHODS AND MATERIALS",
    ),
    "RESULTS": (
        "RESULTS",
        "RESULT",
        "FINDINGS",
        "OUTCOMES",
        "KEY FINDINGS",
        "METHODS AND RESULTS",
        "METHODS/RESULTS",
        "MEASUREMENTS AND MAIN RESULTS",
        "METHODS AND PRINCIPAL FINDINGS",
        "PRINCIPAL FINDINGS",
        "MAIN RESULTS",
    ),
    "CONCLUSIONS": (
        "CONCLUSIONS",
        "CONCLUSION",
        "DISCUSSION",
        "INTERPRETATION",
        "COMMENTS",
        "IMPLICATIONS",
        "CONCLUSIONS AND IMPLICATIONS FOR PRACTICE",
        "DISCUSSION AND CONCLUSION",
        "LIMITATIONS",
        "RESULTS AND DISCUSSION",
        "RESULTS AND LIMITATIONS",
        "IMPACT",
        "SIGNIFICANCE",
        "CONCLUSIONS/SIGNIFICANCE",
        "CONCLUSION AND RELEVANCE",
        "CONCLUSIONS AND RELEVANCE",
    ),
}.items():
    _CATEGORY_OF.update(dict.fromkeys(_labels, _category))

# First-word fallback for labels the table does not hold ("Methods and analysis" -> METHODS).
_FIRST_WORD = {
    "BACKGROUND": "BACKGROUND",
    "INTRODUCTION": "BACKGROUND",
    "CONTEXT": "BACKGROUND",
    "OBJECTIVE": "OBJECTIVE",
    "OBJECTIVES": "OBJECTIVE",
    "AIM": "OBJECTIVE",
    "AIMS": "OBJECTIVE",
    "PURPOSE": "OBJECTIVE",
    "METHODS": "METHODS",
    "METHOD": "METHODS",
    "MATERIALS": "METHODS",
    "MATERIAL": "METHODS",
    "DESIGN": "METHODS",
    "PATIENTS": "METHODS",
    "PARTICIPANTS": "METHODS",
    "RESULTS": "RESULTS",
    "RESULT": "RESULTS",
    "FINDINGS": "RESULTS",
    "CONCLUSIONS": "CONCLUSIONS",
    "CONCLUSION": "CONCLUSIONS",
    "DISCUSSION": "CONCLUSIONS",
    "INTERPRETATION": "CONCLUSIONS",
}
_NOT_LETTERS = re.compile(r"\(S\)|[^A-Z/,& ]+")
_SPACES = re.compile(r"\s+")
_LABEL_END = " \t\n:.-–—"

# An upper-case label followed by a colon, at the start of the text or after a sentence.
_INLINE_LABEL = re.compile(
    r"(?:^|(?<=[.!?)\]]\s)|(?<=[.!?)\]]))\s*"
    r"(?P<label>[A-Z]{2}[A-Z0-9]*(?:[ /&,-]+[A-Z0-9]+)*(?:\s?\(S\))?)\s*:\s+"
)


def clean_label(title: str | None) -> str | None:
    """A section title as a label: trailing colon, full stop or dash and whitespace removed."""
    if title is None:
        return None
    return title.strip().rstrip(_LABEL_END).strip() or None


def nlm_category(label: str | None) -> str | None:
    """Map an abstract label (or a JATS ``sec-type``) to NLM's category, or None if unknown.

    ``nlm_category("Objectives:")`` is "OBJECTIVE", ``nlm_category("materials|methods")`` is
    "METHODS", ``nlm_category("Case study 1")`` is None.
    """
    if not label:
        return None
    key = _SPACES.sub(" ", _NOT_LETTERS.sub(" ", label.upper().replace("|", " AND "))).strip(" ,/&")
    if key in _CATEGORY_OF:
        return _CATEGORY_OF[key]
    first = re.split(r"[ /,&]", key, maxsplit=1)[0]
    return _FIRST_WORD.get(first)


def split_labelled(text: str | None) -> tuple[AbstractSection, ...]:
    """Split "OBJECTIVES: ... METHODS: ..." into labelled sections.

    A label is a run of upper-case words followed by a colon, at the start of the text or right
    after the end of a sentence. Text before the first label is a section with label None; a text
    with no label is one section with label None.
    """
    if not text or not text.strip():
        return ()
    matches = list(_INLINE_LABEL.finditer(text))
    sections: list[AbstractSection] = []
    head = text[: matches[0].start()] if matches else text
    if head.strip():
        sections.append(AbstractSection(None, None, head.strip()))
    for match, after in zip(matches, [*matches[1:], None], strict=True):
        body = text[match.end() : after.start() if after else len(text)].strip()
        label = match.group("label")
        sections.append(AbstractSection(label, nlm_category(label), body))
    return tuple(sections)


def abstract_text(sections: Iterable[AbstractSection]) -> str | None:
    """The plain abstract: "LABEL: text" parts joined by newlines (PubMed's convention)."""
    parts = [f"{s.label}: {s.text}" if s.label else s.text for s in sections if s.text or s.label]
    return "\n".join(parts) or None
