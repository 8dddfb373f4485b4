"""Read records from any format we know, detected from the content (never from the file name).

==============  ===========================================================  =====================
format          content                                                      reader
==============  ===========================================================  =====================
``pubmed``      ``PubmedArticleSet`` / ``MedlineCitationSet`` XML             streamed (iterparse)
``pmc``         JATS ``<article>``, ``<pmc-articleset>``, ``<abstract>``/``<sec>`` fragments   whole
``medline``     MEDLINE text ("PMID- " lines, .nbib)                          streamed per record
``catalogue``   VuFind Solr JSON, or the rendered "field | value |" page      whole
``catalogue``   MARCXML (MARC 21 slim ``<collection>`` or ``<record>``)       streamed (iterparse)
==============  ===========================================================  =====================

Gzip input is decompressed on the fly (recognised by its magic bytes). :func:`iter_records` streams
records and, with ``on_error="skip"``, goes past broken records, collecting their errors in a
:class:`ParseReport`::

    report = ParseReport()
    for record in iter_records("pubmed.xml.gz", on_error="skip", report=report):
        ...
    for error in report.errors:  # each names the file, the record and the reason
        print(error)

The JATS and catalogue readers are imported only when such a file is read, so parsing PubMed
never pays for them.
"""

from __future__ import annotations

import io
import os
import re
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Literal

from isal import isal_zlib

from extractor.errors import InputError, ParseError, UnknownFormatError
from extractor.records import Record

__all__ = [
    "FORMATS",
    "ParseReport",
    "detect_format",
    "iter_records",
    "parse_bytes",
    "parse_file",
]

FORMATS = ("pubmed", "pmc", "medline", "catalogue")
OnError = Literal["raise", "skip"]
Source = str | os.PathLike[str] | IO[bytes]
HEAD_SIZE = 1 << 16
_GZIP_MAGIC = b"\x1f\x8b"
_PUBMED_ROOTS = frozenset(
    {"PubmedArticleSet", "MedlineCitationSet", "PubmedArticle", "PubmedBookArticle", "MedlineCitation",
     "DeleteCitation"}
)
# JATS articles, efetch db=pmc answers, and the parts of an article that fragments start with.
_PMC_ROOTS = frozenset(
    {"article", "pmc-articleset", "abstract", "trans-abstract", "sec", "body", "back", "front",
     "article-meta", "table-wrap", "table-wrap-group", "fig", "fig-group", "floats-group", "sub-article"}
)  # fmt: skip
_EUTILS_ROOTS = frozenset(
    {"eSearchResult", "eInfoResult", "ePostResult", "eLinkResult", "eSummaryResult", "eSpellResult",
     "eGQueryResult", "Result", "eFetchResult", "ERROR", "LinkSet"}
)  # fmt: skip
# MARCXML: a <collection> or <record> root in the MARC 21 slim namespace, or holding MARC fields.
_MARC_ROOTS = frozenset({"collection", "record"})
_MARC_NS = b"http://www.loc.gov/MARC21/slim"
_MARC_FIELD = re.compile(rb"<(?:[\w.-]+:)?(?:leader|controlfield|datafield)[\s/>]")
_COMMENT = re.compile(rb"<!--.*?(?:-->|\Z)", re.DOTALL)
_DOCTYPE = re.compile(rb"<!DOCTYPE\s+([\w.:-]+)", re.IGNORECASE)
_ERROR_TEXT = re.compile(rb"<ERROR>(.*?)</ERROR>", re.DOTALL)
_MEDLINE = re.compile(rb"^PMID- ?\s*\d", re.MULTILINE)
_PAGE_ROW = re.compile(rb"^[^|\n]{1,80}: ?\|", re.MULTILINE)
_HTTP_STATUS = re.compile(rb"\AHTTP/\d(?:\.\d)? (\d{3})")


def detect_format(head: bytes) -> str:
    """Return "pubmed", "pmc", "medline" or "catalogue" for the first bytes of a document.

    Gzip-compressed bytes are looked at decompressed. An empty ``PubmedArticleSet`` is "pubmed"
    (it holds zero records, which is no error). MARCXML is "catalogue" when its ``<collection>``
    or ``<record>`` root is in the MARC 21 slim namespace or MARC fields follow it in ``head``.

    :raises UnknownFormatError: for empty input, an HTML page, an E-utilities answer (with the
        text of its ``<ERROR>`` if any), or anything else we do not read.
    """
    if head[:2] == _GZIP_MAGIC:
        head = _gunzip_head(head)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise UnknownFormatError("empty input")
    if text[:1] == b"<":
        return _detect_xml(text)
    if text[:1] in (b"{", b"["):
        return "catalogue"
    if _MEDLINE.search(text[:4096]):
        return "medline"
    if match := _HTTP_STATUS.match(text):
        return _detect_http(text, int(match.group(1)))
    if len(_PAGE_ROW.findall(text)) >= 2 or b"\n---|---|" in text:
        return "catalogue"
    raise UnknownFormatError(f"not a format we read (starts {text[:40]!r})")


