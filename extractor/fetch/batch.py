"""Fetch many records through the cache: only what the cache lacks, each batch committed at once.

A run killed at any point and started again asks only for the IDs whose batch was not committed,
and since the cache is keyed by (database, ID), nothing is ever stored twice. IDs an answer leaves
out are asked once more, together, at the end (NCBI occasionally drops records from a loaded
answer); those still left out are remembered as absent and reported as missing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TypeVar

from extractor.errors import FetchError, InputError
from extractor.fetch.cache import Cache
from extractor.fetch.client import EutilsClient
from extractor.fetch.responses import normalise_pmcid
from extractor.ids import check_pmid

__all__ = ["FetchOutcome", "ask_in_batches", "fetch_records", "link_pmc", "normalise_ids"]

_LOG = logging.getLogger(__name__)
Progress = Callable[[int], None]
T = TypeVar("T")
PMC_LINK = "pubmed_pmc"
STOP_GRACE = 1.0  # seconds an interrupted run waits for the answers to requests already sent


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What became of each requested ID (each ID is in exactly one of the last four fields)."""

    db: str
    requested: tuple[str, ...]
    fetched: tuple[str, ...] = ()
    from_cache: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    errors: tuple[str, ...] = field(default=())

    @property
    def available(self) -> tuple[str, ...]:
        """The requested IDs whose record is in the cache, in the order requested."""
        have = set(self.fetched) | set(self.from_cache)
        return tuple(i for i in self.requested if i in have)


def normalise_ids(db: str, ids: Iterable[str]) -> tuple[str, ...]:
    """Strip, validate and de-duplicate IDs, keeping their order.

    Raises
    ------
    InputError
        An ID is not a PMID (see :func:`extractor.ids.check_pmid`) or, for ``pmc``, a PMCID
        (digits with an optional PMC prefix).
    """
    out: dict[str, None] = {}
    for raw in ids:
        value = raw.strip()
        if not value:
            continue
        if db == "pmc":
            canonical = normalise_pmcid(value)
            if not canonical[3:].isdigit():
                raise InputError(f"not a PMCID: {value!r}")
        else:
            canonical = check_pmid(value)
        out[canonical] = None
    return tuple(out)


def fetch_records(
    client: EutilsClient | None,
    cache: Cache,
    db: str,
    ids: Iterable[str],
    *,
    progress: Progress | None = None,
) -> FetchOutcome:
    """Make sure the cache holds every record of ``ids`` that NCBI has, fetching what it lacks.

    Parameters
    ----------
    client
        None works offline: IDs the cache lacks are reported as failed.
    cache
        Where records are looked up and committed, one batch per transaction.
    db
        "pubmed" (PMIDs) or "pmc" (PMCIDs).
    progress
        Called with the number of IDs settled after each batch.

    Raises
    ------
    FetchError
        HTTP 4xx other than 429: every other batch would fail the same way.
    """
    requested = normalise_ids(db, ids)
    offline = client is None
    cached = cache.have(db, requested, ignore_age=offline)
    absent = cache.known_absent(db, requested, ignore_age=offline) - cached
    todo = [i for i in requested if i not in cached and i not in absent]
    _LOG.info(
        "%s: %d requested, %d cached, %d known absent, %d to fetch",
        db,
        len(requested),
        len(cached),
        len(absent),
        len(todo),
    )
    if progress and (done := len(requested) - len(todo)):
        progress(done)
    if client is None or not todo:
        return _outcome(
            db, requested, cached, set(), absent, set(todo), ("not in the cache",) if todo else ()
        )
    run = _BatchRun(client, cache, db, progress)
    run.fetch(todo)
    return _outcome(
        db, requested, cached, run.fetched, absent | run.missing, run.failed, run.errors
    )


def _outcome(
    db: str,
    requested: tuple[str, ...],
    cached: set[str],
    fetched: set[str],
    missing: set[str],
    failed: set[str],
    errors: Sequence[str],
) -> FetchOutcome:
    def pick(group: set[str]) -> tuple[str, ...]:
        return tuple(i for i in requested if i in group)

    return FetchOutcome(
        db, requested, pick(fetched), pick(cached), pick(missing), pick(failed), tuple(errors)
    )


