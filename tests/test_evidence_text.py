"""Sentences written to cover each reading of results in text; every value's offsets are checked."""

from __future__ import annotations

import pytest

from extractor.evidence import read_trial
from extractor.evidence.model import Arm, Result
from extractor.evidence.reader import TrialReader
from extractor.records import AbstractSection, Record, Section

ARMS_SENTENCE = "Patients were randomised to drug X (n=40) or placebo (n=40)."


def results_of(text: str, *, methods: str = ARMS_SENTENCE) -> list[Result]:
    body = f"METHODS: {methods}\nRESULTS: {text}"
    record = Record(
        source_format="pubmed",
        pmid="1",
        abstract=body,
        abstract_sections=(
            AbstractSection("METHODS", "METHODS", methods),
            AbstractSection("RESULTS", "RESULTS", text),
        ),
    )
    reader = TrialReader(record)
    found = reader.results()
    for result in found:
        for value in result.values:
            for ev in value.evidence:
                assert body[ev.start : ev.end] == ev.text
    return found


def by_arm(result: Result) -> dict[str, tuple]:
    return {v.arm: (v.events, v.total, v.percent, v.mean, v.sd) for v in result.values}


def test_evidence_text_arms_from_group_sizes() -> None:
    record = Record(source_format="pubmed", abstract=ARMS_SENTENCE,
                    abstract_sections=(AbstractSection(None, None, ARMS_SENTENCE),))
    arms = read_trial(record).arms
    assert [(a.name, a.n_randomised, a.role) for a in arms] == [
        ("drug X", 40, "intervention"), ("placebo", 40, "control")]


@pytest.mark.parametrize(
    "sentence,expected",
    [
        (
            "The response rates were 55.0% and 30.0% for drug X and placebo, respectively (p=0.02).",
            {"drug X": (None, None, 55.0, None, None), "placebo": (None, None, 30.0, None, None)},
        ),
        (
            "Fewer households in placebo villages reported it (75% drug X versus 84% placebo; difference 9).",
            {"drug X": (None, None, 75.0, None, None), "placebo": (None, None, 84.0, None, None)},
        ),
        (
            "Remission occurred in 12/40 (30.0%) patients in the drug X group and 5/40 (12.5%) in the placebo group.",
            {"drug X": (12, 40, 30.0, None, None), "placebo": (5, 40, 12.5, None, None)},
        ),
        (
            "The response rate of the drug X group was 55.0%, compared with 30.0% of the placebo group.",
            {"drug X": (None, None, 55.0, None, None), "placebo": (None, None, 30.0, None, None)},
        ),
        (
            "Mean pain score was 3.2 \u00b1 1.1 in drug X and 4.5 \u00b1 1.3 in placebo (P<.001).",
            {"drug X": (None, None, None, 3.2, 1.1), "placebo": (None, None, None, 4.5, 1.3)},
        ),
    ],
)
def test_evidence_text_values_tied_to_arms(sentence: str, expected: dict[str, tuple]) -> None:
    (result,) = results_of(sentence)
    assert by_arm(result) == expected


def test_evidence_text_p_value_and_timepoint() -> None:
    (result,) = results_of("At week 12, the response rates were 55.0% and 30.0% for drug X and placebo, "
                           "respectively (p=0.052).")
    assert (result.timepoint, result.p_value, result.p_operator) == ("week 12", 0.052, "=")
    assert result.outcome == "response rates"


def test_evidence_text_two_outcomes_in_one_sentence() -> None:
    found = results_of("Nausea occurred in 10 (25.0%) drug X patients vs 4 (10.0%) placebo patients, "
                       "and vomiting in 6 (15.0%) drug X patients vs 2 (5.0%) placebo patients.")
    assert [sorted(by_arm(r).values()) for r in found] == [
        [(4, None, 10.0, None, None), (10, None, 25.0, None, None)],
        [(2, None, 5.0, None, None), (6, None, 15.0, None, None)],
    ]


def test_evidence_text_subgroup_kept_apart_from_outcome() -> None:
    (result,) = results_of("Drug X resulted in 53.85% (7/13) complete remission in patients with lupus "
                           "nephritis, compared with 16.67% (2/12) in the placebo group (p=0.036).")
    assert result.outcome == "complete remission"
    assert result.subgroup == "patients with lupus nephritis"
    assert by_arm(result)["drug X"] == (7, 13, 53.85, None, None)