def _gunzip_head(head: bytes) -> bytes:
    try:
        data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head)
    except zlib.error as e:
        raise UnknownFormatError(f"corrupt gzip data: {e}") from e
    if not data:
        raise UnknownFormatError("gzip data holds nothing (empty or truncated)")
    return data


def _detect_xml(text: bytes) -> str:
    from extractor.parse import _xml

    body = _COMMENT.sub(b"", text)
    doctype = _DOCTYPE.search(body)
    root = _xml.root_tag(text) or (doctype.group(1).decode("ascii", "replace") if doctype else None)
    if root is None:
        raise UnknownFormatError("XML without a root element")
    name = root.rpartition(":")[2]
    if name in _PUBMED_ROOTS:
        return "pubmed"
    if name in _PMC_ROOTS:
        return "pmc"
    if name in _MARC_ROOTS and (_MARC_NS in body or _MARC_FIELD.search(body)):
        return "catalogue"
    if name.lower() == "html":
        raise UnknownFormatError("an HTML page, not records (was an error page saved instead of XML?)")
    if name in _EUTILS_ROOTS:
        error = _ERROR_TEXT.search(body)
        detail = f": {error.group(1).decode('utf-8', 'replace').strip()}" if error else ""
        raise UnknownFormatError(f"an E-utilities <{name}> answer, not records{detail}")
    raise UnknownFormatError(f"XML with root <{name}> is not a format we read")


def _detect_http(text: bytes, status: int) -> str:
    if status != 200:
        raise UnknownFormatError(f"an HTTP {status} answer, not records")
    body = text.split(b"\r\n\r\n", 1)[-1] if b"\r\n\r\n" in text else text.split(b"\n\n", 1)[-1]
    if body.lstrip()[:1] in (b"{", b"["):
        return "catalogue"
    raise UnknownFormatError("an HTTP answer whose body is not JSON")


