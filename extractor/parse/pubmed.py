"""PubMed XML (efetch db=pubmed, PubMed exports, NLM baseline files) -> :class:`Record`.

Streams ``PubmedArticleSet`` and the older ``MedlineCitationSet`` with ``iterparse``, clearing each
record once read, so memory stays flat however many records a file holds. Handles
``PubmedArticle``, ``PubmedBookArticle``, bare ``MedlineCitation`` (baseline files) and
``DeleteCitation`` (one ``deleted=True`` record per PMID).

Element reference: https://www.nlm.nih.gov/bsd/licensee/elements_descriptions.html
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from typing import IO

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


def iter_pubmed(stream: IO[bytes], *, source: str | None = None) -> Iterator[Record | ParseError]:
    """Stream the records of a PubMed XML document, one :class:`Record` per article.

    A record that cannot be read is yielded as a :class:`ParseError` (naming its index and PMID)
    and the stream goes on; XML that stops being well-formed ends the stream with a final
    ``ParseError``. The caller decides whether to raise or skip.
    """
    index = 0
    try:
        for _, element in _xml.iterparse(stream, RECORD_TAGS):
            if element.tag == "MedlineCitation" and element.getparent() is not None and (
                element.getparent().tag != "MedlineCitationSet"
            ):
                continue  # the citation inside a PubmedArticle: read with its article
            yield from _read(element, index, source)
            index += 1
            _release(element)
    except etree.XMLSyntaxError as e:
        reason = f"not well-formed XML (the file stops being XML here; {index} records read before): {e.msg}"
        yield ParseError(reason, source=source, record_id=f"#{index + 1}")


def parse_pubmed(data: bytes, *, source: str | None = None) -> list[Record]:
    """Parse a whole PubMed XML document held in memory; raise on the first broken record."""
    records = []
    for item in iter_pubmed(io.BytesIO(data), source=source):
        if isinstance(item, ParseError):
            raise item
        records.append(item)
    return records


def _read(element: etree._Element, index: int, source: str | None) -> Iterator[Record | ParseError]:
    try:
        if element.tag == "DeleteCitation":
            yield from parse_deleted(element)
        else:
            yield parse_record(element)
    except ParseError as e:
        pmid = element.findtext(".//PMID")
        yield ParseError(e.reason, source=source, record_id=f"#{index + 1}" + (f" PMID {pmid}" if pmid else ""))


def _release(element: etree._Element) -> None:
    """Free a record once read: its content and every earlier sibling still held by the root."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    if parent is None:
        return
    while element.getprevious() is not None:
        del parent[0]


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
    citation = element if element.tag == "MedlineCitation" else element.find("MedlineCitation")
    if citation is None:
        raise ParseError("PubmedArticle without MedlineCitation")
    pmid = normalise_pmid(citation.findtext("PMID"))
    if pmid is None:
        raise ParseError("record has no PMID")
    article = citation.find("Article")
    if article is None:
        raise ParseError("MedlineCitation without Article")
    ids = parse_article_ids(element.find("PubmedData/ArticleIdList"))
    sections = parse_abstract(article.find("Abstract"))
    other = parse_other_abstracts(citation)
    pub_types = parse_publication_types(article.find("PublicationTypeList"))
    corrections = parse_corrections(citation.find("CommentsCorrectionsList"))
    year, pub_date, pub_date_raw = parse_pub_date(article.find("Journal/JournalIssue/PubDate"))
    return Record(
        source_format="pubmed",
        pmid=pmid,
        pmcid=ids.get("pmc") or parse_other_pmcid(citation),
        doi=parse_doi(article) or normalise_doi(ids.get("doi")),
        title=parse_title(article),
        abstract=join_sections(sections),
        abstract_sections=sections,
        other_abstracts=other,
        authors=parse_authors(article.find("AuthorList")),
        journal=parse_journal(article),
        year=year,
        pub_date=pub_date,
        pub_date_raw=pub_date_raw,
        epub_date=parse_epub_date(article),
        language=parse_language(article),
        publication_types=pub_types,
        mesh_terms=parse_mesh_terms(citation.find("MeshHeadingList")),
        keywords=parse_keywords(citation),
        trial_registrations=parse_trial_registrations(article, sections, other),
        license=parse_license(article.find("Abstract")),
        retracted=is_retracted(pub_types, corrections),
        corrections=corrections,
    )


