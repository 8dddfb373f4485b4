"""Tables written to cover each structure the table reader infers."""

from __future__ import annotations

import pytest

from extractor.evidence import tables as tbl
from extractor.evidence.model import Arm, Evidence, Result
from extractor.evidence.reader import TrialReader
from extractor.records import Record, Table

ARMS = (Arm("Drug X", n_randomised=40), Arm("Placebo", n_randomised=40, role="control"))
EV = Evidence("abstract", "x", 0, 1)


def table(header, body, caption="Outcomes at week 12", footnotes=()) -> Table:
    return Table(id="T1", label="Table 2", caption=caption, header=tuple(map(tuple, header)),
                 body=tuple(map(tuple, body)), footnotes=tuple(footnotes))


def results(t: Table) -> list[Result]:
    record = Record(source_format="pmc", pmcid="PMC1", tables=(t,))
    found = TrialReader(record).results_with(ARMS)
    for result in found:
        for value in result.values:
            for ev in value.evidence:
                _, t_i, part, r, c = ev.section.split("/")
                grid = getattr(record.tables[int(t_i)], part)
                assert grid[int(r)][int(c)][ev.start : ev.end] == ev.text
    return found


def values(result: Result) -> dict[str, tuple]:
    return {v.arm: (v.events, v.total or v.n, v.percent, v.mean, v.sd) for v in result.values}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Mean ± SD", "mean_sd"), ("mean (SD)", "mean_sd"), ("n (%)", "n_pct"),
        ("No. (%)", "n_pct"), ("Median (IQR)", "median_iqr"), ("SD", "sd"), ("SEM", "se"),
        ("Data are presented as number (percentage)", "n_pct"), ("Age, years", None),
    ],
)
def test_tables_stat_hint(text: str, expected: str | None) -> None:
    assert tbl.stat_hint(text) == expected


def test_tables_count_percent_with_group_size_in_header() -> None:
    t = table([["Outcome", "Drug X (n = 40)", "Placebo (n = 40)", "P value"]],
              [["Remission, n (%)", "12 (30.0)", "5 (12.5)", "0.04"]])
    (result,) = results(t)
    assert values(result) == {"Drug X": (12, 40, 30.0, None, None), "Placebo": (5, 40, 12.5, None, None)}
    assert (result.p_value, result.outcome) == (0.04, "Remission, n (%)")


def test_tables_mean_sd_and_group_rows() -> None:
    t = table([["", "Drug X", "Placebo"]],
              [["Pain (VAS)", "Pain (VAS)", "Pain (VAS)"],
               ["Baseline", "7.1 ± 1.6", "7.5 ± 1.7"],
               ["Week 12", "3.7 ± 1.4", "4.6 ± 2.1"]])
    baseline, week12 = results(t)
    assert baseline.outcome == "Pain (VAS) Baseline" and baseline.is_baseline
    assert week12.timepoint == "week 12" and not week12.is_baseline
    assert values(week12)["Drug X"][3:] == (3.7, 1.4)


def test_tables_mean_and_sd_columns_under_a_lost_span() -> None:
    t = table([["", "Drug X", "Placebo", "", ""], ["", "Mean", "SD", "Mean", "SD"]],
              [["Age (years)", "60.9", "6.2", "62.3", "6.1"]])
    (result,) = results(t)
    assert values(result) == {"Drug X": (None, None, None, 60.9, 6.2), "Placebo": (None, None, None, 62.3, 6.1)}


def test_tables_footnote_marks_say_what_numbers_are() -> None:
    t = table([["", "Drug X (n = 27)", "Placebo (n = 26)"]],
              [["Scoreᵃ", "99.4 (12.2)", "101.7 (8.2)"], ["Score <85ᵇ", "1 (3.7)", "0 (0.0)"]],
              footnotes=["ᵃData are mean (standard deviation)", "ᵇData are number (percentage)"])
    score, low = results(t)
    assert values(score)["Drug X"] == (None, 27, None, 99.4, 12.2)
    assert values(low)["Drug X"] == (1, 27, 3.7, None, None)


def test_tables_sub_section_group_sizes() -> None:
    t = table([["", "Drug X (n = 40)", "Placebo (n = 40)"]],
              [["Maternal outcome", "", ""], ["Anaemia, n (%)", "4 (10.0)", "8 (20.0)"],
               ["Neonatal outcome", "n = 38", "n = 39"], ["Jaundice, n (%)", "19 (50.0)", "13 (33.3)"]])
    anaemia, jaundice = results(t)
    assert values(anaemia)["Drug X"][:2] == (4, 40)
    assert values(jaundice)["Drug X"][:2] == (19, 38)