@dataclass
class ParseReport:
    """What a run read: records per source, and the errors of what was skipped."""

    records: dict[str, int] = field(default_factory=dict)
    errors: list[ParseError] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when nothing was skipped."""
        return not self.errors


def iter_records(
    source: Source,
    *,
    format: str | None = None,
    on_error: OnError = "raise",
    report: ParseReport | None = None,
) -> Iterator[Record]:
    """Stream the records of a file, a path of "-" (stdin), or a binary stream.

    Parameters
    ----------
    source
        A path, "-" for standard input, or a binary file object.
    format
        One of :data:`FORMATS`; detected from the content when None.
    on_error
        "raise" stops at the first broken record; "skip" goes on and records the error in
        ``report`` (a truncated XML file ends there, after its good records).
    report
        Collects record counts and skipped errors.

    Raises
    ------
    InputError
        The source cannot be opened or read.
    UnknownFormatError
        The content is in no format we read (raised whatever ``on_error`` says).
    ParseError
        A broken record, when ``on_error="raise"``.
    """
    report = report if report is not None else ParseReport()
    opened, name = _open(source)
    stream, count = opened, 0
    try:
        stream, head = _peek(stream, name)
        if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
            from extractor.parse import _xml

            _xml.check_prolog(head, source=name)  # before anything else looks at hostile XML
        fmt = format or _detect(head, name)
        for item in _dispatch(fmt, stream, head, name):
            if type(item) is Record:
                count += 1
                yield item
            elif on_error == "raise":
                raise item  # type: ignore[misc]
            else:
                report.errors.append(item)  # type: ignore[arg-type]
    finally:
        if count:
            report.records[name] = report.records.get(name, 0) + count
        if opened is not source and opened is not sys.stdin.buffer:
            opened.close()


def _detect(head: bytes, name: str) -> str:
    try:
        return detect_format(head)
    except UnknownFormatError as e:
        raise UnknownFormatError(e.reason, source=name) from None


def parse_file(source: Source, *, format: str | None = None) -> list[Record]:
    """Read every record of a file (or stream); raise on the first broken one."""
    return list(iter_records(source, format=format))


def parse_bytes(data: bytes, *, source: str | None = None, format: str | None = None) -> list[Record]:
    """Read every record of a document held in memory; raise on the first broken one."""
    stream = io.BytesIO(data)
    stream.name = source or "<bytes>"  # type: ignore[attr-defined]
    return list(iter_records(stream, format=format))


# --- opening and peeking -------------------------------------------------------------------------


def _open(source: Source) -> tuple[IO[bytes], str]:
    if not isinstance(source, str | os.PathLike):
        return source, str(getattr(source, "name", "<stream>"))
    name = os.fspath(source)
    if name == "-":
        return sys.stdin.buffer, "<stdin>"
    try:
        return open(name, "rb"), name  # noqa: SIM115 -- closed by iter_records
    except OSError as e:
        raise InputError(f"cannot read {name}: {e.strerror or e}") from e


class _Prefixed(io.RawIOBase):
    """A read-only stream that replays ``head`` and then reads the rest of ``stream``."""

    def __init__(self, head: bytes, stream: IO[bytes]):
        self._head = memoryview(head)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head.nbytes:
            n = min(len(buffer), self._head.nbytes)
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Gunzip(io.RawIOBase):
    """Decompresses gzip data (every member) as it is read, in the reader's own thread.

    Inflating in a thread of its own hid its time from the clock but cost more CPU than it saved
    (each chunk handed across threads and the GIL): per CPU second, which is what a core running
    one bulk worker gives, inline inflation reads about 6% more records. Errors (a corrupt or
    truncated file) are raised by the read that meets them.
    """

    def __init__(self, raw: IO[bytes], *, chunk: int = 1 << 16):
        self._pieces = _inflate(raw, chunk)
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending.nbytes:
            piece = next(self._pieces, b"")
            if not piece:
                return 0
            self._pending = memoryview(piece)
        n = min(len(buffer), self._pending.nbytes)
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def _inflate(raw: IO[bytes], chunk: int) -> Iterator[bytes]:
    """The decompressed bytes of a gzip stream of one or more members, in large pieces.

    ISA-L's inflater (python-isal, zlib's interface) takes under half zlib's time: on PubMed
    baseline files it is a fifth of the parser's work with zlib. Its errors are raised as zlib's.
    """
    try:
        yield from _members(raw, chunk)
    except isal_zlib.error as e:
        raise zlib.error(str(e)) from e


def _members(raw: IO[bytes], chunk: int) -> Iterator[bytes]:
    inflater = None
    while data := raw.read(chunk):
        while data:
            if inflater is None:  # a new member (zero padding between members is allowed)
                data = data.lstrip(b"\0")
                if not data:
                    break
                inflater = isal_zlib.decompressobj(16 + zlib.MAX_WBITS)
            out = inflater.decompress(data)
            if out:
                yield out
            data, inflater = (inflater.unused_data, None) if inflater.eof else (b"", inflater)
    if inflater is not None:
        raise EOFError("gzip data ended before its end-of-stream marker (truncated file)")


def _peek(stream: IO[bytes], name: str) -> tuple[IO[bytes], bytes]:
    """Read the head of ``stream`` and return a stream that still yields it (gunzipped)."""
    head = _read(stream, HEAD_SIZE, name)
    stream = io.BufferedReader(_Prefixed(head, stream), buffer_size=HEAD_SIZE)
    if head[:2] == _GZIP_MAGIC:
        stream = io.BufferedReader(_Gunzip(stream), buffer_size=HEAD_SIZE)
        head = _read_head(stream, name)
        stream = io.BufferedReader(_Prefixed(head, stream), buffer_size=HEAD_SIZE)
    return stream, head


def _read_head(stream: io.BufferedReader, name: str) -> bytes:
    """Up to HEAD_SIZE decompressed bytes; a file truncated within them keeps what came before
    the cut (the parser then reports where the document stops)."""
    parts: list[bytes] = []
    size = 0
    try:
        while size < HEAD_SIZE and (chunk := stream.read1(HEAD_SIZE - size)):
            parts.append(chunk)
            size += len(chunk)
    except (OSError, EOFError, zlib.error) as e:
        if not parts:
            raise InputError(f"cannot read {name}: {e}") from e
    return b"".join(parts)


def _read(stream: IO[bytes], size: int, name: str) -> bytes:
    try:
        return stream.read(size)
    except (OSError, EOFError, zlib.error) as e:
        raise InputError(f"cannot read {name}: {e}") from e


# --- dispatch ------------------------------------------------------------------------------------


def _dispatch(fmt: str, stream: IO[bytes], head: bytes, name: str) -> Iterator[Record | ParseError]:
    if fmt == "pubmed":
        from extractor.parse import pubmed

        yield from _guard(pubmed.iter_pubmed(stream, source=name), name)
    elif fmt == "medline":
        from extractor.parse import medline

        yield from _guard(medline.iter_medline(stream, source=name), name)
    elif fmt == "catalogue" and head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        from extractor.parse import marc

        yield from _guard(marc.iter_marc(stream, source=name), name)
    elif fmt in ("pmc", "catalogue"):
        yield from _whole(fmt, _read_all(stream, name), name)
    else:
        raise UnknownFormatError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}", source=name)


def _whole(fmt: str, data: bytes, name: str) -> Iterator[Record | ParseError]:
    if fmt == "pmc":
        from extractor.parse.jats import parse_jats as parse
    else:
        from extractor.parse.catalogue import parse_catalogue as parse
    try:
        records = parse(data, source=name)
    except UnknownFormatError:
        raise
    except ParseError as e:
        yield e if e.source else ParseError(e.reason, source=name, record_id=e.record_id)
        return
    yield from records


def _guard(items: Iterator[Record | ParseError], name: str) -> Iterator[Record | ParseError]:
    """Turn a read error in the middle of a stream (a corrupt gzip member) into a ParseError."""
    count = 0
    try:
        for item in items:
            count += isinstance(item, Record)
            yield item
    except (OSError, EOFError, zlib.error) as e:
        yield ParseError(f"input stopped after {count} records: {e}", source=name)


def _read_all(stream: IO[bytes], name: str) -> bytes:
    try:
        return stream.read()
    except (OSError, EOFError, zlib.error) as e:
        raise InputError(f"cannot read {name}: {e}") from e

