"""The main job, composed: PMIDs or a query -> records fetched (cached) -> parsed -> outputs.

This is the only module that imports several stages. :func:`run` writes, into its output directory:

- ``records.jsonl``: one normalised record per line (PubMed records in the order asked, each
  followed by its PMC full text when ``full_text`` is set), each record once;
- ``report.json``: ``requested``, ``fetched``, ``missing`` (IDs NCBI does not have), ``failed``
  (IDs not obtained, or not parsed), ``requests``, ``retries``, ``from_cache``, ``seconds``, plus
  ``records`` (lines written), ``errors`` (why things failed), ``pmc`` when full text is asked,
  ``inputs`` (every input ID or citation with the PMID it mapped to) and ``unmapped`` (those that
  did not map, each with its reason).

All outputs are written from the cache at the end, together (:class:`~extractor.outputs.StagedOutputs`):
a run that fails or is stopped at any point leaves the previous outputs or the new ones, never half
of one, nor old ones beside new ones; the next run finds its finished batches in the cache. The
evidence tables (``arms.csv``, ``evidence.csv``) and the report are written by the ``evidence``
callable given to :func:`run`: it receives the records, the outputs being staged, the inputs with
what they mapped to, and the progress.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from extractor.config import CacheConfig, EutilsConfig
from extractor.errors import InputError, ParseError
from extractor.fetch import (
    Cache,
    EutilsClient,
    FetchOutcome,
    IdMapping,
    fetch_records,
    import_recorded,
    link_pmc,
    map_ids,
    search,
    write_records,
)
from extractor.ids import Citation, citations_from_args
from extractor.outputs import StagedOutputs
from extractor.parse import ParseReport, iter_records
from extractor.progress import ProgressFactory, counted
from extractor.records import Record
from extractor.writers import write_records as write_jsonl

__all__ = [
    "RunReport",
    "fetch_raw",
    "map_inputs",
    "open_cache",
    "run",
    "search_ids",
    "write_evidence",
]

_LOG = logging.getLogger(__name__)
# (records, outputs being staged, inputs as report.json lists them, progress) -> writes the
# evidence tables and the report
Evidence = Callable[[Sequence[Record], StagedOutputs, Sequence[dict[str, Any]], ProgressFactory | None], None]
Inputs = Sequence["str | Citation"]  # IDs as given (PMID, PMCID, DOI, URL), or citations read from a file
_PARSE_CHUNK = 500  # records parsed per in-memory document
# The files of a run, in the order they are moved into place: report.json, which says the run
# is complete, last.
OUTPUTS = ("records.jsonl", "arms.csv", "evidence.csv", "report.html", "report_pages", "report.json")


@dataclass(frozen=True, slots=True)
class RunReport:
    """What a run did, as written to ``report.json``."""

    requested: int
    fetched: int
    missing: tuple[str, ...]
    failed: tuple[str, ...]
    requests: int
    retries: int
    from_cache: int
    seconds: float
    records: int = 0
    errors: tuple[str, ...] = ()
    pmc: dict[str, Any] | None = field(default=None)
    inputs: tuple[dict[str, Any], ...] = ()

    @property
    def unmapped(self) -> tuple[dict[str, Any], ...]:
        """The inputs that could not be mapped to a PMID, each with its ``reason``."""
        return tuple(i for i in self.inputs if "mapped" not in i)

    @property
    def complete(self) -> bool:
        """True when every input mapped and every record that exists was obtained and parsed."""
        return not self.failed and not self.unmapped

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``pmc`` only when full text was asked for)."""
        data = asdict(self)
        data["missing"], data["failed"] = list(self.missing), list(self.failed)
        data["errors"] = list(self.errors)
        data["inputs"], data["unmapped"] = list(self.inputs), list(self.unmapped)
        if self.pmc is None:
            del data["pmc"]
        return data