def parse_book(element: etree._Element) -> Record:
    """Read a ``PubmedBookArticle`` (a book, or a chapter of one, on NCBI Bookshelf)."""
    doc = element.find("BookDocument")
    pmid = normalise_pmid(doc.findtext("PMID")) if doc is not None else None
    if doc is None or pmid is None:
        raise ParseError("book record has no PMID")
    book = doc.find("Book")
    book_title = _inline(book.find("BookTitle")) if book is not None else None
    chapter_title = _inline(doc.find("ArticleTitle"))
    ids = parse_article_ids(doc.find("ArticleIdList"))
    ids.update(parse_article_ids(element.find("PubmedBookData/ArticleIdList")))
    sections = parse_abstract(doc.find("Abstract"))
    pub_types = parse_publication_types(doc)
    year, pub_date, pub_date_raw = parse_pub_date(book.find("PubDate") if book is not None else None)
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
        publisher=_text(book.find("Publisher/PublisherName")) if book is not None else None,
        year=year,
        pub_date=pub_date,
        pub_date_raw=pub_date_raw,
        language=parse_language(doc),
        publication_types=pub_types,
        keywords=parse_keywords(doc),
        trial_registrations=find_trial_registrations(join_sections(sections)),
        license=parse_license(doc.find("Abstract")),
        retracted=is_retracted(pub_types, ()),
    )


# --- one function per field ----------------------------------------------------------------------


def parse_article_ids(id_list: etree._Element | None) -> dict[str, str]:
    """Map ``IdType`` -> value for an ``ArticleIdList`` (``pmc`` normalised to "PMC…")."""
    if id_list is None:
        return {}
    ids: dict[str, str] = {}
    for el in id_list.iterfind("ArticleId"):
        kind, value = el.get("IdType"), _text(el)
        if kind and value and kind not in ids:
            ids[kind] = value
    if "pmc" in ids:
        pmcid = normalise_pmcid(ids["pmc"])
        ids.pop("pmc")
        if pmcid:
            ids["pmc"] = pmcid
    return ids


def parse_other_pmcid(citation: etree._Element) -> str | None:
    """The PMC ID in an ``OtherID`` ("PMC4688250 [Available on 12/22/16]"), used by baseline files."""
    for el in citation.iterfind("OtherID"):
        text = (el.text or "").strip()
        if text.upper().startswith("PMC"):
            return normalise_pmcid(text.split()[0])
    return None


def parse_doi(article: etree._Element) -> str | None:
    """The DOI from ``ELocationID EIdType="doi"`` (a ``pii`` is never taken for a DOI)."""
    for el in article.iterfind("ELocationID"):
        if el.get("EIdType") == "doi" and el.get("ValidYN", "Y") == "Y":
            doi = normalise_doi(el.text)
            if doi:
                return doi
    return None


def parse_title(article: etree._Element) -> str | None:
    """``ArticleTitle`` with inline markup kept as text, else the ``VernacularTitle``."""
    return _inline(article.find("ArticleTitle")) or _inline(article.find("VernacularTitle"))


def parse_abstract(abstract: etree._Element | None) -> tuple[AbstractSection, ...]:
    """Every ``AbstractText`` with its ``Label`` and ``NlmCategory``, markup kept as text."""
    if abstract is None:
        return ()
    sections = []
    for el in abstract.iterfind("AbstractText"):
        text = _inline(el)
        label = _attr(el, "Label")
        if text or label:
            sections.append(AbstractSection(label=label, nlm_category=_attr(el, "NlmCategory"), text=text or ""))
    return tuple(sections)


def join_sections(sections: tuple[AbstractSection, ...]) -> str | None:
    """The plain-text abstract: "LABEL: text" per labelled section, sections joined by newlines."""
    if not sections:
        return None
    return "\n".join(f"{s.label}: {s.text}" if s.label else s.text for s in sections).strip() or None


