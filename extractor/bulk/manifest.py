"""The manifest of a bulk run: one row per input file, in SQLite (``OUTDIR/manifest.sqlite3``).

Only the process that runs the job writes it, one transaction per finished unit, after the
unit's parts were renamed into place. It is therefore the commit log of the output: a part is
valid only while a ``done`` row names it, and a run starts by deleting every part no such row
names (what a killed task left behind). A file is finished when its row is ``done`` with the
same size and SHA-256; any other file (new, changed, ``failed``) is processed again.

Its ``options`` table holds the options the output was made with: a run with other options
(``--rct-only``, ``--full-text``) is refused, since files already done would not be made again.

Columns: ``path``, ``size``, ``sha256``, ``records``, ``comparisons``, ``status`` (``done`` or
``failed``), ``seconds``, plus ``part`` (the parts holding its rows), ``arms``, ``skipped``
(records that could not be parsed or extracted), ``error``, ``worker``, ``peak_mib`` (the
peak memory of the worker process when it finished the file) and ``cpu_seconds`` (the CPU time
its worker process spent on it: below ``seconds`` when the machine's cores are shared).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Literal

__all__ = ["FileEntry", "Manifest"]

Status = Literal["done", "failed"]


@dataclass(frozen=True, slots=True)
class FileEntry:
    """What the manifest knows about one input file."""

    path: str
    size: int
    sha256: str | None
    records: int
    comparisons: int
    status: Status
    seconds: float
    part: str | None = None
    arms: int = 0
    skipped: int = 0
    error: str | None = None
    worker: str | None = None
    peak_mib: float | None = None
    cpu_seconds: float | None = None


_COLUMNS = [f.name for f in fields(FileEntry)]
_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, sha256 TEXT, records INTEGER NOT NULL,
    comparisons INTEGER NOT NULL, status TEXT NOT NULL, seconds REAL NOT NULL, part TEXT,
    arms INTEGER NOT NULL, skipped INTEGER NOT NULL, error TEXT, worker TEXT, peak_mib REAL, cpu_seconds REAL
);
CREATE TABLE IF NOT EXISTS options (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Manifest:
    """The ``files`` table of ``manifest.sqlite3``."""

    def __init__(self, path: Path):
        self.path = path
        self._db = sqlite3.connect(path)
        self._db.executescript(_SCHEMA)

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def entries(self) -> dict[str, FileEntry]:
        """Every row, by path."""
        rows = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM files")  # noqa: S608 -- fixed names
        return {row[0]: FileEntry(*row) for row in rows}

    def done(self) -> Iterator[FileEntry]:
        return (e for e in self.entries().values() if e.status == "done")

    def options(self) -> dict[str, str]:
        """The options the output was made with (empty before the first run)."""
        return dict(self._db.execute("SELECT name, value FROM options"))

    def set_options(self, options: dict[str, str]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO options VALUES (?, ?)", options.items())

    def record(self, entries: Sequence[FileEntry]) -> None:
        """Write the rows of one finished unit, in one transaction."""
        marks = ", ".join("?" * len(_COLUMNS))
        with self._db:
            self._db.executemany(
                f"INSERT OR REPLACE INTO files ({', '.join(_COLUMNS)}) VALUES ({marks})",  # noqa: S608
                [tuple(asdict(e).values()) for e in entries],
            )
