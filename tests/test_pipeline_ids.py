"""``run`` and ``fetch`` started from what reviewers have: DOIs, PMCIDs, and their tools' exports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_eutils import RECORDED, FakeEutils

from cli import cli
from extractor.fetch import Cache, import_recorded

IDS = Path(__file__).resolve().parent.parent / "fixtures" / "ids"
TRIALS = ["26702207", "26702216", "26702202", "26432120", "26255087"]  # the bundled MEDLINE trials
OUTPUTS = ("records.jsonl", "arms.csv", "evidence.csv")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("NCBI_API_KEY", "NCBI_EMAIL", "EXTRACTOR_EUTILS_URL", "EXTRACTOR_IDCONV_URL",
                 "EXTRACTOR_CACHE"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    yield


def _run(tmp_path: Path, name: str, args: list[str], *, online: FakeEutils | None = None) -> tuple[int, str]:
    cache = ["--cache", str(tmp_path / f"{name}.sqlite3"), "--seed", str(RECORDED)]
    where = ["--offline"] if online is None else [
        "--eutils-url", online.url, "--idconv-url", online.idconv_url]  # fmt: skip
    result = CliRunner().invoke(cli, ["run", *where, *cache, *args, "-o", str(tmp_path / name)],
                                catch_exceptions=False)  # fmt: skip
    return result.exit_code, result.output


def _report(tmp_path: Path, name: str) -> dict[str, object]:
    return json.loads((tmp_path / name / "report.json").read_text())  # type: ignore[no-any-return]


def test_pipeline_ids_ris_by_doi_and_pmcid_writes_what_the_run_by_pmid_writes(
    tmp_path: Path, env: None
) -> None:
    code, output = _run(tmp_path, "by_pmid", TRIALS)
    assert code == 0, output
    ris = IDS / "covidence_included_trials.ris"  # four trials by DOI only, one by its PMC link
    code, output = _run(tmp_path, "by_ris", ["--ids-file", str(ris)])
    assert code == 0, output
    for name in OUTPUTS:
        assert (tmp_path / "by_ris" / name).read_bytes() == (tmp_path / "by_pmid" / name).read_bytes()
    assert (tmp_path / "by_pmid" / "evidence.csv").read_text().count("\n") > 5  # evidence was written
    inputs = _report(tmp_path, "by_ris")["inputs"]
    assert [(i["mapped"], i["used"], i["via"]) for i in inputs] == [  # type: ignore[index]
        ("26702207", "doi", "cache"), ("26702216", "doi", "cache"), ("26702202", "pmcid", "cache"),
        ("26432120", "doi", "cache"), ("26255087", "doi", "cache")]  # fmt: skip


@pytest.mark.parametrize(
    "name,mapped,unmapped",
    [
        ("pubmed_citations.nbib", TRIALS, []),
        ("zotero_export.ris", ["26702207", "26255087"], []),
        ("pmcids.tsv", ["26702202", "26702216"], []),
        ("rayyan_export.ris", ["26432120", "26702202"], []),
        ("endnote_export.ris", ["28731372", "39077977", "26702216"],
         ["malformed: '10.4103' is not a PMID, PMCID, DOI or PubMed/PMC URL",
          "no PMID, PMCID or DOI in the record"]),
    ],
)  # fmt: skip
def test_pipeline_ids_exports_map_offline(
    tmp_path: Path, env: None, name: str, mapped: list[str], unmapped: list[str]
) -> None:
    code, output = _run(tmp_path, "out", ["--ids-file", str(IDS / name)])
    assert code == (1 if unmapped else 0), output
    report = _report(tmp_path, "out")
    assert [i["mapped"] for i in report["inputs"] if "mapped" in i] == mapped  # type: ignore[attr-defined]
    assert [i["reason"] for i in report["unmapped"]] == unmapped  # type: ignore[attr-defined]
    pmids = [json.loads(line)["pmid"] for line in (tmp_path / "out" / "records.jsonl").read_text().splitlines()]
    assert pmids == mapped
    for reason in unmapped:
        assert reason in output  # listed on stderr too


def test_pipeline_ids_csv_with_an_unmappable_doi_goes_on_and_exits_1(tmp_path: Path, env: None) -> None:
    with FakeEutils() as fake:  # knows no article: the DOI is neither in PMC nor in PubMed
        code, output = _run(tmp_path, "out", ["--ids-file", str(IDS / "covidence_included.csv")],
                            online=fake)  # fmt: skip
        assert [s.endpoint for s in fake.seen] == ["idconv", "esearch.fcgi"]
        assert fake.seen[1].get("term") == '"10.5555/not.in.pubmed.2015"[doi]'
    assert code == 1, output
    report = _report(tmp_path, "out")
    assert report["unmapped"] == [{
        "input": "10.5555/not.in.pubmed.2015", "where": "covidence_included.csv line 6",
        "doi": "10.5555/not.in.pubmed.2015", "reason": "not in PubMed"}]  # fmt: skip
    assert report["records"] == 4 and report["requests"] == 2
    html = (tmp_path / "out" / "report.html").read_text()
    assert '<tr class="pfail"><td>5</td><td>10.5555/not.in.pubmed.2015</td>' in html
    assert "5 inputs: 4 mapped, 1 not mapped" in html


def test_pipeline_ids_mixed_arguments_on_the_command_line(tmp_path: Path, env: None) -> None:
    args = ["https://pubmed.ncbi.nlm.nih.gov/26702207/", "DOI:10.4103/0970-9185.169086",
            "https://pmc.ncbi.nlm.nih.gov/articles/PMC4676234/", "26432120", "nonsense"]  # fmt: skip
    code, output = _run(tmp_path, "out", args)
    assert code == 1, output
    report = _report(tmp_path, "out")
    assert [i.get("mapped") for i in report["inputs"]] == [  # type: ignore[attr-defined]
        "26702207", "26702216", "26702202", "26432120", None]  # fmt: skip
    assert "unmapped: ID 5: nonsense: malformed" in output


@pytest.mark.parametrize(
    "db,ids,expected",
    [
        ("pubmed", ["10.1002/ACR2.11726", "PMC6108041"], ["39077977", "28731372"]),
        ("pmc", ["10.1183/23120541.50193-2021"], ["PMC8435807"]),
        ("pmc", ["8435807"], ["PMC8435807"]),  # with --db pmc, digits are PMCIDs as before
    ],
)
def test_pipeline_ids_fetch_takes_dois_and_pmcids(
    tmp_path: Path, env: None, db: str, ids: list[str], expected: list[str]
) -> None:
    with Cache(tmp_path / "c.sqlite3") as cache:
        import_recorded(cache, [RECORDED])
    args = ["fetch", "--offline", "--cache", str(tmp_path / "c.sqlite3"), "--db", db, *ids]
    result = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "out.xml")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    xml = (tmp_path / "out.xml").read_text()
    tag = "<PMID" if db == "pubmed" else 'pub-id-type="pmc"'
    assert xml.count(tag) >= len(expected) and all(i.removeprefix("PMC") in xml for i in expected)


def test_pipeline_ids_fetch_lists_what_it_could_not_map(tmp_path: Path, env: None) -> None:
    args = ["fetch", "--offline", "--cache", str(tmp_path / "c.sqlite3"), "10.5555/unknown"]
    result = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "out.xml")], catch_exceptions=False)
    assert result.exit_code == 2  # nothing at all was fetched
    assert "unmapped: ID 1: 10.5555/unknown: not in the cache (offline)" in result.output


def test_pipeline_ids_map_inputs_serves_other_commands(tmp_path: Path, env: None) -> None:
    from extractor.config import CacheConfig, EutilsConfig
    from extractor.ids import read_ids_file
    from extractor.pipeline import map_inputs

    with Cache(tmp_path / "c.sqlite3") as cache:
        import_recorded(cache, [RECORDED])
    citations = read_ids_file((IDS / "covidence_included.csv").read_bytes(), "covidence_included.csv")
    mapping = map_inputs(["PMC6108041", *citations], eutils=EutilsConfig(base_url="http://127.0.0.1:9/"),
                         cache=CacheConfig(path=tmp_path / "c.sqlite3"), offline=True)  # fmt: skip
    assert mapping.ids == ("28731372", "26702207", "26702216", "26432120", "26255087")
    assert [m.citation.where for m in mapping.unmapped] == ["covidence_included.csv line 6"]
