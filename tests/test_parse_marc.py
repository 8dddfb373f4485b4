"""Catalogue records in MARCXML (MARC 21 slim): the RecordManager fixture and small records of our own."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.errors import ParseError, UnknownFormatError
from extractor.parse import ParseReport, detect_format, iter_records, parse_bytes, parse_file
from extractor.parse.catalogue import parse_catalogue
from extractor.parse.marc import parse_marc, related_parts
from extractor.records import AbstractSection, Author, Journal, Record

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "fixtures" / "catalogue"
MARC = "recordmanager_preview_marc.xml"
NS = "http://www.loc.gov/MARC21/slim"


def load(name: str) -> bytes:
    return (CATALOGUE / name).read_bytes()


@pytest.fixture(scope="module")
def preview() -> Record:
    (record,) = parse_marc(load(MARC), source=MARC)
    return record


# --- the RecordManager fixture -------------------------------------------------------------------


def test_marc_fixture_is_the_corpus_file() -> None:
    data = load(MARC)
    assert (len(data), hashlib.sha256(data).hexdigest()[:16]) == (1076, "bbff40bb2eefb3a7")


@pytest.mark.parametrize(
    "field,expected",
    [
        ("source_format", "catalogue"),
        ("title", "Tutki ja kirjoita"),  # 245 $a "Tutki ja kirjoita /": the ISBD " /" trimmed; $c not in it
        ("authors", (Author(family="Hirsjärvi", given="Sirkka", initials="S"),)),  # 100 $a "Hirsjärvi, Sirkka."
        ("year", 2013),  # 008/07-10
        ("pub_date", "2013"),
        ("pub_date_raw", None),  # no 260/264 $c
        ("language", "fi"),  # 008/35-37 "fin"
        ("publication_types", ("Book",)),  # leader/06-07 "am"
        ("publisher", None),  # no 260/264: not invented
        ("journal", None),  # no 773 and no 022: the 020 ISBN has no Record field
        ("pmid", None),
        ("doi", None),
        ("urls", ()),  # 852 is a holding, not a link
    ],
)  # fmt: skip
def test_marc_preview_fields(preview: Record, field: str, expected: object) -> None:
    assert getattr(preview, field) == expected


def test_marc_preview_whole_record(preview: Record) -> None:
    """Every value of the record: nothing else is filled (the ISBN, 001 and 852 have no Record field)."""
    assert preview == Record(
        source_format="catalogue",
        title="Tutki ja kirjoita",
        authors=(Author(family="Hirsjärvi", given="Sirkka", initials="S"),),
        year=2013,
        pub_date="2013",
        language="fi",
        publication_types=("Book",),
    )
    assert "978-951-31-4836-2" not in json.dumps(preview.to_dict())


@pytest.mark.parametrize("field", ["title", "authors", "year", "pub_date", "language", "publication_types"])
def test_marc_preview_agrees_with_the_solr_document_built_from_it(preview: Record, field: str) -> None:
    """RecordManager made recordmanager_preview_result.json from this MARC: both readers must agree."""
    (solr,) = parse_catalogue(load("recordmanager_preview_result.json"))
    assert getattr(preview, field) == getattr(solr, field)


# --- records of our own --------------------------------------------------------------------------

BOOK = b"""
  <leader>00000nam a2200000 i 4500</leader>
  <controlfield tag="001">book-1</controlfield>
  <controlfield tag="008">200110s2019    enk           000 0 eng d</controlfield>
  <datafield tag="100" ind1="1" ind2=" "><subfield code="a">Altman, Douglas G.,</subfield><subfield code="d">1948-2018.</subfield></datafield>
  <datafield tag="245" ind1="1" ind2="0"><subfield code="a">Practical statistics for medical research :</subfield><subfield code="b">a guide /</subfield><subfield code="c">Douglas G. Altman.</subfield></datafield>
  <datafield tag="264" ind1=" " ind2="1"><subfield code="a">London :</subfield><subfield code="b">Chapman and Hall,</subfield><subfield code="c">[2019]</subfield></datafield>
