from __future__ import annotations

import pytest
import spacy
from spacy.matcher import Matcher

from extractor.errors import ExtractionError
from extractor.nlp import fold, get_nlp
from extractor.nlp.components import ANCHOR_WORDS, load_patterns
from extractor.nlp.matching import Reach, WindowedMatcher, needed_words, pattern_reach

NUM = {"LIKE_NUM": True}

# Texts written for these tests: numbers of every kind the packaged patterns read, close together and
# far apart, at the start and the end of the text.
TEXTS = [
    "12 of 40 (30%) in group A and 7/38 (18.4%) in placebo, OR 0.52 (95% CI 0.30-0.91), P < .001",
    "Scores fell from 5.2 \u00b1 1.1 to 3.1 (SD 0.9) at week 12 versus 4.0 [IQR 3-5] (n = 22); NS",
    "No numbers in this sentence at all, just words about the design of a trial and its groups.",
    "The hazard ratio (HR) = 0.71 and the mean difference was -2.4 (95% CI -3.1 to -1.7) after 6 "
    "months of follow-up, with relative risk 1.3; p value of 0.04 for trend; 45.3 +/- 12.1 (range 20 - 70)",
    "25",
    "",
]
# Each expression alone among words, so that no other number's window reaches it.
_WORDS = " and then the patients went home to rest with their families for a while, "
TEXTS.append(_WORDS.join(["the odds ratio (OR) = 1.8", "a 6 month follow-up", "at 6 - weeks", "12 of 40 (30%)",
                          "OR 2.1 (95% CI 1.2 - 3.4)", "45.3 \u00b1 12.1 (SD)", "32 women (40%)", "(12 patients)",
                          "p value of 0.2 for trend", "3 - week follow - up", "end"]))


def _plain(nlp: spacy.Language, patterns: list[tuple[str, list[dict]]], doc: spacy.tokens.Doc) -> list:
    matcher = Matcher(nlp.vocab)
    for key, pattern in patterns:
        matcher.add(key, [pattern])
    return sorted((nlp.vocab.strings[k], s, e) for k, s, e in matcher(doc))


def _windowed(nlp: spacy.Language, matcher: WindowedMatcher, doc: spacy.tokens.Doc) -> list:
    return sorted((nlp.vocab.strings[k], s, e) for k, s, e in matcher(doc))


@pytest.mark.parametrize("text", TEXTS)
def test_nlp_matching_finds_what_one_matcher_over_the_whole_text_finds(text: str) -> None:
    nlp = get_nlp()
    patterns = [(f"{e['label']}/{e['id']}", e["pattern"]) for e in load_patterns()]
    doc = nlp.make_doc(fold(text))
    windowed = nlp.get_pipe("extractor_values").matcher
    assert isinstance(windowed, WindowedMatcher)
    assert _windowed(nlp, windowed, doc) == _plain(nlp, patterns, doc)


def test_nlp_matching_patterns_without_numbers_or_bounds_are_matched_everywhere() -> None:
    nlp = spacy.blank("en")
    patterns = [("words", [{"LOWER": "placebo"}, {"LOWER": "group"}]),
                ("repeat", [{"LOWER": "very", "OP": "+"}, NUM]),
                ("number", [{"LOWER": "n"}, {"TEXT": "="}, NUM])]
    doc = nlp.make_doc("the placebo group " + "x " * 40 + "very very 3 and n = 4 " + "y " * 30 + "Placebo Group")
    windowed = WindowedMatcher(nlp.vocab, patterns)
    assert _windowed(nlp, windowed, doc) == _plain(nlp, patterns, doc)
    assert [name for name, *_ in _windowed(nlp, windowed, doc)].count("words") == 2


def test_nlp_matching_word_lists_match_as_listed_whether_flags_or_not() -> None:
    # 50 lists: more than the lexeme flags free for them, so the last ones stay lists the Matcher tests itself
    nlp = spacy.blank("en")
    patterns = [(f"w{i}", [{"LOWER": {"IN": ["week", f"wk{i}"]}}, {"TEXT": {"IN": ["=", f"at{i}"]}}, NUM])
                for i in range(25)]
    windowed = WindowedMatcher(nlp.vocab, patterns)
    doc = nlp.make_doc("WEEK = 4; wk3 at3 5; wk24 at24 6; week AT3 5; Wk24 at 6; weeks = 2")
    found = _windowed(nlp, windowed, doc)
    assert found == _plain(nlp, patterns, doc)
    assert sorted(f"{key} {doc[s:e].text}" for key, s, e in found) == sorted(
        [f"w{i} WEEK = 4" for i in range(25)] + ["w3 wk3 at3 5", "w24 wk24 at24 6"])


@pytest.mark.parametrize(
    "pattern,reach",
    [
        ([NUM], Reach(0, 1, 0)),
        ([{"LOWER": "odds"}, {"LOWER": "ratio"}, {"TEXT": "(", "OP": "?"}, NUM], Reach(3, 1, 0)),
        ([NUM, {"TEXT": "%"}, {"LOWER": "ci"}, NUM, {"TEXT": "-"}, NUM, {"TEXT": ")", "OP": "?"}], Reach(0, 2, 3)),
        ([{"LIKE_NUM": True, "OP": "?"}, {"TEXT": "NS"}], Reach(1, 1, 0)),
        ([{"TEXT": {"IN": ["NS", "ns"]}}], Reach(0, 1, 0)),
        ([{"LOWER": "placebo"}], None),
        ([{"LIKE_NUM": True, "OP": "?"}], None),
        ([{"LOWER": "very", "OP": "*"}, NUM], None),
    ],
)
def test_nlp_matching_pattern_reach(pattern: list[dict], reach: Reach | None) -> None:
    assert pattern_reach(pattern, ANCHOR_WORDS) == reach


def test_nlp_matching_every_packaged_pattern_is_matched_only_around_numbers() -> None:
    assert all(pattern_reach(e["pattern"], ANCHOR_WORDS) is not None for e in load_patterns())


def test_nlp_matching_needed_words_are_those_of_tokens_every_match_has() -> None:
    pattern = [{"LOWER": {"IN": ["p", "p-value"]}}, {"TEXT": "=", "OP": "?"}, {"ORTH": "<"}, NUM, {"IS_ALPHA": True}]
    assert needed_words(pattern) == [("LOWER", frozenset({"p", "p-value"})), ("ORTH", frozenset({"<"}))]


def test_nlp_matching_refuses_an_invalid_pattern() -> None:
    with pytest.raises(ExtractionError, match="broken"):
        WindowedMatcher(spacy.blank("en").vocab, [("broken", [{"LOWER": {"IN": "week"}}])])
