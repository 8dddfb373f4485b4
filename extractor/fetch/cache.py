"""A persistent cache of raw records in SQLite (stdlib ``sqlite3``).

Three tables, all keyed without the API key or any other request detail:

- ``records(db, id, xml, fetched_at)``: one record element per (database, ID), as NCBI sent it;
- ``absent(db, id, checked_at)``: IDs NCBI answered without, so a second run does not ask again;
- ``links(dbfrom, id, linkname, target, fetched_at)``: PMID -> PMCID, ``target`` NULL for "none";
- ``idmap(kind, value, db, target, source, note, seen_at)``: what a DOI, PMCID or PMID is in ``db``
  (a PMID in "pubmed", a PMCID in "pmc"), learnt from a stored record (``source`` "record", never
  stale: the record says so itself), an elink, the PMC ID Converter or esearch; ``target`` is ""
  when the lookup found nothing, and ``note`` then says why.

Each batch is written in one transaction, so a process killed at any point leaves every batch either
wholly in or wholly out. WAL mode lets several processes read and write the same file; writers wait
for each other (``busy_timeout``). Nothing but a well-formed record element is ever stored: the
check runs again on every write, whatever the caller did before.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from extractor.errors import OutputError
from extractor.fetch.responses import article_ids, check_record

__all__ = ["Cache", "IdLink", "id_links"]

# (kind, value, db, target or None for "none found", source, note)
IdLink = tuple[str, str, str, "str | None", str, "str | None"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    db TEXT NOT NULL, id TEXT NOT NULL, xml BLOB NOT NULL, fetched_at REAL NOT NULL,
    PRIMARY KEY (db, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS absent (
    db TEXT NOT NULL, id TEXT NOT NULL, checked_at REAL NOT NULL,
    PRIMARY KEY (db, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS links (
    dbfrom TEXT NOT NULL, id TEXT NOT NULL, linkname TEXT NOT NULL, target TEXT,
    fetched_at REAL NOT NULL, PRIMARY KEY (dbfrom, id, linkname)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idmap (
    kind TEXT NOT NULL, value TEXT NOT NULL, db TEXT NOT NULL, target TEXT NOT NULL,
    source TEXT NOT NULL, note TEXT, seen_at REAL NOT NULL,
    PRIMARY KEY (kind, value, db, target)) WITHOUT ROWID;
"""
# PRAGMA user_version: 1 once every stored record's IDs are in ``idmap`` (caches made before the
# table existed are indexed once, when first opened).
_VERSION = 1
# SQLite limits the number of host parameters in one statement (32766 since 3.32; 999 before).
_CHUNK = 900
_DAY = 86400.0


def _cause(path: str | Path, error: BaseException) -> str:
    """Why the cache cannot be written, in the words of the file system where it has them."""
    if isinstance(error, OSError):
        return error.strerror or str(error)
    where = Path(path)
    while not where.exists() and where != where.parent:
        where = where.parent
    if str(path) != ":memory:" and not os.access(where, os.W_OK):
        return f"{os.strerror(errno.EACCES)} ({error})"
    return str(error)


