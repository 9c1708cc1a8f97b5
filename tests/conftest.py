"""Shared test setup: the corpus location and a guard against network access."""

from __future__ import annotations

import socket
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


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """kbbook never goes to the network unless asked: any attempt fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise NetworkBlocked(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
