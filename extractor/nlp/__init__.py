"""The spaCy pipeline: ``spacy.blank("en")`` with tokenizer rules and rule-based components.

No pretrained model is needed or loaded. :func:`build_nlp` is the single constructor;
:func:`get_nlp` returns one shared instance per process.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

from extractor.nlp import components
from extractor.nlp.rules import fold
from extractor.nlp.tokenizer import customise_tokenizer

__all__ = ["SPANS_KEY", "build_nlp", "fold", "get_nlp"]

SPANS_KEY = components.SPANS_KEY


def build_nlp(*, patterns_path: str | None = None) -> Language:
    """Build the extraction pipeline: tokenizer rules, sentencizer, value recogniser.

    Texts must be passed through :func:`fold` first (a one-for-one character mapping, so the
    offsets of every span are offsets into the original text).
    """
    nlp = spacy.blank("en")
    nlp.tokenizer = customise_tokenizer(nlp)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("extractor_sentence_starts")
    nlp.add_pipe("extractor_values", config={"patterns_path": patterns_path})
    return nlp


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The shared pipeline with the packaged patterns."""
    return build_nlp()
