from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from extractor.errors import InputError, ParseError, UnknownFormatError
from extractor.parse import ParseReport, detect_format, iter_records, parse_bytes, parse_file

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PUBMED_AND_MEDLINE = sorted(p for d in ("pubmed", "medline") for p in (FIXTURES / d).iterdir())
# Negative samples and what their error must say.
NEGATIVE = {
    "biopython_pubmed3.html": "HTML page",
    "biopython_epost2_error.xml": "Invalid db name specified: nothing",
}


@pytest.mark.parametrize(
    "head,expected",
    [
        (b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet PUBLIC "x" "y">\n<PubmedArticleSet>', "pubmed"),
        (b"<PubmedArticleSet>\n</PubmedArticleSet>", "pubmed"),
        (b'\xef\xbb\xbf<?xml version="1.0"?><MedlineCitationSet>', "pubmed"),
        (b"<!-- <article> in a comment --><PubmedArticleSet>", "pubmed"),
        (b'<!DOCTYPE article PUBLIC "-//NLM//DTD JATS" "x.dtd">\n<article xmlns:mml="m">', "pmc"),
        (b"<?xml version='1.0'?><pmc-articleset><article>", "pmc"),
        (b"<abstract><p>In order to assess</p></abstract><sec><title>", "pmc"),
        (b"<sec><title>Methods</title>", "pmc"),
        (b"\nPMID- 12230038\nOWN - NLM\n", "medline"),
        (b'{"responseHeader":{"status":0},"response":{"docs":[]}}', "catalogue"),
        (b'HTTP/1.1 200 OK\r\nServer: Jetty\r\n\r\n{"responseHeader":{}}', "catalogue"),
        (b"Title\nAutores principales: | , , |\n---|---|\nFormato: | Online |\n", "catalogue"),
        (gzip.compress(b"<PubmedArticleSet></PubmedArticleSet>"), "pubmed"),
        (b"<collection xmlns='http://www.loc.gov/MARC21/slim'>", "catalogue"),  # MARCXML
        (b"<marc:record xmlns:marc='http://www.loc.gov/MARC21/slim'><marc:leader>", "catalogue"),
        (b"<?xml version='1.0'?>\n<collection>\n <record>\n  <leader>00000nam", "catalogue"),
    ],
)
def test_parse_dispatch_detect_format(head, expected):
    assert detect_format(head) == expected


@pytest.mark.parametrize(
    "head,message",
    [
        (b"", "empty input"),
        (b"  \n", "empty input"),
        (b"<html><head><title>PmFetch response</title>", "HTML page"),
        (b"<!DOCTYPE html>\n<html>", "HTML page"),
        (b'<?xml version="1.0"?><eSearchResult><ERROR>Empty term and query_key</ERROR>', "Empty term and query_key"),
        (b"<eFetchResult>\n<ERROR>UID=0: cannot get document summary</ERROR>", "cannot get document summary"),
        (b"<eInfoResult><DbList>", "E-utilities <eInfoResult> answer"),
        (b"HTTP/1.1 400 Bad Request\r\n\r\n{}", "HTTP 400"),
        (b"<collection xmlns='http://example.org/not-marc'><item/>", "root <collection>"),
        (b"0\n", "not a format we read"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff garbage", "corrupt gzip"),
        (b"\x1f\x8b\x08\x00", "gzip data holds nothing"),
    ],
)
def test_parse_dispatch_detect_format_refuses(head, message):
    with pytest.raises(UnknownFormatError, match=message.replace("(", r"\(")):
        detect_format(head)


@pytest.mark.parametrize("path", PUBMED_AND_MEDLINE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_parse_dispatch_every_fixture_parses_or_says_why(path):
    if path.name in NEGATIVE:
        with pytest.raises(UnknownFormatError, match=NEGATIVE[path.name]) as info:
            parse_file(path)
        assert info.value.source == str(path)
        return
    records = parse_file(path)
    assert all(r.source_format == path.parent.name and (r.pmid or r.deleted) for r in records)
    assert records or path.name == "metapub_37909814.xml"  # the empty PubmedArticleSet


def test_parse_dispatch_gzip_and_plain_agree(tmp_path):
    plain = (FIXTURES / "pubmed" / "metapub_39077977.xml").read_bytes()
    (tmp_path / "a.xml.gz").write_bytes(gzip.compress(plain))
    (tmp_path / "renamed.txt").write_bytes(plain)  # the name says nothing
    assert parse_file(tmp_path / "a.xml.gz") == parse_file(tmp_path / "renamed.txt") == parse_bytes(plain)


def test_parse_dispatch_stream_input():
    data = (FIXTURES / "medline" / "biopython_pubmed_result2.txt").read_bytes()
    assert [r.pmid for r in iter_records(io.BytesIO(data))][:2] == ["16403221", "16377612"]


def test_parse_dispatch_missing_file_is_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read .*nothing.xml"):
        parse_file(tmp_path / "nothing.xml")


def test_parse_dispatch_skip_collects_errors_with_file_and_record(tmp_path):
    data = (FIXTURES / "pubmed" / "biopython_pubmed1.xml").read_bytes()
    data = data.replace(b"<PMID Version=\"1\">9997</PMID>", b"<PMID Version=\"1\"></PMID>", 1)
    path = tmp_path / "one_broken.xml"
    path.write_bytes(data)
    report = ParseReport()
    records = list(iter_records(path, on_error="skip", report=report))
    assert [r.pmid for r in records] == ["12091962"]
    (error,) = report.errors
    assert (error.source, error.record_id, error.reason) == (str(path), "#2", "record has no PMID")
    assert report.records == {str(path): 1} and not report.complete
    with pytest.raises(ParseError, match="record has no PMID"):
        parse_file(path)


def test_parse_dispatch_pubmed_does_not_import_other_readers():
    import subprocess
    import sys

    code = (
        "import sys; from extractor.parse import parse_file; "
        f"parse_file({str(FIXTURES / 'pubmed' / 'metapub_39159658.xml')!r}); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'pandas', 'Bio') "
        "or m in ('extractor.parse.jats', 'extractor.parse.catalogue')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
