"""Pure functions that normalise field values the same way whatever source they came from.

No I/O except reading the package's language table once. Every function takes raw text (or None)
and returns the normalised value, or None when there is nothing usable: missing is None, never "".
"""

from __future__ import annotations

import calendar
import json
import re
import unicodedata
from functools import cache
from importlib import resources
from urllib.parse import unquote

__all__ = [
    "clean_text",
    "find_trial_registrations",
    "initials_of",
    "iso_date",
    "language_code",
    "month_number",
    "normalise_doi",
    "normalise_license",
    "normalise_orcid",
    "normalise_pmcid",
    "normalise_pmid",
    "parse_medline_date",
]

_WS = re.compile(r"\s+")


def clean_text(text: str | None) -> str | None:
    """Collapse whitespace, normalise to NFC and return None for empty text.

    Characters are otherwise kept as they are (no ASCII folding, no quote "fixing").
    """
    if text is None:
        return None
    text = _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return text or None


# --- identifiers ---------------------------------------------------------------------------------

_DOI = re.compile(r"10\.\d{3,9}/\S+", re.IGNORECASE)
_DOI_TRAILING = ".,;:)]}>'\""


def normalise_doi(text: str | None) -> str | None:
    """Return the DOI in ``text`` in lower case without URL or ``doi:`` prefix.

    Accepts "10.1/x", "doi:10.1/x", "DOI: 10.1/x", "https://doi.org/10.1/x", "http://dx.doi.org/…"
    (percent-escapes decoded). Returns None when ``text`` holds no DOI.
    """
    if not text:
        return None
    match = _DOI.search(unquote(text.strip()))
    if match is None:
        return None
    doi = match.group(0)
    while doi and doi[-1] in _DOI_TRAILING and not _balanced_tail(doi):
        doi = doi[:-1]
    return doi.lower() or None


def _balanced_tail(doi: str) -> bool:
    """Keep a closing bracket that closes one opened inside the DOI, e.g. "10.1016/0140-6736(93)x)"."""
    pairs = {")": "(", "]": "[", "}": "{"}
    last = doi[-1]
    return last in pairs and doi.count(pairs[last]) >= doi.count(last)


_PMCID = re.compile(r"^(?:PMCID[:\s]*)?(?:PMC)?(\d{1,9})(?:\.\d+)?$", re.IGNORECASE)
_PMID = re.compile(r"^(?:PMID[:\s]*)?0*([1-9]\d{0,9})(?:\.\d+)?$", re.IGNORECASE)


def normalise_pmcid(text: str | int | None) -> str | None:
    """Return a PMC ID as "PMC1234567" from "PMC1234567", "pmc1234567", "1234567" or "PMC123.1"."""
    if text is None:
        return None
    if isinstance(text, str) and text[:3] == "PMC" and text[3:].isdigit() and text.isascii() and len(text) <= 12:
        return f"PMC{int(text[3:])}" if int(text[3:]) else None  # the usual case, spared the pattern
    match = _PMCID.match(str(text).strip())
    return f"PMC{int(match.group(1))}" if match and int(match.group(1)) else None


def normalise_pmid(text: str | int | None) -> str | None:
    """Return a PubMed ID as a string of digits ("PMID: 0123" -> "123"), or None if it is not one."""
    if text is None:
        return None
    if isinstance(text, str) and text.isdigit() and text.isascii() and text[0] != "0" and len(text) <= 10:
        return text  # the usual case, spared the pattern
    match = _PMID.match(str(text).strip())
    return match.group(1) if match else None


_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])", re.IGNORECASE)


def normalise_orcid(text: str | None) -> str | None:
    """Return an ORCID iD in its bare form "0000-0002-1825-0097" from a URL or a bare iD."""
    if not text:
        return None
    match = _ORCID.search(text.replace(" ", ""))
    return "-".join(match.groups()).upper() if match else None


# --- dates ---------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
}
_MONTHS.update({"sept": 9})
# A season gives no month; we place it at the month it starts (northern meteorological seasons),
# the usual convention of bibliographic sort dates. pub_date_raw keeps the season itself.
_SEASONS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}
_TOKEN = re.compile(r"[A-Za-z]+|\d+")


