"""Comparing short clinical phrases: outcome names, arm names, table labels.

Phrases are reduced to *terms*: lower-case words with plural endings removed, stop words dropped,
and abbreviations defined in the document ("Shoulder Pain and Disability Index (SPADI)") expanded
both ways. Similarity is the weighted share of one phrase's terms found in the other, so a short
query ("pain") matches a long label ("VAS pain at rest, mean (SD)") while a label that shares only
generic words ("score", "rate", "level") does not.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

from extractor.nlp import grammar
from extractor.nlp.grammar import rule, words
from extractor.nlp.rules import fold

STOP_WORDS = words("stop_words")
GENERIC_WORDS = words("generic_words")
_TOKEN = rule("similarity.token")
_GLUED = rule("similarity.glued_number")
_DASH_IN_WORD = rule("similarity.dash_in_word")
_SPACES = rule("common.spaces")
_GENERIC_WEIGHT = grammar.weight("similarity.generic_weight")
_NUMBER_WEIGHT = grammar.weight("similarity.number_weight")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6"}


# Words whose stem the suffix rules cannot find ("died" and "death" say the same).
LEMMAS = {
    "died": "death", "die": "death", "dies": "death", "dying": "death", "dead": "death", "deaths": "death",
    "hospitalized": "hospitalization", "hospitalised": "hospitalization", "hospitalisation": "hospitalization",
    "hospitalizations": "hospitalization", "hospitalisations": "hospitalization",
    "admitted": "admission", "vomited": "vomiting", "nauseated": "nausea",
    "responded": "response", "respond": "response", "responders": "response", "responder": "response",
    "recovered": "recovery", "recover": "recovery", "relapsed": "relapse", "survived": "survival",
    "mortality": "death", "dosage": "dose", "dosages": "dose",
}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer: plural and common inflectional endings only."""
    if word in LEMMAS:
        return LEMMAS[word]
    w = word
    if len(w) <= 3 or any(c.isdigit() for c in w):
        return w
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh")):
        if w.endswith(suffix):
            return w[: -len(suffix)] + repl
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    return w


_GREEK = str.maketrans({"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa",
                        "μ": "mu", "µ": "mu", "ω": "omega", "ε": "epsilon", "θ": "theta", "λ": "lambda"})


