"""MARCXML (MARC 21 slim) catalogue records -> :class:`~extractor.records.Record`.

Reads a ``<collection>`` of ``<record>``\\ s or a bare ``<record>``, in the
``http://www.loc.gov/MARC21/slim`` namespace or in none, streamed with ``iterparse`` (each record
is freed once read). Records are ``source_format="catalogue"``, filled with the conventions of the
VuFind Solr reader (:mod:`extractor.parse.catalogue`): ISBD punctuation trimmed, an ISSN goes to
``journal``, ``pub_date`` is the year (the month only when the host item gives one), a person is
"Family, Given" and a corporate body a ``collective`` author, ``urls`` are the http(s) links and the
PubMed/PMC/DOI identifiers are also read from them.

=========================  =================================================================
MARC                       Record
=========================  =================================================================
leader/06-07, 655 $a       ``publication_types`` ("Book", "Article", "Journal"...; genre terms)
001                        the record id in error messages (Record has no catalogue-id field)
008/07-10                  ``year`` (else the first year in 264/260 $c)
008/35-37, else 041 $a     ``language`` (ISO 639-1; obsolete MARC codes such as "scr" known)
022 $a                     ``journal.issn`` when 773 has no $x
024 ind1=7 $2 doi/pmid/pmc ``doi``, ``pmid``, ``pmcid``
035 $a "(PubMed)..."       ``pmid`` (also "(PMID)"); "(PMC)"/"(PMCID)" ``pmcid``; "(DOI)" ``doi``
100/700 (ind1 0/1)         ``authors``: "Family, Given." split, the full stop dropped; $u affiliations;
                           an ORCID in $0/$1
100/700 ind1=3, 110/710,   ``authors`` as ``collective`` (the way PubMed's ``CollectiveName`` is);
111/711                    700/710/711 with a $t (a related work, not an author) are left out
245 $a $b $n $p            ``title`` (the ISBD " /", " :" at the end trimmed; " : " inside kept)
264 ind2=1, else 260       $b ``publisher``; $c ``pub_date_raw`` (and the year when 008 has none)
520 $a $b                  ``abstract``/``abstract_sections`` (not ind1=1 reviews, 4 content advice)
500 $a, 536, 024 $a        searched with title and abstract for ``trial_registrations``
540                        ``license`` (a Creative Commons licence named there)
600-651 (ind2=2: MeSH)     ``topics`` ("Heading -- subdivision"); MeSH 650 $a also ``mesh_terms``
653 $a                     ``topics`` (as VuFind does) and ``keywords`` (uncontrolled terms)
773 $t $p $x $g $q         ``journal``: title, iso_abbrev, issn, volume/issue/pages (from $g
                           "Vol. 12, no. 3 (2020), p. 45-67" or "2020 Jan;12(3):45-67", else $q)
856 $u                     ``urls`` (http and https)
=========================  =================================================================

Not mapped, for want of a Record field: 020 ISBN, 250 edition, 260/264 $a place, 300, 490/830.

A collection without records is zero records, not an error (as Solr's ``numFound: 0``); a record
without a 245 is read with ``title=None`` (nothing is invented). A record with no field at all, or
an authority/holdings record, is a :class:`ParseError` naming it ("#2 (001 123)"); XML that stops
being well-formed ends the stream with a ParseError; a ``<collection>`` holding something else
than records, or another root, is an :class:`UnknownFormatError`.

Field reference: https://www.loc.gov/marc/bibliographic/
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from lxml import etree

from extractor.errors import ParseError, UnknownFormatError
from extractor.normalise import (
    clean_text,
    find_trial_registrations,
    initials_of,
    iso_date,
    language_code,
    normalise_doi,
    normalise_license,
    normalise_orcid,
    normalise_pmcid,
    normalise_pmid,
    parse_medline_date,
)
from extractor.parse import _xml
from extractor.parse._abstract import abstract_text, split_labelled
from extractor.parse.catalogue import _DOI_URL, _PMC_URL, _PUBMED_URL
from extractor.records import Author, Journal, Record

__all__ = ["MARC_NS", "iter_marc", "parse_marc", "parse_record"]

MARC_NS = "http://www.loc.gov/MARC21/slim"
RECORD_TAGS = (f"{{{MARC_NS}}}record", "record")

_ISBD_END = re.compile(r"[\s/:;,=]+$|\s+-$")
_FULL_STOP = re.compile(r"(?<!\b\w)(?<!\.)\.$")  # not the stop of an initial ("J.") or of "..."
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d{2}|20\d{2})(?!\d)")
_ISSN = re.compile(r"\b(\d{4})-?(\d{3}[\dXx])\b")
_PREFIXED = re.compile(r"^\(([^)]+)\)\s*(\S.*)$")
_ISBD_CARRIED = re.compile(r"([:;=])\s*$")
# 773 $g: "2020 Jan;12(3):45-67" (Vancouver), or labelled parts ("Vol. 12, no. 3 (2020), p. 45-67").
_VANCOUVER = re.compile(
    r"(?:^|;)\s*(?P<volume>\d+[A-Za-z]?)\s*(?:\((?P<issue>[^()]+)\))?\s*:\s*"
    r"(?P<pages>[A-Za-z]?\d+[A-Za-z]?(?:\s*[-–]\s*[A-Za-z]?\d+[A-Za-z]?)?)"
)
_VANCOUVER_DATE = re.compile(r"^\s*((?:1[5-9]|20)\d{2}\b[^;]*);")
_VOLUME = re.compile(r"\b(?:volume|vol|vuosik|årg|jahrg|bd|v)\.?\s*(\d[\w/-]*)", re.IGNORECASE)
_ISSUE = re.compile(r"\b(?:number|issue|heft|no|nr|n:o|iss|h|n)\.?\s*(\d[\w/-]*)", re.IGNORECASE)
_PAGES = re.compile(
    r"\b(?:pages|pp|p|s|sid|seiten?)\.?\s*([A-Za-z]?\d+[A-Za-z]?(?:\s*[-–]\s*[A-Za-z]?\d+[A-Za-z]?)?)",
    re.IGNORECASE,
)
_PAREN_DATE = re.compile(r"\(([^()]*(?<!\d)(?:1[5-9]|20)\d{2}(?!\d)[^()]*)\)")
_ENUMERATION = re.compile(r"^(?P<volume>[\w-]+)(?::(?P<issue>[\w-]+))?(?::[\w-]+)*(?:<(?P<page>[\w-]+))?")

# MARC language codes withdrawn from the MARC list, with the ISO 639-1 code of their successor.
_OBSOLETE_LANGUAGES = {
    "cam": "km", "esp": "eo", "far": "fo", "fri": "fy", "gae": "gd", "gag": "gl", "int": "ia",
    "iri": "ga", "max": "gv", "mla": "mg", "sao": "sm", "scc": "sr", "scr": "hr", "tag": "tl",
    "taj": "tg", "tar": "tt", "tsw": "tn",
}  # fmt: skip
# leader/06 (type of record) -> a format name; language material is told apart by leader/07.
_RECORD_TYPES = {
    "c": "Musical Score", "d": "Musical Score", "e": "Map", "f": "Map", "g": "Video",
    "i": "Sound Recording", "j": "Music Recording", "k": "Image", "m": "Electronic Resource",
    "o": "Kit", "p": "Mixed Materials", "r": "Physical Object", "t": "Manuscript",
}  # fmt: skip
_TEXT_LEVELS = {"a": "Article", "b": "Article", "s": "Journal", "m": "Book", "c": "Book", "d": "Book"}
# leader/06 of the MARC formats that are not bibliographic, and the type="" attribute's values.
_NOT_BIBLIOGRAPHIC = {"z": "authority", "q": "community information", "w": "classification",
                      "u": "holdings", "v": "holdings", "x": "holdings", "y": "holdings"}  # fmt: skip
_SUBJECT_TAGS = frozenset({"600", "610", "611", "630", "648", "650", "651", "653"})
_SUBDIVISIONS = frozenset("vxyz")
# relator terms, relationship information, affiliation, control subfields: not part of a heading
_NOT_HEADING = frozenset("eijuw") | _SUBDIVISIONS


@dataclass(frozen=True, slots=True)
class Field:
    """One ``<datafield>``: tag, indicators and its (code, text) subfields in order."""

    tag: str
    ind1: str
    ind2: str
    subfields: tuple[tuple[str, str], ...]

    def values(self, codes: str) -> list[str]:
        """The text of the subfields whose code is in ``codes``, in order (empty ones left out)."""
        return [v for c, v in self.subfields if c in codes and v]

    def first(self, codes: str) -> str | None:
        return next(iter(self.values(codes)), None)


@dataclass(frozen=True, slots=True)
class MarcRecord:
    """The fields of one ``<record>``; control fields keep their text as is (positions matter)."""

    leader: str
    control: dict[str, str]
    fields: tuple[Field, ...]

    def all(self, *tags: str) -> list[Field]:
        return [f for f in self.fields if f.tag in tags]

    def first(self, *tags: str) -> Field | None:
        return next(iter(self.all(*tags)), None)


# --- streaming -----------------------------------------------------------------------------------


def iter_marc(stream: IO[bytes], *, source: str | None = None) -> Iterator[Record | ParseError]:
    """Stream the records of a MARCXML document, one :class:`Record` per ``<record>``.

    A record that cannot be read is yielded as a :class:`ParseError` naming its index and 001, and
    the stream goes on; XML that stops being well-formed ends the stream with a final ParseError.

    :raises UnknownFormatError: for XML that holds no MARC record but other elements.
    """
    index = 0
    events = _xml.iterparse(stream, RECORD_TAGS)
    try:
        for _, element in events:
            yield _read(element, index, source)
            index += 1
            _xml.release(element)
    except etree.XMLSyntaxError as e:
        reason = f"not well-formed XML (the file stops being XML here; {index} records read before): {e.msg}"
        yield ParseError(reason, source=source, record_id=f"#{index + 1}")
        return
    if not index:
        _check_empty(events.root, source)


def parse_marc(data: bytes, *, source: str | None = None) -> list[Record]:
    """Parse a whole MARCXML document held in memory; raise on the first broken record."""
    _xml.check_prolog(data[: _xml.PROLOG_LIMIT], source=source)
    return _xml.all_or_raise(iter_marc(io.BytesIO(data), source=source))


def _read(element: etree._Element, index: int, source: str | None) -> Record | ParseError:
    try:
        return parse_record(element)
    except ParseError as e:
        return ParseError(e.reason, source=source, record_id=_record_id(element, index))


def _record_id(element: etree._Element, index: int) -> str:
    control = next((c for c in element if _xml.local(c.tag) == "controlfield" and c.get("tag") == "001"), None)
    number = clean_text(control.text) if control is not None else None
    return f"#{index + 1}" + (f" (001 {number})" if number else "")


def _check_empty(root: etree._Element | None, source: str | None) -> None:
    """Zero records: fine for an empty collection, an UnknownFormatError for anything else."""
    name = _xml.local(root.tag) if root is not None else ""
    if name not in ("collection", "record"):
        raise UnknownFormatError(f"XML with root <{name}> is not MARCXML (no MARC <record> in it)", source=source)
    held = sorted({_xml.local(child.tag) for child in root if _xml.local(child.tag)})  # type: ignore[union-attr]
    if held:
        kinds = ", ".join(f"<{k}>" for k in held)
        raise UnknownFormatError(f"a <{name}> without MARC records (it holds {kinds})", source=source)


# --- one record ----------------------------------------------------------------------------------


def read_fields(element: etree._Element) -> MarcRecord:
    """The leader, control fields and data fields of a ``<record>`` element."""
    leader = ""
    control: dict[str, str] = {}
    fields: list[Field] = []
    for child in element:
        name = _xml.local(child.tag)
        if name == "leader":
            leader = child.text or ""
        elif name == "controlfield":
            control.setdefault(child.get("tag", "").strip(), child.text or "")
        elif name == "datafield":
            subfields = tuple(
                ((sub.get("code") or " ")[:1], clean_text("".join(sub.itertext())) or "")
                for sub in child
                if _xml.local(sub.tag) == "subfield"
            )
            fields.append(
                Field(child.get("tag", "").strip(), child.get("ind1", " "), child.get("ind2", " "), subfields)
            )
    return MarcRecord(leader=leader, control=control, fields=tuple(fields))


def parse_record(element: etree._Element) -> Record:
    """Read one MARC 21 bibliographic ``<record>``.

    :raises ParseError: for a record without any field, or one that is not bibliographic.
    """
    rec = read_fields(element)
    if not rec.control and not rec.fields:
        raise ParseError("MARC record without any field")
    _check_bibliographic(rec, element.get("type"))
    urls = _urls(rec)
    title = _title(rec)
    abstract = " ".join(" ".join(f.values("ab")) for f in rec.all("520") if f.ind1 not in ("1", "4"))
    sections = split_labelled(clean_text(abstract))
    journal, host_date = _journal(rec)
    year, pub_date_raw = _year(rec)
    pub_date = _pub_date(year, host_date)
    ids = _identifiers(rec, urls)
    notes = [v for f in rec.all("500", "536", "024") for v in f.values("a" if f.tag != "536" else "abcdefgh")]
    topics, mesh, keywords = _subjects(rec)
    return Record(
        source_format="catalogue",
        pmid=ids["pmid"],
        pmcid=ids["pmcid"],
        doi=ids["doi"],
        title=title,
        abstract=abstract_text(sections),
        abstract_sections=sections,
        authors=_authors(rec),
        journal=journal,
        publisher=_publisher(rec),
        year=int(pub_date[:4]) if pub_date else None,
        pub_date=pub_date,
        pub_date_raw=pub_date_raw,
        language=_language(rec),
        publication_types=_unique(
            [_leader_format(rec.leader), *(_trim(v) for f in rec.all("655") for v in f.values("a"))]
        ),
        mesh_terms=mesh,
        keywords=keywords,
        topics=topics,
        trial_registrations=find_trial_registrations("\n".join([title or "", abstract, *notes])),
        license=normalise_license(" ".join(v for f in rec.all("540") for v in f.values("abcdfu"))),
        urls=tuple(urls),
    )


def _check_bibliographic(rec: MarcRecord, kind: str | None) -> None:
    if kind and kind.strip().lower() != "bibliographic":
        raise ParseError(f"a MARC {kind.strip()} record, not a bibliographic one")
    what = _NOT_BIBLIOGRAPHIC.get(rec.leader[6:7])
    if what:
        raise ParseError(f"a MARC {what} record (leader/06 {rec.leader[6]!r}), not a bibliographic one")


def _trim(text: str | None) -> str | None:
    """Strip the ISBD punctuation MARC leaves at a value's end ("Tutki ja kirjoita /", "Sirkka.").

    A full stop is kept after an initial ("J. A.") and in "...".
    """
    text = clean_text(text)
    while text:
        trimmed = _FULL_STOP.sub("", _ISBD_END.sub("", text))
        if trimmed == text:
            break
        text = trimmed
    return text or None


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


# --- title, people, publication ------------------------------------------------------------------


def _title(rec: MarcRecord) -> str | None:
    """245 $a $b $n $p; the ISBD mark at the end of a skipped $h ("[electronic resource] :") kept."""
    field = rec.first("245")
    if field is None:
        return None
    parts: list[str] = []
    for code, value in field.subfields:
        if code in "abnp" and value:
            parts.append(value)
        elif code == "h" and parts and (mark := _ISBD_CARRIED.search(value)):
            parts[-1] = f"{parts[-1]} {mark.group(1)}"
    return _trim(" ".join(parts))


def _authors(rec: MarcRecord) -> tuple[Author, ...]:
    """The main entry (100/110/111) first, then the added entries (700/710/711) in their order."""
    main = rec.all("100", "110", "111")
    added = [f for f in rec.all("700", "710", "711") if not f.values("t")]
    authors = (_author(f) for f in [*main, *added])
    return tuple(dict.fromkeys(a for a in authors if a is not None))


def _author(field: Field) -> Author | None:
    affiliations = tuple(_unique(_trim(v) for v in field.values("u")))
    orcid = next((o for v in field.values("01") if "orcid" in v.lower() and (o := normalise_orcid(v))), None)
    if field.tag.endswith("00") and field.ind1 != "3":
        name = " ".join(field.values("ab"))
        if not name:
            return None
        family, comma, given = name.partition(",")
        if not comma or field.ind1 == "0":  # a forename alone is a name, as PubMed puts it in LastName
            return Author(family=_trim(name), affiliations=affiliations, orcid=orcid)
        given = _trim(given.split(",")[0])
        return Author(family=_trim(family), given=given, initials=initials_of(given), affiliations=affiliations,
                      orcid=orcid)  # fmt: skip
    codes = "ab" if field.tag.endswith("10") or field.tag.endswith("00") else "aendc"
    collective = _trim(" ".join(field.values(codes)))
    return Author(collective=collective, affiliations=affiliations, orcid=orcid) if collective else None


def _imprints(rec: MarcRecord) -> list[Field]:
    """Publication statements, the most telling first: 264 ind2=1, 260, then other 264s."""
    fields = rec.all("264", "260")
    return sorted(fields, key=lambda f: 0 if f.tag == "264" and f.ind2 == "1" else 1 if f.tag == "260" else 2)


def _publisher(rec: MarcRecord) -> str | None:
    return next((_trim(b) for f in _imprints(rec) if f.ind2 != "4" for b in f.values("b") if _trim(b)), None)


def _year(rec: MarcRecord) -> tuple[int | None, str | None]:
    """(year, the raw date of the imprint): 008/07-10 if it holds a year, else the imprint's $c."""
    raw = next((_trim(c) for f in _imprints(rec) for c in f.values("c") if _trim(c)), None)
    fixed = rec.control.get("008", "")
    if len(fixed) >= 11 and fixed[6] not in "bn|" and fixed[7:11].isdigit() and int(fixed[7:11]) >= 1000:
        return int(fixed[7:11]), raw
    match = _YEAR.search(raw or "")
    return (int(match.group(1)) if match else None), raw


