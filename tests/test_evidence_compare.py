"""Comparisons: derived counts, p-value checks, primary outcomes, on the seed trial's abstract."""

from __future__ import annotations

import pytest

from extractor.evidence import read_trial
from extractor.evidence.compare import primary_outcomes
from extractor.evidence.stats import check_p, sd_from_ci, sd_from_se
from extractor.records import AbstractSection, Record

# The abstract of the seed record (PMID 31537547, CC BY-NC 4.0), as the parsers give it.
SEED = (
    ("METHODS", "A randomised, double-blind and placebo-controlled clinical trial was designed to treat 60 "
     "patients with active SLE. These patients received either IL-2 (n=30) or placebo (n=30) with standard "
     "treatment for 12 weeks, and were followed up for additional 12 weeks. The primary endpoint was the SLE "
     "Responder Index-4 (SRI-4) at week 12."),
    ("RESULTS", "At week 12, the SRI-4 response rates were 55.17% and 30.00% for IL-2 and placebo, "
     "respectively (p=0.052). At week 24, the SRI-4 response rate of IL-2 group was 65.52%, compared with "
     "36.67% of the placebo group (p=0.027). The primary endpoint was not met at week 12. Low-dose IL-2 "
     "treatment resulted in 53.85% (7/13) complete remission in patients with lupus nephritis, compared "
     "with 16.67% (2/12) in the placebo group (p=0.036). No serious infection was observed in the IL-2 "
     "group, but two in placebo group."),
)


@pytest.fixture(scope="module")
def seed_trial():  # type: ignore[no-untyped-def]
    sections = tuple(AbstractSection(label, label, text) for label, text in SEED)
    abstract = "\n".join(f"{label}: {text}" for label, text in SEED)
    record = Record(source_format="catalogue", pmid="31537547", abstract=abstract, abstract_sections=sections)
    return record, read_trial(record)


def test_evidence_compare_seed_arms(seed_trial) -> None:  # type: ignore[no-untyped-def]
    _, trial = seed_trial
    assert [(a.name, a.n_randomised, a.role) for a in trial.arms] == [
        ("IL-2", 30, "intervention"), ("placebo", 30, "control")]


def test_evidence_compare_seed_comparisons(seed_trial) -> None:  # type: ignore[no-untyped-def]
    _, trial = seed_trial
    rows = [(c.outcome, c.timepoint, c.subgroup, c.intervention_events, c.intervention_group_size,
             c.comparator_events, c.comparator_group_size, c.p_value, c.is_primary) for c in trial.comparisons]
    assert rows == [
        # 55.17% and 65.52% of 30 fit no count (16/29 and 19/29 would change the group): blank
        ("SRI-4 response rates", "week 12", None, None, None, 9, 30, 0.052, True),
        ("SRI-4 response rate", "week 24", None, None, None, 11, 30, 0.027, False),
        ("complete remission", None, "patients with lupus nephritis", 7, 13, 2, 12, 0.036, False),
        ("serious infection", None, None, 0, 30, 2, 30, None, False),
    ]


def test_evidence_compare_seed_derived_and_p_checks(seed_trial) -> None:  # type: ignore[no-untyped-def]
    _, trial = seed_trial
    week12, week24, remission, infection = trial.comparisons
    assert set(week12.derived) == {"comparator_events", "comparator_group_size"}
    assert week12.intervention_percent == 55.17 and week12.p_recomputed is None
    assert remission.derived == () and remission.p_consistent is False
    assert set(infection.derived) >= {"intervention_group_size", "comparator_group_size"}


def test_evidence_compare_seed_evidence_slices_the_abstract(seed_trial) -> None:  # type: ignore[no-untyped-def]
    record, trial = seed_trial
    for comparison in trial.comparisons:
        assert comparison.evidence
        for ev in comparison.evidence:
            assert ev.section == "abstract"
            assert record.abstract[ev.start : ev.end] == ev.text
    assert trial.comparisons[0].evidence[0].text == "55.17%"


