"""What a table row, a column header or a sentence names: the outcome, an arm."""

from __future__ import annotations

import pytest

from extractor.audit.places import TablePlace, names_outcome, names_outcome_row

KNOWN = {"SGTT": "segmental GTT", "GTT": "gastric transit time"}


@pytest.mark.parametrize(
    "outcome,text,expected",
    [("upper SGTT", "Upper stomach, gastric transit time (h)", True),
     ("upper SGTT", "Upper stomach, heart rate", False),
     ("severe anaemia", "two severe anaemic episodes", True), ("hypoxia", "hypoxic events", True),
     ("hypoxia", "hypotension", False)],
)
def test_audit_places_outcome_named_through_abbreviations_and_word_forms(outcome: str, text: str,
                                                                          expected: bool) -> None:
    assert names_outcome(outcome, text, KNOWN) is expected


@pytest.mark.parametrize(
    "label,expected",
    [("Vomiting", True), ("Week 4", True), ("", True), ("Mean (SD)", True), ("Smoking", False),
     ("Ovarian surgery", False)],
)
def test_audit_places_a_row_labelled_by_another_variable_is_not_the_outcome(label: str, expected: bool) -> None:
    place = TablePlace(f"{label} Factors associated with vomiting", "Tea (n = 20)", False, False, label)
    assert names_outcome_row("vomiting", place, {}) is expected
