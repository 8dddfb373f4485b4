"""Frozen records passed between stages. No I/O and no stage logic here.

The JSON form of :class:`Record` is read by other tools, so its keys are fixed: missing values are
``None`` (``null``), never ``""``; lists are tuples in Python and arrays in JSON.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

SourceFormat = Literal["pubmed", "pmc", "medline", "catalogue"]

SOURCE_FORMATS: tuple[str, ...] = ("pubmed", "pmc", "medline", "catalogue")


@dataclass(frozen=True, slots=True)
class AbstractSection:
    """One labelled part of a structured abstract (``label`` is None for an unlabelled abstract)."""

    label: str | None
    nlm_category: str | None
    text: str


@dataclass(frozen=True, slots=True)
class OtherAbstract:
    """An abstract in another language or by another party (PubMed ``OtherAbstract``)."""

    type: str | None
    language: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Author:
    """A person, or a group when ``collective`` is set (then the name fields are None)."""

    family: str | None = None
    given: str | None = None
    initials: str | None = None
    collective: str | None = None
    affiliations: tuple[str, ...] = ()
    orcid: str | None = None


@dataclass(frozen=True, slots=True)
class Journal:
    """Where the article appeared."""

    title: str | None = None
    iso_abbrev: str | None = None
    issn: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None


@dataclass(frozen=True, slots=True)
class Correction:
    """A link to a retraction, erratum or comment (PubMed ``CommentsCorrections``)."""

    type: str
    pmid: str | None


@dataclass(frozen=True, slots=True)
class Section:
    """A body section of a full-text article, flattened: one per ``<sec>`` with its own text.

    ``path`` holds the titles of the enclosing sections and this one, outermost first.
    """

    title: str | None
    path: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class Table:
    """A table as a rectangular grid of cell text (spanning cells repeated over their span)."""

    id: str | None
    label: str | None
    caption: str | None
    header: tuple[tuple[str, ...], ...]
    body: tuple[tuple[str, ...], ...]
    footnotes: tuple[str, ...] = ()
    section: str | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """One normalised bibliographic record, whatever source it came from."""

    source_format: str
    pmid: str | None = None
    pmcid: str | None = None
    doi: str | None = None
    title: str | None = None
    abstract: str | None = None
    abstract_sections: tuple[AbstractSection, ...] = ()
    other_abstracts: tuple[OtherAbstract, ...] = ()
    authors: tuple[Author, ...] = ()
    journal: Journal | None = None
    publisher: str | None = None
    year: int | None = None
    pub_date: str | None = None
    pub_date_raw: str | None = None
    epub_date: str | None = None
    language: str | None = None
    publication_types: tuple[str, ...] = ()
    mesh_terms: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    trial_registrations: tuple[str, ...] = ()
    license: str | None = None
    urls: tuple[str, ...] = ()
    retracted: bool = False
    corrections: tuple[Correction, ...] = ()
    deleted: bool = False
    sections: tuple[Section, ...] = ()
    tables: tuple[Table, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form: nested dicts and lists, ``None`` for missing."""
        return _to_jsonable(self)  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        """Build a record from its JSON form (unknown keys are ignored)."""
        return _from_jsonable(cls, data)

    @property
    def id(self) -> str | None:
        """The best identifier to show a user: PMID, else PMCID, else DOI."""
        return self.pmid or self.pmcid or self.doi


def _to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_to_jsonable(v) for v in value]
    return value


_NESTED: dict[str, Any] = {}


def _from_jsonable(cls: Any, data: dict[str, Any]) -> Any:
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        kwargs[f.name] = _convert(_NESTED.get(f"{cls.__name__}.{f.name}"), data[f.name])
    return cls(**kwargs)


def _convert(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    if kind is None:
        return tuple(value) if isinstance(value, list) else value
    if isinstance(kind, tuple):  # a tuple of records, or a grid of strings
        inner = kind[0]
        if inner is tuple:
            return tuple(tuple(row) for row in value)
        return tuple(_from_jsonable(inner, v) for v in value)
    return _from_jsonable(kind, value)


_NESTED.update(
    {
        "Record.abstract_sections": (AbstractSection,),
        "Record.other_abstracts": (OtherAbstract,),
        "Record.authors": (Author,),
        "Record.journal": Journal,
        "Record.corrections": (Correction,),
        "Record.sections": (Section,),
        "Record.tables": (Table,),
        "Table.header": (tuple,),
        "Table.body": (tuple,),
    }
)

__all__ = [
    "SOURCE_FORMATS",
    "AbstractSection",
    "Author",
    "Correction",
    "Journal",
    "OtherAbstract",
    "Record",
    "Section",
    "SourceFormat",
    "Table",
]
