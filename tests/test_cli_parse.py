from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from extractor.writers import CSV_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
PUBMED = ROOT / "fixtures" / "pubmed"
MEDLINE = ROOT / "fixtures" / "medline"


def run(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(cli.cli, ["parse", *args], input=stdin, catch_exceptions=False)


@pytest.mark.parametrize(
    "fmt,load",
    [
        ("json", lambda out: json.loads(out)),
        ("jsonl", lambda out: [json.loads(line) for line in out.splitlines()]),
        ("csv", lambda out: list(csv.DictReader(io.StringIO(out)))),
    ],
)
def test_cli_parse_formats(fmt, load):
    result = run(str(PUBMED / "biopython_pubmed1.xml"), str(MEDLINE / "biopython_pubmed_result3.txt"), "--format", fmt)
    assert result.exit_code == 0, result.output
    rows = load(result.stdout)
    assert [r["pmid"] for r in rows] == ["12091962", "9997", "23039619"]
    assert [r["source_format"] for r in rows] == ["pubmed", "pubmed", "medline"]


def test_cli_parse_json_keys_and_nulls():
    rows = json.loads(run(str(PUBMED / "metapub_39159658.xml"), "--format", "json").stdout)
    assert list(rows[0]) == [
        "source_format", "pmid", "pmcid", "doi", "title", "abstract", "abstract_sections", "other_abstracts",
        "authors", "journal", "publisher", "year", "pub_date", "pub_date_raw", "epub_date", "language",
        "publication_types", "mesh_terms", "keywords", "topics", "trial_registrations", "license", "urls",
        "retracted", "corrections", "deleted", "sections", "tables",
    ]  # fmt: skip
    assert rows[0]["pmcid"] is None and rows[0]["authors"][2]["orcid"] is None


def test_cli_parse_csv_flattening():
    (row,) = csv.DictReader(io.StringIO(run(str(PUBMED / "metapub_39159658.xml"), "--format", "csv").stdout))
    assert tuple(row) == CSV_COLUMNS
    assert row["authors"] == "Gardner LL; Thompson SJ; O'Connor JD; McMahon SJ"
    assert row["journal_iso_abbrev"] == "Phys Med Biol" and row["retracted"] == "false"
    assert row["publication_types"] == "Journal Article; Review" and row["pmcid"] == ""
    assert row["affiliations"].count("; ") == 1  # two distinct affiliations over four authors


def test_cli_parse_stdin_and_output_file(tmp_path):
    out = tmp_path / "out.jsonl"
    data = (MEDLINE / "biopython_pubmed_result2.txt").read_bytes()
    result = run("-", "--format", "jsonl", "-o", str(out), stdin=data)
    assert result.exit_code == 0
    assert len(out.read_text().splitlines()) == 4


def test_cli_parse_broken_record_exits_1_and_names_it(tmp_path):
    data = (PUBMED / "biopython_pubmed1.xml").read_bytes().replace(b'<PMID Version="1">9997</PMID>', b"<PMID/>", 1)
    broken = tmp_path / "broken.xml"
    broken.write_bytes(data)
    result = run(str(broken), str(MEDLINE / "biopython_pubmed_result3.txt"))
    assert result.exit_code == 1
    assert [json.loads(line)["pmid"] for line in result.stdout.splitlines()] == ["12091962", "23039619"]
    assert f"skipped: record has no PMID (in {broken}, record #2)" in result.stderr


@pytest.mark.parametrize(
    "name,message",
    [
        ("missing.xml", "cannot read"),
        ("biopython_pubmed3.html", "an HTML page, not records"),
        ("biopython_epost2_error.xml", "Invalid db name specified"),
    ],
)
def test_cli_parse_unreadable_input_exits_2(name, message):
    result = run(str(PUBMED / name), str(PUBMED / "metapub_39159658.xml"))
    assert result.exit_code == 2
    (line, *_) = result.stderr.splitlines()
    assert line.startswith("error: ") and message in line and name in line
    assert json.loads(result.stdout)["pmid"] == "39159658"  # the readable file is still parsed


def test_cli_parse_empty_set_writes_nothing():
    result = run(str(PUBMED / "metapub_37909814.xml"), "--format", "json")
    assert (result.exit_code, result.stdout) == (0, "[]\n")


def test_cli_parse_imports_only_what_parsing_needs():
    """`cli.py parse` on PubMed XML must not import spaCy, pandas, Biopython or the other readers."""
    code = (
        "import sys, runpy; sys.argv = ['cli.py', 'parse', sys.argv[1], '-o', '/dev/null']\n"
        "try:\n    runpy.run_path('cli.py', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'spacy', 'pandas', 'numpy', 'Bio', 'requests'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(PUBMED / "metapub_39159658.xml")], cwd=ROOT, capture_output=True, text=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stderr


def test_cli_parse_has_help():
    result = CliRunner().invoke(cli.cli, ["parse", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output


def test_cli_parse_writer_matches_to_dict():
    from extractor.parse import parse_file
    from extractor.writers import write_records

    records = parse_file(PUBMED / "medline16n0902_excerpt.xml.gz") + parse_file(MEDLINE / "p1m_qs_medline_excerpt.txt")
    out = io.StringIO()
    assert write_records(records, out, "jsonl") == len(records) == 12
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [r.to_dict() for r in records]
