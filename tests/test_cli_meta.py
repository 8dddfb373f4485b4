"""The ``pool`` and ``export`` commands, end to end through click.

The four-trial table is dat.cannon2006, end point 1 (coronary death or MI), from Cannon et al.
(2006), JACC 48(3):438-445, https://doi.org/10.1016/j.jacc.2006.04.070, as shipped in the R
package metadat 1.2.0; reference values are metafor 3.8-1's (see test_meta_pool.py).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli

FOUR_TRIALS = """\
study,outcome,outcome_type,intervention,comparator,intervention_events,intervention_group_size,comparator_events,comparator_group_size
PROVE IT,Coronary death or MI,binary,atorvastatin 80 mg,pravastatin 40 mg,147,2099,172,2063
A-TO-Z,Coronary death or MI,binary,simvastatin 40-80 mg,simvastatin 20 mg,205,2265,235,2232
TNT,Coronary death or MI,binary,atorvastatin 80 mg,atorvastatin 10 mg,334,4995,418,5006
IDEAL,Coronary death or MI,binary,atorvastatin 80 mg,simvastatin 20-40 mg,411,4439,463,4449
"""
# rma(yi, vi, data=escalc("RR", ...), method="DL"): tau2 = 0 since Q = 1.24 < 3, so DL = FE.
POOLED_RR = [0.8492264981263974, 0.7863421339063416, 0.9171397716377766]
WEIGHTS = [13.219285945817779, 18.690048452443364, 30.899618668608625, 37.19104693313023]


@pytest.fixture
def four_trials(tmp_path: Path) -> Path:
    path = tmp_path / "statins.csv"
    path.write_text(FOUR_TRIALS, encoding="utf-8")
    return path


def _run(*args: str) -> object:
    return CliRunner().invoke(cli.cli, list(args), catch_exceptions=False)


def test_cli_meta_pool_four_trials_prints_the_estimate_and_writes_the_plot(
    four_trials: Path, tmp_path: Path
) -> None:
    plot = tmp_path / "forest.png"
    result = _run("pool", str(four_trials), "--outcome", "coronary", "--plot", str(plot))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "Pooled       0.849  [0.786, 0.917]        100.0%" in lines
    assert "k = 4 trials" in lines
    assert lines[0] == "Random-effects (REML) meta-analysis of the risk ratio (RR), outcome matching 'coronary'"
    assert "Heterogeneity: tau\u00b2 = 0 [0, 0.02231]; I\u00b2 = 0.0%; Q = 1.24 (df = 3, p = 0.743)" in lines
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result.stderr == f"forest plot: {plot}\n"


@pytest.mark.parametrize("model", ["DL", "FE", "REML", "PM", "mh"])
def test_cli_meta_pool_json_matches_metafor(four_trials: Path, model: str) -> None:
    result = _run("pool", str(four_trials), "--format", "json", "--method", model, "--measure", "rr")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {
        "measure",
        "method",
        "k",
        "trials",
        "pi_low",
        "tau2_ci",
        "estimate",
        "ci_low",
        "ci_high",
        "tau2",
        "i2",
        "q",
        "studies",
    } <= set(data)
    assert (data["measure"], data["method"], data["k"], data["trials"], data["tau2"]) == (
        "RR",
        model.upper(),
        4,
        4,
        0.0,
    )
    if model == "mh":  # rma.mh(measure="RR", ai=ep1t, n1i=nt, ci=ep1c, n2i=nc, data=dat.cannon2006)
        assert data["estimate"] == pytest.approx(math.exp(-0.1640180707921296), rel=1e-9)
        assert data["q"] == pytest.approx(1.2426981599574889, rel=1e-9)
        return
    assert [data["estimate"], data["ci_low"], data["ci_high"]] == pytest.approx(POOLED_RR, rel=1e-9)
    assert data["q"] == pytest.approx(1.2424732105995089, rel=1e-9)
    studies = data["studies"]
    assert [s["study"] for s in studies] == ["PROVE IT", "A-TO-Z", "TNT", "IDEAL"]
    assert {"study", "yi", "vi", "estimate", "ci_low", "ci_high", "weight"} <= set(studies[0])
    assert [s["weight"] for s in studies] == pytest.approx(WEIGHTS, rel=1e-9)
    assert studies[0]["estimate"] == pytest.approx(
        0.8399930199319722, rel=1e-9
    )  # exp(yi), ratio scale


@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_cli_meta_pool_plot_formats(four_trials: Path, tmp_path: Path, suffix: str) -> None:
    plot = tmp_path / f"forest{suffix}"
    assert _run("pool", str(four_trials), "--plot", str(plot)).exit_code == 0
    assert plot.stat().st_size > 10_000


def test_cli_meta_pool_reports_skipped_rows_and_exits_1(four_trials: Path) -> None:
    text = four_trials.read_text().replace(",147,2099,", ",,2099,")
    four_trials.write_text(text)
    result = _run("pool", str(four_trials))
    assert result.exit_code == 1
    assert "skipped: PROVE IT: missing intervention_events" in result.stderr
    assert "k = 3 trials" in result.stdout


@pytest.mark.parametrize(
    "extra_row,args,message",
    [
        ("x,pain,continuous,a,b,,20,,20", [], "the table mixes binary and continuous outcomes"),
        ("", ["--outcome", "stroke"], "no row has an outcome containing 'stroke'"),
        ("", ["--measure", "MD"], "MD needs continuous outcomes"),
        ("", ["--plot", "forest.pdf"], ".png or .svg"),
    ],
)
def test_cli_meta_pool_errors_exit_2(
    four_trials: Path, extra_row: str, args: list[str], message: str
) -> None:
    if extra_row:
        four_trials.write_text(four_trials.read_text() + extra_row + "\n")
    result = _run("pool", str(four_trials), *args)
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    "fmt,first_line",
    [
        ("metafor", "study,outcome,intervention,comparator,ai,bi,ci,di,n1i,n2i,yi,vi"),
        ("meta", "studlab,outcome,intervention,comparator,event.e,n.e,event.c,n.c"),
        ("revman", "Study,Experimental events,Experimental total,Control events,Control total"),
        ("csv", FOUR_TRIALS.splitlines()[0]),
    ],
)
def test_cli_meta_export_text_formats_to_stdout(
    four_trials: Path, fmt: str, first_line: str
) -> None:
    result = _run("export", str(four_trials), "--format", fmt)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == first_line and len(lines) == 5


@pytest.mark.parametrize("fmt", ["parquet", "xlsx", "jsonl"])
def test_cli_meta_export_to_a_file(four_trials: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    result = _run("export", str(four_trials), "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
    assert result.stderr == f"wrote {out}\n"


def test_cli_meta_export_lists_rows_it_left_out(four_trials: Path, tmp_path: Path) -> None:
    four_trials.write_text(four_trials.read_text() + "QoL trial,quality of life,,a,b,,,,\n")
    result = _run("export", str(four_trials), "--format", "metafor", "-o", str(tmp_path / "m.csv"))
    assert result.exit_code == 1
    assert "left out: QoL trial: neither binary nor continuous" in result.stderr


@pytest.mark.parametrize("command", ["pool", "export"])
def test_cli_meta_commands_have_help_with_an_example(command: str) -> None:
    result = _run(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output and f"extractor {command} " in result.output


TIMES = """\
pmid,study,outcome,timepoint,intervention_events,intervention_group_size,comparator_events,comparator_group_size
31537547,He 2020,SRI-4,week 12,16,29,9,30
31537547,He 2020,SRI-4,week 24,19,29,11,30
1,PROVE IT,SRI-4,week 24,147,2099,172,2063
2,A-TO-Z,SRI-4,week 24,205,2265,235,2232
3,TNT,SRI-4,week 24,334,4995,418,5006
4,IDEAL,SRI-4,week 24,411,4439,463,4449
"""


def test_cli_meta_pool_refuses_two_rows_of_one_trial_and_pools_one_per_trial_when_told(
    tmp_path: Path,
) -> None:
    """Issue 10: week 12 and week 24 of one trial are not two studies."""
    table = tmp_path / "times.csv"
    table.write_text(TIMES, encoding="utf-8")
    refused = _run("pool", str(table), "--outcome", "SRI-4")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert refused.stderr == (
        "Error: trial 'He 2020' has 2 rows for this outcome (rows 1, 2: week 12, week 24), which "
        "are not independent studies; choose one per trial with --timepoint "
        "first|last|primary|TEXT or --where COLUMN=TEXT\n"
    )
    pooled = _run("pool", str(table), "--outcome", "SRI-4", "--timepoint", "last", "--format", "json")
    assert pooled.exit_code == 0, pooled.output
    data = json.loads(pooled.stdout)
    assert (data["k"], data["trials"]) == (5, 5)
    assert [(s["study"], s["rows"]) for s in data["studies"]] == [
        ("He 2020", [2]), ("PROVE IT", [3]), ("A-TO-Z", [4]), ("TNT", [5]), ("IDEAL", [6])
    ]


def test_cli_meta_export_keeps_the_rows_pool_would_pool(tmp_path: Path) -> None:
    table = tmp_path / "times.csv"
    table.write_text(TIMES, encoding="utf-8")
    out = tmp_path / "trials.csv"
    result = _run("export", str(table), "--format", "metafor", "--timepoint", "week 12", "-o", str(out))
    assert result.exit_code == 1
    assert "skipped: PROVE IT: no row at 'week 12'" in result.stderr
    lines = out.read_text().splitlines()
    assert lines[0].startswith("study,pmid,outcome,timepoint,ai,") and len(lines) == 2
    assert lines[1].startswith("He 2020,31537547,SRI-4,week 12,16,13,9,21,29,30,")
    last = _run("export", str(table), "--format", "meta", "--timepoint", "last", "--where", "study!=TNT")
    assert last.exit_code == 0, last.output
    assert [line.split(",")[0] for line in last.stdout.splitlines()[1:]] == [
        "He 2020", "PROVE IT", "A-TO-Z", "IDEAL"
    ]
