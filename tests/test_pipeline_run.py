from __future__ import annotations

import csv
import datetime as dt
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_eutils import RECORDED, FakeEutils, FaultPlan, replicate, template_records

from cli import cli
from extractor.config import CacheConfig, EutilsConfig
from extractor.fetch import Cache, EutilsClient, fetch_records, link_pmc
from extractor.fetch.responses import split_records
from extractor.pipeline import run

BUNDLED_TRIALS = ["26702207", "26702216", "26702202", "26432120", "26255087"]  # MEDLINE excerpt of RCTs
BUNDLED = ["28731372", "12091962", "9997", "11748933", "11700088", "39077977"]
REPORT_KEYS = {
    "requested",
    "fetched",
    "missing",
    "failed",
    "requests",
    "retries",
    "from_cache",
    "seconds",
}
PMIDS = [str(20_000_000 + n) for n in range(6)]
SECRET = "AbCdEf0123456789-secret"


@pytest.fixture(scope="module")
def records() -> dict[str, bytes]:
    return replicate(template_records(sorted(RECORDED.glob("efetch_pubmed_1*.xml"))), PMIDS)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    for name in ("NCBI_API_KEY", "NCBI_EMAIL", "EXTRACTOR_EUTILS_URL", "EXTRACTOR_CACHE"):
        monkeypatch.delenv(name, raising=False)
    yield {}