def test_evidence_compare_primary_outcomes() -> None:
    assert primary_outcomes(["The primary endpoint was the SRI-4 at week 12."]) == [("the SRI-4 at week 12", "week 12")]


@pytest.mark.parametrize(
    "counts,reported,relation,consistent",
    [((19, 29, 11, 30), 0.027, "=", True), ((7, 13, 2, 12), 0.036, "=", False),
     ((30, 100, 10, 100), 0.001, "<", True), ((30, 100, 28, 100), 0.05, "<", False),
     ((30, 100, 28, 100), 0.05, ">", True)],
)
def test_evidence_compare_check_p(counts, reported, relation, consistent) -> None:  # type: ignore[no-untyped-def]
    assert check_p(*counts, reported, relation).consistent is consistent


def test_evidence_compare_check_p_refuses_impossible_tables() -> None:
    assert check_p(5, 4, 1, 10, 0.5, "=") is None


def test_evidence_compare_sd_conversions() -> None:
    assert sd_from_se(0.62, 289) == pytest.approx(10.54)
    # Cochrane Handbook 6.5.2.2: n = 25, CI 3.0 to 7.0 -> SD = 5 * 4 / (2 * 2.0639)
    assert sd_from_ci(3.0, 7.0, 25) == pytest.approx(4.8451, abs=1e-4)


@pytest.mark.parametrize("table", [(3, 10, 7, 12), (0, 5, 5, 5), (40, 200, 25, 210), (1, 1, 0, 30)])
def test_evidence_compare_p_values_agree_with_scipy(table) -> None:  # type: ignore[no-untyped-def]
    from scipy import stats as sps

    from extractor.evidence.stats import two_by_two_p

    a, n1, c, n2 = table
    grid = [[a, n1 - a], [c, n2 - c]]
    ps = two_by_two_p(a, n1, c, n2)
    assert ps["fisher"] == pytest.approx(sps.fisher_exact(grid).pvalue, abs=1e-12)
    assert ps["chi2"] == pytest.approx(sps.chi2_contingency(grid, correction=False)[1], abs=1e-12)
    assert ps["chi2_yates"] == pytest.approx(sps.chi2_contingency(grid, correction=True)[1], abs=1e-12)


@pytest.mark.parametrize(
    "written,percent,size,expected",
    [
        ("25%", 25.0, 12, (3, 12, ("group_size", "events"))),  # 3/12 is the one count of 12 at 25%
        ("50%", 50.0, 13, (None, None, ())),  # no count of 13 is 50%: blank, never 6/12
        ("50%", 50.0, 300, (None, None, ())),  # 149, 150 and 151 of 300 all round to 50%
        ("41.7%", 41.7, 12, (5, 12, ("group_size", "events"))),
    ],
)
def test_evidence_compare_count_from_percent_only_when_one_fits(written, percent, size, expected) -> None:
    from extractor.evidence.compare import side
    from extractor.evidence.model import Arm, ArmValue, Evidence

    value = ArmValue("drug", percent=percent, evidence=(Evidence("abstract", written, 0, len(written)),))
    got = side(value, Arm("drug", n_randomised=size + 2, n_analysed=size))
    assert (got.events, got.total, got.derived) == expected


@pytest.mark.parametrize(
    "written,percent,randomised,expected",
    [
        ("25%", 25.0, 12, (3, 12)),  # no size from 10 to 11 gives 25% a count either
        ("29%", 29.0, 49, (None, None)),  # 14/49, but 14/48 too: the analysed may be fewer
        ("50%", 50.0, 13, (None, None)),  # 13 fits none; 6/12 would change the group
    ],
)
def test_evidence_compare_count_from_the_randomised_size_only_when_no_fewer_fits(
        written, percent, randomised, expected) -> None:
    from extractor.evidence.compare import side
    from extractor.evidence.model import Arm, ArmValue, Evidence

    value = ArmValue("drug", percent=percent, evidence=(Evidence("abstract", written, 0, len(written)),))
    got = side(value, Arm("drug", n_randomised=randomised))
    assert (got.events, got.total) == expected


