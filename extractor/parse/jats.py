"""PMC JATS (NLM) XML -> :class:`~extractor.records.Record`.

Handles whole articles (``<article>``, PMC OA ``.nxml`` files with or without a DOCTYPE), efetch
``db=pmc`` answers (``<pmc-articleset>`` holding several articles) and fragments that hold only
``<abstract>``, ``<sec>``, ``<table-wrap>``, ``<fig>``... elements with no single root. A fragment
is wrapped in a synthetic root that declares the usual JATS namespace prefixes; closing tags whose
opening tag was cut off with the rest of the article are dropped before a second parse.

Choices worth knowing:

- ``sections``: one Section per ``<sec>`` of the body, flattened in document order; ``text`` is the
  section's own paragraphs (not those of its subsections) joined by "\\n"; ``path`` holds the titles
  of the enclosing sections and its own (untitled sections add nothing to it). Paragraphs that sit
  in the body outside any ``<sec>`` become a first Section with title None and an empty path.
- ``tables``: one Table per ``<table>`` element. A ``<table-wrap>`` holding several ``<table>``s
  gives one Table each, all sharing the wrap's id, label, caption and footnotes; a ``<table-wrap>``
  with no ``<table>`` (the table is only an image) gives one Table with an empty grid. Grids are
  rectangular: spanning cells are repeated over every position they cover, rowspans stop at the
  end of their row group (``thead``/``tbody``), short rows are padded with "". ``tfoot`` rows are
  appended to the body. With no ``<thead>`` the header is empty (never guessed).
- ``abstract_sections``: one per ``<sec>`` of the abstract, label from its ``<title>``, category
  from ``sec-type`` or the label. Paragraphs within one section are joined by "\\n". An abstract
  without ``<sec>`` is one unlabelled section, unless its paragraphs open with bold or italic labels
  that NLM knows ("<bold>Methods:</bold> ..."), which are split the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree
from lxml.etree import _Element

from extractor.errors import ParseError, UnknownFormatError
from extractor.normalise import (
    clean_text,
    find_trial_registrations,
    initials_of,
    iso_date,
    language_code,
    month_number,
    normalise_doi,
    normalise_license,
    normalise_orcid,
    normalise_pmcid,
    normalise_pmid,
    parse_medline_date,
    season_month,
)
from extractor.parse._abstract import abstract_text
from extractor.parse._jats_text import INLINE_SKIP, abstract_sections, body_sections
from extractor.parse._tables import tables
from extractor.parse._xml import (
    check_prolog,
    inline_text,
    local,
    make_parser,
    parse_bytes,
    root_tag,
)
from extractor.records import (
    AbstractSection,
    Author,
    Correction,
    Journal,
    OtherAbstract,
    Record,
    Section,
)

__all__ = ["parse_jats"]

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_FRAGMENT_ROOT = "jats-fragment"
# Prefixes a fragment may use without declaring them (they were declared on the cut-off <article>).
_FRAGMENT_OPEN = (
    b"<" + _FRAGMENT_ROOT.encode() + b' xmlns:xlink="http://www.w3.org/1999/xlink"'
    b' xmlns:mml="http://www.w3.org/1998/Math/MathML"'
    b' xmlns:ali="http://www.niso.org/schemas/ali/1.0/"'
    b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    b' xmlns:oasis="http://www.niso.org/standards/z39-96/ns/oasis-exchange/table">'
)
_FRAGMENT_CLOSE = b"</" + _FRAGMENT_ROOT.encode() + b">"
_WHOLE_ROOTS = frozenset({"article", "pmc-articleset"})
# Elements a fragment may start with: the parts of an article that are cut out on their own.
_FRAGMENT_ROOTS = frozenset({
    "abstract", "trans-abstract", "sec", "body", "back", "p", "title", "table-wrap",
    "table-wrap-group", "table", "table-wrap-foot", "fig", "fig-group", "floats-group", "front",
    "article-meta", "boxed-text", "list", "disp-quote", "ack", "app", "app-group", "sub-article",
})  # fmt: skip
_XML_DECL = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\?>")
_DECL_ENCODING = re.compile(rb"encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_TAG = re.compile(rb"<(/?)([A-Za-z_][\w.:-]*)(?:\s[^<>]*?)?(/?)>")

_MAIN_ABSTRACT_TYPES = frozenset({None, "abstract", "structured", "unstructured", "main", "full"})
_PRINT_KINDS = ("ppub", "epub-ppub", "collection", "epub")
# JATS related-article types -> PubMed CommentsCorrections RefType.
_RELATED_TYPES = {
    "corrected-article": "ErratumFor",
    "correction-forward": "ErratumIn",
    "retracted-article": "RetractionOf",
    "retraction-forward": "RetractionIn",
    "object-of-concern": "ExpressionOfConcernFor",
    "concern-forward": "ExpressionOfConcernIn",
    "expression-of-concern": "ExpressionOfConcernIn",
    "commentary-article": "CommentOn",
    "commentary": "CommentIn",
    "updated-article": "UpdateOf",
    "update-forward": "UpdateIn",
}


# --- entry point ---------------------------------------------------------------------------------


def parse_jats(data: bytes, *, source: str | None = None) -> list[Record]:
    """Parse PMC JATS XML (an article, a ``<pmc-articleset>`` or a fragment) into records.

    Parameters
    ----------
    data
        The XML bytes.
    source
        A name for the input (a path), used in error messages.

    Returns
    -------
    list[Record]
        One record per article (none for an empty ``<pmc-articleset>``), one for a fragment.

    Raises
    ------
    ParseError
        When the input is empty, hostile, not well-formed, not JATS, or an error answer.
    """
    root = _parse(data, source)
    kind = local(root.tag)
    if kind == "pmc-articleset":
        _raise_on_error_answer(root, source)
        articles = [el for el in root if local(el.tag) == "article"]
        return [_article_record(a, source, str(i)) for i, a in enumerate(articles)]
    if kind == "article":
        return [_article_record(root, source, None)]
    return [_fragment_record(root)]


def _parse(data: bytes, source: str | None) -> _Element:
    if not data.strip():
        raise ParseError("empty input", source=source)
    check_prolog(data[:65536], source=source)
    root = root_tag(data[:65536])
    if root is None:
        raise UnknownFormatError("no XML element found: not JATS", source=source)
    name = root.rpartition(":")[2]
    if name in _WHOLE_ROOTS:
        return parse_bytes(data, source=source)
    if name not in _FRAGMENT_ROOTS:
        raise UnknownFormatError(f"root element <{name}> is not JATS", source=source)
    return _parse_fragment(data, source)


def _parse_fragment(data: bytes, source: str | None) -> _Element:
    data = _strip_declaration(data)
    wrapped = _FRAGMENT_OPEN + data + _FRAGMENT_CLOSE
    try:
        return etree.fromstring(wrapped, parser=make_parser())
    except etree.XMLSyntaxError as first:
        try:
            return etree.fromstring(drop_orphan_end_tags(wrapped), parser=make_parser())
        except etree.XMLSyntaxError:
            raise ParseError(f"not a well-formed JATS fragment: {first}", source=source) from first


def _strip_declaration(data: bytes) -> bytes:
    """Remove an XML declaration (illegal inside the wrapper), re-encoding to UTF-8 if needed."""
    match = _XML_DECL.match(data)
    if match is None:
        return data.removeprefix(b"\xef\xbb\xbf")
    body = data[match.end() :]
    encoding = _DECL_ENCODING.search(match.group(0))
    name = encoding.group(1).decode("ascii").lower() if encoding else "utf-8"
    if name.replace("-", "") in ("utf8", "usascii", "ascii"):
        return body
    try:
        return body.decode(name).encode("utf-8")
    except (LookupError, UnicodeDecodeError):
        return body


def drop_orphan_end_tags(data: bytes) -> bytes:
    """Drop closing tags that close nothing (their opening tag was cut off with the article).

    Nothing else is repaired: a fragment with unclosed or crossed tags stays broken.
    """
    stack: list[bytes] = []
    keep: list[bytes] = []
    last = 0
    for match in _TAG.finditer(data):
        closing, name, empty = match.groups()
        if empty:
            continue
        if not closing:
            stack.append(name)
        elif stack and stack[-1] == name:
            stack.pop()
        elif name not in stack:
            keep.append(data[last : match.start()])
            last = match.end()
    keep.append(data[last:])
    return b"".join(keep)


def _raise_on_error_answer(root: _Element, source: str | None) -> None:
    for child in root:
        if local(child.tag).lower() == "error":
            reason = inline_text(child) or "no reason given"
            raise ParseError(f"efetch answered with an error: {reason}", source=source)


# --- records -------------------------------------------------------------------------------------


def _fragment_record(root: _Element) -> Record:
    main, others = _abstracts(el for el in root.iter("{*}abstract", "{*}trans-abstract"))
    sections = tuple(body_sections(root))
    return Record(
        source_format="pmc",
        abstract=abstract_text(main),
        abstract_sections=main,
        other_abstracts=others,
        trial_registrations=_trial_registrations(root, main, sections),
        sections=sections,
        tables=tuple(tables(root)),
    )


def _article_record(article: _Element, source: str | None, index: str | None) -> Record:
    try:
        return _build_article(article)
    except (ValueError, TypeError, AttributeError) as e:  # a bug or an article we cannot read
        raise ParseError(f"cannot read article: {e}", source=source, record_id=index) from e


def _build_article(article: _Element) -> Record:
    meta = article.find("{*}front/{*}article-meta")
    if meta is None:
        meta = etree.Element("article-meta")
    body = article.find("{*}body")
    main, others = _abstracts(meta.iterfind("{*}abstract"), meta.iterfind("{*}trans-abstract"))
    sections = tuple(body_sections(body)) if body is not None else ()
    pub_date, pub_date_raw, epub_date, year = _dates(meta)
    ids = _article_ids(meta)
    related = _related(meta)
    return Record(
        source_format="pmc",
        pmid=ids.get("pmid"),
        pmcid=ids.get("pmc"),
        doi=ids.get("doi"),
        title=inline_text(meta.find("{*}title-group/{*}article-title"), skip=INLINE_SKIP),
        abstract=abstract_text(main),
        abstract_sections=main,
        other_abstracts=others,
        authors=_authors(meta),
        journal=_journal(article.find("{*}front/{*}journal-meta"), meta),
        publisher=_text(article.find("{*}front/{*}journal-meta/{*}publisher/{*}publisher-name")),
        year=year,
        pub_date=pub_date,
        pub_date_raw=pub_date_raw,
        epub_date=epub_date,
        language=language_code(article.get(XML_LANG)),
        publication_types=tuple(t for t in (clean_text(article.get("article-type")),) if t),
        keywords=_unique(inline_text(k) for k in meta.iterfind("{*}kwd-group/{*}kwd")),
        topics=_unique(_text(s) for s in meta.iterfind("{*}article-categories//{*}subject")),
        trial_registrations=_trial_registrations(article, main, sections),
        license=_license(meta),
        urls=_unique(_href(u) for u in meta.iterfind("{*}self-uri")),
        retracted=any(c.type == "RetractionIn" for c in related),
        corrections=related,
        sections=sections,
        tables=tuple(tables(article)),
    )


# --- identifiers, journal, dates -----------------------------------------------------------------


def _article_ids(meta: _Element) -> dict[str, str]:
    ids: dict[str, str] = {}
    for el in meta.iterfind("{*}article-id"):
        kind, value = el.get("pub-id-type"), el.text
        normalised = {
            "pmid": normalise_pmid,
            "pmc": normalise_pmcid,
            "pmcid": normalise_pmcid,
            "doi": normalise_doi,
        }.get(kind or "", lambda _v: None)(value)
        if normalised:
            ids.setdefault("pmc" if kind == "pmcid" else kind or "", normalised)
    return ids


def _journal(journal_meta: _Element | None, meta: _Element) -> Journal | None:
    if journal_meta is None:
        return None
    ids = {el.get("journal-id-type"): _text(el) for el in journal_meta.iterfind("{*}journal-id")}
    issns = {
        el.get("pub-type") or el.get("publication-format"): _text(el)
        for el in journal_meta.iterfind("{*}issn")
    }
    journal = Journal(
        title=_text(journal_meta.find(".//{*}journal-title")),
        iso_abbrev=ids.get("iso-abbrev") or ids.get("nlm-ta"),
        issn=issns.get("ppub")
        or issns.get("print")
        or issns.get("epub")
        or next(iter(issns.values()), None),
        volume=_text(meta.find("{*}volume")),
        issue=_text(meta.find("{*}issue")),
        pages=_pages(meta),
    )
    return journal if journal != Journal() else None


def _pages(meta: _Element) -> str | None:
    first, last = _text(meta.find("{*}fpage")), _text(meta.find("{*}lpage"))
    if first and last and last != first:
        return f"{first}-{last}"
    return first or _text(meta.find("{*}elocation-id"))


def _dates(meta: _Element) -> tuple[str | None, str | None, str | None, int | None]:
    """Return (pub_date, pub_date_raw, epub_date, year) from the ``<pub-date>`` elements."""
    by_kind: dict[str, _Element] = {}
    for el in meta.iterfind("{*}pub-date"):
        by_kind.setdefault(_date_kind(el), el)
    chosen = next((by_kind[k] for k in _PRINT_KINDS if k in by_kind), None)
    pub_date, raw = _date(chosen)
    epub_date, _ = _date(by_kind.get("epub"))
    year_of = pub_date or epub_date
    return pub_date, raw, epub_date, int(year_of[:4]) if year_of else None


def _date_kind(el: _Element) -> str:
    kind: str | None = el.get("pub-type")
    if kind:
        return kind
    date_type, fmt = el.get("date-type"), el.get("publication-format")
    if date_type == "pub":
        return {"print": "ppub", "electronic": "epub"}.get(fmt or "", "epub-ppub")
    return date_type or "unknown"


def _date(el: _Element | None) -> tuple[str | None, str | None]:
    """One date as (ISO date, raw text): the raw text joins year, month, day and season as given,
    the way the PubMed parser keeps ``PubDate`` ("2015 Jul-Aug", "2021 7")."""
    if el is None:
        return None, None
    year, month_raw, day = (_text(el.find("{*}" + t)) for t in ("year", "month", "day"))
    loose = _text(el.find("{*}season")) or _text(el.find("{*}string-date"))
    raw = " ".join(p for p in (year, month_raw, day, loose) if p) or None
    month = month_number(month_raw)
    if loose is None:
        return iso_date(year, month, day), raw
    loose_year, loose_month, loose_day = parse_medline_date(loose)
    month = month or loose_month or season_month(loose)
    return iso_date(year or loose_year, month, day or loose_day), raw


def _related(meta: _Element) -> tuple[Correction, ...]:
    found: list[Correction] = []
    for el in meta.iter("{*}related-article"):
        kind = _RELATED_TYPES.get(el.get("related-article-type") or "")
        if kind is None:
            continue
        pmid = normalise_pmid(_href(el)) if el.get("ext-link-type") == "pubmed" else None
        found.append(Correction(kind, pmid))
    return tuple(dict.fromkeys(found))


def _license(meta: _Element) -> str | None:
    """The licence of ``<permissions>`` (or of a bare ``<license>``, as NLM 2.x DTDs place it)."""
    licences = [*meta.iterfind("{*}permissions/{*}license"), *meta.iterfind("{*}license")]
    for lic in licences:
        candidates = [
            _href(lic),
            *(_text(ref) for ref in lic.iter("{*}license_ref")),
            inline_text(lic),
        ]
        for text in candidates:
            if found := normalise_license(text):
                return found
    refs = (_text(ref) for ref in meta.iterfind("{*}permissions/{*}license_ref"))
    return next((found for ref in refs if (found := normalise_license(ref))), None)


def _trial_registrations(
    root: _Element, main: Iterable[AbstractSection], sections: Iterable[Section]
) -> tuple[str, ...]:
    texts = [s.text for s in main] + [s.text for s in sections]
    texts += [_text(el) or "" for el in root.iter("{*}clinical-trial-number")]
    texts += [
        _href(el) or ""
        for el in root.iter("{*}ext-link")
        if "clin" in (el.get("ext-link-type") or "")
    ]
    # One text at a time: the registry pattern is slow, and its cheap pre-check skips most texts.
    return _unique(found for text in texts for found in find_trial_registrations(text))


# --- authors -------------------------------------------------------------------------------------


def _authors(meta: _Element) -> tuple[Author, ...]:
    contribs = [
        c
        for c in meta.iterfind("{*}contrib-group/{*}contrib")
        if c.get("contrib-type", "author") == "author"
    ]
    affs = {aff.get("id"): inline_text(aff, skip=INLINE_SKIP) for aff in meta.iter("{*}aff")}
    shared = _shared_affiliations(meta) if not any(_aff_ids(c) for c in contribs) else ()
    return tuple(_author(c, affs, shared) for c in contribs)


def _aff_ids(contrib: _Element) -> list[str]:
    ids: list[str] = []
    for xref in contrib.iterfind("{*}xref"):
        if xref.get("ref-type") == "aff":
            ids.extend((xref.get("rid") or "").split())
    return ids


def _shared_affiliations(meta: _Element) -> tuple[str, ...]:
    """Affiliations of every author: used when no author points to an affiliation."""
    texts = (
        inline_text(aff, skip=INLINE_SKIP)
        for aff in meta.iter("{*}aff")
        if local(aff.getparent().tag) in ("contrib-group", "article-meta", "aff-alternatives")
    )
    return _unique(texts)


def _author(
    contrib: _Element, affs: dict[str | None, str | None], shared: tuple[str, ...]
) -> Author:
    own = [affs.get(rid) for rid in _aff_ids(contrib)]
    own += [inline_text(aff, skip=INLINE_SKIP) for aff in contrib.iterfind("{*}aff")]
    affiliations = _unique(own) or shared
    orcid = next(
        (
            normalise_orcid(el.text)
            for el in contrib.iterfind("{*}contrib-id")
            if "orcid" in (el.get("contrib-id-type") or el.text or "").lower()
        ),
        None,
    )
    collab = contrib.find("{*}collab")
    if collab is not None:
        return Author(
            collective=inline_text(collab, skip=INLINE_SKIP | {"contrib-group"}),
            affiliations=affiliations,
            orcid=orcid,
        )
    name = contrib.find(".//{*}name")
    if name is None:
        name = contrib.find(".//{*}string-name")
    family = _text(name.find("{*}surname")) if name is not None else None
    given_el = name.find("{*}given-names") if name is not None else None
    given = _text(given_el)
    if family is None and given is None and name is not None:
        family = inline_text(name)
    initials = (given_el.get("initials") if given_el is not None else None) or initials_of(given)
    return Author(
        family=family, given=given, initials=initials, affiliations=affiliations, orcid=orcid
    )


# --- abstracts -----------------------------------------------------------------------------------


def _abstracts(
    *groups: Iterable[_Element],
) -> tuple[tuple[AbstractSection, ...], tuple[OtherAbstract, ...]]:
    """Split abstracts into the main one (the first untyped) and the others."""
    main: tuple[AbstractSection, ...] | None = None
    others: list[OtherAbstract] = []
    for el in (el for group in groups for el in group):
        kind = el.get("abstract-type")
        sections = abstract_sections(el)
        if main is None and local(el.tag) == "abstract" and kind in _MAIN_ABSTRACT_TYPES:
            main = sections
            continue
        text = abstract_text(sections)
        if text:
            kind = kind or ("translation" if local(el.tag) == "trans-abstract" else None)
            others.append(OtherAbstract(kind, language_code(el.get(XML_LANG)), text))
    return main or (), tuple(others)


# --- small helpers -------------------------------------------------------------------------------


def _text(el: _Element | None) -> str | None:
    return inline_text(el, skip=INLINE_SKIP) if el is not None else None


def _href(el: _Element) -> str | None:
    href = el.get(XLINK_HREF) or el.get("href")
    return href.strip() or None if href else None


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))