def _pub_date(year: int | None, host_date: str | None) -> str | None:
    """The year, with the month (and day) the host item's date gives for that same year."""
    if host_date:
        host_year, month, day = parse_medline_date(host_date)
        if host_year and (year is None or host_year == year):
            return iso_date(host_year, month, day)
    return iso_date(year)


def _language(rec: MarcRecord) -> str | None:
    """008/35-37, else the first 041 $a that names a language.

    MARC codes have three letters, so a shifted 008 gives no code; old records run several codes
    together in 041 ("engfre"). An 041 with ind2=7 uses the code list named in its $2 (ISO 639-1,
    639-3), whose codes are taken as they are.
    """
    found = _marc_language(rec.control.get("008", "")[35:38])
    for field in rec.all("041"):
        for value in field.values("a"):
            if found:
                return found
            if field.ind2 == "7":
                found = language_code(value)
            else:
                found = next((c for i in range(0, len(value), 3) if (c := _marc_language(value[i : i + 3]))), None)
    return found


def _marc_language(code: str) -> str | None:
    code = code.strip().lower()
    if len(code) != 3 or not code.isalpha():
        return None
    return _OBSOLETE_LANGUAGES.get(code) or language_code(code)


def _leader_format(leader: str) -> str | None:
    kind, level = leader[6:7], leader[7:8]
    if kind == "a":
        return _TEXT_LEVELS.get(level)
    return _RECORD_TYPES.get(kind)


