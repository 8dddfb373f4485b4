"""A fake E-utilities server on 127.0.0.1 for the fetch tests, with faults on demand.

It answers as NCBI documents (https://www.ncbi.nlm.nih.gov/books/NBK25499/): GET query strings or
POSTed form bodies; ``id`` lists comma-separated or repeated; efetch ``db=pubmed|pmc`` with
``retmode=xml`` (records absent from the answer when the ID does not exist); esearch with
``usehistory=y`` (WebEnv/QueryKey), ``retstart``/``retmax`` capped at 9,999 as PubMed does, and
``datetype=pdat`` with ``mindate``/``maxdate``; elink ``pubmed_pmc`` with one LinkSet per repeated
``id``; and the PMC ID Converter (any path holding ``/idconv/``, :attr:`FakeEutils.idconv_url`):
``ids`` (up to 200, comma-separated), ``idtype``, ``format=json``, answered as
https://pmc.ncbi.nlm.nih.gov/tools/id-converter-api/ documents it (a record per requested ID,
``pmid`` as a number, ``"status": "error"`` with an ``errmsg`` for an ID it does not know).
Its records are real recorded records replicated under new PMIDs (:func:`replicate`), and
its envelopes copy the recorded answers' prologs, so a client that passes against it should pass
against any server that answers the same way.

Faults are decided per request, by a seeded random plan or a script: HTTP 429 with Retry-After (and
NCBI's JSON body, which echoes the key), 500/502/503, connection resets, slow answers (past the
client's timeout), bodies cut short of their Content-Length, 200 answers cut short (well-framed but
not well-formed), ``<ERROR>`` in a 200, and an HTML page in a 200.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import random
import socket
import struct
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "eutils"
RECORDED = FIXTURES / "efetch"
PUBMED_PROLOG = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC '
    b'"-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)
PMC_PROLOG = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE pmc-articleset PUBLIC "-//NLM//DTD ARTICLE SET 2.0//EN"'
    b' "https://dtd.nlm.nih.gov/ncbi/pmc/articleset/nlm-articleset-2.0.dtd">\n'
)
ESEARCH_PROLOG = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch'
    b' 20060628//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
)
ELINK_PROLOG = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eLinkResult PUBLIC "-//NLM//DTD elink'
    b' 20101123//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20101123/elink.dtd">\n'
)
ESEARCH_CAP = 9_999
FAULTS = ("429", "500", "502", "503", "reset", "slow", "cut", "truncated", "error", "html")
_PLACEHOLDER = b"__FAKE_PMID__"


def template_records(paths: Iterable[Path]) -> list[bytes]:
    """The PubmedArticle elements of recorded efetch files, with their PMID made a placeholder."""
    templates = []
    for path in paths:
        root = etree.fromstring(path.read_bytes(), parser=etree.XMLParser(resolve_entities=False))
        for article in root.iterfind("PubmedArticle"):
            old = article.findtext("MedlineCitation/PMID")
            article.find("MedlineCitation/PMID").text = "PLACEHOLDER"
            for el in article.iterfind("PubmedData/ArticleIdList/ArticleId"):
                if el.get("IdType") == "pubmed" and el.text == old:
                    el.text = "PLACEHOLDER"
            xml = etree.tostring(article, encoding="utf-8")
            templates.append(xml.replace(b"PLACEHOLDER", _PLACEHOLDER))
    return templates


def replicate(templates: Sequence[bytes], pmids: Iterable[str]) -> dict[str, bytes]:
    """One record per PMID, cycling through the real templates."""
    return {
        pmid: templates[n % len(templates)].replace(_PLACEHOLDER, pmid.encode())
        for n, pmid in enumerate(pmids)
    }


@dataclass
class FaultPlan:
    """Which requests fail, and how: ``script`` first (None = no fault), then ``rate`` at random."""

    rate: float = 0.0
    kinds: Sequence[str] = FAULTS
    seed: int = 0
    script: list[str | None] = field(default_factory=list)
    slow_seconds: float = 1.5
    retry_after: str = "1"

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()

    def next(self) -> str | None:
        with self._lock:
            if self.script:
                return self.script.pop(0)
            if self._random.random() < self.rate:
                return self._random.choice(list(self.kinds))
            return None


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it."""

    at: float
    method: str
    endpoint: str
    params: tuple[tuple[str, str], ...]
    fault: str | None

    def get(self, name: str) -> str | None:
        return next((v for k, v in self.params if k == name), None)

    def ids(self) -> list[str]:
        return [i for k, v in self.params if k == "id" for i in v.split(",") if i]


