"""Fetch PubMed and PMC records from E-utilities, at NCBI's rate, through a persistent cache.

::

    client = EutilsClient(EutilsConfig.from_env())
    with Cache(default_cache_path()) as cache:
        outcome = fetch_records(client, cache, "pubmed", ["31537547", "28731372"])
        for pmid, xml in cache.iter_records("pubmed", outcome.available):
            ...

IDs other than the database's own (DOIs, PMCIDs for PubMed) are mapped first by :func:`map_ids`.

This stage imports only ``config``, ``errors``, ``ids``, ``normalise`` and the safe XML helpers; it never parses records
into :class:`~extractor.records.Record` (that is ``extractor.parse``).
"""

from __future__ import annotations

from extractor.fetch._ratelimit import RateLimiter
from extractor.fetch.batch import FetchOutcome, fetch_records, link_pmc, normalise_ids
from extractor.fetch.cache import Cache
from extractor.fetch.client import EutilsClient, RequestStats
from extractor.fetch.idmap import IdMapping, map_ids
from extractor.fetch.recorded import import_recorded, write_records
from extractor.fetch.search import ESEARCH_CAP, SearchResult, search

__all__ = [
    "ESEARCH_CAP",
    "Cache",
    "EutilsClient",
    "FetchOutcome",
    "IdMapping",
    "RateLimiter",
    "RequestStats",
    "SearchResult",
    "fetch_records",
    "import_recorded",
    "link_pmc",
    "map_ids",
    "normalise_ids",
    "search",
    "write_records",
]