# --- identifiers and links -----------------------------------------------------------------------


def _urls(rec: MarcRecord) -> list[str]:
    urls = (u.strip() for f in rec.all("856") for u in f.values("u"))
    return list(dict.fromkeys(u for u in urls if u.startswith(("http://", "https://")) and " " not in u))


def _identifiers(rec: MarcRecord, urls: list[str]) -> dict[str, str | None]:
    """PMID, PMCID and DOI from 024 (ind1=7, scheme in $2), 035 "(PubMed)..." and the 856 URLs."""
    found: dict[str, list[str | None]] = {"pmid": [], "pmcid": [], "doi": []}
    for field in rec.all("024"):
        scheme = (field.first("2") or "").lower()
        kind = {"doi": "doi", "pmid": "pmid", "pubmed": "pmid", "pmc": "pmcid", "pmcid": "pmcid"}.get(scheme)
        if field.ind1 == "7" and kind:
            found[kind].extend(field.values("a"))
    for field in rec.all("035"):
        for value in field.values("a"):
            match = _PREFIXED.match(value)
            prefix = match.group(1).strip().lower().replace(" ", "") if match else ""
            kind = {"pubmed": "pmid", "pmid": "pmid", "pmc": "pmcid", "pmcid": "pmcid", "doi": "doi"}.get(prefix)
            if match and kind:
                found[kind].append(match.group(2))
    found["pmid"].extend(m.group(1) for u in urls if (m := _PUBMED_URL.search(u)))
    found["pmcid"].extend(m.group(1) for u in urls if (m := _PMC_URL.search(u)))
    found["doi"].extend(u for u in urls if _DOI_URL.search(u))
    normalise = {"pmid": normalise_pmid, "pmcid": normalise_pmcid, "doi": normalise_doi}
    return {kind: next((n for v in values if (n := normalise[kind](v))), None) for kind, values in found.items()}