def test_tables_arms_as_rows() -> None:
    t = table([["", "n", "Change in score | Mean", "SD"]],
              [["Intention-to-treat", "", "", ""], ["Drug X", "44", "35.2", "21.7"], ["Placebo", "44", "9.9", "14.5"]],
              caption="Change in score at week 12")
    (result,) = results(t)
    assert values(result) == {"Drug X": (None, 44, None, 35.2, 21.7), "Placebo": (None, 44, None, 9.9, 14.5)}
    assert result.subgroup == "Intention-to-treat"


def test_tables_baseline_tables_are_marked() -> None:
    t = table([["", "Drug X", "Placebo"]], [["Age", "50 ± 9", "51 ± 8"]], caption="Baseline characteristics")
    (result,) = results(t)
    assert result.is_baseline


def test_tables_skip_tables_without_values() -> None:
    assert tbl.view_table(table([["a", "b"]], [["x", "y"]]), 0) is None


def test_tables_evidence_rows_line_up_with_empty_rows_and_no_header() -> None:
    # no thead, an empty first row: evidence must still name the record's own row numbers
    t = Table(id="T1", label="Table 1", caption="Outcomes", header=(),
              body=(("", "", ""), ("", "Drug X", "Placebo"), ("Pain", "3.2 \u00b1 1.1", "4.5 \u00b1 1.3")))
    (result,) = results(t)
    sections = {ev.section for v in result.values for ev in v.evidence}
    assert sections == {"tables/0/body/2/1", "tables/0/body/2/2"}


def test_tables_size_rows_head_blocks_and_groups_nest() -> None:
    t = table([["", "Spine | Drug X | Mean (SD)", "Spine | Placebo | Mean (SD)"],
               ["Sagittal", "n = 18", "n = 21"]],
              [["CNR", "", ""], ["Fluid", "18.1 (11.6)", "9.3 (5.5)"],
               ["Axial", "n = 19", "n = 22"], ["CNR", "", ""], ["Fluid", "10.3 (11.5)", "8.9 (5.1)"]])
    sagittal, axial = results(t)
    assert (sagittal.outcome, values(sagittal)["Drug X"]) == ("Sagittal CNR Fluid", (None, 18, None, 18.1, 11.6))
    assert (axial.outcome, values(axial)["Placebo"]) == ("Axial CNR Fluid", (None, 22, None, 8.9, 5.1))


def test_tables_columns_holding_both_arms() -> None:
    t = table([["Variables", "Mean±SD at week 12; Drug X (placebo)", "p-value"]],
              [["Pain score", "3.2±1.1 (4.5±1.3)", "<0.001"]])
    (result,) = results(t)
    assert values(result) == {"Drug X": (None, None, None, 3.2, 1.1), "Placebo": (None, None, None, 4.5, 1.3)}
    texts = sorted(ev.text for v in result.values for ev in v.evidence)
    assert texts == ["3.2±1.1", "4.5±1.3"]


def test_tables_pre_post_columns_and_p_values_under_each_arm() -> None:
    t = table([["Variable", "Drug X (n=40)", "Drug X (n=40)", "Drug X (n=40)", "Placebo (n=40)", "Placebo (n=40)",
                "Placebo (n=40)"],
               ["Variable", "Pre: Mean (SD)", "Post: Mean (SD)", "P-value", "Pre: Mean (SD)", "Post: Mean (SD)",
                "P-value"]],
              [["Pain score", "7.1 (1.6)", "3.7 (1.4)", "<0.001", "7.5 (1.7)", "4.6 (2.1)", "0.02"]])
    found = results(t)
    by_time = {(r.subgroup, r.timepoint): values(r) for r in found}
    assert by_time == {(None, "Pre"): {"Drug X": (None, 40, None, 7.1, 1.6), "Placebo": (None, 40, None, 7.5, 1.7)},
                       (None, "Post"): {"Drug X": (None, 40, None, 3.7, 1.4), "Placebo": (None, 40, None, 4.6, 2.1)}}
    assert [r.is_baseline for r in found] == [True, False]


def test_tables_effect_columns_are_not_arms() -> None:
    t = table([["Outcome", "Drug X (n = 40)", "Placebo (n = 40)", "Mean difference", "Effect size"]],
              [["Pain score", "3.2 ± 1.1", "4.5 ± 1.3", "-1.3", "1.07"]])
    (result,) = results(t)
    assert values(result) == {"Drug X": (None, 40, None, 3.2, 1.1), "Placebo": (None, 40, None, 4.5, 1.3)}


