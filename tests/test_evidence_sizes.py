"""The design a trial's text states: equal groups, participants, within-subject comparisons."""

from __future__ import annotations

import pytest

from extractor.evidence.sizes import Design, read_design


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Sixty patients were randomly divided into two equal groups.", Design(2, 30, 60, False)),
        ("A total of 90 children were randomised into three groups (A, B and C).", Design(3, 30, 90, False)),
        ("Volunteers were divided into two groups of 10 participants.", Design(2, 10, 10, False)),
        ("Fifteen healthy subjects took part in a crossover study; conditions were given in random order.",
         Design(None, None, 15, True)),
        ("Of 40 patients screened, 12 were excluded. Twenty-eight patients completed the study.",
         Design(None, None, 28, False)),
        ("Seventy patients were randomised into two groups.", Design(2, 35, 70, False)),
        ("We aimed to enrol 40 patients. 3 patients had one exacerbation and 3 patients had two. Thirty two "
         "patients completed the study.", Design(None, None, 32, False)),
        ("Seventy-one patients were randomised into two groups.", Design(None, None, 71, False)),
    ],
)
def test_sizes_read_design(text: str, expected: Design) -> None:
    assert read_design([text]) == expected


def test_evidence_sizes_one_group_read_under_a_longer_name_is_one_arm() -> None:
    from extractor.evidence import read_trial
    from extractor.records import AbstractSection, Record

    text = "Adults were randomised to a low dose of drug A (n = 30) or a high dose of drug A (n = 31)."
    record = Record("pubmed", pmid="1", abstract=text, abstract_sections=(AbstractSection(None, None, text),))
    arms = read_trial(record).arms
    assert [(a.name, a.n_randomised) for a in arms] == [("low dose of drug A", 30), ("high dose of drug A", 31)]


def test_evidence_sizes_a_group_named_again_with_group_after_it_is_the_same_arm() -> None:
    from extractor.evidence import read_trial
    from extractor.records import AbstractSection, Record

    text = ("Adults were randomised to counselling (n = 40) or TAU (n = 41). "
            "In the TAU group (n = 39 analysed), scores fell less than with counselling.")
    record = Record("pubmed", pmid="1", abstract=text, abstract_sections=(AbstractSection(None, None, text),))
    arms = read_trial(record).arms
    assert [(a.name, a.n_randomised, a.n_analysed) for a in arms] == [("counselling", 40, None), ("TAU", 41, 39)]


def test_evidence_sizes_a_record_with_its_text_in_the_title_is_read() -> None:
    """Some exports put the whole abstract in the title and leave the abstract empty: the title is
    read as text, its sizes given with the title as their evidence."""
    from extractor.evidence import extract_evidence
    from extractor.records import Record

    title = ("Drug A versus drug B for gout: a randomised trial. Adults with gout were randomly assigned to "
             "drug A (n = 52) or drug B (n = 49). Flares were fewer with drug A.")
    [trial] = extract_evidence([Record("medline", pmid="2", title=title)])
    assert [(a.name, a.n_randomised) for a in trial.arms] == [("drug A", 52), ("drug B", 49)]
    assert {a.evidence[0].section for a in trial.arms} == {"title"}
