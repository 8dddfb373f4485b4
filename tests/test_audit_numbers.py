"""Numbers as reported: cells and article texts compared exactly, never as rounded floats."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.audit.numbers import (
    NumberIndex,
    decimals,
    is_label,
    occurrences,
    passage_around,
    reported_number,
    word_occurrences,
)


@pytest.mark.parametrize(
    "text,expected",
    [("1,234", Decimal(1234)), ("\u22120.7", Decimal("-0.7")), ("0\u00b752", Decimal("0.52")), ("12%", Decimal(12)),
     ("0.50", Decimal("0.5")), (" 3 ", Decimal(3)), ("-4.0", Decimal(-4)), ("10\u2009000", Decimal(10000))],
)
def test_audit_numbers_reads_cells_as_reported(text: str, expected: Decimal) -> None:
    assert reported_number(text) == expected


@pytest.mark.parametrize("text", ["x", "", "abc", "1.2.3", "12-14", "n = 3"])
def test_audit_numbers_other_cells_are_no_number(text: str) -> None:
    assert reported_number(text) is None


@pytest.mark.parametrize("text,expected", [("0.50", 2), ("12", 0), ("-1.125", 3)])
def test_audit_numbers_counts_decimals_as_written(text: str, expected: int) -> None:
    assert decimals(reported_number(text)) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("ages 10\u201320 years", ["10", "20"]),
        ("a change of \u22121.5 (\u22122.0 to \u22121.0)", ["-1.5", "-2.0", "-1.0"]),
        ("1,234 patients (n=30) on day 3", ["1234", "30", "3"]),
        ("a ratio of 0\u00b748 in IL6 and T2 scans", ["0.48"]),
        ("scores fell by -3 points; 4 - 2 = 2", ["-3", "4", "2", "2"]),
    ],
)
def test_audit_numbers_finds_every_number_of_a_text(text: str, expected: list[str]) -> None:
    found = [(value, text[start:end]) for value, start, end in occurrences(text)]
    assert [v for v, _ in found] == [Decimal(e) for e in expected]
    assert all(reported_number(span.replace("\u2212", "-")) == v for v, span in found)


def test_audit_numbers_index_compares_exactly() -> None:
    index = NumberIndex({"abstract": "Pain fell to 0.50 with tea and 0.48 with water."}, {"abstract": "Abstract"})
    assert [e.text for e in index.where(Decimal("0.5"))] == ["0.50"]
    assert index.where(Decimal("0.49")) == ()
    hit = index.where(Decimal("0.48"))[0]
    assert (hit.section, hit.label) == ("abstract", "Abstract")
    assert index.texts["abstract"][hit.start:hit.end] == "0.48"


def test_audit_numbers_passage_is_the_sentence() -> None:
    text = "Methods were usual. Pain fell to 0.50 with tea. Nothing else changed."
    start = text.index("0.50")
    passage, offset = passage_around(text, start, start + 4)
    assert passage == "Pain fell to 0.50 with tea."
    assert text[offset:offset + len(passage)] == passage


@pytest.mark.parametrize(
    "text,expected",
    [("Sixty children and ten adults", [60, 10]), ("twenty-five or thirty two mice", [25, 32]),
     ("someone, often, tenth", [])],
)
def test_audit_numbers_reads_numbers_in_words(text: str, expected: list[int]) -> None:
    index = NumberIndex({"abstract": text})
    assert [v for v in expected if index.where(Decimal(v))] == expected
    assert [int(v) for v, _, _ in word_occurrences(text)] == expected


@pytest.mark.parametrize(
    "text,number,expected",
    [("as shown in Table 2 and Fig. 3", "2", True), ("as shown in Table 2 and Fig. 3", "3", True),
     ("(Figs. 1 and 4b)", "4", True), ("Supplementary Table S5", "5", True), ("2 patients (table 3)", "2", False),
     ("a score of 2.0 (Figure 1)", "2.0", False)],
)
def test_audit_numbers_labels_of_tables_and_figures(text: str, number: str, expected: bool) -> None:
    assert is_label(text, text.index(number)) is expected


def test_audit_numbers_index_holds_no_labels() -> None:
    index = NumberIndex({"abstract": "Scores fell (Table 2); 2 patients left (Figure 4)."})
    assert [e.start for e in index.where(Decimal(2))] == [23]
    assert index.where(Decimal(4)) == ()


def test_audit_numbers_passage_goes_on_past_an_abbreviation_before_the_number() -> None:
    text = "Relapse came later with tea (480 vs. 305 days). Nothing else changed."
    start = text.index("305")
    assert passage_around(text, start, start + 3) == ("Relapse came later with tea (480 vs. 305 days).", 0)


def test_audit_numbers_the_title_is_a_text_the_index_finds_numbers_in() -> None:
    from extractor.audit.numbers import number_index
    from extractor.records import Record

    index = number_index(Record("pubmed", pmid="1", title="Drug A in 240 children", abstract="Pain fell."))
    (hit,) = index.where(Decimal("240"))
    assert (hit.section, hit.label) == ("title", "Title")