def test_tables_plus_minus_cells_are_means_under_a_median_note() -> None:
    t = table([["Outcome", "Drug X (n = 40)", "Placebo (n = 40)"]],
              [["Probing depth (mm)", "2.2 ± 0.3", "2.5 ± 0.6"], ["Bleeding sites", "4 (2–7)", "6 (3–9)"]],
              footnotes=["Values are mean ± SD or median (interquartile range)"])
    found = {r.outcome: values(r) for r in results(t)}
    assert found["Probing depth (mm)"] == {"Drug X": (None, 40, None, 2.2, 0.3),
                                           "Placebo": (None, 40, None, 2.5, 0.6)}


def test_tables_means_in_percent_under_a_mean_header() -> None:
    t = table([["Outcome", "Drug X (n = 40) | Mean ± SD", "Placebo (n = 40) | Mean ± SD"]],
              [["Body fat", "35.2% ± 4.1", "38.0% ± 4.4"]])
    (result,) = results(t)
    assert values(result) == {"Drug X": (None, 40, None, 35.2, 4.1), "Placebo": (None, 40, None, 38.0, 4.4)}


def test_tables_body_rows_that_start_new_headers_make_blocks() -> None:
    t = table([["CGI-S", "n", "Adjusted mean change (SE)", "Difference", "95% CI", "p"]],
              [["Drug X", "40", "−1.88 (0.12)", "0.18", "−0.11 to 0.46", "0.224"],
               ["Placebo", "40", "−1.71 (0.12)", "—", "—", "—"],
               ["CGI-I response", "Proportion responders", "%", "Odds ratio", "95% CI", "p"],
               ["Drug X", "30/39", "76.9", "0.465", "0.249 to 0.871", "0.017"],
               ["Placebo", "24/40", "60.0", "—", "—", "—"]])
    assert [v.row_index for v in tbl.view_blocks(t, 0)] == [[0, 1, 2], [3, 4, 5]]
    change, response = results(t)
    assert change.outcome.startswith("CGI-S") and values(change)["Drug X"][3] == -1.88
    assert response.outcome.startswith("CGI-I response")
    assert values(response) == {"Drug X": (30, 39, None, None, None), "Placebo": (24, 40, None, None, None)}
    assert [ev.section for v in response.values for ev in v.evidence] == ["tables/0/body/3/1", "tables/0/body/4/1"]


def test_tables_arms_in_rows_with_an_outcome_per_column() -> None:
    t = table([["Group", "n", "Very much improved (%)", "Much improved (%)", "p"]],
              [["Drug X", "40", "30.0", "45.0", "0.09"], ["Placebo", "40", "20.0", "35.0", ""]])
    found = {r.outcome: values(r) for r in results(t)}
    assert found == {"Very much improved (%)": {"Drug X": (None, 40, 30.0, None, None),
                                                 "Placebo": (None, 40, 20.0, None, None)},
                     "Much improved (%)": {"Drug X": (None, 40, 45.0, None, None),
                                           "Placebo": (None, 40, 35.0, None, None)}}


def test_tables_arms_in_rows_with_count_and_percent_columns_per_time() -> None:
    t = table([["", "Baseline", "Baseline", "6 months", "6 months"], ["", "n", "(%)", "n", "(%)"]],
              [["Sedatives", "", "", "", ""], ["Drug X (n = 40)", "10", "(25)", "6", "(15)"],
               ["Placebo (n = 40)", "12", "(30)", "11", "(28)"]],
              caption="Patients with prescriptions at baseline and follow up")
    found = {r.outcome: (r.timepoint, r.is_baseline, values(r)) for r in results(t)}
    assert found["Sedatives 6 months"] == ("month 6", False, {"Drug X": (6, None, 15.0, None, None),
                                                              "Placebo": (11, None, 28.0, None, None)})
    assert found["Sedatives Baseline"][1] is True


def test_tables_an_abbreviation_glued_to_its_subscale_is_read_apart() -> None:
    t = table([["Outcome", "Drug X (n = 40)", "Placebo (n = 40)"]],
              [["SPADItotal", "44.3 ± 2.8", "36.4 ± 20.5"]])
    (result,) = results(t)
    assert result.outcome == "SPADI total"


def test_tables_cells_giving_their_own_n() -> None:
    t = table([["Outcome", "Drug X | Mean (SE); (n)", "Placebo | Mean (SE); (n)"]],
              [["Stroop test", "0.897 (0.507); (21)", "0.412 (0.300); (19)"]])
    (result,) = results(t)
    assert {v.arm: (v.mean, v.se, v.n) for v in result.values} == {"Drug X": (0.897, 0.507, 21),
                                                                    "Placebo": (0.412, 0.3, 19)}