def test_evidence_text_counts_written_as_words() -> None:
    (result,) = results_of("No serious infection was observed in the drug X group, but two in placebo group.")
    assert result.outcome == "serious infection"
    assert {v.arm: v.events for v in result.values} == {"drug X": 0, "placebo": 2}


def test_evidence_text_no_events_in_either_group() -> None:
    (result,) = results_of("No serious adverse events were observed in either group.")
    assert result.outcome == "serious adverse events"
    assert {v.arm: v.events for v in result.values} == {"drug X": 0, "placebo": 0}


def test_evidence_text_values_after_including_belong_to_the_item() -> None:
    (result,) = results_of("No differences were seen for other morbidities, including the composite outcome "
                           "(15/40 [37.5%] in the drug X group and 12/40 [30.0%] in the placebo group).")
    assert result.outcome == "composite outcome"
    assert "other morbidities" not in result.context


def test_evidence_text_a_list_of_things_that_happened_in_no_group() -> None:
    found = results_of("There were no cases of ketoacidosis and no serious adverse events attributable to the study "
                       "interventions, including no serious skin reactions.")
    assert [r.outcome for r in found] == ["ketoacidosis", "serious adverse events attributable to the study "
                                          "interventions", "serious skin reactions"]
    assert all({v.arm: v.events for v in r.values} == {"drug X": 0, "placebo": 0} for r in found)
    assert results_of("There were no deaths in the drug X group.") == []


@pytest.mark.parametrize(
    "sentence",
    [
        "No significant differences were observed between groups.",
        "The response rate was 55.0% (p=0.02).",
        "Response rates were 55.0%, 30.0% and 20.0% for drug X and placebo, respectively.",
    ],
)
def test_evidence_text_leaves_unclear_sentences_alone(sentence: str) -> None:
    assert results_of(sentence) == []


def test_evidence_text_arm_names_with_group_labels() -> None:
    methods = "Patients were allocated into groups (Group A, lidocaine; Group B, saline)."
    (result,) = results_of("Pain occurred in 20% and 60% in group A and group B, respectively.",
                           methods=methods)
    arms = read_trial(Record("pubmed", abstract=methods)).arms
    names = {a.name: {a.name, *a.aliases} for a in arms}
    assert {v.arm: v.percent for v in result.values} == {"lidocaine": 20.0, "saline": 60.0}
    assert names == {"lidocaine": {"lidocaine", "Group A"}, "saline": {"saline", "Group B"}}


def test_evidence_text_uses_extra_arms() -> None:
    record = Record(source_format="pubmed", abstract="The rate was 40% with tea and 20% with water.")
    extra = (Arm("tea"), Arm("water", role="control"))
    (result,) = TrialReader(record).results_with(extra)
    assert {v.arm: v.percent for v in result.values} == {"tea": 40.0, "water": 20.0}


def test_evidence_text_evidence_keeps_the_original_characters() -> None:
    # the pipeline reads "0·52" and "−3" folded; the evidence must still quote the paper
    (result,) = results_of(
        "Scores were 2\u00b75 \u00b1 0\u00b75 with drug X and \u22121\u00b70 \u00b1 0\u00b75 with placebo."
    )
    texts = sorted(ev.text for v in result.values for ev in v.evidence)
    assert texts == ["2\u00b75 \u00b1 0\u00b75", "\u22121\u00b70 \u00b1 0\u00b75"]
    assert {v.arm: v.mean for v in result.values} == {"drug X": 2.5, "placebo": -1.0}


def test_evidence_text_lists_of_findings_are_not_arms() -> None:
    text = "The most common symptoms were rash (n = 71, 69%), fever (n = 36, 35%), and pain (n = 33, 32%)."
    record = Record(source_format="pubmed", abstract=text)
    assert read_trial(record).arms == ()


def test_evidence_text_medians_are_not_means() -> None:
    (result,) = results_of("Median antibody levels were 526 (IQR 400-700) with drug X and 455 (IQR 300-600) "
                           "with placebo.")
    assert {v.arm: (v.mean, v.median) for v in result.values} == {"drug X": (None, 526.0),
                                                                   "placebo": (None, 455.0)}


