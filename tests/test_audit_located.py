"""Numbers the extractor read no result from, placed by their table row, column and sentence."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.audit import Trial, read_row, read_trial
from extractor.audit.located import in_place, outcome_size, paired
from extractor.evidence import Arm, Query
from extractor.records import Record, Table

DOSES = Table(
    id="T1", label="Table 1", caption="Headache by treatment",
    header=(("", "Dose (mg of kavain)", "Dose (mg of kavain)", ""), ("Event", "10", "40", "Placebo")),
    body=(("Headache", "1", "3", "2"),),
)
TIMES = Table(
    id="T2", label="Table 2", caption="Sleep by visit",
    header=(("", "Week 4", "Week 4", "Week 12", "Week 12"), ("Outcome", "Kavain", "Placebo", "Kavain", "Placebo")),
    body=(("Sleep score", "6.1", "5.2", "6.9", "5.0"),),
)
FACTORS = Table(
    id="T4", label="Table 4", caption="Factors associated with nausea",
    header=(("", "Kavain 40 mg (n = 20)", "Placebo (n = 20)"),),
    body=(("Smoking", "5 (25%)", "7 (35%)"), ("Nausea", "9 (45%)", "4 (20%)")),
)
CHANGES = Table(
    id="T5", label="Table 5", caption="Change in grip strength from baseline",
    header=(("", "Kavain 40 mg", "Placebo"),),
    body=(("Grip strength", "", ""), ("6 months", "1.5 (0.4)", "0.2 (0.3)"), ("24 months", "2.5 (0.6)", "0.1 (0.5)")),
)
BY_ARM = Table(
    id="T6", label="Table 6", caption="Reaction time (s) by visit",
    header=(("Group", "Week 4", "Week 12"),),
    body=(("Kavain 40 mg", "3.07", "3.55"), ("Placebo", "2.04", "2.21")),
)
SIZES = Table(
    id="T3", label="Table 3", caption="Secondary outcomes",
    header=(("Outcome", "Kavain", "Kavain", "Placebo", "Placebo"), ("", "N", "Mean", "N", "Mean")),
    body=(("Mood score", "38", "4.4", "37", "3.9"), ("Anxiety score", "35", "2.2", "36", "2.8")),
)


@pytest.fixture(scope="module")
def trial() -> Trial:
    abstract = ("Adults were randomised to kavain 10 mg (n = 20), kavain 40 mg (n = 20) or placebo (n = 20). "
                "Tremor was rated in the kavain 40 mg group (n = 17) and the placebo group (n = 19). "
                "Over the first 6 months grip strength rose by 1.4 with kavain 40 mg and by 0.3 with placebo. "
                "Hand pain fell by 2.7 with kavain 40 mg and by 0.6 with placebo.")
    return read_trial(Record("pmc", pmcid="PMC5", abstract=abstract, tables=(DOSES, TIMES, SIZES, FACTORS, CHANGES, BY_ARM)))


def _arms(trial: Trial, outcome: str, intervention: str = "kavain 40 mg",
          comparator: str = "placebo") -> tuple[Arm, Arm | None]:
    """The sheet row's arms as the trial names them, read with the row: (intervention, comparator)."""
    query = Query(outcome, intervention, comparator, None)
    arm, other = read_row(read_trial(trial.record, [query]).evidence, query).arms
    assert arm is not None
    return arm, other


def _tea_trial(sentence: str) -> Trial:
    return read_trial(Record("pmc", pmcid="PMC7", abstract=f"Adults were randomised to tea or water. {sentence}"))


def _place(trial: Trial, outcome: str, intervention: str, column: str, value: str) -> str | None:
    side, name = column.split("_", 1)
    arm, other = _arms(trial, outcome, intervention)
    if side == "comparator":
        assert other is not None
        arm, other = other, arm
    placed = in_place(trial, outcome, arm, other, name, trial.index.where(Decimal(value)))
    return placed[0][0].section if placed else None


