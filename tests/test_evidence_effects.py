"""Effect estimates with no per-arm values: kept as comparisons with their arms, intervention first."""

from __future__ import annotations

import pytest

from extractor.evidence import read_trial
from extractor.records import AbstractSection, Record

METHODS = ("We randomly assigned 240 adults with chronic back pain to duloxetine (n=120) or placebo (n=120) "
           "for 12 weeks.")


def _trial(results: str, methods: str = METHODS):  # type: ignore[no-untyped-def]
    parts = (("METHODS", methods), ("RESULTS", results))
    sections = tuple(AbstractSection(label, label, text) for label, text in parts)
    abstract = "\n".join(f"{label}: {text}" for label, text in parts)
    return read_trial(Record(source_format="catalogue", pmid="1", abstract=abstract, abstract_sections=sections))


def _row(c):  # type: ignore[no-untyped-def]
    return (c.outcome, c.outcome_type, c.intervention, c.comparator, c.effect_measure, c.effect, c.ci_low,
            c.ci_high)


@pytest.mark.parametrize(
    "sentence,expected",
    [
        ("The mean difference in pain score between duloxetine and placebo was -2.1 (95% CI -3.4 to -0.8).",
         ("pain score", "continuous", "duloxetine", "placebo", "MD", -2.1, -3.4, -0.8)),
        ("Hospital admission was less frequent with duloxetine than with placebo (HR 0.72, 95% CI 0.58-0.89).",
         ("Hospital admission", "time-to-event", "duloxetine", "placebo", "HR", 0.72, 0.58, 0.89)),
        ("Compared with placebo, duloxetine reduced the odds of opioid use (odds ratio 0.61, 95% CI 0.40 to 0.93).",
         ("opioid use", "binary", "duloxetine", "placebo", "OR", 0.61, 0.40, 0.93)),
        ("The standardized mean difference in disability was -0.35 (95% CI -0.61 to -0.09) with duloxetine.",
         ("disability", "continuous", "duloxetine", "placebo", "SMD", -0.35, -0.61, -0.09)),
        ("Falls were more common with duloxetine (RR 1.8; 95% CI 1.1 to 2.9).",
         ("Falls", "binary", "duloxetine", "placebo", "RR", 1.8, 1.1, 2.9)),
        ("The risk difference for dizziness between duloxetine and placebo was 0.06 (95% CI 0.01 to 0.11).",
         ("dizziness", "binary", "duloxetine", "placebo", "RD", 0.06, 0.01, 0.11)),
    ],
)
def test_evidence_effects_estimate_with_ci_is_a_comparison(sentence, expected) -> None:
    trial = _trial(sentence)
    assert [_row(c) for c in trial.comparisons] == [expected]
    row = trial.comparisons[0]
    assert row.ci_level == 95.0 and row.intervention_events is None and row.intervention_mean is None
    assert row.evidence and row.evidence[0].text[:1].isalpha() or row.evidence[0].text[:1] in "-0123456789"


@pytest.mark.parametrize(
    "sentence,expected",
    [
        # the control arm's estimate against the intervention: a ratio inverted, its CI too
        ("Compared with duloxetine, placebo increased the risk of relapse (HR 1.25, 95% CI 1.10 to 1.60).",
         ("relapse", "time-to-event", "duloxetine", "placebo", "HR", 0.8, 0.625, 0.9091)),
        # a difference negated
        ("The mean difference in sleep hours between placebo and duloxetine was 0.5 (95% CI 0.2 to 0.8).",
         ("sleep hours", "continuous", "duloxetine", "placebo", "MD", -0.5, -0.8, -0.2)),
    ],
)
def test_evidence_effects_turned_round_to_read_intervention_first(sentence, expected) -> None:
    (row,) = _trial(sentence).comparisons
    assert _row(row) == expected and row.derived == ("effect",)


@pytest.mark.parametrize(
    "sentence",
    [
        "Hospital admission was less frequent with duloxetine (HR 0.72).",  # no CI: no variance
        "The hazard ratio for admission was 0.72 (95% CI 0.58-0.89).",  # no arm named
        "Hospital admission was less frequent with duloxetine (HR 0.72, 95% CI 0.80-0.89).",  # outside its CI
        "Pain scores were lower with duloxetine (IRR 0.72, 95% CI 0.58-0.89).",  # a measure not pooled
    ],
)
def test_evidence_effects_left_alone(sentence) -> None:
    assert _trial(sentence).comparisons == ()


def test_evidence_effects_three_arms_one_named_is_left_alone() -> None:
    methods = ("We randomly assigned 360 adults to duloxetine (n=120), pregabalin (n=120) or placebo (n=120) "
               "for 12 weeks.")
    trial = _trial("Falls were more common with duloxetine (RR 1.8; 95% CI 1.1 to 2.9).", methods)
    assert trial.comparisons == ()


def test_evidence_effects_said_twice_kept_once_and_not_beside_arm_values() -> None:
    results = ("Falls were more common with duloxetine (RR 1.8; 95% CI 1.1 to 2.9). "
               "Falls were more common with duloxetine (RR 1.8; 95% CI 1.1 to 2.9). "
               "Nausea occurred in 18 of 120 patients given duloxetine and 7 of 120 given placebo "
               "(RR 2.57, 95% CI 1.11 to 5.93).")
    rows = [(c.outcome, c.effect, c.intervention_events) for c in _trial(results).comparisons]
    assert rows == [("Nausea", 2.57, 18), ("Falls", 1.8, None)]


def test_evidence_effects_each_estimate_with_the_arms_named_after_it() -> None:
    methods = ("We randomly assigned 360 adults to duloxetine (n=120), pregabalin (n=120) or placebo (n=120) "
               "for 12 weeks.")
    results = ("The odds ratio of response was 1.67 (95% CI 0.95 to 2.94) for duloxetine vs placebo and 1.98 "
               "(95% CI 1.13 to 3.50) for pregabalin vs placebo.")
    rows = [(c.outcome, c.intervention, c.comparator, c.effect) for c in _trial(results, methods).comparisons]
    assert rows == [("response", "duloxetine", "placebo", 1.67), ("response", "pregabalin", "placebo", 1.98)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Cure was seen with duloxetine in 40 or 97.2% (95% CI 85.5 to 99.1) of the patients treated.",
    ],
)
def test_evidence_effects_a_lower_case_or_is_no_odds_ratio(sentence) -> None:
    assert all(c.effect_measure != "OR" for c in _trial(sentence).comparisons)
