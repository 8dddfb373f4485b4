"""Group sizes as the text states them: every rule's examples and counter-examples, run as tests."""

from __future__ import annotations

import pytest

from extractor.nlp.sizes import count_value, find_sizes, name_before, size_rules

RULES = size_rules()
EXAMPLES = [pytest.param(rule, ex, id=f"{rule.id}-{i}") for rule in RULES for i, ex in enumerate(rule.examples)]
COUNTERS = [pytest.param(rule, text, id=f"{rule.id}-not-{i}") for rule in RULES
            for i, text in enumerate(rule.counter_examples)]


@pytest.mark.parametrize(("rule", "example"), EXAMPLES)
def test_nlp_sizes_rule_reads_its_example(rule, example) -> None:  # type: ignore[no-untyped-def]
    found = [m for m in find_sizes(example["text"]) if m.rule == rule.id and m.n == example["n"]]
    assert found, f"{rule.id} read nothing of {example['text']!r}: {find_sizes(example['text'])}"
    mention = found[0]
    if "group" in example:
        assert mention.group == example["group"]
    if "kind" in example:
        assert mention.kind == example["kind"]
    number = example["text"][mention.number[0] : mention.number[1]]
    assert mention.start <= mention.number[0] < mention.number[1] <= mention.end
    assert count_value(number) == example["n"]


@pytest.mark.parametrize(("rule", "example"), EXAMPLES)
def test_nlp_sizes_every_example_passes_its_rule_s_cue_filter(rule, example) -> None:  # type: ignore[no-untyped-def]
    assert rule.may_read(example["text"].lower()), rule.id


@pytest.mark.parametrize(("rule", "text"), COUNTERS)
def test_nlp_sizes_rule_leaves_its_counter_example(rule, text) -> None:  # type: ignore[no-untyped-def]
    assert [m for m in find_sizes(text) if m.rule == rule.id] == []


def test_nlp_sizes_every_rule_has_an_id_a_purpose_and_two_examples() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.purpose and len(rule.examples) >= 2 and rule.counter_examples, rule.id


@pytest.mark.parametrize(("text", "value"), [
    ("1,028", 1028), ("12 651", 12651), ("Thirty-six", 36), ("Three hundred and forty-seven", 347),
    ("One hundred forty-one", 141), ("fifty eight", 58), ("two thousand", 2000), ("several", None),
    ("Four thousand six hundred and two", 4602),
])
def test_nlp_sizes_count_value(text: str, value: int | None) -> None:
    assert count_value(text) == value


@pytest.mark.parametrize(("before", "name"), [
    ("Patients took aspirin (", "aspirin"),
    ("a tablet of drug B (100 mg/day) (", "drug B"),
    ("the low dose (3 mg) group (", "low dose (3 mg) group"),
    ("basic (advice on diet; ", "basic"),
    ("the placebo arm, ", "placebo arm"),
    ("blood pressure fell to 15.6 mmHg (", "15.6 mmHg"),
    ("were given drug K 2 g/kg on 3 consecutive days (", "drug K 2 g/kg"),
    ("drug Q with tapering and withdrawal of drug Q by week 6 (", "drug Q"),
    ("or were treated for 12 weeks (", "12 weeks"),
])
def test_nlp_sizes_name_before(before: str, name: str) -> None:
    assert name_before(before) == name


@pytest.mark.parametrize(("before", "after", "name"), [
    ("by genotype into three groups (CC, ", "; CT, n = 19; TT, n = 7).", "CC"),
    ("by genotype into three groups (CC, n = 40; CT, ", "; TT, n = 7).", "CT"),
    ("the diet arm (low-salt advice; ", ") and the drug arm (n = 40).", "diet arm"),
    ("cells suspended in gel (cells + gel group) (", ") or gel alone (n = 6).", "cells + gel group"),
    ("were divided into two as the early group (", ") and the late group (n = 34).", "early group"),
])
def test_nlp_sizes_name_before_in_a_list_inside_one_bracket(before: str, after: str, name: str) -> None:
    assert name_before(before, after) == name


