"""Study identifiers as reviewers have them, read from arguments or the exports of their tools.

An input names a study by PMID, PMCID (``PMC123456``; bare digits only in a column that says PMCID)
or DOI (bare, ``doi:``, ``https://doi.org/...``; DOIs are case-insensitive, so they are kept in
lower case), or by a PubMed or PMC URL. An IDs file is read by its content, whatever its name:

- RIS (EndNote, Zotero, Covidence, Rayyan): ``DO`` (DOI), ``AN``/``PM`` (PMID when it is digits),
  ``C2`` (EndNote's PMCID), ``UR``/``L1``/``L2``/``LK`` (links), and ``PMID: ...``/``PMCID: ...``
  notes (``N1``, ``M1``, ``M2``: where Zotero's "Extra" field goes);
- nbib/MEDLINE (PubMed's "Citation manager" export): ``PMID-``, ``PMC -``, ``LID``/``AID ... [doi]``;
- CSV or TSV whose header names a PMID, PMCID or DOI column (any case, "PubMed ID", "pmcid", ...)
  or a URL column;
- anything else: a plain list, one or more IDs a line (whitespace or commas; ``#`` starts a note).

One citation carrying several IDs is one study: the PMID is used, else the PMCID, else the DOI.
Nothing here touches the network (mapping is ``extractor.fetch.idmap``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote

from extractor.errors import InputError
from extractor.normalise import normalise_doi, normalise_pmcid

__all__ = [
    "KINDS",
    "PMID_DIGITS",
    "Citation",
    "IdKind",
    "MappedInput",
    "check_pmid",
    "citations_from_args",
    "parse_id",
    "parse_pmid",
    "read_citations",
    "read_ids_file",
]

IdKind = Literal["pmid", "pmcid", "doi"]
KINDS: tuple[IdKind, ...] = ("pmid", "pmcid", "doi")  # the order of preference within a citation

_PMC_URL = re.compile(
    r"(?:ncbi\.nlm\.nih\.gov/pmc/articles/|pmc\.ncbi\.nlm\.nih\.gov/articles/|"
    r"europepmc\.org/(?:article/PMC/|articles/))(PMC\d+)",
    re.IGNORECASE,
)
_PUBMED_URL = re.compile(
    r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/|"
    r"europepmc\.org/(?:abstract|article)/MED/)(\d+)",
    re.IGNORECASE,
)
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
_PMCID = re.compile(r"^(?:pmcid:\s*)?PMC\d+$", re.IGNORECASE)
_PMID = re.compile(r"^(?:pmid:\s*)?\d+$", re.IGNORECASE)  # parse_pmid says which are PMIDs
PMID_DIGITS = 8  # PubMed's IDs are below 100,000,000
_DOI_END = ".,;:)]}>'\"" # punctuation after a DOI in running text, not part of it
_NOTE_IDS = re.compile(r"\b(PMID|PMCID)\s*:\s*((?:PMC)?\d+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Citation:
    """One study as an input names it: its IDs (normalised; None when absent) and where it was.

    ``problem`` says why nothing usable was read (a malformed ID, a record with no ID).
    """

    text: str
    where: str
    pmid: str | None = None
    pmcid: str | None = None
    doi: str | None = None
    problem: str | None = None

    def ids(self) -> list[tuple[IdKind, str]]:
        """The citation's IDs, most preferred first (PMID, PMCID, DOI)."""
        return [(kind, value) for kind in KINDS if (value := getattr(self, kind))]


