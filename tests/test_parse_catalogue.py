"""Catalogue records: VuFind Solr JSON (answers, documents, HTTP transcripts) and the rendered seed page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from extractor.errors import ParseError, UnknownFormatError
from extractor.parse.catalogue import page_rows, parse_catalogue, split_author_run
from extractor.records import Author, Record

CATALOGUE = Path(__file__).resolve().parent.parent / "fixtures" / "catalogue"
SEED = "seed_pubmed-6937406.txt"


def load(name: str) -> bytes:
    return (CATALOGUE / name).read_bytes()


@pytest.fixture(scope="module")
def seed() -> Record:
    (record,) = parse_catalogue(load(SEED), source=SEED)
    return record


# --- the seed page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field,expected",
    [
        ("source_format", "catalogue"),
        ("pmid", "31537547"),  # from the pubmed URL, not from id "pubmed-6937406"
        ("pmcid", "PMC6937406"),
        ("doi", "10.1136/annrheumdis-2019-215396"),
        ("title", "Efficacy and safety of low-dose IL-2 in the treatment of systemic lupus "
                  "erythematosus: a randomised, double-blind, placebo-controlled trial"),
        ("publisher", "BMJ Publishing Group"),
        ("year", 2020),
        ("pub_date", "2020-01"),
        ("epub_date", "2019-09-19"),
        ("language", "en"),
        ("topics", ("Systemic Lupus Erythematosus",)),
        ("trial_registrations", ("NCT02465580", "NCT02932137")),
        ("license", "CC BY-NC 4.0"),
        ("urls", ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC6937406/",
                  "https://www.ncbi.nlm.nih.gov/pubmed/31537547",
                  "http://dx.doi.org/10.1136/annrheumdis-2019-215396")),
    ],
)  # fmt: skip
def test_catalogue_seed_fields(seed: Record, field: str, expected: object) -> None:
    assert getattr(seed, field) == expected


def test_catalogue_seed_journal(seed: Record) -> None:
    assert seed.journal is not None
    assert seed.journal.iso_abbrev == "Ann Rheum Dis"


def test_catalogue_seed_31_authors(seed: Record) -> None:
    assert len(seed.authors) == 31
    assert seed.authors[0] == Author(family="He", given="Jing", initials="J")
    assert seed.authors[-1] == Author(family="Li", given="Zhanguo", initials="Z")
    assert seed.authors[13] == Author(family="Jacob", given="Alexander", initials="A")
    assert seed.authors[24] == Author(family="Alexander", given="Jessy", initials="J")


def test_catalogue_seed_abstract_sections(seed: Record) -> None:
    labels = [s.label for s in seed.abstract_sections]
    assert labels == [
        "OBJECTIVES",
        "METHODS",
        "RESULTS",
        "CONCLUSIONS",
        "TRIAL REGISTRATION NUMBER",
    ]
    assert [s.nlm_category for s in seed.abstract_sections][:4] == [
        "OBJECTIVE",
        "METHODS",
        "RESULTS",
        "CONCLUSIONS",
    ]
    assert (
        seed.abstract_sections[-1].text
        == "ClinicalTrials.gov Registries (NCT02465580 and NCT02932137)."
    )
    assert (
        (seed.abstract or "")
        .split("\n")[2]
        .startswith("RESULTS: At week 12, the SRI-4 response rates")
    )


def test_catalogue_seed_does_not_need_the_localised_block(seed: Record) -> None:
    """Keyed on the Solr field names: the page parses the same without its Spanish header block."""
    text = load(SEED)
    staff_view = text[text.index(b"_version_ |") :]
    (record,) = parse_catalogue(staff_view)
    assert record == seed


def test_catalogue_seed_localised_block_is_a_fallback() -> None:
    """Without the url and language rows, the localised rows ("Acceso en línea", "Lenguaje") serve."""
    lines = load(SEED).decode("utf-8").splitlines(keepends=True)
    kept = "".join(line for line in lines if not line.startswith(("url |", "language |")))
    (record,) = parse_catalogue(kept.encode("utf-8"))
    assert record.language == "en"
    assert record.pmid == "31537547" and record.pmcid == "PMC6937406"


def test_catalogue_page_rows_multiline_value() -> None:
    rows, loose = page_rows(load(SEED).decode("utf-8"))
    assert ("Publicado:", "BMJ Publishing Group 2020") in rows
    assert (
        "Autores principales:",
        ", , , , , , , , , , , , , , , , , , , , , , , , , , , , , ,",
    ) in rows
    assert loose[1].startswith("Efficacy and safety of low-dose IL-2")


# --- splitting a run of names --------------------------------------------------------------------


def _seed_row(name: str) -> str:
    rows, _ = page_rows(load(SEED).decode("utf-8"))
    return dict(rows)[name]


def _seed_keys() -> list[str]:
    return re.findall(r"\bAT (\S+) \S+", _seed_row("work_keys_str_mv"))


def test_catalogue_author_run_split_by_work_keys() -> None:
    names = split_author_run(_seed_row("author_facet"), _seed_keys())
    assert len(names) == 31
    assert names[:3] == ["He, Jing", "Zhang, Ruijun", "Shao, Miao"]
    assert names[-1] == "Li, Zhanguo"


def test_catalogue_author_run_split_without_keys_agrees() -> None:
    run = _seed_row("author_facet")
    assert split_author_run(run, []) == split_author_run(run, _seed_keys())


def test_catalogue_author_run_keys_that_do_not_fit_fall_back() -> None:
    run = _seed_row("author_facet")
    wrong = _seed_keys()[:5] + ["nosuchauthor"] + _seed_keys()[6:]
    assert split_author_run(run, wrong) == split_author_run(run, [])


@pytest.mark.parametrize(
    "run,keys,expected",
    [
        # the keys find multi-word family names that the comma heuristic cannot
        ("Garcia Marquez, Gabriel Hirsjärvi, Sirkka", ["garciamarquezgabriel", "hirsjarvisirkka"],
         ["Garcia Marquez, Gabriel", "Hirsjärvi, Sirkka"]),
        # without keys: a lower-case particle goes with the family name that follows it
        ("Jacob, Alexander de Groot, Quintin Deloire, Mathilde S. A.", [],
         ["Jacob, Alexander", "de Groot, Quintin", "Deloire, Mathilde S. A."]),
    ],
)  # fmt: skip
def test_catalogue_author_run_split_cases(run: str, keys: list[str], expected: list[str]) -> None:
    assert split_author_run(run, keys) == expected


# --- Solr JSON -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,ids",
    [
        ("vufind_solr_multi-record.http.txt", ["12345", "125456", "234547"]),
        ("vufind_solr_single-record.http.txt", ["690250223"]),
        (
            "vufind_solr_morelikethis.http.txt",
            ["704640", "704635", "476297", "704643", "704636", "576965"],
        ),
        ("vufind_solr_no-match.http.txt", []),
        ("vufind_testbug1.json", ["000105196"]),
        ("vufind_testbug2.json", ["testbug2"]),
        ("recordmanager_preview_result.json", ["test.123"]),
    ],
)
def test_catalogue_solr_answers_give_one_record_per_doc(name: str, ids: list[str]) -> None:
    records = parse_catalogue(load(name), source=name)
    assert len(records) == len(ids)
    assert all(r.source_format == "catalogue" and r.pmid is None and r.title for r in records)


@pytest.mark.parametrize(
    "name,index,field,expected",
    [
        ("vufind_solr_multi-record.http.txt", 0, "title", "The new international economic order : a bibliography"),
        ("vufind_solr_multi-record.http.txt", 0, "authors", (Author(family="Nawaz", given="Tawfique", initials="T"),)),
        ("vufind_solr_multi-record.http.txt", 0, "publisher", "Greenwood Press"),
        ("vufind_solr_multi-record.http.txt", 0, "year", 1980),
        ("vufind_solr_multi-record.http.txt", 0, "language", "en"),
        ("vufind_solr_multi-record.http.txt", 1, "authors",
         (Author(family="Knight", given="George Wilson", initials="GW"),)),  # "Knight, George Wilson, 1897-"
        ("vufind_testbug2.json", 0, "authors", (Author(family="Vico", given="Giambattista", initials="G"),
                                                Author(family="Pandolfi", given="Claudia", initials="C"))),
        ("vufind_testbug2.json", 0, "language", "it"),  # ["Italian", "Latin"]: the first
        ("vufind_testbug2.json", 0, "urls", ("http://fictional.com/sample/url",)),
        ("vufind_testbug2.json", 0, "publication_types", ("Book",)),
        ("vufind_testbug1.json", 0, "authors", (Author(collective="Unione matematica italiana"),)),
        ("vufind_testbug1.json", 0, "pub_date", "1922"),
        ("recordmanager_preview_result.json", 0, "authors",
         (Author(family="Hirsjärvi", given="Sirkka", initials="S"),)),
        ("recordmanager_preview_result.json", 0, "language", "fi"),
        ("recordmanager_preview_result.json", 0, "publisher", None),  # not in the document: not invented
        ("recordmanager_preview_result.json", 0, "journal", None),
        ("vufind_solr_single-record.http.txt", 0, "title", "Politics otherwise : Shakespeare as social and political critique"),
    ],
)  # fmt: skip
def test_catalogue_marc_records(name: str, index: int, field: str, expected: object) -> None:
    assert getattr(parse_catalogue(load(name))[index], field) == expected


def test_catalogue_issn_goes_to_journal() -> None:
    (record,) = parse_catalogue(load("vufind_testbug1.json"))
    assert record.journal is not None and record.journal.issn == "0041-7084"


@pytest.mark.parametrize("shape", ["list", "bare"])
def test_catalogue_bare_docs_and_lists(shape: str) -> None:
    answer = load("vufind_solr_multi-record.http.txt").decode("utf-8")
    docs = json.loads(answer.split("\n\n", 1)[1])["response"]["docs"]
    data = json.dumps(docs if shape == "list" else docs[0]).encode("utf-8")
    records = parse_catalogue(data)
    assert [r.title for r in records] == [r.title for r in parse_catalogue(answer.encode())][
        : len(records)
    ]


@pytest.mark.parametrize(
    "data,error,message",
    [
        (load("vufind_solr_bad-request.http.txt"), ParseError, "HTTP 400 Bad Request"),
        (load("vufind_solr_internal-server-error.http.txt"), ParseError, "HTTP 500 Internal Server Error"),
        (load("vufind_solr_terms.http.txt"), UnknownFormatError, "without documents (it holds terms)"),
        (load("vufind_testbug2.json")[:-200], ParseError, "not valid JSON"),
        (b"", ParseError, "empty input"),
        (b"just some words\nand more\n", ParseError, "not a catalogue record page"),
        (b'{"responseHeader": {"status": 400}, "error": {"msg": "undefined field foo", "code": 400}}',
         ParseError, "Solr error 400: undefined field foo"),
    ],
)  # fmt: skip
def test_catalogue_errors_are_clear(data: bytes, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=re.escape(message)) as info:
        parse_catalogue(data, source="answer.txt")
    assert "answer.txt" in str(info.value)


def test_catalogue_record_round_trips_through_json(seed: Record) -> None:
    assert Record.from_dict(json.loads(json.dumps(seed.to_dict()))) == seed


@pytest.mark.parametrize(
    "name,count",
    [
        (SEED, 1),
        ("vufind_solr_multi-record.http.txt", 3),
        ("vufind_testbug2.json", 1),
        ("vufind_solr_no-match.http.txt", 0),
    ],
)
def test_catalogue_dispatch_routes_catalogue_files(name: str, count: int) -> None:
    from extractor.parse import detect_format, parse_file

    assert detect_format(load(name)[:65536]) == "catalogue"
    records = parse_file(CATALOGUE / name)
    assert len(records) == count
    assert records == parse_catalogue(load(name))
