"""Hostile XML is refused with a clear ParseError, fetches nothing, and costs bounded time and memory.

Each document goes through the public streaming path (``parse_bytes`` -> ``iter_records`` ->
``pubmed.iter_pubmed``) and through the whole-document path the JATS reader uses
(``_xml.parse_bytes``). A loopback HTTP server stands in for an attacker's host: it must see no
request at all.
"""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
import time

import pytest

from extractor.errors import ParseError
from extractor.parse import _xml, parse_bytes
from extractor.parse.pubmed import iter_pubmed

RECORD = b"<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>%s</ArticleTitle></Article></MedlineCitation></PubmedArticle>"


def _laughs(levels: int = 9) -> bytes:
    decls = [b'<!ENTITY lol0 "lol">']
    decls += [b"<!ENTITY lol%d \"%s\">" % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, levels + 1)]
    return b"<?xml version=\"1.0\"?>\n<!DOCTYPE PubmedArticleSet [\n%s\n]>\n<PubmedArticleSet>%s</PubmedArticleSet>" % (
        b"\n".join(decls),
        RECORD % (b"&lol%d;" % levels),
    )


def _quadratic() -> bytes:
    big = b"A" * 50_000
    return b'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY a "%s">]><PubmedArticleSet>%s</PubmedArticleSet>' % (
        big,
        RECORD % (b"&a;" * 20_000),
    )


def _xxe(url: str) -> bytes:
    return b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "%s">]>\n<PubmedArticleSet>%s</PubmedArticleSet>' % (
        url.encode(),
        RECORD % b"&xxe;",
    )


def _parameter_entity(url: str) -> bytes:
    return b'<!DOCTYPE PubmedArticleSet [<!ENTITY %% p SYSTEM "%s"> %%p;]><PubmedArticleSet>%s</PubmedArticleSet>' % (
        url.encode(),
        RECORD % b"x",
    )


HIDDEN = {
    # a "<" in a comment must not end the prolog before the declaration
    "comment": b'<?xml version="1.0"?><!-- <PubmedArticleSet> --><!DOCTYPE PubmedArticleSet [<!ENTITY a "b">]>'
    b"<PubmedArticleSet>" + RECORD % b"&a;" + b"</PubmedArticleSet>",
    # nor a "<" in a quoted DOCTYPE identifier
    "quoted": b'<!DOCTYPE PubmedArticleSet PUBLIC "<x" "y" [<!ENTITY a "b">]><PubmedArticleSet>'
    + RECORD % b"&a;"
    + b"</PubmedArticleSet>",
    # nor padding that pushes the declaration past the bytes looked at
    "padding": b"<?xml version=\"1.0\"?>" + b"<!--" + b" " * 70_000 + b"-->" + b'<!DOCTYPE PubmedArticleSet [<!ENTITY a "b">]>'
    b"<PubmedArticleSet>" + RECORD % b"&a;" + b"</PubmedArticleSet>",
}


def _both_paths(data: bytes) -> list[ParseError]:
    errors = []
    for parse in (parse_bytes, _xml.parse_bytes):
        with pytest.raises(ParseError) as info:
            parse(data, source="hostile.xml")
        errors.append(info.value)
    return errors


@pytest.mark.parametrize("make", [_laughs, _quadratic], ids=["billion-laughs", "quadratic-blowup"])
def test_parse_security_entity_bombs_refused_fast(make):
    start = time.monotonic()
    for error in _both_paths(make()):
        assert "declares entities" in error.reason and error.source == "hostile.xml"
    assert time.monotonic() - start < 2


@pytest.mark.parametrize("make", [_xxe, _parameter_entity], ids=["external-entity", "parameter-entity"])
def test_parse_security_external_entities_refused_without_fetching(make, httpserver):
    httpserver.expect_request("/secret").respond_with_data("leaked")
    for url in (httpserver.url_for("/secret"), "file:///etc/passwd"):
        for error in _both_paths(make(url)):
            assert "declares entities" in error.reason
    assert httpserver.log == []


def test_parse_security_external_dtd_not_fetched(httpserver):
    httpserver.expect_request("/pubmed.dtd").respond_with_data('<!ENTITY title "from the DTD">')
    data = b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet SYSTEM "%s">\n<PubmedArticleSet>%s</PubmedArticleSet>' % (
        httpserver.url_for("/pubmed.dtd").encode(),
        RECORD % b"A title",
    )
    (record,) = parse_bytes(data)
    assert record.title == "A title"
    (record,) = parse_bytes(data.replace(b"A title", b"&title;"))
    assert "from the DTD" not in (record.title or "")  # the DTD's entity was never loaded
    assert httpserver.log == []


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_parse_security_hidden_declarations_refused(name):
    for error in _both_paths(HIDDEN[name]):
        assert "refused" in error.reason


def test_parse_security_gzipped_bomb_refused():
    with pytest.raises(ParseError, match="declares entities"):
        parse_bytes(gzip.compress(_laughs()))


def test_parse_security_stream_parser_itself_bounds_expansion():
    """Even past the prolog check, the streaming parser neither expands a bomb nor reads a file."""
    *_, last = iter_pubmed(io.BytesIO(_laughs()))
    assert isinstance(last, ParseError)
    (record,) = iter_pubmed(io.BytesIO(_xxe("file:///etc/passwd")))
    assert "root:" not in (record.title or "")


def test_parse_security_bomb_memory_bounded_in_subprocess():
    """Parse a 10^9-laughs bomb past the prolog check under a 1 GiB address-space limit."""
    code = (
        "import io, re, resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from extractor.parse.pubmed import iter_pubmed\n"
        "items = list(iter_pubmed(io.BytesIO(sys.stdin.buffer.read())))\n"
        # VmHWM is this process's own peak (ru_maxrss may carry the forking parent's)
        "peak = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
        "print(type(items[-1]).__name__, peak)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], input=_laughs(), capture_output=True, timeout=30)
    kind, peak_kib = done.stdout.decode().split()
    assert done.returncode == 0 and kind == "ParseError"
    assert int(peak_kib) < 300_000  # far below the ~3 GB the bomb expands to