def test_nlp_sizes_groups_named_by_dose_alone() -> None:
    text = "Single doses of 0.5 mg/kg (n = 71), 1 mg/kg (n = 70) or 2 mg/kg (n = 69) were given."
    assert {m.n: m.group for m in find_sizes(text)} == {71: "0.5 mg/kg", 70: "1 mg/kg", 69: "2 mg/kg"}
    assert find_sizes("Plasma levels were 22 mg/L (n = 5) and 16 mg/L (n = 3).") == ()  # concentrations


def test_nlp_sizes_a_range_of_doses_is_no_count() -> None:
    found = find_sizes("Forty adults were assigned to drug K, 20 to 80 mg/day (n = 20), or placebo (n = 20).")
    assert sorted(m.group or "" for m in found if m.n == 20) == ["80 mg/day", "placebo"]  # no "20 to ..." count


@pytest.mark.parametrize("text", [
    "Three patients in the placebo group died.",                      # an event, not a size
    "Adverse events occurred in 12 patients receiving drug A.",
    "A sample size of 40 patients per group would give 80% power.",   # planning
    "Blood pressure fell from 120 +/- 26 to 105 +/- 21 in the drug group.",
    "The trial ran between 1990 and 1995 to receive funding.",
    "Findings: rash (n = 71; 40%), fever (n = 36; 20%), cough (n = 2; 1%).",  # a make-up
    "Of those randomised, 14 patients in group A and 9 in group B withdrew.",  # losses, in one clause
])
def test_nlp_sizes_no_group_size_where_none_is_stated(text: str) -> None:
    assert [m for m in find_sizes(text) if m.kind in ("group", "analysed")] == []


def test_nlp_sizes_a_total_randomised_to_listed_groups_is_the_whole_sample() -> None:
    (mention,) = find_sizes("Forty-two adults were randomly assigned to drug A or placebo.")
    assert (mention.n, mention.kind, mention.group) == (42, "total", None)


@pytest.mark.parametrize("text,kind", [
    ("Adults with gout (n = 120) were randomised to drug A (n = 60) or placebo (n = 60).", "total"),
    ("Group A (n = 30) was assigned to drug X and group B (n = 30) to placebo.", "group"),
])
def test_nlp_sizes_a_named_sample_then_shared_out_is_the_whole_sample(text: str, kind: str) -> None:
    assert find_sizes(text)[0].kind == kind


def test_nlp_sizes_offsets_slice_the_text_given() -> None:
    text = "Ninety patients were randomised: drug A (n\u2009=\u200946) or placebo (n = 44)."
    found = {m.n: m for m in find_sizes(text)}
    assert text[found[46].number[0] : found[46].number[1]] == "46"
    assert text[found[46].start : found[46].end] == "drug A (n\u2009=\u200946"
    assert found[44].group == "placebo" and found[90].kind == "total"


def test_nlp_sizes_a_number_in_words_with_thousands_is_read_whole() -> None:
    (mention,) = find_sizes("Two thousand one hundred and five women were randomised.")
    assert (mention.n, mention.kind) == (2105, "total")


def test_nlp_sizes_a_flow_sentence_sizes_groups_outside_its_clause_of_losses() -> None:
    text = "Of 410 adults screened, 96 were excluded, and 314 were assigned to drug K (157 adults) or sham (157 adults)."
    found = {(m.n, m.kind, m.group) for m in find_sizes(text)}
    assert {(157, "group", "drug K"), (157, "group", "sham")} <= found
    assert not {n for n, _, _ in found} & {410, 96}


def test_nlp_sizes_a_dose_group_takes_the_drug_of_the_dose_group_before_it() -> None:
    text = "Adults took ramipril 5 mg (n = 61), 10 mg (n = 59) or placebo (n = 60). Later, 20 mg (n = 7) was tried."
    groups = {m.n: m.group for m in find_sizes(text)}
    assert groups == {61: "ramipril 5 mg", 59: "ramipril 10 mg", 60: "placebo", 7: "20 mg"}


