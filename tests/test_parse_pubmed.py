from __future__ import annotations

import gzip
import io
import re
import tracemalloc
from pathlib import Path

import pytest
from lxml import etree

from extractor.errors import ParseError
from extractor.parse import ParseReport, iter_records, parse_file, pubmed
from extractor.parse.pubmed import CutRecords, SkipElements, is_retracted, iter_pubmed
from extractor.records import Author, Correction, Record

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pubmed"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pubmed"


def record(name: str, pmid: str):
    found = {r.pmid: r for r in parse_file(FIXTURES / name)}
    return found[pmid]


@pytest.mark.parametrize(
    "name,pmid,year,pub_date,raw",
    [
        # MedlineDate "2015 Oct-Dec": the year and first month are kept, the raw text too
        ("medline16n0902_excerpt.xml.gz", "26702200", 2015, "2015-10", "2015 Oct-Dec"),
        # PubDate with a Season
        ("biopython_pubmed1.xml", "12091962", 1990, "1990-03", "1990 Spring"),
        # PubDate with a month range in Season
        ("metapub_32490903.xml", "32490903", 2020, "2020-04", "2020 Apr-Jun"),
        ("metapub_39159658.xml", "39159658", 2024, "2024-09-02", "2024 Sep 02"),
        ("klortho_efetch_pubmedbook.xml", "20301295", 1993, "1993", "1993"),
    ],
)
def test_parse_pubmed_pub_date(name, pmid, year, pub_date, raw):
    r = record(name, pmid)
    assert (r.year, r.pub_date, r.pub_date_raw) == (year, pub_date, raw)


@pytest.mark.parametrize(
    "name,pmid,index,expected",
    [
        ("medline16n0902_excerpt.xml.gz", "26668920", -1, Author(collective="Gruppo Tecnico PASSI")),
        ("biopython_pubmed7.xml", "29963580", -1, Author(collective="Canadian Respiratory Research Network")),
        (
            "metapub_39159658.xml",
            "39159658",
            2,
            Author(
                family="O'Connor",
                given="John D",
                initials="JD",
                affiliations=(
                    "Patrick G Johnston Centre for Cancer Research, Queen's University Belfast, 97 Lisburn Road, "
                    "Belfast BT9 7AE, United Kingdom.",
                    "Ulster University School of Engineering, York Street, Belfast BT15 1AP, United Kingdom.",
                ),
            ),
        ),
    ],
)
def test_parse_pubmed_authors_collective_and_affiliations(name, pmid, index, expected):
    assert record(name, pmid).authors[index] == expected


@pytest.mark.parametrize(
    "name,pmid,index,orcid",
    [
        ("metapub_39159658.xml", "39159658", 0, "0009-0003-1544-910X"),  # bare iD in the XML
        ("biopython_pubmed7.xml", "29963580", 1, "0000-0002-4590-7461"),  # https://orcid.org/ URL
    ],
)
def test_parse_pubmed_orcid_bare_form(name, pmid, index, orcid):
    assert record(name, pmid).authors[index].orcid == orcid


@pytest.mark.parametrize(
    "name,pmid,needle",
    [
        ("metapub_35485580.xml", "35485580", "511 t year⁻¹, and ∼60% of such outflow"),  # <sup>, &#x223c;
        ("jabref_MedlineImporterTestMathML.xml", "32759406", "∑ i = 1 n a i ∫ a b 5 x + 2 sin x dx"),  # MathML
        ("metapub_38914053.xml", "38914053", "Nb-doped SnO2(NTO) thin films"),  # <sub>
    ],
)
def test_parse_pubmed_inline_markup_kept_in_abstract(name, pmid, needle):
    r = record(name, pmid)
    assert needle in r.abstract
    assert r.abstract_sections[-1].text.endswith(r.abstract[-20:])


@pytest.mark.parametrize(
    "name,pmid,title",
    [
        ("metapub_38914053.xml", "38914053", "Doped SnO2thin films fabricated at low temperature by atomic layer "
         "deposition with a precise incorporation of niobium atoms."),
        ("klortho_efetch_pubmedbook.xml", "20301295", "GeneReviews™"),
        ("medline16n0902_excerpt.xml.gz", "26668921",
         "[Léonard Defrance and occupational health in 18th century art]."),
    ],
)  # fmt: skip
def test_parse_pubmed_title_whole(name, pmid, title):
    assert record(name, pmid).title == title


def test_parse_pubmed_numeric_character_references():
    r = record("metapub_38914053.xml", "38914053")
    assert r.authors[0].affiliations[0].startswith("Institut Photovoltaïque d'Ile-de-France")


