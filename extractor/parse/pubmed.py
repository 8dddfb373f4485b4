"""PubMed XML (efetch db=pubmed, PubMed exports, NLM baseline files) -> :class:`Record`.

Streams ``PubmedArticleSet`` and the older ``MedlineCitationSet`` with ``iterparse``, clearing each
record once read, so memory stays flat however many records a file holds. Handles
``PubmedArticle``, ``PubmedBookArticle``, bare ``MedlineCitation`` (baseline files) and
``DeleteCitation`` (one ``deleted=True`` record per PMID).

Element reference: https://www.nlm.nih.gov/bsd/licensee/elements_descriptions.html
"""

from __future__ import annotations

import io
import re
import secrets
import unicodedata
from collections import deque
from collections.abc import Iterator
from functools import lru_cache
from typing import IO, Any

from lxml import etree

from extractor.errors import ParseError
from extractor.normalise import (
    find_trial_registrations,
    iso_date,
    language_code,
    month_number,
    normalise_doi,
    normalise_license,
    normalise_orcid,
    normalise_pmcid,
    normalise_pmid,
    parse_medline_date,
    season_month,
)
from extractor.parse import _xml
from extractor.records import (
    AbstractSection,
    Author,
    Correction,
    Journal,
    OtherAbstract,
    Record,
)

__all__ = ["iter_pubmed", "parse_pubmed", "parse_record"]

RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "MedlineCitation", "DeleteCitation")
# DataBank names of clinical trial registries (others, e.g. GENBANK or PDB, hold sequence data).
TRIAL_DATABANKS = frozenset(
    {
        "clinicaltrials.gov", "isrctn", "chictr", "anzctr", "actrn", "eudract", "drks", "ctri",
        "jprn", "umin", "irct", "kct", "cris", "pactr", "ntr", "slctr", "tctr", "rebec", "rpcec",
        "euctr", "ctis", "lbctr", "jrct",
    }
)  # fmt: skip
_RETRACTION_TYPES = frozenset({"Retracted Publication"})
# Elements no field is read from, dropped from the bytes before lxml builds them: a record's
# ReferenceList (its cited works) is often half its size, and its History (a dozen dates of
# submission, acceptance and indexing) a sixth of the elements left.
SKIPPED = (b"ReferenceList", b"History")


def iter_pubmed(stream: IO[bytes], *, source: str | None = None) -> Iterator[Record | ParseError]:
    """Stream the records of a PubMed XML document, one :class:`Record` per article.

    A record that cannot be read is yielded as a :class:`ParseError` (naming its index and PMID)
    and the stream goes on; XML that stops being well-formed ends the stream with a final
    ``ParseError``. The caller decides whether to raise or skip.
    """
    index = 0
    records = CutRecords(SkipElements(stream, SKIPPED))
    try:
        for _, element in _xml.iterparse(records, RECORD_TAGS):
            if element.tag == "MedlineCitation" and element.getparent() is not None and (
                element.getparent().tag != "MedlineCitationSet"
            ):
                continue  # the citation inside a PubmedArticle: read with its article
            if element.tag == "DeleteCitation":
                yield from parse_deleted(element)
            else:
                yield _read(records.take(element), index, source)
            index += 1
            _xml.release(element)
    except etree.XMLSyntaxError as e:
        reason = f"not well-formed XML (the file stops being XML here; {index} records read before): {e.msg}"
        yield ParseError(reason, source=source, record_id=f"#{index + 1}")


class _Filtered(io.RawIOBase):
    """A byte stream read in chunks through ``_filter``, which may hold back a chunk's tail in
    ``_held`` (a tag cut by the chunk boundary) to be filtered with the next chunk."""

    def __init__(self, stream: IO[bytes], *, chunk: int = 1 << 16):
        self._stream = stream
        self._chunk = chunk
        self._held = b""
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending.nbytes:
            data = self._stream.read(self._chunk)
            if not data and not self._held:
                return 0
            self._pending = memoryview(self._filter(self._held + data if self._held else data, final=not data))
        n = min(len(buffer), self._pending.nbytes)
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def _filter(self, data: bytes, *, final: bool) -> bytes:
        raise NotImplementedError


