"""One trial, counted once: time points, row filters and shared comparators (extractor.meta.trials)."""

from __future__ import annotations

import statistics

import pandas as pd
import pytest

from extractor.errors import AnalysisError
from extractor.meta import analyse, format_summary
from extractor.meta.effects import binary_effect, continuous_effect
from extractor.meta.pool import pool

BINARY = ["intervention_events", "intervention_group_size", "comparator_events", "comparator_group_size"]
CONTINUOUS = ["intervention_mean", "intervention_standard_deviation", "intervention_group_size",
              "comparator_mean", "comparator_standard_deviation", "comparator_group_size"]


def _table(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    columns = ["study", "outcome", "timepoint", "is_primary", "intervention", "comparator", *BINARY]
    return pd.DataFrame(rows, columns=columns)


TIMES = _table([
    ("A", "response", "week 12", True, "drug", "placebo", 16, 29, 9, 30),
    ("A", "response", "week 24", False, "drug", "placebo", 19, 29, 11, 30),
    ("B", "response", "6 months", True, "drug", "placebo", 30, 100, 20, 100),
    ("C", "response", None, None, "drug", "placebo", 10, 50, 5, 50),
])


def _rows_pooled(table: pd.DataFrame, numbers: list[int], **options: object) -> None:
    """The analysis pooled exactly the table rows ``numbers`` (1-based), one per trial."""
    result = analyse(table, measure="RR", **options)
    assert [s.rows for s in result.studies] == [(n,) for n in numbers]
    effects = [binary_effect("RR", *table.loc[n - 1, BINARY]) for n in numbers]
    expected = pool([e.yi for e in effects], [e.vi for e in effects])
    assert result.pooled.estimate == pytest.approx(expected.estimate, rel=1e-12)
    assert result.pooled.k == result.trials == len(numbers)


def test_meta_trials_two_rows_of_one_trial_are_refused_by_default() -> None:
    with pytest.raises(AnalysisError) as error:
        analyse(TIMES)
    message = str(error.value)
    assert message == (
        "trial 'A' has 2 rows for this outcome (rows 1, 2: week 12, week 24), which are not "
        "independent studies; choose one per trial with --timepoint first|last|primary|TEXT "
        "or --where COLUMN=TEXT"
    )
    assert "\n" not in message


@pytest.mark.parametrize(
    "options,numbers,skipped",
    [
        ({"timepoint": "last"}, [2, 3, 4], []),
        ({"timepoint": "first"}, [1, 3, 4], []),
        ({"timepoint": "primary"}, [1, 3], [("C", "no row marked primary")]),
        ({"timepoint": "WEEK 12"}, [1], [("B", "no row at 'WEEK 12'"), ("C", "no row at 'WEEK 12'")]),
        ({"where": ["timepoint!=week 24"]}, [1, 3, 4], []),
        ({"where": ["timepoint=week 24"]}, [2], []),
    ],
)
def test_meta_trials_a_choice_pools_one_row_per_trial(
    options: dict[str, object], numbers: list[int], skipped: list[tuple[str, str]]
) -> None:
    _rows_pooled(TIMES, numbers, **options)
    assert [(s.study, s.reason) for s in analyse(TIMES, **options).skipped] == skipped


@pytest.mark.parametrize("how,number", [("first", 2), ("last", 1)])
def test_meta_trials_time_points_are_ordered_by_the_time_they_name(how: str, number: int) -> None:
    table = TIMES.iloc[:2].assign(timepoint=["week 26", "3 months"])  # 182 days, then 91
    _rows_pooled(table, [number], timepoint=how)


def test_meta_trials_time_points_that_name_no_time_cannot_be_ordered() -> None:
    table = TIMES.iloc[:2].assign(timepoint=["end of treatment", "week 24"])
    with pytest.raises(AnalysisError, match="cannot order the time points of trial 'A'.*--timepoint TEXT"):
        analyse(table, timepoint="last")


@pytest.mark.parametrize(
    "condition,message",
    [("timepoint", "write COLUMN=TEXT"), ("dose=high", "no column 'dose'")],
)
def test_meta_trials_bad_row_filters_are_named(condition: str, message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        analyse(TIMES, where=[condition])


# Trial D: two doses against one placebo group; trial E: an ordinary two-arm trial.
ARMS = _table([
    ("D", "response", None, None, "high dose", "placebo", 10, 50, 20, 50),
    ("D", "response", None, None, "low dose", "placebo", 15, 50, 20, 50),
    ("E", "response", None, None, "drug", "placebo", 12, 60, 18, 60),
])


def test_meta_trials_arms_sharing_a_comparator_need_a_choice() -> None:
    with pytest.raises(AnalysisError, match=r"trial 'D' has 2 rows .*rows 1, 2: high dose, low dose"
                                            r".*--multiarm combine\|split"):
        analyse(ARMS)


def test_meta_trials_combined_arms_are_one_group() -> None:
    result = analyse(ARMS, measure="RR", multiarm="combine")
    assert [s.study for s in result.studies] == ["D", "E"]
    assert result.studies[0].values == (25, 100, 20, 50)
    assert result.studies[0].effect == binary_effect("RR", 25, 100, 20, 50)
    assert format_summary(result).splitlines()[1] == "k = 2 trials"


def test_meta_trials_split_comparator_divides_its_events_and_n() -> None:
    result = analyse(ARMS, measure="RR", multiarm="split")
    assert [(s.study, s.values) for s in result.studies] == [
        ("D (high dose)", (10, 50, 10, 25)),
        ("D (low dose)", (15, 50, 10, 25)),
        ("E", (12, 60, 18, 60)),
    ]
    assert (result.pooled.k, result.trials) == (3, 2)
    assert format_summary(result).splitlines()[1] == "k = 3 comparisons from 2 trials"


def test_meta_trials_combined_means_and_sds_are_those_of_the_merged_groups() -> None:
    high, low, control = [3.1, 4.0, 5.2, 6.3, 2.2], [1.0, 2.5, 1.5, 3.0], [2.0, 2.2, 1.9, 3.5, 2.8]

    def arm(values: list[float]) -> list[float]:
        return [statistics.mean(values), statistics.stdev(values), len(values)]

    table = pd.DataFrame(
        [["D", "pain", "high", "usual care", *arm(high), *arm(control)],
         ["D", "pain", "low", "usual care", *arm(low), *arm(control)]],
        columns=["study", "outcome", "intervention", "comparator", *CONTINUOUS],
    )
    result = analyse(table, measure="MD", multiarm="combine")
    assert result.studies[0].values == pytest.approx((*arm(high + low), *arm(control)), rel=1e-12)
    assert result.studies[0].effect.yi == pytest.approx(
        continuous_effect("MD", *arm(high + low), *arm(control)).yi, rel=1e-12
    )


def test_meta_trials_rows_that_differ_in_nothing_chosen_still_need_a_filter() -> None:
    table = pd.concat([ARMS.iloc[:1], ARMS.iloc[:1]], ignore_index=True)
    with pytest.raises(AnalysisError, match=r"rows 1, 2\), which .*--where COLUMN=TEXT$"):
        analyse(table, multiarm="combine")


@pytest.mark.parametrize(
    "text,days",
    [("week 12", 84), ("12 weeks", 84), ("W12", 84), ("6-month follow-up", 6 * 30.4375),
     ("month 6", 6 * 30.4375), ("at 24 h", 1), ("day 28", 28), ("1 year", 365.25),
     ("end of treatment", None), ("visit 3", None), ("", None)],
)
def test_meta_trials_timepoint_days(text: str, days: float | None) -> None:
    from extractor.meta.trials import timepoint_days

    assert timepoint_days(text) == (None if days is None else pytest.approx(days))


def test_meta_trials_a_long_conflict_stays_one_line_naming_every_row() -> None:
    doses = [f"{d} mg" for d in (1, 5, 25, 100, 300)]
    rows = [("F", "adverse events", None, None, d, "placebo", 1, 20, 2, 20) for d in doses]
    rows += [("G", "adverse events", "week 4", None, "x", "placebo", 1, 20, 2, 20)] * 2
    with pytest.raises(AnalysisError) as error:
        analyse(_table(rows))
    assert str(error.value).startswith(
        "trial 'F' has 5 rows for this outcome (rows 1, 2, 3, 4, 5: 1 mg, 5 mg, 25 mg, ...), "
        "which are not independent studies (and 1 more trial); "
    )


def test_meta_trials_a_time_point_no_trial_has_is_an_error() -> None:
    with pytest.raises(AnalysisError, match="no trial has a row at that time point .*A: no row at 'year 5'"):
        analyse(TIMES, timepoint="year 5")