def test_evidence_text_plus_minus_is_sd_in_a_paper_without_standard_errors() -> None:
    (result,) = results_of("Operation time was 24.25 ± 3.41 (18–28) minutes with drug X and 16.30 ± 1.65 "
                           "(14–20) minutes with placebo.")
    assert by_arm(result) == {"drug X": (None, None, None, 24.25, 3.41), "placebo": (None, None, None, 16.3, 1.65)}
    (result,) = results_of("Operation time was 24.25 ± 3.41 minutes with drug X and 16.30 ± 1.65 minutes with "
                           "placebo.", methods=ARMS_SENTENCE + " Data are given as mean ± SEM.")
    assert by_arm(result)["drug X"][4] is None


def test_evidence_text_values_before_treatment_are_baseline() -> None:
    (result,) = results_of("Preoperatively, pad usage was 4.45 ± 0.82 with drug X and 4.25 ± 0.78 with placebo.")
    assert result.is_baseline


def test_evidence_text_a_second_result_of_a_sentence_is_named_by_its_own_words() -> None:
    first, second = results_of(
        "The proportion reporting any side effects was similar (30/40 in the drug X group and 28/40 in the placebo "
        "group), as was the proportion who stopped therapy because of side effects (4/40 in the drug X group and "
        "3/40 in the placebo group).")
    assert first.outcome == "proportion reporting any side effects"
    assert second.outcome == "proportion who stopped therapy because of side effects"
    assert "reporting" not in second.context


def test_evidence_text_one_value_said_of_each_group() -> None:
    (result,) = results_of("Mean change in HbA1c was similar between groups (−0.1 ± 0.6 in each group, P = 0.79).")
    assert by_arm(result) == {"drug X": (None, None, None, -0.1, 0.6), "placebo": (None, None, None, -0.1, 0.6)}
    assert result.p_value == 0.79


def test_evidence_text_arms_from_who_underwent_what() -> None:
    methods = ("The patients were divided into two groups; the first 20 overweight female patients underwent the "
               "TOS procedure and the subsequent 20 consecutive female patients underwent the single-incision sling "
               "[TVT-secur] procedure. 2 patients received solifenacin succinate.")
    record = Record(source_format="pubmed", abstract=methods,
                    abstract_sections=(AbstractSection("METHODS", "METHODS", methods),))
    assert [(a.name, a.n_randomised) for a in read_trial(record).arms] == [("TOS", 20), ("single-incision sling", 20)]


@pytest.mark.parametrize(
    "methods",
    [
        "Patients were randomised to drug X (n=40) or placebo (n=40). Diagnoses in the drug X group were "
        "meningioma (n = 17), lipoma (n = 1), ependymoma (n = 20) and cyst (n = 2).",
        "Patients were randomised to drug X (n=40) or placebo (n=40). ITT analyses (n = 80) and per-protocol "
        "analyses (n = 71) were done.",
    ],
)
def test_evidence_text_make_up_of_groups_and_analysis_populations_are_not_arms(methods: str) -> None:
    record = Record(source_format="pubmed", abstract=methods, abstract_sections=(AbstractSection("METHODS",
                                                                                              "METHODS", methods),))
    assert [a.name for a in read_trial(record).arms] == ["drug X", "placebo"]


def test_evidence_text_a_count_listed_before_another_is_not_the_arms() -> None:
    (result,) = results_of("The diary was kept by 8 men and 14 women in the drug X group and 9 men and 11 women "
                           "in the placebo group.")
    assert {v.arm.removesuffix(" group"): v.events for v in result.values} == {"drug X": 14, "placebo": 11}


def test_evidence_text_counted_people_are_named_by_what_they_did() -> None:
    (result,) = results_of("One patient in the drug X group and four patients in the placebo group were unable "
                           "to finish the walking test.")
    assert result.outcome == "were unable to finish the walking test"
    assert {v.arm.removesuffix(" group"): v.events for v in result.values} == {"drug X": 1, "placebo": 4}


