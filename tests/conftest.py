"""The suite's guard against network access (the shared paths are in shared.py)."""

from __future__ import annotations

import os
import socket
import sys
import tempfile

import pytest

from shared import ATTEMPTS, refuse


def pytest_configure(config: pytest.Config) -> None:
    """kbbook never goes to the network unless asked. Sockets are blocked for the whole
    session, before any fixture runs (module-scoped builds included), and every attempt is
    remembered: code that swallows the error (WeasyPrint's fetcher turns it into a warning)
    still fails the run."""
    # Drawings are cached in a folder of the run's own, never the user's cache.
    os.environ.setdefault("KBBOOK_CACHE_DIR", tempfile.mkdtemp(prefix="kbbook-test-cache-"))
    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign,assignment]
    socket.create_connection = refuse  # type: ignore[assignment]
    socket.getaddrinfo = refuse  # type: ignore[assignment]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if ATTEMPTS:
        print(f"\nkbbook tried to reach the network {len(ATTEMPTS)} times: "
              f"{ATTEMPTS[:5]}", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
