"""Each cell of a filled sheet judged against the article: found, derived, elsewhere, absent,
conflict, or empty, with the evidence that says so."""

from __future__ import annotations

import pytest

from extractor.audit import Trial, check_cell, read_row, read_trial
from extractor.audit.cells import Reading
from extractor.evidence import Query
from extractor.records import AbstractSection, Record, Table

ABSTRACT = (
    ("METHODS", "Of 75 patients screened, sixty adults were randomised to ginger (n = 30) or placebo (n = 30)."),
    ("RESULTS", "Nausea scores at day 7 were 2.4 \u00b1 1.1 with ginger and 4.8 \u00b1 1.9 with placebo (p < 0.001). "
     "Relief was reported by 40.0% of the ginger group and 20.0% of the placebo group. "
     "Pain scores were 3.1 (SE 0.4) in the ginger group and 5.0 (SE 0.5) in the placebo group."),
)
TABLE = Table(
    id="T2", label="Table 2", caption="Outcomes by group",
    header=(("Outcome", "Ginger (n = 30)", "Placebo (n = 30)"),),
    body=(("Sleep quality at day 3, mean \u00b1 SD", "6.1 \u00b1 1.2", "5.2 \u00b1 1.4"),
          ("Sleep quality at day 7, mean \u00b1 SD", "6.9 \u00b1 1.0", "5.0 \u00b1 1.3")),
)


@pytest.fixture(scope="module")
def record() -> Record:
    sections = tuple(AbstractSection(label, label, text) for label, text in ABSTRACT)
    abstract = "\n".join(f"{label}: {text}" for label, text in ABSTRACT)
    return Record("pmc", pmcid="PMC1", abstract=abstract, abstract_sections=sections, tables=(TABLE,))


def _read(record: Record, query: Query) -> tuple[Trial, Reading]:
    """The article read for one sheet row, and the row's reading, as ``check`` reads them."""
    trial = read_trial(record, [query])
    return trial, read_row(trial.evidence, query)


def _check(record: Record, outcome: str, kind: str, column: str, value: str, **others: str):  # type: ignore[no-untyped-def]
    trial, reading = _read(record, Query(outcome, "ginger", "placebo", kind))
    return check_cell(reading, trial, column, {column: value, **others})


@pytest.mark.parametrize(
    "outcome,kind,column,value,status,evidence",
    [
        # the value the article gives this arm for this outcome
        ("nausea score", "continuous", "intervention_mean", "2.4", "found", "2.4 \u00b1 1.1"),
        ("nausea score", "continuous", "comparator_standard_deviation", "1.9", "found", "4.8 \u00b1 1.9"),
        ("sleep quality", "continuous", "comparator_mean", "5.0", "found", "5.0 \u00b1 1.3"),
        ("nausea score", "continuous", "comparator_group_size", "30", "found", "placebo (n = 30)"),
        # written otherwise, the same number
        ("nausea score", "continuous", "intervention_mean", "2.40", "found", "2.4 \u00b1 1.1"),
        ("nausea score", "continuous", "intervention_mean", "2\u00b74", "found", "2.4 \u00b1 1.1"),
        # computed from what the article reports: a count from a percentage, an SD from an SE
        ("relief", "binary", "intervention_events", "12", "derived", "40.0%"),
        ("pain score", "continuous", "intervention_standard_deviation", "2.19", "derived", "3.1 (SE 0.4)"),
        ("pain score", "continuous", "intervention_standard_deviation", "2.2", "derived", "3.1 (SE 0.4)"),
        # another time point, the other arm's value, a rounded value: the tool reads another
        ("sleep quality", "continuous", "intervention_mean", "6.1", "conflict", "6.9 \u00b1 1.0"),
        ("nausea score", "continuous", "intervention_mean", "4.8", "conflict", "2.4 \u00b1 1.1"),
        ("nausea score", "continuous", "intervention_mean", "2", "conflict", "2.4 \u00b1 1.1"),
        # in the article, but not as this arm's size; nowhere in the article
        ("nausea score", "continuous", "intervention_group_size", "75", "elsewhere", "75"),
        ("vomiting", "binary", "intervention_events", "7", "elsewhere", "7"),
        ("nausea score", "continuous", "comparator_mean", "9.9", "conflict", "4.8 \u00b1 1.9"),
        ("vomiting", "binary", "intervention_events", "9", "absent", None),
        ("vomiting", "binary", "intervention_events", "abc", "absent", None),
        # nothing to check
        ("nausea score", "continuous", "intervention_mean", "x", "", None),
        ("nausea score", "continuous", "intervention_mean", "", "", None),
    ],
)
def test_audit_cells_status(record, outcome, kind, column, value, status, evidence) -> None:  # type: ignore[no-untyped-def]
    check = _check(record, outcome, kind, column, value)
    assert check.status == status
    if evidence is None:
        assert check.evidence == ()
    else:
        assert check.evidence[0].text == evidence
        text = read_trial(record).index.texts[check.evidence[0].section]
        assert text[check.evidence[0].start:check.evidence[0].end] == evidence


