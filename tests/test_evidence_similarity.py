"""Comparing short clinical phrases: terms, abbreviations and acronyms."""

from __future__ import annotations

import pytest

from extractor.evidence.similarity import (
    defined_in,
    expand,
    find_abbreviations,
    find_glossary,
    initialisms,
    matched,
    normalise,
    similarity,
)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Body mass index", {"BMI": "Body mass index"}),
        ("Quality of life at 6 months", {"QOL": "Quality of life"}),
        ("Change in systolic blood pressure", {"SBP": "systolic blood pressure"}),
        ("Number of patients with serious adverse events", {"SAE": "serious adverse events"}),
        ("pain", {}),
        ("Open defecation by children", {"OD": "Open defecation"}),
        ("Time to onset", {}),
    ],
)
def test_similarity_initialisms(text: str, expected: dict[str, str]) -> None:
    assert initialisms(text) == expected


def test_similarity_abbreviations_defined_in_text() -> None:
    found = find_abbreviations("The Shoulder Pain and Disability Index (SPADI) and quality of life (QoL) improved.")
    assert found == {"SPADI": "Shoulder Pain and Disability Index", "QoL": "quality of life"}


def test_similarity_expands_abbreviations_both_ways() -> None:
    assert similarity("BMI", "body mass index", {"BMI": "body mass index"}) == 1.0
    assert similarity("BMI", "body mass index") == 0.0


def test_similarity_hyphenated_words_match_their_joined_spelling() -> None:
    assert matched(("hbeag", "sero-conversion", "sero", "conversion"), {"hbeag", "seroconversion"}) == {
        "hbeag", "sero-conversion", "sero", "conversion"}


def test_similarity_glossaries_of_table_notes() -> None:
    assert find_glossary("CAL: Clinical attachment level; PPD: probing pocket depth") == {
        "CAL": "Clinical attachment level", "PPD": "probing pocket depth"}
    assert find_glossary("DM diabetes mellitus, HTN hypertension, BMI body mass index") == {
        "DM": "diabetes mellitus", "HTN": "hypertension", "BMI": "body mass index"}
    assert find_glossary("Values are mean ± SD. *P < 0.05 compared with baseline.") == {}


def test_similarity_side_effects_and_adverse_reactions_are_adverse_events() -> None:
    assert similarity("adverse events", "side effects") > 0.5
    assert similarity("adverse events", "No adverse drug reactions were observed") > 0.5
    assert "adverse events" not in expand("the aes of the drug", {})


def test_similarity_dashes_inside_words_and_one_letter_typos() -> None:
    assert normalise("I–QOL") == "i-qol"
    assert matched(("reurrent",), {"recurrent"}) == {"reurrent"}
    assert matched(("anxiet",), {"anxiety"}) == frozenset()  # short words must match exactly


@pytest.mark.parametrize(
    "phrase,expected",
    [
        ("the ratio of dead space to tidal volume (Vd/Vt)", {"Vd/Vt": "ratio of dead space to tidal volume"}),
        ("urine output (UO), filtration rate (GFR) and sodium excretion (FENa)",
         {"UO": "urine output", "GFR": "filtration rate", "FENa": "sodium excretion"}),
        ("improved cross-sectional area (CSA)", {"CSA": "cross sectional area"}),
        ("pain (p<0.05) and nausea", {}),
        ("pain at rest", {}),
    ],
)
def test_similarity_short_forms_a_sheet_outcome_defines(phrase: str, expected: dict[str, str]) -> None:
    assert defined_in(phrase) == expected


def test_similarity_short_forms_with_signs_expand_where_written_whole() -> None:
    short = {"Vd/Vt": "ratio of dead space to tidal volume"}
    assert "dead space" in expand("Vd/Vt (%)", short)
    assert "dead space" not in expand("Vd (ml) / Vt (ml)", short)
    assert "dead space" not in expand("xVd/Vtx", short)


def test_similarity_footnote_letters_are_not_part_of_a_word() -> None:
    assert normalise("Lymphocytesᵇ (10⁶/L)") == "lymphocytes (106/l)"
    assert normalise("Painᵃ,ᶜ") == "pain,"
