"""The only conftest: shared fixtures, and a guard that keeps every test off the network.

Tests may talk to servers they start on the loopback interface (pytest-httpserver); any other
connection fails at once, so a test that would reach NCBI cannot pass by accident.
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--network", action="store_true", help="run tests that talk to the real NCBI")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--network"):
        return
    skip = pytest.mark.skip(reason="talks to NCBI; pass --network to run")
    for item in items:
        if "network" in item.keywords:
            item.add_marker(skip)


def _is_loopback(address: object) -> bool:
    if not isinstance(address, tuple):  # AF_UNIX paths
        return True
    host = address[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_network(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse every connection that does not go to this machine."""
    if "network" in request.keywords:
        return
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: object) -> None:
        if not _is_loopback(address):
            raise OSError(f"tests must not reach the network (tried {address!r})")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_only(socket.getaddrinfo))


def _loopback_only(real_getaddrinfo):  # type: ignore[no-untyped-def]
    def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host not in (None, "localhost") and not _is_loopback((host,)):
            raise socket.gaierror(f"tests must not resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    return getaddrinfo


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The repository's ``fixtures/`` directory."""
    return FIXTURES


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The catalogue record the project started from (an RCT of low-dose IL-2 in lupus)."""
    return FIXTURES / "catalogue" / "seed_pubmed-6937406.txt"