@pytest.mark.parametrize(
    "name,pmid,labels,categories,starts",
    [
        (
            "metapub_39077977.xml",
            "39077977",
            ("OBJECTIVE", "METHODS", "RESULTS", "CONCLUSION"),
            ("OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"),
            "OBJECTIVE: Avacopan, an activated complement factor 5 receptor antagonist",
        ),
        (
            "medline16n0902_excerpt.xml.gz",
            "26231464",
            ("OBJECTIVE", "DESIGN", "SETTING", "PATIENT(S)", "INTERVENTION(S)", "MAIN OUTCOME MEASURE(S)",
             "RESULT(S)", "CONCLUSION(S)", "CLINICAL TRIAL REGISTRATION NUMBER"),
            ("OBJECTIVE", "METHODS", "METHODS", "METHODS", "METHODS", "METHODS", "RESULTS", "CONCLUSIONS",
             "BACKGROUND"),
            "OBJECTIVE: To explore the psychology",
        ),
    ],
)  # fmt: skip
def test_parse_pubmed_structured_abstract(name, pmid, labels, categories, starts):
    r = record(name, pmid)
    assert tuple(s.label for s in r.abstract_sections) == labels
    assert tuple(s.nlm_category for s in r.abstract_sections) == categories
    assert r.abstract.startswith(starts)
    assert r.abstract.count("\n") == len(labels) - 1
    assert all(f"{s.label}: {s.text}" in r.abstract for s in r.abstract_sections)


def test_parse_pubmed_other_abstract():
    (other,) = record("medline16n0902_excerpt.xml.gz", "26702286").other_abstracts
    assert (other.type, other.language, other.text) == ("Publisher", "pl", "Abstract available from the publisher.")


@pytest.mark.parametrize(
    "name,pmid,expected",
    [
        ("medline16n0902_excerpt.xml.gz", "25998582", ("2010-019469-26", "ISRCTN69423238")),  # DataBankList
        ("medline16n0902_excerpt.xml.gz", "26231464", ("NCT01844362",)),  # DataBank + "govNCT..." in text
        ("medline16n0902_excerpt.xml.gz", "25359777", ()),  # a PDB DataBank is no trial registry
        ("metapub_39159658.xml", "39159658", ()),
    ],
)
def test_parse_pubmed_trial_registrations(name, pmid, expected):
    assert record(name, pmid).trial_registrations == expected


@pytest.mark.parametrize(
    "name,pmid,doi",
    [
        ("metapub_38833988.xml", "38833988", "10.1016/j.bbamcr.2024.119767"),  # ELocationID doi + pii
        ("biopython_pubmed1.xml", "9997", "10.1016/0005-2795(76)90109-4"),  # ArticleIdList only
        ("biopython_pubmed1.xml", "12091962", None),
    ],
)
def test_parse_pubmed_doi_never_pii(name, pmid, doi):
    assert record(name, pmid).doi == doi


@pytest.mark.parametrize(
    "name,pmid,pmcid",
    [
        ("medline16n0902_excerpt.xml.gz", "26702200", "PMC4676232"),  # OtherID in a baseline file
        ("metapub_39077977.xml", "39077977", "PMC11471946"),  # ArticleIdList
        ("metapub_39159658.xml", "39159658", None),
    ],
)
def test_parse_pubmed_pmcid(name, pmid, pmcid):
    assert record(name, pmid).pmcid == pmcid


@pytest.mark.parametrize(
    "name,pmid,types,corrections",
    [
        (
            "medline16n0902_excerpt.xml.gz",
            "26407471",
            ("English Abstract", "Published Erratum"),
            (Correction("ErratumFor", "22828228"),),
        ),
        ("metapub_38962805.xml", "38962805", ("Journal Article", "Published Erratum"), (Correction("ErratumFor", "38446048"),)),
    ],
)
def test_parse_pubmed_errata(name, pmid, types, corrections):
    r = record(name, pmid)
    assert (r.publication_types, r.corrections, r.retracted) == (types, corrections, False)


@pytest.mark.parametrize(
    "types,corrections,expected",
    [
        (("Journal Article", "Retracted Publication"), (), True),
        (("Journal Article",), (Correction("RetractionIn", "123"),), True),
        (("Retraction of Publication",), (Correction("RetractionOf", "123"),), False),
        (("Published Erratum",), (Correction("ErratumFor", "123"),), False),
    ],
)
def test_parse_pubmed_is_retracted(types, corrections, expected):
    assert is_retracted(types, corrections) is expected


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs the shared corpus (its only retraction has no licence)")
def test_parse_pubmed_retracted_record_in_shared_corpus():
    (r,) = parse_file(SHARED / "retraction" / "neilfws_retracted_example.xml")
    assert r.retracted and "RetractionIn" in {c.type for c in r.corrections}


