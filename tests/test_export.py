"""Exports: the R and RevMan layouts column by column, the split by outcome type, whole tables.

The R argument names checked against are those documented by the packages themselves:
``metafor::escalc(measure, ai, bi, ci, di, n1i, n2i, m1i, m2i, sd1i, sd2i, ...)`` (metafor 3.8-1,
``args(escalc)``), ``meta::metabin(event.e, n.e, event.c, n.c, studlab, ...)`` and
``meta::metacont(n.e, mean.e, sd.e, n.c, mean.c, sd.c, studlab, ...)`` (meta's reference manual;
meta is not in Debian, so only its documented names are checked). A metafor export was also read
once by hand in R 4.2.2: ``escalc(measure="RR", ai=ai, bi=bi, ci=ci, di=di,
data=read.csv("m.binary.csv"))`` took the file as is (ai..n2i read as int, NA as NA).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

from extractor.errors import AnalysisError, ExportError
from extractor.export import Format, layout_tables, write_table

ESCALC_ARGUMENTS = {"ai", "bi", "ci", "di", "n1i", "n2i", "m1i", "m2i", "sd1i", "sd2i"}
METABIN_ARGUMENTS = {"event.e", "n.e", "event.c", "n.c", "studlab"}
METACONT_ARGUMENTS = {"n.e", "mean.e", "sd.e", "n.c", "mean.c", "sd.c", "studlab"}

# Two trials of dat.cannon2006 (binary) and two of dat.normand1999 (continuous), one row whose
# type cannot be told, one binary row with a missing count, the comparison schema's columns.
TABLE = pd.DataFrame(
    {
        "pmid": ["0101", "0102", "111", "222", "333", "444"],
        "outcome": ["coronary death or MI"] * 2
        + ["length of stay"] * 2
        + ["quality of life", "serious infection"],
        "timepoint": [None, None, None, None, None, "week 12"],
        "outcome_type": ["binary", "binary", "continuous", "continuous", None, "binary"],
        "intervention": ["high-dose statin"] * 2 + ["stroke unit"] * 2 + ["x", "y"],
        "comparator": ["standard statin"] * 2 + ["general ward"] * 2 + ["z", "w"],
        "intervention_events": [147, 205, None, None, None, None],
        "intervention_group_size": [2099, 2265, 155, 31, None, 40],
        "comparator_events": [172, 235, None, None, None, 3],
        "comparator_group_size": [2063, 2232, 156, 32, None, 41],
        "intervention_mean": [None, None, 55.0, 27.0, None, None],
        "intervention_standard_deviation": [None, None, 47.0, 7.0, None, None],
        "comparator_mean": [None, None, 75.0, 29.0, None, None],
        "comparator_standard_deviation": [None, None, 64.0, 4.0, None, None],
        "evidence": [[{"section": "abstract", "text": "147 of 2099", "start": 0, "end": 11}]]
        + [None] * 5,
        "confidence": [0.9, 0.9, 0.8, 0.8, None, 0.5],
    }
)
DESCRIPTIVE = ["pmid", "outcome", "timepoint", "intervention", "comparator"]


@pytest.mark.parametrize(
    "fmt,kind,label,data",
    [
        (Format.METAFOR, "binary", "study", ["ai", "bi", "ci", "di", "n1i", "n2i", "yi", "vi"]),
        (
            Format.METAFOR,
            "continuous",
            "study",
            ["m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i", "yi", "vi"],
        ),
        (Format.META, "binary", "studlab", ["event.e", "n.e", "event.c", "n.c"]),
        (Format.META, "continuous", "studlab", ["mean.e", "sd.e", "n.e", "mean.c", "sd.c", "n.c"]),
    ],
)
def test_export_r_layout_columns(fmt: Format, kind: str, label: str, data: list[str]) -> None:
    tables, _ = layout_tables(TABLE, fmt)
    assert list(tables[kind].columns) == [label, *DESCRIPTIVE, *data]
    arguments = (
        ESCALC_ARGUMENTS
        if fmt is Format.METAFOR
        else (METABIN_ARGUMENTS if kind == "binary" else METACONT_ARGUMENTS)
    )
    assert set(data) - {"yi", "vi"} <= arguments
    if fmt is Format.META:
        assert {label, *data} == (METABIN_ARGUMENTS if kind == "binary" else METACONT_ARGUMENTS)


@pytest.mark.parametrize(
    "kind,columns",
    [
        (
            "binary",
            [
                "Study",
                "Experimental events",
                "Experimental total",
                "Control events",
                "Control total",
            ],
        ),
        (
            "continuous",
            [
                "Study",
                "Experimental mean",
                "Experimental SD",
                "Experimental total",
                "Control mean",
                "Control SD",
                "Control total",
            ],
        ),
    ],
)
def test_export_revman_layout_is_the_data_grid(kind: str, columns: list[str]) -> None:
    tables, _ = layout_tables(TABLE, Format.REVMAN)
    assert list(tables[kind].columns) == columns


def test_export_metafor_binary_values(tmp_path: Path) -> None:
    written = write_table(TABLE, tmp_path / "out.csv", "metafor")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.binary.csv").read_text())))
    assert [r["study"] for r in rows] == ["0101", "0102", "444"]
    first = rows[0]
    assert [first[c] for c in ("ai", "bi", "ci", "di", "n1i", "n2i")] == [
        "147",
        "1952",
        "172",
        "1891",
        "2099",
        "2063",
    ]
    # escalc(measure="RR", ai=ep1t, n1i=nt, ci=ep1c, n2i=nc, data=dat.cannon2006), PROVE IT
    assert float(first["yi"]) == pytest.approx(-0.17436169678409774, rel=1e-12)
    assert float(first["vi"]) == pytest.approx(0.011655526260906974, rel=1e-12)
    assert [rows[2][c] for c in ("ai", "bi", "ci", "di", "n1i", "n2i", "yi", "vi")] == [
        "NA",
        "NA",
        "3",
        "38",
        "40",
        "41",
        "NA",
        "NA",
    ]
    assert written.left_out == ("333",)
    assert written.paths == (tmp_path / "out.binary.csv", tmp_path / "out.continuous.csv")


@pytest.mark.parametrize("fmt", ["metafor", "meta"])
def test_export_r_layouts_write_integers_and_na_without_an_index(tmp_path: Path, fmt: str) -> None:
    write_table(TABLE, tmp_path / "out.csv", fmt)
    for kind, count_columns in (("binary", 4), ("continuous", 2)):
        text = (tmp_path / f"out.{kind}.csv").read_text()
        header, *lines = text.splitlines()
        assert not header.startswith(",") and "Unnamed" not in header
        names = header.split(",")
        counts = [
            n
            for n in names
            if n in {"ai", "bi", "ci", "di", "n1i", "n2i", "event.e", "n.e", "event.c", "n.c"}
        ]
        assert len(counts) >= count_columns
        for row in csv.DictReader(io.StringIO(text)):
            for name in counts:
                assert re.fullmatch(r"\d+|NA", row[name]), (name, row[name])
            assert "" not in row.values()  # missing is NA, never an empty cell


def test_export_revman_writes_blanks_for_missing_and_integer_counts(tmp_path: Path) -> None:
    write_table(TABLE, tmp_path / "rm.csv", Format.REVMAN, outcome="infection")
    lines = (tmp_path / "rm.csv").read_text().splitlines()
    assert lines == [
        "Study,Experimental events,Experimental total,Control events,Control total",
        "444,,40,3,41",
    ]


def test_export_single_type_table_is_written_to_the_path_given(tmp_path: Path) -> None:
    written = write_table(TABLE, tmp_path / "stays.csv", "meta", outcome="length of stay")
    assert written.paths == (tmp_path / "stays.csv",)
    assert (tmp_path / "stays.csv").read_text().splitlines() == [
        "studlab,pmid,outcome,timepoint,intervention,comparator,mean.e,sd.e,n.e,mean.c,sd.c,n.c",
        "111,111,length of stay,NA,stroke unit,general ward,55.0,47.0,155,75.0,64.0,156",
        "222,222,length of stay,NA,stroke unit,general ward,27.0,7.0,31,29.0,4.0,32",
    ]


def test_export_metafor_measure_sets_yi_vi_of_its_type(tmp_path: Path) -> None:
    write_table(TABLE, tmp_path / "out.csv", "metafor", measure="SMD")
    continuous = pd.read_csv(tmp_path / "out.continuous.csv")
    # escalc(measure="SMD", ...) on dat.normand1999 rows 1-2
    assert continuous["yi"].tolist() == pytest.approx(
        [-0.35516964094010689, -0.34794002273909852], rel=1e-9
    )
    binary = pd.read_csv(tmp_path / "out.binary.csv")
    assert binary["yi"].iloc[0] == pytest.approx(-0.17436169678409774, rel=1e-12)  # still RR


@pytest.mark.parametrize("fmt", ["metafor", "meta", "revman"])
def test_export_mixed_layout_to_stdout_asks_for_a_file(fmt: str) -> None:
    with pytest.raises(ExportError, match="give -o OUT"):
        write_table(TABLE, None, fmt, stdout=io.StringIO())


@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_export_binary_formats_need_a_file(fmt: str) -> None:
    with pytest.raises(ExportError, match="give a file with -o"):
        write_table(TABLE, None, fmt, stdout=io.StringIO())


def test_export_layout_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    written = write_table(TABLE, None, "revman", outcome="coronary")
    assert written.paths == () and written.rows == 2
    assert capsys.readouterr().out.splitlines()[1] == "0101,147,2099,172,2063"


def test_export_no_row_of_either_type_is_an_error() -> None:
    with pytest.raises(ExportError, match="nothing to write"):
        write_table(TABLE, None, "metafor", outcome="quality", stdout=io.StringIO())


def test_export_outcome_that_matches_nothing_is_an_error() -> None:
    with pytest.raises(AnalysisError, match="no row has an outcome containing 'stroke'"):
        write_table(TABLE, None, "csv", outcome="stroke", stdout=io.StringIO())


def test_export_csv_keeps_every_column_and_encodes_nested_cells_as_json(tmp_path: Path) -> None:
    write_table(TABLE, tmp_path / "all.csv", "csv")
    read = pd.read_csv(tmp_path / "all.csv", dtype={"pmid": str})
    assert list(read.columns) == list(TABLE.columns)
    assert json.loads(read["evidence"][0]) == TABLE["evidence"][0]
    assert read["pmid"].tolist() == TABLE["pmid"].tolist()


def test_export_jsonl_writes_one_object_per_row_with_counts_as_integers(tmp_path: Path) -> None:
    write_table(TABLE, tmp_path / "all.jsonl", "jsonl")
    rows = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text().splitlines()]
    assert len(rows) == len(TABLE)
    assert rows[0]["intervention_events"] == 147 and isinstance(rows[0]["intervention_events"], int)
    assert rows[0]["evidence"] == TABLE["evidence"][0]
    assert rows[2]["intervention_events"] is None and rows[2]["intervention_mean"] == 55.0


def test_export_jsonl_decodes_evidence_read_back_from_csv(tmp_path: Path) -> None:
    write_table(TABLE, tmp_path / "all.csv", "csv")
    out = io.StringIO()
    write_table(pd.read_csv(tmp_path / "all.csv"), None, "jsonl", stdout=out)
    assert json.loads(out.getvalue().splitlines()[0])["evidence"] == TABLE["evidence"][0]


@pytest.mark.parametrize("fmt,reader", [("parquet", pd.read_parquet), ("xlsx", pd.read_excel)])
def test_export_parquet_and_excel_round_trip(tmp_path: Path, fmt: str, reader) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"all.{fmt}"
    write_table(TABLE, path, fmt)
    read = reader(path)
    assert list(read.columns) == list(TABLE.columns)
    assert read["intervention_group_size"].tolist()[:2] == [2099, 2265]
    assert json.loads(read["evidence"][0]) == TABLE["evidence"][0]


@pytest.mark.parametrize(
    "fmt,module,extra", [("parquet", "pyarrow", "parquet"), ("xlsx", "openpyxl", "excel")]
)
def test_export_missing_optional_dependency_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, module: str, extra: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(
        ExportError, match=rf"needs {module}: pip install 'trial-extractor\[{extra}\]'"
    ):
        write_table(TABLE, tmp_path / f"all.{fmt}", fmt)


@pytest.mark.parametrize("fmt", list(Format))
def test_export_every_format_has_a_writer(tmp_path: Path, fmt: Format) -> None:
    written = write_table(TABLE, tmp_path / f"out.{fmt.value}", fmt)
    assert written.paths and all(p.stat().st_size > 0 for p in written.paths)


def test_export_rows_are_labelled_and_grouped_by_trial() -> None:
    table = pd.DataFrame(
        {
            "pmid": ["31537547", "1", "31537547"],
            "pmcid": ["PMC6937406", None, "PMC6937406"],
            "study": ["He 2020", "Smith 2019", "He 2020"],
            "outcome": ["SRI-4"] * 3,
            "timepoint": ["week 12", "week 24", "week 24"],
            "intervention_events": [16, 5, 19],
            "intervention_group_size": [29, 20, 29],
            "comparator_events": [9, 4, 11],
            "comparator_group_size": [30, 20, 30],
        }
    )
    for fmt, label in ((Format.METAFOR, "study"), (Format.META, "studlab"), (Format.REVMAN, "Study")):
        frame = layout_tables(table, fmt)[0]["binary"]
        assert frame[label].tolist() == ["He 2020", "He 2020", "Smith 2019"]
    metafor = layout_tables(table, Format.METAFOR)[0]["binary"]
    assert list(metafor.columns[:5]) == ["study", "pmid", "pmcid", "outcome", "timepoint"]
    assert metafor["timepoint"].tolist() == ["week 12", "week 24", "week 24"]
    assert metafor["ai"].tolist() == [16, 19, 5]