class FakeEutils:
    """The server. Use as a context manager; ``url`` is its base URL, ``seen`` its request log."""

    def __init__(
        self,
        *,
        pubmed: dict[str, bytes] | None = None,
        pmc: dict[str, bytes] | None = None,
        links: dict[str, str] | None = None,
        searches: dict[str, list[tuple[str, dt.date]]] | None = None,
        articles: Sequence[dict[str, str]] = (),
        faults: FaultPlan | None = None,
    ) -> None:
        self.pubmed = pubmed or {}
        # what the ID converter knows: each article's {"pmid", "pmcid", "doi"} (some may be absent)
        self.articles = {(k, v.lower()): a for a in articles for k, v in a.items()}
        self.pmc = pmc or {}
        self.links = links or {}
        self.searches = searches or {}
        self.faults = faults or FaultPlan()
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/entrez/eutils/"

    @property
    def idconv_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/pmc/tools/idconv/api/v1/articles/"

    def __enter__(self) -> FakeEutils:
        # The server shares the test process, whose heap holds everything earlier tests loaded: a
        # full garbage collection of it can hold the server's thread longer than the client's
        # rate margin (150 ms), and the requests that queue meanwhile get one arrival time. Objects
        # that exist now are left out of collections while the server runs.
        gc.collect()
        gc.freeze()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        gc.unfreeze()

    def requests_to(self, endpoint: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.endpoint == endpoint]

    def max_in_window(self, seconds: float = 1.0) -> int:
        """The most requests that arrived within any ``seconds``-long window."""
        with self._lock:
            times = sorted(s.at for s in self.seen)
        best, start = 0, 0
        for end, t in enumerate(times):
            while t - times[start] >= seconds:
                start += 1
            best = max(best, end - start + 1)
        return best

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    # -- answers ----------------------------------------------------------------------------

    def answer(self, endpoint: str, params: list[tuple[str, str]]) -> tuple[int, str, bytes]:
        handler = {
            "efetch.fcgi": self.efetch,
            "esearch.fcgi": self.esearch,
            "elink.fcgi": self.elink,
            "idconv": self.idconv,
        }.get(endpoint)
        if handler is None:
            return 404, "text/plain", b"Not Found"
        return handler(dict(params), params)

    def efetch(
        self, single: dict[str, str], params: list[tuple[str, str]]
    ) -> tuple[int, str, bytes]:
        ids = [i.strip() for k, v in params if k == "id" for i in v.split(",") if i.strip()]
        if not ids:
            return 200, "text/xml", (FIXTURES / "esearch_error.xml").read_bytes()
        db = single.get("db")
        if db == "pubmed":
            body = [self.pubmed[i] for i in dict.fromkeys(ids) if i in self.pubmed]
            return 200, "text/xml", _document(PUBMED_PROLOG, b"PubmedArticleSet", body)
        if db == "pmc":
            keys = ("PMC" + i.removeprefix("PMC") for i in dict.fromkeys(ids))
            body = [self.pmc[k] for k in keys if k in self.pmc]
            return 200, "text/xml", _document(PMC_PROLOG, b"pmc-articleset", body)
        return 200, "text/xml", (FIXTURES / "esearch_error.xml").read_bytes()

    def esearch(
        self, single: dict[str, str], params: list[tuple[str, str]]
    ) -> tuple[int, str, bytes]:
        hits = self.searches.get(single.get("term", ""), [])
        if single.get("datetype") == "pdat":
            low = _date(single.get("mindate"), dt.date.min)
            high = _date(single.get("maxdate"), dt.date.max)
            hits = [h for h in hits if low <= h[1] <= high]
        retstart, retmax = int(single.get("retstart", 0)), int(single.get("retmax", 20))
        if retstart >= ESEARCH_CAP and hits:
            error = b"<ERROR>Search Backend failed: cannot retrieve more than 9999 records</ERROR>"
            return (
                200,
                "text/xml",
                ESEARCH_PROLOG + b"<eSearchResult>" + error + b"</eSearchResult>",
            )
        page = [p for p, _ in hits[retstart : min(retstart + retmax, ESEARCH_CAP)]]
        history = b""
        if single.get("usehistory") == "y":
            history = b"<QueryKey>1</QueryKey><WebEnv>MCID_fake0123456789abcdef</WebEnv>"
        ids = b"".join(b"<Id>%s</Id>\n" % p.encode() for p in page)
        body = b"<eSearchResult><Count>%d</Count><RetMax>%d</RetMax><RetStart>%d</RetStart>%s" % (
            len(hits), len(page), retstart, history)  # fmt: skip
        body += b"<IdList>\n" + ids + b"</IdList><TranslationSet/></eSearchResult>\n"
        return 200, "text/xml", ESEARCH_PROLOG + body

    def elink(
        self, single: dict[str, str], params: list[tuple[str, str]]
    ) -> tuple[int, str, bytes]:
        sets = []
        for pmid in (v for k, v in params if k == "id"):
            linkset = (
                b"<LinkSet><DbFrom>pubmed</DbFrom><IdList><Id>%s</Id></IdList>" % pmid.encode()
            )
            if pmid in self.links:
                target = self.links[pmid].removeprefix("PMC").encode()
                linkset += (
                    b"<LinkSetDb><DbTo>pmc</DbTo><LinkName>pubmed_pmc</LinkName>"
                    b"<Link><Id>%s</Id></Link></LinkSetDb>" % target
                )
            sets.append(linkset + b"</LinkSet>")
        return (
            200,
            "text/xml",
            ELINK_PROLOG + b"<eLinkResult>\n" + b"\n".join(sets) + b"\n</eLinkResult>\n",
        )


    def idconv(
        self, single: dict[str, str], params: list[tuple[str, str]]
    ) -> tuple[int, str, bytes]:
        ids = [i.strip() for i in single.get("ids", "").split(",") if i.strip()]
        idtype = single.get("idtype", "")
        if single.get("format") != "json" or len(ids) > 200 or idtype not in ("pmid", "pmcid", "doi"):
            body = {"status": "error", "responseDate": _now(), "request": _echo(params),
                    "message": "invalid request"}  # fmt: skip
            return 400, "application/json", json.dumps(body).encode()
        records = []
        for requested in ids:
            key = requested if idtype != "pmcid" else "PMC" + requested.upper().removeprefix("PMC")
            article = self.articles.get((idtype, key.lower()))
            if article is None:
                records.append({"requested-id": requested, "status": "error",
                                "errmsg": "Identifier not found in PMC"})  # fmt: skip
                continue
            found: dict[str, object] = {"requested-id": requested}
            found.update({k: int(v) if k == "pmid" else v for k, v in article.items()})
            records.append(found)
        body = {"status": "ok", "responseDate": _now(), "request": _echo(params), "records": records}
        return 200, "application/json", json.dumps(body, indent=1).encode()


