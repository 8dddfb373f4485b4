"""Checking a whole sheet: the verdict columns, the summary, the HTML page and the ``check`` command."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from extractor.audit import check_sheet, render_page, summarise

COLUMNS = ["id", "pmcid", "outcome", "intervention", "comparator", "outcome_type", "intervention_events",
           "intervention_group_size", "comparator_events", "comparator_group_size"]


@pytest.fixture()
def sheet_dir(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "PMC7.xml").write_text(
        "<abstract><p>Patients were randomised to tea (n = 20) or water (n = 20). Headache occurred in "
        "4 (20%) and 8 (40%) patients in the tea and water groups, respectively. Of 52 patients "
        "screened, 12 were excluded.</p></abstract>",
        encoding="utf-8",
    )
    with open(tmp_path / "sheet.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerow(["1", "7", "headache", "tea", "water", "binary", "4", "20", "8", "20"])
        writer.writerow(["2", "PMC7", "headache", "tea", "water", "binary", "8", "52", "x", "21"])
        writer.writerow(["3", "PMC8", "headache", "tea", "water", "binary", "1", "2", "3", "4"])
    return tmp_path


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_audit_sheet_checks_each_cell_and_reports_missing_documents(sheet_dir: Path) -> None:
    problems: list[str] = []
    checked = list(check_sheet(_rows(sheet_dir / "sheet.csv"), sheet_dir / "docs", problems=problems))
    statuses = [{c: k.status for c, k in row.checks.items()} for row in checked]
    assert statuses[0] == {"intervention_events": "found", "intervention_group_size": "found",
                           "comparator_events": "found", "comparator_group_size": "found"}
    assert statuses[1] == {"intervention_events": "conflict", "intervention_group_size": "elsewhere",
                           "comparator_events": "", "comparator_group_size": "absent"}
    assert set(statuses[2].values()) == {""} and checked[2].problem and "PMC8.xml" in problems[0]
    summary = summarise(checked)
    assert summary.splitlines()[0] == ("3 rows, 7 filled cells: found 4, derived 0, elsewhere 1, absent 1, "
                                       "conflict 1")
    assert "id 2 (PMC7, headache): intervention_events (conflict)" in summary


def test_audit_sheet_row_keeps_the_input_and_adds_verdicts(sheet_dir: Path) -> None:
    row = next(iter(check_sheet(_rows(sheet_dir / "sheet.csv")[1:2], sheet_dir / "docs"))).row()
    assert list(row)[: len(COLUMNS)] == COLUMNS and row["intervention_events"] == "8"
    evidence = json.loads(row["intervention_events_evidence"])
    assert evidence["tool_value"] == "4"
    first = evidence["evidence"][0]
    assert first["section"] == "abstract" and first["text"] == "4 (20%)"
    assert first["text"] in first["passage"] and first["passage"].startswith("Headache occurred")
    assert json.loads(row["intervention_group_size_evidence"])["evidence"][0]["text"] == "52"
    assert row["comparator_events_check"] == "" and row["comparator_events_evidence"] == ""


def test_audit_sheet_page_shows_flagged_cells_beside_their_source(sheet_dir: Path) -> None:
    checked = list(check_sheet(_rows(sheet_dir / "sheet.csv"), sheet_dir / "docs"))
    page = render_page(checked, COLUMNS[6:])
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert '<span class="st st-conflict"' in page and "the tool reads <b>4</b>" in page
    assert '<mark id="t1-2-intervention_group_size-0"' in page and ">52</mark>" in page
    assert "PMC8" in page and 'class="warn"' in page


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["csv", "html"])
def test_cli_check_writes_the_checked_sheet(sheet_dir: Path, fmt: str) -> None:
    out = sheet_dir / f"out.{fmt}"
    code, _, err = run("check", str(sheet_dir / "sheet.csv"), "--docs", str(sheet_dir / "docs"), "-o", str(out),
                       "--format", fmt)
    assert code == 1 and "PMC8.xml" in err and "look first at:" in err
    if fmt == "csv":
        rows = _rows(out)
        assert [r["intervention_events_check"] for r in rows] == ["found", "conflict", ""]
        assert list(rows[0])[-2:] == ["comparator_group_size_check", "comparator_group_size_evidence"]
    else:
        assert "Sheet check" in out.read_text(encoding="utf-8")


def test_cli_check_sheet_without_required_columns_exits_2(tmp_path: Path) -> None:
    (tmp_path / "sheet.csv").write_text("id,pmcid,intervention_events\n1,7,3\n", encoding="utf-8")
    code, _, err = run("check", str(tmp_path / "sheet.csv"), "--docs", str(tmp_path))
    assert code == 2 and "lacks columns" in err
