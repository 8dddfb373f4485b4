"""Numbers as reported, and where each one stands in an article.

A sheet's cell and an article's text are compared as written, never as rounded floats: "0.50",
"0·5" and "0.5" are one number, "0.48" is another, and "1,234" is 1234. Values are kept as
:class:`~decimal.Decimal`, whose equality is exact and whose hash agrees with it.

:class:`NumberIndex` holds every number of an article's texts (abstract, body sections, table
captions, footnotes and cells) with the :class:`~extractor.evidence.Evidence` of each occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation

from extractor.evidence import Evidence
from extractor.records import Record
from extractor.report import record_texts

__all__ = ["NumberIndex", "as_decimal", "decimals", "is_label", "number_index", "occurrences", "passage_around",
           "reported_number", "word_occurrences"]

# A number as papers print it: thousands grouped by commas or thin spaces, a point or a mid-dot.
_NUMBER = re.compile(
    r"(?<![\w.·,])(?P<sign>[-−–]?)(?P<int>\d{1,3}(?:[,\u2009\u202f]\d{3})+(?!\d)|\d+)?"
    r"(?:[.·](?P<frac>\d+))?(?![\d.·]\d)(?!\d)"
)
_CELL = re.compile(r"^\s*[-−–]?\s*(?:\d{1,3}(?:[,\u2009\u202f ]\d{3})+|\d+)?(?:[.·]\d+)?\s*%?\s*$")
_SEPARATORS = str.maketrans({",": None, "\u2009": None, "\u202f": None, " ": None, "·": ".", "−": "-",
                             "–": "-", "%": None})
_SENTENCE_END = re.compile(r"[.;!?](?:\s+|$)(?=[A-Z(\[]|$)")


def reported_number(text: str) -> Decimal | None:
    """The number a sheet's cell holds ("1,234", "−0.7", "0·52", "12%"); None for anything else."""
    if not text or not _CELL.match(text) or not any(c.isdigit() for c in text):
        return None
    try:
        return Decimal(text.strip().translate(_SEPARATORS))
    except InvalidOperation:
        return None


def as_decimal(value: float | int | Decimal) -> Decimal:
    """A value the extractor read, as the decimal it was written as (``repr`` is the shortest)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float) and value.is_integer():
        return Decimal(int(value))
    return Decimal(repr(value))


def decimals(value: Decimal) -> int:
    """How many digits follow the decimal point as written ("0.50" -> 2, "12" -> 0)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def occurrences(text: str) -> Iterator[tuple[Decimal, int, int]]:
    """Every number of ``text`` with its offsets; a minus counts only where it is no range dash."""
    for m in _NUMBER.finditer(text):
        if not (m.group("int") or m.group("frac")):
            continue
        digits = (m.group("int") or "0").translate(_SEPARATORS) + "." + (m.group("frac") or "0")
        value = Decimal(digits)
        start = m.start("int") if m.group("int") else m.start("frac") - 1
        if m.group("sign") and _is_minus(text, m.start("sign")):
            value, start = -value, m.start("sign")
        yield value, start, m.end()


_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
          "sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORD_VALUES = {**{w: i for i, w in enumerate(_UNITS)}, **{w: 20 + 10 * i for i, w in enumerate(_TENS)}}
_NUMBER_WORD = re.compile(rf"\b(?:({'|'.join(_TENS)})[-\s]({'|'.join(_UNITS[1:10])})|({'|'.join(_WORD_VALUES)}))\b",
                          re.I)


def word_occurrences(text: str) -> Iterator[tuple[Decimal, int, int]]:
    """Every number written as words below a hundred ("ten", "Sixty", "twenty-five") with its offsets."""
    for m in _NUMBER_WORD.finditer(text):
        if m.group(3):
            value = _WORD_VALUES[m.group(3).lower()]
        else:
            value = _WORD_VALUES[m.group(1).lower()] + _WORD_VALUES[m.group(2).lower()]
        yield Decimal(value), m.start(), m.end()