@pytest.mark.parametrize("text", [
    "Thirty adults were randomized to take 50 mg drug K twice daily or 5 mg drug Q.",
    "Forty adults were assigned to drug K (2 tablets) or drug Q.",
])
def test_nlp_sizes_a_count_randomised_to_a_list_of_regimens_is_the_whole_sample(text: str) -> None:
    assert [(m.n, m.kind) for m in find_sizes(text)][0][1] == "total"


def test_nlp_sizes_a_condition_named_with_an_event_word_is_no_event() -> None:
    text = "Adults with renal failure (n = 33) and adults without it (n = 30) were given salt."
    assert {m.n: m.group for m in find_sizes(text)} == {33: "renal failure", 30: "adults without it"}
    assert find_sizes("Renal failure occurred in 12 patients given drug A.") == ()


@pytest.mark.parametrize(("text", "sizes"), [
    ("In all, 1994 adults were assigned to drug K and 2006 were assigned to placebo.", {1994: "drug K", 2006: "placebo"}),
    ("Arm 1 had 129 cases, arm A2 96 cases and arm B1 112 cases.", {96: "arm A2", 112: "arm B1"}),
])
def test_nlp_sizes_counts_that_look_like_years_or_follow_a_label(text: str, sizes: dict[int, str]) -> None:
    found = {m.n: m.group for m in find_sizes(text)}
    assert sizes.items() <= found.items() and 1112 not in found


def test_nlp_sizes_a_year_is_no_count() -> None:
    assert find_sizes("Adults were seen between 1994 and 2006 in three clinics.") == ()


def test_nlp_sizes_group_names_that_end_with_a_dose_or_are_labels() -> None:
    text = "Adults were randomized: 47 to drug K at 7.5 mg/day and 49 to placebo (K1, n = 47; K2, n = 49)."
    groups = {(m.n, m.group) for m in find_sizes(text)}
    assert {(47, "drug K at 7.5 mg/day"), (49, "placebo")} <= groups
    assert find_sizes("The dose was raised for 12 weeks (n = 30) and 24 weeks (n = 28).") == ()


def test_nlp_sizes_a_word_of_results_hides_only_the_counts_near_it() -> None:
    far = "The dose-response curve of insulin to glucose clamps of rising strength was examined in 12 healthy and 6 diabetic subjects."
    assert {m.n: m.group for m in find_sizes(far)} == {12: "healthy", 6: "diabetic"}
    assert find_sizes("In the trial, 12 healthy and 6 diabetic subjects responded.") == ()
    assert find_sizes("Response was seen in 14 in group A.") == ()  # a count in a group, in a sentence of results
    assert find_sizes("No rash was observed in 15 women in the lotion group.") == ()


def test_nlp_sizes_a_make_up_by_sex_is_no_size_and_a_label_ends_a_sentence() -> None:
    text = "Those who relapsed formed group B. Group A comprised 57 adults, and group B 21 adults. " \
           "Group B included 13 women and 8 men."
    assert {(m.n, m.kind, m.group) for m in find_sizes(text)} == {(57, "group", "Group A"), (21, "group", "group B")}


def test_nlp_sizes_a_number_in_a_drug_name_is_no_count() -> None:
    assert find_sizes("All took etoposide, plus VP-16 in group B and VP-16 and methotrexate in group C.") == ()


def test_nlp_sizes_more_allocation_phrasings() -> None:
    found = {(m.n, m.kind, m.group) for m in find_sizes(
        "We compared 300 patients given drug K with 280 controls. 1994 adults were assigned drug K and 2006 "
        "were assigned placebo. Fifty adults were assessed for pain (K1, n = 26; K2, n = 24).")}
    assert {(300, "group", "drug K"), (280, "group", "controls"), (2006, "group", "placebo"),
            (26, "analysed", "K1"), (24, "analysed", "K2")} <= found


@pytest.mark.parametrize(("text", "sizes"), [
    ("Adults took drug K 10 mg once daily (n = 40) or placebo twice daily (n = 41).",
     {40: "drug K 10 mg", 41: "placebo"}),
    ("Girls were given drug Z 5 mg per day (n = 12) or drug Y b.i.d. (n = 13).", {12: "drug Z 5 mg", 13: "drug Y"}),
])
def test_nlp_sizes_a_schedule_ending_a_name_is_dropped_from_it(text: str, sizes: dict[int, str]) -> None:
    assert {m.n: m.group for m in find_sizes(text) if m.kind == "group"} == sizes