def _invoke(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    return result.exit_code, result.output


def _pmids(path: Path) -> list[str | None]:
    return [json.loads(line)["pmid"] for line in path.read_text().splitlines()]


@pytest.mark.parametrize("ids", [BUNDLED])
def test_pipeline_run_offline_on_bundled_records(
    tmp_path: Path, env: dict[str, str], ids: list[str]
) -> None:
    args = ["run", "--offline", "--seed", str(RECORDED), "--cache", str(tmp_path / "c.sqlite3")]
    code, output = _invoke([*args, *ids, "-o", str(tmp_path / "out")])
    assert code == 0, output
    assert _pmids(tmp_path / "out" / "records.jsonl") == ids
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert set(report) >= REPORT_KEYS
    assert (report["requested"], report["from_cache"], report["requests"]) == (
        len(ids),
        len(ids),
        0,
    )


def test_pipeline_run_offline_writes_the_evidence_of_the_bundled_trials(tmp_path: Path, env: dict[str, str]) -> None:
    args = ["run", "--offline", "--seed", str(RECORDED), "--cache", str(tmp_path / "c.sqlite3")]
    code, output = _invoke([*args, *BUNDLED, *BUNDLED_TRIALS, "-o", str(tmp_path / "out")])
    assert code == 0, output
    with open(tmp_path / "out" / "evidence.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    analgesia = next(r for r in rows if r["pmid"] == "26702207" and "analgesia" in r["outcome"])
    assert (analgesia["intervention_mean"], analgesia["intervention_standard_deviation"],
            analgesia["intervention_group_size"], analgesia["comparator_mean"]) == ("16.04", "3.19", "25", "6.2")
    assert {r["pmid"] for r in rows} <= set(BUNDLED_TRIALS)


@pytest.mark.parametrize("cached,expected_code", [(["9997"], 1), ([], 2)])
def test_pipeline_run_offline_reports_what_the_cache_lacks(
    tmp_path: Path, env: dict[str, str], cached: list[str], expected_code: int
) -> None:
    cache = tmp_path / "c.sqlite3"
    if cached:
        _invoke(
            [
                "run",
                "--offline",
                "--seed",
                str(RECORDED),
                "--cache",
                str(cache),
                *cached,
                "-o",
                str(tmp_path / "a"),
            ]
        )
    code, _ = _invoke(
        ["run", "--offline", "--cache", str(cache), *cached, "1", "-o", str(tmp_path / "out")]
    )
    assert code == expected_code
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["failed"] == ["1"]


@pytest.mark.parametrize("args", [["--query", "lupus", "--offline"], []])
def test_pipeline_run_refuses_bad_input(
    tmp_path: Path, env: dict[str, str], args: list[str]
) -> None:
    code, output = _invoke(
        ["run", *args, "--cache", str(tmp_path / "c.sqlite3"), "-o", str(tmp_path / "o")]
    )
    assert code == 2
    assert "Error:" in output


@pytest.mark.parametrize("query", ["vitamin D"])
def test_pipeline_run_query_and_search(
    tmp_path: Path, env: dict[str, str], records: dict[str, bytes], query: str
) -> None:
    hits = [(p, dt.date(2020, 1, 1)) for p in PMIDS]
    with FakeEutils(pubmed=records, searches={query: hits}) as fake:
        code, output = _invoke(["search", query, "--max", "4", "--eutils-url", fake.url])
        assert (code, output.split()) == (0, PMIDS[:4])
        code, _ = _invoke(
            [
                "run",
                "-q",
                query,
                "--eutils-url",
                fake.url,
                "--cache",
                str(tmp_path / "c"),
                "-o",
                str(tmp_path / "o"),
            ]
        )
        assert code == 0
        assert _pmids(tmp_path / "o" / "records.jsonl") == PMIDS


@pytest.mark.parametrize("db,ids", [("pubmed", PMIDS[:3]), ("pmc", ["PMC8435807"])])
def test_pipeline_fetch_writes_raw_records(
    tmp_path: Path, env: dict[str, str], records: dict[str, bytes], db: str, ids: list[str]
) -> None:
    pmc = split_records("pmc", (RECORDED / "efetch_pmc_8435807.xml").read_bytes())
    out = tmp_path / "raw.xml"
    with FakeEutils(pubmed=records, pmc=pmc) as fake:
        args = ["fetch", "--db", db, *ids, "-o", str(out), "--cache", str(tmp_path / "c")]
        code, _ = _invoke([*args, "--eutils-url", fake.url])
    assert code == 0
    assert list(split_records(db, out.read_bytes())) == ids


@pytest.mark.parametrize("link", [{PMIDS[0]: "PMC8435807"}])
def test_pipeline_links_and_fetches_full_text_through_the_cache(
    tmp_path: Path, records: dict[str, bytes], link: dict[str, str]
) -> None:
    pmc = split_records("pmc", (RECORDED / "efetch_pmc_8435807.xml").read_bytes())
    with FakeEutils(pubmed=records, pmc=pmc, links=link) as fake, Cache(tmp_path / "c") as cache:
        client = EutilsClient(EutilsConfig(base_url=fake.url, rate_limit=50))
        links, unlinked = link_pmc(client, cache, PMIDS[:2])
        assert (links, unlinked) == ({PMIDS[0]: "PMC8435807", PMIDS[1]: None}, ())
        outcome = fetch_records(client, cache, "pmc", ["PMC8435807"])
        assert outcome.fetched == ("PMC8435807",)
        seen = len(fake.seen)
        assert link_pmc(None, cache, PMIDS[:2]) == (links, ())  # offline: from the cache
        assert fetch_records(client, cache, "pmc", ["8435807"]).from_cache == ("PMC8435807",)
        assert len(fake.seen) == seen


@pytest.mark.parametrize("link", [{PMIDS[0]: "PMC8435807"}])
def test_pipeline_run_full_text_adds_pmc_records(
    tmp_path: Path, records: dict[str, bytes], link: dict[str, str]
) -> None:
    pytest.importorskip("extractor.parse.jats", reason="the JATS parser (issue 2) is not in yet")
    pmc = split_records("pmc", (RECORDED / "efetch_pmc_8435807.xml").read_bytes())
    with FakeEutils(pubmed=records, pmc=pmc, links=link) as fake:
        eutils = EutilsConfig(base_url=fake.url, rate_limit=50)
        report = run(
            PMIDS[:2],
            outdir=tmp_path,
            eutils=eutils,
            cache=CacheConfig(path=tmp_path / "c"),
            full_text=True,
        )
    lines = [json.loads(line) for line in (tmp_path / "records.jsonl").read_text().splitlines()]
    key = {"pubmed": "pmid", "pmc": "pmcid"}
    ids = [(r["source_format"], r[key[r["source_format"]]]) for r in lines]
    assert ids == [("pubmed", PMIDS[0]), ("pmc", "PMC8435807"), ("pubmed", PMIDS[1])]
    assert report.pmc is not None and report.pmc["fetched"] == 1
    assert report.complete


@pytest.mark.parametrize("failures", [4])
def test_pipeline_run_partial_when_a_batch_keeps_failing(
    tmp_path: Path, records: dict[str, bytes], failures: int
) -> None:
    with FakeEutils(pubmed=records, faults=FaultPlan(script=["503"] * failures)) as fake:
        eutils = EutilsConfig(
            base_url=fake.url,
            rate_limit=50,
            batch_size=3,
            workers=1,
            max_retries=3,
            backoff_base=0.01,
        )
        report = run(PMIDS, outdir=tmp_path, eutils=eutils, cache=CacheConfig(path=tmp_path / "c"))
        assert report.failed == tuple(PMIDS[:3]) and not report.complete
        assert _pmids(tmp_path / "records.jsonl") == PMIDS[3:]
        again = run(PMIDS, outdir=tmp_path, eutils=eutils, cache=CacheConfig(path=tmp_path / "c"))
        assert (again.fetched, again.from_cache, again.failed) == (3, 3, ())
        assert fake.seen[-1].ids() == PMIDS[:3]


@pytest.mark.parametrize("fault", ["429", "error"])
def test_pipeline_api_key_never_in_report_cache_or_logs(
    tmp_path: Path, records: dict[str, bytes], caplog: pytest.LogCaptureFixture, fault: str
) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeEutils(pubmed=records, faults=FaultPlan(script=[fault] * 2, retry_after="0")) as fake:
        args = ["run", *PMIDS, "-o", str(tmp_path / "o"), "--cache", str(tmp_path / "c.sqlite3")]
        env = {"NCBI_API_KEY": SECRET, "EXTRACTOR_EUTILS_URL": fake.url}
        result = CliRunner().invoke(cli, ["-vv", *args], env=env, catch_exceptions=False)
        assert result.exit_code == 0
        assert all(s.get("api_key") == SECRET for s in fake.seen)  # it was sent
    assert "<api_key>" in caplog.text or fault == "error"  # the 429 body echoed it, redacted
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert SECRET.encode() not in stored  # report.json, records.jsonl, the cache and its WAL
    assert SECRET not in caplog.text + result.output
