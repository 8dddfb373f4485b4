from __future__ import annotations

from pathlib import Path

import pytest

from extractor.errors import InputError
from extractor.fetch import normalise_ids
from extractor.ids import (
    Citation,
    check_pmid,
    citations_from_args,
    parse_id,
    parse_pmid,
    read_citations,
    read_ids_file,
)

IDS = Path(__file__).resolve().parent.parent / "fixtures" / "ids"


@pytest.mark.parametrize(
    "text,kind,expected",
    [
        ("26702207", None, ("pmid", "26702207")),
        ("PMID: 26702207", None, ("pmid", "26702207")),
        ("PMC4676234", None, ("pmcid", "PMC4676234")),
        ("pmc4676234", None, ("pmcid", "PMC4676234")),
        ("4676234", "pmcid", ("pmcid", "PMC4676234")),  # digits are a PMCID only where the column says so
        ("4676234", None, ("pmid", "4676234")),
        ("10.4103/0970-9185.169072", None, ("doi", "10.4103/0970-9185.169072")),
        ("DOI:10.1016/J.JCRS.2015.08.011", None, ("doi", "10.1016/j.jcrs.2015.08.011")),
        ("doi: 10.1016/j.jcrs.2015.08.011", None, ("doi", "10.1016/j.jcrs.2015.08.011")),
        ("https://doi.org/10.1016/J.Fertnstert.2015.07.1131", None, ("doi", "10.1016/j.fertnstert.2015.07.1131")),
        ("http://dx.doi.org/10.1002/acr2.11726", None, ("doi", "10.1002/acr2.11726")),
        ("https://doi.org/10.1002%2Facr2.11726", None, ("doi", "10.1002/acr2.11726")),
        ("https://doi.org/10.1016/0140-6736(93)90001-x", None, ("doi", "10.1016/0140-6736(93)90001-x")),
        ("10.1002/acr2.11726.", None, ("doi", "10.1002/acr2.11726")),  # a full stop ending a sentence
        ("https://pubmed.ncbi.nlm.nih.gov/28731372/", None, ("pmid", "28731372")),
        ("https://www.ncbi.nlm.nih.gov/pubmed/28731372", None, ("pmid", "28731372")),
        ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC6108041/", None, ("pmcid", "PMC6108041")),
        ("https://pmc.ncbi.nlm.nih.gov/articles/PMC6108041/", None, ("pmcid", "PMC6108041")),
        ("https://europepmc.org/article/MED/28731372", None, ("pmid", "28731372")),
        ("10.4103", None, None),
        ("doi:nothing", None, None),
        ("PMC", None, None),
        ("https://example.org/paper/12", None, None),
        ("hello", None, None),
        ("10.4103/0970-9185.169072", "pmid", None),  # a PMID column holding a DOI
    ],
)
def test_ids_parse_id(text: str, kind: str | None, expected: tuple[str, str] | None) -> None:
    assert parse_id(text, kind) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("args", [["26702207", "PMC4676234, 10.4103/0970-9185.169072", "junk"]])
def test_ids_arguments_mixed_and_malformed(args: list[str]) -> None:
    citations = citations_from_args(args)
    assert [(c.pmid, c.pmcid, c.doi) for c in citations] == [
        ("26702207", None, None),
        (None, "PMC4676234", None),
        (None, None, "10.4103/0970-9185.169072"),
        (None, None, None),
    ]
    assert citations[-1].problem is not None and "malformed" in citations[-1].problem
    assert citations[1].where == "argument 2"


@pytest.mark.parametrize(
    "name,expected",
    [
        # one record by PMCID link (L2), four by DOI only, in three DOI forms; CRLF line ends
        ("covidence_included_trials.ris", [
            (None, None, "10.4103/0970-9185.169072"), (None, None, "10.4103/0970-9185.169086"),
            (None, "PMC4676234", None), (None, None, "10.1016/j.jcrs.2015.08.011"),
            (None, None, "10.1016/j.fertnstert.2015.07.1131")]),
        # AN is a PMID only when digits (an Embase "L..." number is not); C2 holds the PMCID
        ("endnote_export.ris", [
            ("28731372", "PMC6108041", "10.1177/1352458517722646"),
            (None, "PMC11471946", "10.1002/acr2.11726"), (None, None, "10.4103/0970-9185.169086"),
            (None, None, None), (None, None, None)]),
        # Zotero puts "PMID: ..." and "PMCID: ..." in notes, and a DOI in the URL field
        ("zotero_export.ris", [
            ("26702207", "PMC4676239", "10.4103/0970-9185.169072"),
            (None, None, "10.1016/j.fertnstert.2015.07.1131")]),
        # Rayyan: IDs only as PubMed and PMC links
        ("rayyan_export.ris", [("26432120", None, None), (None, "PMC4676234", None)]),
        ("pubmed_citations.nbib", [
            ("26702207", "PMC4676239", "10.4103/0970-9185.169072"),
            ("26702216", "PMC4676248", "10.4103/0970-9185.169086"),
            ("26702202", "PMC4676234", "10.4103/0970-9185.169064"),
            ("26432120", None, "10.1016/j.jcrs.2015.08.011"),
            ("26255087", None, "10.1016/j.fertnstert.2015.07.1131")]),
        ("covidence_included.csv", [
            (None, None, "10.4103/0970-9185.169072"), (None, None, "10.4103/0970-9185.169086"),
            (None, None, "10.1016/j.jcrs.2015.08.011"), (None, None, "10.1016/j.fertnstert.2015.07.1131"),
            (None, None, "10.5555/not.in.pubmed.2015")]),
        # a lowercase "pmcid" column: its bare digits are PMCIDs
        ("pmcids.tsv", [(None, "PMC4676234", None), (None, "PMC4676248", None)]),
    ],
)  # fmt: skip
def test_ids_read_exports(name: str, expected: list[tuple[str | None, ...]]) -> None:
    citations = read_ids_file((IDS / name).read_bytes(), name)
    assert [(c.pmid, c.pmcid, c.doi) for c in citations] == expected


