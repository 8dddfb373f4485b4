from __future__ import annotations

from pathlib import Path

import pytest

from extractor.errors import EutilsError
from extractor.fetch.responses import (
    check_record,
    parse_answer,
    parse_elink,
    parse_esearch,
    split_records,
)

EUTILS = Path(__file__).resolve().parent.parent / "fixtures" / "eutils"
RECORDED = EUTILS / "efetch"


@pytest.mark.parametrize(
    "name,message",
    [
        ("esearch_error.xml", "Invalid db name specified: fleegle"),
        ("efetch_pubmed_html.html", "got <html>"),
        ("einfo_truncated.xml", "not well-formed"),
    ],
)
def test_responses_refuse_recorded_error_answers(name: str, message: str) -> None:
    with pytest.raises(EutilsError, match=message):
        parse_answer((EUTILS / name).read_bytes(), "PubmedArticleSet")


@pytest.mark.parametrize(
    "body,message",
    [
        (b'{"error":"API rate limit exceeded","count":"4","limit":"3"}', "API rate limit exceeded"),
        (b"<ERROR>Empty id list - nothing todo</ERROR>", "Empty id list"),
        (b"<eSearchResult><Count>1</Count></eSearchResult>", "expected a <PubmedArticleSet>"),
        (b"", "not well-formed"),
    ],
)
def test_responses_refuse_json_errors_bare_errors_and_other_roots(
    body: bytes, message: str
) -> None:
    with pytest.raises(EutilsError, match=message):
        parse_answer(body, "PubmedArticleSet")


@pytest.mark.parametrize(
    "name,ids",
    [
        ("efetch_pubmed_12091962_9997.xml", ["12091962", "9997"]),
        ("efetch_pubmed_11748933_11700088.xml", ["11748933", "11700088"]),
        ("efetch_pubmed_28731372.xml", ["28731372"]),
    ],
)
def test_responses_split_pubmed_answer_into_one_record_per_pmid(name: str, ids: list[str]) -> None:
    records = split_records("pubmed", (RECORDED / name).read_bytes())
    assert list(records) == ids
    for pmid, xml in records.items():
        assert xml.startswith(b"<PubmedArticle>")
        assert f'<PMID Version="1">{pmid}</PMID>'.encode() in xml
        check_record("pubmed", xml)


@pytest.mark.parametrize("name", ["efetch_pubmed_empty.xml"])
def test_responses_split_empty_answer_into_nothing(name: str) -> None:
    assert split_records("pubmed", (EUTILS / name).read_bytes()) == {}


@pytest.mark.parametrize("name,pmcid", [("efetch_pmc_8435807.xml", "PMC8435807")])
def test_responses_split_pmc_answer_by_pmcid(name: str, pmcid: str) -> None:
    records = split_records("pmc", (RECORDED / name).read_bytes())
    assert list(records) == [pmcid]
    assert records[pmcid].startswith(b"<article")
    check_record("pmc", records[pmcid])


@pytest.mark.parametrize(
    "xml",
    [
        b"<ERROR>Invalid db name</ERROR>",
        b"<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>",
        b"<PubmedArticle><MedlineCitation><PMID>1</PMID>",
        b"<PubmedArticle><MedlineCitation/></PubmedArticle>",
    ],
)
def test_responses_check_record_refuses_anything_but_one_record(xml: bytes) -> None:
    with pytest.raises(EutilsError):
        check_record("pubmed", xml)


@pytest.mark.parametrize(
    "name,count,first,webenv",
    [
        ("esearch_history.xml", 42249, "41297076", "MCID_6927d6e7fee3e90f880ec190"),
        ("esearch_phrase_not_found.xml", 0, None, None),
    ],
)
def test_responses_parse_esearch(
    name: str, count: int, first: str | None, webenv: str | None
) -> None:
    page = parse_esearch((EUTILS / name).read_bytes())
    assert page.count == count
    assert (page.ids[0] if page.ids else None) == first
    assert page.webenv == webenv
    assert page.query_key == ("1" if webenv else None)


@pytest.mark.parametrize("name", ["esearch_phrase_not_found.xml"])
def test_responses_esearch_keeps_phrase_not_found_as_warning(name: str) -> None:
    page = parse_esearch((EUTILS / name).read_bytes())
    assert page.warnings == ("PhraseNotFound: abcXYZ", "OutputMessage: No items found.")


@pytest.mark.parametrize(
    "name,linkname,expected",
    [
        ("elink_pubmed_pubmed.xml", "pubmed_pubmed", {"9298984": "9298984"}),
        ("elink_pubmed_pubmed.xml", "pubmed_pmc", {"9298984": None}),
        ("elink_no_links.xml", "medgen_pubmed", {"0": None}),
    ],
)
def test_responses_parse_elink_one_linkset_per_id(
    name: str, linkname: str, expected: dict[str, str | None]
) -> None:
    assert parse_elink((EUTILS / name).read_bytes(), linkname) == expected
