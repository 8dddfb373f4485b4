"""The bulk run's parts, without a cluster: inputs, the RCT rule, one unit's task, the manifest
and the current views."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pytest
from bulk_files import write_pubmed

from extractor.bulk import _finished, remove_debris, run_bulk
from extractor.bulk.current import build_current
from extractor.bulk.inputs import InputFile, expand_inputs, file_order, make_units, sha256
from extractor.bulk.manifest import FileEntry, Manifest
from extractor.bulk.parts import TABLES, arrow_type, part_path
from extractor.bulk.task import Options, is_randomised_trial, process_unit, record_key
from extractor.errors import BulkError, InputError
from extractor.records import Author, Record

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.mark.parametrize(
    "record,kept",
    [
        (Record("pubmed", publication_types=("Journal Article", "Randomized Controlled Trial"), mesh_terms=("Humans",)), True),
        (Record("pubmed", title="A randomised trial of X", mesh_terms=("Humans",)), False),  # indexed, not typed RCT
        (Record("pubmed", title="Patients were randomly assigned to X or Y"), True),  # not yet indexed
        (Record("pubmed", abstract="METHODS: After randomization, ..."), True),
        (Record("pubmed", abstract="A non-randomized comparison of X and Y"), False),
        (Record("pubmed", title="Quasi-randomised allocation in wards"), False),
        (Record("pmc", title="Cohort study of X"), False),
    ],
)
def test_bulk_rct_rule(record: Record, kept: bool) -> None:
    assert is_randomised_trial(record) is kept


@pytest.mark.parametrize(
    "hint,expected",
    [
        (str | None, pa.string()),
        (tuple[str, ...], pa.list_(pa.string())),
        (int | None, pa.int64()),
        (Author, pa.struct([("family", pa.string()), ("given", pa.string()), ("initials", pa.string()),
                            ("collective", pa.string()), ("affiliations", pa.list_(pa.string())), ("orcid", pa.string())])),
    ],
)
def test_bulk_arrow_types_follow_the_dataclasses(hint: object, expected: pa.DataType) -> None:
    assert arrow_type(hint) == expected


def test_bulk_inputs_in_file_order_each_once(tmp_path: Path) -> None:
    write_pubmed(tmp_path / "pubmed25n0002.xml.gz", ["1"])
    write_pubmed(tmp_path / "pubmed25n0001.xml", ["2"])
    jats = tmp_path / "pmc"
    jats.mkdir()
    for name in ("PMC3264513.nxml", "PMC4497726.nxml", "PMC5207788.nxml"):
        shutil.copy(FIXTURES / "pmc" / name, jats / name)
    pubmed, articles = expand_inputs([str(tmp_path), str(tmp_path / "*.xml.gz")])
    assert [Path(f.path).name for f in pubmed] == ["pubmed25n0001.xml", "pubmed25n0002.xml.gz"]
    assert [Path(f.path).name for f in articles] == ["PMC3264513.nxml", "PMC4497726.nxml", "PMC5207788.nxml"]
    units = make_units(pubmed, articles, batch=2)
    assert [len(u.files) for u in units] == [1, 1, 2, 1]
    assert len({u.part for u in units}) == 4
    with pytest.raises(InputError):
        expand_inputs([str(tmp_path / "missing*.xml")])


def _run_units(paths: list[Path], outdir: Path, manifest: Manifest, **options: object) -> list[FileEntry]:
    """What the bulk driver does per unit, in this process."""
    pubmed, jats = expand_inputs([str(p) for p in paths])
    for table in TABLES:
        (outdir / table).mkdir(parents=True, exist_ok=True)
    entries = []
    for unit in make_units(pubmed, jats):
        result = process_unit(unit, Options(str(outdir), **options))  # type: ignore[arg-type]
        for f in result["files"]:
            entries.append(FileEntry(f.path, f.size, f.sha256, f.records, f.comparisons,
                                     "failed" if f.error else "done", f.seconds, unit.part if not f.error else None,
                                     f.arms, f.skipped, f.error))  # fmt: skip
    manifest.record(entries)
    return entries


def _keys(outdir: Path, table: str) -> list[str]:
    return ds.dataset(outdir / table, format="parquet").to_table(columns=["key"])["key"].to_pylist()


def test_bulk_updates_replace_and_delete_in_file_order(tmp_path: Path) -> None:
    base = write_pubmed(tmp_path / "pubmed25n0001.xml.gz", [str(100 + i) for i in range(6)])
    update = write_pubmed(tmp_path / "pubmed25n0003.xml", ["101", "106"], deleted=["102", "106"], title_prefix="Revised: ")
    earlier = write_pubmed(tmp_path / "pubmed25n0002.xml", ["103"], deleted=["104"], title_prefix="Second: ")
    out = tmp_path / "out"
    with Manifest(tmp_path / "m.sqlite3") as manifest:
        entries = _run_units([update, base, earlier], out, manifest)
        assert {Path(e.path).name: (e.status, e.records) for e in entries} == {
            "pubmed25n0001.xml.gz": ("done", 6), "pubmed25n0002.xml": ("done", 2), "pubmed25n0003.xml": ("done", 4)}
        assert entries[0].sha256 == sha256(entries[0].path)
        current = build_current(out, manifest.entries())
    rows = ds.dataset(out / "records_current", format="parquet").to_table(columns=["pmid", "title"]).to_pylist()
    titles = {r["pmid"]: r["title"] for r in rows}
    # 102 and 104 deleted; 106 added then deleted in the same file; 101 revised; 103 revised by file 0002
    assert sorted(titles) == ["100", "101", "103", "105"] and current == 4
    assert titles["101"].startswith("Revised: ") and titles["103"].startswith("Second: ")
    assert not titles["100"].startswith(("Revised", "Second"))
    assert sorted(_keys(out, "records")) == sorted(f"pubmed:{p}" for p in
                                                   [*map(str, range(100, 106)), "101", "106", "102", "106", "103", "104"])


def test_bulk_rct_only_keeps_trials_and_deletions(tmp_path: Path) -> None:
    path = write_pubmed(tmp_path / "p.xml", [str(200 + i) for i in range(9)], deleted=["999"])
    out = tmp_path / "out"
    with Manifest(tmp_path / "m.sqlite3") as manifest:
        (entry,) = _run_units([path], out, manifest, rct_only=True)
    table = ds.dataset(out / "records", format="parquet").to_table().to_pylist()
    assert entry.records == len(table) < 10
    assert any(r["deleted"] and r["pmid"] == "999" for r in table)
    assert all(r["deleted"] or "Randomized Controlled Trial" in r["publication_types"] or not r["mesh_terms"]
               for r in table)  # fmt: skip


def test_bulk_full_text_gives_the_evidence(tmp_path: Path) -> None:
    """A PubMed record whose PMC full text is in --full-text has its evidence read from the article."""
    path = write_pubmed(tmp_path / "p.xml", ["300"])
    pubmed_id = b'<ArticleId IdType="pubmed">300</ArticleId>'
    path.write_bytes(path.read_bytes().replace(pubmed_id, b'<ArticleId IdType="pmc">PMC4497726</ArticleId>' + pubmed_id))
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(FIXTURES / "pmc" / "PMC4497726.nxml", docs / "PMC4497726.nxml")
    with_text, without = tmp_path / "a", tmp_path / "b"
    with Manifest(tmp_path / "m1.sqlite3") as m1, Manifest(tmp_path / "m2.sqlite3") as m2:
        (a,) = _run_units([path], with_text, m1, full_text=str(docs))
        (b,) = _run_units([path], without, m2)
    assert (a.arms, a.comparisons) == (3, 8) and (b.arms, b.comparisons) == (0, 0)
    comparisons = ds.dataset(with_text / "comparisons", format="parquet").to_table(columns=["pmid", "pmcid", "key"])
    assert set(map(tuple, comparisons.to_pandas().to_numpy())) == {("300", "PMC4497726", "pubmed:300")}


def test_bulk_unreadable_file_fails_alone(tmp_path: Path) -> None:
    good = write_pubmed(tmp_path / "a.xml", ["400", "401"])
    bad = tmp_path / "b.xml"
    bad.write_bytes(b"<html><body>Service unavailable</body></html>")
    with Manifest(tmp_path / "m.sqlite3") as manifest:
        entries = {Path(e.path).name: e for e in _run_units([good, bad], tmp_path / "out", manifest)}
    assert entries["a.xml"].status == "done" and entries["b.xml"].status == "failed"
    assert "HTML" in entries["b.xml"].error


def test_bulk_debris_of_killed_tasks_is_removed(tmp_path: Path) -> None:
    path = write_pubmed(tmp_path / "a.xml", ["500"])
    out = tmp_path / "out"
    with Manifest(tmp_path / "m.sqlite3") as manifest:
        (entry,) = _run_units([path], out, manifest)
        orphan = part_path(out, "records", "killed-0123456789")
        shutil.copy(part_path(out, "records", entry.part), orphan)
        temp = out / "arms" / f".{entry.part}.4242.tmp"
        temp.write_bytes(b"half a part")
        remove_debris(out, manifest)
    assert not orphan.exists() and not temp.exists()
    assert part_path(out, "records", entry.part).exists()


def test_bulk_file_order_is_by_name() -> None:
    paths = ["/b/pubmed25n0002.xml.gz", "/a/pubmed25n0010.xml.gz", "/c/pubmed25n0001.xml.gz"]
    assert sorted(paths, key=file_order) == ["/c/pubmed25n0001.xml.gz", "/b/pubmed25n0002.xml.gz",
                                             "/a/pubmed25n0010.xml.gz"]


def test_bulk_record_key() -> None:
    assert record_key(Record("pubmed", pmid="1"), "f", 0) == "pubmed:1"
    assert record_key(Record("pmc", pmcid="PMC2"), "f", 0) == "pmc:PMC2"
    assert record_key(Record("pmc"), "/x/f.nxml", 3) == "/x/f.nxml#3"


def test_bulk_input_file_is_frozen() -> None:
    with pytest.raises(AttributeError):
        InputFile("a", 1).size = 2  # type: ignore[misc]


def test_bulk_rerun_skips_done_and_unchanged_files_only(tmp_path: Path) -> None:
    done = write_pubmed(tmp_path / "a.xml", ["600"])
    changed = write_pubmed(tmp_path / "b.xml", ["601"])
    bad = tmp_path / "c.xml"
    bad.write_bytes(b"<html/>")
    with Manifest(tmp_path / "m.sqlite3") as manifest:
        _run_units([done, changed, bad], tmp_path / "out", manifest)
        write_pubmed(changed, ["602"])  # same size, other content
        files = [InputFile(str(p), p.stat().st_size) for p in (done, changed, bad)]
        assert _finished(manifest, files) == {str(done)}


def test_bulk_refuses_an_output_made_with_other_options(tmp_path: Path) -> None:
    path = write_pubmed(tmp_path / "a.xml", ["700"])
    out = tmp_path / "out"
    out.mkdir()
    with Manifest(out / "manifest.sqlite3") as manifest:
        manifest.set_options({"rct_only": "False", "full_text": ""})
    with pytest.raises(BulkError, match="rct_only: 'False' then, 'True' now"):
        run_bulk([str(path)], out, rct_only=True)  # refused before any cluster starts