@pytest.mark.parametrize("text", [
    "Ninety adults were randomized to 8 weeks of 5 mg drug A once daily (n = 45) or drug B twice daily (n = 45).",
    "Fifty women with acne were assigned to receive either drug F, 20 to 40 mg/day (n = 25), or placebo (n = 25).",
])
def test_nlp_sizes_a_count_before_a_list_of_groups_is_the_whole_sample(text: str) -> None:
    assert [(m.n, m.kind) for m in find_sizes(text) if m.n in (90, 50)] == [(90 if "Ninety" in text else 50, "total")]


def test_nlp_sizes_a_regimen_of_several_drugs_is_not_named_by_its_first() -> None:
    assert find_sizes("Eighty adults with lymphoma received drug C, drug D, drug E, and drug F for six cycles.") == ()
    found = find_sizes("Forty adults received drug A, 38 received drug B and 39 received drug C.")
    assert [(m.n, m.group) for m in found] == [(40, "drug A"), (38, "drug B"), (39, "drug C")]
    controls = find_sizes("We matched 200 cases with 200 controls, nested within the large 'Food, Sleep and Work' cohort.")
    assert [(m.n, m.group) for m in controls if m.group == "controls"] == [(200, "controls")]


def test_nlp_sizes_a_number_in_words_that_opens_or_closes_a_range_is_no_count() -> None:
    assert find_sizes("Pain fell in 5 of seven to ten-year-old boys who took drug A.") == ()
    found = find_sizes("Two or three adults in each arm were given drug A, and eight adults received drug B.")
    assert [(m.n, m.group) for m in found] == [(8, "drug B")]


def test_nlp_sizes_groups_of_one_list_named_alike_before_a_stop_word_get_their_whole_names() -> None:
    found = find_sizes("Adults took a low dose of drug A (n = 30) or a high dose of drug A (n = 31).")
    assert [(m.n, m.group) for m in found] == [(30, "low dose of drug A"), (31, "high dose of drug A")]
    alone = find_sizes("Adults took a low dose of drug A (n = 30) or placebo (n = 31).")
    assert [(m.n, m.group) for m in alone] == [(30, "drug A"), (31, "placebo")]


def test_nlp_sizes_a_group_followed_by_another_sized_group_is_no_list_of_names() -> None:
    found = find_sizes("Rash (10 patients in the drug K group versus 21 in the placebo group) was rarer.")
    assert all(m.kind != "total" for m in found)  # a whole sample of 10 would cap both arms' sizes


def test_nlp_sizes_a_dose_in_micrograms_ends_a_name_and_a_ratio_speaks_of_all_groups() -> None:
    dosed = find_sizes("Infants got drug B 25 micrograms/kg on 2 consecutive days (n = 29) or placebo (n = 30).")
    assert [(m.n, m.group) for m in dosed] == [(29, "drug B 25 micrograms/kg"), (30, "placebo")]
    ratio = find_sizes("In total, 160 adults were randomized 1:1 to receive six cycles of drug R plus drug B.")
    assert [(m.n, m.kind) for m in ratio] == [(160, "total")]


def test_nlp_sizes_one_count_given_to_each_of_two_groups_sizes_both() -> None:
    found = find_sizes("Of the 320 eligible, 107 were randomized to receive placebo and 108 each to drug A and to drug B.")
    assert [(m.n, m.group) for m in found] == [(107, "placebo"), (108, "drug A"), (108, "drug B")]


def test_nlp_sizes_event_words_that_describe_people_leave_their_sizes_readable() -> None:
    found = find_sizes("Every month, 80 patients on drug A and 150 patients without drug A were asked about infections.")
    assert [(m.n, m.group) for m in found] == [(80, "drug A"), (150, "without drug A")]
    assert find_sizes("Infections developed in 80 patients on drug A and 150 patients without drug A.") == ()