def test_parse_pubmed_book_article():
    r = record("klortho_efetch_pubmedbook.xml", "20301295")
    assert r.publisher == "University of Washington, Seattle"
    assert r.authors == ()  # the book's AuthorList holds editors only
    assert r.language == "en" and r.abstract.startswith("GeneReviews are expert-authored")


def test_parse_pubmed_delete_citation():
    records = parse_file(FIXTURES / "medline16n0902_excerpt.xml.gz")
    deleted = [r for r in records if r.deleted]
    assert [(r.pmid, r.title) for r in deleted] == [("26432306", None)]
    assert len(records) == 10


def test_parse_pubmed_fills_fields():
    r = record("metapub_39159658.xml", "39159658")
    assert r.journal.title == "Physics in medicine and biology" and r.journal.iso_abbrev == "Phys Med Biol"
    assert (r.journal.issn, r.journal.volume, r.journal.issue) == ("1361-6560", "69", "18")
    assert (r.epub_date, r.language, r.license) == ("2024-09-02", "en", "CC BY")
    assert r.mesh_terms[:2] == ("Neoplasms", "Humans") and "radiobiology" in r.keywords
    assert r.publication_types == ("Journal Article", "Review")


def test_parse_pubmed_no_empty_strings():
    for path in FIXTURES.glob("*.xml*"):
        try:
            records = parse_file(path)
        except ParseError:
            continue
        for r in records:
            assert "\"\"" not in str(r.to_dict()).replace("'", '"'), (path, r.pmid)


def test_parse_pubmed_empty_set_is_zero_records():
    assert parse_file(FIXTURES / "metapub_37909814.xml") == []


@pytest.mark.parametrize("broken", [0, 1])
def test_parse_pubmed_truncated_xml_keeps_earlier_records(broken):
    data = (FIXTURES / "biopython_pubmed1.xml").read_bytes()
    starts = [m.start() for m in re.finditer(rb"<PubmedArticle>", data)]
    ends = [m.end() for m in re.finditer(rb"</PubmedArticle>", data)]
    cut = (starts[broken] + ends[broken]) // 2
    *records, error = iter_pubmed(io.BytesIO(data[:cut]), source="cut.xml")
    assert isinstance(error, ParseError) and "not well-formed" in error.reason
    assert (error.source, error.record_id) == ("cut.xml", f"#{broken + 1}")
    assert [r.pmid for r in records] == ["12091962", "9997"][:broken]


def _replicated(count: int) -> bytes:
    data = (FIXTURES / "metapub_39159658.xml").read_bytes()
    article = re.search(rb"<PubmedArticle>.*</PubmedArticle>", data, re.DOTALL).group(0)
    body = b"".join(article.replace(b">39159658<", b">%d<" % (10_000_000 + i)) for i in range(count))
    return b"<?xml version='1.0'?>\n<PubmedArticleSet>" + body + b"</PubmedArticleSet>"


def _peak(data: bytes) -> tuple[int, int]:
    stream = io.BytesIO(data)
    tracemalloc.start()
    count = sum(1 for _ in iter_records(stream))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return count, peak


def test_parse_pubmed_streams_in_flat_memory():
    _peak(_replicated(20))  # first use loads the language table and fills small caches
    small_n, small_peak = _peak(_replicated(300))
    data = _replicated(3000)
    large_n, large_peak = _peak(data)
    assert (small_n, large_n) == (300, 3000)
    # 10x the records, not 10x the memory: a few hundred KiB whatever the size (the file is ~20 MB)
    assert large_peak < 2 * small_peak + 256 * 1024 and large_peak < len(data) / 20


