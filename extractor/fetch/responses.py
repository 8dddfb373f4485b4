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
from extractor.parse._xml import check_prolog, make_parser

__all__ = [
    "RECORD_TAGS",
    "SearchPage",
    "check_record",
    "parse_answer",
    "parse_elink",
    "parse_esearch",
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


def check_record(db: str, xml: bytes) -> None:
    """Refuse to keep anything but one well-formed record element of ``db``.

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