def parse_other_abstracts(citation: etree._Element) -> tuple[OtherAbstract, ...]:
    """``OtherAbstract`` elements (translations, plain-language or publisher abstracts)."""
    found = []
    for el in citation.iterfind("OtherAbstract"):
        text = join_sections(parse_abstract(el))
        if text:
            found.append(OtherAbstract(type=_attr(el, "Type"), language=language_code(el.get("Language")), text=text))
    return tuple(found)


def parse_authors(author_list: etree._Element | None) -> tuple[Author, ...]:
    """People and groups of an ``AuthorList`` (invalid names, ``ValidYN="N"``, are left out)."""
    if author_list is None:
        return ()
    return tuple(parse_author(el) for el in author_list.iterfind("Author") if el.get("ValidYN") != "N")


def parse_book_authors(doc: etree._Element, book: etree._Element | None) -> tuple[Author, ...]:
    """The authors of a book or chapter; editors (``AuthorList Type="editors"``) are not authors."""
    for holder in (doc, book):
        if holder is None:
            continue
        for author_list in holder.iterfind("AuthorList"):
            if author_list.get("Type", "authors") == "authors":
                return parse_authors(author_list)
    return ()


def parse_author(el: etree._Element) -> Author:
    """One ``Author``: a person, or a ``CollectiveName``, with every affiliation and the ORCID."""
    affiliations = tuple(
        a for a in (_inline(x) for x in el.iterfind("AffiliationInfo/Affiliation")) if a
    ) or tuple(a for a in (_inline(x) for x in el.iterfind("Affiliation")) if a)
    orcid = next(
        (normalise_orcid(i.text) for i in el.iterfind("Identifier") if i.get("Source") == "ORCID"), None
    )
    collective = _inline(el.find("CollectiveName"))
    if collective:
        return Author(collective=collective, affiliations=affiliations, orcid=orcid)
    given = _text(el.find("ForeName")) or _join(_text(el.find("FirstName")), _text(el.find("MiddleName")))
    return Author(
        family=_text(el.find("LastName")),
        given=given,
        initials=_text(el.find("Initials")),
        affiliations=affiliations,
        orcid=orcid,
    )


def parse_journal(article: etree._Element) -> Journal | None:
    """Journal title, ISO abbreviation, ISSN, volume, issue and pages."""
    journal = article.find("Journal")
    if journal is None:
        return None
    issue = journal.find("JournalIssue")
    return Journal(
        title=_inline(journal.find("Title")),
        iso_abbrev=_text(journal.find("ISOAbbreviation")),
        issn=_text(journal.find("ISSN")),
        volume=_text(issue.find("Volume")) if issue is not None else None,
        issue=_text(issue.find("Issue")) if issue is not None else None,
        pages=parse_pages(article.find("Pagination")),
    )


def parse_pages(pagination: etree._Element | None) -> str | None:
    """``MedlinePgn``, else ``StartPage``-``EndPage``."""
    if pagination is None:
        return None
    pages = _text(pagination.find("MedlinePgn"))
    if pages:
        return pages
    start, end = _text(pagination.find("StartPage")), _text(pagination.find("EndPage"))
    return f"{start}-{end}" if start and end else start


def parse_pub_date(pub_date: etree._Element | None) -> tuple[int | None, str | None, str | None]:
    """(year, ISO date as precise as known, raw text) of a ``PubDate`` (``MedlineDate`` included)."""
    if pub_date is None:
        return None, None, None
    medline = _text(pub_date.find("MedlineDate"))
    if medline:
        year, month, day = parse_medline_date(medline)
        return year, iso_date(year, month, day), medline
    y, m, d, season = (_text(pub_date.find(t)) for t in ("Year", "Month", "Day", "Season"))
    raw = " ".join(p for p in (y, m, d, season) if p) or None
    month = month_number(m) or season_month(season) or parse_medline_date(season)[1]
    date = iso_date(y, month, d)
    return (int(date[:4]) if date else None), date, raw