@pytest.mark.parametrize(
    "outcome,column,value,section",
    [
        # a dose heading its column is no group's size
        ("headache", "intervention_group_size", "40", None),
        # the column of sizes in the outcome's row gives the arm's n; another row's is another outcome's
        ("mood score", "intervention_group_size", "38", "tables/2/body/0/1"),
        ("mood score", "comparator_group_size", "37", "tables/2/body/0/3"),
        ("mood score", "intervention_group_size", "35", None),
        # under a caption naming the outcome, a row labelled by another variable is not the outcome
        ("nausea", "intervention_events", "9", "tables/3/body/1/1"),
        ("nausea", "intervention_events", "5", None),
        # an earlier time point than the row gives the arm later is not the trial's outcome
        ("sleep score", "intervention_mean", "6.9", "tables/1/body/0/3"),
        ("sleep score", "intervention_mean", "6.1", None),
        ("sleep score at week 4", "intervention_mean", "6.1", "tables/1/body/0/1"),
        # a change "from baseline" is no baseline; rows of one variable at two times: the last is the outcome
        ("grip strength", "intervention_mean", "2.5", "tables/4/body/2/1"),
        ("grip strength", "intervention_mean", "1.5", None),
        ("reaction time", "intervention_mean", "3.55", "tables/5/body/0/2"),
        ("reaction time", "intervention_mean", "3.07", None),
        # a sentence at an earlier time than a table gives the outcome at is another time point's
        ("grip strength", "intervention_mean", "1.4", None),
        ("hand pain", "intervention_mean", "2.7", "abstract"),
        # a number written as a size is no count of events
        ("tremor", "comparator_events", "19", None),
        ("tremor", "comparator_group_size", "19", "abstract"),
    ],
)
def test_audit_located_places_by_row_column_and_time(trial, outcome, column, value, section) -> None:  # type: ignore[no-untyped-def]
    assert _place(trial, outcome, "kavain 40 mg", column, value) == section


@pytest.mark.parametrize("outcome,intervention,expected", [("tremor", "kavain 40 mg", "17"), ("headache", "kavain 40 mg", None)])
def test_audit_located_outcome_size_is_the_n_where_the_outcome_is_named(trial, outcome, intervention, expected) -> None:  # type: ignore[no-untyped-def]
    found = outcome_size(trial, outcome, *_arms(trial, outcome, intervention))
    assert (found[1].text if found else None) == expected


@pytest.mark.parametrize(
    "sentence,tea,water,found",
    [("Time to relapse was longer with tea than with water (480 vs. 305 days, p = 0.01).", "480", "305", True),
     ("Time to relapse was longer with tea than with water (480 vs. 305 days, p = 0.01).", "305", "480", False),
     ("Time to relapse was shorter with water than with tea (305 versus 480 days).", "480", "305", True),
     ("Time to relapse was shorter with water than with tea (305 versus 480 days).", "305", "480", False)],
)
def test_audit_located_values_set_against_each_other_follow_the_order_of_the_arms(sentence, tea, water, found) -> None:  # type: ignore[no-untyped-def]
    trial = _tea_trial(sentence)
    arm, other = _arms(trial, "time to relapse", "tea", "water")
    placed = paired(trial, "time to relapse", arm, other, "mean", trial.index.where(Decimal(tea)), Decimal(water))
    assert (placed is not None) is found


@pytest.mark.parametrize(
    "sentence,found",
    [("Nausea was reported by 4 patients given tea and 9 given water (0.2 and 0.45 episodes per patient-year, "
      "respectively).", True),
     ("Nausea was reported by 4 and 9 patients given water and tea, respectively.", False)],
)
def test_audit_located_respectively_lists_only_the_values_of_its_own_brackets(sentence: str, found: bool) -> None:
    trial = _tea_trial(sentence)
    arm, other = _arms(trial, "nausea", "tea", "water")
    assert (in_place(trial, "nausea", arm, other, "events", trial.index.where(Decimal(4))) is not None) is found


@pytest.mark.parametrize("value,partner,found", [("2.5", "0.1", True), ("1.5", "0.2", False)])
def test_audit_located_pairs_in_a_table_are_read_at_its_last_time_point(trial, value, partner, found) -> None:  # type: ignore[no-untyped-def]
    arm, other = _arms(trial, "grip strength")
    placed = paired(trial, "grip strength", arm, other, "mean", trial.index.where(Decimal(value)), Decimal(partner))
    assert (placed is not None) is found