def month_number(text: str | None) -> int | None:
    """Return 1-12 for a month number, name or abbreviation ("01", "Jan", "January", "Sept")."""
    if not text:
        return None
    text = text.strip().lower().rstrip(".")
    if text.isdigit():
        return int(text) if 1 <= int(text) <= 12 else None
    if len(text) < 3:
        return None
    return _MONTHS.get(text) or _MONTHS.get(text[:3])


def season_month(text: str | None) -> int | None:
    """Return the month a season starts in ("Spring" -> 3), or None if ``text`` is no season."""
    return _SEASONS.get(text.strip().lower()) if text else None


def parse_medline_date(raw: str | None) -> tuple[int | None, int | None, int | None]:
    """Split a free-text PubMed ``MedlineDate`` into (year, month, day), None where unknown.

    The first year and the first month (or season) are taken: "1998 Dec-1999 Jan" -> (1998, 12,
    None); "Jan-Feb 2001" -> (2001, 1, None); "2000 Spring" -> (2000, 3, None); "1998 Dec 15-21" ->
    (1998, 12, 15); "1975-1976" -> (1975, None, None).
    """
    tokens = _TOKEN.findall(raw or "")
    year = next((int(t) for t in tokens if len(t) == 4 and t.isdigit() and 1000 < int(t) < 3000), None)
    for i, token in enumerate(tokens):
        if token.isdigit():
            continue
        month = month_number(token) if len(token) >= 3 else None
        if month:
            return year, month, _day_after(tokens, i)
        if season_month(token):
            return year, season_month(token), None
    return year, None, None


def _day_after(tokens: list[str], i: int) -> int | None:
    if i + 1 < len(tokens) and tokens[i + 1].isdigit() and len(tokens[i + 1]) <= 2:
        day = int(tokens[i + 1])
        return day if 1 <= day <= 31 else None
    return None


def iso_date(year: int | str | None, month: int | str | None = None, day: int | str | None = None) -> str | None:
    """Return an ISO 8601 date as precise as known: "2020", "2020-01" or "2020-01-09".

    ``month`` may be a number or a name. A day that does not exist in that month is dropped, and
    a day without a month is ignored.
    """
    try:
        y = int(year) if year is not None and str(year).strip() else None
    except ValueError:
        return None
    if y is None or not 1 <= y <= 9999:
        return None
    m = month if isinstance(month, int) else month_number(month)
    if m is None or not 1 <= m <= 12:
        return f"{y:04d}"
    d = _int_or_none(day)
    if d is None or not 1 <= d <= calendar.monthrange(y, m)[1]:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


def _int_or_none(value: int | str | None) -> int | None:
    if isinstance(value, int):
        return value
    if value and str(value).strip().isdigit():
        return int(str(value).strip())
    return None


# --- language ------------------------------------------------------------------------------------


@cache
def _languages() -> dict[str, str]:
    path = resources.files("extractor") / "data" / "languages.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c)).strip()


@cache
def language_code(text: str | None) -> str | None:
    """Return the ISO 639-1 code of a language given by code or name, else None.

    Accepts ISO 639-1 ("en"), ISO 639-2/B and /T ("eng", "fre", "fra"), English names ("English",
    "Dutch; Flemish") and names in about 40 other languages ("Inglés", "Englisch", "Anglais",
    "日本語"). Region subtags are ignored ("en-GB", "pt_BR"). "und", "mul" and unknown text -> None.
    The table is generated from Debian's iso-codes by scripts/make_language_table.py.
    """
    if not text:
        return None
    key = _fold(text)
    table = _languages()
    if key in table:
        return table[key]
    base = re.split(r"[-_]", key, maxsplit=1)[0]
    return table.get(base) if len(base) in (2, 3) else None


# --- trial registrations -------------------------------------------------------------------------