def parse_epub_date(article: etree._Element) -> str | None:
    """The electronic publication date (``ArticleDate DateType="Electronic"``) as ISO."""
    for el in article.iterfind("ArticleDate"):
        if el.get("DateType", "Electronic") == "Electronic":
            return iso_date(el.findtext("Year"), el.findtext("Month"), el.findtext("Day"))
    return None


def parse_language(holder: etree._Element) -> str | None:
    """The first ``Language`` as ISO 639-1 (PubMed writes ISO 639-2/B, "eng")."""
    return language_code(holder.findtext("Language"))


def parse_publication_types(holder: etree._Element | None) -> tuple[str, ...]:
    """``PublicationType`` names, in order."""
    if holder is None:
        return ()
    return tuple(t for t in (_text(el) for el in holder.iterfind("PublicationType")) if t)


def parse_mesh_terms(mesh_list: etree._Element | None) -> tuple[str, ...]:
    """MeSH descriptor names, in order (qualifiers are not appended)."""
    if mesh_list is None:
        return ()
    return tuple(t for t in (_text(el) for el in mesh_list.iterfind("MeshHeading/DescriptorName")) if t)


def parse_keywords(holder: etree._Element) -> tuple[str, ...]:
    """Keywords of every ``KeywordList``, in order, without duplicates."""
    found = (_inline(el) for el in holder.iterfind("KeywordList/Keyword"))
    return tuple(dict.fromkeys(k for k in found if k))


def parse_databank_registrations(article: etree._Element) -> tuple[str, ...]:
    """Accession numbers listed under trial-registry ``DataBank`` names (not GenBank, PDB, ...)."""
    found: list[str] = []
    for bank in article.iterfind("DataBankList/DataBank"):
        if (bank.findtext("DataBankName") or "").strip().lower() not in TRIAL_DATABANKS:
            continue
        for el in bank.iterfind("AccessionNumberList/AccessionNumber"):
            text = _text(el)
            if text:
                found.extend(find_trial_registrations(text) or (text,))
    return tuple(found)


def parse_trial_registrations(
    article: etree._Element,
    sections: tuple[AbstractSection, ...],
    other: tuple[OtherAbstract, ...],
) -> tuple[str, ...]:
    """Registry IDs from the ``DataBankList``, then those written in the abstracts."""
    texts = [s.text for s in sections] + [o.text for o in other]
    in_text = find_trial_registrations("\n".join(texts))
    return tuple(dict.fromkeys(parse_databank_registrations(article) + in_text))


def parse_license(abstract: etree._Element | None) -> str | None:
    """A Creative Commons licence named in the abstract's ``CopyrightInformation``."""
    if abstract is None:
        return None
    return normalise_license(abstract.findtext("CopyrightInformation"))


def parse_corrections(comments: etree._Element | None) -> tuple[Correction, ...]:
    """``CommentsCorrections`` links (errata, retractions, comments, updates), not ``Cites``."""
    if comments is None:
        return ()
    found = []
    for el in comments.iterfind("CommentsCorrections"):
        kind = el.get("RefType")
        if kind and kind != "Cites":
            found.append(Correction(type=kind, pmid=normalise_pmid(el.findtext("PMID"))))
    return tuple(found)


def is_retracted(pub_types: tuple[str, ...], corrections: tuple[Correction, ...]) -> bool:
    """True for a "Retracted Publication" or a record with a ``RetractionIn`` link."""
    return any(t in _RETRACTION_TYPES for t in pub_types) or any(c.type == "RetractionIn" for c in corrections)


# --- text helpers --------------------------------------------------------------------------------


def _text(el: etree._Element | None) -> str | None:
    """Stripped text of a leaf element, NFC-normalised; None when missing or blank."""
    if el is None:
        return None
    return _nfc(" ".join((el.text or "").split())) or None


def _inline(el: etree._Element | None) -> str | None:
    text = _xml.inline_text(el)
    return _nfc(text) if text else None


def _attr(el: etree._Element, name: str) -> str | None:
    value = el.get(name)
    return value.strip() or None if value else None


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _join(*parts: str | None) -> str | None:
    return " ".join(p for p in parts if p) or None
