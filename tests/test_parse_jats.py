"""PMC JATS parser: whole articles, efetch db=pmc answers, fragments, table grids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractor.errors import ParseError, UnknownFormatError
from extractor.parse.jats import parse_jats
from extractor.records import AbstractSection, Correction, Record

PMC = Path(__file__).resolve().parent.parent / "fixtures" / "pmc"
ARTICLES = sorted(p.name for p in PMC.iterdir() if p.suffix in (".nxml", ".xml"))


def load(name: str) -> bytes:
    return (PMC / name).read_bytes()


def parse_one(name: str) -> Record:
    records = parse_jats(load(name), source=name)
    assert len(records) == 1
    return records[0]


def table(record: Record, table_id: str):  # type: ignore[no-untyped-def]
    found = [t for t in record.tables if t.id == table_id]
    assert len(found) == 1, [t.id for t in record.tables]
    return found[0]


def cut_fragment(data: bytes) -> bytes:
    """Cut an article the way the ico-dev fragments were cut: its abstract, then its body's children.

    Byte slices of the real file; nothing is typed in.
    """
    abstract = re.search(rb"<abstract[ >].*?</abstract>", data, re.DOTALL)
    body = re.search(rb"<body>(.*)</body>", data, re.DOTALL)
    assert abstract and body
    return abstract.group(0) + body.group(1)


# --- metadata of whole articles ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,field,expected",
    [
        ("PMC4497726.nxml", "pmid", "26158265"),
        ("PMC4497726.nxml", "pmcid", "PMC4497726"),
        ("PMC4497726.nxml", "doi", "10.1371/journal.pone.0131647"),
        ("PMC4497726.nxml", "license", "CC BY 4.0"),
        ("PMC4497726.nxml", "trial_registrations", ("NCT01129115",)),
        ("PMC4497726.nxml", "publisher", "Public Library of Science"),
        ("PMC4497726.nxml", "year", 2015),
        ("PMC4497726.nxml", "epub_date", "2015-07-09"),
        ("PMC4497726.nxml", "publication_types", ("research-article",)),
        ("PMC3264513.nxml", "trial_registrations", ("NCT00579657",)),
        ("PMC3264513.nxml", "license", "CC BY 2.0"),
        ("1472-6831-8-11.nxml", "pmid", "18405359"),
        ("1472-6831-8-11.nxml", "license", "CC BY 2.0"),
        ("biopython_efetch_pmc.xml", "license", "CC BY-NC 4.0"),  # from ali:license_ref
        ("biopython_efetch_pmc.xml", "pub_date", "2021-07"),  # collection date
        ("biopython_efetch_pmc.xml", "pub_date_raw", "2021 7"),
        ("biopython_efetch_pmc.xml", "epub_date", "2021-09-13"),
        ("biopython_efetch_pmc.xml", "publication_types", ("correction",)),
        ("biopython_efetch_pmc.xml", "corrections", (Correction("ErratumFor", None),)),
        ("biopython_efetch_pmc.xml", "topics", ("Author Correction",)),
    ],
)
def test_jats_article_fields(name: str, field: str, expected: object) -> None:
    assert getattr(parse_one(name), field) == expected


def test_jats_article_journal() -> None:
    journal = parse_one("PMC4497726.nxml").journal
    assert journal is not None
    assert (journal.title, journal.iso_abbrev, journal.issn) == (
        "PLoS ONE",
        "PLoS ONE",
        "1932-6203",
    )
    assert (journal.volume, journal.issue, journal.pages) == ("10", "7", "e0131647")


def test_jats_authors_affiliations_and_collective() -> None:
    authors = parse_one("PMC5207788.nxml").authors
    first = authors[0]
    assert (first.family, first.given, first.initials) == ("Brochet", "Bruno", "B")
    assert len(first.affiliations) == 2
    assert first.affiliations[0].startswith("Service de Neurologie et INSERM-CHU CIC-P 0005")
    assert authors[1].initials == "MSA"  # "Mathilde S. A."
    assert authors[3].given == "Timothé"  # numeric character reference
    assert authors[-1].collective == "PROMESS study investigators"
    assert authors[-1].family is None


def test_jats_title_and_abstract_keep_superscripts() -> None:
    record = parse_one("PMC5207788.nxml")
    assert "750 mg /m² body" in (record.abstract or "")
    assert [s.label for s in record.abstract_sections][:2] == ["Background", "Objective"]
    assert record.abstract_sections[0].nlm_category == "BACKGROUND"


@pytest.mark.parametrize(
    "name,labels,categories",
    [
        (
            "PMC3264513.nxml",
            ["Background", "Methods", "Results", "Conclusions", "Trial registration"],
            ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS", "BACKGROUND"],  # NLM's choice
        ),
        # paragraphs before the first <sec>: an unlabelled section, then the labelled one
        ("PMC4497726.nxml", [None, "Trial Registration"], [None, "BACKGROUND"]),
    ],
)
def test_jats_abstract_sections(
    name: str, labels: list[str | None], categories: list[str | None]
) -> None:
    record = parse_one(name)
    assert [s.label for s in record.abstract_sections] == labels
    assert [s.nlm_category for s in record.abstract_sections] == categories
    lines = (record.abstract or "").split("\n")
    assert lines == [
        f"{s.label}: {s.text}" if s.label else s.text for s in record.abstract_sections
    ]


def test_jats_abstract_without_sec_is_one_unlabelled_section() -> None:
    record = parse_one("biopython_efetch_pmc.xml")
    assert record.abstract_sections == ()
    assert record.abstract is None
    assert record.sections[0].title is None
    assert record.sections[0].text.startswith(
        "This article was originally published with an error in table 2."
    )


def test_jats_sections_are_flat_with_paths_and_own_text() -> None:
    sections = parse_one("PMC4497726.nxml").sections
    titles = [s.title for s in sections]
    assert titles[0] == "Introduction"
    nested = [s for s in sections if len(s.path) > 1]
    assert nested, "subsections keep their enclosing titles"
    for sec in nested:
        parent = next(s for s in sections if s.path == sec.path[:-1])
        assert sec.text not in parent.text or not sec.text  # a parent holds only its own paragraphs
    assert all("\n\n" not in s.text for s in sections)


def test_jats_paragraph_text_excludes_floats() -> None:
    record = parse_one("PMC3264513.nxml")
    body_text = "\n".join(s.text for s in record.sections)
    for t in record.tables:
        assert t.caption and t.caption not in body_text


# --- table grids on real tables ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,table_id,header,first_row,n_rows",
    [
        (  # rowspan=2 in the first header column + colspan=2 group headers
            "PMC5207788.nxml",
            "pone.0168834.t003",
            (
                ("System organ class", "CPM (n = 72)", "CPM (n = 72)", "MP (n = 66)", "MP (n = 66)"),
                (
                    "System organ class",
                    "Number of AE",
                    "Number (%) of patients with AE",
                    "Number of AE",
                    "Number (%) of patients with AE",
                ),
            ),
            ("All pooled system organ classes", "617", "70 (97.2)", "409", "61 (92.4)"),
            11,
        ),
        (  # colspan=9 over colspan=2/3 arm headers; a full-width body row; colspan=2 body cells
            "PMC4497726.nxml",
            "pone.0131647.t002",
            (
                ("",) + ("26-Week Change",) * 9 + ("Hypothesis Testing",) * 2,
                ("", "Control (n = 25)", "Control (n = 25)", "75 min/wk (n = 25)", "75 min/wk (n = 25)",
                 "150 min/wk (n = 27)", "150 min/wk (n = 27)", "225 min/wk (n = 24)",
                 "225 min/wk (n = 24)", "225 min/wk (n = 24)", "Group * Time Interaction",
                 "Best Fitting Model"),
            ),
            ("Intent-to-Treat Cohort (N = 101)",) * 12,
            17,
        ),
    ],
)  # fmt: skip
def test_jats_table_grid_spans(
    name: str, table_id: str, header: tuple, first_row: tuple, n_rows: int
) -> None:
    t = table(parse_one(name), table_id)
    assert t.header == header
    assert t.body[0] == first_row
    assert len(t.body) == n_rows


def test_jats_table_grid_body_colspan_repeats_text() -> None:
    t = table(parse_one("PMC4497726.nxml"), "pone.0131647.t002")
    assert t.body[1] == (
        "VO2 peak (% change)", "-4.4", "(7.1)", "6.8", "(7.6)", "7.7", "(7.1)", "9.9", "(9.1)", "(9.1)",
        "F(3,89) = 14.2, p<0.001", "Dose-response t(89) = 3.8, p<0.001",
    )  # fmt: skip


def test_jats_table_three_header_rows_and_sup_in_cells() -> None:
    record = parse_one("PMC3264513.nxml")
    t = table(record, "T2")
    assert len(t.header) == 3
    assert t.header[0][2:5] == ("6 weeks",) * 3
    assert t.header[2] == (
        "", "control", "HCF", "HP", "MIX", "p value", "control", "HCF", "HP", "MIX", "p value¹",
    )  # fmt: skip
    cells = {c for tb in record.tables for row in tb.header + tb.body for c in row}
    assert any("kg/m²" in c for c in cells)


def test_jats_table_without_thead_has_empty_header() -> None:
    t = table(parse_one("PMC3264513.nxml"), "T3")
    assert t.header == ()
    assert t.body[2][1:5] == ("control", "HCF", "HP", "MIX")
    assert t.label == "Table 3"
    assert t.caption == "Markers of colonic fermentation, according to diet, after 6 and 18 weeks."
    assert t.section == "Diet induced changes in fecal SCFA profiles"
    assert t.footnotes[0].startswith("All values are mean ± SEM.")


@pytest.mark.parametrize("name", ARTICLES)
def test_jats_every_table_grid_is_rectangular(name: str) -> None:
    for record in parse_jats(load(name)):
        for t in record.tables:
            widths = {len(row) for row in t.header + t.body}
            assert len(widths) <= 1, (t.id, widths)


# --- fragments -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["PMC4497726.nxml", "PMC3264513.nxml", "PMC5207788.nxml"])
@pytest.mark.parametrize("tail", [b"", b"</body></article>"])  # closing tags whose start was cut
def test_jats_fragment_gives_what_the_article_gives(name: str, tail: bytes) -> None:
    article = parse_one(name)
    (fragment,) = parse_jats(cut_fragment(load(name)) + tail, source="fragment")
    assert fragment.source_format == "pmc"
    assert fragment.pmid is None
    assert fragment.abstract_sections == article.abstract_sections
    assert fragment.abstract == article.abstract
    assert fragment.sections == article.sections
    assert fragment.tables == article.tables
    assert fragment.trial_registrations == article.trial_registrations


def test_jats_fragment_resolves_numeric_character_references() -> None:
    (fragment,) = parse_jats(cut_fragment(load("PMC3264513.nxml")))
    assert "±" in fragment.tables[1].body[0][1]
    assert "&#x" not in (fragment.abstract or "")


def test_jats_fragment_table_cut_from_its_wrap() -> None:
    data = load("PMC5207788.nxml")
    start = data.index(b"<table ", data.index(b'<table-wrap id="pone.0168834.t003"'))
    end = data.index(b"</table-wrap>", start) + len(b"</table-wrap>")
    (fragment,) = parse_jats(data[start:end])
    (loose,) = fragment.tables
    assert loose.header == table(parse_one("PMC5207788.nxml"), "pone.0168834.t003").header
    assert loose.label is None


@pytest.mark.parametrize(
    "xml,labels",
    [
        (  # labels in bold at the start of each paragraph (the ico-dev PMC5771543 shape)
            b"<abstract><title>Abstract</title><p><bold><italic>Objectives:</italic></bold> To test.</p>"
            b"<p><bold><italic>Methods:</italic></bold> Randomised.</p></abstract>",
            [("Objectives", "To test."), ("Methods", "Randomised.")],
        ),
        (  # several italic labels inside one paragraph (the ico-dev PMC3195393 shape)
            b"<abstract><p><italic>Background</italic>. Restraints. <italic>Results</italic>. Fewer."
            b"</p></abstract>",
            [("Background", "Restraints."), ("Results", "Fewer.")],
        ),
        (  # an italic word that is no label stays text
            b"<abstract><p><italic>M. tuberculosis</italic> lipases.</p></abstract>",
            [(None, "M. tuberculosis lipases.")],
        ),
    ],
)
def test_jats_abstract_inline_labels(xml: bytes, labels: list[tuple[str | None, str]]) -> None:
    (record,) = parse_jats(xml)
    assert [(s.label, s.text) for s in record.abstract_sections] == labels


# --- sets and errors -----------------------------------------------------------------------------


def test_jats_articleset_with_several_articles() -> None:
    efetch = load("biopython_efetch_pmc.xml")
    other = load("PMC4497726.nxml")
    other = other[other.index(b"<article ") :]
    data = efetch.replace(b"</pmc-articleset>", other + b"</pmc-articleset>")
    records = parse_jats(data)
    assert [r.pmcid for r in records] == ["PMC8435807", "PMC4497726"]
    assert records[1].tables and not records[0].tables


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "empty input"),
        (b"   \n", "empty input"),
        (load("PMC4497726.nxml")[:20000], "not well-formed"),
        (cut_fragment(load("PMC4497726.nxml"))[:-300], "not a well-formed JATS fragment"),
        (b"<html><body><p>Error</p></body></html>", "root element <html> is not JATS"),
    ],
)
def test_jats_broken_input_gives_clear_parse_error(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=re.escape(message)) as info:
        parse_jats(data, source="broken.xml")
    assert "broken.xml" in str(info.value)


def test_jats_not_jats_is_unknown_format() -> None:
    with pytest.raises(UnknownFormatError):
        parse_jats(b"<PubmedArticleSet></PubmedArticleSet>")


def test_jats_record_round_trips_through_json() -> None:
    record = parse_one("PMC5207788.nxml")
    assert Record.from_dict(record.to_dict()) == record
    assert isinstance(record.abstract_sections[0], AbstractSection)


@pytest.mark.parametrize("name", ["PMC4497726.nxml", "biopython_efetch_pmc.xml"])
def test_jats_dispatch_routes_articles_and_fragments(name: str, tmp_path: Path) -> None:
    from extractor.parse import detect_format, parse_file

    assert detect_format(load(name)[:65536]) == "pmc"
    assert parse_file(PMC / name) == parse_jats(load(name))
    fragment = tmp_path / "fragment.xml"
    fragment.write_bytes(cut_fragment(load("PMC4497726.nxml")))
    assert parse_file(fragment) == parse_jats(fragment.read_bytes())


def test_jats_other_abstracts_prose_licence_and_unicode() -> None:
    record = parse_one("pntd.0002065.nxml")
    (summary,) = record.other_abstracts
    assert summary.type == "summary"  # PLoS "Author Summary"
    assert summary.text.startswith("Rift Valley fever (RVF) is a mosquito-borne disease")
    assert record.abstract and not record.abstract.startswith("Rift Valley fever (RVF) is a mosquito")
    assert record.license == "CC BY"  # from the <license-p> prose: the <license> has no href
    assert record.title and "Zambézia Province, Mozambique" in record.title
    assert record.authors[0].given == "José"
    assert record.authors[0].affiliations == ("Veterinary Faculty, Eduardo Mondlane University, Maputo, Mozambique",)


def test_jats_orcid_from_contrib_id() -> None:
    """A unit check of the contrib-id path (no fixture article carries an ORCID)."""
    xml = (
        b'<article><front><article-meta><contrib-group><contrib contrib-type="author">'
        b'<contrib-id contrib-id-type="orcid" authenticated="true">https://orcid.org/0000-0002-1825-0097'
        b"</contrib-id><name><surname>Carberry</surname><given-names>Josiah</given-names></name>"
        b"</contrib></contrib-group></article-meta></front></article>"
    )
    (record,) = parse_jats(xml)
    assert record.authors[0].orcid == "0000-0002-1825-0097"
    assert record.authors[0].initials == "J"


def test_jats_dispatch_detects_fragments_that_start_with_a_float() -> None:
    from extractor.parse import detect_format, parse_bytes

    data = load("PMC5207788.nxml")
    start = data.index(b'<table-wrap id="pone.0168834.t003"')
    fragment = data[start : data.index(b"</table-wrap>", start) + len(b"</table-wrap>")]
    assert detect_format(fragment) == "pmc"
    (record,) = parse_bytes(fragment)
    assert record.tables[0].label == "Table 3"
