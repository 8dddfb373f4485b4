"""The extract and fill commands, end to end on fixtures."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_extract_seed_gives_the_trial(seed_path: Path) -> None:
    code, out, _ = run("extract", str(seed_path), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"records", "arms", "comparisons"}
    assert {c["study"] for c in data["comparisons"]} == {"He 2020"}
    assert [(a["name"], a["n_randomised"]) for a in data["arms"]] == [("IL-2", 30), ("placebo", 30)]
    rows = [(c["outcome"], c["timepoint"], c["intervention_events"], c["intervention_group_size"],
             c["comparator_events"], c["comparator_group_size"], c["p_value"], c["is_primary"])
            for c in data["comparisons"]]
    assert rows == [
        # 55.17% and 65.52% of 30 fit no count: blank (16/29 would change the group to fit)
        ("SRI-4 response rates", "week 12", None, None, 9, 30, 0.052, True),
        ("SRI-4 response rate", "week 24", None, None, 11, 30, 0.027, False),
        ("complete remission", None, 7, 13, 2, 12, 0.036, False),
        ("serious infection", None, 0, 30, 2, 30, None, False),
    ]
    abstract = data["records"][0]["abstract"]
    for comparison in data["comparisons"]:
        for ev in comparison["evidence"]:
            assert abstract[ev["start"] : ev["end"]] == ev["text"]


def test_cli_extract_csv_has_the_columns(seed_path: Path) -> None:
    from extractor.studies import TABLE_COLUMNS

    code, out, _ = run("extract", str(seed_path), "--format", "csv")
    rows = list(csv.DictReader(out.splitlines()))
    assert code == 0 and len(rows) == 4
    assert tuple(rows[0]) == TABLE_COLUMNS
    assert {(r["pmid"], r["pmcid"], r["study"]) for r in rows} == {("31537547", "PMC6937406", "He 2020")}
    assert json.loads(rows[0]["derived"]) == ["comparator_group_size", "comparator_events"]
    assert json.loads(rows[3]["derived"]) == ["intervention_group_size", "intervention_percent",
                                               "comparator_group_size", "comparator_percent"]


def test_cli_extract_unreadable_file_exits_2(tmp_path: Path) -> None:
    code, _, err = run("extract", str(tmp_path / "missing.xml"))
    assert code == 2 and "error" in err


@pytest.fixture()
def sheet_dir(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "PMC7.xml").write_text(
        "<abstract><p>Patients were randomised to tea (n = 20) or water (n = 20). Headache occurred in "
        "4 (20%) and 8 (40%) patients in the tea and water groups, respectively.</p></abstract>",
        encoding="utf-8",
    )
    with open(tmp_path / "sheet.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "pmcid", "outcome", "intervention", "comparator", "outcome_type"])
        writer.writerow(["1", "7", "headache", "tea", "water", "binary"])
        writer.writerow(["2", "PMC8", "headache", "tea", "water", "binary"])
    return tmp_path


def test_cli_fill_fills_and_reports_missing_documents(sheet_dir: Path) -> None:
    out = sheet_dir / "out.csv"
    code, _, err = run("fill", str(sheet_dir / "sheet.csv"), "--docs", str(sheet_dir / "docs"), "-o", str(out))
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert code == 1 and "PMC8.xml" in err
    assert [rows[0][k] for k in ("intervention_events", "intervention_group_size", "comparator_events",
                                 "comparator_group_size")] == ["4", "20", "8", "20"]
    assert json.loads(rows[0]["evidence"])[0]["text"] == "4 (20%)"
    assert rows[1]["intervention_events"] == "" and rows[1]["outcome_type"] == "binary"


def test_cli_fill_sheet_without_required_columns_exits_2(tmp_path: Path) -> None:
    (tmp_path / "sheet.csv").write_text("id,pmcid\n1,7\n", encoding="utf-8")
    code, _, err = run("fill", str(tmp_path / "sheet.csv"), "--docs", str(tmp_path))
    assert code == 2 and "lacks columns" in err