class SkipElements(_Filtered):
    """An XML byte stream without the elements named ``tags`` (one name or several; nested ones included).

    Works on raw bytes as they stream, holding back only the few bytes that may be a tag cut by a
    chunk boundary. Meant for PubMed XML, whose elements never hold CDATA sections.
    """

    def __init__(self, stream: IO[bytes], tags: bytes | tuple[bytes, ...], *, chunk: int = 1 << 16):
        super().__init__(stream, chunk=chunk)
        names = (tags,) if isinstance(tags, bytes) else tags
        name = b"(?:%s)" % b"|".join(map(re.escape, names))
        self._open = re.compile(rb"<%s(?=[\s/>])" % name)
        self._any = re.compile(rb"<%s(?=[\s/>])|</%s\s*>" % (name, name))
        self._keep = max(map(len, names)) + 3  # longest prefix of "</tag>" that a chunk can end with
        self._depth = 0

    def _filter(self, data: bytes, *, final: bool) -> bytes:
        kept: list[bytes] = []
        pos = 0
        while True:
            match = (self._any if self._depth else self._open).search(data, pos)
            closing = match is not None and match.group().startswith(b"</")
            end = -1 if match is None else match.end() - 1 if closing else data.find(b">", match.end())
            if match is None or end < 0:  # nothing more here, or a start tag cut by the chunk end
                stop = len(data) if final else max(pos, (match.start() if match else len(data) - self._keep))
                if not self._depth:
                    kept.append(data[pos:stop])
                self._held = data[stop:]
                return b"".join(kept)
            if not self._depth:
                kept.append(data[pos : match.start()])
            self_closing = not closing and data[end - 1 : end] == b"/"
            self._depth += -1 if closing else 0 if self_closing else 1
            pos = end + 1


class CutRecords(_Filtered):
    """An XML byte stream whose ``<PubmedArticle>`` elements are cut out, each replaced by an empty
    placeholder; :meth:`take` gives the record of a placeholder, parsed on its own.

    lxml builds a record from its own bytes faster than from within a streamed document (no parse
    events, no incremental reads), while the document around the placeholders (the root, deleted
    citations, books, whatever is not well-formed) is still read by ``iterparse``. A record stays
    in the stream, read as before, whenever reading it alone could differ: its start tag has
    attributes or its end tag spaces, it refers to entities other than XML's own, or the document
    declares namespaces or an encoding other than UTF-8 before its first record (a fragment would
    not know them). Cut records wait in document order, only as many as a chunk holds; a record
    longer than ``limit`` stops the cutting. Like :class:`SkipElements`, meant for PubMed XML (no
    CDATA sections, no markup in comments).
    """

    START, END = b"<PubmedArticle>", b"</PubmedArticle>"

    def __init__(self, stream: IO[bytes], *, chunk: int = 1 << 16, limit: int = 1 << 22):
        super().__init__(stream, chunk=chunk)
        self._limit = limit
        self._records: deque[tuple[str, bytes]] = deque()
        self._token = secrets.token_hex(8)  # tells our placeholders from any element of the input
        self._count = 0
        self._cutting: bool | None = None  # decided on the first chunk
        self._parser = _xml.make_parser()

    def take(self, element: etree._Element) -> etree._Element:
        """The record standing for ``element`` if it is a placeholder, else ``element`` itself.

        :raises etree.XMLSyntaxError: when the record's bytes are not well-formed XML.
        """
        key = element.get("cut")
        if key is None or not key.startswith(self._token):
            return element
        while self._records and self._records[0][0] != key:  # placeholders never met as records
            self._records.popleft()
        return etree.fromstring(self._records.popleft()[1], self._parser) if self._records else element

    def _filter(self, data: bytes, *, final: bool) -> bytes:
        if self._cutting is None:
            first = data.find(self.START)
            self._cutting = _may_cut(data if first < 0 else data[:first])
        if not self._cutting:
            return data
        kept: list[bytes] = []
        pos = 0
        while (start := data.find(self.START, pos)) >= 0:
            end = data.find(self.END[:-1], start) + len(self.END)
            if end < len(self.END) or end > len(data):  # the record goes on in the next chunk
                break
            if data[end - 1] == 62 and not _other_entity(data, start, end):
                key = f"{self._token}-{self._count}"
                self._count += 1
                self._records.append((key, data[start:end]))
                kept += (data[pos:start], b'<PubmedArticle cut="%s"/>' % key.encode())
            else:  # 62 is ">": a record whose end tag holds spaces stays in the stream
                kept.append(data[pos:end])
            pos = end
        if start >= 0 and len(data) - start > self._limit:  # no end in sight: stop cutting
            self._cutting = False
            start = -1
        held_from = start if start >= 0 else len(data) - len(self.START)
        stop = len(data) if final or not self._cutting else max(pos, held_from)
        kept.append(data[pos:stop])
        self._held = data[stop:]
        return b"".join(kept)


