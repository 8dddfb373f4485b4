"""Check E-utilities answers and split them into what we keep.

Every answer is parsed in full before anything is kept: an HTTP 200 that is not well-formed XML
(a truncated body, an HTML error page), that is JSON carrying ``"error"``, or whose root is (or
directly holds) ``<ERROR>``, raises :class:`~extractor.errors.EutilsError`, which the client
retries and the cache never sees. Answers are documented at https://www.ncbi.nlm.nih.gov/books/NBK25499/.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from lxml import etree

from extractor.errors import EutilsError, ParseError
from extractor.normalise import normalise_doi, normalise_pmid
from extractor.normalise import normalise_pmcid as _strict_pmcid
from extractor.parse._xml import check_prolog, make_parser

__all__ = [
    "RECORD_TAGS",
    "IdRecord",
    "SearchPage",
    "article_ids",
    "check_record",
    "parse_answer",
    "parse_elink",
    "parse_esearch",
    "parse_idconv",
    "split_records",
]

_LOG = logging.getLogger(__name__)

# The root element each database's efetch answer must have, and the record elements inside it.
ROOTS = {"pubmed": "PubmedArticleSet", "pmc": "pmc-articleset"}
RECORD_TAGS = {
    "pubmed": frozenset({"PubmedArticle", "PubmedBookArticle", "DeleteCitation"}),
    "pmc": frozenset({"article"}),
}
_PMC_ID_TYPES = ("pmc", "pmcid")


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One esearch answer: the hit count, a slice of the IDs, and the history-server handles."""

    count: int
    retstart: int
    ids: tuple[str, ...]
    webenv: str | None
    query_key: str | None
    warnings: tuple[str, ...] = ()


def parse_answer(body: bytes, root_tag: str) -> etree._Element:
    """Parse an answer and check it is a complete ``root_tag`` document with no ``<ERROR>``.

    Raises
    ------
    EutilsError
        JSON error, HTML, truncated or otherwise invalid XML, an ``<ERROR>``, or another root.
    """
    stripped = body.lstrip()
    if stripped[:1] in (b"{", b"["):
        raise EutilsError(f"expected XML, got JSON: {_json_error(stripped)}")
    try:
        check_prolog(body[:65536])
        root = etree.fromstring(body, parser=make_parser())
    except (ParseError, etree.XMLSyntaxError) as e:
        raise EutilsError(f"answer is not well-formed XML (truncated or an error page): {e}") from e
    message = _error_text(root)
    if message is not None:
        raise EutilsError(f"E-utilities answered with an error: {message}")
    if root.tag != root_tag:
        raise EutilsError(f"expected a <{root_tag}> answer, got <{root.tag}>")
    return root


