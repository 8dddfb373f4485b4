"""Catalogue records -> :class:`~extractor.records.Record`: VuFind Solr documents, rendered pages.

Two inputs here, and MARCXML, which :func:`parse_catalogue` hands to :mod:`extractor.parse.marc`:

- **Solr JSON**: a full select response (``{"response": {"docs": [...]}}``, MoreLikeThis answers
  with their ``match`` block first), a bare document, a list of documents, or a raw HTTP transcript
  (status line + headers + JSON body) as recorded by VuFind's test suite. A 4xx/5xx status, a Solr
  ``error`` object or a non-zero ``responseHeader.status`` is a ParseError; an answer with no
  documents at all (a TermsComponent answer) is an UnknownFormatError; ``numFound: 0`` is zero
  records, not an error.
- **The rendered record page** ("field | value |" rows, as a browser copy of VuFind's record page
  with its staff view gives): the rows keyed by Solr field names (``author``, ``title``,
  ``spelling``...) are read as a Solr document whose multi-valued fields have been joined by
  spaces; the localised header block ("Autores principales:", "Lenguaje:"...) may be in any
  language, so it is only a fallback (URLs, a language name, the title line).

Field by field: the PMID, PMCID and DOI come from the record's URLs, never from ``id`` (VuFind ids
such as "pubmed-6937406" carry the PMC number). Authors come from ``author``/``author2`` (or
``author_facet``); in the rendered page a run of names joined by spaces is split where the
``work_keys_str_mv`` keys ("AT hejing <title key>") say each name ends, or, without keys, at each
"Family," that follows a given name. Names without a comma are corporate (``collective``). For
MEDLINE-built records, ``spelling`` (RecordManager's concatenation of the record's fields) gives
the journal abbreviation (between the authors and the topics/abstract), the print and electronic
dates (after the publisher) and the licence. MARC-built records give title, authors, publisher,
year, language, topics and URLs; nothing is guessed from their ``spelling``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from extractor.errors import ParseError, UnknownFormatError
from extractor.normalise import (
    clean_text,
    find_trial_registrations,
    initials_of,
    iso_date,
    language_code,
    normalise_doi,
    normalise_license,
    normalise_pmcid,
    normalise_pmid,
)
from extractor.parse._abstract import abstract_text, split_labelled
from extractor.records import Author, Journal, Record

__all__ = ["parse_catalogue", "split_author_run"]

Doc = Mapping[str, Any]

_HTTP_STATUS = re.compile(r"\AHTTP/\d(?:\.\d)?\s+(\d{3})\s*([^\r\n]*)")
_HEADER_END = re.compile(r"\r?\n\r?\n")
_SOLR_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SEPARATOR_ROW = re.compile(r"^\s*-{3,}\s*\|\s*-{3,}\s*\|\s*$")
_WORK_KEY = re.compile(r"\bAT\s+(\S+)\s+\S+")
_ISBD_END = re.compile(r"[\s/:;,=]+$|\s+-$")
_DATE = re.compile(r"\b(\d{4}(?:-\d{2}){0,2})\b")
_YEAR = re.compile(r"\b(1[5-9]\d{2}|2\d{3})\b")
_PUBMED_URL = re.compile(
    r"(?:ncbi\.nlm\.nih\.gov/pubmed/|pubmed\.ncbi\.nlm\.nih\.gov/|^/pubmed/)(\d+)"
)
_PMC_URL = re.compile(r"/pmc/articles/(PMC\d+)", re.IGNORECASE)
_DOI_URL = re.compile(r"doi\.org/", re.IGNORECASE)
_URL = re.compile(r"^(?:https?://|/pmc/|/pubmed/)\S+$")
_PARTICLES = frozenset(
    {"de", "da", "das", "do", "dos", "du", "del", "della", "der", "den", "di", "la", "le", "van",
     "von", "ter", "ten", "zu", "al", "el", "bin", "ibn", "st", "mac"}
)  # fmt: skip


# --- entry point ---------------------------------------------------------------------------------


def parse_catalogue(data: bytes, *, source: str | None = None) -> list[Record]:
    """Parse VuFind Solr JSON (response, document(s) or HTTP transcript), a rendered record page
    or MARCXML (read by :func:`extractor.parse.marc.parse_marc`).

    Parameters
    ----------
    data
        The bytes of the file.
    source
        A name for the input (a path), used in error messages.

    Returns
    -------
    list[Record]
        One record per document, in the order of the answer (none for ``numFound: 0``).

    Raises
    ------
    ParseError
        For an HTTP or Solr error answer, invalid JSON, or a page with no record fields;
        UnknownFormatError (a ParseError) for an answer that holds no documents at all.
    """
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        from extractor.parse.marc import parse_marc

        return parse_marc(data, source=source)
    text = _decode(data, source)
    status = _HTTP_STATUS.match(text)
    if status:
        text = _http_body(text, status, source)
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        docs = _solr_docs(_load_json(stripped, source), source)
        return [_record(doc, joined=False, source=source, index=i) for i, doc in enumerate(docs)]
    return [_record(_page_doc(text, source), joined=True, source=source, index=0)]


def _decode(data: bytes, source: str | None) -> str:
    if not data.strip():
        raise ParseError("empty input", source=source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ParseError(f"not UTF-8 text: {e}", source=source) from e


def _http_body(text: str, status: re.Match[str], source: str | None) -> str:
    code, reason = int(status.group(1)), status.group(2).strip()
    if code >= 400:
        raise ParseError(
            f"HTTP {code} {reason}: the server answered with an error, not records".replace(
                "  ", " "
            ),
            source=source,
        )
    parts = _HEADER_END.split(text, maxsplit=1)
    if len(parts) < 2 or not parts[1].strip():
        raise ParseError(f"HTTP {code} answer without a body", source=source)
    return parts[1]


def _load_json(text: str, source: str | None) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ParseError(f"not valid JSON: {e}", source=source) from e


def _solr_docs(data: Any, source: str | None) -> list[Doc]:
    """The documents of a Solr answer, a bare document or a list of documents."""
    if isinstance(data, list):
        if not all(isinstance(d, dict) for d in data):
            raise ParseError("a JSON list that does not hold Solr documents", source=source)
        return data
    if not isinstance(data, dict):
        raise ParseError("JSON that is neither a Solr answer nor a document", source=source)
    _check_solr_error(data, source)
    blocks = [data[k] for k in ("match", "response") if isinstance(data.get(k), dict)]
    if blocks:
        return [doc for block in blocks for doc in block.get("docs") or [] if isinstance(doc, dict)]
    if "responseHeader" in data:
        kinds = ", ".join(k for k in data if k != "responseHeader") or "nothing"
        raise UnknownFormatError(
            f"a Solr answer without documents (it holds {kinds})", source=source
        )
    return [data]


def _check_solr_error(data: Mapping[str, Any], source: str | None) -> None:
    error = data.get("error")
    if isinstance(error, dict):
        raise ParseError(
            f"Solr error {error.get('code', '')}: {error.get('msg', 'no message')}".strip(),
            source=source,
        )
    header = data.get("responseHeader")
    if isinstance(header, dict) and header.get("status") not in (0, None):
        raise ParseError(f"Solr answered with status {header.get('status')}", source=source)


# --- the rendered page ---------------------------------------------------------------------------


def _page_doc(text: str, source: str | None) -> dict[str, str]:
    """Read a rendered page: Solr-field rows as a document, localised rows and loose lines aside."""
    rows, loose = page_rows(text)
    doc = {key: value for key, value in rows if _SOLR_FIELD.fullmatch(key)}
    localised = [value for key, value in rows if not _SOLR_FIELD.fullmatch(key)]
    if not doc and not localised:
        raise ParseError("no 'field | value |' rows: not a catalogue record page", source=source)
    _fill_from_localised(doc, localised, loose)
    return doc


def page_rows(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Split a rendered page into ("key", "value") rows and the lines outside any row.

    A row is "key | value |"; a value may run over several lines until a line ending in "|".
    """
    rows: list[tuple[str, str]] = []
    loose: list[str] = []
    pending: tuple[str, list[str]] | None = None
    for line in text.splitlines():
        if pending is not None:
            done = line.rstrip().endswith("|")
            pending[1].append(line.rstrip()[:-1] if done else line)
            if done:
                rows.append((pending[0], _spaces(" ".join(pending[1]))))
                pending = None
        elif _SEPARATOR_ROW.match(line):
            continue
        elif "|" in line:
            key, _, rest = line.partition("|")
            rest = rest.rstrip()
            if rest.endswith("|"):
                rows.append((key.strip(), _spaces(rest[:-1])))
            else:
                pending = (key.strip(), [rest])
        elif line.strip():
            loose.append(line.strip())
    return rows, loose


