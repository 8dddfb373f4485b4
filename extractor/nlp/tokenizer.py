"""Tokenizer rules for the numbers of trial reports, added to spaCy's English defaults.

spaCy's default rules keep "n=30", "P<.001", "45.3±12.1", "7/13", "0.52–1.42" and "13(%59.1" as
single tokens. The rules below split them so that the Matcher patterns in ``patterns/`` see one
token per number and per operator, while keeping names such as "IL-2", "SRI-4", "CD4+",
"HbA1c" and thousands such as "1,234" whole. Texts reach the tokenizer folded by
:func:`extractor.nlp.rules.fold` (Unicode minus to "-", mid-dot to ".", thin spaces to spaces), a
one-for-one replacement that keeps every character offset.
"""

from __future__ import annotations

from spacy.lang.tokenizer_exceptions import emoticons
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

_OPERATORS = r"=<>≤≥±"
INFIXES = [
    # operators anywhere: "n=30", "P<.001", "45.3±12.1", "mean±SD"
    rf"[{_OPERATORS}]",
    # a slash, dash or colon between numbers: "7/13", "0.52–1.42", "2-3", "1:2"
    r"(?<=[0-9%])[/–—\-:](?=[-.0-9])",
    # "13(%59.1", "3.2[2.1", "30(25": a bracket right after a number or percent sign
    r"(?<=[0-9%])[(\[\])]",
    r"(?<=[(\[])(?=[%0-9])",
    # a comma between numbers that is not a thousands separator: "2.1,4.5" but not "1,234"
    r"(?<=[0-9]),(?![0-9]{3}(?![0-9]))",
    # a semicolon anywhere: "0.52;1.42"
    r";",
    # a percent sign glued to what follows: "12.1%vs", "%59.1"
    r"(?<=%)(?=[A-Za-z0-9.])",
    r"%",
]
PREFIXES = [r"±", r"%", r"≤", r"≥", r"<", r">", r"="]
# A full stop after a lone capital letter: "in group B. Pain ...", "vitamin D." end sentences
# (spaCy keeps "B." whole, as an initial). Where a lower-case word follows ("H. pylori", "E. coli"),
# the pipeline joins the sentence again (``extractor_sentence_starts``).
SUFFIXES = [r"%", r"±", r"=", r"<", r">", r"(?<=^[A-Z])\."]
# Written forms of "plus or minus" that should be one token.
SPECIAL_CASES = {"+/-": [{"ORTH": "+/-"}], "+/−": [{"ORTH": "+/−"}], "+-": [{"ORTH": "+-"}]}


def _without_emoticons(exceptions: dict) -> dict:
    """spaCy's exceptions less its emoticons: in a trial report "8)" closes "(n = 8)", ":1" is a
    ratio's second term and "0.0" a number, never a face."""
    return {text: attrs for text, attrs in exceptions.items() if text not in emoticons}


def customise_tokenizer(nlp: Language) -> Tokenizer:
    """Return a tokenizer with spaCy's English rules plus the rules for trial numbers."""
    defaults = nlp.Defaults
    prefixes = list(defaults.prefixes or []) + PREFIXES
    suffixes = SUFFIXES + list(defaults.suffixes or [])
    infixes = INFIXES + list(defaults.infixes or [])
    tokenizer = Tokenizer(
        nlp.vocab,
        rules=_without_emoticons(defaults.tokenizer_exceptions),
        prefix_search=compile_prefix_regex(prefixes).search,
        suffix_search=compile_suffix_regex(suffixes).search,
        infix_finditer=compile_infix_regex(infixes).finditer,
        token_match=defaults.token_match,
        url_match=defaults.url_match,
    )
    for text, attrs in SPECIAL_CASES.items():
        tokenizer.add_special_case(text, attrs)
    return tokenizer
