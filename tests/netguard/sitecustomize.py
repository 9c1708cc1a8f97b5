"""The tests' network guard in every Python process they start (conftest.py puts this folder
on PYTHONPATH): PDF workers, `python -m kbbook`. An attempt to reach the network fails and
is written to $KBBOOK_NETWORK_LOG, which the test session reads at its end. Local sockets
(AF_UNIX: how worker processes talk to each other) are not the network."""

from __future__ import annotations

import os
import socket

_LOG = os.environ.get("KBBOOK_NETWORK_LOG")


def _refuse(*args: object, **kwargs: object) -> None:
    with open(_LOG or os.devnull, "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()}: {args[1:3] or args[:1]!r}\n")
    raise OSError(f"network access attempted: {args!r}")


if _LOG:
    _connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex

    def _guarded_connect(self: socket.socket, address: object) -> None:
        if self.family == getattr(socket, "AF_UNIX", None):
            return _connect(self, address)  # type: ignore[arg-type]
        return _refuse(self, address)

    def _guarded_connect_ex(self: socket.socket, address: object) -> int:
        if self.family == getattr(socket, "AF_UNIX", None):
            return _connect_ex(self, address)  # type: ignore[arg-type]
        _refuse(self, address)
        return 1

    socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign,assignment]
    socket.create_connection = _refuse  # type: ignore[assignment]
    socket.getaddrinfo = _refuse  # type: ignore[assignment]
