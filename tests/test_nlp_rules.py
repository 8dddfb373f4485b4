from __future__ import annotations

import pytest

from extractor.nlp import rules
from extractor.nlp.rules import Interval, Proportion, PValue, Summary


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1,234.5", 1234.5),
        ("\u22120.7", -0.7),
        ("0\u00b752", 0.52),
        (".001", 0.001),
        ("5 \u00d7 10\u207b\u2074", 0.0005),
        ("2.1e-3", 0.0021),
        ("\u20133", -3.0),
        ("abc", None),
        ("-", None),
        ("", None),
    ],
)
def test_rules_parse_number(text: str, expected: float | None) -> None:
    result = rules.parse_number(text)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("p=0.052", PValue("=", 0.052)),
        ("P<.001", PValue("<", 0.001)),
        ("p < 0\u00b705", PValue("<", 0.05)),
        ("P value of 0.03", PValue("=", 0.03)),
        ("p = 5 \u00d7 10\u207b\u2074", PValue("=", 0.0005)),
        ("NS", PValue(">", 0.05)),
        ("(P = 0.04)", PValue("=", 0.04)),
        ("p \u2264 0.01", PValue("<=", 0.01)),
        ("P=1.2", None),
        ("q=0.01", None),
    ],
)
def test_rules_parse_p_value(text: str, expected: PValue | None) -> None:
    assert rules.parse_p_value(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("7/13 (53.85%)", Proportion(7, 13, 53.85, 2)),
        ("53.85% (7/13)", Proportion(7, 13, 53.85, 2)),
        ("16 (53.3%)", Proportion(16, None, 53.3, 1)),
        ("7 of 13", Proportion(7, 13, None, None)),
        ("7 out of 13", Proportion(7, 13, None, None)),
        ("55.17%", Proportion(None, None, 55.17, 2)),
        ("13(%59.1)", Proportion(13, None, 59.1, 1)),
        ("42/402 (10.5)", Proportion(42, 402, 10.5, 1)),
        ("155/406 [38.2%]", Proportion(155, 406, 38.2, 1)),
        ("25 patients (20%)", Proportion(25, None, 20.0, 0)),
        ("12 of 40 women (30%)", Proportion(12, 40, 30.0, 0)),
        ("3/24 eyes (12.5%)", Proportion(3, 24, 12.5, 1)),
        ("30 of 12 women (25%)", None),
        # inconsistent or impossible: refused rather than half-read
        ("9/13 (20%)", None),
        ("42/402 (12.5)", None),
        ("14/13", None),
        ("120%", None),
    ],
)
def test_rules_parse_proportion(text: str, expected: Proportion | None) -> None:
    assert rules.parse_proportion(text) == expected


@pytest.mark.parametrize(
    "text,default,expected",
    [
        ("45.3 \u00b1 12.1", None, Summary(45.3, "unknown", "unknown", 12.1)),
        ("45.3 \u00b1 12.1", "sd", Summary(45.3, "mean", "sd", 12.1)),
        ("45.3 +/- 12.1 (SE)", None, Summary(45.3, "mean", "se", 12.1)),
        ("45.3 (SD 12.1)", None, Summary(45.3, "mean", "sd", 12.1)),
        ("45.2 kg (SD = 3.1)", None, Summary(45.2, "mean", "sd", 3.1)),
        ("45.3 (12.1)", None, Summary(45.3, "unknown", "unknown", 12.1)),
        ("3.2 (2.1\u20134.5)", None, Summary(3.2, "unknown", "unknown", None, 2.1, 4.5)),
        ("3.2 (2.1\u20134.5)", "iqr", Summary(3.2, "median", "iqr", None, 2.1, 4.5)),
        ("51.0 days [IQR 28.0\u201369.0]", None, Summary(51.0, "median", "iqr", None, 28.0, 69.0)),
        ("\u22120.28 \u00b10.11", "sd", Summary(-0.28, "mean", "sd", 0.11)),
        ("3.2 (4.5\u20132.1)", None, None),
        ("12 (40%)", None, None),
    ],
)
def test_rules_parse_summary(text: str, default: str | None, expected: Summary | None) -> None:
    assert rules.parse_summary(text, default_dispersion=default) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("95% CI 0.52\u20131.42", Interval(0.52, 1.42)),
        ("(0.52 to 1.42)", Interval(0.52, 1.42)),
        ("95% CI: 0.52, 1.42", Interval(0.52, 1.42)),
        ("[\u22121.2; 0.3]", Interval(-1.2, 0.3)),
        ("90% CI 1 to 2", Interval(1.0, 2.0, 90.0)),
        ("95% CIs (0.5 to 0.9", Interval(0.5, 0.9)),
        ("95% confidence interval was 1.2 to 5.1", Interval(1.2, 5.1)),
        ("95% CI 1.42\u20130.52", None),
    ],
)
def test_rules_parse_interval(text: str, expected: Interval | None) -> None:
    assert rules.parse_interval(text) == expected


@pytest.mark.parametrize(
    "text,measure,value,interval",
    [
        ("OR 1.52", "OR", 1.52, None),
        ("HR = 0.72 (0.52\u20130.99)", "HR", 0.72, Interval(0.52, 0.99)),
        ("odds ratio 2.1, 95% CI 1.1\u20133.9", "OR", 2.1, Interval(1.1, 3.9)),
        ("adjusted RR 0.98", "RR", 0.98, None),
        ("hazard ratio (HR) 0.5", "HR", 0.5, None),
        ("hazard ratio [HR] 0.55", "HR", 0.55, None),
    ],
)
def test_rules_parse_effect(text: str, measure: str, value: float, interval: Interval | None) -> None:
    assert rules.parse_effect(text) == rules.Effect(measure, value, interval)