@dataclass(frozen=True, slots=True)
class MappedInput:
    """What one input became: the ID used and its target (a PMID, or a PMCID for ``db=pmc``), or why
    it could not be mapped. ``via`` says how: given, cache, converter or esearch."""

    citation: Citation
    target: str | None = None
    used: tuple[IdKind, str] | None = None
    via: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written into ``report.json``."""
        c = self.citation
        data: dict[str, Any] = {"input": c.text, "where": c.where}
        data.update({kind: value for kind, value in c.ids()})
        if self.target is not None and self.used is not None:
            data.update(mapped=self.target, used=self.used[0], via=self.via)
        else:
            data["reason"] = self.reason
        return data


def parse_pmid(text: str) -> str | None:
    """A PMID in its canonical form (digits, leading zeros dropped), or None when ``text`` is not one.

    A PMID is a positive whole number of at most 8 digits: ``028731372`` is 28731372; ``0``,
    ``123456789`` and ``12.5`` are not PMIDs.
    """
    value = text.strip()
    digits = value.lstrip("0")
    if value.isascii() and value.isdigit() and digits and len(digits) <= PMID_DIGITS:
        return digits
    return None


def check_pmid(text: str) -> str:
    """:func:`parse_pmid`, raising for what is not a PMID.

    Raises
    ------
    InputError
        ``text`` is not a positive whole number of at most 8 digits.
    """
    pmid = parse_pmid(text)
    if pmid is None:
        raise InputError(
            f"not a PMID: {text!r} (a PMID is a positive whole number of at most {PMID_DIGITS} digits)"
        )
    return pmid


def parse_id(text: str, kind: IdKind | None = None) -> tuple[IdKind, str] | None:
    """Read one identifier, or None when ``text`` is none of them.

    ``kind`` is what a column says it holds: only that kind is read, and there bare digits are a
    PMCID when ``kind`` is "pmcid".
    """
    value = text.strip().strip("<>\"'").strip()
    if not value:
        return None
    found = _parse_url(value) or _parse_plain(value, kind)
    if found is None or (kind is not None and found[0] != kind):
        return None
    return found


def _parse_url(value: str) -> tuple[IdKind, str] | None:
    if (match := _PMC_URL.search(value)) is not None:
        pmcid = normalise_pmcid(match.group(1))
        return ("pmcid", pmcid) if pmcid else None
    if (match := _PUBMED_URL.search(value)) is not None:
        pmid = parse_pmid(match.group(1))
        return ("pmid", pmid) if pmid else None
    return None


def _parse_plain(value: str, kind: IdKind | None) -> tuple[IdKind, str] | None:
    bare = unquote(_DOI_PREFIX.sub("", value))
    doi = normalise_doi(bare) if bare.startswith("10.") else None
    if doi and bare.lower().startswith(doi) and not bare[len(doi):].strip(_DOI_END):
        return "doi", doi
    if _PMCID.match(value) or (kind == "pmcid" and value.isdigit()):
        pmcid = normalise_pmcid(value.split(":")[-1])
        return ("pmcid", pmcid) if pmcid else None
    if _PMID.match(value):
        pmid = parse_pmid(value.split(":")[-1])
        return ("pmid", pmid) if pmid else None
    return None


def _malformed(text: str) -> str:
    shown = text if len(text) <= 80 else text[:77] + "..."
    return f"malformed: {shown!r} is not a PMID, PMCID, DOI or PubMed/PMC URL"


def _citation(text: str, where: str, found: Iterable[tuple[IdKind, str]],
              bad: Iterable[str] = ()) -> Citation:  # fmt: skip
    """A citation from the IDs found in one record (the first of each kind wins)."""
    ids: dict[str, str] = {}
    for kind, value in found:
        ids.setdefault(kind, value)
    bad = list(bad)
    problem = None
    if not ids:
        problem = _malformed(bad[0]) if bad else "no PMID, PMCID or DOI in the record"
    return Citation(text, where, problem=problem, **ids)


def citations_from_args(
    args: Iterable[str], where: str = "argument", *, first: int = 1, digits: IdKind = "pmid"
) -> list[Citation]:
    """One citation per identifier given on the command line (an argument may hold several).

    Each is placed as ``f"{where} {n}"``, ``n`` counting arguments from ``first``. ``digits``:
    what bare digits are ("pmcid" where the context says so, as ``fetch --db pmc``).
    """
    out: list[Citation] = []
    for n, arg in enumerate(args, first):
        out.extend(_plain_line(arg, f"{where} {n}", comments=False, digits=digits))
    return out


# -- files --------------------------------------------------------------------------------------


def read_ids_file(data: bytes, name: str = "ids file", *, digits: IdKind = "pmid") -> list[Citation]:
    """Decode an IDs file (UTF-8, with or without BOM; else Windows-1252) and read its citations."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return read_citations(text, name, digits=digits)


