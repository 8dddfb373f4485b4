from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator

import pytest
from fake_eutils import RECORDED, FakeEutils, FaultPlan, replicate, template_records

from extractor.config import EutilsConfig
from extractor.errors import EutilsError, FetchError, RateLimitedError
from extractor.fetch import ESEARCH_CAP, EutilsClient, search

PMIDS = [str(20_000_000 + n) for n in range(5)]
SECRET = "s3cr3t-K3Y+/=value"


@pytest.fixture(scope="module")
def records() -> dict[str, bytes]:
    return replicate(template_records(sorted(RECORDED.glob("efetch_pubmed_1*.xml"))), PMIDS)


def _client(fake: FakeEutils, **changes: object) -> EutilsClient:
    config = EutilsConfig(base_url=fake.url, timeout=0.5, backoff_base=0.01, rate_limit=50)
    return EutilsClient(config.replace(**changes))


@pytest.fixture
def server(records: dict[str, bytes]) -> Iterator[FakeEutils]:
    with FakeEutils(pubmed=records) as fake:
        yield fake


@pytest.mark.parametrize(
    "fault", ["429", "500", "502", "503", "reset", "slow", "cut", "truncated", "error", "html"]
)
def test_fetch_client_retries_each_fault_then_succeeds(server: FakeEutils, fault: str) -> None:
    server.faults = FaultPlan(script=[fault, fault], retry_after="0", slow_seconds=1.0)
    client = _client(server)
    assert sorted(client.efetch("pubmed", PMIDS[:3])) == PMIDS[:3]
    assert [s.fault for s in server.seen] == [fault, fault, None]
    assert (client.stats.requests, client.stats.retries) == (3, 2)


@pytest.mark.parametrize(
    "fault,error",
    [
        ("429", RateLimitedError),
        ("503", FetchError),
        ("reset", FetchError),
        ("error", EutilsError),
        ("cut", FetchError),
    ],
)
def test_fetch_client_gives_up_after_max_retries(
    server: FakeEutils, fault: str, error: type[Exception]
) -> None:
    server.faults = FaultPlan(script=[fault] * 10, retry_after="0")
    with pytest.raises(error):
        _client(server, max_retries=2).efetch("pubmed", PMIDS)
    assert len(server.seen) == 3


@pytest.mark.parametrize("endpoint,status", [("nosuch.fcgi", 404)])
def test_fetch_client_raises_other_4xx_at_once(
    server: FakeEutils, endpoint: str, status: int
) -> None:
    with pytest.raises(FetchError) as caught:
        _client(server).call(endpoint, [("db", "pubmed")], lambda body: body)
    assert caught.value.status == status
    assert len(server.seen) == 1


@pytest.mark.parametrize("retry_after", ["1"])
def test_fetch_client_honours_retry_after(server: FakeEutils, retry_after: str) -> None:
    server.faults = FaultPlan(script=["429"], retry_after=retry_after)
    _client(server).efetch("pubmed", PMIDS[:1])
    first, second = server.seen
    assert second.at - first.at >= float(retry_after) - 0.05


@pytest.mark.parametrize("ids", [PMIDS])
def test_fetch_client_posts_ids_and_identity(server: FakeEutils, ids: list[str]) -> None:
    _client(server, email="me@example.org", api_key=SECRET).efetch("pubmed", ids)
    (seen,) = server.seen
    assert seen.method == "POST"
    assert seen.ids() == ids
    assert (seen.get("db"), seen.get("retmode"), seen.get("tool")) == (
        "pubmed",
        "xml",
        "trial-extractor",
    )
    assert (seen.get("email"), seen.get("api_key")) == ("me@example.org", SECRET)


@pytest.mark.parametrize("absent", [["1", "2"]])
def test_fetch_client_leaves_out_ids_absent_from_the_answer(
    server: FakeEutils, absent: list[str]
) -> None:
    assert sorted(_client(server).efetch("pubmed", [*absent, PMIDS[0]])) == [PMIDS[0]]