def _json_error(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return "unreadable JSON"
    if isinstance(data, dict):
        return str(data.get("error") or data.get("ERROR") or "no error field")
    return "not an object"


def _error_text(root: etree._Element) -> str | None:
    if root.tag == "ERROR":
        return (root.text or "").strip() or "(empty)"
    found = root.find("ERROR")
    if found is not None:
        return (found.text or "").strip() or "(empty)"
    return None


def split_records(db: str, body: bytes) -> dict[str, bytes]:
    """Split an efetch answer into one serialised record element per ID.

    PubMed records are keyed by PMID (``DeleteCitation`` lists several, each keyed with the same
    element); PMC records by PMCID with its ``PMC`` prefix. Other elements are ignored.
    """
    root = parse_answer(body, ROOTS[db])
    records: dict[str, bytes] = {}
    for element in root:
        if element.tag not in RECORD_TAGS[db]:
            continue
        for record_id in record_ids(db, element):
            records.setdefault(record_id, etree.tostring(element, encoding="utf-8"))
    return records


def record_ids(db: str, element: etree._Element) -> list[str]:
    """The IDs a record element stands for (empty if it carries none)."""
    if db == "pmc":
        return [pmcid] if (pmcid := _pmcid(element)) else []
    if element.tag == "DeleteCitation":
        return [text for pmid in element.findall("PMID") if (text := _text(pmid))]
    path = "BookDocument/PMID" if element.tag == "PubmedBookArticle" else "MedlineCitation/PMID"
    pmid = _text(element.find(path))
    return [pmid] if pmid else []


def _pmcid(article: etree._Element) -> str | None:
    for type_ in _PMC_ID_TYPES:
        found = article.find(f"front/article-meta/article-id[@pub-id-type='{type_}']")
        if (text := _text(found)) is not None:
            return normalise_pmcid(text)
    return None


def normalise_pmcid(value: str) -> str:
    """``"PMC123"``, ``"pmc123"`` or ``"123"`` -> ``"PMC123"``."""
    value = value.strip()
    return "PMC" + (value[3:] if value[:3].upper() == "PMC" else value)


def _text(element: etree._Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def check_record(db: str, xml: bytes) -> etree._Element:
    """Refuse to keep anything but one well-formed record element of ``db``; return the element.

    Raises
    ------
    EutilsError
        When ``xml`` is not such an element (the cache calls this before every write).
    """
    try:
        element = etree.fromstring(xml, parser=make_parser())
    except etree.XMLSyntaxError as e:
        raise EutilsError(f"not a well-formed {db} record: {e}") from e
    if element.tag not in RECORD_TAGS[db] or not record_ids(db, element):
        raise EutilsError(f"not a {db} record: <{element.tag}>")
    return element


def article_ids(db: str, element: etree._Element) -> dict[str, str]:
    """The article's own PMID, PMCID and DOI as its record states them (kind -> value).

    Only the record's own IDs count: a PubMed record's reference list names other articles.
    """
    if db == "pmc":
        meta = element.find("front/article-meta")
        found = {} if meta is None else {
            kind: text for el in meta.iterfind("article-id")
            if (kind := _PMC_ID_KINDS.get(el.get("pub-id-type") or "")) and (text := _text(el))}  # fmt: skip
    elif element.tag == "PubmedArticle":
        found = _pubmed_ids(element)
    else:
        found = {}
    ids = {"pmid": normalise_pmid(found.get("pmid")), "pmcid": _strict_pmcid(found.get("pmcid")),
           "doi": normalise_doi(found.get("doi"))}  # fmt: skip
    return {kind: value for kind, value in ids.items() if value}


_PMC_ID_KINDS = {"pmid": "pmid", "pmc": "pmcid", "pmcid": "pmcid", "doi": "doi"}


def _pubmed_ids(element: etree._Element) -> dict[str, str]:
    citation = element.find("MedlineCitation")
    found: dict[str, str] = {}
    for el in element.iterfind("PubmedData/ArticleIdList/ArticleId"):
        kind = {"pubmed": "pmid", "pmc": "pmcid", "doi": "doi"}.get(el.get("IdType") or "")
        if kind and (text := _text(el)):
            found.setdefault(kind, text)
    if citation is not None:
        found.setdefault("pmid", _text(citation.find("PMID")) or "")
        for el in citation.iterfind("Article/ELocationID"):
            if el.get("EIdType") == "doi" and (text := _text(el)):
                found.setdefault("doi", text)
        for el in citation.iterfind("OtherID"):  # baseline files: "PMC4688250 [Available on ...]"
            if (text := _text(el)) and text.upper().startswith("PMC"):
                found.setdefault("pmcid", text.split()[0])
    return found


def parse_esearch(body: bytes) -> SearchPage:
    """Read an esearch XML answer (``eSearchResult``)."""
    root = parse_answer(body, "eSearchResult")
    count = _text(root.find("Count"))
    if count is None or not count.isdigit():
        raise EutilsError("esearch answer has no <Count>")
    warnings = tuple(
        f"{el.tag}: {el.text}" for el in root.iterfind("ErrorList/*") if el.text
    ) + tuple(f"{el.tag}: {el.text}" for el in root.iterfind("WarningList/*") if el.text)
    return SearchPage(
        count=int(count),
        retstart=int(_text(root.find("RetStart")) or 0),
        ids=tuple(t for el in root.iterfind("IdList/Id") if (t := _text(el))),
        webenv=_text(root.find("WebEnv")),
        query_key=_text(root.find("QueryKey")),
        warnings=warnings,
    )


def parse_elink(body: bytes, linkname: str) -> dict[str, str | None]:
    """Read an elink answer made with one ``id=`` per source ID: source ID -> first linked ID.

    A source ID whose LinkSet has no ``linkname`` links maps to None (it has no link); a LinkSet
    with its own ``<ERROR>`` is skipped, so that ID counts as not answered.
    """
    root = parse_answer(body, "eLinkResult")
    links: dict[str, str | None] = {}
    for linkset in root.iterfind("LinkSet"):
        sources = [t for el in linkset.iterfind("IdList/Id") if (t := _text(el))]
        if linkset.find("ERROR") is not None or len(sources) != 1:
            continue
        targets = [
            t
            for db in linkset.iterfind("LinkSetDb")
            if _text(db.find("LinkName")) == linkname
            for el in db.iterfind("Link/Id")
            if (t := _text(el))
        ]
        links[sources[0]] = targets[0] if targets else None
    return links


@dataclass(frozen=True, slots=True)
class IdRecord:
    """One record of a PMC ID Converter answer: the IDs it knows for a requested ID, or its error."""

    requested: str
    pmid: str | None = None
    pmcid: str | None = None
    doi: str | None = None
    error: str | None = None


def parse_idconv(body: bytes) -> list[IdRecord]:
    """Read a PMC ID Converter answer (``format=json``): one record per requested ID.

    https://pmc.ncbi.nlm.nih.gov/tools/id-converter-api/ answers ``{"status": "ok", "records":
    [{"requested-id": ..., "pmcid": ..., "pmid": ..., "doi": ...}, ...]}``, a record of an ID it does
    not know carrying ``"status": "error"`` and an ``errmsg``; ``pmid`` may be a number.

    Raises
    ------
    EutilsError
        Not JSON, no ``records`` list, or a ``status`` other than "ok" for the whole answer.
    """
    try:
        data = json.loads(body)
    except ValueError as e:
        raise EutilsError(f"ID converter answer is not JSON (truncated or an error page): {e}") from e
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        raise EutilsError(f"ID converter answer has no records: {_json_error(body)}")
    if str(data.get("status", "ok")).lower() != "ok":
        raise EutilsError(f"ID converter answered with an error: {_json_error(body)}")
    return [_id_record(r) for r in data["records"] if isinstance(r, dict)]


def _id_record(record: dict[str, object]) -> IdRecord:
    def field(name: str) -> str | None:
        value = record.get(name)
        return str(value).strip() or None if value not in (None, "") else None

    requested = field("requested-id") or field("doi") or field("pmcid") or field("pmid") or ""
    failed = str(record.get("status", "")).lower() == "error" or "errmsg" in record
    error = (field("errmsg") or "not found") if failed else None
    return IdRecord(requested, field("pmid"), _strict_pmcid(field("pmcid")),
                    normalise_doi(field("doi")), error)  # fmt: skip