def _issn(text: str | None) -> str | None:
    match = _ISSN.search(text or "")
    return f"{match.group(1)}-{match.group(2).upper()}" if match else None


def _journal(rec: MarcRecord) -> tuple[Journal | None, str | None]:
    """(the host item of 773, its date from $g) -- the ISSN from 022 when 773 has none."""
    host = rec.first("773")
    issn = _issn(host.first("x") if host else None) or next(
        (i for f in rec.all("022") for v in f.values("a") if (i := _issn(v))), None
    )
    volume = issue = pages = date = None
    if host is not None:
        volume, issue, pages, date = related_parts(" ".join(host.values("g")))
        enumeration = _ENUMERATION.match(host.first("q") or "")
        if enumeration and not (volume or issue or pages):
            volume, issue, pages = enumeration.group("volume", "issue", "page")
    journal = Journal(
        title=_trim(host.first("t")) if host else None,
        iso_abbrev=_trim(host.first("p")) if host else None,
        issn=issn,
        volume=volume,
        issue=issue,
        pages=pages,
    )
    return (journal if journal != Journal() else None), date


def related_parts(text: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(volume, issue, pages, date) of a 773 $g: "Vol. 12, no. 3 (2020 Jan), p. 45-67" or
    "2020 Jan;12(3):45-67" (None where not given)."""
    text = clean_text(text) or ""
    if match := _VANCOUVER.search(text):
        date = _VANCOUVER_DATE.match(text)
        pages = match.group("pages").replace("–", "-").replace(" ", "")
        return match.group("volume"), _trim(match.group("issue")), pages, date.group(1) if date else None
    without_date = _PAREN_DATE.sub(" ", text)
    found = [m.group(1) if m else None for m in (rx.search(without_date) for rx in (_VOLUME, _ISSUE, _PAGES))]
    date = _PAREN_DATE.search(text)
    pages = found[2].replace("–", "-").replace(" ", "") if found[2] else None
    return found[0], found[1], pages, date.group(1).strip() if date else None


# --- subjects ------------------------------------------------------------------------------------


def _subjects(rec: MarcRecord) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(topics, MeSH descriptors, uncontrolled keywords) of the subject fields, in order."""
    topics: list[str | None] = []
    mesh: list[str | None] = []
    keywords: list[str | None] = []
    for field in rec.fields:
        if field.tag not in _SUBJECT_TAGS:
            continue
        if field.tag == "653":
            terms = [_trim(v) for v in field.values("a")]
            topics.extend(terms)
            keywords.extend(terms)
            continue
        topics.append(_heading(field))
        if field.tag == "650" and (field.ind2 == "2" or (field.first("2") or "").lower().startswith("mesh")):
            mesh.append(_trim(field.first("a")))
    return _unique(topics), _unique(mesh), _unique(keywords)


def _heading(field: Field) -> str | None:
    """ "Heading -- subdivision -- subdivision" ($v $x $y $z are subdivisions)."""
    main = _trim(" ".join(v for c, v in field.subfields if c.isalpha() and c not in _NOT_HEADING))
    subdivisions = [_trim(v) for c, v in field.subfields if c in _SUBDIVISIONS]
    parts = [p for p in (main, *subdivisions) if p]
    return " -- ".join(parts) or None