"""
BOOK_RECORD = Record(
    source_format="catalogue",
    title="Practical statistics for medical research : a guide",  # " : " inside kept, as VuFind's title
    authors=(Author(family="Altman", given="Douglas G.", initials="DG"),),  # "G." is an initial: kept
    publisher="Chapman and Hall",
    year=2019,
    pub_date="2019",
    pub_date_raw="[2019]",
    language="en",
    publication_types=("Book",),
)


def _prefixed(body: bytes) -> bytes:
    return re.sub(rb"<(/?)(leader|controlfield|datafield|subfield)\b", rb"<\1marc:\2", body)


@pytest.mark.parametrize(
    "document",
    [
        b'<collection xmlns="http://www.loc.gov/MARC21/slim"><record>' + BOOK + b"</record></collection>",
        b'<?xml version="1.0" encoding="UTF-8"?>\n<record xmlns="http://www.loc.gov/MARC21/slim">' + BOOK + b"</record>",
        b'<marc:collection xmlns:marc="http://www.loc.gov/MARC21/slim"><marc:record>' + _prefixed(BOOK)
        + b"</marc:record></marc:collection>",
        b"<collection><record>" + BOOK + b"</record></collection>",  # no namespace
        b"<record>" + BOOK + b"</record>",
    ],
    ids=["collection-ns", "record-ns", "prefixed-ns", "collection-bare", "record-bare"],
)  # fmt: skip
def test_marc_namespaced_or_not_read_the_same(document: bytes) -> None:
    assert detect_format(document) == "catalogue"
    assert parse_bytes(document, source="book.xml") == [BOOK_RECORD]
    assert parse_catalogue(document) == [BOOK_RECORD]


ARTICLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<record xmlns="http://www.loc.gov/MARC21/slim" type="Bibliographic">
  <leader>00000naa a2200000 a 4500</leader>
  <controlfield tag="001">art-7</controlfield>
  <controlfield tag="008">200115s2020    xxk     o     000 0 und d</controlfield>
  <datafield tag="024" ind1="7" ind2=" "><subfield code="a">https://doi.org/10.1136/ANNRHEUMDIS-2019-215396</subfield><subfield code="2">doi</subfield></datafield>
  <datafield tag="024" ind1="8" ind2=" "><subfield code="a">10.9999/not-a-doi-source</subfield></datafield>
  <datafield tag="035" ind1=" " ind2=" "><subfield code="a">(OCoLC)1234567</subfield></datafield>
  <datafield tag="035" ind1=" " ind2=" "><subfield code="a">(PubMed)31537547</subfield></datafield>
  <datafield tag="041" ind1="0" ind2=" "><subfield code="a">engchi</subfield></datafield>
  <datafield tag="100" ind1="1" ind2=" "><subfield code="a">He, Jing,</subfield><subfield code="e">author.</subfield><subfield code="u">Peking University People's Hospital, Beijing.</subfield><subfield code="1">https://orcid.org/0000-0002-1825-0097</subfield></datafield>
  <datafield tag="245" ind1="1" ind2="0"><subfield code="a">Efficacy and safety of low-dose IL-2 in systemic lupus erythematosus</subfield><subfield code="h">[electronic resource] :</subfield><subfield code="b">a randomised, double-blind, placebo-controlled trial /</subfield><subfield code="c">Jing He [and 30 others].</subfield></datafield>
  <datafield tag="250" ind1=" " ind2=" "><subfield code="a">Version of record.</subfield></datafield>
  <datafield tag="260" ind1=" " ind2=" "><subfield code="a">London :</subfield><subfield code="b">BMJ Publishing Group,</subfield><subfield code="c">2020.</subfield></datafield>
  <datafield tag="500" ind1=" " ind2=" "><subfield code="a">Also registered as NCT02932137.</subfield></datafield>
  <datafield tag="520" ind1="3" ind2=" "><subfield code="a">OBJECTIVES: To assess low-dose IL-2. METHODS: A double-blind trial. TRIAL REGISTRATION NUMBER: NCT02465580.</subfield></datafield>
  <datafield tag="520" ind1="1" ind2=" "><subfield code="a">A review of the article, not its abstract.</subfield></datafield>
  <datafield tag="540" ind1=" " ind2=" "><subfield code="a">This article is distributed under</subfield><subfield code="u">http://creativecommons.org/licenses/by-nc/4.0/</subfield></datafield>
  <datafield tag="650" ind1="1" ind2="2"><subfield code="a">Lupus Erythematosus, Systemic</subfield><subfield code="x">drug therapy.</subfield></datafield>
  <datafield tag="650" ind1=" " ind2="0"><subfield code="a">Interleukin-2</subfield><subfield code="x">Therapeutic use</subfield><subfield code="z">China.</subfield></datafield>
  <datafield tag="651" ind1=" " ind2="0"><subfield code="a">Beijing (China)</subfield><subfield code="0">http://id.loc.gov/authorities/names/n79018985</subfield></datafield>
  <datafield tag="653" ind1=" " ind2=" "><subfield code="a">low-dose IL-2</subfield><subfield code="a">SLE</subfield></datafield>
  <datafield tag="655" ind1=" " ind2="2"><subfield code="a">Randomized Controlled Trial.</subfield></datafield>
  <datafield tag="700" ind1="1" ind2=" "><subfield code="a">Zhang, Ruijun.</subfield></datafield>
  <datafield tag="700" ind1="0" ind2=" "><subfield code="a">Shao.</subfield></datafield>
  <datafield tag="700" ind1="1" ind2="2"><subfield code="a">Li, Zhanguo.</subfield><subfield code="t">Low-dose IL-2 in lupus.</subfield></datafield>
  <datafield tag="710" ind1="2" ind2=" "><subfield code="a">Peking University.</subfield><subfield code="b">Lupus Study Group.</subfield></datafield>
  <datafield tag="711" ind1="2" ind2=" "><subfield code="a">EULAR Congress</subfield><subfield code="d">(2019 :</subfield><subfield code="c">Madrid)</subfield></datafield>
  <datafield tag="773" ind1="0" ind2=" "><subfield code="t">Annals of the rheumatic diseases.</subfield><subfield code="p">Ann Rheum Dis</subfield><subfield code="g">Vol. 79, no. 1 (Jan. 2020), p. 141-149.</subfield><subfield code="x">0003-4967</subfield></datafield>
  <datafield tag="856" ind1="4" ind2="0"><subfield code="u">https://www.ncbi.nlm.nih.gov/pmc/articles/PMC6937406/</subfield></datafield>
  <datafield tag="856" ind1="4" ind2="2"><subfield code="u">ftp://example.org/supplement.zip</subfield></datafield>
</record>
"""


