from __future__ import annotations

import io
from pathlib import Path

import pytest

from extractor.errors import ParseError
from extractor.parse import iter_records, parse_file
from extractor.parse.medline import iter_medline, parse_abstract, split_records
from extractor.records import Author, Correction

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def record(name: str, pmid: str):
    return {r.pmid: r for r in parse_file(FIXTURES / "medline" / name)}[pmid]


@pytest.mark.parametrize(
    "name,count",
    [
        ("biopython_pubmed_result2.txt", 4),  # leading blank line
        ("biopython_pubmed_result3.txt", 1),
        ("p1m_qs_medline_excerpt.txt", 2),
        ("p1m_qs_citations_excerpt.nbib", 2),
    ],
)
def test_parse_medline_counts_records(name, count):
    records = parse_file(FIXTURES / "medline" / name)
    assert len(records) == count
    assert all(r.source_format == "medline" and r.pmid and r.title for r in records)


def test_parse_medline_fields():
    r = record("biopython_pubmed_result2.txt", "16403221")
    assert (r.pmcid, r.doi, r.epub_date, r.language) == ("PMC1373603", "10.1186/1471-2105-7-10", "2006-01-10", "en")
    assert (r.journal.title, r.journal.iso_abbrev, r.journal.issn) == ("BMC bioinformatics", "BMC Bioinformatics", "1471-2105")
    assert (r.year, r.pub_date, r.pub_date_raw) == (2006, "2006", "2006")
    assert r.authors[2] == Author(family="Saqi", given="Mansoor A S", initials="MA")
    assert r.publication_types == ("Evaluation Studies", "Journal Article")
    assert "Databases, Protein" in r.mesh_terms and not any(t.startswith("*") or "/" in t for t in r.mesh_terms)


@pytest.mark.parametrize(
    "name,pmid,labels",
    [
        ("biopython_pubmed_result3.txt", "23039619", ("PURPOSE", "METHODS", "RESULTS", "CONCLUSIONS")),
        ("p1m_qs_medline_excerpt.txt", "27050883", ("INTRODUCTION", "METHODS", "RESULTS", "CONCLUSION", "LEVEL OF EVIDENCE")),
        ("p1m_qs_medline_excerpt.txt", "28981094", (None,)),
    ],
)
def test_parse_medline_abstract_sections(name, pmid, labels):
    r = record(name, pmid)
    assert tuple(s.label for s in r.abstract_sections) == labels
    assert r.abstract.count("\n") == len(labels) - 1


@pytest.mark.parametrize(
    "text,labels",
    [
        ("BACKGROUND: a. METHODS: b. RESULTS: HIV-1 load fell.", ("BACKGROUND", "METHODS", "RESULTS")),
        ("We report a case. Note: nothing.", (None,)),
        ("TRIAL REGISTRATION: NCT01234567. CONCLUSIONS: ok.", ("TRIAL REGISTRATION", "CONCLUSIONS")),
    ],
)
def test_parse_medline_split_abstract_labels(text, labels):
    assert tuple(s.label for s in parse_abstract(text)) == labels


def test_parse_medline_collective_author_and_comments():
    r = record("p1m_qs_medline_excerpt.txt", "27050883")
    assert r.authors[-1] == Author(collective="AAST AORTA Study Group")
    assert len(r.authors) == 15 and len(r.authors[0].affiliations) == 1 and r.authors[1].affiliations == ()
    assert r.corrections == (Correction("CommentIn", "27270852"), Correction("CommentIn", "27270851"))


def test_parse_medline_orcid_and_affiliation_follow_their_author():
    r = record("p1m_qs_medline_excerpt.txt", "28981094")
    won = r.authors[5]
    assert (won.family, won.given, won.orcid) == ("Won", "Moo-Ho", "0000-0002-7178-6501")
    assert won.affiliations[0].startswith("Department of Neurobiology, School of Medicine, Kangwon National")
    assert [a.orcid for a in r.authors].count(None) == 8


@pytest.mark.parametrize("pmid", ["24613439", "19133053"])
def test_parse_medline_matches_pubmed_xml(pmid):
    """The same article read from MEDLINE text and from PubMed XML gives the same fields."""
    text = record("p1m_qs_citations_excerpt.nbib", pmid)
    xml = {r.pmid: r for r in parse_file(FIXTURES / "pubmed" / "p1m_qs_pubmed_result_excerpt.xml")}[pmid]
    for name in ("doi", "title", "abstract", "year", "pub_date", "epub_date", "language", "publication_types",
                 "mesh_terms", "keywords", "corrections", "trial_registrations"):  # fmt: skip
        assert getattr(text, name) == getattr(xml, name), name
    assert [(a.family, a.given) for a in text.authors] == [(a.family, a.given) for a in xml.authors]
    for name in ("title", "iso_abbrev", "issn", "volume", "issue", "pages"):
        assert getattr(text.journal, name) == getattr(xml.journal, name), name


def test_parse_medline_broken_record_is_reported_and_skipped():
    lines = (FIXTURES / "medline" / "biopython_pubmed_result2.txt").read_text().splitlines(keepends=True)
    records = ["".join(r) for r in split_records(lines)]
    broken = records[1].replace("PMID- 16377612\n", "this line is no field\n")
    data = "\n".join([records[0], broken, records[2]]).encode()
    items = list(iter_medline(io.BytesIO(data), source="x.txt"))
    assert [type(i).__name__ for i in items] == ["Record", "ParseError", "Record"]
    assert isinstance(items[1], ParseError) and items[1].record_id == "#2" and "no field" in items[1].reason


def test_parse_medline_record_without_pmid():
    data = b"TI  - A title without an identifier.\nLA  - eng\n"
    with pytest.raises(ParseError, match="no PMID"):
        list(iter_records(io.BytesIO(data), format="medline"))