def test_tables_a_blank_first_label_continues_the_outcome_above() -> None:
    t = table([["Outcome", "Time", "Drug X (n = 40)", "Placebo (n = 40)"]],
              [["Magnesium (mmol/L)", "Before surgery", "1.9 ± 0.3", "1.9 ± 0.2"],
               ["", "Day 3", "2.9 ± 0.6", "1.7 ± 0.2"]])
    found = {(r.outcome, r.timepoint): values(r) for r in results(t)}
    assert found["Magnesium (mmol/L)", "day 3"]["Drug X"] == (None, 40, None, 2.9, 0.6)


def test_tables_counts_and_percent_without_a_group_size() -> None:
    t = table([["Adverse event", "Drug X | n (%)", "Placebo | n (%)"]], [["Nausea", "12 (30.0)", "5 (12.5)"]])
    (result,) = results(t)
    assert {v.arm: (v.events, v.percent) for v in result.values} == {"Drug X": (12, 30.0), "Placebo": (5, 12.5)}


def test_tables_arms_in_rows_under_time_groups_and_outcomes_headed_with_their_n() -> None:
    t = table([["Time point", "Fruit (n = 803) | Mean (SE)", "Fruit (n = 803) | Mean change (95% CI)"]],
              [["Baseline", "", ""], ["Drug X", "1.94 (0.06)", "NA"], ["Placebo", "1.81 (0.06)", "NA"],
               ["4-month follow-up", "", ""], ["Drug X", "2.14 (0.08)", "0.20 (0.05, 0.34)"],
               ["Placebo", "2.00 (0.08)", "0.19 (0.04, 0.33)"]], caption="Means at baseline and follow-up")
    record = Record(source_format="pmc", pmcid="PMC1", tables=(t,))
    arms = (Arm("Drug X", n_randomised=40, evidence=(EV,)), Arm("Placebo", n_randomised=40, role="control",
                                                                   evidence=(EV,)),
            Arm("Fruit", n_randomised=803))
    found = {(r.outcome, r.timepoint): values(r) for r in TrialReader(record).results_with(arms)}
    assert found[("Time point 4-month follow-up Fruit (n = 803)", "month 4")] == {"Drug X": (None, 803, None, 2.14, None),
                                                            "Placebo": (None, 803, None, 2.0, None)}


THREE = (Arm("Group A", n_randomised=30), Arm("Group B", n_randomised=30),
         Arm("Control", n_randomised=30, role="control"))


def three_arm_results(t: Table) -> list[Result]:
    return TrialReader(Record(source_format="pmc", pmcid="PMC1", tables=(t,))).results_with(THREE)


@pytest.mark.parametrize("cell,clean", [
    ("12.3ᵃ,ᵇ,ᶜ", "12.3"), ("4.1 *†", "4.1"), ("0.27 ²", "0.27"), ("Fatigue score¹", "Fatigue score"),
    ("BMI (kg/m²)", "BMI (kg/m²)"), ("Area, m²", "Area, m²"),
])
def test_tables_clean_takes_a_run_of_footnote_marks(cell: str, clean: str) -> None:
    assert tbl.clean(cell) == clean


def test_tables_values_with_runs_of_marks_are_read() -> None:
    t = table([["Outcome", "Drug X (n = 40)", "Placebo (n = 40)"]],
              [["Walking speed, mean ± SD", "1.4 ± 0.2ᵃ,ᵇ", "1.1 ± 0.3ᶜ"]])
    (result,) = results(t)
    assert values(result) == {"Drug X": (None, 40, None, 1.4, 0.2), "Placebo": (None, 40, None, 1.1, 0.3)}


def test_tables_statistic_stub_takes_its_group_and_the_groups_p_value() -> None:
    t = table([["Variable", "Drug X (n = 40)", "Placebo (n = 40)", "p"]],
              [["Serum sodium (mmol/l)", "Serum sodium (mmol/l)", "Serum sodium (mmol/l)", "0.31"],
               ["Mean ± SD", "139 ± 3", "138 ± 4", ""],
               ["Range", "131–146", "129–147", ""]])
    (result,) = results(t)
    assert result.outcome == "Serum sodium (mmol/l)"
    assert result.p_value == 0.31 and values(result)["Drug X"] == (None, 40, None, 139, 3)


