from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from fake_eutils import RECORDED, FakeEutils, FaultPlan

from extractor.config import EutilsConfig
from extractor.errors import EutilsError
from extractor.fetch import Cache, EutilsClient, import_recorded, map_ids
from extractor.fetch.responses import parse_idconv
from extractor.ids import Citation, citations_from_args

DAY = dt.date(2015, 10, 1)


def _client(fake: FakeEutils, **config: object) -> EutilsClient:
    settings = {"base_url": fake.url, "idconv_url": fake.idconv_url, "rate_limit": 500.0,
                "backoff_base": 0.01, **config}  # fmt: skip
    return EutilsClient(EutilsConfig(**settings))  # type: ignore[arg-type]


def _doi(n: int) -> str:
    return f"10.5555/trial.{n:04d}"


def test_fetch_idmap_a_thousand_dois_take_five_converter_requests_and_one_esearch_per_unknown(
    tmp_path: Path,
) -> None:
    in_pmc = [{"pmid": str(30_000_000 + n), "pmcid": f"PMC{9_000_000 + n}", "doi": _doi(n)}
              for n in range(980)]  # fmt: skip
    searches = {f'"{_doi(n)}"[doi]': [(str(31_000_000 + n), DAY)] for n in range(980, 990)}
    searches |= {f'"{_doi(n)}"[doi]': [(str(32_000_000 + n), DAY), (str(33_000_000 + n), DAY)]
                 for n in range(990, 995)}  # fmt: skip
    dois = [_doi(n).upper() if n % 7 == 0 else _doi(n) for n in range(1000)]  # DOIs ignore case
    with FakeEutils(articles=in_pmc, searches=searches) as fake, Cache(tmp_path / "c.sqlite3") as cache:
        mapping = map_ids(_client(fake, api_key="SECRETKEY"), cache, citations_from_args(dois))
        converter, esearch = fake.requests_to("idconv"), fake.requests_to("esearch.fcgi")
        assert len(converter) == 5
        assert len(esearch) == 20  # one per DOI the converter does not know
        assert all(s.method == "GET" and s.get("format") == "json" and s.get("idtype") == "doi"
                   and s.get("tool") and s.get("api_key") is None for s in converter)  # fmt: skip
        assert max(len(s.get("ids").split(",")) for s in converter) == 200
        assert mapping.inputs[0].target == "30000000" and mapping.inputs[0].via == "converter"
        assert mapping.inputs[985].target == "31000985" and mapping.inputs[985].via == "esearch"
        reasons = {m.citation.doi: m.reason for m in mapping.unmapped}
        assert reasons[_doi(992)] == "two PMIDs for one DOI: 32000992, 33000992"
        assert reasons[_doi(997)] == "not in PubMed"
        assert (len(mapping.ids), len(mapping.unmapped)) == (990, 10)

        seen = len(fake.seen)
        again = map_ids(_client(fake), cache, citations_from_args(dois))  # all answers cached
        offline = map_ids(None, cache, citations_from_args(dois))
        assert len(fake.seen) == seen
        assert [m.target for m in again.inputs] == [m.target for m in mapping.inputs]
        assert [m.reason for m in offline.inputs] == [m.reason for m in mapping.inputs]
        assert {m.via for m in offline.inputs if m.target} == {"cache"}


