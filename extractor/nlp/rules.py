"""Pure parsers for the numbers of trial reports. No spaCy here: text in, values out.

Every parser takes the text of one recognised expression ("p < .001", "16 (53.3%)",
"45.3 ± 12.1", "95% CI 0.52–1.42") and returns a small frozen value, or None when the text does not
hold what the parser reads. They accept the typography of real papers: Unicode minus and dashes,
the Lancet's mid-dot decimal point ("0·52"), thin and no-break spaces, thousands separators,
"× 10⁻⁴" exponents and "NS".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

PRelation = Literal["<", "=", ">", "<=", ">="]

# Characters replaced one for one (so offsets survive) before matching.
_FOLD = str.maketrans(
    {
        "\u2212": "-",  # minus sign
        "\u2012": "-",  # figure dash
        "\u00b7": ".",  # mid-dot decimal point (Lancet)
        "\u2009": " ",  # thin space
        "\u202f": " ",  # narrow no-break space
        "\u00a0": " ",  # no-break space
        "\u2007": " ",  # figure space
        "\u200a": " ",  # hair space
        "\u2002": " ",
        "\u2003": " ",
        "\uff1d": "=",
        "\uff1c": "<",
        "\uff1e": ">",
        "\u2264": "≤",
        "\u2265": "≥",
    }
)
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")

_SPACES = re.compile(r"\s+")
_NUMBER_RE = re.compile(
    r"^(?P<num>[-+]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+))"
    r"(?:\s*[x×*]\s*10\s*(?:\^\s*)?(?P<exp>[-+]?\d+|[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
    r"|[eE](?P<e>[-+]?\d+))?$"
)


# A few replace() calls over the text are much faster than str.translate, which looks up every
# character; as no variant is ASCII and every plain form is, no replacement is replaced again.
_FOLD_PAIRS = tuple((chr(code), plain) for code, plain in _FOLD.items() if chr(code) != plain)


def fold(text: str) -> str:
    """Replace typographic variants one character for one, so offsets into ``text`` still hold."""
    if text.isascii():
        return text
    for variant, plain in _FOLD_PAIRS:
        if variant in text:
            text = text.replace(variant, plain)
    return text


def parse_number(text: str) -> float | None:
    """Read one number: "1,234.5", "−0.7", "0·52", ".001", "5 × 10⁻⁴", "2.1e-3".

    Returns None for anything else (including empty text and bare signs).
    """
    t = fold(text).strip()
    if t[:1] in "–—":
        t = "-" + t[1:]
    t = _SPACES.sub("", t)
    m = _NUMBER_RE.match(t)
    if not m:
        return None
    value = float(m.group("num").replace(",", ""))
    exp = m.group("exp") or m.group("e")
    if exp:
        value *= 10.0 ** int(exp.translate(_SUPERSCRIPT_DIGITS))
    return value


def decimals(text: str) -> int:
    """How many digits follow the decimal point in a number as written ("55.17" -> 2, "87" -> 0)."""
    t = fold(text).strip().rstrip("%").strip()
    _, dot, frac = t.partition(".")
    return len(re.match(r"\d*", frac).group()) if dot else 0  # type: ignore[union-attr]


# --- p-values -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PValue:
    """A reported p-value: ``relation`` is how the paper states it ("<" for "p < 0.001")."""

    relation: str
    value: float


_P_RE = re.compile(
    r"^\(?\s*(?:two[- ]sided\s+|two[- ]tailed\s+|adjusted\s+)?"
    r"(?:p|P)(?:\s*[- ]?\s*(?:value|val|for\s+trend|trend|interaction|int))?"
    r"(?:\s*(?:was|of|is|were))?\s*"
    r"(?P<rel><=|>=|=<|=>|≤|≥|<|>|=|:|less than|greater than|equal to)?\s*"
    r"(?P<num>[-+]?[\d.,]+(?:\s*[x×*]\s*10\s*(?:\^\s*)?[-+⁻⁺]?[\d⁰¹²³⁴⁵⁶⁷⁸⁹]+|[eE][-+]?\d+)?)\s*\)?$"
)
_REL = {
    "<=": "<=", "=<": "<=", "≤": "<=", ">=": ">=", "=>": ">=", "≥": ">=", "<": "<", ">": ">",
    "=": "=", ":": "=", "less than": "<", "greater than": ">", "equal to": "=", None: "=",
}
_NS_RE = re.compile(r"^\(?\s*(?:NS|n\.s\.|ns|not significant)\s*\)?$")


def parse_p_value(text: str) -> PValue | None:
    """Read "p=0.052", "P<.001", "p < 0·05", "P value of 0.03", "p = 5 × 10⁻⁴", "NS".

    "NS" (not significant) reads as ``p > 0.05``. Values outside [0, 1] are refused.
    """
    t = fold(text).strip()
    if _NS_RE.match(t):
        return PValue(">", 0.05)
    m = _P_RE.match(t)
    if not m:
        return None
    value = parse_number(m.group("num"))
    if value is None or not 0.0 <= value <= 1.0:
        return None
    return PValue(_REL[m.group("rel")], value)


# --- counts and percentages -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Proportion:
    """A binary result as reported: events of total and/or a percentage (as written, in %)."""

    events: int | None
    total: int | None
    percent: float | None
    percent_decimals: int | None = None


_INT = r"\d{1,3}(?:,\d{3})+|\d+"
_PCT = r"[-+]?\d+(?:\.\d+)?\s*%|%\s*\d+(?:\.\d+)?"
_OF = r"\s*(?:/|of|out\s+of)\s*"
_RATE_FORMS = [
    # 7/13 (53.85%)   7 of 13 (53.8 %)   7 of 13 patients (53.8%)
    re.compile(rf"^(?P<e>{_INT}){_OF}(?P<n>{_INT})\s*(?:[A-Za-z]+\s*)?[(\[]\s*(?P<p>{_PCT})\s*[)\]]$"),
    # 53.85% (7/13)
    re.compile(rf"^(?P<p>{_PCT})\s*[(\[]\s*(?P<e>{_INT}){_OF}(?P<n>{_INT})\s*[)\]]$"),
    # 42/402 (10.5): a bare number after a fraction is its percentage when it agrees
    re.compile(rf"^(?P<e>{_INT}){_OF}(?P<n>{_INT})\s*[(\[]\s*(?P<p>\d+(?:\.\d+)?)\s*[)\]]$"),
    # 16 (53.3%)   16 [53.3 %]   16 (%53.3)   16 patients (53.3%)
    re.compile(rf"^(?P<e>{_INT})\s*(?:[A-Za-z]+\s*)?[(\[]\s*(?P<p>{_PCT})\s*[)\]]$"),
    # 53.3% (16)
    re.compile(rf"^(?P<p>{_PCT})\s*[(\[]\s*n?\s*=?\s*(?P<e>{_INT})\s*[)\]]$"),
    # 16, 53.3%    16 / 53.3%
    re.compile(rf"^(?P<e>{_INT})\s*[,;]\s*(?P<p>{_PCT})$"),
    # 7/13   7 of 13   7 out of 13
    re.compile(rf"^(?P<e>{_INT}){_OF}(?P<n>{_INT})$"),
    # 53.85%
    re.compile(rf"^(?P<p>{_PCT})$"),
]


def _int(text: str | None) -> int | None:
    return None if text is None else int(text.replace(",", ""))


def parse_proportion(text: str) -> Proportion | None:
    """Read "7/13 (53.85%)", "7 of 13 patients (53.8%)", "53.85% (7/13)", "16 (53.3%)", "7 of 13",
    "55.17%", "16 (%53.3)".

    Refuses impossible values: events above total, percentages outside [0, 100], and a count
    beside a percentage that its total could not give.
    """
    t = fold(text).strip().replace("–", "-")
    if "%" not in t and "/" not in t and " of " not in t:  # every form has one of these
        return None
    for form in _RATE_FORMS:
        m = form.match(t)
        if m:
            return _proportion(m.groupdict())
    return None


def _proportion(groups: dict[str, str | None]) -> Proportion | None:
    events, total = _int(groups.get("e")), _int(groups.get("n"))
    raw_pct = groups.get("p")
    pct = float(raw_pct.replace("%", "").strip()) if raw_pct else None
    if total is not None and events is not None and (events > total or total == 0):
        return None
    if pct is not None and not 0.0 <= pct <= 100.0:
        return None
    if pct is not None and events is not None and total is not None and not rounds_to(
        events, total, pct, decimals(raw_pct or ""), slack=1
    ):
        return None
    return Proportion(events, total, pct, decimals(raw_pct) if raw_pct else None)


def proportion_from_count_and_number(events: float, number: float, number_text: str, total: int) -> Proportion | None:
    """Read "343 (86.2)" in a column of ``total`` patients as 343 (86.2%) when the numbers agree."""
    if events != int(events) or not 0 <= events <= total or not 0.0 <= number <= 100.0:
        return None
    if not rounds_to(int(events), total, number, decimals(number_text), slack=1):
        return None
    return Proportion(int(events), total, number, decimals(number_text))


def rounds_to(events: int, total: int, percent: float, digits: int, *, slack: int = 0) -> bool:
    """Whether events/total, as a percentage rounded to ``digits``, is ``percent``.

    ``slack`` allows that many units of the last digit (authors truncate as often as they round).
    """
    if total <= 0:
        return False
    exact = 100.0 * events / total
    unit = 10.0 ** -digits
    return abs(exact - percent) <= unit * (0.5 + slack) + 1e-9


def counts_from_percent(percent: float, digits: int, total: int, *, randomised: bool = False) -> tuple[int, int] | None:
    """The count a reported percentage of a group of ``total`` stands for: ``(events, total)``.

    Only when exactly one integer of ``0..total``, as a percentage of ``total`` rounded to
    ``digits``, gives back ``percent``; otherwise None, as a guess is worse than a blank. "50%" of
    13 fits no integer (6/13 is 46%, 7/13 is 54%); "50%" of 300 fits 149, 150 and 151. The size is
    never changed to make a count fit. When ``total`` is the number randomised (``randomised``),
    the percentage may be of the few fewer analysed: a count is then given only when no size down
    to a tenth fewer (at least two) also fits one, so "29%" of 49 randomised (14/49, but also
    14/48) stays blank.
    """
    fits = counts_fitting(percent, digits, total)
    if len(fits) != 1:
        return None
    if randomised and percent != 0:
        fewest = max(1, total - max(2, math.ceil(0.1 * total)))
        if any(counts_fitting(percent, digits, n) for n in range(total - 1, fewest - 1, -1)):
            return None
    return fits[0], total


def counts_fitting(percent: float, digits: int, total: int) -> list[int]:
    """Every count of ``0..total`` that, as a percentage of ``total`` rounded to ``digits``, is ``percent``."""
    if total <= 0:
        return []
    near = round(percent * total / 100.0)
    return [k for k in range(max(0, near - 2), min(total, near + 2) + 1) if rounds_to(k, total, percent, digits)]


# --- continuous summaries -------------------------------------------------------------------------

Dispersion = Literal["sd", "se", "iqr", "range", "ci", "unknown"]


@dataclass(frozen=True, slots=True)
class Summary:
    """A continuous result: a centre (mean or median) with a spread of some kind.

    ``spread`` holds the SD/SE for "sd"/"se", and ``low``/``high`` the interval for "iqr", "range"
    and "ci". ``dispersion`` "unknown" is "45.3 (12.1)" with nothing saying what 12.1 is.
    """

    centre: float
    centre_kind: Literal["mean", "median", "unknown"]
    dispersion: str
    spread: float | None = None
    low: float | None = None
    high: float | None = None


_NUM = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?"
_NUM_STRICT = r"[-+]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_UNIT = r"(?:\s*[A-Za-zµ°][A-Za-zµ°/]*)?"  # "51.0 days [IQR 28.0-69.0]"
_SUMMARY_FORMS: list[tuple[re.Pattern[str], str]] = [
    # 45.3 ± 12.1   45.3 +/- 12.1   45.3 ± 12.1 (SD)
    (re.compile(rf"^(?P<c>{_NUM})\s*(?:±|\+/-|\+-|\+\s*/\s*-)\s*(?P<s>{_NUM})\s*"
                r"(?:\(?\s*(?P<kind>SD|SE|SEM|s\.d\.|s\.e\.)\s*\)?)?$", re.I), "pm"),
    # 24.25 ± 3.41 (18-28): a mean and SD, then the range
    (re.compile(rf"^(?P<c>{_NUM})\s*(?:±|\+/-|\+-)\s*(?P<s>{_NUM})\s*[(\[]\s*(?:range|min-max)?\s*[:,]?\s*"
                rf"(?P<lo>{_NUM})\s*(?:-|–|—|to|,)\s*(?P<hi>{_NUM})\s*[)\]]$", re.I), "pm_range"),
    # 45.3 (SD 12.1)  45.3 (SD = 12.1)  45.3 (SE: 1.2)
    (re.compile(rf"^(?P<c>{_NUM}){_UNIT}\s*[(\[]\s*(?P<kind>SD|SE|SEM|s\.d\.|s\.e\.)\s*[=:,]?\s*"
                rf"(?P<s>{_NUM})\s*[)\]]$", re.I), "paren_kind"),
    # 3.2 (2.1-4.5)   3.2 [2.1, 4.5]   3.2 (2.1 to 4.5)
    (re.compile(rf"^(?P<c>{_NUM}){_UNIT}\s*[(\[]\s*(?P<kind>IQR|range|95%\s*CI|CI)?\s*[:=,]?\s*"
                rf"(?P<lo>{_NUM})\s*(?:-|–|—|to|,|;)\s*(?P<hi>{_NUM})\s*[)\]]$", re.I), "interval"),
    # 45.3 (12.1)
    (re.compile(rf"^(?P<c>{_NUM})\s*[(\[]\s*(?P<s>{_NUM})\s*[)\]]$"), "paren"),
]
_DASH_MINUS = re.compile(r"(^|[\s(\[;,])[–—](?=\.?\d)")  # "–4.0 (3.9)": a dash before a number is a minus
_DECIMAL_COMMA = re.compile(r"(?<![\d,])(\d+),(\d{1,2})(?![\d,])")
_KIND = {"sd": "sd", "s.d.": "sd", "se": "se", "sem": "se", "s.e.": "se"}


def parse_summary(text: str, *, default_dispersion: str | None = None) -> Summary | None:
    """Read "45.3 ± 12.1", "45.3 (SD 12.1)", "45.3 (12.1)", "3.2 (2.1–4.5)", "3.2 [IQR 2.1, 4.5]".

    ``default_dispersion`` says what an unlabelled spread is when the context (a table header
    "mean (SD)", a caption "median (IQR)") tells: "sd", "se", "iqr", "range" or "ci".
    "±" without a label reads as SD only when ``default_dispersion`` says so, else "unknown".
    """
    t = _DASH_MINUS.sub(r"\1-", fold(text).strip())
    if "±" in t:
        t = _DECIMAL_COMMA.sub(r"\1.\2", t)  # "4.3 ± 1,4"
    for form, shape in _SUMMARY_FORMS:
        m = form.match(t)
        if m:
            return _summary(m.groupdict(), shape, default_dispersion)
    return None


def _summary(g: dict[str, str | None], shape: str, default: str | None) -> Summary | None:
    centre = parse_number(g["c"] or "")
    if centre is None:
        return None
    kind = (g.get("kind") or "").lower().replace(" ", "")
    if shape == "interval":
        lo, hi = parse_number(g["lo"] or ""), parse_number(g["hi"] or "")
        if lo is None or hi is None or lo > hi:
            return None
        dispersion = {"iqr": "iqr", "range": "range", "95%ci": "ci", "ci": "ci"}.get(kind, default)
        if dispersion not in ("iqr", "range", "ci"):
            dispersion = "unknown"
        centre_kind = "median" if dispersion in ("iqr", "range") else "unknown"
        return Summary(centre, centre_kind, dispersion, low=lo, high=hi)
    spread = parse_number(g["s"] or "")
    if spread is None or spread < 0:
        return None
    dispersion = _KIND.get(kind) or (default if default in ("sd", "se") else "unknown")
    if shape == "pm_range":
        lo, hi = parse_number(g["lo"] or ""), parse_number(g["hi"] or "")
        if lo is None or hi is None or not lo <= centre <= hi:
            return None
        return Summary(centre, "mean" if dispersion in ("sd", "se") else "unknown", dispersion, spread, lo, hi)
    return Summary(centre, "mean" if dispersion in ("sd", "se") else "unknown", dispersion, spread)


# --- effect estimates and intervals ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Interval:
    """A confidence interval: ``level`` in percent (95 unless stated)."""

    low: float
    high: float
    level: float = 95.0


_CI_RE = re.compile(
    r"^[(\[]?\s*(?:(?P<level>\d{2}(?:\.\d+)?)\s*%\s*)?(?:CIs?|confidence\s+intervals?|C\.I\.|CrI)?"
    rf"\s*(?:[:=,]|of\b|was\b)?\s*[(\[]?\s*(?P<lo>{_NUM})\s*(?:-|–|—|to|,|;|\.\.)\s*(?P<hi>{_NUM})\s*[)\]]?$",
    re.I,
)


def parse_interval(text: str) -> Interval | None:
    """Read "95% CI 0.52–1.42", "(0.52 to 1.42)", "95% CI: 0.52, 1.42", "[−1.2; 0.3]", "95% CIs (0.5 to 0.9)",
    "95% confidence interval of 0.5 to 0.9"."""
    m = _CI_RE.match(fold(text).strip())
    if not m:
        return None
    lo, hi = parse_number(m.group("lo")), parse_number(m.group("hi"))
    if lo is None or hi is None or lo > hi:
        return None
    level = float(m.group("level")) if m.group("level") else 95.0
    return Interval(lo, hi, level) if 50.0 <= level < 100.0 else None


EFFECT_MEASURES: dict[str, str] = {
    "rr": "RR", "relative risk": "RR", "risk ratio": "RR", "rate ratio": "RR",
    "or": "OR", "odds ratio": "OR", "aor": "OR", "adjusted odds ratio": "OR",
    "hr": "HR", "hazard ratio": "HR", "ahr": "HR", "adjusted hazard ratio": "HR",
    "irr": "IRR", "incidence rate ratio": "IRR",
    "md": "MD", "mean difference": "MD", "wmd": "MD", "difference": "MD",
    "smd": "SMD", "standardised mean difference": "SMD", "standardized mean difference": "SMD",
    "rd": "RD", "risk difference": "RD", "absolute risk difference": "RD", "ard": "RD",
    "arr": "RD", "absolute risk reduction": "RD",
}


_QUALIFIERS = re.compile(r"^(?:(?:adjusted|unadjusted|crude|pooled|overall|estimated|the|an?)\s+)+")


def effect_measure(name: str) -> str | None:
    """Map a written measure ("odds ratio", "aOR", "HR") to its code (RR, OR, HR, IRR, MD, SMD, RD)."""
    key = re.sub(r"\s+", " ", fold(name).strip().lower().rstrip(":= ("))
    key = _QUALIFIERS.sub("", key)
    return EFFECT_MEASURES.get(key)


# --- group sizes ----------------------------------------------------------------------------------

_N_RE = re.compile(
    r"^[(\[]?\s*(?:(?:n|N)\s*(?:=|:)\s*(?P<n>\d{1,3}(?:,\d{3})+|\d+)|"
    r"(?P<count>\d{1,3}(?:,\d{3})+|\d+)\s+(?:patients|people|persons|subjects|participants|"
    r"children|infants|cases|individuals|volunteers|eyes))\s*[)\]]?$"
)


def parse_group_size(text: str) -> int | None:
    """Read "n=30", "(n = 30)", "N: 1,204", "[n=12]", "(120 patients)"."""
    m = _N_RE.match(fold(text).strip())
    return _int(m.group("n") or m.group("count")) if m else None


_WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
      "ninety": 90, "hundred": 100, "none": 0, "no": 0, "a hundred": 100, "one hundred": 100}


def parse_count_word(text: str) -> int | None:
    """Read a count written out: "two", "Thirty", "twenty-five", "fifty two", "none", "42"."""
    t = fold(text).strip().lower().replace("-", " ")
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", t):
        return int(t.replace(",", ""))
    if t in _WORD_NUMBERS:
        return _WORD_NUMBERS[t]
    parts = t.split()
    if len(parts) == 2 and parts[0] in _WORD_NUMBERS and parts[1] in _WORD_NUMBERS:
        tens, unit = _WORD_NUMBERS[parts[0]], _WORD_NUMBERS[parts[1]]
        if tens % 10 == 0 and 20 <= tens <= 90 and 1 <= unit <= 9:
            return tens + unit
    return None


@dataclass(frozen=True, slots=True)
class Effect:
    """An effect estimate as reported: "OR 1.52 (95% CI 1.10–2.10)"."""

    measure: str
    value: float
    interval: Interval | None = None


_EFFECT_RE = re.compile(
    r"^(?P<name>[A-Za-z][A-Za-z ]*?)\s*(?:[(\[]\s*[A-Za-z]+\s*[)\]])?\s*(?:=|:|,|of|was)?\s*"
    rf"(?P<value>{_NUM_STRICT})\s*(?P<rest>.*)$",
    re.S,
)


def parse_effect(text: str) -> Effect | None:
    """Read "OR 1.52", "HR = 0.72 (0.52–0.99)", "odds ratio 2.1, 95% CI 1.1–3.9", "RR 0.98 (95% CI 0.64 to 1.49)",
    "hazard ratio [HR] 0.55"."""
    m = _EFFECT_RE.match(fold(text).strip())
    if not m:
        return None
    measure = effect_measure(m.group("name"))
    value = parse_number(m.group("value"))
    if measure is None or value is None:
        return None
    rest = m.group("rest").strip().lstrip(",;").strip()
    interval = parse_interval(rest) if rest else None
    if rest and interval is None:
        return None
    return Effect(measure, value, interval)


@dataclass(frozen=True, slots=True)
class Timepoint:
    """When an outcome was measured: ``unit`` in singular ("week") and ``value`` (12)."""

    unit: str
    value: float

    def __str__(self) -> str:
        v = int(self.value) if self.value == int(self.value) else self.value
        return f"{self.unit} {v}"

    @property
    def days(self) -> float:
        """The time point in days (a month is 30.4 days; a visit counts as a day), to order time points."""
        return self.value * _DAYS_PER_UNIT[self.unit]


_DAYS_PER_UNIT = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 30.4, "year": 365, "visit": 1}


_UNITS = {
    "day": "day", "days": "day", "d": "day",
    "week": "week", "weeks": "week", "wk": "week", "wks": "week",
    "month": "month", "months": "month", "mo": "month", "m": "month", "mth": "month", "mths": "month",
    "year": "year", "years": "year", "yr": "year", "yrs": "year",
    "hour": "hour", "hours": "hour", "h": "hour", "hr": "hour", "hrs": "hour",
    "minute": "minute", "minutes": "minute", "min": "minute", "mins": "minute",
    "visit": "visit",
}
_TP_UNIT_FIRST = re.compile(r"(?P<unit>[A-Za-z]+)\s+(?P<num>\d+(?:\.\d+)?)\b")
_TP_NUM_FIRST = re.compile(r"(?P<num>\d+(?:\.\d+)?)\s*-?\s*(?P<unit>[A-Za-z]+)\b")


@lru_cache(maxsize=16384)  # a table's labels and caption are read for each of its rows
def parse_timepoint(text: str) -> Timepoint | None:
    """Read "at week 12", "after 6 months", "12-week follow-up", "at 24 h", "visit 3"."""
    t = fold(text)
    for pattern in (_TP_UNIT_FIRST, _TP_NUM_FIRST):
        for m in pattern.finditer(t):
            unit = _UNITS.get(m.group("unit").lower())
            if unit:
                return Timepoint(unit, float(m.group("num")))
    return None


def untimed(text: str) -> str:
    """``text`` without its time points, lower case ("Medial tibia, 24 months" -> "medial tibia"):
    the name of what is measured, to tell one outcome at several times from several outcomes."""
    t = fold(text)
    for pattern in (_TP_UNIT_FIRST, _TP_NUM_FIRST):
        t = pattern.sub(lambda m: " " if m.group("unit").lower() in _UNITS else m.group(0), t)
    return re.sub(r"[\s,;:()]+", " ", t).strip().lower()
