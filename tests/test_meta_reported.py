"""Pooling and exporting trials that report only an estimate with its CI (no per-arm numbers)."""

from __future__ import annotations

import math
from statistics import NormalDist

import pandas as pd
import pytest

from extractor.errors import AnalysisError
from extractor.export import write_table
from extractor.meta import analyse
from extractor.meta.effects import binary_effect, reported_effect
from extractor.meta.pool import pool

COLUMNS = ["study", "outcome", "outcome_type", "intervention", "comparator", "intervention_events",
           "intervention_group_size", "comparator_events", "comparator_group_size", "effect_measure", "effect",
           "ci_low", "ci_high", "ci_level"]
Z = NormalDist().inv_cdf(0.975)


def _table(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.mark.parametrize(
    "measure,estimate,low,high,level,yi,se",
    [
        ("HR", 0.72, 0.58, 0.89, 95.0, math.log(0.72), (math.log(0.89) - math.log(0.58)) / (2 * Z)),
        ("OR", 2.0, 1.0, 4.0, 95.0, math.log(2.0), math.log(4.0) / (2 * Z)),
        ("MD", -2.1, -3.4, -0.8, 95.0, -2.1, 2.6 / (2 * Z)),
        ("MD", 1.0, 0.0, 2.0, 90.0, 1.0, 2.0 / (2 * NormalDist().inv_cdf(0.95))),
    ],
)
def test_meta_reported_effect_yi_and_vi_from_the_ci(measure, estimate, low, high, level, yi, se) -> None:
    effect = reported_effect(measure, estimate, low, high, level)
    assert effect.yi == pytest.approx(yi, rel=1e-12) and effect.vi == pytest.approx(se * se, rel=1e-12)


@pytest.mark.parametrize(
    "measure,estimate,low,high",
    [("HR", 0.72, 0.80, 0.89), ("RR", 0.5, 0.0, 1.2), ("MD", 1.0, 1.0, 1.0)],
)
def test_meta_reported_effect_refuses_what_gives_no_variance(measure, estimate, low, high) -> None:
    with pytest.raises(AnalysisError):
        reported_effect(measure, estimate, low, high)


MIXED = _table([
    ("A", "relapse", "binary", "drug", "placebo", 12, 100, 20, 100, None, None, None, None, None),
    ("B", "relapse", "binary", "drug", "placebo", None, None, None, None, "RR", 0.7, 0.5, 0.98, 95.0),
    # trial A again, as its abstract's estimate: its per-arm numbers are used instead
    ("A", "relapse", "binary", "drug", "placebo", None, None, None, None, "RR", 0.6, 0.31, 1.16, 95.0),
    # an odds ratio cannot give a risk ratio
    ("C", "relapse", "binary", "drug", "placebo", None, None, None, None, "OR", 0.7, 0.5, 0.98, 95.0),
])


def test_meta_reported_estimate_pooled_where_a_trial_gives_no_counts() -> None:
    result = analyse(MIXED, measure="RR", method="FE")
    assert [(s.study, s.rows) for s in result.studies] == [("A", (1,)), ("B", (2,))]
    counted, reported = binary_effect("RR", 12, 100, 20, 100), reported_effect("RR", 0.7, 0.5, 0.98)
    expected = pool([counted.yi, reported.yi], [counted.vi, reported.vi], "FE")
    assert result.pooled.estimate == pytest.approx(expected.estimate, rel=1e-12)
    assert [s.study for s in result.skipped] == ["C"]


def test_meta_reported_hazard_ratios_pool_but_not_by_mantel_haenszel() -> None:
    table = _table([
        ("A", "death", "time-to-event", "drug", "placebo", None, None, None, None, "HR", 0.72, 0.58, 0.89, 95.0),
        ("B", "death", "time-to-event", "drug", "placebo", None, None, None, None, "HR", 0.85, 0.70, 1.03, 95.0),
    ])
    result = analyse(table, method="FE")
    assert str(result.measure) == "HR" and result.trials == 2
    assert 0.72 < result.to_dict()["estimate"] < 0.85
    with pytest.raises(AnalysisError, match="Mantel-Haenszel"):
        analyse(MIXED.iloc[:2], measure="RR", method="MH")


def test_meta_reported_export_metafor_gives_yi_vi_and_a_time_to_event_table(tmp_path) -> None:
    table = pd.concat([MIXED.iloc[:2], _table([
        ("D", "death", "time-to-event", "drug", "placebo", None, None, None, None, "HR", 0.72, 0.58, 0.89, 95.0),
    ])], ignore_index=True)
    written = write_table(table, tmp_path / "out.csv", "metafor", measure="RR")
    assert sorted(p.name for p in written.paths) == ["out.binary.csv", "out.time-to-event.csv"]
    binary = pd.read_csv(tmp_path / "out.binary.csv")
    assert binary.loc[1, "yi"] == pytest.approx(math.log(0.7)) and pd.isna(binary.loc[1, "ai"])
    timed = pd.read_csv(tmp_path / "out.time-to-event.csv")
    assert list(timed["yi"]) == pytest.approx([math.log(0.72)]) and "vi" in timed.columns
