"""The ``*_current`` views: the records (and their arms and comparisons) as PubMed has them now.

Update files apply in file order (:func:`extractor.bulk.inputs.file_order`): for each record key
the row from the latest file wins (the later row when one file holds the key twice), and a
``DeleteCitation`` as the latest row removes the key. Only rows of files the manifest holds as
``done``, in the part it names, are read, so debris of killed tasks and stale rows of files that
were processed again never count.

Each view is a directory of Parquet parts (``records_current/``, ``arms_current/``,
``comparisons_current/``), one per source part, rebuilt whole by every run into a temporary
directory that then replaces the old view.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extractor.bulk.inputs import file_order
from extractor.bulk.manifest import FileEntry
from extractor.bulk.parts import TABLES, part_path

__all__ = ["build_current", "current_name"]

Winners = dict[str, dict[str, pa.Array]]  # part -> source file -> positions kept


def current_name(table: str) -> str:
    return f"{table}_current"


def build_current(outdir: Path, entries: Mapping[str, FileEntry]) -> int:
    """Rebuild the three views from the done files of the manifest; return the current records."""
    done = {path: e for path, e in entries.items() if e.status == "done" and e.part}
    winners = _winners(outdir, done)
    for table in TABLES:
        _write_view(outdir, table, winners)
    return sum(len(positions) for files in winners.values() for positions in files.values())


def _winners(outdir: Path, done: Mapping[str, FileEntry]) -> Winners:
    """The (part, file, position) of the row that holds each key now, deletions left out."""
    import pandas as pd

    rank = {path: i for i, path in enumerate(sorted(done, key=file_order))}
    frames = []
    for part, files in _parts(done).items():
        table = pq.read_table(part_path(outdir, "records", part), columns=["key", "source_file", "position", "deleted"])
        frame = table.to_pandas()
        frame = frame[frame["source_file"].isin(files)]
        frame["part"] = part
        frames.append(frame)
    if not frames:
        return {}
    rows = pd.concat(frames, ignore_index=True)
    rows["rank"] = rows["source_file"].map(rank)
    latest = rows.sort_values(["rank", "position"], kind="stable").drop_duplicates("key", keep="last")
    latest = latest[~latest["deleted"]]
    winners: Winners = {}
    for (part, source), group in latest.groupby(["part", "source_file"], sort=False):
        winners.setdefault(part, {})[source] = pa.array(group["position"].to_numpy(), pa.int64())
    return winners


def _parts(done: Mapping[str, FileEntry]) -> dict[str, list[str]]:
    """Each part named by a done file, with the files whose rows in it are valid."""
    parts: dict[str, list[str]] = {}
    for path, entry in done.items():
        parts.setdefault(entry.part, []).append(path)  # type: ignore[arg-type]
    return parts


def _write_view(outdir: Path, table: str, winners: Winners) -> None:
    view = outdir / current_name(table)
    building = outdir / f".{view.name}.building"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    for part, files in winners.items():
        source = pq.ParquetFile(part_path(outdir, table, part))
        with pq.ParquetWriter(building / f"{part}.parquet", source.schema_arrow, compression="zstd") as out:
            for batch in source.iter_batches(batch_size=2000):
                kept = batch.filter(_mask(batch, files))
                if kept.num_rows:
                    out.write_batch(kept)
    old = outdir / f".{view.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if view.exists():
        view.rename(old)
    building.rename(view)
    shutil.rmtree(old, ignore_errors=True)


def _mask(batch: pa.RecordBatch, files: Mapping[str, pa.Array]) -> pa.Array:
    mask = pa.array([False] * batch.num_rows)
    for source, positions in files.items():
        here = pc.and_(pc.equal(batch["source_file"], source), pc.is_in(batch["position"], value_set=positions))
        mask = pc.or_(mask, here)
    return mask
