"""Study labels of records ("He 2020", "He 2020a/b") and the evidence table that carries them."""

from __future__ import annotations

import csv
import io

import pytest

from extractor.evidence import Comparison, TrialEvidence
from extractor.records import Author, Record
from extractor.studies import TABLE_COLUMNS, comparison_rows, study_label, study_labels, write_comparison_table


def _record(pmid: str | None, family: str | None = None, year: int | None = None, **more: object) -> Record:
    authors = (Author(family=family, given="X"),) if family else ()
    return Record(source_format="pubmed", pmid=pmid, authors=authors, year=year, **more)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "record,label",
    [
        (_record("1", "He", 2020), "He 2020"),
        (_record("1", "van der Berg", 2019), "van der Berg 2019"),
        (Record(source_format="pubmed", pmid="2", year=2009,
                authors=(Author(collective="ACTIVE Investigators"), Author(family="Connolly"))),
         "ACTIVE Investigators 2009"),
        (_record("3", "Smith"), "Smith"),
        (_record("4", year=2001), "2001"),
        (_record("5"), "PMID 5"),
        (Record(source_format="jats", pmcid="PMC9"), "PMC9"),
    ],
)
def test_studies_label_is_first_author_and_year(record: Record, label: str) -> None:
    assert study_label(record) == label


def test_studies_labels_shared_by_trials_get_letters() -> None:
    records = [_record("1", "He", 2020), _record("2", "Li", 2020), _record("3", "He", 2020),
               _record("1", "He", 2020)]
    assert study_labels(records) == {("1", None): "He 2020a", ("2", None): "Li 2020",
                                     ("3", None): "He 2020b"}


def _trial(pmid: str, *outcomes: str) -> TrialEvidence:
    comparisons = tuple(
        Comparison(pmid=pmid, pmcid=None, outcome=o, outcome_type="binary", intervention="a",
                   comparator="b", intervention_events=1, intervention_group_size=10)
        for o in outcomes
    )
    return TrialEvidence(pmid, None, None, (), (), comparisons)


def test_studies_every_row_of_a_trial_carries_its_identity() -> None:
    records = [_record("1", "He", 2020), _record("2", "He", 2020), _record("3", "He", 2020)]
    trials = [_trial("1", "x", "y"), _trial("2"), _trial("3", "z")]
    rows = comparison_rows(trials, records)
    assert [(r["pmid"], r["study"], r["outcome"]) for r in rows] == [
        ("1", "He 2020a", "x"), ("1", "He 2020a", "y"), ("3", "He 2020b", "z")
    ]  # the trial without comparisons takes no letter
    out = io.StringIO()
    assert write_comparison_table(trials, records, out) == 3
    table = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(table[0]) == TABLE_COLUMNS and TABLE_COLUMNS[:3] == ("pmid", "pmcid", "study")
    assert (table[0]["study"], table[0]["intervention_events"], table[0]["comparator_events"]) == (
        "He 2020a", "1", ""
    )
