from __future__ import annotations

import json

import pytest

from extractor.errors import ExtractionError
from extractor.nlp import SPANS_KEY, build_nlp, fold, get_nlp
from extractor.nlp.components import load_patterns


def spans(text: str) -> list[tuple[str, str]]:
    doc = get_nlp()(fold(text))
    return [(s.label_, text[s.start_char : s.end_char]) for s in doc.spans[SPANS_KEY]]


@pytest.mark.parametrize(
    "text,tokens",
    [
        ("n=30", ["n", "=", "30"]),
        ("(n = 30)", ["(", "n", "=", "30", ")"]),
        ("P<.001", ["P", "<", ".001"]),
        ("p = 0.052", ["p", "=", "0.052"]),
        ("45.3\u00b112.1", ["45.3", "\u00b1", "12.1"]),
        ("95% CI 0.52\u20131.42", ["95", "%", "CI", "0.52", "\u2013", "1.42"]),
        ("7/13", ["7", "/", "13"]),
        ("55.17%", ["55.17", "%"]),
        ("\u22120.7", ["\u22120.7"]),
        ("a\u2009=\u20090.5", ["a", "=", "0.5"]),
        ("NS", ["NS"]),
        ("13(%59.1)", ["13", "(", "%", "59.1", ")"]),
        ("IL-2 and SRI-4", ["IL-2", "and", "SRI-4"]),
        ("1,234 and 2.1,4.5", ["1,234", "and", "2.1", ",", "4.5"]),
        ("45.3 +/- 2", ["45.3", "+/-", "2"]),
        # no emoticons in trial reports: "8)" closes a size, ":1" ends a ratio, "0.0" is a number
        ("(n = 8)", ["(", "n", "=", "8", ")"]),
        ("12 (8) and 5 (3; 8)", ["12", "(", "8", ")", "and", "5", "(", "3", ";", "8", ")"]),
        ("a 2:1 and 3:1 ratio", ["a", "2", ":", "1", "and", "3", ":", "1", "ratio"]),
        ("(RR): 1.9", ["(", "RR", ")", ":", "1.9"]),
        # a full stop after a lone capital is a token of its own; initials with stops stay whole
        ("in group B.", ["in", "group", "B", "."]),
        ("e.g. the U.S. data", ["e.g.", "the", "U.S.", "data"]),
    ],
)
def test_nlp_tokenizer_splits_trial_numbers(text: str, tokens: list[str]) -> None:
    doc = get_nlp().make_doc(fold(text))
    assert [text[t.idx : t.idx + len(t)] for t in doc] == tokens


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "SRI-4 response rates were 55.17% and 30.00% for IL-2 and placebo (p=0.052).",
            [("PROPORTION", "55.17%"), ("PROPORTION", "30.00%"), ("P_VALUE", "p=0.052")],
        ),
        (
            "resulted in 53.85% (7/13) complete remission",
            [("PROPORTION", "53.85% (7/13)")],
        ),
        (
            "10.5% (42/402) vs 10.6% (41/388) (adjusted RR 0.98, 95% CI 0.64\u20131.49, p = 0.912)",
            [("PROPORTION", "10.5% (42/402)"), ("PROPORTION", "10.6% (41/388)"),
             ("EFFECT", "RR 0.98, 95% CI 0.64\u20131.49"), ("P_VALUE", "p = 0.912")],
        ),
        (
            "IL-2 (n=30) or placebo (n\u2009=\u200930) for 12 weeks",
            [("GROUP_SIZE", "n=30"), ("GROUP_SIZE", "n\u2009=\u200930"), ("TIMEPOINT", "for 12 weeks")],
        ),
        (
            "duration was 47.5 \u00b1 38.9 vs 26.5 (SD 27.4) h, median 51.0 days [IQR 28.0\u201369.0]",
            [("SUMMARY", "47.5 \u00b1 38.9"), ("SUMMARY", "26.5 (SD 27.4)"),
             ("SUMMARY", "51.0 days [IQR 28.0\u201369.0]")],
        ),
        ("HR 0.72 (0.52\u20130.99), P<.001", [("EFFECT", "HR 0.72 (0.52\u20130.99)"), ("P_VALUE", "P<.001")]),
        (
            "difference \u22120.28 (95% CI \u22120.5 to \u22120.1)",
            [("SUMMARY", "\u22120.28 (95% CI \u22120.5 to \u22120.1)")],
        ),
        ("mean difference, 95% CI \u22120.5 to \u22120.1", [("CI", "95% CI \u22120.5 to \u22120.1")]),
        ("was 24.25\u00b13.41 (18\u201328) minutes", [("SUMMARY", "24.25\u00b13.41 (18\u201328)")]),
        ("in 13 of 69 (19%) and 19 out of 68 (28%)",
         [("PROPORTION", "13 of 69 (19%)"), ("PROPORTION", "19 out of 68 (28%)")]),
        ("in 8 of 30 patients (26.7%) vs. 3/31 patients (9.7%)",  # the count, not the total, is the events
         [("PROPORTION", "8 of 30 patients (26.7%)"), ("PROPORTION", "3/31 patients (9.7%)")]),
    ],
)
def test_nlp_values_recognised_with_offsets(text: str, expected: list[tuple[str, str]]) -> None:
    assert spans(text) == expected