# Superscript letters are footnote marks ("Lymphocytesᵇ"): NFKC would glue them to the word as letters.
_SUPERSCRIPT_LETTERS = dict.fromkeys(
    [*range(0x2B0, 0x2B9), *range(0x1D2C, 0x1D6B), *range(0x1D9B, 0x1DC0), 0x2071, 0x207F], None)


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Lower case, folded typography, Greek letters spelled out ("β-blocker" reads "beta-blocker"),
    footnote marks written as superscript letters dropped."""
    t = unicodedata.normalize("NFKC", fold(text).translate(_SUPERSCRIPT_LETTERS)).lower().translate(_GREEK)
    t = _DASH_IN_WORD.sub("-", t)  # "I–QOL" is "I-QOL"
    return _SPACES.sub(" ", t).strip()


@lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[str, ...]:
    """Word tokens of ``text`` (lower case, hyphenated words whole)."""
    return tuple(_TOKEN.findall(normalise(text)))


@lru_cache(maxsize=65536)
def terms(text: str, *, keep_stop: bool = False) -> tuple[str, ...]:
    """Content terms of ``text``: stemmed tokens, stop words dropped; hyphenated words also split."""
    out: list[str] = []
    for tok in tokens(text):
        parts = [tok] + (tok.replace("+", "").split("-") if "-" in tok else [])
        glued = _GLUED.match(tok)
        if glued:  # "gdm1" also reads as "gdm 1"
            parts += [glued.group(1), glued.group(2)]
        for part in parts:
            if not part or (not keep_stop and part in STOP_WORDS):
                continue
            out.append(stem(part))
    return tuple(dict.fromkeys(out))


def weight(term: str) -> float:
    """How much a term says about what is measured (generic words count little)."""
    if term in GENERIC_WORDS or stem(term) in GENERIC_WORDS or len(term) == 1:
        return _GENERIC_WEIGHT
    if term.isdigit():
        return _NUMBER_WEIGHT
    return 1.0


# Abbreviations of clinical measures that papers use without defining them, and that are not the
# initials of their long form (those are found by :func:`initialisms`). Used for outcomes only, and
# only when the article writes the short form.
CLINICAL_ABBREVIATIONS = {
    "IL": "interleukin", "TNF": "tumor necrosis factor", "IFN": "interferon", "DPP": "dipeptidyl peptidase",
    "Hb": "haemoglobin", "HbA1c": "glycated haemoglobin", "HDL": "high density lipoprotein cholesterol",
    "LDL": "low density lipoprotein cholesterol", "TG": "triglycerides", "TC": "total cholesterol",
    "VAS": "visual analogue scale", "NRS": "numeric rating scale", "QoL": "quality of life",
    "HRQoL": "health related quality of life", "eGFR": "estimated glomerular filtration rate",
    "FEV1": "forced expiratory volume in one second", "FVC": "forced vital capacity",
    "ALT": "alanine aminotransferase", "AST": "aspartate aminotransferase", "CRP": "C reactive protein",
    "ESR": "erythrocyte sedimentation rate", "SBP": "systolic blood pressure", "DBP": "diastolic blood pressure",
    "LOS": "length of stay", "PONV": "postoperative nausea and vomiting",
}


# Phrases reviewers read as one outcome: each variant also reads as the first.
_SYNONYMS = (
    ("adverse events", rule("similarity.adverse_events")),
)


def expand(text: str, abbreviations: Mapping[str, str]) -> str:
    """``text`` with each known abbreviation followed by its long form and vice versa, and the
    common name of an outcome named otherwise ("side effects": adverse events)."""
    extra: list[str] = [name for name, variants in _SYNONYMS if variants.search(text)]
    lowered = normalise(text)
    toks = set(tokens(text))
    toks |= {part for t in toks if "-" in t for part in t.split("-")}  # "IL-2" holds "IL"
    for short, long in abbreviations.items():
        low = normalise(short)
        if low in toks or (len(low) >= 3 and any(t.startswith(low) for t in toks)) or (
                not low.isalnum() and _written(low, lowered)):
            extra.append(long)
        elif len(long) > 3 and normalise(long) in lowered:
            extra.append(short)
    return f"{text} {' '.join(extra)}" if extra else text


def _written(short: str, text: str) -> bool:
    """Whether a short form with signs in it ("vd/vt") stands as a word of ``text``."""
    at = text.find(short)
    while at >= 0:
        end = at + len(short)
        if (at == 0 or not text[at - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            return True
        at = text.find(short, at + 1)
    return False


def coverage(query: Iterable[str], candidate: Iterable[str]) -> float:
    """Weighted share of the ``query`` terms found among the ``candidate`` terms (0..1)."""
    q = list(query)
    if not q:
        return 0.0
    total = sum(weight(t) for t in q)
    found = sum(weight(t) for t in matched(q, candidate))
    return found / total if total else 0.0


def matched(query: Iterable[str], candidate: Iterable[str]) -> frozenset[str]:
    """The ``query`` terms found among the ``candidate`` terms; the parts of a hyphenated word
    found whole count as found ("sero-conversion" in "seroconversion")."""
    q, cand = list(query), set(candidate)
    found = {t for t in q if t in cand or _loose_in(t, cand)}
    found |= {p for t in found if "-" in t for p in t.replace("+", "").split("-") if p in q}
    return frozenset(found)


def _loose_in(term: str, cand: set[str]) -> bool:
    """Match "hypoglycaemia"/"hypoglycemia", "randomised"/"randomized", "sero-conversion"/
    "seroconversion" and roman numerals."""
    if term in _ROMAN and _ROMAN[term] in cand:
        return True
    if "-" in term and term.replace("-", "") in cand:
        return True
    if len(term) < 6:
        return False
    simple = _spelling(term)
    return any(len(c) >= 6 and (_spelling(c) == simple or _one_letter_dropped(term, c)) for c in cand)


def _one_letter_dropped(a: str, b: str) -> bool:
    """A typo of seven letters or more that drops one letter ("reurrent" for "recurrent")."""
    if abs(len(a) - len(b)) != 1 or min(len(a), len(b)) < 7:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return short[i:] == long[i + 1 :] and short[:i] == long[:i]


@lru_cache(maxsize=65536)
def _spelling(word: str) -> str:
    return word.replace("ae", "e").replace("oe", "e").replace("is", "iz").replace("our", "or")


def similarity(a: str, b: str, abbreviations: Mapping[str, str] | None = None) -> float:
    """Symmetric similarity of two phrases: the mean of both coverages."""
    a, b = expand(a, abbreviations or {}), expand(b, abbreviations or {})
    ta, tb = terms(a), terms(b)
    return (coverage(ta, tb) + coverage(tb, ta)) / 2


_ACRONYM_SMALL = words("acronym_small")
_TIME_WORDS = words("time_words")
_WORD = rule("similarity.word")
_CHUNK_BREAK = rule("similarity.chunk_break")
_WORD_OR_NUMBER = rule("similarity.word_or_number")


def initialisms(text: str) -> dict[str, str]:
    """Acronyms a phrase would have ("Body mass index" -> BMI, "quality of life" -> QOL, "open
    defecation" -> OD): runs of words read by their initials, with and without the small words
    between them, of three to six letters, or two for a run of two words.

    Articles often use such an acronym without defining it where we can see it (the methods are
    not always there), so a sheet's long form may meet a table's "BMI"."""
    words = _WORD.findall(fold(text))
    found: dict[str, str] = {}
    for i in range(len(words)):
        for j in range(i + 2, min(len(words), i + 8) + 1):
            run = words[i:j]
            low = [w.lower() for w in run]
            if low[0] in STOP_WORDS or low[-1] in STOP_WORDS or stem(low[0]) in GENERIC_WORDS:
                continue
            if any(w in STOP_WORDS and w not in _ACRONYM_SMALL for w in low) or any(w in _TIME_WORDS for w in low):
                continue
            phrase = " ".join(run)
            for keep_small in (True, False):
                letters = "".join(w[0] for w in run if keep_small or w.lower() not in STOP_WORDS).upper()
                if 3 <= len(letters) <= 6:
                    found.setdefault(letters, phrase)
    for chunk in _CHUNK_BREAK.split(fold(text)):  # two words standing alone: "open defecation"
        words = _WORD_OR_NUMBER.findall(chunk)
        runs = " ".join(w if w.lower() not in STOP_WORDS and w.isalpha() else "|" for w in words).split("|")
        for run in runs:
            pair = run.split()
            letters = "".join(w[0] for w in pair).upper()
            if len(pair) == 2 and letters.lower() not in _TWO_LETTER_WORDS:
                found.setdefault(letters, " ".join(pair))
    return found


# Two-letter acronyms read as these words once lower-cased ("OR", "IN") are never taken.
_TWO_LETTER_WORDS = words("two_letter_words")


_SHORT_FORM = rule("similarity.short_form")


def find_abbreviations(text: str) -> dict[str, str]:
    """Abbreviations defined as "Long Form (LF)": each short form mapped to its long form.

    The long form is the shortest run of words before the parenthesis whose initials spell the
    short form (Schwartz & Hearst 2003, simplified).
    """
    found: dict[str, str] = {}
    for m in _SHORT_FORM.finditer(text):
        short = m.group(1)
        if not any(c.isupper() for c in short) or short.lower() in STOP_WORDS:
            continue
        long = _long_form(text[max(0, m.start() - 100) : m.start()], short)
        if long:
            found.setdefault(short, long)
    return found


_PHRASE_BREAK = rule("similarity.phrase_break")


def defined_in(phrase: str) -> dict[str, str]:
    """Short forms a phrase defines in brackets, each mapped to the words before it back to a comma,
    "and" or "or": "the ratio of dead space to tidal volume (Vd/Vt)", "cross-sectional area (CSA)".

    A sheet's outcome names what it means, so its long form need not spell the short one (as
    :func:`find_abbreviations` asks of an article's)."""
    found: dict[str, str] = {}
    for m in _SHORT_FORM.finditer(phrase):
        short = m.group(1)
        if not any(c.isupper() for c in short) or short.lower() in STOP_WORDS:
            continue
        long = _PHRASE_BREAK.split(phrase[: m.start()])[-1].strip()
        if long and len(long.split()) <= 8:
            found.setdefault(short, _long_form(long, short) or long)
    return found


_GLOSSARY_ITEM = rule("similarity.glossary_item")
_GLOSSARY_BREAK = rule("similarity.glossary_break")
_WORD_CHARS = rule("similarity.word_chars")


def find_glossary(text: str) -> dict[str, str]:
    """Abbreviations a table note lists: "CAL: clinical attachment level; PPD: probing depth",
    "DM diabetes mellitus, HTN hypertension". A long form must spell its short form."""
    found: dict[str, str] = {}
    for item in _GLOSSARY_BREAK.split(text):
        m = _GLOSSARY_ITEM.match(item)
        if not m or sum(c.isupper() for c in m.group(1)) < 2:
            continue
        short, long = m.group(1), m.group(2).strip()
        letters = [c.lower() for c in short if c.isalpha()]
        words = _WORD_CHARS.findall(long)
        if words and _spells(letters, words) and len(words) <= len(letters) + 4:
            found.setdefault(short, long)
    return found


def _long_form(before: str, short: str) -> str | None:
    words = _WORD_CHARS.findall(before)[-(len(short) + 4):]  # "Digestion-resistant" is two words
    letters = [c.lower() for c in short if c.isalpha()]
    if not letters or not words:
        return None
    for start in range(len(words) - 1, -1, -1):
        candidate = words[start:]
        if _spells(letters, candidate):
            if len(candidate) > len(letters) + 4:
                return None
            return " ".join(candidate)
    return None


def _spells(letters: list[str], words: list[str]) -> bool:
    """Whether the short form's letters appear in order, the first at a word's start."""
    if not words or not words[0] or words[0][0].lower() != letters[0]:
        return False
    text = " ".join(w.lower() for w in words)
    pos = 0
    for letter in letters:
        pos = text.find(letter, pos)
        if pos < 0:
            return False
        pos += 1
    return True
