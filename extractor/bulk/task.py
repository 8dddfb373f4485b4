"""The work of one unit, run on a Dask worker: parse -> select -> extract -> Parquet parts.

Everything streams: a record is parsed, kept or dropped, read for evidence and written into the
parts' row buffers before the next one is parsed, so a worker's memory does not grow with the
size of its file. The parts are renamed into place only once the whole unit is read.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import resource
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from extractor.bulk.inputs import InputFile, Unit
from extractor.bulk.parts import TABLES, PartWriter, part_path, table_schemas
from extractor.errors import ExtractorError
from extractor.records import Record

__all__ = ["FileResult", "Options", "is_randomised_trial", "process_unit", "record_key"]

_LOG = logging.getLogger(__name__)
RCT_TYPE = "Randomized Controlled Trial"
# Records MEDLINE has not indexed (yet) carry neither MeSH headings nor a trial publication type;
# for them a randomised design must be said in the title or abstract ("non-randomised" does not).
_RANDOMISED = re.compile(
    r"(?<!non-)(?<!non )(?<!quasi-)\b(?:randomi[sz]ed|randomi[sz]ation|randomly\s+(?:assigned|allocated))\b",
    re.IGNORECASE,
)
_FULL_TEXT_SUFFIXES = (".nxml", ".xml", ".nxml.gz", ".xml.gz")


@dataclass(frozen=True, slots=True)
class Options:
    """What every task of a run is told: where to write and what to keep."""

    outdir: str
    rct_only: bool = False
    full_text: str | None = None


@dataclass(slots=True)
class FileResult:
    """What one input file gave (sent back to the process that keeps the manifest)."""

    path: str
    size: int
    sha256: str | None = None
    records: int = 0
    arms: int = 0
    comparisons: int = 0
    skipped: int = 0
    error: str | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def is_randomised_trial(record: Record) -> bool:
    """Whether ``--rct-only`` keeps a record.

    MEDLINE-indexed records are kept when one of their publication types is "Randomized
    Controlled Trial". A record without MeSH headings has not been indexed (in process,
    publisher-supplied, or never indexed, as PubMed-not-MEDLINE and PMC articles are): it is kept
    when its title or abstract says the design ("randomised", "randomization", "randomly
    assigned/allocated"; not "non-randomised" or "quasi-randomised").
    """
    if RCT_TYPE in record.publication_types:
        return True
    if record.mesh_terms:
        return False
    return any(text and _RANDOMISED.search(text) for text in (record.title, record.abstract))


def record_key(record: Record, path: str, position: int) -> str:
    """The identity of a record across files: format and PMID (else PMCID, else DOI); a record
    with none of them is its own (file and position)."""
    ident = record.pmid or record.pmcid or record.doi
    return f"{record.source_format}:{ident}" if ident else f"{path}#{position}"


def process_unit(unit: Unit, options: Options) -> dict[str, Any]:
    """Read every file of ``unit`` and write its parts; return the files' results and the worker's
    identity and peak memory. A file that cannot be read at all is reported as failed, not raised.
    """
    outdir = Path(options.outdir)
    schemas = table_schemas()
    writers = {t: PartWriter(part_path(outdir, t, unit.part), schemas[t]) for t in TABLES}
    try:
        results = [_process_file(f, writers, options) for f in unit.files]
        for writer in writers.values():
            writer.commit()
    except BaseException:
        for writer in writers.values():
            writer.abort()
        raise
    return {
        "files": results,
        "worker": f"{socket.gethostname()}:{os.getpid()}",
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _process_file(source: InputFile, writers: dict[str, PartWriter], options: Options) -> FileResult:
    from extractor.parse import ParseReport, iter_records

    started, cpu = time.perf_counter(), time.process_time()
    result = FileResult(source.path, source.size)
    report = ParseReport()
    try:
        with open(source.path, "rb") as raw:
            stream = _Hashing(raw, source.path)
            records = iter_records(io.BufferedReader(stream), on_error="skip", report=report)
            for position, record in enumerate(records):
                _process_record(record, position, source.path, writers, options, result)
            result.sha256 = stream.finish()
    except (ExtractorError, OSError) as e:
        result.error = str(e)
    result.errors.extend(str(e) for e in report.errors)
    result.skipped += len(report.errors)
    result.seconds = time.perf_counter() - started
    result.cpu_seconds = time.process_time() - cpu
    return result


def _process_record(
    record: Record, position: int, path: str, writers: dict[str, PartWriter], options: Options, result: FileResult
) -> None:
    if options.rct_only and not record.deleted and not is_randomised_trial(record):
        return
    origin = {"key": record_key(record, path, position), "source_file": path, "position": position}
    writers["records"].write(record.to_dict() | origin)
    result.records += 1
    try:
        for trial in _evidence(_full_text(record, options.full_text)):
            for arm in trial.arms_dicts():
                writers["arms"].write(arm | origin)
                result.arms += 1
            for comparison in trial.comparisons:
                writers["comparisons"].write(comparison.to_dict() | origin)
                result.comparisons += 1
    except Exception as e:  # noqa: BLE001 -- one record's failure must not cost its file's other records
        _LOG.warning("extraction failed for %s: %s", origin["key"], e)
        result.skipped += 1
        result.errors.append(f"{origin['key']}: extraction failed: {e!r}")


def _evidence(record: Record) -> Iterator[Any]:
    from extractor.evidence import extract_evidence

    return extract_evidence([record])


def _full_text(record: Record, directory: str | None) -> Record:
    """The PMC full text of ``record`` when ``directory`` holds it (``PMC<id>.nxml`` or ``.xml``,
    gzip or not), under the record's PMID and PMCID; else the record itself."""
    if directory is None or record.pmcid is None or record.deleted:
        return record
    from extractor.parse import parse_file

    for suffix in _FULL_TEXT_SUFFIXES:
        path = os.path.join(directory, record.pmcid + suffix)
        if os.path.exists(path):
            full = parse_file(path)
            if full:
                return replace(full[0], pmid=record.pmid, pmcid=record.pmcid)
    return record


class _Hashing(io.RawIOBase):
    """A file read through SHA-256: the manifest's checksum costs no second read."""

    def __init__(self, raw: IO[bytes], name: str):
        self._raw = raw
        self.name = name
        self._digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        self._digest.update(buffer[:n])
        return n

    def finish(self) -> str:
        """Hash what the parser left unread (after a truncated record) and return the digest."""
        while chunk := self._raw.read(1 << 20):
            self._digest.update(chunk)
        return self._digest.hexdigest()
