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


def test_processes_the_tests_start_are_guarded_too() -> None:
    """PDF workers run in other processes: they guard themselves and leave a record."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    log = Path(os.environ["KBBOOK_NETWORK_LOG"])
    before = log.read_text(encoding="utf-8") if log.is_file() else ""
    done = subprocess.run([sys.executable, "-c", "import socket\ntry:\n"
                           "    socket.create_connection(('127.0.0.1', 9))\n"
                           "except OSError as e:\n    print(e)"],
                          capture_output=True, text=True, check=True)
    assert "network access attempted" in done.stdout
    assert log.read_text(encoding="utf-8") != before
    log.write_text(before, encoding="utf-8")  # this one was on purpose