@pytest.fixture(scope="module")
def article() -> Record:
    (record,) = parse_bytes(ARTICLE, source="article.xml")
    return record


@pytest.mark.parametrize(
    "field,expected",
    [
        ("doi", "10.1136/annrheumdis-2019-215396"),  # 024 ind1=7 $2 doi (URL and case normalised)
        ("pmid", "31537547"),  # 035 "(PubMed)"; "(OCoLC)" ignored
        ("pmcid", "PMC6937406"),  # from the 856 URL, as the Solr reader reads its url field
        ("title", "Efficacy and safety of low-dose IL-2 in systemic lupus erythematosus : "
                  "a randomised, double-blind, placebo-controlled trial"),  # $h skipped, its " :" kept
        ("publisher", "BMJ Publishing Group"),  # 260 $b
        ("year", 2020),
        ("pub_date", "2020-01"),  # the month of the host item's "(Jan. 2020)"
        ("pub_date_raw", "2020"),  # 260 $c "2020."
        ("language", "en"),  # 008 says "und": 041 "engchi" (codes run together), the first
        ("abstract", "OBJECTIVES: To assess low-dose IL-2.\nMETHODS: A double-blind trial.\n"
                     "TRIAL REGISTRATION NUMBER: NCT02465580."),  # the ind1=1 review left out
        ("abstract_sections", (AbstractSection("OBJECTIVES", "OBJECTIVE", "To assess low-dose IL-2."),
                               AbstractSection("METHODS", "METHODS", "A double-blind trial."),
                               AbstractSection("TRIAL REGISTRATION NUMBER", "BACKGROUND", "NCT02465580."))),
        ("trial_registrations", ("NCT02465580", "NCT02932137")),  # 520, then the 500 note
        ("license", "CC BY-NC 4.0"),  # 540
        ("publication_types", ("Article", "Randomized Controlled Trial")),  # leader "aa", 655
        ("mesh_terms", ("Lupus Erythematosus, Systemic",)),  # 650 ind2=2, descriptor only
        ("topics", ("Lupus Erythematosus, Systemic -- drug therapy", "Interleukin-2 -- Therapeutic use -- China",
                    "Beijing (China)", "low-dose IL-2", "SLE")),
        ("keywords", ("low-dose IL-2", "SLE")),  # 653
        ("urls", ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC6937406/",)),  # ftp left out
    ],
)  # fmt: skip
def test_marc_article_fields(article: Record, field: str, expected: object) -> None:
    assert getattr(article, field) == expected


def test_marc_article_host_journal(article: Record) -> None:
    assert article.journal == Journal(
        title="Annals of the rheumatic diseases",
        iso_abbrev="Ann Rheum Dis",
        issn="0003-4967",
        volume="79",
        issue="1",
        pages="141-149",
    )


def test_marc_article_authors(article: Record) -> None:
    assert article.authors == (
        Author(family="He", given="Jing", initials="J", affiliations=("Peking University People's Hospital, Beijing",),
               orcid="0000-0002-1825-0097"),
        Author(family="Zhang", given="Ruijun", initials="R"),
        Author(family="Shao"),  # ind1=0: a forename alone, a person all the same
        # 700 with $t (Li, Zhanguo: a related work) is no author
        Author(collective="Peking University. Lupus Study Group"),  # 710 $a $b
        Author(collective="EULAR Congress (2019 : Madrid)"),  # 711
    )  # fmt: skip


def test_marc_article_round_trips_through_json(article: Record) -> None:
    assert Record.from_dict(json.loads(json.dumps(article.to_dict()))) == article


@pytest.mark.parametrize(
    "g,expected",
    [
        ("Vol. 79, no. 1 (Jan. 2020), p. 141-149.", ("79", "1", "141-149", "Jan. 2020")),
        ("2020 Jan;79(1):141-149", ("79", "1", "141-149", "2020 Jan")),
        ("79(1):141-9", ("79", "1", "141-9", None)),
        ("Vol. 79 (2020), 1, s. 41–47", ("79", None, "41-47", "2020")),  # no issue label: not guessed
        ("Bd. 12, H. 3 (März 2020), S. 45-67", ("12", "3", "45-67", "März 2020")),
        ("Volume 5, Issue 2, Pages 100-110", ("5", "2", "100-110", None)),
        ("", (None, None, None, None)),
    ],
)
def test_marc_host_item_related_parts(g: str, expected: tuple[str | None, ...]) -> None:
    assert related_parts(g) == expected


def test_marc_host_item_enumeration_and_022_issn() -> None:
    """773 $q "79:1<141" serves when $g gives nothing; without 773 $x the 022 ISSN is the journal's."""
    record = parse_marc(
        b'<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000naa a2200000 a 4500</leader>'
        b'<datafield tag="022" ind1=" " ind2=" "><subfield code="a">0003-4967</subfield></datafield>'
        b'<datafield tag="245" ind1="0" ind2="0"><subfield code="a">A trial.</subfield></datafield>'
        b'<datafield tag="773" ind1="0" ind2=" "><subfield code="t">Ann Rheum Dis.</subfield>'
        b'<subfield code="q">79:1&lt;141</subfield></datafield></record>'
    )[0]
    assert record.title == "A trial"
    assert record.journal == Journal(title="Ann Rheum Dis", issn="0003-4967", volume="79", issue="1", pages="141")


@pytest.mark.parametrize(
    "fixed,languages,expected",
    [
        ("200110s2019    enk           000 0 fre d", [], "fr"),
        ("200110s2019    enk           000 0 scr d", [], "hr"),  # obsolete MARC code (Croatian)
        ("200110s2019    enk          000 0 und d", [], None),  # one short: "nd " is no MARC code
        ("200110s2019    enk           000 0 mul d", [(" ", "gerfre")], "de"),  # codes run together
        ("200110s2019    enk           000 0 |||  ", [("7", "sv")], "sv"),  # 041 ind2=7: ISO 639-1 per $2
        ("", [], None),
    ],
)
def test_marc_language(fixed: str, languages: list[tuple[str, str]], expected: str | None) -> None:
    fields = "".join(
        f'<datafield tag="041" ind1="0" ind2="{ind2}"><subfield code="a">{code}</subfield></datafield>'
        for ind2, code in languages
    )
    data = f'<record><controlfield tag="008">{fixed}</controlfield>{fields}</record>'.encode()
    assert parse_marc(data)[0].language == expected


# --- collections, errors -------------------------------------------------------------------------


def _record(number: str, title: str, extra: bytes = b"") -> bytes:
    return (
        (
            f'<record><leader>00000nam a2200000 a 4500</leader><controlfield tag="001">{number}</controlfield>'
            f'<datafield tag="245" ind1="0" ind2="0"><subfield code="a">{title}.</subfield></datafield>'
        ).encode()
        + extra
        + b"</record>"
    )


def _collection(*records: bytes) -> bytes:
    return (
        b'<?xml version="1.0"?>\n<collection xmlns="http://www.loc.gov/MARC21/slim">\n'
        + b"\n".join(records)
        + (b"\n</collection>\n")
    )


def test_marc_collection_of_several_records() -> None:
    data = _collection(_record("a1", "First"), BOOK.join([b"<record>", b"</record>"]), _record("a3", "Third"))
    records = parse_bytes(data)
    assert [r.title for r in records] == ["First", BOOK_RECORD.title, "Third"]
    assert records[1] == BOOK_RECORD
    assert parse_catalogue(data) == records


def test_marc_empty_collection_is_zero_records() -> None:
    """As Solr's numFound 0 and an empty PubmedArticleSet: no records, no error."""
    assert parse_bytes(_collection()) == []
    assert parse_catalogue(b"<collection/>") == []


def test_marc_record_without_title_is_read_without_one() -> None:
    """As the Solr reader does for a document without a title: None, nothing invented."""
    (record,) = parse_bytes(_collection(BOOK.replace(BOOK.split(b"\n")[5], b"").join([b"<record>", b"</record>"])))
    assert record.title is None
    assert record.authors == BOOK_RECORD.authors and record.year == 2019


def test_marc_broken_records_are_named_and_skipped(tmp_path: Path) -> None:
    authority = b'<record type="Authority"><controlfield tag="001">n79018985</controlfield></record>'
    path = tmp_path / "three.xml"
    path.write_bytes(_collection(_record("a1", "First"), authority, b"<record/>", _record("a4", "Fourth")))
    report = ParseReport()
    assert [r.title for r in iter_records(path, on_error="skip", report=report)] == ["First", "Fourth"]
    assert [(e.record_id, e.reason) for e in report.errors] == [
        ("#2 (001 n79018985)", "a MARC Authority record, not a bibliographic one"),
        ("#3", "MARC record without any field"),
    ]
    with pytest.raises(ParseError, match=re.escape(f"(in {path}, record #2 (001 n79018985))")):
        parse_file(path)


def test_marc_holdings_record_by_its_leader() -> None:
    holdings = b'<record><leader>00000nx  a2200000   4500</leader><controlfield tag="001">h1</controlfield></record>'
    with pytest.raises(ParseError, match=re.escape("a MARC holdings record (leader/06 'x')")):
        parse_marc(_collection(holdings))


def test_marc_truncated_file_keeps_the_records_before_the_cut(tmp_path: Path) -> None:
    data = _collection(_record("a1", "First"), _record("a2", "Second"))
    path = tmp_path / "cut.xml"
    path.write_bytes(data[: data.index(b"Second")])
    report = ParseReport()
    assert [r.title for r in iter_records(path, on_error="skip", report=report)] == ["First"]
    (error,) = report.errors
    assert error.record_id == "#2" and error.reason.startswith(
        "not well-formed XML (the file stops being XML here; 1 records"
    )


@pytest.mark.parametrize(
    "data,error,message",
    [
        (b'<collection xmlns="http://www.loc.gov/MARC21/slim"><item/></collection>', UnknownFormatError,
         "a <collection> without MARC records (it holds <item>)"),
        (b'<!DOCTYPE collection [<!ENTITY x "xx">]><collection xmlns="http://www.loc.gov/MARC21/slim"/>',
         ParseError, "XML declares entities; refused"),
        (b"<collection xmlns='http://www.loc.gov/MARC21/slim'><record><leader>", ParseError, "not well-formed XML"),
    ],
)  # fmt: skip
def test_marc_errors_are_clear(data: bytes, error: type[Exception], message: str) -> None:
    for parse in (parse_catalogue, parse_marc):
        with pytest.raises(error, match=re.escape(message)) as info:
            parse(data, source="marc.xml")
        assert "marc.xml" in str(info.value)


def test_marc_forced_on_other_xml_says_so() -> None:
    path = ROOT / "fixtures" / "pubmed" / "metapub_39159658.xml"
    with pytest.raises(UnknownFormatError, match=re.escape("XML with root <PubmedArticleSet> is not MARCXML")):
        parse_file(path, format="catalogue")


def test_marc_other_collections_are_still_refused() -> None:
    with pytest.raises(UnknownFormatError, match=re.escape("XML with root <collection> is not a format we read")):
        parse_bytes(b"<collection><item>not MARC</item></collection>")


# --- dispatch and the CLI ------------------------------------------------------------------------


def test_marc_dispatch_routes_the_fixture(tmp_path: Path) -> None:
    data = load(MARC)
    assert detect_format(data) == "catalogue"
    records = parse_file(CATALOGUE / MARC)
    assert records == parse_catalogue(data) == parse_marc(data)
    (tmp_path / "marc.gz").write_bytes(gzip.compress(data))
    assert parse_file(tmp_path / "marc.gz") == records


def test_marc_cli_parse_json() -> None:
    done = subprocess.run(
        [sys.executable, "cli.py", "parse", str(CATALOGUE / MARC), "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)
    assert (row["source_format"], row["title"], row["year"], row["language"]) == (
        "catalogue",
        "Tutki ja kirjoita",
        2013,
        "fi",
    )
    assert row["authors"] == [{"family": "Hirsjärvi", "given": "Sirkka", "initials": "S", "collective": None,
                               "affiliations": [], "orcid": None}]  # fmt: skip
    assert row["publisher"] is None and row["journal"] is None