def _now() -> str:
    return dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def _echo(params: list[tuple[str, str]]) -> str:
    return ";".join(f"{k}={v}" for k, v in params if k != "api_key")


def _document(prolog: bytes, root: bytes, records: list[bytes]) -> bytes:
    inner = b"\n".join(records)
    return prolog + b"<" + root + b">\n" + inner + b"\n</" + root + b">\n"


def _date(value: str | None, default: dt.date) -> dt.date:
    if not value:
        return default
    parts = [int(p) for p in value.split("/")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def _handler_for(fake: FakeEutils) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def parse_request(self) -> bool:
            self.arrived = time.monotonic()  # when the request line came, before any body is read
            return super().parse_request()

        def do_GET(self) -> None:
            self._serve(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = self.rfile.read(length).decode("utf-8")
            query = parse_qsl(urlsplit(self.path).query, keep_blank_values=True)
            self._serve(query + parse_qsl(form, keep_blank_values=True))

        def _serve(self, params: list[tuple[str, str]]) -> None:
            arrived = self.arrived
            path = urlsplit(self.path).path
            endpoint = "idconv" if "/idconv/" in path else path.rsplit("/", 1)[-1]
            fault = fake.faults.next()
            fake.record(Seen(arrived, self.command, endpoint, tuple(params), fault))
            if fault is None:
                self._send(*fake.answer(endpoint, params))
            else:
                self._fault(fault, endpoint, params)

        def _send(self, status: int, ctype: str, body: bytes, headers: dict[str, str] | None = None,
                  length: int | None = None) -> None:  # fmt: skip
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()

        def _fault(self, fault: str, endpoint: str, params: list[tuple[str, str]]) -> None:
            plan = fake.faults
            if fault == "429":
                key = dict(params).get("api_key", self.client_address[0])
                body = b'{"error":"API rate limit exceeded","api-key":"%s","count":"4","limit":"3"}'
                self._send(
                    429, "application/json", body % key.encode(), {"Retry-After": plan.retry_after}
                )
            elif fault in ("500", "502", "503"):
                self._send(int(fault), "text/html", b"<html><body>Server Error</body></html>")
            elif fault == "reset":
                self._reset()
            elif fault == "slow":
                time.sleep(plan.slow_seconds)
                self._send(*fake.answer(endpoint, params))
            elif fault == "cut":  # fewer bytes than Content-Length, then the connection closes
                status, ctype, body = fake.answer(endpoint, params)
                self._send(status, ctype, body[: len(body) // 2], length=len(body))
                self._reset()
            elif fault == "truncated":  # well framed, but the document stops half-way
                status, ctype, body = fake.answer(endpoint, params)
                self._send(status, ctype, body[: len(body) // 2])
            elif fault == "error":
                self._send(200, "text/xml", (FIXTURES / "esearch_error.xml").read_bytes())
            elif fault == "html":
                self._send(200, "text/html", (FIXTURES / "efetch_pubmed_html.html").read_bytes())

        def _reset(self) -> None:
            # SO_LINGER 0: closing sends RST, as a dropped connection does
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    return Handler
