"""The E-utilities client: one ``requests.Session``, NCBI's rate limit, retries and answer checks.

Every E-utilities request is a POST (https://www.ncbi.nlm.nih.gov/books/NBK25497/ recommends it for long ID
lists): the ID list, ``tool``, ``email`` and ``api_key`` travel in the body, so the key never shows
in a URL, and so never in the text of a ``requests`` exception, a proxy log or a traceback.

The PMC ID Converter (:meth:`EutilsClient.idconv`) is not an E-utility but is asked through the
same client: the same identity, rate limit, retries and answer checks. It documents GET only and
takes no API key, so it gets a GET without one.

Retries are ours rather than urllib3's ``Retry``: a retry made inside the transport would bypass the
rate limiter (NCBI would see it as one request too many) and could not be triggered by a bad body,
which for E-utilities is the common failure (HTTP 200 holding ``<ERROR>`` or a cut-off document).
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar
from urllib.parse import quote, quote_plus

import requests

from extractor.config import DEFAULT_EUTILS_URL, EutilsConfig
from extractor.errors import EutilsError, FetchError, MissingEmailWarning, RateLimitedError
from extractor.fetch import responses
from extractor.fetch._ratelimit import RateLimiter

__all__ = ["EutilsClient", "RequestStats"]

_LOG = logging.getLogger(__name__)
T = TypeVar("T")

# Failures of the transport that a new attempt can cure (requests wraps urllib3's resets,
# read timeouts and cut-off bodies in these).
_TRANSIENT = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
REDACTED = "<api_key>"
IDCONV = "idconv"  # the endpoint name of the PMC ID Converter (in stats and logs)
IDCONV_BATCH = 200  # the most IDs the converter takes in one request


class RequestStats:
    """Thread-safe counts of the requests a client sent, per endpoint, and of its retries."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_endpoint: Counter[str] = Counter()
        self.retries = 0

    @property
    def requests(self) -> int:
        """Every HTTP request sent, retries included."""
        with self._lock:
            return sum(self.by_endpoint.values())

    def count_request(self, endpoint: str) -> None:
        with self._lock:
            self.by_endpoint[endpoint] += 1

    def count_retry(self) -> None:
        with self._lock:
            self.retries += 1