def open_cache(config: CacheConfig) -> Cache:
    """Open the cache a config names; ``refresh`` ignores what was written before now."""
    fresh_after = time.time() if config.refresh else None
    return Cache(config.path, max_age_days=config.max_age_days, fresh_after=fresh_after)


def _client(config: EutilsConfig, offline: bool) -> EutilsClient | None:
    return None if offline else EutilsClient(config)


def run(
    ids: Inputs = (),
    *,
    outdir: Path,
    eutils: EutilsConfig,
    cache: CacheConfig,
    query: str | None = None,
    max_results: int | None = None,
    offline: bool = False,
    full_text: bool = False,
    seed: Sequence[Path] = (),
    evidence: Evidence | None = None,
    progress: ProgressFactory | None = None,
) -> RunReport:
    """Fetch, parse and write the records of ``ids`` (or of ``query``) into ``outdir``.

    Parameters
    ----------
    ids, query, max_results
        What to fetch: PMIDs, PMCIDs, DOIs or their URLs (mapped to PMIDs by
        :func:`~extractor.fetch.map_ids`; see :mod:`extractor.ids`), or a PubMed query (and how
        many of its hits to keep).
    outdir
        Created if missing; receives ``records.jsonl`` and ``report.json``.
    eutils, cache
        Where to fetch from, and where raw records are kept.
    offline
        Use only the cache; IDs it lacks are reported as failed.
    full_text
        Also fetch the PMC full text of every record that has one.
    seed
        Recorded efetch files (or directories of them) imported into the cache first.
    evidence
        Writes the evidence tables from the records into ``outdir``.
    progress
        Makes a progress callback per stage.

    Raises
    ------
    InputError
        No IDs and no query, or a query while offline.
    FetchError
        The server refused a request outright (HTTP 4xx other than 429), or a search failed.
    """
    started = time.monotonic()
    if query is None and not ids:
        raise InputError("no IDs to fetch: give PMIDs, DOIs, PMCIDs, an IDs file or a query")
    if query is not None and offline:
        raise InputError("a query needs E-utilities: drop --offline, or give PMIDs")
    client = _client(eutils, offline)
    with StagedOutputs(outdir, OUTPUTS) as outputs, open_cache(cache) as store:
        if seed:
            _LOG.info("seeded the cache: %s", dict(import_recorded(store, seed)))
        if query is not None and client is not None:
            ids = search(client, query, max_results=max_results).ids
        mapping = map_ids(client, store, _citations(ids))
        pmids = mapping.ids
        pubmed = fetch_records(
            client, store, "pubmed", pmids, progress=_stage(progress, "fetch pubmed", pmids)
        )
        pmc = _full_text(client, store, pubmed.available, progress) if full_text else None
        records, parse_failed, parse_errors = _parse_all(store, pubmed, pmc, progress)
        with outputs.open("records.jsonl") as stream:
            written = write_jsonl(records, stream, "jsonl")
        if evidence is not None:
            evidence(records, outputs, mapping.to_dicts(), progress)
        report = _report(pubmed, pmc, client, written, parse_failed, parse_errors, started)
        report = dataclasses.replace(report, inputs=tuple(mapping.to_dicts()))
        with outputs.open("report.json") as stream:
            json.dump(report.to_dict(), stream, indent=2)
            stream.write("\n")
    return report


def _citations(ids: Inputs, db: str = "pubmed") -> list[Citation]:
    """Citations from IDs as given (strings read by :func:`extractor.ids.parse_id`; bare digits
    are PMCIDs when fetching from PMC)."""
    digits = "pmcid" if db == "pmc" else "pmid"
    out: list[Citation] = []
    for n, item in enumerate(ids, 1):
        if isinstance(item, Citation):
            out.append(item)
        else:
            out.extend(citations_from_args([item], "ID", first=n, digits=digits))
    return out