def _fill_from_localised(doc: dict[str, str], localised: list[str], loose: list[str]) -> None:
    """Use the localised header block only where the Solr fields are missing."""
    if "url" not in doc:
        urls = [token for value in localised for token in value.split() if _URL.match(token)]
        if urls:
            doc["url"] = " ".join(urls)
    if "language" not in doc:
        language = next((v for v in localised if language_code(v)), None)
        if language:
            doc["language"] = language
    if "title" not in doc:
        titles = [
            line for line in loose if len(line.split()) >= 3 and not line.endswith(("…", "..."))
        ]
        if titles:
            doc["title"] = titles[0]


def _spaces(text: str) -> str:
    return " ".join(text.split())


# --- one document --------------------------------------------------------------------------------


def _record(doc: Doc, *, joined: bool, source: str | None, index: int) -> Record:
    try:
        return _build(doc, joined)
    except (TypeError, ValueError, AttributeError) as e:
        raise ParseError(
            f"cannot read document: {e}", source=source, record_id=str(doc.get("id") or index)
        ) from e


def _build(doc: Doc, joined: bool) -> Record:
    urls = _urls(doc)
    spelling = " ".join(_values(doc, "spelling"))
    authors = _authors(doc, joined)
    description = clean_text(" ".join(_values(doc, "description")))
    sections = split_labelled(description)
    year = _year(doc)
    medline = _is_medline(doc)
    pub_date, epub_date = _spelling_dates(spelling, doc) if medline else (None, None)
    title = _title(doc)
    return Record(
        source_format="catalogue",
        pmid=normalise_pmid(_first_match(_PUBMED_URL, urls)),
        pmcid=normalise_pmcid(_first_match(_PMC_URL, urls)),
        doi=next((normalise_doi(u) for u in urls if _DOI_URL.search(u)), None) or _doc_doi(doc),
        title=title,
        abstract=abstract_text(sections),
        abstract_sections=sections,
        authors=authors,
        journal=_journal(doc, spelling, title, authors, medline),
        publisher=_isbd(_first(doc, "publisher")),
        year=int(pub_date[:4]) if pub_date else year,
        pub_date=pub_date or iso_date(year),
        epub_date=epub_date,
        language=next((c for c in map(language_code, _values(doc, "language")) if c), None),
        publication_types=_unique(_values(doc, "format")),
        topics=_unique(_values(doc, "topic")),
        trial_registrations=find_trial_registrations(
            "\n".join([title or "", description or "", spelling])
        ),
        license=normalise_license(" ".join(_values(doc, "license", "rights")) or spelling),
        urls=tuple(u for u in urls if u.startswith(("http://", "https://"))),
    )