def test_audit_cells_conflict_shows_the_tool_value(record) -> None:  # type: ignore[no-untyped-def]
    check = _check(record, "sleep quality", "continuous", "intervention_mean", "6.1")
    assert check.tool_value == "6.9" and "6.9" in check.why


def test_audit_cells_other_arm_value_beside_the_pair_is_found_only_in_the_sheets_order() -> None:
    # the tool does not read "headache"; the sheet's pair of values stands in a sentence naming it
    record = Record("pmc", pmcid="PMC2", abstract=(
        "Patients were randomised to tea (n = 20) or water (n = 20). Headache scores were 3.5 in the tea "
        "group versus 6.5 in the water group, and sleep scores 7.0 versus 6.0."))
    other, reading = _read(record, Query("headache score", "tea", "water", "continuous"))
    row = {"intervention_mean": "3.5", "comparator_mean": "6.5"}
    assert {c: check_cell(reading, other, c, row).status for c in row} == {
        "intervention_mean": "found", "comparator_mean": "found"}
    swapped = {"intervention_mean": "6.5", "comparator_mean": "3.5"}
    assert {check_cell(reading, other, c, swapped).status for c in swapped} <= {"elsewhere", "conflict"}


@pytest.mark.parametrize(
    "column,value,status",
    [("intervention_group_size", "25", "found"), ("comparator_group_size", "27", "found"),
     ("intervention_group_size", "27", "elsewhere"), ("comparator_group_size", "60", "elsewhere")],
)
def test_audit_cells_group_size_written_as_a_denominator(column: str, value: str, status: str) -> None:
    record = Record("pmc", pmcid="PMC3", abstract=(
        "Sixty volunteers were randomised to tea or water. At week 4, 6 of 25 volunteers in the tea group and "
        "9 of 27 in the water group reported sleeping better."))
    trial, reading = _read(record, Query("sleeping better", "tea", "water", "binary"))
    assert check_cell(reading, trial, column, {column: value}).status == status


def test_audit_cells_more_events_than_participants_is_no_count_of_them() -> None:
    record = Record("pmc", pmcid="PMC4", abstract=(
        "Patients were randomised to tea (n = 20) or water (n = 20). There were 31 admissions in the tea "
        "group and 12 in the water group."))
    trial, reading = _read(record, Query("admissions", "tea", "water", "binary"))
    row = {"intervention_events": "31", "intervention_group_size": "20", "comparator_events": "12"}
    check = check_cell(reading, trial, "intervention_events", row)
    assert check.status == "elsewhere" and "participants" in check.why
    assert check_cell(reading, trial, "comparator_events", row).status != "elsewhere"


@pytest.mark.parametrize("value,status", [("40", "elsewhere"), ("38", "found")])
def test_audit_cells_group_size_is_the_n_where_the_outcome_is_reported(value: str, status: str) -> None:
    record = Record("pmc", pmcid="PMC6", abstract=(
        "Adults were randomised to tea (n = 40) or water (n = 40). Median pain relief was 30% in the tea "
        "group (n = 36) and 10% in the water group (n = 38)."))
    trial, reading = _read(record, Query("median pain relief", "tea", "water", "continuous"))
    check = check_cell(reading, trial, "comparator_group_size", {"comparator_group_size": value})
    assert check.status == status
    assert status == "found" or "n = 38" in check.why


@pytest.mark.parametrize("column,value,status", [
    ("intervention_group_size", "41", "elsewhere"), ("intervention_group_size", "37", "found"),
    ("comparator_group_size", "39", "elsewhere"), ("comparator_group_size", "36", "found"),
])
def test_audit_cells_group_size_is_the_n_analysed_not_the_n_randomised(column: str, value: str, status: str) -> None:
    record = Record("pmc", pmcid="PMC8", abstract=(
        "Eighty adults were randomised to tea (n = 41) or water (n = 39). Thirty-seven adults in the tea group "
        "and 36 in the water group completed the study and were analysed. Mean sleep duration was 7.9 h with "
        "tea and 7.1 h with water."))
    trial, reading = _read(record, Query("sleep duration", "tea", "water", "continuous"))
    check = check_cell(reading, trial, column, {column: value})
    assert check.status == status
    assert status == "found" or "were analysed" in check.why


@pytest.mark.parametrize("value,status", [("2.0", "derived"), ("2.53", "conflict")])
def test_audit_cells_sd_is_derived_with_the_results_own_n(value: str, status: str) -> None:
    # 40 randomised to tea, 25 analysed: SE 0.4 gives SD 0.4 x 5 = 2.0, not 0.4 x sqrt(40) = 2.53
    table = Table(id="T1", label="Table 1", caption="Pain at week 8, mean (SE)",
                  header=(("Outcome", "Tea (n = 25)", "Water (n = 36)"),),
                  body=(("Pain score", "3.1 (0.4)", "5.0 (0.5)"),))
    record = Record("pmc", pmcid="PMC8", tables=(table,), abstract=(
        "Adults were randomised to tea (n = 40) or water (n = 40). Pain was rated at week 8."))
    trial, reading = _read(record, Query("pain score", "tea", "water", "continuous"))
    column = "intervention_standard_deviation"
    assert check_cell(reading, trial, column, {column: value}).status == status
