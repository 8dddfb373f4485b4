"""Bulk runs: PubMed baseline and update files, and PMC JATS files, through Dask.

::

    report = run_bulk(["baseline/", "updates/*.xml.gz"], Path("out"), workers=2, rct_only=True)

Each unit of work (one PubMed file, or a batch of JATS files; :mod:`extractor.bulk.inputs`) is
one Dask task, run on a ``LocalCluster`` of worker processes or on the cluster whose scheduler
address is given. A task streams its file through parse -> (``rct_only``: keep randomised trials)
-> extract, writing ``OUTDIR/records/``, ``OUTDIR/arms/`` and ``OUTDIR/comparisons/`` parts
(:mod:`extractor.bulk.task`). This process keeps ``OUTDIR/manifest.sqlite3``
(:mod:`extractor.bulk.manifest`) and, at the end, the ``*_current`` views
(:mod:`extractor.bulk.current`).

A rerun skips the files the manifest holds as done (same size and SHA-256) and redoes the others.
A worker killed mid-task loses that task only: Dask's scheduler runs it again on another worker
(``distributed.scheduler.allowed-failures`` times), and its parts, renamed into place only when
whole and named after the unit, are written once whatever the number of attempts.

Dask (``dask.distributed``) and pyarrow are the optional extra ``trial-extractor[bulk]``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractor.errors import BulkError

if TYPE_CHECKING:
    from extractor.bulk.inputs import InputFile
    from extractor.bulk.manifest import Manifest

__all__ = ["BulkProgress", "BulkReport", "run_bulk"]

_LOG = logging.getLogger(__name__)
MANIFEST = "manifest.sqlite3"


@dataclass(frozen=True, slots=True)
class BulkProgress:
    """The whole job so far: files done (including those a previous run finished), records
    written by this run, and its rate since it started."""

    files_done: int
    files_total: int
    records: int
    seconds: float
    dashboard: str | None = None

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True, slots=True)
class BulkReport:
    """What a bulk run did."""

    files: int
    processed: int
    already_done: int
    failed: tuple[str, ...]
    records: int
    comparisons: int
    current_records: int
    seconds: float
    workers: tuple[str, ...] = ()
    peak_mib: float | None = None

    @property
    def complete(self) -> bool:
        return not self.failed


Progress = Callable[[BulkProgress], None]


def run_bulk(
    inputs: Sequence[str],
    outdir: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    rct_only: bool = False,
    full_text: Path | None = None,
    progress: Progress | None = None,
) -> BulkReport:
    """Process every input file not yet done into ``outdir`` and rebuild the current views.

    Parameters
    ----------
    inputs
        PubMed XML files (``.xml``, ``.xml.gz``), globs, or directories of them or of JATS files.
    outdir
        Receives ``records/``, ``arms/``, ``comparisons/``, their ``*_current`` views and
        ``manifest.sqlite3``.
    workers, scheduler
        A local cluster of ``workers`` processes (default: one per core), or the address of an
        existing scheduler, whose workers must reach ``inputs`` and ``outdir`` by the same paths.
    rct_only
        Keep only randomised trials (:func:`extractor.bulk.task.is_randomised_trial`).
    full_text
        A directory of PMC JATS files named ``PMC<id>.nxml`` (or ``.xml``, gzip or not): a record
        whose full text is there has its evidence read from it.
    progress
        Called at the start and after every finished unit.

    Raises
    ------
    InputError
        An input names nothing.
    BulkError
        Dask is missing, the scheduler cannot be reached, or ``outdir`` was made with other
        options.
    """
    from extractor.bulk.current import build_current
    from extractor.bulk.inputs import expand_inputs, make_units
    from extractor.bulk.manifest import Manifest
    from extractor.bulk.parts import TABLES
    from extractor.bulk.task import Options

    started = time.monotonic()
    pubmed, jats = expand_inputs(inputs)
    for table in TABLES:
        (outdir / table).mkdir(parents=True, exist_ok=True)
    options = Options(str(outdir.resolve()), rct_only, str(full_text.resolve()) if full_text else None)
    with Manifest(outdir / MANIFEST) as manifest:
        _check_options(manifest, {"rct_only": str(rct_only), "full_text": options.full_text or ""}, outdir)
        finished = _finished(manifest, [*pubmed, *jats])
        remove_debris(outdir, manifest)
        units = make_units([f for f in pubmed if f.path not in finished], [f for f in jats if f.path not in finished])
        tally = _Tally(files_done=len(finished), files_total=len(pubmed) + len(jats), started=started)
        if units:
            with _client(workers, scheduler) as client:
                tally.dashboard = _dashboard(client, local=scheduler is None)
                tally.emit(progress)
                for unit, result in _run_units(client, units, options):
                    manifest.record(tally.add(unit, result))
                    tally.emit(progress)
        else:
            tally.emit(progress)
        remove_debris(outdir, manifest)
        current = build_current(outdir, manifest.entries())
    return tally.report(current, already_done=len(finished))


def _check_options(manifest: Manifest, wanted: dict[str, str], outdir: Path) -> None:
    """Refuse to add to an output made with other options (its done files would not match)."""
    made_with = manifest.options()
    if made_with and made_with != wanted:
        differ = ", ".join(f"{k}: {made_with.get(k)!r} then, {v!r} now"
                           for k, v in wanted.items() if made_with.get(k) != v)
        raise BulkError(f"{outdir} was made with other options ({differ}); give another output directory")
    manifest.set_options(wanted)


def _finished(manifest: Manifest, files: Sequence[InputFile]) -> set[str]:
    """The files the manifest holds as done whose size and content have not changed."""
    from extractor.bulk.inputs import sha256

    entries = manifest.entries()
    done = set()
    for f in files:
        entry = entries.get(f.path)
        if entry and entry.status == "done" and entry.size == f.size and entry.sha256 == sha256(f.path):
            done.add(f.path)
    return done


def remove_debris(outdir: Path, manifest: Manifest) -> None:
    """Delete what no done file names: parts of killed or failed tasks, and temporary files."""
    from extractor.bulk.parts import TABLES

    valid = {e.part for e in manifest.done()}
    for table in TABLES:
        for path in (outdir / table).iterdir():
            if path.name.startswith(".") or path.stem not in valid:
                path.unlink(missing_ok=True)
    for stale in outdir.glob(".*_current.*"):
        shutil.rmtree(stale, ignore_errors=True)


@contextlib.contextmanager
def _client(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """A Dask client of a new local cluster, or of the scheduler at ``scheduler``."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as e:
        raise BulkError("bulk runs need Dask: pip install 'trial-extractor[bulk]'") from e
    if scheduler is not None:
        try:
            client = Client(scheduler)  # waits distributed.comm.timeouts.connect
        except (OSError, TimeoutError) as e:
            raise BulkError(f"cannot reach the Dask scheduler at {scheduler}: {e}") from e
        with client:
            yield client
        return
    cluster = LocalCluster(
        n_workers=workers or os.cpu_count() or 1,
        threads_per_worker=1,  # the work is pure Python: one task per process uses one core
        processes=True,
        dashboard_address=":0",  # any free port: several clusters may share a machine
        silence_logs=logging.ERROR,
    )
    with cluster, Client(cluster) as client:
        yield client