# Each registry's ID shape (primary registries of the WHO ICTRP plus ClinicalTrials.gov, ISRCTN and
# the EU registers). The prefix may be followed by a space or dash in running text ("NCT 0123...").
_REGISTRIES: tuple[tuple[str, str], ...] = (
    ("NCT", r"NCT[\s:-]?\d{8}"),
    ("ISRCTN", r"ISRCTN[\s:-]?\d{8}"),
    ("ChiCTR", r"ChiCTR(?:-?[A-Z]{2,5}-?\d{8}|\d{10})"),
    ("ACTRN", r"ACTRN[\s:-]?\d{14}"),
    ("DRKS", r"DRKS[\s:-]?\d{8}"),
    ("CTRI", r"CTRI/\d{4}/\d{2,3}/\d{6}"),
    ("JPRN", r"JPRN-(?:UMIN\d{9}|JapicCTI-\d{6}|jRCTs?\d{9,10}|JMA-IIA\d{5}|C\d{9})"),
    ("UMIN", r"UMIN(?:-CTR)?[\s:-]?\d{9}"),
    ("jRCT", r"jRCTs?\d{9,10}"),
    ("JapicCTI", r"JapicCTI-\d{6}"),
    ("IRCT", r"IRCT\d{8,20}N\d{1,3}"),
    ("KCT", r"KCT\d{7}"),
    ("PACTR", r"PACTR\d{15,16}"),
    ("NTR", r"NTR[\s:-]?\d{2,5}"),
    ("SLCTR", r"SLCTR/\d{4}/\d{3}"),
    ("TCTR", r"TCTR\d{11}"),
    ("RBR", r"RBR-[0-9a-z]{6,8}"),
    ("RPCEC", r"RPCEC\d{8}"),
    ("LBCTR", r"LBCTR\d{10}"),
    ("CTIS", r"\d{4}-5\d{5}-\d{2}-\d{2}"),
    ("EudraCT", r"(?:19|20)\d{2}-\d{6}-\d{2}"),
)
_REGISTRATION = re.compile(
    r"(?<![A-Z0-9/-])(?:" + "|".join(f"(?P<{name}>{rx})" for name, rx in _REGISTRIES) + r")(?![\w/])",
)
_CASE = {name: name for name, _ in _REGISTRIES}


def find_trial_registrations(text: str | None) -> tuple[str, ...]:
    """Return the trial registration IDs in ``text``, in order of appearance, without duplicates.

    IDs are returned in their canonical form: the registry prefix as the registry writes it and
    no space after it ("NCT 01234567" -> "NCT01234567", "isrctn12345678" is not matched: prefixes
    are case-sensitive, as registries print them, to avoid matching ordinary words).
    """
    if not text or not _may_hold_registration(text):
        return ()
    found: dict[str, None] = {}
    for match in _REGISTRATION.finditer(text):
        found.setdefault(_canonical(match.lastgroup or "", match.group(0)), None)
    return tuple(found)


# Every ID of a registry holds one of these strings, and running text names the EU registers when
# it cites a bare EudraCT/CTIS number. One scan for them (a few microseconds) spares the full
# pattern (slow: 21 alternatives) on the many texts that cite no registry. Short texts (a DataBank
# accession number alone) always get the full pattern.
_HINTS = ("NCT", "CTR", "ISRCTN", "DRKS", "JPRN", "UMIN", "jRCT", "JapicCTI", "IRCT", "KCT", "RBR-",
          "RPCEC", "Eudra", "EU CT", "EU-CT", "EUCT", "CTIS")  # fmt: skip


_HINT = re.compile("|".join(map(re.escape, _HINTS)) + r"|NTR[\s:-]?\d")  # not "NTR" alone: "INTRODUCTION"


def _may_hold_registration(text: str) -> bool:
    return len(text) < 64 or _HINT.search(text) is not None


def _canonical(registry: str, raw: str) -> str:
    if registry in ("NCT", "ISRCTN", "ACTRN", "DRKS", "NTR"):
        return registry + re.sub(r"^[A-Z]+[\s:-]?", "", raw)
    if registry == "UMIN":
        return "UMIN" + raw[-9:]
    return raw


