"""Sentences and recognised values of a parsed passage, computed once per doc.

spaCy rebuilds ``doc.sents`` at every access and ``span.text`` by joining tokens; the extractor asks
for both many times per passage, so they are cached in ``doc.user_data``.
"""

from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Doc, Span

from extractor.nlp import SPANS_KEY

__all__ = ["sentences", "span_text", "spans_by_sentence"]


def span_text(span: Span) -> str:
    """The folded text of a span, sliced from the doc's text (``span.text`` joins its tokens)."""
    doc = span.doc
    text = doc.user_data.get("folded")
    if text is None:
        text = doc.user_data["folded"] = doc.text
    return text[span.start_char : span.end_char]


def sentences(doc: Doc) -> list[Span]:
    """The sentences of a doc, computed once (spaCy builds them anew at every ``doc.sents``)."""
    found = doc.user_data.get("extractor_sentences")
    if found is None:
        found = doc.user_data["extractor_sentences"] = list(doc.sents)
    return found


def spans_by_sentence(doc: Doc) -> dict[int, list[Span]]:
    """The recognised values of a doc, by the start token of their sentence (built once)."""
    index = doc.user_data.get("extractor_by_sentence")
    if index is None:
        starts = [s.start for s in sentences(doc)]
        index = {}
        for span in doc.spans.get(SPANS_KEY, ()):
            index.setdefault(starts[bisect_right(starts, span.start) - 1], []).append(span)
        doc.user_data["extractor_by_sentence"] = index
    return index
