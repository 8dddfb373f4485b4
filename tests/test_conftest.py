from __future__ import annotations

import socket

import pytest


@pytest.mark.parametrize("host", ["eutils.ncbi.nlm.nih.gov", "93.184.216.34"])
def test_conftest_blocks_network(host: str) -> None:
    with pytest.raises(OSError):
        socket.create_connection((host, 443), timeout=1)


def test_conftest_allows_loopback() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    with server, socket.create_connection(server.getsockname(), timeout=1):
        pass
