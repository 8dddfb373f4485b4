"""Choosing the result that answers a sheet's outcome, and leaving it blank when unsure."""

from __future__ import annotations

import math

import pytest

from extractor.evidence.choose import choose, listed_outcomes, outcome_score, prefer_final, ranked, time_rank
from extractor.evidence.model import Arm, ArmValue, Result

ARMS = {"Drug": Arm("Drug", n_randomised=40), "Placebo": Arm("Placebo", n_randomised=40, role="control")}


def result(outcome: str, drug: tuple[float, float | None], placebo: tuple[float, float | None], *,
           context: str = "", timepoint: str | None = None, baseline: bool = False, n: int | None = None) -> Result:
    values = (ArmValue("Drug", mean=drug[0], sd=drug[1], n=n), ArmValue("Placebo", mean=placebo[0], sd=placebo[1], n=n))
    return Result(outcome, "continuous", values, context or outcome, "table", timepoint=timepoint,
                  is_baseline=baseline)


def pick(query: str, *results: Result, scores: tuple[float, ...] | None = None) -> Result | None:
    candidates = list(zip(scores or (1.0,) * len(results), results, strict=True))
    chosen = choose(candidates, query, {}, ARMS)
    return chosen[1] if chosen else None


def test_choose_refuses_two_close_results_with_other_numbers() -> None:
    assert pick("pain", result("Pain at rest", (3.1, 1.0), (4.0, 1.1)), result("Pain on walking", (5.0, 1.0),
                                                                                  (6.0, 1.1))) is None


def test_choose_takes_a_clearly_better_result() -> None:
    best = result("Pain", (3.1, 1.0), (4.0, 1.1))
    assert pick("pain", best, result("Stiffness", (1.0, 0.2), (1.1, 0.3)), scores=(1.0, 0.6)) is best


def test_choose_same_numbers_said_twice_keeps_the_one_with_sds() -> None:
    with_sd = result("Pain", (3.1, 1.0), (4.0, 1.1))
    assert pick("pain", result("Pain", (3.1, None), (4.0, None)), with_sd) is with_sd


@pytest.mark.parametrize(
    "query,winner,loser",
    [
        # values at a time point over changes from baseline, unless the sheet asks for a change
        ("Bodily pain", result("Bodily pain mean score", (53.9, 22.2), (34.0, 20.1)),
         result("Bodily pain mean change from BL", (20.1, None), (8.0, None))),
        # the outcome's own phrase, word for word
        ("duration of illness", result("duration of illness", (47.5, 38.9), (26.5, 27.4), context="duration of illness"),
         result("total duration of diarrhoea", (105.4, 44.9), (80.0, 30.0))),
        # intention-to-treat over per-protocol when both give group sizes
        ("pain", result("Pain", (3.0, 1.0), (4.0, 1.0), context="ITT population | Pain", n=40),
         result("Pain", (2.8, 1.0), (4.1, 1.0), context="Per-protocol population | Pain", n=35)),
        # the total over its subscales
        ("quality of life", result("Quality of life total score", (60.0, 10.0), (55.0, 11.0)),
         result("Quality of life physical subscale", (30.0, 5.0), (28.0, 6.0))),
        # the label with the outcome's own numbers
        ("interleukin 2", result("IL-2", (4.5, 2.1), (28.7, 16.3)), result("IL-4", (5.6, 1.1), (4.0, 1.0))),
        # the whole sample over a subsample given its own n
        ("snacks", result("Snacks (pieces)", (2.5, 2.8), (2.8, 2.7)), result("Snacks (pieces) (n=808)", (3.3, 3.1),
                                                                               (3.8, 3.0))),
        # a label naming the outcome over a caption that does
        ("LDL cholesterol", result("LDL cholesterol", (3.0, 0.8), (3.4, 0.9), context="Lipids | LDL cholesterol"),
         result("Triglycerides", (1.5, 0.5), (1.6, 0.6), context="LDL cholesterol and other lipids | Triglycerides")),
    ],
)
def test_choose_ranks_first_what_reviewers_prefer(query: str, winner: Result, loser: Result) -> None:
    # the model ranks the winner first whatever the order; it fills the winner or, unsure, nothing
    assert ranked([(1.0, loser), (1.0, winner)], query, {}, ARMS)[0][1] is winner
    assert ranked([(1.0, winner), (1.0, loser)], query, {}, ARMS)[0][1] is winner
    assert pick(query, loser, winner) in (winner, None)