@pytest.mark.parametrize("heading,baseline", [("Patients' characteristics", True), ("Walking speed", False)])
def test_evidence_text_values_under_a_heading_about_the_groups_at_entry_are_baseline(
        heading: str, baseline: bool) -> None:
    text = "Weight was 81.2 ± 6.0 kg in the drug X group and 80.3 ± 5.8 kg in the placebo group."
    record = Record(source_format="pmc", pmcid="PMC1", sections=(
        Section("Methods", ("Methods",), ARMS_SENTENCE), Section(heading, ("Results", heading), text)))
    (result,) = TrialReader(record).results()
    assert result.is_baseline is baseline


def test_evidence_text_a_value_in_brackets_defining_the_outcome_is_not_listed_with_the_arms() -> None:
    (result,) = results_of("Remission (a fall of more than 30% in the score) occurred in 35% and 20% of the drug X "
                           "and placebo groups respectively.")
    assert result.outcome.startswith("Remission")
    assert {v.arm.removesuffix(" group"): v.percent for v in result.values} == {"drug X": 35.0, "placebo": 20.0}


def test_evidence_text_words_the_sentence_joins_stay_joined_in_the_outcome() -> None:
    (result,) = results_of("The “ICIQ-SF” score at follow-up was 3.9 ± 1.4 in the drug X group and 6.3 ± 1.6 in the "
                           "placebo group.")
    assert "ICIQ-SF" in result.outcome and " - " not in result.outcome and "”" not in result.outcome


def test_evidence_text_who_the_patients_were_is_baseline() -> None:
    (result,) = results_of("Mean age was 53.1 ± 5.7 years in the drug X group and 52.2 ± 5.8 years in the placebo group.")
    assert result.is_baseline


def test_evidence_text_a_change_from_one_value_to_another_gives_the_value_it_ends_at() -> None:
    (result,) = results_of("Walking speed rose from 1.10 \u00b1 0.20 to 1.35 \u00b1 0.25 m/s with drug X "
                           "and from 1.12 \u00b1 0.22 to 1.15 \u00b1 0.21 m/s with placebo.")
    assert by_arm(result) == {"drug X": (None, None, None, 1.35, 0.25), "placebo": (None, None, None, 1.15, 0.21)}
    assert "1.10" not in result.outcome and result.outcome.startswith("Walking speed")


def test_evidence_text_a_bare_pair_after_both_arms_are_named_gives_their_means() -> None:
    (result,) = results_of("Time to walk was shorter with drug X than with placebo (3.1 vs. 4.6 days, P = 0.01).")
    assert by_arm(result) == {"drug X": (None, None, None, 3.1, None), "placebo": (None, None, None, 4.6, None)}
    assert results_of("Time to walk was shorter with drug X (3.1 vs. 4.6 days, P = 0.01).") == []
    assert results_of("Time to walk was shorter with drug X than with placebo, 3.1 vs. 4.6 days.") == []


def test_evidence_text_a_second_count_may_leave_its_people_understood() -> None:
    (result,) = results_of("Nausea occurred less often (12 patients in the drug X group versus 25 in the placebo group).")
    assert by_arm(result) == {"drug X": (12, None, None, None, None), "placebo": (25, None, None, None, None)}


def test_evidence_text_a_bare_pair_of_signed_percentages_is_a_pair_of_mean_changes() -> None:
    (result,) = results_of("Weight fell more with drug X than with placebo (-8.5% vs. -2.1%, P = 0.02).")
    assert by_arm(result) == {"drug X": (None, None, None, -8.5, None), "placebo": (None, None, None, -2.1, None)}
    assert results_of("Weight fell more with drug X than with placebo (-8.5% vs. 2.1%, P = 0.02).") == []


def test_evidence_text_a_plain_number_in_each_arm_is_its_mean() -> None:
    (result,) = results_of("The itch score was 4.2 in the drug X group and 6.8 in the placebo group.")
    assert by_arm(result) == {"drug X": (None, None, None, 4.2, None), "placebo": (None, None, None, 6.8, None)}
    (result,) = results_of("Hospital stay was 5.5 days with drug X and 7 days with placebo.")
    assert by_arm(result) == {"drug X": (None, None, None, 5.5, None), "placebo": (None, None, None, 7.0, None)}
    assert results_of("Falls were 12 in the drug X group and 8 in the placebo group.") == []  # may count people
    assert results_of("Treatment lasted 12 weeks in the drug X group and 8 weeks in the placebo group.") == []