class Cache:
    """Raw records on disk, with the time each was fetched.

    Parameters
    ----------
    path
        The SQLite file; ``":memory:"`` for a throwaway cache. Parent directories are created.
    max_age_days
        Entries older than this are treated as absent from the cache; None: no limit.
    fresh_after
        Entries written before this ``time.time()`` are treated as absent (``--refresh``).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        max_age_days: float | None = None,
        fresh_after: float | None = None,
    ) -> None:
        self.path = path
        self.max_age_days = max_age_days
        self.fresh_after = fresh_after
        self._lock = threading.Lock()
        try:
            if str(path) != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                str(path), timeout=60, check_same_thread=False, isolation_level=None
            )
        except FileExistsError:  # the directory is a file
            raise OutputError(path, os.strerror(errno.ENOTDIR)) from None
        except (OSError, sqlite3.Error) as e:
            raise OutputError(path, _cause(path, e)) from None
        self._db.execute("PRAGMA busy_timeout=60000")
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            with self._write():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
            if self._db.execute("PRAGMA user_version").fetchone()[0] < _VERSION:
                self._index_stored_records()
        except sqlite3.Error as e:
            self._db.close()
            raise OutputError(path, _cause(path, e)) from None

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[None]:
        # BEGIN IMMEDIATE takes the write lock up front, so concurrent writers queue on busy_timeout
        # instead of failing when a read transaction tries to upgrade.
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as e:  # a full disk, a file made read-only
                self._rollback()
                raise OutputError(self.path, _cause(self.path, e)) from None
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _cutoff(self, ignore_age: bool = False) -> float:
        cutoff = self.fresh_after or 0.0
        if self.max_age_days is not None and not ignore_age:
            cutoff = max(cutoff, time.time() - self.max_age_days * _DAY)
        return cutoff

    # -- records ----------------------------------------------------------------------------

    def put(self, db: str, records: Mapping[str, bytes], absent: Iterable[str] = ()) -> None:
        """Store a batch in one transaction: records by ID, and IDs NCBI does not have.

        Raises
        ------
        EutilsError
            When a value is not one well-formed record of ``db`` (nothing of the batch is stored).
        """
        links = [link for xml in records.values() for link in _record_links(db, check_record(db, xml))]
        now = time.time()
        with self._write():
            self._insert_idmap(links, now)
            self._db.executemany(
                "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)",
                [(db, i, xml, now) for i, xml in records.items()],
            )
            self._db.executemany(
                "DELETE FROM absent WHERE db = ? AND id = ?", [(db, i) for i in records]
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO absent VALUES (?, ?, ?)", [(db, i, now) for i in absent]
            )

    def have(self, db: str, ids: Sequence[str], *, ignore_age: bool = False) -> set[str]:
        """The IDs among ``ids`` whose record is cached and fresh."""
        return self._select_ids("records", "fetched_at", db, ids, ignore_age)

    def known_absent(self, db: str, ids: Sequence[str], *, ignore_age: bool = False) -> set[str]:
        """The IDs among ``ids`` that NCBI recently said it does not have."""
        return self._select_ids("absent", "checked_at", db, ids, ignore_age)

    def _select_ids(
        self, table: str, stamp: str, db: str, ids: Sequence[str], ignore_age: bool
    ) -> set[str]:
        cutoff, found = self._cutoff(ignore_age), set[str]()
        for start in range(0, len(ids), _CHUNK):
            chunk = list(ids[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT id FROM {table} WHERE db = ? AND {stamp} >= ? AND id IN ({marks})"
            with self._lock:
                found.update(row[0] for row in self._db.execute(sql, [db, cutoff, *chunk]))
        return found

    def get(self, db: str, record_id: str) -> bytes | None:
        """The cached record XML (whatever its age), or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT xml FROM records WHERE db = ? AND id = ?", (db, record_id)
            ).fetchone()
        return None if row is None else bytes(row[0])

    def iter_records(self, db: str, ids: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """(ID, XML) for each of ``ids`` that is cached, in the order given, each ID once."""
        seen: set[str] = set()
        for record_id in ids:
            if record_id in seen:
                continue
            seen.add(record_id)
            xml = self.get(db, record_id)
            if xml is not None:
                yield record_id, xml

    def count(self, db: str) -> int:
        """How many records of ``db`` are cached."""
        with self._lock:
            return int(
                self._db.execute("SELECT count(*) FROM records WHERE db = ?", (db,)).fetchone()[0]
            )

    # -- links ------------------------------------------------------------------------------

    def put_links(self, dbfrom: str, linkname: str, links: Mapping[str, str | None]) -> None:
        """Store links (None: the ID has no link) in one transaction."""
        now = time.time()
        with self._write():
            self._db.executemany(
                "INSERT OR REPLACE INTO links VALUES (?, ?, ?, ?, ?)",
                [(dbfrom, i, linkname, target, now) for i, target in links.items()],
            )
            if (dbfrom, linkname) == ("pubmed", "pubmed_pmc"):
                self._insert_idmap(_elink_links(links), now)

    def get_links(
        self, dbfrom: str, linkname: str, ids: Sequence[str], *, ignore_age: bool = False
    ) -> dict[str, str | None]:
        """Fresh cached links for ``ids``; IDs never linked (or stale) are left out."""
        cutoff = self._cutoff(ignore_age)
        found: dict[str, str | None] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = list(ids[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            sql = (
                "SELECT id, target FROM links WHERE dbfrom = ? AND linkname = ? "
                f"AND fetched_at >= ? AND id IN ({marks})"
            )
            with self._lock:
                found.update(self._db.execute(sql, [dbfrom, linkname, cutoff, *chunk]))
        return found


    # -- identifiers ------------------------------------------------------------------------

    def put_idmap(self, links: Iterable[IdLink]) -> None:
        """Store what identifiers are in a database (target None: looked up, none found)."""
        with self._write():
            self._insert_idmap(list(links), time.time())

    def _insert_idmap(self, links: Sequence[IdLink], now: float) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO idmap VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(kind, value, db, target or "", source, note, now)
             for kind, value, db, target, source, note in links],
        )  # fmt: skip

    def lookup_ids(
        self, kind: str, values: Sequence[str], db: str, *, ignore_age: bool = False
    ) -> dict[str, list[tuple[str | None, str, str | None]]]:
        """What the cache knows of ``values`` (of ``kind``) in ``db``: value -> [(target or None,
        source, note)], targets first. Links read from stored records never go stale."""
        cutoff, found = self._cutoff(ignore_age), {}
        for start in range(0, len(values), _CHUNK):
            chunk = list(values[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            sql = ("SELECT value, target, source, note FROM idmap WHERE kind = ? AND db = ? "
                   f"AND (source = 'record' OR seen_at >= ?) AND value IN ({marks}) "
                   "ORDER BY value, target = '', target")  # fmt: skip
            with self._lock:
                rows = self._db.execute(sql, [kind, db, cutoff, *chunk]).fetchall()
            for value, target, source, note in rows:
                found.setdefault(value, []).append((target or None, source, note))
        return found

    def _index_stored_records(self) -> None:
        now = time.time()
        with self._write():  # one transaction: read in chunks, so a large cache is never all in memory
            rows = self._db.execute("SELECT db, xml FROM records")
            while chunk := rows.fetchmany(_CHUNK):
                links = [link for db, xml in chunk for link in _record_links(db, check_record(db, bytes(xml)))]
                self._insert_idmap(links, now)
            self._db.execute(f"PRAGMA user_version = {_VERSION}")


def _record_links(db: str, element: object) -> list[IdLink]:
    """The identifier links a stored record states about itself."""
    return id_links(article_ids(db, element), "record")  # type: ignore[arg-type]


def id_links(ids: Mapping[str, str], source: str) -> list[IdLink]:
    """Links between the IDs of one article (kind -> value): each of them to its PMID in "pubmed"
    and to its PMCID in "pmc"."""
    return [(kind, value, target_db, ids[target_kind], source, None)
            for target_db, target_kind in (("pubmed", "pmid"), ("pmc", "pmcid")) if target_kind in ids
            for kind, value in ids.items() if kind != target_kind]  # fmt: skip


def _elink_links(links: Mapping[str, str | None]) -> list[IdLink]:
    out: list[IdLink] = []
    for pmid, pmcid in links.items():
        out.append(("pmid", pmid, "pmc", pmcid, "elink", None if pmcid else "not in PMC"))
        if pmcid:
            out.append(("pmcid", pmcid, "pubmed", pmid, "elink", None))
    return out