@pytest.mark.parametrize("text", ["HR 0.8 (0.9-0.7)", "XYZ 1.2", "OR"])
def test_rules_parse_effect_refuses(text: str) -> None:
    assert rules.parse_effect(text) is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("at week 12", "week 12"),
        ("after 6 months", "month 6"),
        ("12-week follow-up", "week 12"),
        ("at 24 h", "hour 24"),
        ("visit 3", "visit 3"),
        ("the patients", None),
    ],
)
def test_rules_parse_timepoint(text: str, expected: str | None) -> None:
    tp = rules.parse_timepoint(text)
    assert (str(tp) if tp else None) == expected


@pytest.mark.parametrize("earlier,later", [("at week 12", "at week 52"), ("after 4 weeks", "at 2 months"),
                                           ("at 24 h", "day 3"), ("week 26", "12 months")])
def test_rules_timepoints_order_by_days(earlier: str, later: str) -> None:
    first, second = rules.parse_timepoint(earlier), rules.parse_timepoint(later)
    assert first is not None and second is not None and first.days < second.days


@pytest.mark.parametrize(
    "percent,digits,total,expected",
    [
        # exactly one integer of the group fits
        (30.00, 2, 30, (9, 30)),
        (36.67, 2, 30, (11, 30)),
        (80, 0, 108, (86, 108)),
        (0, 0, 30, (0, 30)),
        # no integer fits: blank, and never a smaller group that would fit (6/12 for 50% of 13)
        (50, 0, 13, None),
        (55.17, 2, 30, None),
        (33.3, 1, 10, None),
        # several integers fit (149, 150 and 151 of 300 all round to 50%): blank
        (50, 0, 300, None),
        (71, 0, 246, None),  # 174 and 175 of 246 are both 71%
        (0, 0, 300, None),
        (12.0, 1, 0, None),
    ],
)
def test_rules_counts_from_percent(percent, digits, total, expected) -> None:
    assert rules.counts_from_percent(percent, digits, total) == expected


@pytest.mark.parametrize(
    "percent,digits,randomised,expected",
    [
        (30.00, 2, 30, (9, 30)),  # 27 to 29 give 30.00% no count
        (36.67, 2, 30, (11, 30)),
        (29, 0, 49, None),  # 14/49 fits, and 14/48 too
        (55.17, 2, 30, None),  # only 16/29 fits: the size is never changed to fit
        (0, 0, 30, (0, 30)),  # none of the group, whoever was counted
    ],
)
def test_rules_counts_from_percent_of_the_randomised(percent, digits, randomised, expected) -> None:
    assert rules.counts_from_percent(percent, digits, randomised, randomised=True) == expected


@pytest.mark.parametrize(
    "text,expected",
    [("n=30", 30), ("(n = 30)", 30), ("N: 1,204", 1204), ("[n=12]", 12), ("n=", None)],
)
def test_rules_parse_group_size(text: str, expected: int | None) -> None:
    assert rules.parse_group_size(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [("two", 2), ("Thirty", 30), ("twenty-five", 25), ("fifty two", 52), ("none", 0), ("42", 42),
     ("many", None), ("twenty thirty", None)],
)
def test_rules_parse_count_word(text: str, expected: int | None) -> None:
    assert rules.parse_count_word(text) == expected


@pytest.mark.parametrize("text", ["a\u2212b\u00b7c\u2009d", "\u2009\u00a0\u202f"])
def test_rules_fold_keeps_length(text: str) -> None:
    assert len(rules.fold(text)) == len(text)


@pytest.mark.parametrize(
    "text,expected",
    [("Medial tibia, 24 months", "medial tibia"), ("Pain at week 12", "pain at"), ("12-week VAS", "vas"),
     ("IL-6 (pg/ml)", "il-6 pg/ml")],
)
def test_rules_untimed(text: str, expected: str) -> None:
    assert rules.untimed(text) == expected


@pytest.mark.parametrize(
    "text,centre,spread",
    [("–4.0 (3.9)", -4.0, 3.9), ("4.3 ± 1,4", 4.3, 1.4), ("1,234 ± 12", 1234.0, 12.0)],
)
def test_rules_summary_dash_minus_and_decimal_comma(text: str, centre: float, spread: float) -> None:
    s = rules.parse_summary(text, default_dispersion="sd")
    assert s is not None and (s.centre, s.spread) == (centre, spread)


def test_rules_summary_mean_sd_and_range() -> None:
    s = rules.parse_summary("24.25 ± 3.41 (18–28)", default_dispersion="sd")
    assert (s.centre, s.spread, s.low, s.high, s.dispersion) == (24.25, 3.41, 18.0, 28.0, "sd")
    assert rules.parse_summary("24.25 ± 3.41 (30–40)") is None  # a mean outside its range is no such reading


def test_rules_fold_changes_only_characters_outside_ascii() -> None:
    # fold returns ASCII text untouched, and replaces variants one after the other: no variant it
    # replaces may be ASCII, and every replacement is one ASCII character
    assert all(not variant.isascii() and len(plain) == 1 and plain.isascii() for variant, plain in rules._FOLD_PAIRS)
    assert rules.fold("P = 0.04, n=12 (x)") == "P = 0.04, n=12 (x)"
    assert rules.fold("\u22120\u00b752\u2009mg") == "-0.52 mg"


def test_rules_fold_replaces_as_its_table_says() -> None:
    text = "a" + "b".join(chr(code) for code in rules._FOLD) + "\u2212\u00b7 \u00e9"
    assert rules.fold(text) == text.translate(rules._FOLD)