def map_inputs(
    ids: Inputs, *, eutils: EutilsConfig, cache: CacheConfig, offline: bool = False, db: str = "pubmed"
) -> IdMapping:
    """Map IDs as given (PMIDs, PMCIDs, DOIs, URLs, or citations read by
    :func:`extractor.ids.read_ids_file`) onto PMIDs (or PMCIDs for ``db="pmc"``), through the cache.

    The step ``run`` and ``fetch`` take first, for any command that takes reviewers' IDs: fetch
    ``mapping.ids`` and report ``mapping.unmapped`` (each with its reason).
    """
    with open_cache(cache) as store:
        return map_ids(_client(eutils, offline), store, _citations(ids, db), db)


def _stage(
    progress: ProgressFactory | None, label: str, ids: Sequence[object]
) -> Callable[[int], None] | None:
    return None if progress is None else progress(label, len(ids))


def _full_text(
    client: EutilsClient | None,
    store: Cache,
    pmids: Sequence[str],
    progress: ProgressFactory | None,
) -> tuple[FetchOutcome, dict[str, str | None], tuple[str, ...]]:
    links, unlinked = link_pmc(client, store, pmids)
    pmcids = [pmcid for pmid in pmids if (pmcid := links.get(pmid))]
    outcome = fetch_records(
        client, store, "pmc", pmcids, progress=_stage(progress, "fetch pmc", pmcids)
    )
    return outcome, links, unlinked


def _parse_all(
    store: Cache,
    pubmed: FetchOutcome,
    pmc: tuple[FetchOutcome, dict[str, str | None], tuple[str, ...]] | None,
    progress: ProgressFactory | None = None,
) -> tuple[list[Record], set[str], list[str]]:
    """Parse every available record: (records in output order, IDs that failed, reasons)."""
    failed: set[str] = set()
    errors: list[str] = []
    pmcids = pmc[0].available if pmc is not None else ()
    update = _stage(progress, "parse", [*pubmed.available, *pmcids])
    by_pmid = _parse_db(store, "pubmed", pubmed.available, failed, errors, update)
    full: dict[str, Record] = {}
    links: dict[str, str | None] = {}
    if pmc is not None:
        outcome, links, _ = pmc
        full = _parse_db(store, "pmc", outcome.available, failed, errors, update)
    records: list[Record] = []
    for pmid in pubmed.available:
        if pmid in by_pmid:
            records.append(by_pmid[pmid])
        pmcid = links.get(pmid)
        if pmcid and pmcid in full:
            records.append(full.pop(pmcid))
    return records, failed, errors


def _parse_db(
    store: Cache,
    db: str,
    ids: Sequence[str],
    failed: set[str],
    errors: list[str],
    progress: Callable[[int], None] | None = None,
) -> dict[str, Record]:
    """Parse the cached records of ``ids`` in chunks: ID -> record (first one per ID)."""
    parsed: dict[str, Record] = {}
    for start in range(0, len(ids), _PARSE_CHUNK):
        chunk = ids[start : start + _PARSE_CHUNK]
        document = io.BytesIO()
        write_records(db, (xml for _, xml in store.iter_records(db, chunk)), document)
        document.seek(0)
        document.name = f"cache:{db}"
        report = ParseReport()
        for record in iter_records(document, format=db, on_error="skip", report=report):
            key = record.pmid if db == "pubmed" else record.pmcid
            if key is not None:
                parsed.setdefault(key, record)
        _note_errors(report.errors, chunk, parsed, failed, errors)
        if progress is not None:
            progress(len(chunk))
    return parsed


def _note_errors(
    parse_errors: list[ParseError],
    chunk: Sequence[str],
    parsed: dict[str, Record],
    failed: set[str],
    errors: list[str],
) -> None:
    errors.extend(str(e) for e in parse_errors)
    unparsed = [i for i in chunk if i not in parsed]
    if unparsed:
        _LOG.warning("%d records could not be parsed: %s", len(unparsed), ", ".join(unparsed[:10]))
    failed.update(unparsed)


