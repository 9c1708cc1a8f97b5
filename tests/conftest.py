"""The suite's guard against network access (the shared paths are in shared.py)."""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
from pathlib import Path

import pytest

from shared import ATTEMPTS, refuse


def pytest_configure(config: pytest.Config) -> None:
    """kbbook never goes to the network unless asked. Sockets are blocked for the whole
    session, before any fixture runs (module-scoped builds included), and every attempt is
    remembered: code that swallows the error (WeasyPrint's fetcher turns it into a warning)
    still fails the run."""
    # Drawings and PDF chunk renders go to a cache folder of this run, never the user's.
    scratch = Path(tempfile.mkdtemp(prefix="kbbook-tests-"))
    os.environ["KBBOOK_CACHE_DIR"] = str(scratch / "cache")
    # Processes the tests start (PDF workers, `python -m kbbook`) guard themselves too.
    os.environ["KBBOOK_NETWORK_LOG"] = str(scratch / "network.log")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(Path(__file__).parent / "netguard"), os.environ.get("PYTHONPATH")]))
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def local_or_refuse(original):  # type: ignore[no-untyped-def]
        def guarded(self: socket.socket, *args: object, **kwargs: object) -> object:
            if self.family == getattr(socket, "AF_UNIX", None):  # IPC, not the network
                return original(self, *args, **kwargs)
            return refuse(self, *args, **kwargs)
        return guarded

    socket.socket.connect = local_or_refuse(connect)  # type: ignore[method-assign]
    socket.socket.connect_ex = local_or_refuse(connect_ex)  # type: ignore[method-assign]
    socket.create_connection = refuse  # type: ignore[assignment]
    socket.getaddrinfo = refuse  # type: ignore[assignment]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    scratch = Path(os.environ.get("KBBOOK_CACHE_DIR", "")).parent
    log = Path(os.environ.get("KBBOOK_NETWORK_LOG", ""))
    if log.is_file():
        ATTEMPTS.extend(log.read_text(encoding="utf-8").splitlines())
    if scratch.name.startswith("kbbook-tests-"):
        shutil.rmtree(scratch, ignore_errors=True)
    if ATTEMPTS:
        print(f"\nkbbook tried to reach the network {len(ATTEMPTS)} times: "
              f"{ATTEMPTS[:5]}", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