def test_text_a_later_value_of_a_list_is_named_by_the_lists_outcome_not_the_unit_before_it() -> None:
    # two values of one arm ("oral drug X", "drug X given intravenously"): the result begins at the second
    found = results_of("The mean systolic blood pressure was 128.5 ± 10.6 mm Hg with oral drug X, 126.3 ± 10.8 mm Hg "
                       "with drug X given intravenously and 131.2 ± 10.7 mm Hg with placebo.")
    assert [r.outcome for r in found] == ["mean systolic blood pressure"]


@pytest.mark.parametrize("opener", ["However,", "In addition,", "On the other hand,", "Moreover,"])
def test_text_a_word_linking_the_sentence_to_the_one_before_is_no_part_of_the_outcome(opener: str) -> None:
    (result,) = results_of(f"{opener} the mean pain score was 3.1 ± 1.0 with drug X and 4.2 ± 1.1 with placebo.")
    assert result.outcome == "mean pain score"


@pytest.mark.parametrize(
    "sentence,expected",
    [
        (  # two measures of each arm, in a bracket after its name: the k-th of each bracket go together
            "Knee swelling fell less with drug X (-0.4 ± 0.2 cm, -8.0 ± 3.1%) than with placebo "
            "(-0.9 ± 0.3 cm, -15.5 ± 4.2%; P = 0.01).",
            [{"drug X": -0.4, "placebo": -0.9}, {"drug X": -8.0, "placebo": -15.5}],
        ),
        (  # sub-labelled values of each arm ("left ..., right ...")
            "Grip strength was higher in the drug X group (left hand, 31.2 ± 4.0; right hand, 33.5 ± 4.4) than "
            "in the placebo group (left hand, 27.9 ± 3.8; right hand, 29.0 ± 4.1).",
            [{"drug X": 31.2, "placebo": 27.9}, {"drug X": 33.5, "placebo": 29.0}],
        ),
        (  # a change in each arm's bracket, from a value to another: the value it ends at
            "Fatigue fell in the drug X group (6.1 ± 1.0 to 3.2 ± 0.9) compared with the placebo group "
            "(6.0 ± 1.1 to 5.1 ± 1.0; P = 0.01).",
            [{"drug X": 3.2, "placebo": 5.1}],
        ),
        (  # counter-example: one bracket holds both arms' values, in the order the arms were named
            "Fatigue scores fell with drug X compared with placebo (2.1 ± 0.4 versus 3.4 ± 0.6; P = 0.03).",
            [{"drug X": 2.1, "placebo": 3.4}],
        ),
    ],
)
def test_evidence_text_values_in_each_arms_bracket(sentence: str, expected: list[dict[str, float]]) -> None:
    found = results_of(sentence)
    assert [{v.arm: v.mean for v in r.values} for r in found] == expected
    assert len({r.outcome for r in found}) == 1  # the outcome is said once, for every measure
    assert not any(ch.isdigit() for ch in found[0].outcome)  # and named without the values


@pytest.mark.parametrize(
    "sentence,effect",
    [
        ("Relief was 40% with drug X and 20% with placebo (odds ratio 2.7, 95% CI 1.3-5.6).", ("OR", 2.7, 1.3, 5.6)),
        ("Death occurred in 9% with drug X and 17% with placebo (hazard ratio [HR] 0.52, 95% CI 0.3-0.9).",
         ("HR", 0.52, 0.3, 0.9)),
        ("Relief was 40% with drug X and 20% with placebo; the odds ratio was 2.7 (95% CI 1.3-5.6).",
         ("OR", 2.7, 1.3, 5.6)),  # an estimate written as a centre and its CI, after the measure's name
        # counter-example: a p-value between the estimate and an interval leaves them apart
        ("Relief was 40% with drug X and 20% with placebo (OR 2.7, P = 0.01, 95% CI 1.3-5.6).", ("OR", 2.7, None, None)),
    ],
)
def test_evidence_text_an_effect_takes_the_interval_right_after_it(sentence: str, effect: tuple) -> None:
    (result,) = results_of(sentence)
    assert (result.effect_measure, result.effect, result.ci_low, result.ci_high) == effect


