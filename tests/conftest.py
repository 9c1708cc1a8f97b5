"""Shared test setup: the corpus location and a guard against network access."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
PRODUCTBRAIN = ROOT.parent / "shared" / "corpora" / "productbrain"
PRODUCTBRAIN_OUTLINE = PRODUCTBRAIN.parent / "productbrain.outline.txt"

needs_productbrain = pytest.mark.skipif(
    not PRODUCTBRAIN.is_dir(),
    reason="../shared/corpora/productbrain is not beside the checkout (only in the workplace)",
)


class NetworkBlocked(RuntimeError):
    pass


_ATTEMPTS: list[str] = []


def _refuse(*args: object, **kwargs: object) -> None:
    _ATTEMPTS.append(repr(args[1:3] or args[:1]))
    raise NetworkBlocked(f"network access attempted: {args!r}")


def pytest_configure(config: pytest.Config) -> None:
    """kbbook never goes to the network unless asked. Sockets are blocked for the whole
    session, before any fixture runs (module-scoped builds included), and every attempt is
    remembered: code that swallows the error (WeasyPrint's fetcher turns it into a warning)
    still fails the run."""
    socket.socket.connect = _refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = _refuse  # type: ignore[method-assign,assignment]
    socket.create_connection = _refuse  # type: ignore[assignment]
    socket.getaddrinfo = _refuse  # type: ignore[assignment]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _ATTEMPTS:
        print(f"\nkbbook tried to reach the network {len(_ATTEMPTS)} times: "
              f"{_ATTEMPTS[:5]}", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