def test_tables_a_statistic_word_in_an_outcome_stays() -> None:
    t = table([["", "Drug X (n = 40)", "Placebo (n = 40)"]], [["Mean number of visits", "3.1 ± 1.2", "3.4 ± 1.0"]])
    assert [r.outcome for r in results(t)] == ["Mean number of visits"]


def test_tables_numbered_levels_are_named_by_the_caption() -> None:
    t = table([["Grade", "Drug X, n (%)", "Placebo, n (%)"]],
              [["1", "10 (25.0)", "4 (10.0)"], ["2", "6 (15.0)", "9 (22.5)"]],
              caption="Distribution of nausea severity at 48 hours after the first dose.")
    found = results(t)
    assert [r.outcome for r in found] == ["nausea severity Grade 1", "nausea severity Grade 2"]
    assert (found[0].values[0].events, found[0].values[0].percent) == (10, 25.0)


def test_tables_subgroup_rows_are_subgroups_not_outcomes_or_times() -> None:
    t = table([["", "Drug X", "Placebo", "p"]],
              [["Age ≤65 years", "Age ≤65 years", "Age ≤65 years", "Age ≤65 years"],
               ["Men", "12.1 ± 2.0", "10.2 ± 2.2", "0.02"],
               ["Women", "11.5 ± 1.9", "11.0 ± 2.1", "0.40"]],
              caption="Results of subgroup analysis for grip strength (kg)")
    found = results(t)
    assert [(r.outcome, r.subgroup, r.timepoint) for r in found] == [
        ("subgroup analysis for grip strength (kg)", "Age ≤65 years, Men", None),
        ("subgroup analysis for grip strength (kg)", "Age ≤65 years, Women", None)]


def test_tables_time_stubs_and_time_marks_are_time_points() -> None:
    t = table([["", "", "Drug X (n = 40)", "Placebo (n = 40)"]],
              [["Troponin (ng/ml)", "6 h", "1.2 ± 0.3", "1.5 ± 0.4"],
               ["", "2*", "0.8 ± 0.2", "1.1 ± 0.3"]],
              footnotes=["*Days after surgery; ** Significant"])
    found = results(t)
    assert [(r.outcome, r.timepoint) for r in found] == [("Troponin (ng/ml)", "hour 6"), ("Troponin (ng/ml)", "day 2")]


def test_tables_p_column_under_each_time_belongs_to_that_time() -> None:
    t = table([["", "Week 4", "Week 4", "Week 4", "Week 8", "Week 8", "Week 8"],
               ["", "Drug X", "Placebo", "P", "Drug X", "Placebo", "P"]],
              [["Score", "4.0 ± 1.0", "5.0 ± 1.0", "0.03", "3.0 ± 1.0", "5.5 ± 1.2", "0.001"]])
    assert sorted((r.subgroup, r.timepoint, r.p_value) for r in results(t)) == [(None, "week 4", 0.03),
                                                                               (None, "week 8", 0.001)]


def test_tables_a_p_beside_each_arm_belongs_to_no_comparison() -> None:
    t = table([["", "Drug X", "", "Placebo", ""], ["Scores", "Mean (SD) change", "P", "Mean (SD) change", "P"]],
              [["Fatigue", "-4.1 (13.0)", "0.08", "2.3 (14.0)", "0.36"]])
    (result,) = results(t)
    assert result.p_value is None and values(result)["Drug X"] == (None, None, None, -4.1, 13.0)


def test_tables_change_from_baseline_rows_are_results() -> None:
    t = table([["", "Drug X (n = 40)", "Placebo (n = 40)"]],
              [["Change from baseline in weight (kg)", "-2.1 ± 1.0", "-0.4 ± 1.1"],
               ["Weight at baseline (kg)", "88 ± 9", "87 ± 10"]])
    assert [r.is_baseline for r in results(t)] == [False, True]


def test_tables_three_arm_p_belongs_to_the_pair_its_note_names() -> None:
    t = table([["", "Group A (n = 30)", "Group B (n = 30)", "Control (n = 30)", "P value"]],
              [["Delirium", "3 (10.0)", "9 (30.0)", "10 (33.3)", "0.03*"],
               ["Nausea", "4 (13.3)", "5 (16.7)", "6 (20.0)", "0.04"]],
              footnotes=["* Group A versus Group B."])
    delirium, nausea = three_arm_results(t)
    assert delirium.p_pair == ("Group A", "Group B") and delirium.p_value == 0.03
    assert nausea.p_value is None  # a p of three arms whose pair no note names