def test_fetch_idmap_pmcids_pmc_only_articles_and_fallback_to_the_doi(tmp_path: Path) -> None:
    articles = [
        {"pmid": "26702202", "pmcid": "PMC4676234", "doi": "10.4103/0970-9185.169064"},
        {"pmcid": "PMC7000001", "doi": "10.5555/pmc.only"},  # in PMC, not in PubMed
    ]
    searches = {'"10.5555/in.pubmed"[doi]': [("26702207", DAY)]}
    citations = [
        *citations_from_args(["PMC4676234", "PMC7000001", "PMC7000002"]),
        Citation("both", "row 4", pmcid="PMC7999999", doi="10.5555/in.pubmed"),
    ]
    with FakeEutils(articles=articles, searches=searches) as fake, Cache(tmp_path / "c.sqlite3") as cache:
        mapping = map_ids(_client(fake), cache, citations)
        assert [(m.target, m.reason) for m in mapping.inputs] == [
            ("26702202", None),
            (None, "in PMC as PMC7000001 but not in PubMed"),
            (None, "not in PMC"),
            ("26702207", None),
        ]
        assert mapping.inputs[3].used == ("doi", "10.5555/in.pubmed")
        assert [s.get("idtype") for s in fake.requests_to("idconv")] == ["pmcid", "doi"]
        # what the converter said about PMC4676234 serves fetches from PMC too
        pmc = map_ids(None, cache, citations_from_args(["26702202", "10.4103/0970-9185.169064"]), "pmc")
        assert [m.target for m in pmc.inputs] == ["PMC4676234", "PMC4676234"]


def test_fetch_idmap_converter_answers_are_retried_and_a_failed_converter_leaves_esearch(
    tmp_path: Path,
) -> None:
    searches = {'"10.5555/x"[doi]': [("26702207", DAY)]}
    faults = FaultPlan(script=["503", "html", None])
    with FakeEutils(searches=searches, faults=faults) as fake, Cache(tmp_path / "c.sqlite3") as cache:
        client = _client(fake)
        mapping = map_ids(client, cache, citations_from_args(["10.5555/x"]))
        assert mapping.ids == ("26702207",)
        assert client.stats.retries == 2
    faults = FaultPlan(script=["500"] * 3)
    with FakeEutils(searches=searches, faults=faults) as fake, Cache(tmp_path / "d.sqlite3") as cache:
        mapping = map_ids(_client(fake, max_retries=2), cache, citations_from_args(["10.5555/x"]))
        assert mapping.ids == ("26702207",)  # esearch still answers for the DOI


def test_fetch_idmap_offline_maps_the_ids_stored_records_state(tmp_path: Path) -> None:
    with Cache(tmp_path / "c.sqlite3") as cache:
        import_recorded(cache, [RECORDED])
        inputs = ["10.1002/ACR2.11726", "PMC6108041", "PMC4676234", "10.1183/23120541.50193-2021",
                  "10.1016/j.jcrs.2015.08.011", "PMC2848293"]  # fmt: skip
        mapping = map_ids(None, cache, citations_from_args(inputs))
    assert [m.target for m in mapping.inputs] == [
        "39077977", "28731372", "26702202", "34527728", "26432120", None]  # fmt: skip
    # PMC2848293 is cited in 28731372's reference list: a reference's ID is not the record's
    assert mapping.inputs[-1].reason == "not in the cache (offline)"


def test_fetch_idmap_a_cache_made_before_the_index_is_indexed_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with Cache(path) as cache:
        import_recorded(cache, [RECORDED / "efetch_pubmed_39077977.xml"])
    with sqlite3.connect(path) as db:  # as an older version left it: records, no index
        db.execute("DELETE FROM idmap")
        db.execute("PRAGMA user_version = 0")
    with Cache(path) as cache:
        mapping = map_ids(None, cache, citations_from_args(["10.1002/acr2.11726"]))
    assert mapping.ids == ("39077977",)


@pytest.mark.parametrize(
    "body",
    [b"<html>busy</html>", b'{"status": "error", "message": "invalid"}', b'{"status": "ok"}'],
)
def test_fetch_idmap_converter_answers_are_checked(body: bytes) -> None:
    with pytest.raises(EutilsError):
        parse_idconv(body)


def test_fetch_idmap_converter_records_read_numbers_and_errors() -> None:
    body = (b'{"status":"ok","records":[{"requested-id":"10.1000/A","pmcid":"PMC5","pmid":7,"doi":"10.1000/A"},'
            b'{"requested-id":"10.1000/b","status":"error","errmsg":"Identifier not found in PMC"}]}')
    first, second = parse_idconv(body)
    assert (first.requested, first.pmid, first.pmcid, first.doi, first.error) == (
        "10.1000/A", "7", "PMC5", "10.1000/a", None)  # fmt: skip
    assert second.error == "Identifier not found in PMC"