def _values(doc: Doc, *keys: str) -> list[str]:
    out: list[str] = []
    for key in keys:
        value = doc.get(key)
        items = value if isinstance(value, list) else [value]
        out.extend(s for s in (_spaces(str(v)) for v in items if v is not None) if s)
    return out


def _first(doc: Doc, *keys: str) -> str | None:
    return next(iter(_values(doc, *keys)), None)


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _isbd(text: str | None) -> str | None:
    """Strip the ISBD punctuation MARC leaves at a field's end ("Greenwood Press," "The test /")."""
    return clean_text(_ISBD_END.sub("", text)) if text else None


def _title(doc: Doc) -> str | None:
    title = _first(doc, "title")
    if title is None:
        full = _first(doc, "title_full")
        title = full.split(" / ")[0] if full else _first(doc, "title_short")
    return _isbd(title)


def _urls(doc: Doc) -> list[str]:
    return list(dict.fromkeys(token for value in _values(doc, "url") for token in value.split()))


def _first_match(pattern: re.Pattern[str], values: Iterable[str]) -> str | None:
    return next((m.group(1) for v in values if (m := pattern.search(v))), None)


def _doc_doi(doc: Doc) -> str | None:
    return next((d for d in map(normalise_doi, _values(doc, "doi", "doi_str_mv")) if d), None)


def _year(doc: Doc) -> int | None:
    match = _YEAR.search(" ".join(_values(doc, "publishDate", "publishDateSort")))
    return int(match.group(1)) if match else None


def _is_medline(doc: Doc) -> bool:
    kind = " ".join(_values(doc, "record_format", "recordtype", "collection")).lower()
    return "medline" in kind or "pubmed" in kind


# --- spelling (RecordManager's concatenation of a MEDLINE record's fields) -----------------------


