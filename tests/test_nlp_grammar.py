"""The evidence grammar: every rule's examples and counter-examples as tests, and the loader's checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractor.errors import ExtractionError
from extractor.nlp import grammar
from extractor.nlp.grammar import Example, Rule

RULES = grammar.rules()
EXAMPLES = [pytest.param(r, e, id=f"{r.id}:{e.text[:40]}") for r in RULES for e in r.examples]
COUNTERS = [pytest.param(r, c, id=f"{r.id}:{c[:40]}") for r in RULES for c in r.counter_examples]
CUED = [pytest.param(r, e, id=f"{r.id}:{e.text[:40]}") for r in RULES if r.cues for e in r.examples]


@pytest.mark.parametrize("rule,example", EXAMPLES)
def test_nlp_grammar_rule_takes_its_example(rule: Rule, example: Example) -> None:
    m = rule.apply(example.text)
    assert m is not None
    for key, want in example.groups:
        assert m.group(int(key) if key.isdigit() else key) == want


@pytest.mark.parametrize("rule,text", COUNTERS)
def test_nlp_grammar_rule_leaves_its_counter_example(rule: Rule, text: str) -> None:
    assert rule.apply(text) is None


@pytest.mark.parametrize("rule,example", CUED)
def test_nlp_grammar_cue_filter_passes_every_example(rule: Rule, example: Example) -> None:
    assert grammar.cue_filter([rule.id])(example.text)


def test_nlp_grammar_every_rule_has_an_id_a_purpose_and_two_examples() -> None:
    assert len({r.id for r in RULES}) == len(RULES)
    for r in RULES:
        assert re.fullmatch(r"[a-z_]+\.[a-z0-9_]+", r.id), r.id
        assert r.purpose.strip() and "\n" not in r.purpose
        assert len(r.examples) >= 2, r.id


def test_nlp_grammar_rule_is_compiled_once() -> None:
    first = RULES[0]
    assert grammar.rule(first.id) is grammar.rule(first.id) is first.pattern


@pytest.mark.parametrize("call", [grammar.rule, grammar.words, grammar.weight])
def test_nlp_grammar_unknown_name_raises(call) -> None:
    with pytest.raises(ExtractionError, match="no_such_thing"):
        call("no_such_thing")


def test_nlp_grammar_cue_filter_is_case_insensitive_and_rejects_texts_without_cues() -> None:
    cued = next(r for r in RULES if r.cues)
    passes = grammar.cue_filter([cued.id])
    assert passes(cued.cues[0].upper())
    assert not passes("1234 5678")


def test_nlp_grammar_cue_filter_needs_declared_cues() -> None:
    uncued = next(r for r in RULES if not r.cues)
    with pytest.raises(ExtractionError, match=re.escape(uncued.id)):
        grammar.cue_filter([uncued.id])


def test_nlp_grammar_words_and_weights_are_loaded() -> None:
    assert "placebo" not in grammar.words("articles") and "the" in grammar.words("articles")
    assert isinstance(grammar.weight("text.reach_before"), int | float)
    assert grammar.limit("text.reach_before") == grammar.weight("text.reach_before")


def test_nlp_grammar_placeholder_expands_a_word_class_in_order() -> None:
    assert grammar.expand(r"\b{articles}\b{2,3}") == r"\b(?:a|an|the)\b{2,3}"


def _entry(**changes):
    entry = {"id": "demo.rule", "purpose": "a demo", "regex": r"\bcat\b", "examples": ["a cat", "cat!"],
             "counter_examples": ["catalogue"]}
    entry.update(changes)
    return {k: v for k, v in entry.items() if v is not None}


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"id": "other.rule"}, "must start with 'demo.'"),
        ({"purpose": None}, "one-line purpose"),
        ({"purpose": "two\nlines"}, "one-line purpose"),
        ({"examples": ["a cat"]}, "at least 2 examples"),
        ({"regex": r"(cat"}, "does not compile"),
        ({"regex": r"{no_such_class}"}, "does not compile"),
        ({"examples": ["a cat", "a dog"]}, "does not take its example 'a dog'"),
        ({"counter_examples": ["the cat"]}, "takes its counter-example 'the cat'"),
        ({"examples": [{"text": "a cat", "groups": {"1": "cat"}}, "cat"]}, "does not have"),
        ({"regex": r"\b(cat)\b", "examples": [{"text": "a cat", "groups": {"1": "dog"}}, "cat"]}, "group 1"),
        ({"cues": ["dog"]}, "holds none of the cues"),
        ({"cues": ["CAT"]}, "lower case"),
        ({"cues": ["ca"]}, "holds none of the cues"),
        ({"mode": "fullmatch"}, "does not take its example 'a cat'"),
        ({"mode": "findall"}, "mode 'findall'"),
        ({"flags": ["Q"]}, "unknown flag"),
        ({"colour": "red"}, "unknown keys"),
    ],
)
def test_nlp_grammar_load_rejects_a_bad_rule_naming_it(changes, message) -> None:
    with pytest.raises(ExtractionError, match=re.escape(message)) as caught:
        grammar._build(_entry(**changes), "demo.jsonl:1", area="demo")
    assert "demo" in str(caught.value)


def test_nlp_grammar_load_accepts_a_good_rule() -> None:
    built = grammar._build(_entry(cues=["cat"], flags=["I"]), "demo.jsonl:1", area="demo")
    assert built.apply("A CAT") and not built.apply("catalogue")


def test_nlp_grammar_cue_filter_takes_cues_as_whole_words() -> None:
    passes = grammar._cue_search(("cat", "not any"))
    assert passes("A CAT sat") and passes("there was not any")
    assert not passes("catalogue") and not passes("bobcat") and not passes("not anyone")


def _package_source() -> str:
    """The package's code, and the size rules (patterns/sizes.jsonl), which name classes by "@class",
    "needs" or "{class}"."""
    root = Path(grammar.__file__).resolve().parent.parent
    sizes = (root / "nlp" / "patterns" / "sizes.jsonl").read_text("utf-8")
    named = sizes.replace("@", '"').replace("{", '"').replace("}", '"')
    return "\n".join(p.read_text("utf-8") for p in root.rglob("*.py")) + "\n" + named


def test_nlp_grammar_every_rule_class_and_weight_is_used() -> None:
    """No dead data: each rule and weight is named in the code, each class in the code or a rule."""
    source = _package_source()
    regexes = "\n".join(r.source and r.pattern.pattern for r in RULES)
    unused = [r.id for r in RULES if f'"{r.id}"' not in source]
    unused += [w for w in grammar._weights() if f'"{w}"' not in source]
    unused += [c for c in grammar._lexicon() if f'"{c}"' not in source and
               grammar.expand("{" + c + "}") not in regexes]
    assert unused == []