def test_choose_asked_for_a_change_does_not_prefer_values() -> None:
    level = result("Pain score", (3.0, 1.0), (4.0, 1.0))
    change = result("Pain change from baseline", (-2.0, 1.0), (-1.0, 1.0))
    assert pick("change in pain", level, change) is not level


def test_choose_time_ranks_and_the_final_lead() -> None:
    week4 = result("Pain, week 4", (5.0, 1.0), (5.5, 1.0), timepoint="week 4")
    week12 = result("Pain, week 12", (3.0, 1.0), (4.5, 1.0), timepoint="week 12")
    post = result("Pain", (3.3, 1.0), (4.4, 1.0), context="Post-test | Pain")
    assert time_rank(week4) == 28 and time_rank(post) == math.inf
    assert time_rank(result("Pain", (1, 1), (1, 1), baseline=True)) == -1.0
    assert time_rank(result("Pain", (1, 1), (1, 1), context="Scores at T2 | Pain")) == 2.0
    led = prefer_final([(1.0, week4), (1.0, week12)])  # the audit's order: the last time point leads
    scored = {id(r): s for s, r in led}
    assert scored[id(week12)] > scored[id(week4)] + 0.15
    # the choice model ranks the last time point first, in either order
    assert ranked([(1.0, week4), (1.0, week12)], "pain", {}, ARMS)[0][1] is week12
    assert ranked([(1.0, week12), (1.0, week4)], "pain", {}, ARMS)[0][1] is week12
    assert pick("pain", week4, week12) in (week12, None)


def test_choose_outcome_score_needs_half_the_outcome_for_a_short_label() -> None:
    waist = result("Waist (cm)", (88.0, 7.0), (90.0, 6.0))
    assert outcome_score("waist circumference", waist, {}) >= 0.6
    assert outcome_score("waist hip ratio", waist, {}) < 0.6


def test_choose_a_percentage_and_its_count_are_one_result_and_the_count_is_kept() -> None:
    text = Result("response rate", "binary", (ArmValue("Drug", percent=76.9), ArmValue("Placebo", percent=60.0)),
                  "response rate", "text")
    table = Result("response Proportion responders", "binary",
                   (ArmValue("Drug", events=30, total=39, n=39), ArmValue("Placebo", events=24, total=40, n=40)),
                   "response", "table")
    chosen = choose([(1.0, text), (0.97, table)], "response rate", {}, ARMS)
    assert chosen is not None and chosen[1] is table and 0.5 < chosen[0] <= 1.0  # a probability, not the score


@pytest.mark.parametrize(
    "query,label,other",
    [
        ("HDL cholesterol levels", "Total cholesterol (mmol/L)", "HDL-C (mmol/L)"),
        ("Total cholesterol", "LDL cholesterol", "Total cholesterol (mg/dl)"),
        ("Total lymphocytes", "CD4 lymphocytes (cells/µL)", "Total lymphocytes (cells/µL)"),
        ("diastolic pressure", "Systolic pressure, mmHg", "Diastolic pressure, mmHg"),
    ],
)
def test_choose_a_contradicting_qualifier_excludes_a_label(query: str, label: str, other: str) -> None:
    abbreviations = {"HDL": "high density lipoprotein cholesterol", "LDL": "low density lipoprotein cholesterol"}
    assert outcome_score(query, result(label, (5.1, 1.0), (5.3, 1.0)), abbreviations) == 0.0
    assert outcome_score(query, result(other, (1.2, 0.3), (1.1, 0.3)), abbreviations) >= 0.6


def test_choose_an_unqualified_outcome_is_not_contradicted() -> None:
    assert outcome_score("cholesterol", result("Total cholesterol", (5.1, 1.0), (5.3, 1.0)), {}) >= 0.6
    assert outcome_score("systolic and diastolic pressure", result("Systolic pressure", (130.0, 9.0), (128.0, 9.0)),
                         {}) > 0.0


@pytest.mark.parametrize(
    "query,label",
    [
        ("reduced pain", "Pain (VAS, mm)"),
        ("the occurrence of vomiting", "Vomiting"),
        ("improved mobility", "Mobility, points"),
        ("Total lymphocytes (10^6/L)", "Total lymphocytesᵇ (10⁶/L)"),
        ("mortality at 30 days", "Deaths within 30 days"),
        ("total dosage of morphine", "Morphine dose (mg)"),
    ],
)
def test_choose_labels_that_name_the_outcome_otherwise(query: str, label: str) -> None:
    assert outcome_score(query, result(label, (1.0, 0.5), (2.0, 0.5)), {}) >= 0.6