def test_ids_read_records_without_a_usable_id_say_why() -> None:
    citations = read_ids_file((IDS / "endnote_export.ris").read_bytes(), "endnote_export.ris")
    assert citations[3].problem == "malformed: '10.4103' is not a PMID, PMCID, DOI or PubMed/PMC URL"
    assert citations[4].problem == "no PMID, PMCID or DOI in the record"
    assert citations[4].where == "endnote_export.ris record 5"
    assert citations[0].text.startswith("Exploring the effect of vitamin D3")


@pytest.mark.parametrize(
    "path,expected",
    [(Path("fixtures/medline/p1m_qs_citations_excerpt.nbib"),
      [("24613439", "10.1016/j.otsr.2013.09.013"), ("19133053", "10.1111/j.1479-828x.2008.00921.x")])],
)  # fmt: skip
def test_ids_read_a_real_pubmed_nbib_export(path: Path, expected: list[tuple[str, str]]) -> None:
    root = Path(__file__).resolve().parent.parent
    citations = read_ids_file((root / path).read_bytes(), path.name)
    assert [(c.pmid, c.doi) for c in citations] == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("26702207\n# a note\nPMC4676234, 10.1002/acr2.11726  # trailing note\n",
         [("pmid", "26702207"), ("pmcid", "PMC4676234"), ("doi", "10.1002/acr2.11726")]),
        ("PubMed ID;Title\n26702207;A title\n", [("pmid", "26702207")]),
        ("DOI\n10.1002/ACR2.11726\n", [("doi", "10.1002/acr2.11726")]),
        ("Key,Title,Url,Extra\nAB12,T,https://pubmed.ncbi.nlm.nih.gov/26702207/,\n"
         "CD34,U,,PMCID: PMC4676234\n", [("pmid", "26702207"), ("pmcid", "PMC4676234")]),
        # a first line that is an ID is no header, whatever it looks like
        ("doi:10.1002/acr2.11726\n26702207\n", [("doi", "10.1002/acr2.11726"), ("pmid", "26702207")]),
    ],
)  # fmt: skip
def test_ids_read_lists_and_tables(text: str, expected: list[tuple[str, str]]) -> None:
    assert [c.ids()[0] for c in read_citations(text)] == expected


def test_ids_one_citation_with_several_ids_prefers_the_pmid() -> None:
    citation = Citation("x", "here", pmid="1", pmcid="PMC2", doi="10.1/x")
    assert citation.ids() == [("pmid", "1"), ("pmcid", "PMC2"), ("doi", "10.1/x")]


def test_ids_table_with_id_columns_and_no_rows_is_an_error() -> None:
    with pytest.raises(InputError, match="no rows"):
        read_citations("Title,DOI\n")


def test_ids_file_in_windows_1252_is_read() -> None:
    data = "TY  - JOUR\nTI  - Caf\u00e9 trial\nDO  - 10.1002/acr2.11726\nER  - \n".encode("cp1252")
    [citation] = read_ids_file(data, "x.ris")
    assert (citation.text, citation.doi) == ("Caf\u00e9 trial", "10.1002/acr2.11726")


@pytest.mark.parametrize("text,expected", [("28731372", "28731372"), ("028731372", "28731372"), ("1", "1"),
                                           (" 9997\n", "9997"), ("99999999", "99999999"), ("000000001", "1")])
def test_ids_parse_pmid(text: str, expected: str) -> None:
    assert parse_pmid(text) == check_pmid(text) == expected


@pytest.mark.parametrize("text", ["0", "000", "", "123456789", "1" * 20, "-5", "+5", "12.5", "1e5", "PMID:1",
                                  "２８７３１３７２", "12 34"])
def test_ids_parse_pmid_refuses(text: str) -> None:
    assert parse_pmid(text) is None
    with pytest.raises(InputError, match=r"not a PMID: .*at most 8 digits"):
        check_pmid(text)


@pytest.mark.parametrize("text,expected", [("028731372", ("pmid", "28731372")), ("PMID: 0009997", ("pmid", "9997")),
                                           ("123456789", None), ("0", None), ("1" * 20, None),
                                           ("https://pubmed.ncbi.nlm.nih.gov/123456789/", None)])
def test_ids_parse_id_applies_the_pmid_check(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_id(text) == expected


def test_ids_normalise_ids_uses_the_pmid_check() -> None:
    assert normalise_ids("pubmed", ["028731372", "28731372", "", "9997"]) == ("28731372", "9997")
    with pytest.raises(InputError, match="'0'"):
        normalise_ids("pubmed", ["1", "0"])