def test_compare_p_value_only_on_its_pair() -> None:
    from extractor.evidence.compare import comparisons

    t = table([["", "Group A (n = 30)", "Group B (n = 30)", "Control (n = 30)", "P value"]],
              [["Delirium", "3 (10.0)", "9 (30.0)", "10 (33.3)", "0.03*"]], footnotes=["* Group A versus Group B."])
    rows = comparisons(three_arm_results(t), THREE, (None, "PMC1"), (), {})
    assert {(c.intervention, c.comparator, c.p_value) for c in rows} == {
        ("Group A", "Control", None), ("Group B", "Control", None), ("Group A", "Group B", 0.03)}


def test_tables_corner_names_the_first_group_of_rows() -> None:
    t = table([["Function scores", "Drug X (n = 40)", "Placebo (n = 40)"]],
              [["Physical", "65 (13)", "66 (11)"], ["Symptom scores", "", ""], ["Pain", "40 (16)", "47 (21)"]],
              caption="Quality of life scores, mean (SD)")
    assert [r.outcome for r in results(t)] == ["Function scores Physical", "Symptom scores Pain"]


def test_tables_means_under_an_n_percent_sub_header_are_read_by_their_row() -> None:
    t = table([["", "Drug X (n = 40)", "Drug X (n = 40)", "Placebo (n = 40)", "Placebo (n = 40)"],
               ["", "N", "%", "N", "%"]],
              [["Female", "20", "50.0", "18", "45.0"], ["Age, mean (SD)", "45.2 (3.1)", "", "44.0 (2.9)", ""]])
    female, age = results(t)
    assert (female.outcome, female.subgroup) == ("Female", None)
    assert values(female)["Drug X"] == (20, 40, 50.0, None, None)
    assert values(age) == {"Drug X": (None, 40, None, 45.2, 3.1), "Placebo": (None, 40, None, 44.0, 2.9)}


def test_tables_sd_or_ci_in_the_caption_reads_each_cell_by_its_shape() -> None:
    t = table([["", "Drug X (n = 40)", "Placebo (n = 40)"]],
              [["Pain", "3.1 (1.2)", "4.0 (1.1)"], ["Weight change (kg)", "-1.2 (-2.0 to -0.4)", "0.1 (-0.5 to 0.7)"]],
              caption="Outcomes at week 12, mean (SD or 95% CI)")
    pain, weight = results(t)
    assert [(v.mean, v.sd, v.dispersion) for v in pain.values] == [(3.1, 1.2, "sd"), (4.0, 1.1, "sd")]
    assert [(v.mean, v.low, v.high, v.dispersion) for v in weight.values] == [
        (-1.2, -2.0, -0.4, "ci"), (0.1, -0.5, 0.7, "ci")]


def test_tables_before_after_columns_are_the_times_of_a_before_after_design() -> None:
    t = table([["Variable", "Before treatment (n = 30)", "After treatment (n = 30)", "P"]],
              [["HbA1c (%)", "8.1 ± 1.0", "7.2 ± 0.9", "0.01"]])
    arms = (Arm("post-intervention"), Arm("pre-intervention"))
    (result,) = TrialReader(Record(source_format="pmc", pmcid="PMC1", tables=(t,))).results_with(arms)
    assert values(result) == {"pre-intervention": (None, 30, None, 8.1, 1.0),
                              "post-intervention": (None, 30, None, 7.2, 0.9)}
    assert (result.outcome, result.p_value, result.is_baseline) == ("HbA1c (%)", 0.01, False)


def test_tables_before_after_columns_are_not_arms_of_a_parallel_trial() -> None:
    t = table([["", "Drug X", "Drug X", "Placebo", "Placebo"], ["", "Before", "After", "Before", "After"]],
              [["Pain", "6.1 ± 1.0", "3.1 ± 1.2", "6.0 ± 1.1", "4.0 ± 1.1"]])
    assert [(r.timepoint, r.is_baseline) for r in results(t)] == [("Before", True), ("After", False)]


def test_compare_p_value_of_one_arm_against_the_others() -> None:
    from extractor.evidence.compare import comparisons

    t = table([["", "Group A (n = 30)", "Group B (n = 30)", "Control (n = 30)", "P value"]],
              [["Delirium", "3 (10.0)", "9 (30.0)", "10 (33.3)", "0.03*"]],
              footnotes=["* Difference between Group A and other groups."])
    rows = comparisons(three_arm_results(t), THREE, (None, "PMC1"), (), {})
    assert {(c.intervention, c.comparator, c.p_value) for c in rows} == {
        ("Group A", "Control", 0.03), ("Group B", "Control", None), ("Group A", "Group B", 0.03)}