@pytest.mark.parametrize("text,expected", [
    ("Compared with placebo, drug X lowered the pain score (3.1 ± 1.2 vs 4.5 ± 1.4).", {"drug X": 3.1, "placebo": 4.5}),
    ("As compared to the placebo group, patients in the drug X group had lower pain scores (2.0 ± 0.9 vs. 2.8 ± 1.1).",
     {"drug X": 2.0, "placebo": 2.8}),
    ("Pain scores were lower in the drug X group compared with the placebo group (2.0 ± 0.9 vs 2.8 ± 1.1).",
     {"drug X": 2.0, "placebo": 2.8}),
    ("Compared with baseline, pain fell more with drug X than with placebo (2.0 ± 0.9 vs 2.8 ± 1.1).",
     {"drug X": 2.0, "placebo": 2.8}),
])
def test_evidence_text_a_sentence_opening_on_the_reference_arm_lists_its_subject_first(
        text: str, expected: dict[str, float]) -> None:
    (result,) = results_of(text)
    assert {v.arm.removesuffix(" group"): v.mean for v in result.values} == expected


def test_evidence_text_a_sentence_ending_on_a_group_letter_ends_there() -> None:
    methods = "Patients were randomised to group A (n=40, drug X) or group B (n=40, placebo)."
    found = results_of("Pain was 3.1 ± 1.2 in group A and 4.5 ± 1.4 in group B. Time to walk was 4.2 ± 1.0 h in "
                       "group A and 5.0 ± 1.7 h in group B.", methods=methods)
    assert [(r.outcome, [v.mean for v in r.values]) for r in found] == [("Pain", [3.1, 4.5]),
                                                                         ("Time to walk", [4.2, 5.0])]


@pytest.mark.parametrize("text,outcome", [
    ("Pain was 3.1 ± 1.2 in the drug X group and 4.5 ± 1.4 in the placebo group.", "Pain"),
    ("The mean duration of analgesia was 6.1 ± 1.2 h in the drug X group and 4.5 ± 1.4 h in the placebo group.",
     "mean duration of analgesia"),
    ("At 6 weeks, HbA1c was 7.1 ± 0.5% with drug X and 7.9 ± 0.6% with placebo.", "HbA1c"),
])
def test_evidence_text_the_outcome_is_what_stands_before_its_verb(text: str, outcome: str) -> None:
    (result,) = results_of(text)
    assert result.outcome == outcome


@pytest.mark.parametrize("text,expected", [
    ("Pain was lower in the drug X group (3.1 ± 1.2 vs. 4.5 ± 1.4, p = 0.02).", {"drug X": 3.1, "placebo": 4.5}),
    ("Pain was higher than in the placebo group (3.1 ± 1.2 vs. 4.5 ± 1.4).", {"drug X": 3.1, "placebo": 4.5}),
    ("Mean stay was shorter with drug X (4.2 ± 1.0 vs 5.0 ± 1.7 days; P = 0.049).", {"drug X": 4.2, "placebo": 5.0}),
])
def test_evidence_text_a_comparison_naming_one_of_two_arms_gives_the_other_the_second_value(
        text: str, expected: dict[str, float]) -> None:
    (result,) = results_of(text)
    assert {v.arm.removesuffix(" group"): v.mean for v in result.values} == expected


@pytest.mark.parametrize("text", [
    "Pain decreased in the drug X group (4.5 ± 1.4 vs. 3.1 ± 1.2, p = 0.02).",            # no comparative
    "Pain was lower in the drug X group than at baseline (4.5 ± 1.4 vs. 3.1 ± 1.2).",     # against itself
    "In the drug X group, pain was lower after treatment (4.5 ± 1.4 vs. 3.1 ± 1.2).",     # over time
])
def test_evidence_text_two_values_beside_one_arm_over_time_are_not_two_arms(text: str) -> None:
    assert results_of(text) == []


def test_evidence_text_one_named_arm_of_three_gives_no_pair() -> None:
    methods = "Patients were randomised to drug X (n=40), drug Y (n=40) or placebo (n=40)."
    assert results_of("Pain was lower in the drug X group (3.1 ± 1.2 vs. 4.5 ± 1.4).", methods=methods) == []