@pytest.mark.parametrize("fault", ["429", "error", "reset"])
def test_fetch_client_never_shows_the_api_key(
    server: FakeEutils, fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    server.faults = FaultPlan(script=[fault] * 3, retry_after="0")
    caplog.set_level(logging.DEBUG)
    client = _client(server, api_key=SECRET, max_retries=2)
    with pytest.raises(FetchError) as caught:
        client.efetch("pubmed", PMIDS)
    if fault == "429":  # NCBI's 429 body echoes the key; our message quotes the body
        assert "<api_key>" in str(caught.value)
    shown = [
        str(caught.value),
        caught.value.url or "",
        repr(client),
        repr(client.config),
        caplog.text,
    ]
    assert not [text for text in shown if SECRET in text]


def _dated_hits(count: int) -> list[tuple[str, dt.date]]:
    start = dt.date(1990, 1, 1)
    return [(str(30_000_000 + n), start + dt.timedelta(days=n % 12_000)) for n in range(count)]


@pytest.mark.parametrize("count", [25, 25_000])
def test_fetch_search_returns_every_id_past_the_cap(count: int) -> None:
    hits = _dated_hits(count)
    with FakeEutils(searches={"trial": hits}) as fake:
        client = _client(fake)
        result = search(client, "trial")
        assert sorted(result.ids) == sorted(p for p, _ in hits)
        assert len(result.ids) == len(set(result.ids)) == result.count == count
        assert (result.webenv, result.query_key) == ("MCID_fake0123456789abcdef", "1")
        assert all(len(s.params) and int(s.get("retmax") or 0) <= ESEARCH_CAP for s in fake.seen)
        assert fake.seen[0].get("usehistory") == "y"
        if count > ESEARCH_CAP:
            assert all(s.get("datetype") == "pdat" for s in fake.seen[1:])


@pytest.mark.parametrize("count,limit", [(25, 10), (25_000, 12_000)])
def test_fetch_search_max_results(count: int, limit: int) -> None:
    with FakeEutils(searches={"trial": _dated_hits(count)}) as fake:
        result = search(_client(fake), "trial", max_results=limit)
        assert len(result.ids) == len(set(result.ids)) == limit


@pytest.mark.parametrize("links", [{PMIDS[0]: "PMC123", PMIDS[2]: "PMC456"}])
def test_fetch_client_elink_pubmed_pmc(links: dict[str, str]) -> None:
    with FakeEutils(links=links) as fake:
        found = _client(fake).elink(PMIDS[:3])
        assert found == {PMIDS[0]: "123", PMIDS[1]: None, PMIDS[2]: "456"}
        assert fake.seen[0].ids() == PMIDS[:3]
        assert [k for k, _ in fake.seen[0].params].count(
            "id"
        ) == 3  # one id= each: one LinkSet each


@pytest.mark.parametrize("pmcid", ["PMC8435807"])
def test_fetch_client_efetch_pmc_by_pmcid(pmcid: str) -> None:
    from extractor.fetch.responses import split_records

    pmc = split_records("pmc", (RECORDED / "efetch_pmc_8435807.xml").read_bytes())
    with FakeEutils(pmc=pmc) as fake:
        assert list(_client(fake).efetch("pmc", [pmcid, "PMC1"])) == [pmcid]
        assert list(_client(fake).efetch("pmc", [pmcid.removeprefix("PMC")])) == [pmcid]
        assert fake.seen[0].ids() == ["8435807", "1"]


@pytest.mark.parametrize("timeout", [0.3])
def test_fetch_client_times_out_slow_answers(server: FakeEutils, timeout: float) -> None:
    server.faults = FaultPlan(script=["slow"], slow_seconds=1.0)
    started = time.monotonic()
    _client(server, timeout=timeout).efetch("pubmed", PMIDS[:1])
    assert time.monotonic() - started < 1.0  # did not wait for the slow answer
