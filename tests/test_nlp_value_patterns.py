"""The examples and counter-examples of the value patterns (``patterns/values.jsonl``), each a test.

An example must give, through the packaged pipeline, a span of its rule whose text is exactly the
example's ``span`` and which holds a value; a counter-example must give no span of its rule.
"""

from __future__ import annotations

import pytest

from extractor.nlp import SPANS_KEY, fold, get_nlp
from extractor.nlp.components import MIN_EXAMPLES, load_patterns

PATTERNS = load_patterns()


def _cases(key: str) -> list:
    return [
        pytest.param(entry["id"], case, id=f"{entry['id']}-{n}")
        for entry in PATTERNS
        for n, case in enumerate(entry.get(key, []), 1)
    ]


def spans_of(text: str) -> list[tuple[str, str, object]]:
    """(rule id, text in ``text``, value) of every span the pipeline gives."""
    doc = get_nlp()(fold(text))
    return [(s.id_, text[s.start_char : s.end_char], s._.value) for s in doc.spans[SPANS_KEY]]


@pytest.mark.parametrize("rule_id,example", _cases("examples"))
def test_value_pattern_reads_its_example(rule_id: str, example: dict[str, str]) -> None:
    found = spans_of(example["text"])
    assert any(i == rule_id and t == example["span"] and v is not None for i, t, v in found), found


@pytest.mark.parametrize("rule_id,text", _cases("counter_examples"))
def test_value_pattern_leaves_its_counter_example(rule_id: str, text: str) -> None:
    found = spans_of(text)
    assert not [s for s in found if s[0] == rule_id], found


def test_every_value_pattern_is_documented() -> None:
    for entry in PATTERNS:
        assert list(entry)[:3] == ["label", "id", "pattern"], entry["id"]
        assert entry["purpose"].strip() and "\n" not in entry["purpose"], entry["id"]
        assert len(entry["examples"]) >= MIN_EXAMPLES, entry["id"]
        assert entry.get("counter_examples"), entry["id"]


def test_value_pattern_examples_are_distinct() -> None:
    texts = [ex["text"] for entry in PATTERNS for ex in entry["examples"]]
    assert len(texts) == len(set(texts))