@pytest.mark.parametrize("members", [1, 3])
def test_parse_pubmed_gzip_members_and_truncation(members):
    data = _replicated(30)
    step = len(data) // members + 1  # a multi-member gzip file: each member holds a slice
    packed = b"".join(gzip.compress(data[i : i + step]) for i in range(0, len(data), step))
    assert sum(1 for _ in iter_records(io.BytesIO(packed))) == 30
    report = ParseReport()
    records = list(iter_records(io.BytesIO(packed[: len(packed) * 2 // 3]), on_error="skip", report=report))
    assert 0 < len(records) < 30 and len(report.errors) == 1


@pytest.mark.parametrize("chunk", [1, 2, 7, 16, 64, 1 << 16])
def test_parse_pubmed_skip_elements_at_any_chunk_size(chunk):
    data = (
        b'<a><ReferenceList><Title>x</Title><ReferenceList><Reference><Citation>c</Citation></Reference>'
        b"</ReferenceList></ReferenceList><b>keep</b><ReferenceList/><ReferenceListX>keep</ReferenceListX>"
        b'<ReferenceList\n type="x">drop</ReferenceList ><c>end</c></a>'
    )
    out = SkipElements(io.BytesIO(data), b"ReferenceList", chunk=chunk).read()
    assert out == b"<a><b>keep</b><ReferenceListX>keep</ReferenceListX><c>end</c></a>"


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.xml*")), ids=lambda p: p.name)
def test_parse_pubmed_skipping_references_changes_no_record(path, monkeypatch):
    try:
        fast = parse_file(path)
    except ParseError:
        return
    monkeypatch.setattr(pubmed, "SKIPPED", b"NoSuchElement")
    assert parse_file(path) == fast


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 16])
def test_parse_pubmed_skip_elements_of_several_names(chunk):
    data = b"<a><History><d>1</d></History><b>keep</b><ReferenceList><ReferenceList/></ReferenceList><HistoryX/></a>"
    out = SkipElements(io.BytesIO(data), (b"ReferenceList", b"History"), chunk=chunk).read()
    assert out == b"<a><b>keep</b><HistoryX/></a>"


def _records_or_error(path: Path) -> list[Record] | str:
    try:
        return parse_file(path)
    except ParseError as e:
        return e.reason.split(":")[0]


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.xml*")), ids=lambda p: p.name)
def test_parse_pubmed_cutting_records_changes_no_record(path, monkeypatch):
    cut = _records_or_error(path)
    monkeypatch.setattr(pubmed, "_may_cut", lambda prolog: False)
    assert _records_or_error(path) == cut


@pytest.mark.parametrize("chunk", [1, 7, 500, 1 << 16])
def test_parse_pubmed_cut_records_at_any_chunk_size(chunk):
    data = _replicated(4)
    records = CutRecords(io.BytesIO(data), chunk=chunk)
    skeleton = records.read()
    assert skeleton.count(b"<PubmedArticle cut=") == 4 and b"<MedlineCitation" not in skeleton
    cut = [records.take(el) for el in etree.fromstring(skeleton)]
    assert [el.findtext("MedlineCitation/PMID") for el in cut] == [str(10_000_000 + i) for i in range(4)]


_MATHML = b'<?xml version="1.0"?>\n<PubmedArticleSet xmlns:mml="http://www.w3.org/1998/Math/MathML">'
_DOCTYPE = b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet SYSTEM "https://dtd.example/pubmed.dtd">\n<PubmedArticleSet>'


@pytest.mark.parametrize(
    "old,new,head",
    [
        (b"<PubmedArticle>", b'<PubmedArticle note="x">', None),  # attributes on the start tag
        (b"</PubmedArticle>", b"</PubmedArticle >", None),  # a space in the end tag
        (b"<ArticleTitle>", b"<ArticleTitle>&ndash; ", _DOCTYPE),  # an entity its DTD would declare
        (b"<ArticleTitle>", b"<ArticleTitle><mml:math><mml:mi>x</mml:mi></mml:math> ", _MATHML),  # a namespace
        (b"<ArticleTitle>", b"<ArticleTitle>caf\xe9 ", b'<?xml version="1.0" encoding="ISO-8859-1"?><PubmedArticleSet>'),
    ],
)
def test_parse_pubmed_records_a_fragment_would_misread_stay_in_the_stream(old, new, head):
    data = _replicated(2).replace(old, new)
    if head:
        data = head + data.split(b"<PubmedArticleSet>", 1)[1]
    assert b"<PubmedArticle cut=" not in CutRecords(io.BytesIO(data)).read()
    cut = list(iter_pubmed(io.BytesIO(data)))
    assert len(cut) == 2 and all(type(r) is Record for r in cut)


def test_parse_pubmed_record_longer_than_the_limit_stops_cutting():
    data = _replicated(3)
    assert CutRecords(io.BytesIO(data), chunk=64, limit=100).read() == data


def test_parse_pubmed_broken_cut_record_ends_the_stream():
    data = _replicated(3)
    second = data.index(b"<ArticleTitle>", data.index(b"</PubmedArticle>"))
    data = data[:second] + data[second:].replace(b"</ArticleTitle>", b"</ArticleTitleX>", 1)
    *records, error = iter_pubmed(io.BytesIO(data), source="broken.xml")
    assert [r.pmid for r in records] == ["10000000"]
    assert isinstance(error, ParseError) and "not well-formed" in error.reason and error.record_id == "#2"