def _is_minus(text: str, at: int) -> bool:
    """Whether the dash at ``at`` is a sign: not between two numbers ("10–20", "10 -20", "10−20")."""
    if at == 0:
        return True
    before = text[at - 1]
    if text[at] == "−":
        return not before.isdigit()
    if before.isspace():
        rest = text[:at].rstrip()
        return not rest or not (rest[-1].isdigit() or rest[-1] in ")%]")
    return before in "([{=:;,/<>±~"


def passage_around(text: str, start: int, end: int, width: int = 300) -> tuple[str, int]:
    """The sentence (at most ``width`` characters each side) holding ``text[start:end]``.

    Returns the passage and its offset in ``text``.
    """
    left = max(0, start - width)
    # up to one character past ``start``: "vs. 305" ends no sentence before the number
    stops = [m.end() for m in _SENTENCE_END.finditer(text, left, min(len(text), start + 1))]
    left = stops[-1] if stops else left
    stop = _SENTENCE_END.search(text, end, min(len(text), end + width))
    right = stop.start() + 1 if stop else min(len(text), end + width)
    return text[left:right], left


# A number naming a table or a figure ("Table 2", "Figs. 1 and 3b", "Supplementary Table S2") is a
# label, never a value: a cell's "2.0" is not found in "(Table 2)".
_LABEL_BEFORE = re.compile(
    r"(?i)\b(?:Tables?|Fig(?:ure)?s?\.?|Supplementa(?:ry|l) (?:Tables?|Fig(?:ure)?s?\.?)|Appendix|Panels?)"
    r"(?:\s*S?\d+[a-z]?\s*(?:,|and|or|[-–]|to))*\s*S?$")


def is_label(text: str, start: int) -> bool:
    """Whether the number starting at ``text[start]`` names a table or a figure."""
    return bool(_LABEL_BEFORE.search(text[max(0, start - 40):start]))


class NumberIndex:
    """Every number of an article's texts but labels (:func:`is_label`), with where it stands."""

    def __init__(self, texts: Mapping[str, str], labels: Mapping[str, str] | None = None) -> None:
        self.texts = dict(texts)
        self._labels = dict(labels or {})
        self._where: dict[Decimal, list[Evidence]] = {}
        self._at: dict[tuple[str, int], tuple[Decimal, Evidence]] = {}
        for section, text in self.texts.items():
            for value, start, end in sorted([*occurrences(text), *word_occurrences(text)], key=lambda o: o[1]):
                if is_label(text, start):
                    continue
                label = self._labels.get(section)
                evidence = Evidence(section, text[start:end], start, end, label)
                self._where.setdefault(value, []).append(evidence)
                self._at[section, start] = (value, evidence)

    def where(self, value: Decimal) -> tuple[Evidence, ...]:
        """The occurrences of ``value`` in reading order (abstract, sections, tables)."""
        return tuple(self._where.get(value, ()))

    def at(self, section: str, start: int) -> tuple[Decimal, Evidence] | None:
        """The number starting at offset ``start`` of ``section`` and where it stands, if one does."""
        return self._at.get((section, start))

    def __contains__(self, value: object) -> bool:
        return value in self._where


def number_index(record: Record) -> NumberIndex:
    """The :class:`NumberIndex` of every text of ``record`` evidence can point at."""
    return NumberIndex(record_texts(record), section_labels(record))


def section_labels(record: Record) -> dict[str, str]:
    """A reader's name for each text of ``record`` ("Results > Pain", "Table 2, row 'Pain'")."""
    labels = {"title": "Title", "abstract": "Abstract"}
    labels.update({f"sections/{i}": " > ".join(s.path) or "Body" for i, s in enumerate(record.sections)})
    for t, table in enumerate(record.tables):
        name = table.label or f"Table {t + 1}"
        labels[f"tables/{t}/caption"] = f"{name} caption"
        labels.update({f"tables/{t}/footnotes/{f}": f"{name} footnote" for f in range(len(table.footnotes))})
        for part, rows in (("header", table.header), ("body", table.body)):
            for r, row in enumerate(rows):
                stub = row[0].strip() if row else ""
                for c in range(len(row)):
                    labels[f"tables/{t}/{part}/{r}/{c}"] = f"{name}, {part} row {r + 1}" + (
                        f" ({stub[:60]!r})" if stub and c else "") + f", column {c + 1}"
    return labels
