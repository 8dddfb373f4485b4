"""Write :class:`Record` streams as JSON, JSON lines or CSV, one record at a time.

``json`` is one array of record objects and ``jsonl`` one object per line; both carry every key of
:meth:`Record.to_dict`. ``csv`` has one row per record and the columns of :data:`CSV_COLUMNS`:

- scalar fields as they are (booleans as ``true``/``false``, missing as an empty cell);
- ``journal`` spread over ``journal_title``, ``journal_iso_abbrev``, ``journal_issn``,
  ``journal_volume``, ``journal_issue`` and ``journal_pages``;
- lists of strings (``publication_types``, ``mesh_terms``, ``keywords``, ``topics``,
  ``trial_registrations``, ``urls``) joined with ``"; "``;
- ``authors`` as "Family Initials" (or the group name) joined with ``"; "``, and
  ``affiliations`` as every distinct affiliation of every author joined with ``"; "``;
- ``corrections`` as "Type PMID" joined with ``"; "``;
- ``abstract`` holds the labelled sections ("LABEL: text" lines); ``abstract_sections``,
  ``other_abstracts``, ``sections`` and ``tables`` are not in the CSV (use json or jsonl).
"""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Callable, Iterable
from typing import IO, Any, Literal

from extractor.records import Author, Record

__all__ = ["CSV_COLUMNS", "OUTPUT_FORMATS", "write_records"]

OutputFormat = Literal["json", "jsonl", "csv"]
OUTPUT_FORMATS: tuple[str, ...] = ("json", "jsonl", "csv")
_SEP = "; "


def write_records(records: Iterable[Record], stream: IO[str], fmt: OutputFormat) -> int:
    """Write ``records`` to ``stream`` in ``fmt`` as they come; return how many were written."""
    writers: dict[str, Callable[[Iterable[Record], IO[str]], int]] = {
        "json": _write_json,
        "jsonl": _write_jsonl,
        "csv": _write_csv,
    }
    if fmt not in writers:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(OUTPUT_FORMATS)}")
    return writers[fmt](records, stream)


def _dumps(record: Record) -> str:
    # json's C encoder writes the tuples and scalars itself and calls _fields only for the
    # dataclasses (Record, Author, Journal, ...): several times faster than Record.to_dict().
    return _ENCODER.encode(record)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _fields(value: Any) -> dict[str, Any]:
    """The fields of a record dataclass as a dict (:meth:`Record.to_dict`, one level at a time)."""
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        if not dataclasses.is_dataclass(value):
            raise TypeError(f"{type(value).__name__} is not JSON serialisable")
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in dataclasses.fields(value))
    return {name: getattr(value, name) for name in names}


# records hold no cycles, so the encoder need not look for them
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False, default=_fields)


def _write_jsonl(records: Iterable[Record], stream: IO[str]) -> int:
    count = 0
    for count, record in enumerate(records, 1):  # noqa: B007 (count is the result)
        stream.write(_dumps(record) + "\n")
    return count


def _write_json(records: Iterable[Record], stream: IO[str]) -> int:
    count = 0
    stream.write("[")
    for count, record in enumerate(records, 1):  # noqa: B007 (count is the result)
        stream.write(("\n" if count == 1 else ",\n") + _dumps(record))
    stream.write("\n]\n" if count else "]\n")
    return count


def _write_csv(records: Iterable[Record], stream: IO[str]) -> int:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for count, record in enumerate(records, 1):  # noqa: B007 (count is the result)
        writer.writerow([_cell(get(record)) for get in _CSV_GETTERS.values()])
    return count


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return _SEP.join(str(v) for v in value)
    return str(value)


def _author_name(author: Author) -> str:
    if author.collective:
        return author.collective
    return " ".join(p for p in (author.family, author.initials or author.given) if p)


def _journal(name: str) -> Callable[[Record], Any]:
    return lambda r: getattr(r.journal, name) if r.journal else None


def _affiliations(record: Record) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a for author in record.authors for a in author.affiliations))


_CSV_GETTERS: dict[str, Callable[[Record], Any]] = {
    "source_format": lambda r: r.source_format,
    "pmid": lambda r: r.pmid,
    "pmcid": lambda r: r.pmcid,
    "doi": lambda r: r.doi,
    "title": lambda r: r.title,
    "abstract": lambda r: r.abstract,
    "authors": lambda r: [_author_name(a) for a in r.authors],
    "affiliations": _affiliations,
    **{f"journal_{name}": _journal(name) for name in ("title", "iso_abbrev", "issn", "volume", "issue", "pages")},
    "publisher": lambda r: r.publisher,
    "year": lambda r: r.year,
    "pub_date": lambda r: r.pub_date,
    "pub_date_raw": lambda r: r.pub_date_raw,
    "epub_date": lambda r: r.epub_date,
    "language": lambda r: r.language,
    "publication_types": lambda r: r.publication_types,
    "mesh_terms": lambda r: r.mesh_terms,
    "keywords": lambda r: r.keywords,
    "topics": lambda r: r.topics,
    "trial_registrations": lambda r: r.trial_registrations,
    "license": lambda r: r.license,
    "urls": lambda r: r.urls,
    "retracted": lambda r: r.retracted,
    "corrections": lambda r: [f"{c.type} {c.pmid}" if c.pmid else c.type for c in r.corrections],
    "deleted": lambda r: r.deleted,
}
CSV_COLUMNS: tuple[str, ...] = tuple(_CSV_GETTERS)
