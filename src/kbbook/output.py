"""Atomic output: a failed or interrupted build leaves the previous book untouched."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import KbbookError

_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
"""A disk or a quota full."""


def check_output_path(out: Path, suffix: str = "") -> Path:
    """Refuse outputs that cannot work before any time is spent rendering."""
    if out.is_dir():
        raise KbbookError(f"{out}: is a folder; give a file name, e.g. "
                          f"{out / ('book' + suffix)}")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise KbbookError(f"{out}: the folder {parent} does not exist; create it first")
    if not os.access(parent, os.W_OK):
        raise KbbookError(f"{out}: cannot write in {parent}; choose another place with -o")
    if out.exists() and not os.access(out, os.W_OK):
        raise KbbookError(f"{out}: the file is read-only; choose another place with -o")
    return out


def write_atomically(out: Path, write: Callable[[Path], None]) -> None:
    """Call `write(tmp)` on a temporary file beside `out`, then rename it over `out`."""
    check_output_path(out)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name[:100]}.", suffix=".part",
                                        dir=out.parent or ".")
    except OSError as exc:
        raise KbbookError(f"{out}: cannot write there ({exc.strerror}); choose another "
                          "place with -o") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if exc.errno in _FULL:
            raise KbbookError(f"{out}: the disk is full; the older file is untouched; free "
                              "some space (or choose another place with -o) and build again"
                              ) from None
        raise
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