def _has_dashboard() -> bool:
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def _dashboard(client: Any, *, local: bool) -> str | None:
    """The dashboard's address, when the scheduler serves one (a local one needs bokeh)."""
    if local and not _has_dashboard():
        return None
    info = client.scheduler_info()
    port = info.get("services", {}).get("dashboard")
    if not port:
        return None
    host = info["address"].split("://")[-1].rsplit(":", 1)[0]
    return f"http://{host}:{port}/status"


def _run_units(client: Any, units: Sequence[Any], options: Any) -> Iterator[tuple[Any, dict[str, Any]]]:
    """Submit every unit and yield (unit, result) as they finish; a task that failed (its worker
    died more often than the scheduler allows, or a bug) gives a result naming the error."""
    from distributed import as_completed

    from extractor.bulk.task import process_unit

    run = uuid.uuid4().hex[:8]
    futures = {client.submit(process_unit, unit, options, key=f"extractor-bulk-{unit.part}-{run}"): unit
               for unit in units}  # fmt: skip
    for future in as_completed(futures):
        unit = futures.pop(future)
        try:
            yield unit, future.result()
        except Exception as e:  # noqa: BLE001 -- KilledWorker or a task's own error: the unit failed
            yield unit, {"error": f"{type(e).__name__}: {e}"}
        future.release()


@dataclass
class _Tally:
    files_done: int
    files_total: int
    started: float
    records: int = 0
    comparisons: int = 0
    processed: int = 0
    dashboard: str | None = None

    def __post_init__(self) -> None:
        self.failed: list[str] = []
        self.peaks: dict[str, float] = {}

    def add(self, unit: Any, result: dict[str, Any]) -> list[Any]:
        """Count a finished unit and return its manifest rows."""
        from extractor.bulk.task import FileResult

        files = result.get("files") or [FileResult(f.path, f.size, error=result["error"]) for f in unit.files]
        worker, peak = result.get("worker"), result.get("peak_mib")
        if worker:
            self.peaks[worker] = max(peak or 0.0, self.peaks.get(worker, 0.0))
        entries = [_entry(f, unit.part, worker, peak) for f in files]
        for f, entry in zip(files, entries, strict=True):
            self.processed += 1
            if entry.status == "done":
                self.files_done += 1
                self.records += f.records
                self.comparisons += f.comparisons
            else:
                self.failed.append(f"{f.path}: {f.error}")
            for error in f.errors[:20]:
                _LOG.warning("%s", error)
        return entries

    def emit(self, progress: Progress | None) -> None:
        if progress is not None:
            progress(BulkProgress(self.files_done, self.files_total, self.records,
                                  time.monotonic() - self.started, self.dashboard))  # fmt: skip

    def report(self, current: int, *, already_done: int) -> BulkReport:
        return BulkReport(
            files=self.files_total,
            processed=self.processed,
            already_done=already_done,
            failed=tuple(self.failed),
            records=self.records,
            comparisons=self.comparisons,
            current_records=current,
            seconds=round(time.monotonic() - self.started, 3),
            workers=tuple(sorted(self.peaks)),
            peak_mib=max(self.peaks.values(), default=None),
        )


def _entry(f: Any, part: str, worker: str | None, peak: float | None) -> Any:
    from extractor.bulk.manifest import FileEntry

    entry = FileEntry(path=f.path, size=f.size, sha256=f.sha256, records=f.records, comparisons=f.comparisons,
                      status="failed" if f.error else "done", seconds=round(f.seconds, 3), part=part,
                      arms=f.arms, skipped=f.skipped, error=f.error, worker=worker, peak_mib=peak,
                      cpu_seconds=round(f.cpu_seconds, 3))  # fmt: skip
    return entry if not f.error else replace(entry, part=None)
