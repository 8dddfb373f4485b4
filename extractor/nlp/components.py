"""spaCy components of the extraction pipeline. Thin: the reading of values is in ``rules``.

``extractor_values`` finds the numeric expressions of trial reports with Matcher patterns kept as
data (``patterns/values.jsonl``, each with an ``id``), keeps the longest non-overlapping ones,
parses each with :mod:`extractor.nlp.rules`, and writes them to ``doc.spans["extractor"]`` with the
parsed value in ``span._.value`` and the pattern id in ``span.id_``.

``values.jsonl`` holds one rule a line: ``{"label": ..., "id": ..., "pattern": [...], "purpose": "...",
"examples": [{"text": "...", "span": "..."}, ...], "counter_examples": ["...", ...]}``. ``label``
chooses the reader (:data:`READERS`) and ``pattern`` is the spaCy Matcher pattern, the only part
given to the Matcher. ``purpose`` says in one line what phrasing the rule reads; each example is a
short ``text`` in which the rule must give a span whose text is exactly ``span`` (with a value);
each counter-example is a text in which it must give none (a near miss of the phrasing, or one a
longer rule takes). The examples and counter-examples are tests (``tests/test_nlp_value_patterns.py``).
:func:`load_patterns` refuses a rule without a non-empty ``purpose`` or with fewer than two examples,
an example without ``text`` and ``span`` or whose ``span`` is not part of its ``text``, and
``counter_examples`` that are not a list of texts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from extractor.errors import ExtractionError
from extractor.nlp import rules
from extractor.nlp.matching import WindowedMatcher

SPANS_KEY = "extractor"

# Which reader turns the text of a span with this label into a value.
READERS: dict[str, Callable[[str], Any]] = {
    "P_VALUE": rules.parse_p_value,
    "GROUP_SIZE": rules.parse_group_size,
    "PROPORTION": rules.parse_proportion,
    "SUMMARY": rules.parse_summary,
    "CI": rules.parse_interval,
    "EFFECT": rules.parse_effect,
    "TIMEPOINT": rules.parse_timepoint,
}
# Words that anchor a pattern holding no number.
ANCHOR_WORDS = ("NS", "N.S.", "n.s.", "ns")
# When two matches of the same length overlap, the label listed first wins.
PRIORITY = ("EFFECT", "CI", "P_VALUE", "GROUP_SIZE", "PROPORTION", "SUMMARY", "TIMEPOINT")
# Examples each pattern must have (texts it must read, each a test).
MIN_EXAMPLES = 2

if not Span.has_extension("value"):
    Span.set_extension("value", default=None)


def load_patterns(path: str | Path | None = None) -> list[dict[str, Any]]:
    """Read Matcher patterns from a JSONL file (the packaged ``values.jsonl`` by default).

    :raises ExtractionError: when a line is not a pattern with ``label``, ``id`` and ``pattern``, or
        lacks its ``purpose`` and examples (see the module docstring).
    """
    if path is None:
        text = resources.files("extractor.nlp").joinpath("patterns/values.jsonl").read_text("utf-8")
        origin = "values.jsonl"
    else:
        text, origin = Path(path).read_text("utf-8"), str(path)
    patterns = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            entry["label"], entry["id"], entry["pattern"]  # noqa: B018 - presence check
        except (ValueError, KeyError, TypeError) as e:
            raise ExtractionError(f"{origin}:{number}: not a pattern ({e})") from e
        if entry["label"] not in READERS:
            raise ExtractionError(f"{origin}:{number}: unknown label {entry['label']!r}")
        problem = _documentation_problem(entry)
        if problem:
            raise ExtractionError(f"{origin}:{number}: pattern {entry['id']!r}: {problem}")
        patterns.append(entry)
    return patterns


def _documentation_problem(entry: dict[str, Any]) -> str | None:
    """What is wrong with the ``purpose``, ``examples`` and ``counter_examples`` of a pattern, if anything."""
    purpose = entry.get("purpose")
    if not isinstance(purpose, str) or not purpose.strip():
        return "no purpose"
    if "\n" in purpose:
        return "a purpose of more than one line"
    examples = entry.get("examples")
    if not isinstance(examples, list) or len(examples) < MIN_EXAMPLES:
        return f"fewer than {MIN_EXAMPLES} examples"
    for i, example in enumerate(examples, 1):
        if not isinstance(example, dict):
            return f"example {i} is not an object with text and span"
        text, span = example.get("text"), example.get("span")
        if not isinstance(text, str) or not text or not isinstance(span, str) or not span:
            return f"example {i} has no text or no span"
        if span not in text:
            return f"example {i}: span {span!r} is not in its text {text!r}"
    counter = entry.get("counter_examples", [])
    if not isinstance(counter, list) or not all(isinstance(t, str) and t for t in counter):
        return "counter_examples is not a list of texts"
    return None


@Language.factory(
    "extractor_values",
    default_config={"spans_key": SPANS_KEY, "patterns_path": None},
    assigns=["doc.spans"],
)
def make_values(nlp: Language, name: str, spans_key: str, patterns_path: str | None) -> ValueRecogniser:
    """Build the component that recognises and reads the numbers of trial reports."""
    return ValueRecogniser(nlp, name, spans_key=spans_key, patterns=load_patterns(patterns_path))


class ValueRecogniser:
    """Recognise p-values, group sizes, proportions, summaries, CIs, effects and time points."""

    def __init__(
        self, nlp: Language, name: str, *, spans_key: str, patterns: Iterable[dict[str, Any]]
    ) -> None:
        self.name = name
        self.spans_key = spans_key
        entries = [(f"{entry['label']}/{entry['id']}", entry) for entry in patterns]
        self.matcher = WindowedMatcher(nlp.vocab, [(key, entry["pattern"]) for key, entry in entries], ANCHOR_WORDS)
        self.rule_of = {nlp.vocab.strings[key]: (entry["label"], entry["id"]) for key, entry in entries}

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.match(doc))
        return doc

    def match(self, doc: Doc) -> list[tuple[str, str, int, int, Any]]:
        """Return (label, rule id, start, end, value) for the longest readable matches.

        Every pattern holds a number (or "NS"), so the matcher only runs over windows around
        numbers: the text between them, often most of a methods section, is never matched.
        """
        candidates = []
        for match_id, start, end in self.matcher(doc):
            label, rule_id = self.rule_of[match_id]
            value = READERS[label](doc[start:end].text)
            if value is not None:
                candidates.append((label, rule_id, start, end, value))
        return _longest_first(candidates)

    def set_annotations(self, doc: Doc, matches: list[tuple[str, str, int, int, Any]]) -> None:
        spans = []
        for label, rule_id, start, end, value in matches:
            span = Span(doc, start, end, label=label, span_id=rule_id)
            span._.value = value
            spans.append(span)
        doc.spans[self.spans_key] = spans


def _longest_first(candidates: list[tuple[str, str, int, int, Any]]) -> list[tuple[str, str, int, int, Any]]:
    """Keep non-overlapping matches, longer first, then by label priority, then leftmost."""
    ranked = sorted(candidates, key=lambda c: (c[2] - c[3], PRIORITY.index(c[0]), c[2]))
    taken = bytearray(max((c[3] for c in candidates), default=0))
    kept = []
    for cand in ranked:
        _, _, start, end, _ = cand
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        kept.append(cand)
    return sorted(kept, key=lambda c: c[2])


@Language.component("extractor_sentence_starts", requires=["token.is_sent_start"],
                    assigns=["token.is_sent_start"])
def sentence_starts(doc: Doc) -> Doc:
    """Start a sentence after every line break (labelled abstract parts, paragraphs), and go on with
    one after an abbreviated genus ("H. pylori", "E. coli": a capital, a full stop, a lower-case word)."""
    spaces = numpy.flatnonzero(doc.to_array("IS_SPACE"))  # a line break is a token of its own
    for i in spaces:
        if i + 1 < len(doc) and "\n" in doc[int(i)].text:
            doc[int(i) + 1].is_sent_start = True
    for tok in doc[1:-1]:
        if tok.text == "." and tok.nbor(1).is_sent_start and tok.nbor(1).is_lower and is_initial(tok.nbor(-1)):
            tok.nbor(1).is_sent_start = False
    return doc


def is_initial(tok: Token) -> bool:
    """A lone capital glued to the full stop after it ("H" of "H. pylori", "B" of "group B.")."""
    return len(tok.text) == 1 and tok.text.isupper() and not tok.whitespace_