def test_compare_two_arms_beside_a_control_are_compared_too() -> None:
    # a p-value no note assigns to a pair belongs to none of them
    from extractor.evidence.compare import comparisons

    t = table([["", "Group A (n = 30)", "Group B (n = 30)", "Control (n = 30)", "P value"]],
              [["Delirium", "3 (10.0)", "9 (30.0)", "10 (33.3)", "0.03"]])
    rows = comparisons(three_arm_results(t), THREE, (None, "PMC1"), (), {})
    assert {(c.intervention, c.comparator, c.intervention_events, c.comparator_events, c.p_value) for c in rows} == {
        ("Group A", "Control", 3, 10, None), ("Group B", "Control", 9, 10, None), ("Group A", "Group B", 3, 9, None)}


def test_tables_rows_of_a_group_do_not_take_its_overall_p_value() -> None:
    t = table([["", "Drug X (n = 40)", "Placebo (n = 40)", "p"]],
              [["Pain", "", "", "0.01"], ["Week 4", "4.0 ± 1.0", "5.0 ± 1.0", ""],
               ["Week 8", "3.0 ± 1.0", "5.5 ± 1.2", ""]])
    assert [(r.outcome, r.timepoint, r.p_value) for r in results(t)] == [
        ("Pain", "week 4", None), ("Pain", "week 8", None)]


@pytest.mark.parametrize("caption,timepoint", [
    ("Nausea at 48 hours after the first dose", "hour 48"), ("Scores at 4 and at 12 weeks", None),
    ("Scores at baseline and 12 weeks", None), ("Adverse events", None),
])
def test_tables_the_captions_one_time_is_the_rows_time_point(caption: str, timepoint: str | None) -> None:
    t = table([["", "Drug X (n = 40)", "Placebo (n = 40)"]], [["Score", "4.0 ± 1.0", "5.0 ± 1.0"]], caption=caption)
    assert [r.timepoint for r in results(t)] == [timepoint]


def test_tables_a_group_its_own_test_covers_ends_at_a_row_with_its_own_test() -> None:
    t = table([["", "Drug X (n = 40)", "Placebo (n = 40)", "P value"]],
              [["At entry", "", "", ""], ["Sex, n (%)", "", "", "0.70"], ["Male", "21 (52.5)", "19 (47.5)", ""],
               ["Female", "19 (47.5)", "21 (52.5)", ""], ["Weight (kg)", "80 ± 9", "82 ± 8", "0.41"]],
              caption="Clinical values")
    assert [r.outcome for r in results(t)] == ["At entry Sex, n (%) Male", "At entry Sex, n (%) Female",
                                                "At entry Weight (kg)"]


@pytest.mark.parametrize(
    "part,change",
    [("Mean (SD) score changes", "change"), ("Change from baseline, mean ± SD", "Change from baseline"),
     ("Mean change (SE)", "change"), ("Mean (SD)", ""), ("Change in women", ""), ("Week 12 change", "")],
)
def test_tables_change_heading(part: str, change: str) -> None:
    assert tbl.change_heading(part) == change


def test_tables_a_heading_of_changes_names_the_outcomes_change_not_a_subgroup() -> None:
    t = table([["", "Drug X", "Placebo"], ["Scale", "Mean (SD) score changes", "Mean (SD) score changes"]],
              [["Fatigue", "-4.1 (13.0)", "2.3 (14.0)"], ["Change in sleep", "-1.0 (2.0)", "0.5 (2.1)"]])
    assert [(r.outcome, r.subgroup) for r in results(t)] == [("Fatigue, change", None), ("Change in sleep", None)]


def test_tables_a_decimal_point_set_apart_is_one_number() -> None:
    t = table([["", "Drug X (n = 40)", "Placebo (n = 40)"]], [["Grip strength (kg), mean (SD)", "31. 4 (6.0)", "28. 9(5.5)"]])
    (result,) = results(t)
    assert values(result) == {"Drug X": (None, 40, None, 31.4, 6.0), "Placebo": (None, 40, None, 28.9, 5.5)}


def test_tables_a_stub_broken_after_a_linking_word_is_ended_by_the_row_below() -> None:
    t = table([["", "Drug X", "Placebo"]],
              [["Number of patients with", "12 / 40", "5 / 40"], ["a rash at week 4 (n / all)", "", ""],
               ["Headache", "3 / 40", "4 / 40"]])
    found = results(t)
    assert [r.outcome for r in found] == ["Number of patients with a rash at week 4 (n / all)", "Headache"]
    assert found[0].subgroup is None and values(found[0])["Drug X"][:2] == (12, 40)