@pytest.mark.parametrize("se,n,expected", [(0.12, 50, 0.85), (0.003, 50, 0.021)])
def test_evidence_compare_sd_from_se_keeps_two_significant_digits(se, n, expected) -> None:
    from extractor.evidence.compare import side
    from extractor.evidence.model import ArmValue

    got = side(ArmValue("drug", mean=1.0, se=se, n=n, dispersion="se"), None)
    assert got.sd == expected and got.derived == ("standard_deviation",)


def test_evidence_compare_every_row_names_the_rules_that_read_it(seed_trial) -> None:  # type: ignore[no-untyped-def]
    _, trial = seed_trial
    *_, infection = trial.comparisons
    assert all(c.rules and c.to_dict()["rules"] == list(c.rules) for c in trial.comparisons)
    # a group size taken from the arm, not the result, names the rule that sized the arm
    arm_rules = {z.rule for a in trial.arms for z in a.sizes}
    assert "infection" in infection.outcome and set(infection.rules) & arm_rules


def test_compare_the_other_arms_of_a_three_arm_result_lose_its_p_value_and_effect() -> None:
    from extractor.evidence.compare import comparisons
    from extractor.evidence.model import Arm, ArmValue, Result

    arms = (Arm("drug A", n_randomised=30), Arm("drug B", n_randomised=30), Arm("placebo", n_randomised=30,
                                                                                role="control"))
    values = (ArmValue("drug A", events=3, total=30), ArmValue("drug B", events=9, total=30),
              ArmValue("placebo", events=10, total=30))
    result = Result("Nausea", "binary", values, "Nausea", "text", p_value=0.01, p_operator="=",
                    effect_measure="RR", effect=0.3, ci_low=0.1, ci_high=0.9, ci_level=95.0)
    rows = {(c.intervention, c.comparator): c for c in comparisons([result], arms, (None, None), (), {})}
    assert set(rows) == {("drug A", "placebo"), ("drug B", "placebo"), ("drug A", "drug B")}
    assert rows["drug A", "placebo"].p_value == 0.01 and rows["drug A", "placebo"].effect == 0.3
    other = rows["drug A", "drug B"]
    assert (other.intervention_events, other.comparator_events) == (3, 9)
    assert other.p_value is None and other.effect is None and other.ci_low is None


@pytest.mark.parametrize(("effect", "ci", "expected", "turned"), [
    (1.4, (0.2, 2.6), (1.4, 0.2, 2.6), False),  # drug minus placebo, as the row reads
    (-1.4, (-2.6, -0.2), (1.4, 0.2, 2.6), True),  # placebo minus drug: turned round
    (0.9, (0.1, 1.7), (0.9, 0.1, 1.7), False),  # adjusted: the means do not tell, kept as given
])
def test_compare_an_estimate_is_read_as_intervention_against_comparator(effect, ci, expected, turned) -> None:
    from extractor.evidence.compare import comparisons
    from extractor.evidence.model import Arm, ArmValue, Result

    arms = (Arm("drug A", n_randomised=30), Arm("placebo", n_randomised=30, role="control"))
    values = (ArmValue("placebo", mean=3.1, sd=1.0), ArmValue("drug A", mean=4.5, sd=1.2))
    result = Result("Pain", "continuous", values, "Pain", "text", effect_measure="MD", effect=effect,
                    ci_low=ci[0], ci_high=ci[1], ci_level=95.0)
    (row,) = comparisons([result], arms, (None, None), (), {})
    assert (row.intervention, row.effect, row.ci_low, row.ci_high) == ("drug A", *expected)
    assert ("effect" in row.derived) is turned