class _BatchRun:
    """The batches of one call of :func:`fetch_records`, run on the client's worker threads."""

    def __init__(self, client: EutilsClient, cache: Cache, db: str, progress: Progress | None):
        self.client, self.cache, self.db, self.progress = client, cache, db, progress
        self.fetched: set[str] = set()
        self.missing: set[str] = set()
        self.failed: set[str] = set()
        self.errors: list[str] = []
        self._left_out: list[str] = []
        self._lock = threading.Lock()  # batches finish on several threads

    def fetch(self, todo: Sequence[str]) -> None:
        self._run(todo, self._first_pass)
        if self._left_out:
            _LOG.info(
                "%s: asking again for %d IDs left out of their answer", self.db, len(self._left_out)
            )
            self._run(sorted(self._left_out), self._second_pass)

    def _run(self, ids: Sequence[str], task: Callable[[list[str]], None]) -> None:
        pool = ThreadPoolExecutor(self.client.config.workers, thread_name_prefix="efetch")
        futures = [pool.submit(task, batch) for batch in _chunks(ids, self.client.config.batch_size)]
        try:
            done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        except BaseException:  # Ctrl-C, SIGTERM: stop at once, keeping the batches already answered
            self._stop(pool, futures)
            raise
        for future in pending:
            future.cancel()
        pool.shutdown()
        _raise_first(done)

    def _stop(self, pool: ThreadPoolExecutor, futures: Sequence[Future[None]]) -> None:
        """Send nothing more; give the requests in flight a moment to be answered and cached."""
        self.client.stop()
        pool.shutdown(wait=False, cancel_futures=True)
        wait(futures, timeout=STOP_GRACE)

    def _first_pass(self, batch: list[str]) -> None:
        records = self._efetch(batch)
        if records is not None:
            self.cache.put(self.db, records)
            with self._lock:
                self.fetched.update(records)
                self._left_out.extend(i for i in batch if i not in records)
        if self.progress:
            self.progress(len(batch))

    def _second_pass(self, batch: list[str]) -> None:
        records = self._efetch(batch)
        if records is None:
            return
        absent = [i for i in batch if i not in records]
        self.cache.put(self.db, records, absent)
        with self._lock:
            self.fetched.update(records)
            self.missing.update(absent)

    def _efetch(self, batch: list[str]) -> dict[str, bytes] | None:
        try:
            return self.client.efetch(self.db, batch)
        except FetchError as e:
            if self.client.stopped:
                return None
            if e.refused:
                raise
            _LOG.warning("%s: %d IDs not fetched: %s", self.db, len(batch), e)
            with self._lock:
                self.failed.update(batch)
                self.errors.append(str(e))
            return None


def _chunks(ids: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def ask_in_batches(
    ids: Sequence[str], size: int, ask: Callable[[list[str]], T], what: str
) -> Iterator[tuple[list[str], T | None]]:
    """Each batch of ``ids`` with ``ask(batch)``, or None when its request failed after every retry
    (logged). A refusal (HTTP 4xx other than 429) is raised: every other batch would get one too."""
    for batch in _chunks(ids, size):
        try:
            answer: T | None = ask(batch)
        except FetchError as e:
            if e.refused:
                raise
            _LOG.warning("%s: %d IDs not asked: %s", what, len(batch), e)
            answer = None
        yield batch, answer


def _raise_first(done: Iterable[Future[None]]) -> None:
    for future in done:
        if not future.cancelled() and (error := future.exception()) is not None:
            raise error


def link_pmc(
    client: EutilsClient | None, cache: Cache, pmids: Sequence[str]
) -> tuple[dict[str, str | None], tuple[str, ...]]:
    """PMID -> PMCID (None when the article is not in PMC), through the cache and elink.

    elink ``pubmed_pmc`` is used rather than the PMC ID converter because it is an E-utility: it
    lives under the same base URL (so ``--eutils-url`` and test servers cover it), obeys the same
    key and rate limit, and takes the same POSTed ID lists.

    Returns the links found and the PMIDs that could not be linked (errors, or offline).
    """
    links = cache.get_links("pubmed", PMC_LINK, pmids, ignore_age=client is None)
    todo = [p for p in pmids if p not in links]
    if client is None:
        return links, tuple(todo)
    unlinked: list[str] = []
    for batch, found in ask_in_batches(todo, client.config.batch_size, client.elink, "pmc: elink"):
        if found is None:
            unlinked.extend(batch)
            continue
        answered = {p: (normalise_pmcid(t) if t else None) for p, t in found.items() if p in batch}
        cache.put_links("pubmed", PMC_LINK, answered)
        links.update(answered)
        unlinked.extend(p for p in batch if p not in answered)
    return links, tuple(unlinked)