def _report(
    pubmed: FetchOutcome,
    pmc: tuple[FetchOutcome, dict[str, str | None], tuple[str, ...]] | None,
    client: EutilsClient | None,
    written: int,
    parse_failed: set[str],
    parse_errors: list[str],
    started: float,
) -> RunReport:
    failed = dict.fromkeys(pubmed.failed)
    pmc_part = None
    if pmc is not None:
        outcome, _, unlinked = pmc
        failed.update(dict.fromkeys(outcome.failed))
        failed.update(dict.fromkeys(unlinked))
        pmc_part = _outcome_dict(outcome) | {"unlinked": list(unlinked)}
    failed.update(dict.fromkeys(sorted(parse_failed)))
    return RunReport(
        requested=len(pubmed.requested),
        fetched=len(pubmed.fetched),
        missing=pubmed.missing,
        failed=tuple(failed),
        requests=client.stats.requests if client else 0,
        retries=client.stats.retries if client else 0,
        from_cache=len(pubmed.from_cache),
        seconds=round(time.monotonic() - started, 3),
        records=written,
        errors=tuple(dict.fromkeys([*pubmed.errors, *parse_errors])),
        pmc=pmc_part,
    )


def _outcome_dict(outcome: FetchOutcome) -> dict[str, Any]:
    return {
        "requested": len(outcome.requested),
        "fetched": len(outcome.fetched),
        "from_cache": len(outcome.from_cache),
        "missing": list(outcome.missing),
        "failed": list(outcome.failed),
    }


# -- the evidence outputs ----------------------------------------------------------------------


def write_evidence(
    records: Sequence[Record],
    outputs: StagedOutputs,
    inputs: Sequence[dict[str, Any]] = (),
    progress: ProgressFactory | None = None,
) -> None:
    """The evidence step of :func:`run`: ``arms.csv``, ``evidence.csv`` (the comparisons) and
    the report (``report.html`` and its ``report_pages``: every number highlighted in its source
    text, for a reviewer to check, after the table of ``inputs`` and what they mapped to)."""
    from extractor.evidence import extract_evidence, write_arms_csv
    from extractor.report import write_report_files
    from extractor.studies import write_comparison_table

    reading = counted(records, _stage(progress, "extract", records), every=20)
    trials = list(extract_evidence(reading))
    with outputs.open("arms.csv") as stream:
        write_arms_csv(trials, stream)
    with outputs.open("evidence.csv") as stream:
        write_comparison_table(trials, records, stream)
    with outputs.writing("report.html") as index:
        write_report_files(index, records, trials, inputs, progress=progress)


# -- the other commands -----------------------------------------------------------------------


def fetch_raw(
    ids: Inputs,
    out: IO[bytes],
    *,
    db: str,
    eutils: EutilsConfig,
    cache: CacheConfig,
    offline: bool = False,
    progress: ProgressFactory | None = None,
) -> tuple[FetchOutcome, int, IdMapping]:
    """Fetch records (through the cache) and write them as one efetch-shaped XML document.

    ``ids`` are mapped first (for ``db="pmc"`` bare digits are PMCIDs). Returns the outcome, the
    number of requests sent and the mapping of the inputs.
    """
    client = _client(eutils, offline)
    with open_cache(cache) as store:
        mapping = map_ids(client, store, _citations(ids, db), db)
        wanted = mapping.ids
        outcome = fetch_records(
            client, store, db, wanted, progress=_stage(progress, f"fetch {db}", wanted)
        )
        write_records(db, (xml for _, xml in store.iter_records(db, outcome.available)), out)
    return outcome, client.stats.requests if client else 0, mapping


def search_ids(
    query: str, *, eutils: EutilsConfig, max_results: int | None = None
) -> Iterator[str]:
    """The PMIDs of ``query``: all of them (past esearch's cap) or the first ``max_results``."""
    yield from search(EutilsClient(eutils), query, max_results=max_results).ids
