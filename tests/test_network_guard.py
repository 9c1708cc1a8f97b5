"""The suite's own guard: any attempt to reach the network fails the run."""

from __future__ import annotations

import socket
import urllib.request

import pytest

from shared import ATTEMPTS, NetworkBlocked


def test_sockets_are_blocked_and_attempts_recorded() -> None:
    before = len(ATTEMPTS)
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("127.0.0.1", 9))
    with pytest.raises(Exception, match="network access attempted"):
        urllib.request.urlopen("http://127.0.0.1:9/", timeout=1)
    assert len(ATTEMPTS) >= before + 2
    del ATTEMPTS[before:]  # these two were on purpose
