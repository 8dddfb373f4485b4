"""MEDLINE tagged text (PubMed "Format: MEDLINE" and .nbib exports) -> :class:`Record`.

Records are split at blank lines and streamed one by one. ``Bio.Medline.read`` gives the single
valued fields; the repeated fields are read here in file order, because Bio.Medline keeps only a
list per tag: it cannot tell which ``AD`` (affiliation) or ``AUID`` (ORCID) belongs to which
author, and it turns the continuation lines of list tags ("CIN", "OT") into separate entries.

Tag reference: https://www.nlm.nih.gov/bsd/mms/medlineelements.html
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import IO

from Bio import Medline

from extractor.errors import ParseError
from extractor.normalise import (
    clean_text,
    find_trial_registrations,
    iso_date,
    language_code,
    normalise_doi,
    normalise_license,
    normalise_orcid,
    normalise_pmcid,
    normalise_pmid,
    parse_medline_date,
)
from extractor.records import AbstractSection, Author, Correction, Journal, OtherAbstract, Record

__all__ = ["iter_medline", "parse_medline_record"]

# MEDLINE comment/correction tags and the CommentsCorrections RefType each stands for in PubMed XML.
CORRECTION_TAGS = {
    "CIN": "CommentIn", "CON": "CommentOn", "EIN": "ErratumIn", "EFR": "ErratumFor",
    "RIN": "RetractionIn", "ROF": "RetractionOf", "UIN": "UpdateIn", "UOF": "UpdateOf",
    "RPI": "RepublishedIn", "RPF": "RepublishedFrom", "SPIN": "SummaryForPatientsIn",
    "ORI": "OriginalReportIn", "ECI": "ExpressionOfConcernIn", "ECF": "ExpressionOfConcernFor",
    "CRI": "CorrectedandRepublishedIn", "CRF": "CorrectedandRepublishedFrom",
    "RRI": "RetractedandRepublishedIn", "RRF": "RetractedandRepublishedFrom",
}  # fmt: skip
_LABEL = re.compile(r"(?:^|(?<=\s))([A-Z][A-Z0-9 &,/()'-]{2,60}): ")
_PMID_IN = re.compile(r"PMID:\s*(\d+)")
_TAG = re.compile(r"^([A-Z]{1,4})\s*- ?(.*)$")


def iter_medline(stream: IO[bytes], *, source: str | None = None) -> Iterator[Record | ParseError]:
    """Stream the records of a MEDLINE text file; a broken record is yielded as a ParseError."""
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline=None)
    for index, lines in enumerate(split_records(text)):
        try:
            yield parse_medline_record(lines)
        except ParseError as e:
            pmid = next((line[6:].strip() for line in lines if line.startswith("PMID")), None)
            yield ParseError(e.reason, source=source, record_id=f"#{index + 1}" + (f" PMID {pmid}" if pmid else ""))
    text.detach()


def split_records(lines: Iterator[str] | IO[str]) -> Iterator[list[str]]:
    """Group lines into records at blank lines (leading and repeated blank lines are skipped)."""
    record: list[str] = []
    for line in lines:
        if line.strip():
            record.append(line if line.endswith("\n") else line + "\n")
        elif record:
            yield record
            record = []
    if record:
        yield record


def tagged_fields(lines: list[str]) -> list[tuple[str, str]]:
    """(tag, value) pairs in file order, continuation lines joined to their field with a space."""
    fields: list[tuple[str, str]] = []
    for line in lines:
        if line.startswith("      ") and fields:
            tag, value = fields[-1]
            fields[-1] = (tag, f"{value} {line.strip()}")
        elif match := _TAG.match(line.rstrip("\r\n")):
            fields.append((match.group(1), match.group(2).strip()))
        else:
            raise ParseError(f"not a MEDLINE tagged line: {line.strip()[:60]!r}")
    return fields


def parse_medline_record(lines: list[str]) -> Record:
    """Read one MEDLINE record given as its lines.

    :raises ParseError: for a line that is not a tagged field, or a record without a PMID.
    """
    fields = tagged_fields(lines)
    bio = Medline.read(lines)
    pmid = normalise_pmid(bio.get("PMID"))
    if pmid is None:
        raise ParseError("record has no PMID")
    sections = parse_abstract(bio.get("AB"))
    year, month, day = parse_medline_date(bio.get("DP"))
    pub_types = _values(fields, "PT")
    corrections = parse_corrections(fields)
    other = parse_other_abstracts(fields)
    return Record(
        source_format="medline",
        pmid=pmid,
        pmcid=normalise_pmcid(bio.get("PMC")),
        doi=parse_doi(fields),
        title=clean_text(bio.get("TI")) or clean_text(bio.get("BTI")),
        abstract=_join(sections),
        abstract_sections=sections,
        other_abstracts=other,
        authors=parse_authors(fields),
        journal=parse_journal(bio),
        publisher=clean_text(bio.get("PB")),
        year=year,
        pub_date=iso_date(year, month, day),
        pub_date_raw=clean_text(bio.get("DP")),
        epub_date=parse_compact_date(bio.get("DEP")),
        language=language_code(next(iter(_values(fields, "LA")), None)),
        publication_types=pub_types,
        mesh_terms=parse_mesh_terms(fields),
        keywords=tuple(dict.fromkeys(_values(fields, "OT"))),
        trial_registrations=parse_trial_registrations(fields, sections, other),
        license=normalise_license(" ".join(_values(fields, "CI"))),
        retracted="Retracted Publication" in pub_types or any(c.type == "RetractionIn" for c in corrections),
        corrections=corrections,
    )


def parse_doi(fields: list[tuple[str, str]]) -> str | None:
    """The DOI of an ``LID``/``AID`` value tagged "[doi]" (never a "[pii]", even one shaped like a DOI)."""
    for tag, value in fields:
        if tag in ("LID", "AID") and value.endswith("[doi]"):
            return normalise_doi(value[: -len("[doi]")])
    return None


def parse_abstract(text: str | None) -> tuple[AbstractSection, ...]:
    """Split "LABEL: text LABEL: text" into sections when the abstract starts with a label."""
    text = clean_text(text)
    if text is None:
        return ()
    matches = list(_LABEL.finditer(text))
    if not matches or matches[0].start() != 0:
        return (AbstractSection(label=None, nlm_category=None, text=text),)
    ends = [m.start() for m in matches[1:]] + [len(text)]
    return tuple(
        AbstractSection(label=m.group(1), nlm_category=None, text=text[m.end() : end].strip())
        for m, end in zip(matches, ends, strict=True)
    )


def parse_other_abstracts(fields: list[tuple[str, str]]) -> tuple[OtherAbstract, ...]:
    """``OAB`` abstracts, each with the language of the ``OABL`` that follows it."""
    found: list[OtherAbstract] = []
    for tag, value in fields:
        if tag == "OAB" and clean_text(value):
            found.append(OtherAbstract(type=None, language=None, text=clean_text(value) or ""))
        elif tag == "OABL" and found and found[-1].language is None:
            last = found[-1]
            found[-1] = OtherAbstract(type=last.type, language=language_code(value), text=last.text)
    return tuple(found)


def parse_authors(fields: list[tuple[str, str]]) -> tuple[Author, ...]:
    """Authors in order: ``FAU``/``AU`` pairs and ``CN`` groups, each with its ``AD`` and ``AUID``."""
    authors: list[dict[str, object]] = []
    for tag, value in fields:
        if tag == "FAU" or (tag == "AU" and not (authors and authors[-1].get("pending_au"))):
            authors.append(_person(tag, value))
        elif tag == "AU":
            authors[-1].update(initials=_initials(value), pending_au=False)
        elif tag == "CN":
            authors.append({"collective": clean_text(value), "affiliations": []})
        elif tag == "AD" and authors:
            authors[-1]["affiliations"].append(clean_text(value))  # type: ignore[attr-defined]
        elif tag == "AUID" and authors and "ORCID" in value.upper():
            authors[-1]["orcid"] = normalise_orcid(value)
    return tuple(_author(a) for a in authors)


def _person(tag: str, value: str) -> dict[str, object]:
    if tag == "FAU":
        family, _, given = value.partition(",")
        return {"family": clean_text(family), "given": clean_text(given), "affiliations": [], "pending_au": True}
    family, _, initials = value.rpartition(" ")
    return {"family": clean_text(family) or clean_text(initials),
            "initials": _initials(value) if family else None, "affiliations": []}


def _initials(au: str) -> str | None:
    family, _, initials = au.rpartition(" ")
    return initials if family and initials.isupper() else None


def _author(data: dict[str, object]) -> Author:
    affiliations = tuple(a for a in data["affiliations"] if a)  # type: ignore[attr-defined]
    return Author(
        family=data.get("family"),  # type: ignore[arg-type]
        given=data.get("given"),  # type: ignore[arg-type]
        initials=data.get("initials"),  # type: ignore[arg-type]
        collective=data.get("collective"),  # type: ignore[arg-type]
        affiliations=tuple(dict.fromkeys(affiliations)),
        orcid=data.get("orcid"),  # type: ignore[arg-type]
    )


def parse_journal(bio: Medline.Record) -> Journal | None:
    """``JT``, ``TA``, first ``IS`` (without its "(Print)"), ``VI``, ``IP``, ``PG``."""
    issn = clean_text(re.sub(r"\(.*?\)", "", bio.get("IS", "")).split()[0]) if bio.get("IS") else None
    journal = Journal(
        title=clean_text(bio.get("JT")),
        iso_abbrev=clean_text(bio.get("TA")),
        issn=issn,
        volume=clean_text(bio.get("VI")),
        issue=clean_text(bio.get("IP")),
        pages=clean_text(bio.get("PG")),
    )
    return journal if any((journal.title, journal.iso_abbrev, journal.issn)) else None


def parse_compact_date(text: str | None) -> str | None:
    """"20190919" -> "2019-09-19" (``DEP``, the electronic publication date)."""
    text = (text or "").strip()
    if not re.fullmatch(r"\d{4}(\d{2}(\d{2})?)?", text):
        return None
    return iso_date(text[:4], int(text[4:6]) if len(text) >= 6 else None, text[6:8] or None)


def parse_mesh_terms(fields: list[tuple[str, str]]) -> tuple[str, ...]:
    """MeSH descriptor names from ``MH`` ("*Humans/drug therapy" -> "Humans")."""
    return tuple(t for t in (clean_text(v.split("/")[0].lstrip("*")) for v in _values(fields, "MH")) if t)


def parse_trial_registrations(
    fields: list[tuple[str, str]],
    sections: tuple[AbstractSection, ...],
    other: tuple[OtherAbstract, ...],
) -> tuple[str, ...]:
    """Registry IDs from ``SI`` ("ClinicalTrials.gov/NCT00585195"), then from the abstracts."""
    texts = _values(fields, "SI") + tuple(s.text for s in sections) + tuple(o.text for o in other)
    return find_trial_registrations("\n".join(texts))


def parse_corrections(fields: list[tuple[str, str]]) -> tuple[Correction, ...]:
    """Comment/correction links ("EIN - Spine J. 2019;19(2):380. PMID: 30709...") in order."""
    found = []
    for tag, value in fields:
        if tag in CORRECTION_TAGS:
            match = _PMID_IN.search(value)
            found.append(Correction(type=CORRECTION_TAGS[tag], pmid=match.group(1) if match else None))
    return tuple(found)


def _values(fields: list[tuple[str, str]], tag: str) -> tuple[str, ...]:
    return tuple(v for t, v in fields if t == tag and v)


def _join(sections: tuple[AbstractSection, ...]) -> str | None:
    if not sections:
        return None
    return "\n".join(f"{s.label}: {s.text}" if s.label else s.text for s in sections)
