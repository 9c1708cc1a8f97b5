"""Drawings kept between builds (diagrams, formulas), by a hash of what was drawn and how:
only new or changed ones are drawn again.

The folder is `$KBBOOK_CACHE_DIR`, else kbbook's folder in the user's cache folder
(`~/.cache/kbbook` on Linux, or under `$XDG_CACHE_HOME`).
A cache that cannot be read or written is no error: the drawing is made again.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

_KEY = re.compile(r"^[0-9a-f]{16,128}$")


def cache_root() -> Path:
    """$KBBOOK_CACHE_DIR, else kbbook's folder in the user's cache folder (on Linux
    ~/.cache/kbbook, or under $XDG_CACHE_HOME)."""
    explicit = os.environ.get("KBBOOK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_cache_dir("kbbook", appauthor=False))


class DrawingCache:
    """Text files named by their key, in one folder of the cache."""

    def __init__(self, kind: str, root: Path | None = None) -> None:
        self.folder = (root or cache_root()) / kind
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError(f"not a cache key: {key!r}")
        return self.folder / key[:2] / f"{key}.svg"

    def get(self, key: str) -> str | None:
        try:
            text = self._path(key).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            self.misses += 1
            return None
        self.hits += 1
        return text

    def put(self, key: str, text: str) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent,
                                             delete=False, suffix=".tmp") as tmp:
                tmp.write(text)
            os.replace(tmp.name, path)
        except OSError:
            pass  # (a read-only cache: drawn again next time)


def prune_files(entries: Iterable[Path], max_bytes: int, max_age: float) -> None:
    """Remove the files unused (not touched) for `max_age` seconds, then the oldest until
    those left hold less than `max_bytes`."""
    found = []
    for path in entries:
        with contextlib.suppress(OSError):
            stat = path.stat()
            found.append((stat.st_mtime, stat.st_size, path))
    found.sort()
    total, now = sum(size for _, size, _ in found), time.time()
    for mtime, size, path in found:
        if now - mtime <= max_age and total <= max_bytes:
            break
        with contextlib.suppress(OSError):
            path.unlink()
            total -= size