# XML's five entity references and character references: a record needs no document for them.
_OWN_REFERENCE = re.compile(rb"&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);")


def _other_entity(data: bytes, start: int, end: int) -> bool:
    """True when ``data[start:end]`` refers to an entity only its document could declare."""
    at = data.find(b"&", start, end)
    while at >= 0:
        if not _OWN_REFERENCE.match(data, at, end):
            return True
        at = data.find(b"&", at + 1, end)
    return False
_ENCODING = re.compile(rb"""\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")


def _may_cut(prolog: bytes) -> bool:
    """True when a record cut from a document beginning ``prolog`` reads as it would in it: no
    namespace declared around it, and UTF-8 (the default) as the encoding."""
    encoding = _ENCODING.match(prolog)
    return b"xmlns" not in prolog and (encoding is None or encoding.group(1).lower() in (b"utf-8", b"utf8"))


def parse_pubmed(data: bytes, *, source: str | None = None) -> list[Record]:
    """Parse a whole PubMed XML document held in memory; raise on the first broken record."""
    return _xml.all_or_raise(iter_pubmed(io.BytesIO(data), source=source))


def _read(element: etree._Element, index: int, source: str | None) -> Record | ParseError:
    try:
        return parse_record(element)
    except ParseError as e:
        pmid = element.findtext(".//PMID")
        return ParseError(e.reason, source=source, record_id=f"#{index + 1}" + (f" PMID {pmid}" if pmid else ""))


def parse_deleted(element: etree._Element) -> Iterator[Record]:
    """Yield one ``deleted=True`` record per PMID of a ``DeleteCitation``."""
    for pmid_el in element.iter("PMID"):
        pmid = normalise_pmid(pmid_el.text)
        if pmid:
            yield Record(source_format="pubmed", pmid=pmid, deleted=True)


def parse_record(element: etree._Element) -> Record:
    """Read one ``PubmedArticle``, ``PubmedBookArticle`` or bare ``MedlineCitation``.

    :raises ParseError: when the record has no PMID.
    """
    if element.tag == "PubmedBookArticle":
        return parse_book(element)
    parts = _children(element)
    citation = element if element.tag == "MedlineCitation" else parts.get("MedlineCitation")
    if citation is None:
        raise ParseError("PubmedArticle without MedlineCitation")
    cit = parts if citation is element else _children(citation)
    pmid = normalise_pmid(_text(cit.get("PMID")))
    if pmid is None:
        raise ParseError("record has no PMID")
    article = cit.get("Article")
    if article is None:
        raise ParseError("MedlineCitation without Article")
    art = _children(article)
    ids = parse_article_ids(_child(parts.get("PubmedData"), "ArticleIdList"))
    abstract = art.get("Abstract")
    sections = parse_abstract(abstract)
    other = parse_other_abstracts(citation) if "OtherAbstract" in cit else ()
    pub_types = parse_publication_types(art.get("PublicationTypeList"))
    corrections = parse_corrections(cit.get("CommentsCorrectionsList"))
    journal = _children(art.get("Journal"))
    issue = _children(journal.get("JournalIssue"))
    year, pub_date, pub_date_raw = parse_pub_date(issue.get("PubDate"))
    return Record(
        source_format="pubmed",
        pmid=pmid,
        pmcid=ids.get("pmc") or (parse_other_pmcid(citation) if "OtherID" in cit else None),
        doi=(parse_doi(article) if "ELocationID" in art else None) or normalise_doi(ids.get("doi")),
        title=_inline(art.get("ArticleTitle")) or _inline(art.get("VernacularTitle")),
        abstract=join_sections(sections),
        abstract_sections=sections,
        other_abstracts=other,
        authors=parse_authors(art.get("AuthorList")),
        journal=parse_journal(journal, issue, art.get("Pagination")) if "Journal" in art else None,
        year=year,
        pub_date=pub_date,
        pub_date_raw=pub_date_raw,
        epub_date=parse_epub_date(article) if "ArticleDate" in art else None,
        language=language_code(_text(art.get("Language"))),
        publication_types=pub_types,
        mesh_terms=parse_mesh_terms(cit.get("MeshHeadingList")),
        keywords=parse_keywords(citation) if "KeywordList" in cit else (),
        trial_registrations=parse_trial_registrations(art.get("DataBankList"), sections, other),
        license=parse_license(abstract),
        retracted=is_retracted(pub_types, corrections),
        corrections=corrections,
    )


def parse_book(element: etree._Element) -> Record:
    """Read a ``PubmedBookArticle`` (a book, or a chapter of one, on NCBI Bookshelf)."""
    doc = _child(element, "BookDocument")
    pmid = normalise_pmid(_text(_child(doc, "PMID")))
    if doc is None or pmid is None:
        raise ParseError("book record has no PMID")
    parts = _children(doc)
    book = parts.get("Book")
    book_title = _inline(_child(book, "BookTitle"))
    chapter_title = _inline(parts.get("ArticleTitle"))
    ids = parse_article_ids(parts.get("ArticleIdList"))
    ids.update(parse_article_ids(_child(_child(element, "PubmedBookData"), "ArticleIdList")))
    sections = parse_abstract(parts.get("Abstract"))
    pub_types = parse_publication_types(doc)
    year, pub_date, pub_date_raw = parse_pub_date(_child(book, "PubDate"))
    return Record(
        source_format="pubmed",
        pmid=pmid,
        pmcid=ids.get("pmc"),
        doi=normalise_doi(ids.get("doi")),
        title=chapter_title or book_title,
        abstract=join_sections(sections),
        abstract_sections=sections,
        authors=parse_book_authors(doc, book),
        journal=Journal(title=book_title) if chapter_title and book_title else None,
        publisher=_text(_child(_child(book, "Publisher"), "PublisherName")),
        year=year,
        pub_date=pub_date,
        pub_date_raw=pub_date_raw,
        language=language_code(_text(parts.get("Language"))),
        publication_types=pub_types,
        keywords=parse_keywords(doc),
        trial_registrations=find_trial_registrations(join_sections(sections)),
        license=parse_license(parts.get("Abstract")),
        retracted=is_retracted(pub_types, ()),
    )


# --- one function per field ----------------------------------------------------------------------
# lxml's find()/findall() go through a Python-level path engine; these readers walk the children
# once instead (``_children``, ``iterchildren(tag)``), which keeps parsing several times faster.


def parse_article_ids(id_list: etree._Element | None) -> dict[str, str]:
    """Map ``IdType`` -> value for an ``ArticleIdList`` (``pmc`` normalised to "PMC…")."""
    if id_list is None:
        return {}
    ids: dict[str, str] = {}
    for el in id_list.iterchildren("ArticleId"):
        kind, value = el.get("IdType"), _code(el)
        if kind and value and kind not in ids:
            ids[kind] = value
    if "pmc" in ids:
        pmcid = normalise_pmcid(ids.pop("pmc"))
        if pmcid:
            ids["pmc"] = pmcid
    return ids


def parse_other_pmcid(citation: etree._Element) -> str | None:
    """The PMC ID in an ``OtherID`` ("PMC4688250 [Available on 12/22/16]"), used by baseline files."""
    for el in citation.iterchildren("OtherID"):
        text = (el.text or "").strip()
        if text.upper().startswith("PMC"):
            return normalise_pmcid(text.split()[0])
    return None


def parse_doi(article: etree._Element) -> str | None:
    """The DOI from ``ELocationID EIdType="doi"`` (a ``pii`` is never taken for a DOI)."""
    for el in article.iterchildren("ELocationID"):
        if el.get("EIdType") == "doi" and el.get("ValidYN", "Y") == "Y":
            doi = normalise_doi(el.text)
            if doi:
                return doi
    return None


def parse_abstract(abstract: etree._Element | None) -> tuple[AbstractSection, ...]:
    """Every ``AbstractText`` with its ``Label`` and ``NlmCategory``, markup kept as text."""
    if abstract is None:
        return ()
    sections = []
    for el in abstract.iterchildren("AbstractText"):
        text = _inline(el)
        label = _attr(el, "Label")
        if text or label:
            sections.append(AbstractSection(label, _attr(el, "NlmCategory"), text or ""))
    return tuple(sections)


def join_sections(sections: tuple[AbstractSection, ...]) -> str | None:
    """The plain-text abstract: "LABEL: text" per labelled section, sections joined by newlines."""
    if not sections:
        return None
    return "\n".join([f"{s.label}: {s.text}" if s.label else s.text for s in sections]).strip() or None


def parse_other_abstracts(citation: etree._Element) -> tuple[OtherAbstract, ...]:
    """``OtherAbstract`` elements (translations, plain-language or publisher abstracts)."""
    found = []
    for el in citation.iterchildren("OtherAbstract"):
        text = join_sections(parse_abstract(el))
        if text:
            found.append(OtherAbstract(type=_attr(el, "Type"), language=language_code(el.get("Language")), text=text))
    return tuple(found)


def parse_authors(author_list: etree._Element | None) -> tuple[Author, ...]:
    """People and groups of an ``AuthorList`` (invalid names, ``ValidYN="N"``, are left out)."""
    if author_list is None:
        return ()
    found = []
    for el in author_list.iterchildren("Author"):
        if el.get("ValidYN") != "N":
            found.append(parse_author(el))
    return tuple(found)


def parse_book_authors(doc: etree._Element, book: etree._Element | None) -> tuple[Author, ...]:
    """The authors of a book or chapter; editors (``AuthorList Type="editors"``) are not authors."""
    for holder in (doc, book):
        if holder is None:
            continue
        for author_list in holder.iterchildren("AuthorList"):
            if author_list.get("Type", "authors") == "authors":
                return parse_authors(author_list)
    return ()


def parse_author(el: etree._Element) -> Author:
    """One ``Author``: a person, or a ``CollectiveName``, with every affiliation and the ORCID."""
    # One pass over the children into locals (no dict of names): authors are a quarter of the
    # per-record work. A repeated name element keeps its last value, as before.
    family = given = initials = first = middle = collective = orcid = None
    affiliations: list[str] = []
    for child in el[:]:  # a slice builds its proxies faster than iterating
        tag = child.tag
        if tag == "LastName":
            family = _clean(text) if (text := child.text) else None
        elif tag == "ForeName":
            given = _clean(text) if (text := child.text) else None
        elif tag == "Initials":
            initials = _clean(text) if (text := child.text) else None
        elif tag == "AffiliationInfo":
            for affiliation in child:  # usually one Affiliation (and maybe an Identifier)
                if affiliation.tag == "Affiliation" and (text := _inline(affiliation)):
                    affiliations.append(text)
        elif tag == "Identifier":
            if orcid is None and child.get("Source") == "ORCID":
                orcid = normalise_orcid(child.text)
        elif tag == "CollectiveName":
            collective = _inline(child)
        elif tag == "Affiliation" and (text := _inline(child)):  # before the 2014 DTD: directly in Author
            affiliations.append(text)
        elif tag == "FirstName":
            first = _text(child)
        elif tag == "MiddleName":
            middle = _text(child)
    if collective:
        return Author(collective=collective, affiliations=tuple(affiliations), orcid=orcid)
    return Author(family, given or _join(first, middle), initials, None, tuple(affiliations), orcid)


def parse_journal(
    parts: dict[str, etree._Element], issue: dict[str, etree._Element], pagination: etree._Element | None
) -> Journal:
    """Journal title, ISO abbreviation, ISSN, volume, issue and pages (``parts`` and ``issue``: the
    children of the ``Journal`` and of its ``JournalIssue`` by tag, also read for the date)."""
    return Journal(
        title=_inline(parts.get("Title")),
        iso_abbrev=_text(parts.get("ISOAbbreviation")),
        issn=_text(parts.get("ISSN")),
        volume=_text(issue.get("Volume")),
        issue=_text(issue.get("Issue")),
        pages=parse_pages(pagination),
    )


def parse_pages(pagination: etree._Element | None) -> str | None:
    """``MedlinePgn``, else ``StartPage``-``EndPage``."""
    parts = _children(pagination)
    pages = _text(parts.get("MedlinePgn"))
    if pages:
        return pages
    start, end = _text(parts.get("StartPage")), _text(parts.get("EndPage"))
    return f"{start}-{end}" if start and end else start


def parse_pub_date(pub_date: etree._Element | None) -> tuple[int | None, str | None, str | None]:
    """(year, ISO date as precise as known, raw text) of a ``PubDate`` (``MedlineDate`` included)."""
    if pub_date is None:
        return None, None, None
    texts = _leaf_texts(pub_date)
    return _pub_date(texts.get("Year"), texts.get("Month"), texts.get("Day"), texts.get("Season"),
                     texts.get("MedlineDate"))


@lru_cache(maxsize=4096)  # the same few thousand dates, again and again
def _pub_date(year: str | None, month: str | None, day: str | None, season: str | None,
              medline_date: str | None) -> tuple[int | None, str | None, str | None]:
    """:func:`parse_pub_date` of the raw texts of a ``PubDate``'s leaves."""
    medline = _clean(medline_date) if medline_date else None
    if medline:
        y, m, d = parse_medline_date(medline)
        return y, iso_date(y, m, d), medline
    y, m, d, season = _strip(year), _strip(month), _strip(day), _strip(season)
    raw = " ".join(p for p in (y, m, d, season) if p) or None
    month = month_number(m) or season_month(season) or parse_medline_date(season)[1]
    date = iso_date(y, month, d)
    return (int(date[:4]) if date else None), date, raw


def parse_epub_date(article: etree._Element) -> str | None:
    """The electronic publication date (``ArticleDate DateType="Electronic"``) as ISO."""
    for el in article.iterchildren("ArticleDate"):
        if el.get("DateType", "Electronic") == "Electronic":
            texts = _leaf_texts(el)
            return _epub_date(texts.get("Year"), texts.get("Month"), texts.get("Day"))
    return None


@lru_cache(maxsize=4096)
def _epub_date(year: str | None, month: str | None, day: str | None) -> str | None:
    """:func:`parse_epub_date` of the raw texts of an ``ArticleDate``'s leaves."""
    return iso_date(*(_clean(text) if text else None for text in (year, month, day)))


def parse_publication_types(holder: etree._Element | None) -> tuple[str, ...]:
    """``PublicationType`` names, in order."""
    return () if holder is None else _stripped_texts(holder.iterchildren("PublicationType"))


def parse_mesh_terms(mesh_list: etree._Element | None) -> tuple[str, ...]:
    """MeSH descriptor names, in order (qualifiers are not appended)."""
    # The DTD gives each MeshHeading one DescriptorName, and nothing else in a MeshHeadingList
    # holds one: iter() finds them in C, without a proxy for each heading.
    return () if mesh_list is None else _stripped_texts(mesh_list.iter("DescriptorName"))


def _stripped_texts(elements: Iterator[etree._Element]) -> tuple[str, ...]:
    """The non-blank texts of ``elements``, stripped, in order."""
    return tuple(stripped for el in elements if el.text and (stripped := el.text.strip()))


def parse_keywords(holder: etree._Element) -> tuple[str, ...]:
    """Keywords of every ``KeywordList``, in order, without duplicates."""
    found = (_inline(k) for kl in holder.iterchildren("KeywordList") for k in kl.iterchildren("Keyword"))
    return tuple(dict.fromkeys(k for k in found if k))


def parse_databank_registrations(databanks: etree._Element | None) -> tuple[str, ...]:
    """Accession numbers listed under trial-registry ``DataBank`` names (not GenBank, PDB, ...)."""
    if databanks is None:
        return ()
    found: list[str] = []
    for bank in databanks.iterchildren("DataBank"):
        parts = _children(bank)
        if (_text(parts.get("DataBankName")) or "").lower() not in TRIAL_DATABANKS:
            continue
        for el in _children(parts.get("AccessionNumberList"), many=True).get("AccessionNumber", ()):
            text = _text(el)
            if text:
                found.extend(find_trial_registrations(text) or (text,))
    return tuple(found)


def parse_trial_registrations(
    databanks: etree._Element | None,
    sections: tuple[AbstractSection, ...],
    other: tuple[OtherAbstract, ...],
) -> tuple[str, ...]:
    """Registry IDs from the ``DataBankList``, then those written in the abstracts."""
    texts = [s.text for s in sections] + [o.text for o in other]
    in_text = find_trial_registrations("\n".join(texts))
    banked = parse_databank_registrations(databanks)
    return tuple(dict.fromkeys(banked + in_text)) if banked else in_text


def parse_license(abstract: etree._Element | None) -> str | None:
    """A Creative Commons licence named in the abstract's ``CopyrightInformation``."""
    copyright_el = _child(abstract, "CopyrightInformation")
    return normalise_license(_text(copyright_el)) if copyright_el is not None else None


def parse_corrections(comments: etree._Element | None) -> tuple[Correction, ...]:
    """``CommentsCorrections`` links (errata, retractions, comments, updates), not ``Cites``."""
    if comments is None:
        return ()
    found = []
    for el in comments.iterchildren("CommentsCorrections"):
        kind = el.get("RefType")
        if kind and kind != "Cites":
            found.append(Correction(type=kind, pmid=normalise_pmid(_text(_child(el, "PMID")))))
    return tuple(found)


def is_retracted(pub_types: tuple[str, ...], corrections: tuple[Correction, ...]) -> bool:
    """True for a "Retracted Publication" or a record with a ``RetractionIn`` link."""
    return not _RETRACTION_TYPES.isdisjoint(pub_types) or any(c.type == "RetractionIn" for c in corrections)


# --- element and text helpers --------------------------------------------------------------------


def _child(el: etree._Element | None, tag: str) -> etree._Element | None:
    """The first child ``tag`` of ``el`` (None when ``el`` is None or has none)."""
    if el is None:
        return None
    for child in el:  # cheaper than iterchildren(tag) on the few children these elements have
        if child.tag == tag:
            return child
    return None


def _children(el: etree._Element | None, *, many: bool = False) -> dict[str, Any]:
    """The children of ``el`` by tag: the first of each tag, or (``many``) a list of all."""
    if el is None:
        return {}
    if many:
        grouped: dict[str, list[etree._Element]] = {}
        for child in el:
            grouped.setdefault(child.tag, []).append(child)
        return grouped
    return {child.tag: child for child in el[::-1]}  # a slice builds its proxies faster than iterating


def _leaf_texts(el: etree._Element) -> dict[str, str | None]:
    """The raw text of the first child of each tag of ``el`` (a date's Year, Month, Day...)."""
    return {child.tag: child.text for child in el[::-1]}


def _strip(text: str | None) -> str | None:
    """``text`` stripped, None when missing or blank (as :func:`_code` reads a leaf)."""
    return text.strip() or None if text else None


def _code(el: etree._Element | None) -> str | None:
    """The stripped text of a leaf holding a code, number or controlled term (no inner spaces to fix)."""
    if el is None:
        return None
    text = el.text
    return text.strip() or None if text else None


def _text(el: etree._Element | None) -> str | None:
    """Stripped text of a leaf element, NFC-normalised; None when missing or blank."""
    if el is None:
        return None
    text = el.text
    return _clean(text) if text else None


def _clean(text: str) -> str | None:
    """``text`` with its whitespace collapsed and stripped, NFC-normalised; None when blank.

    Most texts need neither step, and finding that out is cheaper than doing them. Whitespace is
    to fix when a text holds any but the space, runs of spaces, or spaces at its ends. In ASCII
    text (most) the only other whitespace XML lets through is tab, newline and carriage return
    (libxml2 refuses every other control character, even as a reference), each found by memchr;
    in other text, every whitespace character but the space is non-printable.
    """
    if text.isascii():
        if text.isalnum() or not (
            "\n" in text or "\t" in text or "\r" in text or "  " in text or text[0] == " " or text[-1] == " "
        ):
            return text
        return " ".join(text.split()) or None
    if not (text.isprintable() and "  " not in text and text[0] != " " and text[-1] != " "):
        text = " ".join(text.split())
        if not text:
            return None
    return unicodedata.normalize("NFC", text)


def _inline(el: etree._Element | None) -> str | None:
    """Mixed-content text (``_xml.inline_text``), with a fast path for elements without markup."""
    if el is None:
        return None
    if len(el) == 0:
        text = el.text
        return _clean(text) if text else None
    text = _xml.inline_text(el)
    return _nfc(text) if text else None


def _attr(el: etree._Element, name: str) -> str | None:
    value = el.get(name)
    return value.strip() or None if value else None


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _join(*parts: str | None) -> str | None:
    return " ".join(p for p in parts if p) or None
