"""Parquet parts of a bulk run: their schemas, derived from the records' dataclasses, and a writer
that streams rows into a temporary file and renames it into place only when the part is whole.

Every row carries where it came from: ``source_file`` (the input file) and ``position`` (the
record's index in that file), which is how the ``*_current`` views apply update files in order.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from extractor.records import Record

__all__ = ["TABLES", "PartWriter", "arrow_type", "part_path", "schema_for", "table_schemas"]

#: The three tables of a bulk run, each a directory of parts.
TABLES = ("records", "arms", "comparisons")
ORIGIN = (("source_file", pa.string()), ("position", pa.int64()))
_ROW_GROUP = 500  # rows held before a row group is written: what keeps a worker's memory flat
_SCALARS: dict[Any, pa.DataType] = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}


def arrow_type(hint: Any) -> pa.DataType:
    """The Arrow type of a field hint: optional scalars, ``Literal``, tuples and dataclasses."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return arrow_type(inner)
    if origin is typing.Literal:
        return pa.string()
    if origin in (tuple, list):
        return pa.list_(arrow_type(typing.get_args(hint)[0]))
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        return pa.struct([(f.name, arrow_type(hints[f.name])) for f in dataclasses.fields(hint)])
    return _SCALARS[hint]


def schema_for(columns: Iterable[str], hints: Mapping[str, Any], extra: Mapping[str, Any] = {}) -> pa.Schema:  # noqa: B006
    """A schema of ``columns`` typed by ``hints`` (then ``extra``; strings otherwise), plus the origin."""
    fields = [(c, arrow_type(extra.get(c, hints.get(c, str | None)))) for c in columns]
    return pa.schema([*fields, ("key", pa.string()), *ORIGIN])


def table_schemas() -> dict[str, pa.Schema]:
    """The schema of each table. Arms and comparisons are typed from the evidence stage's public
    records (their JSON forms are what gets written)."""
    from extractor.evidence import ARM_COLUMNS, COMPARISON_COLUMNS, Arm, Comparison, Evidence

    record_hints = typing.get_type_hints(Record)
    arm_extra = {"pmid": str | None, "pmcid": str | None, "aliases": tuple[str, ...], "evidence": tuple[Evidence, ...]}
    arm_columns = dict.fromkeys([*ARM_COLUMNS, "aliases", "evidence"])
    return {
        "records": schema_for([f.name for f in dataclasses.fields(Record)], record_hints),
        "arms": schema_for(arm_columns, typing.get_type_hints(Arm), arm_extra),
        "comparisons": schema_for(COMPARISON_COLUMNS, typing.get_type_hints(Comparison)),
    }


def part_path(outdir: Path, table: str, part: str) -> Path:
    """Where the part ``part`` of ``table`` lives."""
    return outdir / table / f"{part}.parquet"


class PartWriter:
    """Streams rows of one table into a Parquet part; :meth:`commit` renames it into place.

    The temporary file is named after the writing process (``.<part>.<pid>.tmp``), so a worker
    killed mid-part leaves a file that the next run recognises as debris, and a retry on another
    worker never writes into it.
    """

    def __init__(self, path: Path, schema: pa.Schema):
        self.path = path
        self.rows = 0
        self._schema = schema
        self._tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp")
        self._buffer: list[dict[str, Any]] = []
        self._writer = pq.ParquetWriter(self._tmp, schema, compression="zstd")

    def write(self, row: dict[str, Any]) -> None:
        self._buffer.append(row)
        if len(self._buffer) >= _ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            self._writer.write_table(pa.Table.from_pylist(self._buffer, schema=self._schema))
            self.rows += len(self._buffer)
            self._buffer = []

    def commit(self) -> None:
        """Write what is buffered, close the file and move it to its final name."""
        self._flush()
        self._writer.close()
        fd = os.open(self._tmp, os.O_RDONLY)
        try:
            os.fsync(fd)  # the rename must never publish a file whose bytes are not on disk yet
        finally:
            os.close(fd)
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        """Close and remove the temporary file (the part is not written)."""
        self._writer.close()
        self._tmp.unlink(missing_ok=True)
