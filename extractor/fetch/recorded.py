"""Recorded E-utilities answers in and out of the cache: seed it from files, write records as files.

``--offline`` runs use the cache only; seeding it from recorded efetch answers (the bundled
``fixtures/``, or files saved by ``extractor fetch``) is how such a run gets its data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from lxml import etree

from extractor.errors import EutilsError, InputError
from extractor.fetch.batch import PMC_LINK
from extractor.fetch.cache import Cache
from extractor.fetch.responses import normalise_pmcid, split_records
from extractor.parse._xml import make_parser

__all__ = ["import_recorded", "write_records"]

_ENVELOPES = {
    "pubmed": (b"<PubmedArticleSet>\n", b"</PubmedArticleSet>\n"),
    "pmc": (b"<pmc-articleset>\n", b"</pmc-articleset>\n"),
}


def import_recorded(cache: Cache, paths: Iterable[Path]) -> Counter[str]:
    """Store the records of recorded efetch answers (files, or directories of ``*.xml``/``*.nxml``).

    PubMed answers (``PubmedArticleSet``), NLM MEDLINE files (``MedlineCitationSet``), PMC answers
    (``pmc-articleset``) and bare JATS articles (PMC ``.nxml`` files) are accepted; a PMC article
    that names its PMID also records the PMID -> PMCID link. Returns the number of records stored per database.

    Raises
    ------
    InputError
        A file cannot be read or is not one of the accepted answers.
    """
    counts: Counter[str] = Counter()
    for path in _files(paths):
        db, records = _read(path)
        cache.put(db, records)
        counts[db] += len(records)
        if db == "pmc":
            cache.put_links("pubmed", PMC_LINK, _pmids_of(records))
    return counts


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.suffix in (".xml", ".nxml"))
        else:
            yield path


def _read(path: Path) -> tuple[str, dict[str, bytes]]:
    try:
        body = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}") from e
    head = body[:4096]
    if b"<MedlineCitationSet" in head:
        return "pubmed", _medline_citations(path, body)
    if b"<PubmedArticleSet" in head:
        db = "pubmed"
    elif b"<pmc-articleset" in head:
        db = "pmc"
    elif b"<article" in head:
        db, body = "pmc", b"<pmc-articleset>" + _without_prolog(body) + b"</pmc-articleset>"
    else:
        raise InputError(f"{path}: not a recorded efetch answer (PubmedArticleSet, MedlineCitationSet or PMC article)")
    try:
        return db, split_records(db, body)
    except EutilsError as e:
        raise InputError(f"{path}: {e}") from e


def _medline_citations(path: Path, body: bytes) -> dict[str, bytes]:
    """The citations of an NLM MEDLINE distribution file (``MedlineCitationSet``), each stored as
    the ``PubmedArticle`` efetch would return around it (without its ``PubmedData``)."""
    try:
        root = etree.fromstring(body, make_parser())
    except etree.XMLSyntaxError as e:
        raise InputError(f"{path}: not well-formed XML ({e})") from e
    records: dict[str, bytes] = {}
    for citation in root.iterchildren("MedlineCitation"):
        pmid = (citation.findtext("PMID") or "").strip()
        if pmid:
            records.setdefault(pmid, b"<PubmedArticle>" + etree.tostring(citation, encoding="utf-8",
                                                                          with_tail=False) + b"</PubmedArticle>")
    return records


def _without_prolog(body: bytes) -> bytes:
    return body[body.index(b"<article") :]


def _pmids_of(records: dict[str, bytes]) -> dict[str, str | None]:
    links: dict[str, str | None] = {}
    for pmcid, xml in records.items():
        article = etree.fromstring(xml, parser=make_parser())
        pmid = article.findtext("front/article-meta/article-id[@pub-id-type='pmid']")
        if pmid and pmid.strip().isdigit():
            links[pmid.strip()] = normalise_pmcid(pmcid)
    return links


def write_records(db: str, records: Iterable[bytes], out: IO[bytes]) -> int:
    """Write records as one efetch-shaped document (``PubmedArticleSet`` or ``pmc-articleset``).

    Returns the number of records written.
    """
    start, end = _ENVELOPES[db]
    out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n' + start)
    written = 0
    for xml in records:
        out.write(xml.strip() + b"\n")
        written += 1
    out.write(end)
    return written