def read_citations(text: str, name: str = "ids file", *, digits: IdKind = "pmid") -> list[Citation]:
    """The citations of an IDs file, its format told by its content (see the module docstring).

    ``digits``: what bare digits in a plain list are (see :func:`citations_from_args`).

    Raises
    ------
    InputError
        A CSV/TSV header promised ID columns but no row could be read.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if re.search(r"^TY\s+-", text, re.MULTILINE):
        return list(_read_ris(text, name))
    if re.search(r"^PMID\s*-\s*\d", text, re.MULTILINE):
        return list(_read_medline(text, name))
    table = _read_table(text, name)
    if table is not None:
        return table
    return [c for n, line in enumerate(text.split("\n"), 1)
            for c in _plain_line(line, f"{name}:{n}", digits=digits)]  # fmt: skip


def _plain_line(
    line: str, where: str, *, comments: bool = True, digits: IdKind = "pmid"
) -> Iterator[Citation]:
    if comments:
        line = re.split(r"(?:^|\s)#", line, maxsplit=1)[0]
    for token in line.replace(",", " ").split():
        found = parse_id(token, "pmcid") if digits == "pmcid" and token.isdigit() else parse_id(token)
        yield _citation(token, where, [found] if found else [], [] if found else [token])


# RIS: "TY  - JOUR"; tags are two characters, then two spaces (one in some exports), "-", a space.
_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])\s{1,2}-(?: (.*))?$")
_RIS_LINKS = ("UR", "L1", "L2", "L3", "LK")
_RIS_NOTES = ("N1", "M1", "M2", "AN", "C2", "PM")


def _read_ris(text: str, name: str) -> Iterator[Citation]:
    fields: list[tuple[str, str]] = []
    count = 0
    for line in text.split("\n"):
        match = _RIS_LINE.match(line.strip("\ufeff"))
        if match is None:
            if fields and line.strip():  # a continuation of the previous field
                fields[-1] = (fields[-1][0], fields[-1][1] + " " + line.strip())
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "ER":
            count += 1
            yield _ris_citation(fields, f"{name} record {count}")
            fields = []
        elif tag == "TY" or fields:
            fields.append((tag, value))
    if fields:
        yield _ris_citation(fields, f"{name} record {count + 1}")


def _ris_citation(fields: list[tuple[str, str]], where: str) -> Citation:
    found: list[tuple[IdKind, str]] = []
    bad: list[str] = []
    for tag, value in fields:
        if not value:
            continue
        if tag == "DO":
            _collect(parse_id(value, "doi"), value, found, bad)
        elif tag in ("AN", "PM") and (pmid := parse_id(value, "pmid")):
            found.append(pmid)  # AN is any database's accession number: only digits are a PMID
        elif tag == "C2" and (pmcid := parse_id(value, "pmcid")) and value.upper().startswith("PMC"):
            found.append(pmcid)
        elif tag in _RIS_LINKS and (link := parse_id(value)) and not value.isdigit():
            found.append(link)
        if tag in _RIS_NOTES:
            found.extend(_note_ids(value))
    shown = _title(fields) or ", ".join(v for _, v in found) or ", ".join(bad) or where
    return _citation(shown, where, _preferred(found), bad)


def _collect(found_id: tuple[IdKind, str] | None, raw: str, found: list[tuple[IdKind, str]],
             bad: list[str]) -> None:  # fmt: skip
    if found_id is None:
        bad.append(raw)
    else:
        found.append(found_id)


def _note_ids(value: str) -> Iterator[tuple[IdKind, str]]:
    for label, raw in _NOTE_IDS.findall(value):
        found = parse_id(raw, "pmcid" if label.upper() == "PMCID" else "pmid")
        if found:
            yield found


def _preferred(found: list[tuple[IdKind, str]]) -> list[tuple[IdKind, str]]:
    """The IDs ordered PMID, PMCID, DOI (stable within a kind)."""
    return sorted(found, key=lambda pair: KINDS.index(pair[0]))


def _title(fields: Iterable[tuple[str, str]]) -> str | None:
    for tag, value in fields:
        if tag in ("TI", "T1") and value:
            return value if len(value) <= 100 else value[:97] + "..."
    return None


# nbib/MEDLINE: "PMID- 123", "LID - 10.1/x [doi]"; a tag is up to four letters padded to four.
_MEDLINE_LINE = re.compile(r"^([A-Z]{2,4})\s*-\s(.*)$")


def _read_medline(text: str, name: str) -> Iterator[Citation]:
    for n, block in enumerate(b for b in re.split(r"\n\s*\n", text) if b.strip()):
        fields = [(m.group(1), m.group(2).strip()) for line in block.split("\n")
                  if (m := _MEDLINE_LINE.match(line))]  # fmt: skip
        found: list[tuple[IdKind, str]] = []
        bad: list[str] = []
        for tag, value in fields:
            if tag == "PMID":
                _collect(parse_id(value, "pmid"), value, found, bad)
            elif tag == "PMC" and (pmcid := parse_id(value, "pmcid")):
                found.append(pmcid)
            elif tag in ("LID", "AID") and value.endswith("[doi]"):
                _collect(parse_id(value[:-5], "doi"), value, found, bad)
        where = f"{name} record {n + 1}"
        shown = next((v for t, v in fields if t == "TI"), None) or ", ".join(v for _, v in found)
        yield _citation(shown or where, where, _preferred(found), bad)


# CSV/TSV: columns named like an ID, or holding links.
_COLUMN_KINDS: tuple[tuple[str, IdKind | None], ...] = (
    ("pmcid", "pmcid"),
    ("pubmedcentral", "pmcid"),
    ("pmc", "pmcid"),
    ("pmid", "pmid"),
    ("pubmedid", "pmid"),
    ("pubmed", "pmid"),
    ("doi", "doi"),
    ("url", None),
    ("link", None),
    ("extra", None),  # Zotero's "Extra": "PMID: 123", "PMCID: PMC456"
    ("notes", None),
)


@dataclass(frozen=True, slots=True)
class _Column:
    index: int
    kind: IdKind | None
    header: str = field(compare=False)


def _column_kind(header: str) -> tuple[bool, IdKind | None]:
    if parse_id(header) is not None:  # an ID, so the first line is not a header
        return False, None
    key = re.sub(r"[^a-z]", "", header.lower())
    for word, kind in _COLUMN_KINDS:
        if key == word or (len(word) >= 3 and word in key and kind is not None):
            return True, kind
        if kind is None and key.startswith(word):
            return True, None
    return False, None


def _read_table(text: str, name: str) -> list[Citation] | None:
    lines = text.lstrip("\n").split("\n", 1)
    header_line = lines[0].lstrip("\ufeff")
    delimiter = max("\t,;", key=header_line.count)
    header = next(csv.reader([header_line], delimiter=delimiter))
    columns = []
    for index, cell in enumerate(header):
        is_id, kind = _column_kind(cell)
        if is_id:
            columns.append(_Column(index, kind, cell.strip()))
    if not any(c.kind for c in columns) and not (columns and len(header) > 1):
        return None
    rows = csv.reader(io.StringIO(lines[1] if len(lines) > 1 else ""), delimiter=delimiter)
    citations = [_row_citation(row, columns, f"{name} line {n}") for n, row in enumerate(rows, 2)
                 if any(cell.strip() for cell in row)]  # fmt: skip
    if not citations:
        raise InputError(f"{name}: a table with ID columns ({', '.join(c.header for c in columns)}) "
                         "but no rows")  # fmt: skip
    return citations


def _row_citation(row: list[str], columns: list[_Column], where: str) -> Citation:
    found: list[tuple[IdKind, str]] = []
    bad: list[str] = []
    for column in columns:
        value = row[column.index].strip() if column.index < len(row) else ""
        if not value:
            continue
        if column.kind is None:
            if (link := parse_id(value)) is not None:
                found.append(link)
            found.extend(_note_ids(value))
        else:
            _collect(parse_id(value, column.kind), value, found, bad)
    shown = ", ".join(row[c.index].strip() for c in columns if c.index < len(row) and row[c.index].strip())
    return _citation(shown or where, where, _preferred(found), bad)