def _journal(
    doc: Doc, spelling: str, title: str | None, authors: tuple[Author, ...], medline: bool
) -> Journal | None:
    journal = Journal(
        title=_isbd(_first(doc, "container_title")),
        iso_abbrev=_spelling_journal(spelling, doc, title, authors) if medline else None,
        issn=_first(doc, "issn"),
        volume=_first(doc, "container_volume"),
        issue=_first(doc, "container_issue"),
        pages=_first(doc, "container_start_page"),
    )
    return journal if journal != Journal() else None


def _spelling_journal(
    spelling: str, doc: Doc, title: str | None, authors: tuple[Author, ...]
) -> str | None:
    """The text between the last author and the first topic or the abstract in ``spelling``."""
    pos = spelling.find(title) + len(title) if title and title in spelling else 0
    for author in authors:
        name = author.collective or ", ".join(p for p in (author.family, author.given) if p)
        found = spelling.find(name, pos)
        pos = found + len(name) if found >= 0 else pos
    stops = [
        spelling.find(s, pos) for s in (*_values(doc, "topic"), *_values(doc, "description")[:1])
    ]
    stops = [s for s in stops if s >= 0]
    between = spelling[pos : min(stops)].strip() if stops and pos else ""
    return between if 0 < len(between) <= 80 else None


def _spelling_dates(spelling: str, doc: Doc) -> tuple[str | None, str | None]:
    """(print date, electronic date): the ISO dates that follow the publisher in ``spelling``."""
    publisher = _first(doc, "publisher")
    at = spelling.rfind(publisher) if publisher else -1
    if at < 0:
        return None, None
    dates = _DATE.findall(spelling[at + len(publisher or "") :][:40])
    return (dates[0] if dates else None), (dates[1] if len(dates) > 1 else None)


# --- authors -------------------------------------------------------------------------------------


def _authors(doc: Doc, joined: bool) -> tuple[Author, ...]:
    names = _values(doc, "author", "author2", "author_corporate") or _values(doc, "author_facet")
    if joined:
        keys = [m.group(1) for v in _values(doc, "work_keys_str_mv") for m in _WORK_KEY.finditer(v)]
        names = [name for run in names for name in split_author_run(run, keys)]
    return tuple(_author(n) for n in dict.fromkeys(names))


def _author(name: str) -> Author:
    """ "Family, Given[, dates]" -> a person; a name without a comma is corporate."""
    if "," not in name:
        return Author(collective=_isbd(name))
    family, _, rest = name.partition(",")
    given = rest.split(",")[0].strip()
    if given.endswith(".") and len(given.split()[-1]) > 2:  # ISBD full stop, not an initial
        given = given[:-1]
    return Author(family=clean_text(family), given=clean_text(given), initials=initials_of(given))


def split_author_run(run: str, keys: list[str]) -> list[str]:
    """Split "He, Jing Zhang, Ruijun ..." (names joined by spaces) into "Family, Given" names.

    ``keys`` are the author parts of the record's ``work_keys_str_mv`` ("hejing", "zhangruijun"):
    each name is the shortest run of words whose letters spell the next key. Without keys, or when
    they do not fit the run, a new name starts at each "Family," that follows a given name (a
    lower-case particle such as "van" or "de" goes with the family name that follows it).
    """
    words = run.split()
    if keys:
        by_keys = _split_by_keys(words, keys)
        if by_keys is not None:
            return by_keys
    return _split_by_commas(words)


def _split_by_keys(words: list[str], keys: list[str]) -> list[str] | None:
    names: list[str] = []
    start = 0
    for key in keys:
        spelled = ""
        for end in range(start, len(words)):
            spelled += _key_letters(words[end])
            if spelled == key:
                names.append(" ".join(words[start : end + 1]))
                start = end + 1
                break
            if not key.startswith(spelled):
                return None
        else:
            return None
    return names if start == len(words) else None


def _key_letters(word: str) -> str:
    folded = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in folded if c.isalnum() and not unicodedata.combining(c))


def _split_by_commas(words: list[str]) -> list[str]:
    names: list[list[str]] = []
    for word in words:
        current = names[-1] if names else None
        if current is None or not _has_given(current) or not word.endswith(","):
            if current is None:
                names.append([word])
            else:
                current.append(word)
            continue
        family = [word]
        while len(current) > 2 and current[-1].lower() in _PARTICLES:
            family.insert(0, current.pop())
        names.append(family)
    return [" ".join(name) for name in names]


def _has_given(name: list[str]) -> bool:
    """True once ``name`` holds a family part ending in "," and at least one word after it."""
    return any(w.endswith(",") for w in name[:-1])