# --- licences ------------------------------------------------------------------------------------

_CC_URL = re.compile(
    r"creativecommons\.org/(?:licenses|licences)/([a-z-]+)/(\d\.\d)(?:/([a-z]{2,3}))?", re.IGNORECASE
)
_CC0_URL = re.compile(r"creativecommons\.org/publicdomain/zero/(\d\.\d)", re.IGNORECASE)
_CC_CODE = re.compile(
    r"\bCC[\s-]?(BY(?:[\s-](?:NC|ND|SA)){0,2})(?:[\s-]+(?:licen[cs]e\s+)?(?:v(?:ersion)?\s*)?(\d\.\d))?",
    re.IGNORECASE,
)
_CC0_CODE = re.compile(r"\bCC[\s-]?0(?:[\s-]+(\d\.\d))?|\bCC[\s-]?Zero\b", re.IGNORECASE)
_CC_PROSE = re.compile(r"creative\s+commons", re.IGNORECASE)
_VERSION = re.compile(r"\b(\d\.\d)\b")
_PROSE_PARTS = (
    ("NC", re.compile(r"non[\s-]?commercial", re.IGNORECASE)),
    ("ND", re.compile(r"no[\s-]?deriv", re.IGNORECASE)),
    ("SA", re.compile(r"share[\s-]?alike", re.IGNORECASE)),
)


def normalise_license(text: str | None) -> str | None:
    """Return a Creative Commons licence named in a URL or in prose, as "CC BY-NC 4.0", "CC0 1.0".

    Recognises licence URLs (".../licenses/by-nc-nd/4.0/"), codes ("CC-BY 4.0", "CC BY-NC-SA")
    and prose ("Creative Commons Attribution-NonCommercial 4.0 International License"). The version
    is left out when the text does not give one. Returns None when no CC licence is named.
    """
    if not text:
        return None
    for finder in (_license_from_url, _license_from_code, _license_from_prose):
        found = finder(text)
        if found:
            return found
    return None


def _license_from_url(text: str) -> str | None:
    if match := _CC0_URL.search(text):
        return f"CC0 {match.group(1)}"
    if match := _CC_URL.search(text):
        kind, version, port = match.groups()
        name = f"CC {kind.upper()} {version}"
        return f"{name} {port.upper()}" if port else name
    return None


def _license_from_code(text: str) -> str | None:
    if match := _CC0_CODE.search(text):
        return f"CC0 {match.group(1)}" if match.group(1) else "CC0"
    if match := _CC_CODE.search(text):
        kind = re.sub(r"[\s-]+", "-", match.group(1).upper())
        version = match.group(2) or _version_near(text, match.end())
        return f"CC {kind} {version}" if version else f"CC {kind}"
    return None


def _license_from_prose(text: str) -> str | None:
    match = _CC_PROSE.search(text)
    if match is None:
        return None
    tail = text[match.end() : match.end() + 120]
    if re.match(r"\W*(?:zero|cc0|public\s+domain)", tail, re.IGNORECASE):
        return _with_version("CC0", tail)
    if not re.search(r"attribution|\bby\b", tail, re.IGNORECASE):
        return None
    parts = [code for code, rx in _PROSE_PARTS if rx.search(tail)]
    return _with_version("CC " + "-".join(["BY", *parts]), tail)


def _with_version(name: str, tail: str) -> str:
    match = _VERSION.search(tail)
    return f"{name} {match.group(1)}" if match else name


def _version_near(text: str, start: int) -> str | None:
    match = _VERSION.search(text[start : start + 25])
    return match.group(1) if match else None


# --- names ---------------------------------------------------------------------------------------


def initials_of(given: str | None) -> str | None:
    """PubMed-style initials of given names: "Jing" -> "J", "Jean-Pierre A." -> "JPA", "" -> None."""
    if not given:
        return None
    parts = re.split(r"[\s.\-‐]+", given)
    return "".join(part[0].upper() for part in parts if part and part[0].isalpha()) or None
