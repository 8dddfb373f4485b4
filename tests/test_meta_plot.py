"""Forest plots: files written, what they show, and the axis scale of each measure.

The four trials are dat.cannon2006, end point 1 (Cannon et al. 2006, JACC 48(3):438-445,
https://doi.org/10.1016/j.jacc.2006.04.070, as shipped in the R package metadat 1.2.0).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from extractor.errors import ExportError
from extractor.meta import analyse
from extractor.meta.plot import forest_figure, forest_plot

CANNON = pd.DataFrame(
    {
        "study": ["PROVE IT", "A-TO-Z", "TNT", "IDEAL"],
        "outcome": ["coronary death or myocardial infarction"] * 4,
        "intervention_events": [147, 205, 334, 411],
        "intervention_group_size": [2099, 2265, 4995, 4439],
        "comparator_events": [172, 235, 418, 463],
        "comparator_group_size": [2063, 2232, 5006, 4449],
    }
)
CONTINUOUS = pd.DataFrame(
    {  # dat.normand1999, first four studies (Normand 1999, Stat Med 18(3):321-359)
        "study": ["Edinburgh", "Orpington-Mild", "Orpington-Moderate", "Orpington-Severe"],
        "intervention_mean": [55, 27, 64, 66],
        "intervention_standard_deviation": [47, 7, 17, 20],
        "intervention_group_size": [155, 31, 75, 18],
        "comparator_mean": [75, 29, 119, 137],
        "comparator_standard_deviation": [64, 4, 29, 48],
        "comparator_group_size": [156, 32, 71, 18],
    }
)


@pytest.fixture(scope="module")
def cannon_svg(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("plot") / "forest.svg"
    return forest_plot(analyse(CANNON), path).read_text(encoding="utf-8")


@pytest.mark.parametrize("suffix,magic", [(".png", b"\x89PNG\r\n\x1a\n"), (".svg", b"<?xml")])
def test_meta_plot_writes_png_and_svg(tmp_path: Path, suffix: str, magic: bytes) -> None:
    path = forest_plot(analyse(CANNON), tmp_path / f"forest{suffix}")
    assert path.read_bytes().startswith(magic)
    assert path.stat().st_size > 10_000


@pytest.mark.parametrize(
    "text",
    [
        "PROVE IT",
        "A-TO-Z",
        "TNT",
        "IDEAL",  # study labels
        "147/2099",
        "463/4449",  # arm data
        "0.84 [0.68, 1.04]",
        "0.85 [0.79, 0.92]",  # study and pooled RR [95% CI]
        "13.2%",
        "37.2%",
        "100.0%",  # weights
        "I² = 0.0%",
        "Q = 1.24, df = 3 (p = 0.743)",  # heterogeneity
        "Risk ratio (RR), log scale",
    ],
)
def test_meta_plot_svg_shows_labels_figures_and_heterogeneity(cannon_svg: str, text: str) -> None:
    assert text in cannon_svg


@pytest.mark.parametrize(
    "table,measure,scale",
    [
        (CANNON, "RR", "log"),
        (CANNON, "OR", "log"),
        (CANNON, "RD", "linear"),
        (CONTINUOUS, "SMD", "linear"),
    ],
)
def test_meta_plot_ratio_measures_use_a_log_axis(
    table: pd.DataFrame, measure: str, scale: str
) -> None:
    figure = forest_figure(analyse(table, measure=measure))
    middle = figure.axes[1]
    assert middle.get_xscale() == scale
    low, high = middle.get_xlim()
    null = 1.0 if scale == "log" else 0.0
    assert low < null < high


def test_meta_plot_diamond_spans_the_pooled_interval() -> None:
    analysis = analyse(CANNON)
    middle = forest_figure(analysis).axes[1]
    (diamond,) = middle.patches
    xs = sorted({round(x, 12) for x, _ in diamond.get_xy()})
    expected = sorted(
        round(analysis.display(x), 12)
        for x in (analysis.pooled.ci_low, analysis.pooled.estimate, analysis.pooled.ci_high)
    )
    assert xs == expected


def test_meta_plot_marks_zero_cell_studies(tmp_path: Path) -> None:
    table = CANNON.assign(intervention_events=[0, 205, 334, 411])
    svg = forest_plot(analyse(table), tmp_path / "forest.svg").read_text(encoding="utf-8")
    assert "PROVE IT \u2020" in svg
    assert "0.5 added to every cell" in svg


@pytest.mark.parametrize("name", ["forest.pdf", "forest", "forest.PNG.txt"])
def test_meta_plot_refuses_other_formats(tmp_path: Path, name: str) -> None:
    with pytest.raises(ExportError, match=r"\.png or \.svg"):
        forest_plot(analyse(CANNON), tmp_path / name)


def test_meta_plot_says_which_extra_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ExportError, match=r"trial-extractor\[plot\]"):
        forest_plot(analyse(CANNON), tmp_path / "forest.png")


def test_meta_plot_shows_the_method_tau2_interval_and_prediction_interval(tmp_path: Path) -> None:
    from test_meta_effects import BCG

    table = pd.DataFrame(
        [(f"trial {i}", a, a + b, c, c + d) for i, (a, b, c, d) in enumerate(BCG, 1)],
        columns=["study", "intervention_events", "intervention_group_size",
                 "comparator_events", "comparator_group_size"],
    )
    analysis = analyse(table, hk=True)
    svg = forest_plot(analysis, tmp_path / "bcg.svg").read_text(encoding="utf-8")
    p = analysis.pooled
    for text in (
        "Random-effects (REML) meta-analysis of the risk ratio (RR) with Hartung-Knapp",
        "Total (REML, HKSJ)",
        f"tau\u00b2 = {p.tau2:.4g} [{p.tau2_ci[0]:.4g}, {p.tau2_ci[1]:.4g}]; I\u00b2 = 92.2%",
        "95% prediction interval",
        "[0.14, 1.76]",
        "t(12) = -3.95",
    ):
        assert text in svg, text
