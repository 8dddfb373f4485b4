"""Safe XML parsing and the text of mixed-content elements, shared by the XML parsers.

Hostile XML is refused before lxml sees it: a document whose prolog declares entities or names an
external DTD subset that would be fetched is rejected, and the parser never touches the network,
never resolves entities and never lifts libxml2's size limits (``huge_tree=False``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import IO

from lxml import etree

from extractor.errors import ParseError
from extractor.records import Record

# Inline markup whose text belongs to the running text. Everything else is text too (we never drop
# content), but these are the ones we know, listed here to say so.
_SUPERSCRIPT = str.maketrans(
    "0123456789+-−=()nia",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱᵃ",
)
_SUPERSCRIPT_EXTRA = str.maketrans("bcdefghjklmoprstuvwxyz", "ᵇᶜᵈᵉᶠᵍʰʲᵏˡᵐᵒᵖʳˢᵗᵘᵛʷˣʸᶻ")
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_PROLOG_END = re.compile(rb"<(?![?!])")
_COMMENT = re.compile(rb"<!--.*?(?:-->|\Z)", re.DOTALL)
_DOCTYPE_START = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE(?:[^\[>\"']|\"[^\"]*\"|'[^']*')*(?:\[.*?\]\s*)?>", re.IGNORECASE | re.DOTALL)
_NAME = re.compile(rb"[A-Za-z_][\w.:-]*")
PROLOG_LIMIT = 65536
# Elements whose text is not part of the running text they sit in.
SKIP_TAGS = frozenset({"label", "object-id", "graphic", "inline-graphic", "alt-text"})
# Elements that break a line of text (rendered as a space inside running text).
BREAK_TAGS = frozenset({"break", "hr"})


def make_parser(*, recover: bool = False) -> etree.XMLParser:
    """Return an lxml parser that cannot fetch, expand entities or grow without bound."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


def check_prolog(head: bytes, *, source: str | None = None) -> None:
    """Refuse a document whose prolog (the bytes before its root element) declares entities.

    Comments are ignored (they may hold "<" or "<!ENTITY" as text), quoted strings in the DOCTYPE
    cannot end the prolog early, and a prolog that does not end within ``head`` (which should be
    the first :data:`PROLOG_LIMIT` bytes) is refused, so padding cannot hide a declaration.

    :raises ParseError: for ``<!ENTITY`` declarations (entity-expansion bombs, external entities).
    """
    body, match = _split_prolog(head)
    if match is None and len(head) >= PROLOG_LIMIT:
        raise ParseError(f"XML prolog longer than {PROLOG_LIMIT} bytes; refused", source=source)
    prolog = body[: match.start()] if match else body
    if _ENTITY_DECL.search(prolog):
        raise ParseError("XML declares entities; refused (possible entity expansion or XXE)", source=source)


def _split_prolog(head: bytes) -> tuple[bytes, re.Match[bytes] | None]:
    """``head`` without comments, and the match of the root element's "<" (None if not in head)."""
    body = _COMMENT.sub(b"", head)
    doctype = _DOCTYPE.search(body)
    start = doctype.end() if doctype else 0
    if doctype is None and _DOCTYPE_START.search(body):
        start = len(body)  # an unterminated DOCTYPE: all of it is prolog
    return body, _PROLOG_END.search(body, start)


def root_tag(head: bytes) -> str | None:
    """The name of the root element of the document starting with ``head`` (None if not found)."""
    body, match = _split_prolog(head)
    if match is None:
        return None
    name = _NAME.match(body, match.start() + 1)
    return name.group(0).decode("utf-8", "replace") if name else None


def parse_bytes(data: bytes, *, source: str | None = None) -> etree._Element:
    """Parse a whole XML document safely and return its root element.

    :raises ParseError: when the document is hostile or not well-formed.
    """
    check_prolog(data[:PROLOG_LIMIT], source=source)
    try:
        return etree.fromstring(data, parser=make_parser())
    except etree.XMLSyntaxError as e:
        raise ParseError(f"not well-formed XML: {e}", source=source) from e


def iterparse(stream: IO[bytes], tags: Iterable[str]) -> etree.iterparse:
    """Stream ``end`` events for ``tags`` with the same protections as :func:`make_parser`."""
    return etree.iterparse(
        stream,
        events=("end",),
        tag=tuple(tags),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def local(tag: object) -> str:
    """The tag name without namespace (``{ns}p`` -> ``p``); '' for comments and PIs."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def superscript(text: str) -> str:
    """Render ``text`` in Unicode superscripts where a superscript character exists."""
    return text.translate(_SUPERSCRIPT).translate(_SUPERSCRIPT_EXTRA)


def inline_text(element: etree._Element | None, *, skip: frozenset[str] = SKIP_TAGS) -> str | None:
    """The text of a mixed-content element, markup kept as text, whitespace collapsed.

    ``<sup>2</sup>`` becomes ``²`` (so "m<sup>2</sup>" reads "m²" and "10<sup>9</sup>/L" reads
    "10⁹/L"); ``<sub>`` text stays as it is ("HbA<sub>1c</sub>" reads "HbA1c"); tail text after
    inline markup is never lost. Returns None when the element is missing or holds no text.
    """
    if element is None:
        return None
    parts: list[str] = []
    _collect(element, parts, skip, top=True)
    return " ".join("".join(parts).split()) or None


def _collect(el: etree._Element, parts: list[str], skip: frozenset[str], *, top: bool = False) -> None:
    name = local(el.tag)
    if name and not top and name in skip:
        return
    if name in BREAK_TAGS:
        parts.append(" ")
    elif name == "sup":
        parts.append(superscript("".join(_plain(el, skip))))
        return
    if el.text:
        parts.append(el.text)
    for child in el:
        _collect(child, parts, skip)
        if child.tail:
            parts.append(child.tail)


def _plain(el: etree._Element, skip: frozenset[str]) -> list[str]:
    parts: list[str] = []
    if el.text:
        parts.append(el.text)
    for child in el:
        if local(child.tag) not in skip:
            parts.extend(_plain(child, skip))
        if child.tail:
            parts.append(child.tail)
    return parts


def all_or_raise(items: Iterable[Record | ParseError]) -> list[Record]:
    """The records of a stream of records and errors, raising the first error met."""
    records = []
    for item in items:
        if isinstance(item, ParseError):
            raise item
        records.append(item)
    return records


def release(element: etree._Element) -> None:
    """Free a streamed record once read: its content and every earlier sibling the root still holds."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    if parent is None:
        return
    while element.getprevious() is not None:
        del parent[0]

