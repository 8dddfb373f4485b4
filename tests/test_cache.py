from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from extractor.errors import EutilsError
from extractor.fetch import Cache, import_recorded
from extractor.fetch.responses import split_records

RECORDED = Path(__file__).resolve().parent.parent / "fixtures" / "eutils" / "efetch"


@pytest.fixture(scope="module")
def pubmed_records() -> dict[str, bytes]:
    return split_records("pubmed", (RECORDED / "efetch_pubmed_12091962_9997.xml").read_bytes())


@pytest.mark.parametrize("ids", [["12091962", "9997"]])
def test_cache_stores_records_by_db_and_id(
    tmp_path: Path, pubmed_records: dict[str, bytes], ids: list[str]
) -> None:
    with Cache(tmp_path / "c.sqlite3") as cache:
        cache.put("pubmed", pubmed_records)
        assert cache.have("pubmed", [*ids, "1"]) == set(ids)
        assert cache.have("pmc", ids) == set()
        assert cache.get("pubmed", ids[0]) == pubmed_records[ids[0]]
        assert [i for i, _ in cache.iter_records("pubmed", [ids[1], "1", ids[1], ids[0]])] == [
            ids[1],
            ids[0],
        ]
    with Cache(tmp_path / "c.sqlite3") as again:  # persistent
        assert again.count("pubmed") == 2


@pytest.mark.parametrize(
    "bad",
    [
        b"<eSearchResult><ERROR>Invalid db name specified: fleegle</ERROR></eSearchResult>",
        b"<html><body>502 Bad Gateway</body></html>",
        b"<PubmedArticle><MedlineCitation><PMID>123</PMID>",
    ],
)
def test_cache_never_stores_an_error_page(
    tmp_path: Path, pubmed_records: dict[str, bytes], bad: bytes
) -> None:
    with Cache(tmp_path / "c.sqlite3") as cache:
        with pytest.raises(EutilsError):
            cache.put("pubmed", {**pubmed_records, "123": bad})
        assert cache.count("pubmed") == 0  # the whole batch or nothing


@pytest.mark.parametrize("age_days,fresh", [(None, True), (1.0, True), (1e-9, False)])
def test_cache_max_age_applies_to_records_and_absent_ids(
    tmp_path: Path, pubmed_records: dict[str, bytes], age_days: float | None, fresh: bool
) -> None:
    with Cache(tmp_path / "c.sqlite3") as cache:
        cache.put("pubmed", pubmed_records, absent=["99999999"])
    time.sleep(0.01)
    with Cache(tmp_path / "c.sqlite3", max_age_days=age_days) as cache:
        assert bool(cache.have("pubmed", ["9997"])) is fresh
        assert bool(cache.known_absent("pubmed", ["99999999"])) is fresh
        assert cache.have("pubmed", ["9997"], ignore_age=True) == {
            "9997"
        }  # offline uses stale ones


@pytest.mark.parametrize("pmid", ["9997"])
def test_cache_refresh_ignores_entries_written_before(
    tmp_path: Path, pubmed_records: dict[str, bytes], pmid: str
) -> None:
    with Cache(tmp_path / "c.sqlite3") as cache:
        cache.put("pubmed", pubmed_records)
    with Cache(tmp_path / "c.sqlite3", fresh_after=time.time()) as cache:
        assert cache.have("pubmed", [pmid]) == set()
        cache.put("pubmed", {pmid: pubmed_records[pmid]})
        assert cache.have("pubmed", [pmid]) == {pmid}


@pytest.mark.parametrize("pmid", ["9997"])
def test_cache_a_record_found_later_is_no_longer_absent(
    tmp_path: Path, pubmed_records: dict[str, bytes], pmid: str
) -> None:
    with Cache(tmp_path / "c.sqlite3") as cache:
        cache.put("pubmed", {}, absent=[pmid])
        assert cache.known_absent("pubmed", [pmid]) == {pmid}
        cache.put("pubmed", {pmid: pubmed_records[pmid]})
        assert cache.known_absent("pubmed", [pmid]) == set()


@pytest.mark.parametrize("links", [{"28731372": "PMC6108041", "9997": None}])
def test_cache_links_remember_no_link_too(tmp_path: Path, links: dict[str, str | None]) -> None:
    with Cache(tmp_path / "c.sqlite3") as cache:
        cache.put_links("pubmed", "pubmed_pmc", links)
        assert cache.get_links("pubmed", "pubmed_pmc", [*links, "1"]) == links


@pytest.mark.parametrize("mode", ["wal"])
def test_cache_uses_wal(tmp_path: Path, mode: str) -> None:
    Cache(tmp_path / "c.sqlite3").close()
    with sqlite3.connect(tmp_path / "c.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == mode


def _write_many(path: str, worker: int, count: int) -> None:
    records = split_records("pubmed", (RECORDED / "efetch_pubmed_12091962_9997.xml").read_bytes())
    template = records["9997"]
    with Cache(path) as cache:
        for n in range(count):
            pmid = str(worker * 1000 + n + 1)
            xml = template.replace(b">9997</PMID>", f">{pmid}</PMID>".encode())
            cache.put("pubmed", {pmid: xml})


@pytest.mark.parametrize("workers,count", [(4, 25)])
def test_cache_is_safe_under_concurrent_writers(tmp_path: Path, workers: int, count: int) -> None:
    path = str(tmp_path / "c.sqlite3")
    Cache(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(path, w, count)) for w in range(workers)]
    threads = [
        threading.Thread(target=_write_many, args=(path, 100 + w, count)) for w in range(workers)
    ]
    for p in procs:
        p.start()
    for t in threads:
        t.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    for t in threads:
        t.join()
    with Cache(path) as cache:
        assert cache.count("pubmed") == 2 * workers * count


@pytest.mark.parametrize("expected", [{"pubmed": 11, "pmc": 1}])
def test_cache_import_recorded_answers(tmp_path: Path, expected: dict[str, int]) -> None:
    with Cache(tmp_path / "c.sqlite3") as cache:
        assert dict(import_recorded(cache, [RECORDED])) == expected
        assert cache.get_links("pubmed", "pubmed_pmc", ["34527728"]) == {"34527728": "PMC8435807"}
        # a MEDLINE distribution file's citations are stored as efetch's PubmedArticle records
        (xml,) = [x for _, x in cache.iter_records("pubmed", ["26702207"])]
        assert xml.startswith(b"<PubmedArticle><MedlineCitation") and b"<PMID Version=\"1\">26702207</PMID>" in xml