class _Retryable(Exception):
    """A failed attempt that a new one may cure; carries the error to raise if none does."""

    def __init__(self, error: FetchError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


class EutilsClient:
    """A client of one E-utilities server, with all of its state on the instance.

    Parameters
    ----------
    config
        Server, identity, limits and retry policy.
    session
        The ``requests.Session`` to send through (a fresh one by default).
    limiter
        Share one between clients to hold the rate across them (a fresh one by default).
    """

    def __init__(
        self,
        config: EutilsConfig,
        session: requests.Session | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.config = config
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", config.tool)
        self.limiter = limiter or RateLimiter(config.requests_per_second)
        self.stats = RequestStats()
        self._random = random.Random()
        self._stopped = threading.Event()
        if not config.email and config.base_url == DEFAULT_EUTILS_URL:
            warnings.warn(
                "no contact e-mail for NCBI: set NCBI_EMAIL (or --email); NCBI may block "
                "clients it cannot contact",
                MissingEmailWarning,
                stacklevel=2,
            )

    def __repr__(self) -> str:
        return f"EutilsClient({self.config!r})"

    def stop(self) -> None:
        """Send no further request, from any thread; waits for a slot or a retry end at once.

        For a run being interrupted: requests already sent are answered (and their batches
        cached); every later call raises :class:`FetchError` without sending anything.
        """
        self._stopped.set()
        self.limiter.cancel()

    @property
    def stopped(self) -> bool:
        """True once :meth:`stop` was called."""
        return self._stopped.is_set()

    # -- the E-utilities ------------------------------------------------------------------

    def efetch(self, db: str, ids: Sequence[str]) -> dict[str, bytes]:
        """Fetch records of ``db`` ("pubmed" or "pmc") by ID: ID -> record XML.

        IDs absent from the answer are absent from the result. PMC records are keyed by PMCID
        with its ``PMC`` prefix (and asked for by number, as NCBI documents).
        """
        wanted = [responses.normalise_pmcid(i) if db == "pmc" else i for i in ids]
        sent = [i.removeprefix("PMC") for i in wanted] if db == "pmc" else wanted
        params = [("db", db), ("id", ",".join(sent)), ("retmode", "xml")]
        records = self.call("efetch.fcgi", params, lambda b: responses.split_records(db, b))
        return {i: records[i] for i in wanted if i in records}

    def esearch(
        self,
        term: str,
        *,
        retstart: int = 0,
        retmax: int = 20,
        mindate: str | None = None,
        maxdate: str | None = None,
        usehistory: bool = False,
    ) -> responses.SearchPage:
        """Search PubMed; dates are ``YYYY/MM/DD`` publication dates (``datetype=pdat``)."""
        params = [("db", "pubmed"), ("term", term), ("retstart", str(retstart))]
        params.append(("retmax", str(retmax)))
        if usehistory:
            params.append(("usehistory", "y"))
        if mindate or maxdate:
            params += [("datetype", "pdat"), ("mindate", mindate or ""), ("maxdate", maxdate or "")]
        return self.call("esearch.fcgi", params, responses.parse_esearch)

    def elink(
        self,
        ids: Iterable[str],
        *,
        dbfrom: str = "pubmed",
        db: str = "pmc",
        linkname: str = "pubmed_pmc",
    ) -> dict[str, str | None]:
        """Link IDs one by one (one ``id=`` each, so one LinkSet each): ID -> first link or None."""
        params = [("dbfrom", dbfrom), ("db", db), ("linkname", linkname)]
        params += [("id", i) for i in ids]
        return self.call("elink.fcgi", params, lambda b: responses.parse_elink(b, linkname))

    def idconv(self, ids: Sequence[str], idtype: str) -> list[responses.IdRecord]:
        """Ask the PMC ID Converter about up to 200 IDs of one ``idtype`` (pmid, pmcid or doi)."""
        if len(ids) > IDCONV_BATCH:
            raise ValueError(f"the ID converter takes at most {IDCONV_BATCH} IDs a request")
        params = [("ids", ",".join(ids)), ("idtype", idtype), ("format", "json"), ("versions", "no")]
        return self.call(IDCONV, params, responses.parse_idconv)

    # -- requests, retries and redaction -----------------------------------------------------

    def call(self, endpoint: str, params: list[tuple[str, str]], check: Callable[[bytes], T]) -> T:
        """POST to ``endpoint`` and return ``check(body)``, retrying what a new attempt can cure.

        Raises
        ------
        RateLimitedError
            HTTP 429 on the last attempt.
        EutilsError
            The last answer was an HTTP 200 that ``check`` refused.
        FetchError
            Any other failure: at once for HTTP 4xx other than 429, else after the last retry.
        """
        data = params + self._identity(with_key=endpoint != IDCONV)
        for attempt in range(self.config.max_retries + 1):
            if attempt:
                self.stats.count_retry()
            try:
                return self._attempt(endpoint, data, check)
            except _Retryable as e:
                failure = e
                _LOG.info(
                    "%s (attempt %d of %d)", e.error, attempt + 1, self.config.max_retries + 1
                )
                if attempt < self.config.max_retries:
                    self._back_off(attempt, e.retry_after)
        raise failure.error

    def _attempt(
        self, endpoint: str, data: list[tuple[str, str]], check: Callable[[bytes], T]
    ) -> T:
        body = self._send(endpoint, data)
        try:
            return check(body)
        except EutilsError as e:
            raise _Retryable(EutilsError(self.redact(str(e)), url=self._shown(endpoint))) from None

    def _send(self, endpoint: str, data: list[tuple[str, str]]) -> bytes:
        url = self._shown(endpoint)
        self.limiter.wait()
        if self.stopped:
            raise FetchError(f"{endpoint}: not sent, the client was stopped", url=url)
        self.stats.count_request(endpoint)
        started = time.monotonic()
        try:
            target, timeout = self._url(endpoint), self.config.timeout
            if endpoint == IDCONV:
                response = self.session.get(target, params=data, timeout=timeout)
            else:
                response = self.session.post(target, data=data, timeout=timeout)
        except _TRANSIENT as e:
            message = f"{endpoint}: {type(e).__name__}: {self.redact(str(e))}"
            raise _Retryable(FetchError(message, url=url)) from None
        except requests.RequestException as e:
            raise FetchError(f"{endpoint}: {self.redact(str(e))}", url=url) from None
        elapsed = time.monotonic() - started
        _LOG.debug("%s -> %d in %.2fs", endpoint, response.status_code, elapsed)
        return self._check_status(endpoint, response)

    def _check_status(self, endpoint: str, response: requests.Response) -> bytes:
        status, url = response.status_code, self._shown(endpoint)
        if status == 200:
            return response.content
        summary = f"{endpoint}: HTTP {status}: {self.redact(response.text[:200])!r}"
        if status == 429:
            after = _retry_after(response.headers.get("Retry-After"))
            raise _Retryable(RateLimitedError(summary, url=url, status=status), after)
        if status >= 500:
            after = _retry_after(response.headers.get("Retry-After"))
            raise _Retryable(FetchError(summary, url=url, status=status), after)
        raise FetchError(summary, url=url, status=status)

    def _back_off(self, attempt: int, retry_after: float | None) -> None:
        ceiling = min(self.config.backoff_cap, self.config.backoff_base * 2**attempt)
        delay = self._random.uniform(0, ceiling)  # "full jitter": spreads out the retries
        if retry_after is not None:
            wait = min(retry_after, self.config.backoff_cap)
            self.limiter.pause_for(wait)  # the server's limit is per user, so every thread waits
            delay = max(delay, wait)
        if self._stopped.wait(delay):
            raise FetchError("not retried, the client was stopped")

    def _identity(self, *, with_key: bool = True) -> list[tuple[str, str]]:
        params = [("tool", self.config.tool)]
        if self.config.email:
            params.append(("email", self.config.email))
        if self.config.api_key and with_key:
            params.append(("api_key", self.config.api_key))
        return params

    def _url(self, endpoint: str) -> str:
        return self.config.idconv_url if endpoint == IDCONV else self.config.base_url + endpoint

    def _shown(self, endpoint: str) -> str:
        """The URL as errors show it (redacted, should a key have been put in the base URL)."""
        return self.redact(self._url(endpoint))

    def redact(self, text: str) -> str:
        """``text`` with the API key (plain or URL-encoded) replaced by ``<api_key>``."""
        key = self.config.api_key
        if not key:
            return text
        for form in {key, quote(key, safe=""), quote_plus(key)}:
            text = text.replace(form, REDACTED)
        return text


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
