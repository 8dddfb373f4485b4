"""The texts of a record that the extractor reads, each with the name its offsets refer to.

A :class:`Passage` is one normalised text of the record (the abstract, a body section, a table
caption or footnote) with ``section`` naming it the way :class:`~extractor.evidence.model.Evidence`
does, and a ``part`` saying which part of the paper it is (methods, results, ...), which decides how
much a number found there is trusted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from extractor.nlp.grammar import rule
from extractor.records import Record

Part = Literal["abstract_results", "abstract_methods", "abstract_other", "methods", "results",
               "discussion", "other", "table"]

_RESULTS = rule("document.results")
_METHODS = rule("document.methods")
_DISCUSSION = rule("document.discussion")


@dataclass(frozen=True, slots=True)
class Passage:
    """One text of the record the extractor reads."""

    section: str
    label: str
    text: str
    part: Part


def passages(record: Record) -> Iterator[Passage]:
    """The title, abstract, body sections, table captions and footnotes of ``record``, in reading order."""
    if record.title:  # "... in 240 children"; in some exports the whole abstract
        yield Passage("title", "Title", record.title, "abstract_other")
    if record.abstract:
        yield Passage("abstract", "Abstract", record.abstract, "abstract_results")
    for i, section in enumerate(record.sections):
        if section.text:
            yield Passage(f"sections/{i}", " > ".join(section.path) or "Body", section.text,
                          body_part(section.path))
    for t, table in enumerate(record.tables):
        name = table.label or f"Table {t + 1}"
        if table.caption:
            yield Passage(f"tables/{t}/caption", f"{name} caption", table.caption, "table")
        for f, note in enumerate(table.footnotes):
            yield Passage(f"tables/{t}/footnotes/{f}", f"{name} footnote", note, "table")


def body_part(path: tuple[str, ...]) -> Part:
    """Which part of the paper a body section with these titles belongs to (outermost decides)."""
    for title in path:
        if _DISCUSSION.search(title):
            return "discussion"
        if _RESULTS.search(title) and not _METHODS.search(title):
            return "results"
        if _METHODS.search(title):
            return "methods"
    return "other"


def abstract_parts(record: Record) -> list[tuple[int, int, Part]]:
    """Character ranges of ``record.abstract`` with the part each labelled section belongs to."""
    text = record.abstract or ""
    ranges: list[tuple[int, int, Part]] = []
    pos = 0
    for section in record.abstract_sections:
        head = f"{section.label}: " if section.label else ""
        start = text.find(head + section.text[:40], pos) if section.text else -1
        if start < 0:
            continue
        end = start + len(head) + len(section.text)
        ranges.append((start, end, _abstract_part(section.nlm_category, section.label)))
        pos = end
    return ranges or [(0, len(text), "abstract_other")]


def _abstract_part(category: str | None, label: str | None) -> Part:
    key = (category or label or "").upper()
    if "RESULT" in key or "FINDING" in key:
        return "abstract_results"
    if "METHOD" in key or "DESIGN" in key or "PATIENT" in key or "PARTICIPANT" in key:
        return "abstract_methods"
    return "abstract_other"
