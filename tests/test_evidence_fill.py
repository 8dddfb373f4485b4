"""Filling sheet rows: arm names matched to the trial's, the outcome found, blanks when unsure."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from extractor.evidence import fill_sheet, read_trial
from extractor.evidence.fill import Filled, Query, fill
from extractor.records import AbstractSection, Record, Table

ABSTRACT = (
    ("METHODS", "Sixty children were randomised to white grape juice (WGJ) (n = 30) or flavoured water "
     "(WA) (n = 30)."),
    ("RESULTS", "The duration of diarrhoea was 47.5 \u00b1 38.9 h with WGJ and 26.5 \u00b1 27.4 h with WA (p = 0.006). "
     "Vomiting occurred in 6/30 (20.0%) and 3/30 (10.0%) children in the WGJ and WA groups, "
     "respectively. No adverse events were observed in either group."),
)
TABLE = Table(
    id="T2", label="Table 2", caption="Outcomes at day 3",
    header=(("Outcome", "WGJ (n = 30)", "WA (n = 30)"),),
    body=(("Stool output, g/kg, mean \u00b1 SD", "3.59 \u00b1 2.35", "2.19 \u00b1 1.63"),
          ("Weight gain, g, mean \u00b1 SD", "50.7 \u00b1 10.2", "-0.7 \u00b1 8.1"),
          ("Weight gain at day 5, g, mean \u00b1 SD", "55.0 \u00b1 11.0", "2.0 \u00b1 9.0")),
)


@pytest.fixture(scope="module")
def record() -> Record:
    sections = tuple(AbstractSection(label, label, text) for label, text in ABSTRACT)
    abstract = "\n".join(f"{label}: {text}" for label, text in ABSTRACT)
    return Record("pmc", pmcid="PMC1", abstract=abstract, abstract_sections=sections, tables=(TABLE,))


def _fill(record: Record, query: Query) -> Filled:
    """``fill`` as a sheet calls it: the record read for the row, then the row filled from that."""
    return fill(read_trial(record, [query]), query)


@pytest.mark.parametrize(
    "outcome,kind,expected",
    [
        ("duration of diarrhoea", "continuous",
         {"intervention_mean": 47.5, "intervention_standard_deviation": 38.9, "comparator_mean": 26.5,
          "comparator_standard_deviation": 27.4, "intervention_group_size": 30, "comparator_group_size": 30}),
        ("vomiting", "binary",
         {"intervention_events": 6, "intervention_group_size": 30, "comparator_events": 3,
          "comparator_group_size": 30}),
        ("adverse events", "binary",
         {"intervention_events": 0, "intervention_group_size": 30, "comparator_events": 0,
          "comparator_group_size": 30}),
        ("fecal stool output", "continuous",
         {"intervention_mean": 3.59, "intervention_standard_deviation": 2.35, "comparator_mean": 2.19,
          "comparator_standard_deviation": 1.63, "intervention_group_size": 30, "comparator_group_size": 30}),
    ],
)
def test_evidence_fill_finds_values(record, outcome, kind, expected) -> None:  # type: ignore[no-untyped-def]
    filled = _fill(record, Query(outcome, "White Grape Juice (WGJ)", "colored and flavored water (WA)", kind))
    assert {k: v for k, v in filled.values.items() if v is not None} == expected
    assert filled.evidence and filled.confidence > 0


def test_evidence_fill_ambiguous_outcome_left_blank(record) -> None:  # type: ignore[no-untyped-def]
    # two weight-gain rows with other numbers and nothing to choose between them: no guess
    filled = _fill(record, Query("weight gain", "WGJ", "WA", "continuous"))
    assert filled.values.get("intervention_mean") is None
    assert filled.values["intervention_group_size"] == 30


def test_evidence_fill_unknown_outcome_keeps_group_sizes(record) -> None:  # type: ignore[no-untyped-def]
    filled = _fill(record, Query("serum sodium", "WGJ", "WA", "continuous"))
    assert {k: v for k, v in filled.values.items() if v is not None} == {
        "intervention_group_size": 30, "comparator_group_size": 30}


def test_evidence_fill_swapped_arms(record) -> None:  # type: ignore[no-untyped-def]
    filled = _fill(record, Query("vomiting", "flavoured water", "white grape juice", "binary"))
    assert (filled.values["intervention_events"], filled.values["comparator_events"]) == (3, 6)


def test_evidence_fill_sheet_keeps_columns_and_reports_missing_docs(tmp_path: Path) -> None:
    rows = [{"id": "1", "pmcid": "999", "outcome": "x", "intervention": "a", "comparator": "b", "extra": "kept"}]
    problems: list[str] = []
    (out,) = fill_sheet(rows, tmp_path, problems=problems)
    assert out["extra"] == "kept" and out["intervention_events"] == "" and out["confidence"] == "0.00"
    assert problems and "PMC999.xml" in problems[0]


def test_evidence_fill_sheet_reads_docs(tmp_path: Path) -> None:
    (tmp_path / "PMC7.xml").write_text(
        "<abstract><p>Patients were randomised to tea (n = 20) or water (n = 20). Headache occurred in "
        "4 (20%) and 8 (40%) patients in the tea and water groups, respectively.</p></abstract>",
        encoding="utf-8",
    )
    rows = [{"id": "1", "pmcid": "PMC7", "outcome": "headache", "intervention": "tea",
             "comparator": "water"}]
    (out,) = fill_sheet(rows, tmp_path)
    assert [out[k] for k in ("intervention_events", "intervention_group_size", "comparator_events",
                             "comparator_group_size", "outcome_type")] == ["4", "20", "8", "20", "binary"]
    writer = csv.DictWriter(io.StringIO(), fieldnames=list(out))
    writer.writerow(out)


def test_evidence_fill_sheet_reads_each_document_once_and_keeps_the_rows_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import extractor.evidence

    for pmcid, drink in (("PMC7", "tea"), ("PMC8", "coffee")):
        (tmp_path / f"{pmcid}.xml").write_text(
            f"<abstract><p>Patients were randomised to {drink} (n = 20) or water (n = 20). Headache occurred in "
            f"4 (20%) and 8 (40%) patients in the {drink} and water groups, respectively.</p></abstract>",
            encoding="utf-8")
    read: list[tuple[str | None, int]] = []

    def counted(record: Record, queries=()):  # type: ignore[no-untyped-def]
        queries = list(queries)
        read.append((record.pmcid, len(queries)))
        return read_trial(record, queries)

    monkeypatch.setattr(extractor.evidence, "read_trial", counted)
    rows = [{"id": str(k), "pmcid": pmcid, "outcome": "headache", "intervention": drink, "comparator": "water"}
            for k, (pmcid, drink) in enumerate((("PMC7", "tea"), ("PMC8", "coffee"), ("7", "tea")))]
    out = list(fill_sheet(rows, tmp_path))
    assert sorted(read) == [("PMC7", 2), ("PMC8", 1)]
    assert [(r["id"], r["intervention_events"]) for r in out] == [("0", "4"), ("1", "4"), ("2", "4")]


def test_evidence_fill_answers_only_the_rows_the_trial_was_read_for(record) -> None:  # type: ignore[no-untyped-def]
    query = Query("vomiting", "WGJ", "WA", "binary")
    trial = read_trial(record, [query])
    assert trial.sheet_arms(query).results and fill(trial, query).values["intervention_events"] == 6
    with pytest.raises(KeyError, match="pass it to read_trial"):
        fill(trial, Query("vomiting", "WA", "WGJ", "binary"))
    with pytest.raises(TypeError):  # what was read stays as it was read
        trial.sheet[Query("vomiting", "WA", "WGJ", "binary")] = trial.sheet_arms(query)  # type: ignore[index]


def test_evidence_fill_outcome_by_an_acronym_the_article_does_not_define() -> None:
    table = Table(id="T3", label="Table 3", caption="Outcomes at 12 weeks",
                  header=(("Variable", "Exercise (n = 20)", "Control (n = 22)"),),
                  body=(("BMI (kg/m2)", "25.3 ± 3.1", "26.6 ± 3.5"), ("Waist (cm)", "88.1 ± 7.0", "90.2 ± 6.4")))
    record = Record("pmc", pmcid="PMC2", tables=(table,))
    filled = _fill(record, Query("Body mass index", "exercise", "control", "continuous"))
    assert (filled.values["intervention_mean"], filled.values["comparator_standard_deviation"]) == (25.3, 3.5)
    # an acronym of the outcome the article never uses is no match
    assert _fill(record, Query("Waist hip ratio", "exercise", "control", "continuous")).values.get(
        "intervention_mean") is None


def _record(*tables: Table) -> Record:
    return Record("pmc", pmcid="PMC3", tables=tables)


def test_evidence_fill_takes_the_last_time_point_of_an_outcome() -> None:
    t = Table(id="T1", label="Table 2", caption="Pain over time",
              header=(("Outcome", "Drug (n = 30)", "Placebo (n = 30)"),),
              body=(("Pain, week 4", "5.1 ± 1.0", "5.5 ± 1.2"), ("Pain, week 12", "3.2 ± 1.1", "4.6 ± 1.3")))
    filled = _fill(_record(t), Query("pain", "drug", "placebo", "continuous"))
    assert (filled.values["intervention_mean"], filled.values["comparator_mean"]) == (3.2, 4.6)


def test_evidence_fill_end_of_treatment_before_later_follow_up() -> None:
    t = Table(id="T1", label="Table 2", caption="Scores",
              header=(("Variable", "Post-test | Training (n = 35)", "Post-test | Control (n = 35)",
                       "Follow-up at 4 months | Training (n = 35)", "Follow-up at 4 months | Control (n = 35)"),),
              body=(("Enjoyment", "27.3 ± 6.8", "26.0 ± 4.7", "25.1 ± 6.0", "25.9 ± 4.4"),))
    filled = _fill(_record(t), Query("enjoyment", "training", "control", "continuous"))
    assert (filled.values["intervention_mean"], filled.values["comparator_mean"]) == (27.3, 26.0)


def test_evidence_fill_baseline_tables_do_not_answer_outcomes() -> None:
    t = Table(id="T1", label="Table 1", caption="Baseline characteristics",
              header=(("Characteristic", "Drug (n = 30)", "Placebo (n = 30)"),),
              body=(("LDL cholesterol, mmol/L", "3.1 ± 0.9", "3.0 ± 0.8"),))
    record = _record(t)
    assert _fill(record, Query("LDL cholesterol", "drug", "placebo", "continuous")).values.get("intervention_mean") is None
    assert _fill(record, Query("LDL cholesterol at baseline", "drug", "placebo", "continuous")).values[
        "intervention_mean"] == 3.1


def test_evidence_fill_dose_columns_and_sizes_in_a_table_note() -> None:
    t = Table(id="T1", label="Table 1", caption="Adverse events by treatment",
              header=(("Adverse event", "Treatment (mg drug X)", "Treatment (mg drug X)", "Treatment (mg drug X)"),
                      ("Adverse event", "10", "100", "Placebo")),
              body=(("Headache", "0", "2", "3"), ("Nausea", "1", "0", "1")),
              footnotes=("Subjects received drug X (n = 6 per dose) or placebo (n = 14).",))
    filled = _fill(_record(t), Query("headache", "drug X 100 mg", "placebo", "binary"))
    assert {k: v for k, v in filled.values.items() if v is not None} == {
        "intervention_events": 2, "intervention_group_size": 6, "comparator_events": 3, "comparator_group_size": 14}
    assert [e.text for e in filled.evidence] == ["2", "3"]


def _text_record(methods: str, results: str = "") -> Record:
    sections = (AbstractSection("METHODS", "METHODS", methods), AbstractSection("RESULTS", "RESULTS", results))
    return Record("pubmed", pmid="9", abstract=f"METHODS: {methods}\nRESULTS: {results}", abstract_sections=sections)


def _sizes(filled) -> tuple:  # type: ignore[no-untyped-def]
    return filled.values.get("intervention_group_size"), filled.values.get("comparator_group_size")


def test_evidence_fill_equal_groups_size_sheet_arms_the_text_does_not_name() -> None:
    record = _text_record("Sixty patients undergoing surgery were randomized into two groups.")
    assert _sizes(_fill(record, Query("blood loss", "tranexamic acid", "saline", "continuous"))) == (30, 30)


def test_evidence_fill_a_crossover_gives_every_condition_all_participants() -> None:
    record = _text_record("Ten healthy volunteers completed four trials in a randomised crossover design.")
    assert _sizes(_fill(record, Query("glucose", "dextrose with quinine", "dextrose", "continuous"))) == (10, 10)
    parallel = _text_record("Ten healthy volunteers took part.")
    assert _sizes(_fill(parallel, Query("glucose", "dextrose with quinine", "dextrose", "continuous"))) == (None, None)
    before_after = _text_record("Eight participants were studied.")
    assert _sizes(_fill(before_after, Query("heart rate", "after training", "before training", "continuous"))) == (8, 8)


def test_evidence_fill_a_sheet_arm_listing_trial_arms_has_their_sum() -> None:
    record = _text_record("Patients were randomised to metformin (n = 17), sitagliptin (n = 16) or placebo (n = 15).")
    filled = _fill(record, Query("relapse", "metformin, sitagliptin", "placebo", "binary"))
    assert _sizes(filled) == (33, 15)


def test_evidence_fill_serious_or_absent_events_do_not_answer_events() -> None:
    t = Table(id="T1", label="Table 3", caption="Events",
              header=(("Event", "Drug (n = 30)", "Placebo (n = 30)"),),
              body=(("Serious adverse events", "1 (3.3)", "2 (6.7)"), ("No pad usage", "15 (50.0)", "11 (36.7)")))
    record = _record(t)
    assert _fill(record, Query("adverse events", "drug", "placebo", "binary")).values.get("intervention_events") is None
    assert _fill(record, Query("serious adverse events", "drug", "placebo", "binary")).values[
        "intervention_events"] == 1


def test_evidence_fill_conditions_named_by_what_the_experimental_one_adds() -> None:
    t = Table(id="T1", label="Table 1", caption="Differences in website use between conditions",
              header=(("Variable", "Experimental condition", "Experimental condition", "Control condition",
                       "Control condition"), ("", "M", "SD", "M", "SD")),
              body=(("Number of pages", "7.5", "4.0", "8.0", "3.8"),))
    filled = _fill(_record(t), Query("number of pages visited", "website with social presence",
                                    "website without social presence", "continuous"))
    assert (filled.values["intervention_mean"], filled.values["comparator_standard_deviation"]) == (7.5, 3.8)


def test_evidence_fill_common_clinical_abbreviations_the_article_uses() -> None:
    t = Table(id="T1", label="Table 2", caption="Serum levels after 6 weeks",
              header=(("Variable", "Drug (n = 40)", "Placebo (n = 40)"),),
              body=(("IL-2", "4.5 ± 2.1", "28.7 ± 16.3"), ("TNF-α", "752.9 ± 189.0", "548.3 ± 121.1")))
    record = _record(t)
    assert _fill(record, Query("Interleukin 2", "drug", "placebo", "continuous")).values["intervention_mean"] == 4.5
    assert _fill(record, Query("tumor necrosis factor alpha", "drug", "placebo", "continuous")).values[
        "comparator_mean"] == 548.3


def test_evidence_fill_acronyms_joined_by_underscores() -> None:
    t = Table(id="T1", label="Table 2", caption="Strength after training",
              header=(("Variable", "Training (n = 9)", "Control (n = 9)"),),
              body=(("1RM_KE (kg)", "237.2 ± 51.0", "182.4 ± 8.4"), ("1RM_KF (kg)", "99.8 ± 10.2", "86.8 ± 2.9")))
    filled = _fill(_record(t), Query("Knee extension (1-rep Max)", "training", "control", "continuous"))
    assert filled.values["intervention_mean"] == 237.2


@pytest.mark.parametrize(
    "results,outcome,expected",
    [
        ("Relapse occurred in 6 of 20 patients given lithium and 11 of 20 given placebo.", "relapse", "binary"),
        ("Sleep latency was 21.4 ± 6.2 min with lithium and 30.9 ± 7.5 min with placebo.", "sleep latency",
         "continuous"),
        ("The median sleep latency was 21 min (IQR 15-30) with lithium and 31 min (IQR 22-40) with placebo.",
         "sleep latency", "median"),
    ],
)
def test_evidence_fill_outcome_type_from_the_values_when_the_sheet_gives_none(results, outcome, expected) -> None:
    record = _text_record("Forty adults were randomised to lithium (n = 20) or placebo (n = 20).", results)
    assert _fill(record, Query(outcome, "lithium", "placebo")).outcome_type == expected


def test_evidence_fill_an_outcome_named_after_the_values_of_a_sentence() -> None:
    results = ("Five patients (25%) in the laser group and nine patients (45%) in the scalpel group needed a "
               "second dressing. Healing took longer with the scalpel.")
    record = Record("pmc", pmcid="PMC9", abstract=f"METHODS: Forty patients were randomised to laser (n = 20) or "
                    f"scalpel (n = 20) excision. RESULTS: {results}",
                    abstract_sections=(AbstractSection("METHODS", "METHODS", "Forty patients were randomised to "
                                                       "laser (n = 20) or scalpel (n = 20) excision."),
                                       AbstractSection("RESULTS", "RESULTS", results)))
    filled = _fill(record, Query("second dressing", "laser", "scalpel"))
    assert (filled.values["intervention_events"], filled.values["comparator_events"]) == (5, 9)
    # the next sentence is not the one that gave the values
    assert _fill(record, Query("healing time", "laser", "scalpel")).values.get("intervention_events") is None


def test_fill_a_group_size_with_no_result_of_its_own_is_the_n_analysed_before_the_n_randomised() -> None:
    from extractor.evidence.fill import _group_sizes
    from extractor.evidence.model import Arm

    sizes = _group_sizes(Arm("drug A", n_randomised=40, n_analysed=37), Arm("placebo", n_randomised=41))
    assert sizes == {"intervention_group_size": 37, "comparator_group_size": 41}


def test_fill_says_where_each_group_size_comes_from(record) -> None:  # type: ignore[no-untyped-def]
    arms = ("White Grape Juice (WGJ)", "colored and flavored water (WA)")
    counted = _fill(record, Query("vomiting", *arms, "binary"))
    assert counted.sizes["intervention"]["from"] == "result"  # "6/30" gives its own n
    assert counted.sizes["intervention"]["evidence"][0]["text"].startswith("6/30")
    timed = _fill(record, Query("duration of diarrhoea", *arms, "continuous"))
    source = timed.sizes["comparator"]  # no n beside "26.5 ± 27.4 h": the arm's size, and where it is stated
    assert source["n"] == 30 and source["from"] in ("randomised", "table") and source["rule"]
    assert "30" in source["evidence"][0]["text"]
    assert json.loads(timed.row()["group_size_evidence"]) == timed.sizes


def test_fill_a_group_size_from_the_design_says_so() -> None:
    methods = "Sixty children were randomised into two groups of 30 children, given drug X or placebo."
    results = "Pain scores were 3.1 \u00b1 1.0 with drug X and 4.2 \u00b1 1.1 with placebo."
    record = Record("pubmed", pmid="1", abstract=f"METHODS: {methods}\nRESULTS: {results}",
                    abstract_sections=(AbstractSection("METHODS", "METHODS", methods),
                                       AbstractSection("RESULTS", "RESULTS", results)))
    filled = _fill(record, Query("pain scores", "drug X", "placebo", "continuous"))
    assert filled.values["intervention_group_size"] == 30
    assert filled.sizes["intervention"] == {"n": 30, "from": "design", "rule": None, "evidence": []}


def test_fill_leaves_blank_the_size_of_an_arm_stated_with_many_sizes_when_no_result_answers_the_row() -> None:
    methods = "Eighty-one adults were randomised to drug A (n = 40) or placebo (n = 41)."
    tables = tuple(
        Table(id=f"T{i}", label=f"Table {i}", caption=f"Outcomes at week {week}",
              header=(("Outcome", f"Drug A (n = {a})", f"Placebo (n = {p})"),),
              body=((f"{name}, mean \u00b1 SD", "3.1 \u00b1 1.0", "4.2 \u00b1 1.1"),))
        for i, (week, a, p, name) in enumerate(((4, 38, 41, "Pain score"), (12, 35, 41, "Sleep hours")), 1)
    )
    record = Record("pmc", pmcid="PMC9", abstract=f"METHODS: {methods}",
                    abstract_sections=(AbstractSection("METHODS", "METHODS", methods),), tables=tables)
    unanswered = _fill(record, Query("serum sodium", "drug A", "placebo", "continuous")).values
    # drug A: 40 randomised, 38 and 35 in two tables -- which one a row wants depends on its result
    assert unanswered["intervention_group_size"] is None
    assert unanswered["comparator_group_size"] == 41  # placebo's size is the same everywhere
    answered = _fill(record, Query("sleep hours", "drug A", "placebo", "continuous")).values
    assert (answered["intervention_mean"], answered["intervention_group_size"]) == (3.1, 35)
