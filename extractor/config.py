"""Configuration of the stages that need it: frozen dataclasses from defaults or the environment.

Environment variables read by :meth:`EutilsConfig.from_env` and :meth:`CacheConfig.from_env`:

==========================  ===========================================================
``EXTRACTOR_EUTILS_URL``    base URL of E-utilities (default NCBI's)
``EXTRACTOR_IDCONV_URL``    URL of the PMC ID Converter API (default NCBI's)
``NCBI_EMAIL``              contact address sent with every request, as NCBI asks
``NCBI_API_KEY``            API key: raises the rate limit from 3 to 10 requests/s
``EXTRACTOR_CACHE``         path of the SQLite cache
``XDG_CACHE_HOME``          where the default cache lives (``~/.cache`` if unset)
==========================  ===========================================================
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_EUTILS_URL",
    "DEFAULT_IDCONV_URL",
    "CacheConfig",
    "EutilsConfig",
    "default_cache_path",
]

DEFAULT_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
# https://pmc.ncbi.nlm.nih.gov/tools/id-converter-api/ (DOI <-> PMID <-> PMCID, 200 IDs a request)
DEFAULT_IDCONV_URL = "https://pmc.ncbi.nlm.nih.gov/tools/idconv/api/v1/articles/"
DEFAULT_TOOL = "trial-extractor"
# NCBI's published limits: https://www.ncbi.nlm.nih.gov/books/NBK25497/#chapter2.Usage_Guidelines_and_Requiremen
RATE_WITHOUT_KEY = 3
RATE_WITH_KEY = 10
DEFAULT_MAX_AGE_DAYS = 30.0


@dataclass(frozen=True, slots=True)
class EutilsConfig:
    """How to talk to E-utilities.

    Parameters
    ----------
    base_url
        Where the ``*.fcgi`` endpoints live; always ends with ``/``.
    tool, email
        Sent with every request so NCBI can contact the user before blocking them.
    api_key
        Never shown by ``repr()``; redacted from logs and errors by the client.
    timeout
        Seconds to wait for a connection or for the next bytes of an answer.
    batch_size
        IDs per efetch/elink request (NCBI asks for POST above 200 IDs; 200 keeps answers small).
    max_retries
        Further attempts after a failed one (429, 5xx, timeout, reset, error or broken body).
    backoff_base, backoff_cap
        Exponential backoff: ``min(cap, base * 2**attempt)`` seconds, with full jitter.
    rate_limit
        Requests per second; None derives it from the key (3 without, 10 with).
    workers
        Requests in flight at once; the rate limit holds across all of them.
    idconv_url
        The PMC ID Converter API, asked with the same identity, rate limit and retries.
    """

    base_url: str = DEFAULT_EUTILS_URL
    tool: str = DEFAULT_TOOL
    email: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    batch_size: int = 200
    max_retries: int = 6
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    rate_limit: float | None = None
    workers: int = 3
    idconv_url: str = DEFAULT_IDCONV_URL

    def __post_init__(self) -> None:
        for name in ("base_url", "idconv_url"):
            if not getattr(self, name).endswith("/"):
                object.__setattr__(self, name, getattr(self, name) + "/")
        if self.batch_size < 1 or self.workers < 1 or self.max_retries < 0:
            raise ValueError("batch_size and workers must be >= 1, max_retries >= 0")

    @property
    def requests_per_second(self) -> float:
        """The rate NCBI allows this client: 3 requests/s without an API key, 10 with one."""
        if self.rate_limit is not None:
            return self.rate_limit
        return RATE_WITH_KEY if self.api_key else RATE_WITHOUT_KEY

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> EutilsConfig:
        """Build a config from ``EXTRACTOR_EUTILS_URL``, ``EXTRACTOR_IDCONV_URL``, ``NCBI_EMAIL``
        and ``NCBI_API_KEY``.

        Keyword arguments that are not None override the environment.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {
            "base_url": env.get("EXTRACTOR_EUTILS_URL") or DEFAULT_EUTILS_URL,
            "idconv_url": env.get("EXTRACTOR_IDCONV_URL") or DEFAULT_IDCONV_URL,
            "email": env.get("NCBI_EMAIL") or None,
            "api_key": env.get("NCBI_API_KEY") or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def replace(self, **changes: Any) -> EutilsConfig:
        """Return a copy with some fields changed."""
        return dataclasses.replace(self, **changes)


def default_cache_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/trial-extractor/eutils.sqlite3``, or under ``~/.cache`` when unset."""
    env = os.environ if environ is None else environ
    root = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "trial-extractor" / "eutils.sqlite3"


@dataclass(frozen=True, slots=True)
class CacheConfig:
    """Where raw records are kept and for how long they count as fresh.

    Parameters
    ----------
    path
        The SQLite file (created with its directory when missing).
    max_age_days
        Entries older than this are fetched again; None keeps them for ever.
    refresh
        Ignore every entry written before this run started (they are then overwritten).
    """

    path: Path = field(default_factory=default_cache_path)
    max_age_days: float | None = DEFAULT_MAX_AGE_DAYS
    refresh: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> CacheConfig:
        """Build a config from ``EXTRACTOR_CACHE`` (else the user's cache directory)."""
        env = os.environ if environ is None else environ
        path = env.get("EXTRACTOR_CACHE")
        values: dict[str, Any] = {"path": Path(path) if path else default_cache_path(env)}
        values.update({k: v for k, v in overrides.items() if v is not None})
        values["path"] = Path(values["path"])
        return cls(**values)
