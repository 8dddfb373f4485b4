"""Map the identifiers reviewers have (PMCIDs, DOIs, PMIDs) onto the IDs a database is fetched by.

Each ID is looked up, in this order, until one answers:

1. the cache: the IDs every stored record states about itself (so ``--offline`` runs map them
   too), and what earlier lookups found, or found missing;
2. the PMC ID Converter (https://pmc.ncbi.nlm.nih.gov/tools/id-converter-api/), 200 IDs a request;
   it knows only articles in PMC;
3. for DOIs the converter does not know, PubMed's esearch with ``"<doi>"[doi]``, one request each.

Answers are cached (kept as long as records are, ``max_age_days``). A citation naming several IDs
is mapped by its first that maps (PMID, then PMCID, then DOI). What cannot be mapped is kept with
its reason: malformed, not in PubMed, not in PMC, two PMIDs for one DOI, a failed request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from extractor.errors import FetchError
from extractor.fetch.batch import ask_in_batches
from extractor.fetch.cache import Cache, IdLink, id_links
from extractor.fetch.client import IDCONV_BATCH, EutilsClient
from extractor.fetch.responses import IdRecord
from extractor.ids import KINDS, Citation, IdKind, MappedInput, parse_id

__all__ = ["IdMapping", "map_ids"]

_LOG = logging.getLogger(__name__)
_TARGET_KIND: dict[str, IdKind] = {"pubmed": "pmid", "pmc": "pmcid"}
_NAMES = {"pmid": "PMID", "pmcid": "PMCID", "doi": "DOI", "pubmed": "PubMed", "pmc": "PMC"}


@dataclass(frozen=True, slots=True)
class IdMapping:
    """What each input became, in input order."""

    db: str
    inputs: tuple[MappedInput, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        """The IDs to fetch (PMIDs, or PMCIDs for "pmc"), each once, in input order."""
        return tuple(dict.fromkeys(m.target for m in self.inputs if m.target))

    @property
    def unmapped(self) -> tuple[MappedInput, ...]:
        """The inputs that could not be mapped, each with its reason."""
        return tuple(m for m in self.inputs if m.target is None)

    def to_dicts(self) -> list[dict[str, object]]:
        """Every input with what it mapped to (or why not), as ``report.json`` lists them."""
        return [m.to_dict() for m in self.inputs]


@dataclass(frozen=True, slots=True)
class _Found:
    target: str | None
    via: str
    reason: str | None = None


def map_ids(
    client: EutilsClient | None, cache: Cache, citations: Sequence[Citation], db: str = "pubmed"
) -> IdMapping:
    """Map ``citations`` onto IDs of ``db`` ("pubmed": PMIDs; "pmc": PMCIDs).

    Parameters
    ----------
    client
        None works offline: only what the cache knows maps.

    Raises
    ------
    FetchError
        The converter or esearch refused a request outright (HTTP 4xx other than 429).
    """
    target_kind = _TARGET_KIND[db]
    done: dict[int, MappedInput] = {}
    reasons: dict[int, list[str]] = {}
    for n, c in enumerate(citations):
        if c.problem:
            done[n] = MappedInput(c, reason=c.problem)
        elif value := getattr(c, target_kind):
            done[n] = MappedInput(c, value, (target_kind, value), "given")
    for kind in (k for k in KINDS if k != target_kind):
        wanted = [n for n, c in enumerate(citations) if n not in done and getattr(c, kind)]
        found = _resolve(client, cache, kind, sorted({getattr(citations[n], kind) for n in wanted}), db)
        for n in wanted:
            value = getattr(citations[n], kind)
            answer = found[value]
            if answer.target:
                done[n] = MappedInput(citations[n], answer.target, (kind, value), answer.via)
            else:
                reasons.setdefault(n, []).append((value, answer.reason or "not found"))
    inputs = tuple(done.get(n) or MappedInput(c, reason=_why(reasons.get(n, [])))
                   for n, c in enumerate(citations))  # fmt: skip
    mapping = IdMapping(db, inputs)
    _LOG.info("%d inputs: %d mapped to %d %s IDs, %d unmapped", len(inputs),
              len(inputs) - len(mapping.unmapped), len(mapping.ids), db, len(mapping.unmapped))  # fmt: skip
    return mapping


def _why(reasons: list[tuple[str, str]]) -> str:
    if len(reasons) == 1:
        return reasons[0][1]
    return "; ".join(f"{value}: {reason}" for value, reason in reasons) or "no ID"


def _resolve(
    client: EutilsClient | None, cache: Cache, kind: IdKind, values: list[str], db: str
) -> dict[str, _Found]:
    """What each of ``values`` (of ``kind``) is in ``db``: cache, then converter, then esearch."""
    if not values:
        return {}
    known = cache.lookup_ids(kind, values, db, ignore_age=client is None)
    found = {v: _from_cache(kind, db, known[v]) for v in values if v in known}
    todo = [v for v in values if v not in found]
    if client is None:
        found.update({v: _Found(None, "cache", "not in the cache (offline)") for v in todo})
        return found
    converted, unknown = _convert(client, cache, kind, todo, db)
    found.update(converted)
    if kind == "doi" and db == "pubmed":
        found.update(_esearch(client, cache, unknown))
    else:
        found.update({v: _Found(None, "converter", "not in PMC") for v in unknown})
    return found


def _from_cache(kind: str, db: str, rows: list[tuple[str | None, str, str | None]]) -> _Found:
    targets = sorted({target for target, _, _ in rows if target})
    if len(targets) > 1:
        return _Found(None, "cache", _ambiguous(kind, db, targets))
    if targets:
        return _Found(targets[0], "cache")
    return _Found(None, "cache", rows[0][2] or f"not in {_NAMES[db]}")


def _ambiguous(kind: str, db: str, targets: Sequence[str]) -> str:
    count = "two" if len(targets) == 2 else str(len(targets))
    return f"{count} {_NAMES[_TARGET_KIND[db]]}s for one {_NAMES[kind]}: {', '.join(targets)}"


def _convert(
    client: EutilsClient, cache: Cache, kind: IdKind, values: list[str], db: str
) -> tuple[dict[str, _Found], list[str]]:
    """Ask the converter: (answers, the values it does not know or could not be asked about)."""
    found: dict[str, _Found] = {}
    unknown: list[str] = []
    ask = lambda batch: client.idconv(batch, kind)  # noqa: E731
    for batch, records in ask_in_batches(values, IDCONV_BATCH, ask, "ID converter"):
        if records is None:
            unknown.extend(batch)
            continue
        links, answers = _read_converted(kind, db, records)
        cache.put_idmap(links)
        found.update({v: answers[v] for v in batch if v in answers})
        unknown.extend(v for v in batch if v not in answers)
    return found, unknown


def _read_converted(
    kind: IdKind, db: str, records: Iterable[IdRecord]
) -> tuple[list[IdLink], dict[str, _Found]]:
    target_kind = _TARGET_KIND[db]
    links: list[IdLink] = []
    answers: dict[str, _Found] = {}
    for record in records:
        requested = parse_id(record.requested, kind)
        if requested is None or record.error is not None:
            continue
        value = requested[1]
        ids = {k: v for k, v in (("pmid", record.pmid), ("pmcid", record.pmcid), ("doi", record.doi)) if v}
        ids[kind] = value
        links.extend(id_links(ids, "converter"))
        if target := ids.get(target_kind):
            answers[value] = _Found(target, "converter")
        else:
            pmcid = ids.get("pmcid")
            reason = f"in PMC as {pmcid} but not in PubMed" if db == "pubmed" and pmcid else (
                f"not in {_NAMES[db]}")
            links.append((kind, value, db, None, "converter", reason))
            answers[value] = _Found(None, "converter", reason)
    return links, answers


def _esearch(client: EutilsClient, cache: Cache, dois: list[str]) -> dict[str, _Found]:
    """One esearch ``"<doi>"[doi]`` per DOI: its PMID, none (not in PubMed), or several."""
    found: dict[str, _Found] = {}
    for doi in dois:
        try:
            page = client.esearch(f'"{doi}"[doi]', retmax=5)
        except FetchError as e:
            if e.refused:
                raise
            found[doi] = _Found(None, "esearch", f"esearch failed: {e}")
            continue
        pmids = sorted(set(page.ids))
        if len(pmids) == 1:
            found[doi] = _Found(pmids[0], "esearch")
            links: list[IdLink] = [("doi", doi, "pubmed", pmids[0], "esearch", None)]
        else:
            reason = _ambiguous("doi", "pubmed", pmids) if pmids else "not in PubMed"
            found[doi] = _Found(None, "esearch", reason)
            links = [("doi", doi, "pubmed", p, "esearch", None) for p in pmids]
            links = links or [("doi", doi, "pubmed", None, "esearch", reason)]
        cache.put_idmap(links)
    return found
