"""Search PubMed for PMIDs, past esearch's cap of 10,000 results.

PubMed's esearch returns at most the first 10,000 IDs of a query, however it is paged
(https://www.ncbi.nlm.nih.gov/books/NBK25499/#chapter4.ESearch). A query with more hits is split
on publication date into two halves, recursively, until every part is under the cap; the parts are
disjoint, so their IDs add up to the whole.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from extractor.errors import EutilsError
from extractor.fetch.client import EutilsClient

__all__ = ["ESEARCH_CAP", "SearchResult", "search"]

_LOG = logging.getLogger(__name__)
# The highest retstart+retmax PubMed serves is 9,999 (retstart 9998, retmax 1): keep every part
# of a split query at or under it.
ESEARCH_CAP = 9_999
EARLIEST = dt.date(1700, 1, 1)  # before any PubMed publication date


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The PMIDs of a query; ``webenv``/``query_key`` name it on NCBI's history server."""

    query: str
    count: int
    ids: tuple[str, ...]
    webenv: str | None
    query_key: str | None


def search(client: EutilsClient, query: str, *, max_results: int | None = None) -> SearchResult:
    """Every PMID matching ``query`` (or the first ``max_results``), in NCBI's order.

    Raises
    ------
    EutilsError
        More than 9,999 hits share a single publication day, so the query cannot be split.
    """
    limit = ESEARCH_CAP if max_results is None else min(max_results, ESEARCH_CAP)
    first = client.esearch(query, retmax=limit, usehistory=True)
    for warning in first.warnings:
        _LOG.warning("esearch: %s", warning)
    wanted = first.count if max_results is None else min(first.count, max_results)
    ids = dict.fromkeys(first.ids)
    if len(ids) < wanted:
        more = (
            _pages(client, query, first.count, None, start=len(first.ids))
            if first.count <= ESEARCH_CAP
            else _collect(client, query, first.count, None)
        )
        for pmid in more:
            ids.setdefault(pmid)
            if len(ids) >= wanted:
                break
    if len(ids) < wanted:
        _LOG.warning("esearch: got %d of %d IDs for %r", len(ids), wanted, query)
    return SearchResult(query, first.count, tuple(ids)[:wanted], first.webenv, first.query_key)


def _collect(
    client: EutilsClient, query: str, count: int, span: tuple[dt.date, dt.date] | None
) -> Iterator[str]:
    if count <= ESEARCH_CAP:
        yield from _pages(client, query, count, span)
        return
    low, high = span or (EARLIEST, dt.date(dt.date.today().year + 2, 12, 31))
    if low == high:
        raise EutilsError(f"more than {ESEARCH_CAP} hits published on {low}: narrow the query")
    middle = low + (high - low) // 2
    for part in ((low, middle), (middle + dt.timedelta(days=1), high)):
        mindate, maxdate = _dates(part)
        probe = client.esearch(query, retmax=ESEARCH_CAP, mindate=mindate, maxdate=maxdate)
        _LOG.info("esearch: %d hits from %s to %s", probe.count, *part)
        if probe.count <= ESEARCH_CAP and len(probe.ids) >= probe.count:
            yield from probe.ids
        else:
            yield from _collect(client, query, probe.count, part)


def _pages(
    client: EutilsClient,
    query: str,
    count: int,
    span: tuple[dt.date, dt.date] | None,
    *,
    start: int = 0,
) -> Iterator[str]:
    mindate, maxdate = _dates(span)
    retstart = start
    while retstart < count:
        page = client.esearch(
            query,
            retstart=retstart,
            retmax=ESEARCH_CAP - retstart,
            mindate=mindate,
            maxdate=maxdate,
        )
        if not page.ids:
            return
        yield from page.ids
        retstart += len(page.ids)


def _dates(span: tuple[dt.date, dt.date] | None) -> tuple[str | None, str | None]:
    if span is None:
        return None, None
    return span[0].strftime("%Y/%m/%d"), span[1].strftime("%Y/%m/%d")