def test_nlp_values_carry_parsed_value_and_rule_id() -> None:
    doc = get_nlp()(fold("7/13 (53.85%)"))
    (span,) = doc.spans[SPANS_KEY]
    assert span.id_ == "frac_pct"
    assert (span._.value.events, span._.value.total, span._.value.percent) == (7, 13, 53.85)


# What every pattern must carry besides its label, id and pattern (load_patterns checks it).
DOCUMENTED = {
    "purpose": "a time point: 'week 12'",
    "examples": [{"text": "at week 12", "span": "week 12"}, {"text": "week 4 scores", "span": "week 4"}],
    "counter_examples": ["weeks 12"],
}


def pattern_line(**entry) -> str:
    return json.dumps(entry | {k: v for k, v in DOCUMENTED.items() if k not in entry}) + "\n"


def test_nlp_build_refuses_bad_patterns(tmp_path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(pattern_line(label="NOPE", id="x", pattern=[{"LOWER": "x"}]))
    with pytest.raises(ExtractionError, match="unknown label"):
        build_nlp(patterns_path=str(bad))
    bad.write_text("{not json}\n")
    with pytest.raises(ExtractionError, match="bad.jsonl:1"):
        build_nlp(patterns_path=str(bad))


def test_nlp_every_packaged_pattern_has_unique_id() -> None:
    patterns = load_patterns()
    ids = [(p["label"], p["id"]) for p in patterns]
    assert len(ids) == len(set(ids))


def test_nlp_build_refuses_an_invalid_pattern(tmp_path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(pattern_line(label="TIMEPOINT", id="broken", pattern=[{"LOWER": {"IN": "week"}}]))
    with pytest.raises(ExtractionError, match="'TIMEPOINT/broken'"):  # the Matcher's refusal
        build_nlp(patterns_path=str(bad))


def test_nlp_load_patterns_reads_a_documented_pattern(tmp_path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(pattern_line(label="TIMEPOINT", id="week", pattern=[{"LOWER": "week"}, {"LIKE_NUM": True}]))
    (entry,) = load_patterns(good)
    assert entry["id"] == "week" and len(entry["examples"]) == 2
    doc = build_nlp(patterns_path=str(good))("scores at week 12")
    assert [(s.id_, s.text) for s in doc.spans[SPANS_KEY]] == [("week", "week 12")]


@pytest.mark.parametrize(
    "change,message",
    [
        ({"examples": None}, "fewer than 2 examples"),
        ({"examples": []}, "fewer than 2 examples"),
        ({"examples": [{"text": "at week 12", "span": "week 12"}]}, "fewer than 2 examples"),
        ({"purpose": None}, "no purpose"),
        ({"purpose": "  "}, "no purpose"),
        ({"purpose": "a time point\nover two lines"}, "a purpose of more than one line"),
        ({"examples": [{"text": "at week 12"}, {"text": "week 4", "span": "week 4"}]}, "example 1 has no text or no span"),
        ({"examples": ["at week 12", "week 4"]}, "example 1 is not an object"),
        ({"examples": [{"text": "at week 12", "span": "week 12"}, {"text": "week 4", "span": "week 5"}]},
         "example 2: span 'week 5' is not in its text"),
        ({"counter_examples": "weeks 12"}, "counter_examples is not a list"),
    ],
)
def test_nlp_load_patterns_refuses_an_undocumented_pattern(tmp_path, change, message) -> None:
    entry = {"label": "TIMEPOINT", "id": "week", "pattern": [{"LOWER": "week"}, {"LIKE_NUM": True}]} | DOCUMENTED
    entry = {k: v for k, v in (entry | change).items() if v is not None}
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n" + json.dumps(entry) + "\n")
    with pytest.raises(ExtractionError, match=f"bad.jsonl:2: pattern 'week': {message}"):
        load_patterns(bad)
    with pytest.raises(ExtractionError, match=message):
        build_nlp(patterns_path=str(bad))


@pytest.mark.parametrize(
    "text,sentences",
    [
        ("Pain fell in group A. Nausea rose in group B. Both were mild.",
         ["Pain fell in group A.", "Nausea rose in group B.", "Both were mild."]),
        ("Levels of vitamin D. The rest", ["Levels of vitamin D.", "The rest"]),
        # an abbreviated genus goes on with its sentence
        ("Eradication of H. pylori was higher in group A. E. coli grew in two.",
         ["Eradication of H. pylori was higher in group A.", "E. coli grew in two."]),
    ],
)
def test_nlp_sentences_end_after_a_lone_capital_but_not_inside_a_genus(text: str, sentences: list[str]) -> None:
    assert [s.text for s in get_nlp()(fold(text)).sents] == sentences