@pytest.mark.parametrize(
    "query,expected",
    [
        ("duration of surgery or cross-clamp time", ("duration of surgery", "cross-clamp time")),
        ("urea, creatinine and uric acid", ("urea", "creatinine", "uric acid")),
        ("systolic and diastolic pressure", ("systolic", "diastolic pressure")),
        ("pain at 6 and 12 months", ("pain at 6",)),
        ("falls (odds ratio, 95% CI) and fractures", ("falls", "fractures")),
    ],
)
def test_choose_outcomes_a_sheet_row_lists(query: str, expected: tuple[str, ...]) -> None:
    assert listed_outcomes(query) == expected


def test_choose_a_label_naming_one_listed_outcome_answers_it() -> None:
    surgery = result("Duration of surgery (min)", (80.0, 20.0), (100.0, 22.0))
    anaesthesia = result("Duration of anaesthesia and surgery (min)", (95.0, 20.0), (120.0, 22.0))
    query = "duration of surgery or cross-clamp time"
    assert outcome_score(query, surgery, {}) == pytest.approx(0.9)
    assert outcome_score(query, anaesthesia, {}) < 0.6  # names more than the listed outcome
    assert outcome_score("HDL or LDL cholesterol", result("Total cholesterol", (5.0, 1.0), (5.2, 1.0)), {}) == 0.0


def test_choose_model_is_the_fitted_one_on_todays_features() -> None:
    from extractor.evidence.choose import FEATURES, ROW_FEATURES, choice_model

    model = choice_model()
    assert tuple(model.rank) == FEATURES and tuple(model.confidence) == ROW_FEATURES
    assert 0.0 < model.threshold < 1.0


def test_choose_features_say_time_points_and_the_preferences_against_rivals() -> None:
    from extractor.evidence.choose import features

    week4 = result("Pain, week 4", (5.0, 1.0), (5.5, 1.0), timepoint="week 4")
    week12 = result("Pain, week 12", (3.0, 1.0), (4.5, 1.0), timepoint="week 12")
    early, late = features([(1.0, week4), (1.0, week12)], "pain", {}, ARMS)
    assert (early["final"], early["earlier"], late["final"], late["earlier"]) == (0.0, 1.0, 1.0, 0.0)
    il2, il4 = result("IL-2", (4.5, 2.1), (28.7, 16.3)), result("IL-4", (5.6, 1.1), (4.0, 1.0))
    two, four = features([(1.0, il2), (1.0, il4)], "interleukin 2", {}, ARMS)
    assert (two["wins_its_numbers"], four["loses_its_numbers"], four["wins_its_numbers"]) == (1.0, 1.0, 0.0)
    (alone,) = features([(1.0, il2)], "interleukin 2", {}, ARMS)
    assert alone["alone"] == 1.0 and alone["rivals"] == 0.0 and alone["wins_its_numbers"] == 0.0


def test_choose_gives_the_probability_and_leaves_a_row_blank_below_the_threshold() -> None:
    from extractor.evidence.choose import choice_model

    clear = result("Pain", (3.1, 1.0), (4.0, 1.1))
    chosen = choose([(1.0, clear)], "pain", {}, ARMS)
    assert chosen is not None and chosen[1] is clear and chosen[0] >= choice_model().threshold
    weak = result("Stiffness and pain on walking after a meal", (1.0, 0.2), (1.1, 0.3))
    unclear = [(0.6, weak), (0.6, result("Pain on stairs in the evening", (5.0, 1.0), (6.0, 1.1)))]
    assert choose(unclear, "pain", {}, ARMS) is None


@pytest.mark.parametrize("change", ["drop a feature", "not json", "no threshold"])
def test_choose_a_model_file_that_does_not_fit_is_refused(change: str) -> None:
    import json
    from importlib import resources

    from extractor.errors import ExtractionError
    from extractor.evidence.choose import read_choice_model

    text = resources.files("extractor.nlp").joinpath("choice_model.json").read_text("utf-8")
    assert read_choice_model(text).threshold > 0  # the file as fitted reads
    data = json.loads(text)
    if change == "drop a feature":
        data["rank"].pop("score")
    elif change == "no threshold":
        del data["threshold"]
    bad = "{" if change == "not json" else json.dumps(data)
    with pytest.raises(ExtractionError, match="choice_model.json"):
        read_choice_model(bad)
