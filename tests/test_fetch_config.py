from __future__ import annotations

from pathlib import Path

import pytest

from extractor.config import (
    DEFAULT_EUTILS_URL,
    DEFAULT_IDCONV_URL,
    CacheConfig,
    EutilsConfig,
    default_cache_path,
)
from extractor.errors import MissingEmailWarning
from extractor.fetch import EutilsClient

SECRET = "0123456789abcdef0123456789abcdef0123"


@pytest.mark.parametrize(
    "environ,url,email,key,rate",
    [
        ({}, DEFAULT_EUTILS_URL, None, None, 3),
        (
            {"NCBI_API_KEY": SECRET, "NCBI_EMAIL": "a@b.org"},
            DEFAULT_EUTILS_URL,
            "a@b.org",
            SECRET,
            10,
        ),
        (
            {"EXTRACTOR_EUTILS_URL": "http://127.0.0.1:8080/eutils"},
            "http://127.0.0.1:8080/eutils/",
            None,
            None,
            3,
        ),
    ],
)
def test_fetch_config_from_env(
    environ: dict[str, str], url: str, email: str | None, key: str | None, rate: int
) -> None:
    config = EutilsConfig.from_env(environ)
    assert (config.base_url, config.email, config.api_key) == (url, email, key)
    assert config.requests_per_second == rate


@pytest.mark.parametrize("override", ["http://127.0.0.1:1/"])
def test_fetch_config_arguments_override_env(override: str) -> None:
    config = EutilsConfig.from_env(
        {"EXTRACTOR_EUTILS_URL": "http://x/"}, base_url=override, email=None
    )
    assert config.base_url == override


@pytest.mark.parametrize(
    "environ,overrides,expected",
    [
        ({}, {}, DEFAULT_IDCONV_URL),
        ({"EXTRACTOR_IDCONV_URL": "http://127.0.0.1:9/idconv"}, {}, "http://127.0.0.1:9/idconv/"),
        ({"EXTRACTOR_IDCONV_URL": "http://x/"}, {"idconv_url": "http://127.0.0.1:1/"}, "http://127.0.0.1:1/"),
    ],
)
def test_fetch_config_idconv_url_from_env_or_argument(
    environ: dict[str, str], overrides: dict[str, str], expected: str
) -> None:
    assert EutilsConfig.from_env(environ, **overrides).idconv_url == expected


@pytest.mark.parametrize("config", [EutilsConfig(api_key=SECRET, email="a@b.org")])
def test_fetch_config_repr_hides_the_api_key(config: EutilsConfig) -> None:
    assert SECRET not in repr(config)
    assert SECRET not in repr(EutilsClient(config))


@pytest.mark.parametrize(
    "environ,expected",
    [
        ({"XDG_CACHE_HOME": "/xdg"}, Path("/xdg/trial-extractor/eutils.sqlite3")),
        ({}, Path.home() / ".cache" / "trial-extractor" / "eutils.sqlite3"),
    ],
)
def test_fetch_config_default_cache_path(environ: dict[str, str], expected: Path) -> None:
    assert default_cache_path(environ) == expected
    assert CacheConfig.from_env(environ).path == expected
    assert CacheConfig.from_env({**environ, "EXTRACTOR_CACHE": "/c.db"}).path == Path("/c.db")


@pytest.mark.parametrize("email,warns", [(None, True), ("a@b.org", False)])
def test_fetch_config_warns_without_email_for_ncbi(email: str | None, warns: bool) -> None:
    if warns:
        with pytest.warns(MissingEmailWarning):
            EutilsClient(EutilsConfig(email=email))
    else:
        EutilsClient(EutilsConfig(email=email))  # filterwarnings=error would fail on a warning