def test_tables_a_bare_zero_beside_counts_is_no_events() -> None:
    t = table([["", "Drug X (n = 40)", "Placebo (n = 40)"]],
              [["Rash", "0", "6 (15.0%)"], ["Age (years)", "0", "61.2 ± 3.0"], ["Falls", "0", "0"]])
    (result,) = results(t)
    assert result.outcome == "Rash" and values(result) == {"Drug X": (0, 40, None, None, None),
                                                          "Placebo": (6, 40, 15.0, None, None)}


def test_tables_a_stub_of_a_statistic_and_a_generic_measure_is_a_measure_of_the_row_above() -> None:
    t = table([["", "Drug X (n = 40)", "Placebo (n = 40)"]],
              [["Errors in the card test", "2.1 ± 1.0", "2.9 ± 1.2"], ["Mean time ± SD (s)", "41 ± 9", "48 ± 10"],
               ["Mean number of falls", "1.2 ± 0.4", "1.9 ± 0.6"], ["Mean ± SD", "3 ± 1", "4 ± 1"]])
    assert [r.outcome for r in results(t)][:3] == ["Errors in the card test", "Errors in the card test time (s)",
                                                   "Mean number of falls"]


def test_tables_a_column_heading_saying_when_is_a_time_point_not_a_subgroup() -> None:
    t = table([["", "After induction", "After induction", "End of surgery", "End of surgery"],
               ["", "Drug X", "Placebo", "Drug X", "Placebo"]],
              [["Heart rate", "72 ± 8", "75 ± 9", "70 ± 7", "71 ± 8"]])
    assert [(r.outcome, r.subgroup, r.timepoint) for r in results(t)] == [
        ("Heart rate", None, "After induction"), ("Heart rate", None, "End of surgery")]


def test_tables_a_percent_change_of_a_score_is_a_mean_and_p_cells_may_say_p() -> None:
    t = table([["", "Drug X (n = 40)", "Placebo (n = 40)", "p value"]],
              [["Improvement on the symptom score", "62.5%", "41.0%", "p=0.002"],
               ["Patients with improvement", "62.5%", "40.0%", "p<0.05"]])
    change, patients = results(t)
    assert (change.kind, change.p_value) == ("continuous", 0.002)
    assert values(change)["Drug X"] == (None, 40, None, 62.5, None)
    assert (patients.kind, patients.p_value, patients.p_operator) == ("binary", 0.05, "<")


@pytest.mark.parametrize(("header", "row", "expected"), [
    # the estimate and its CI in one cell
    ([["", "Drug X (n = 40)", "Placebo (n = 40)", "Mean difference (95% CI)"]],
     ["Pain", "3.0 ± 1.0", "5.0 ± 1.2", "-2.0 (-2.5 to -1.5)"], ("MD", -2.0, -2.5, -1.5)),
    # the CI's limits in two columns under one heading; the difference written placebo minus drug
    ([["", "Drug X", "Placebo", "Difference", "95% CI", "95% CI"], ["", "Mean (SE)", "Mean (SE)", "Mean", "Low", "High"]],
     ["Pain", "3.0 (0.2)", "5.0 (0.2)", "2.0", "1.5", "2.5"], ("MD", 2.0, 1.5, 2.5)),
    # an abbreviated heading; the CI's columns, whose lower headings abbreviate too, are no estimates
    ([["", "Drug X", "Placebo", "Diff. vol.", "95% CI", "95% CI"], ["", "Mean (SE)", "Mean (SE)", "Mean", "Diff.",
                                                                      "Vol."]],
     ["Volume", "80.0 (3.0)", "70.0 (3.0)", "-10.0", "-18.0", "-2.0"], ("MD", -10.0, -18.0, -2.0)),
    # an odds ratio given back by the counts
    ([["", "Drug X (n = 40)", "Placebo (n = 40)", "OR (95% CI)"]],
     ["Nausea", "10 (25.0)", "20 (50.0)", "0.33 (0.13 to 0.86)"], ("OR", 0.33, 0.13, 0.86)),
    # an adjusted estimate the values do not give back: which arm it is of cannot be told
    ([["", "Drug X (n = 40)", "Placebo (n = 40)", "Adjusted difference"]],
     ["Pain", "3.0 ± 1.0", "5.0 ± 1.2", "-1.2 (-1.9 to -0.5)"], None),
])
def test_tables_an_estimate_column_gives_the_rows_effect(header, row, expected) -> None:
    (result,) = results(table(header, [row]))
    got = (result.effect_measure, result.effect, result.ci_low, result.ci_high) if result.effect is not None else None
    assert got == expected
