"""spaCy components of the extraction pipeline. Thin: the reading of values is in ``rules``.

``extractor_values`` finds the numeric expressions of trial reports with Matcher patterns kept as
data (``patterns/values.jsonl``, each with an ``id``), keeps the longest non-overlapping ones,
parses each with :mod:`extractor.nlp.rules`, and writes them to ``doc.spans["extractor"]`` with the
parsed value in ``span._.value`` and the pattern id in ``span.id_``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy
from spacy.attrs import LIKE_NUM, LOWER, ORTH
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.schemas import validate_token_pattern
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from extractor.errors import ExtractionError
from extractor.nlp import rules

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
# How far a pattern reaches before and after its first number, in tokens ("odds ratio (OR) =" holds
# six before it; "24.25 ± 3.41 (range 18 - 28)" ten from it). tests/test_nlp_components.py checks
# that every packaged pattern fits.
WINDOW_BEFORE, WINDOW_AFTER = 6, 10
# When two matches of the same length overlap, the label listed first wins.
PRIORITY = ("EFFECT", "CI", "P_VALUE", "GROUP_SIZE", "PROPORTION", "SUMMARY", "TIMEPOINT")
# The Matcher tests a {"IN": [...]} list in Python at every token it tries; a lexeme flag is set once
# per word of the vocabulary and tested in C. spaCy's own flags end at 18, so 19-63 are free.
FREE_FLAGS = range(19, 64)

if not Span.has_extension("value"):
    Span.set_extension("value", default=None)


def load_patterns(path: str | Path | None = None) -> list[dict[str, Any]]:
    """Read Matcher patterns from a JSONL file (the packaged ``values.jsonl`` by default).

    :raises ExtractionError: when a line is not a pattern with ``label``, ``id`` and ``pattern``.
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
        patterns.append(entry)
    return patterns


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
        self.anchors = {nlp.vocab.strings.add(t) for t in ANCHOR_WORDS}
        self.matcher = Matcher(nlp.vocab, validate=False)  # validated before the lists become flags
        self.rule_of: dict[int, tuple[str, str]] = {}
        flags: dict[tuple[str, frozenset[str]], int] = {}
        for entry in patterns:
            key = f"{entry['label']}/{entry['id']}"
            errors = validate_token_pattern(entry["pattern"])
            if errors:
                raise ExtractionError(f"pattern {entry['id']!r}: {'; '.join(errors)}")
            self.matcher.add(key, [[_flag_lists(token, nlp.vocab, flags) for token in entry["pattern"]]])
            self.rule_of[nlp.vocab.strings[key]] = (entry["label"], entry["id"])

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.match(doc))
        return doc

    def match(self, doc: Doc) -> list[tuple[str, str, int, int, Any]]:
        """Return (label, rule id, start, end, value) for the longest readable matches.

        Every pattern holds a number (or "NS"), so the matcher only runs over windows around
        numbers: the text between them, often most of a methods section, is never matched.
        """
        candidates = []
        for start_w, end_w in _windows(doc, self.anchors):
            for match_id, start, end in self.matcher(doc[start_w:end_w]):
                label, rule_id = self.rule_of[match_id]
                start, end = start + start_w, end + start_w
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


def _flag_lists(token: dict[str, Any], vocab: Vocab, flags: dict[tuple[str, frozenset[str]], int]) -> dict[Any, Any]:
    """A token pattern whose lists of words ({"LOWER": {"IN": [...]}}) are tested as lexeme flags.

    Each list gets one flag (kept in ``flags``); when the free flags run out, a list stays as it is.
    """
    out: dict[Any, Any] = {}
    for attr, value in token.items():
        name = "ORTH" if attr.upper() == "TEXT" else attr.upper()
        if name not in ("ORTH", "LOWER") or not isinstance(value, dict) or list(value) != ["IN"]:
            out[attr] = value
            continue
        key = (name, frozenset(value["IN"]))
        if key not in flags:
            free = [f for f in FREE_FLAGS if f not in vocab.lex_attr_getters]
            if not free:
                out[attr] = value
                continue
            flags[key] = vocab.add_flag(_in_list(key[1], vocab.lex_attr_getters[LOWER] if name == "LOWER" else None),
                                        free[0])
        out[flags[key]] = True
    return out


def _in_list(words: frozenset[str], lower: Callable[[str], str] | None) -> Callable[[str], bool]:
    """The test of a lexeme flag: whether a word (lower-cased by spaCy's own rule if ``lower``) is listed."""
    if lower is None:
        return lambda text: text in words
    return lambda text: lower(text) in words


def _windows(doc: Doc, anchors: set[int]) -> list[tuple[int, int]]:
    """Merged token ranges around every number-like token and anchor word."""
    flags = doc.to_array([LIKE_NUM, ORTH])
    hits = numpy.flatnonzero(flags[:, 0] | numpy.isin(flags[:, 1], list(anchors))).tolist()
    out: list[tuple[int, int]] = []
    for i in hits:
        start, end = max(0, i - WINDOW_BEFORE), min(len(doc), i + WINDOW_AFTER)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


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


@Language.component("extractor_line_breaks", requires=["token.is_sent_start"],
                    assigns=["token.is_sent_start"])
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break (labelled abstract parts, paragraphs)."""
    spaces = numpy.flatnonzero(doc.to_array("IS_SPACE"))  # a line break is a token of its own
    for i in spaces:
        if i + 1 < len(doc) and "\n" in doc[int(i)].text:
            doc[int(i) + 1].is_sent_start = True
    return doc
