"""Prepared EPUB images kept between builds: a rebuild decodes, scales and encodes again only
the images that are new, changed, or wanted otherwise (another device).

An entry is keyed by a hash of the file's bytes, the target (size, greys, budget) and the
versions of kbbook and Pillow; it holds a header line (its format and the hash of its data)
and the data. One that does not read back as it claims is ignored and made again. Used
entries are touched; those unused for a month go, then the oldest past 1 GB.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

from ...render.cache import cache_root, prune_files
from ...version import __version__

FORMAT = 2
MAX_BYTES = 1024**3
MAX_AGE = 30 * 24 * 3600


def _hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


class ImageCache:
    """Prepared images in `folder` (default: `epub-images` in kbbook's cache folder)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or cache_root() / "epub-images"
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(data: bytes, target: object) -> str:
        import PIL

        h = hashlib.blake2b(digest_size=20)
        for part in (f"format {FORMAT}; kbbook {__version__}; Pillow {PIL.__version__}",
                     repr(target)):
            h.update(part.encode() + b"\0")
        h.update(data)
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str) -> tuple[dict[str, object], bytes] | None:
        """(the header's fields, the data), or None."""
        path = self._path(key)
        try:
            raw = path.read_bytes()
            head, _, data = raw.partition(b"\n")
            header = json.loads(head)
            if header.get("format") != FORMAT or header.get("hash") != _hash(data):
                raise ValueError("not an entry of this kbbook")
            os.utime(path)
        except (OSError, ValueError, AttributeError):
            self.misses += 1
            return None
        self.hits += 1
        return header, data

    def put(self, key: str, fields: dict[str, object], data: bytes) -> None:
        path = self._path(key)
        header = json.dumps({**fields, "format": FORMAT, "hash": _hash(data)}).encode()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False,
                                             suffix=".tmp") as tmp:
                tmp.write(header + b"\n" + data)
            os.replace(tmp.name, path)
        except OSError:
            pass  # (a cache that cannot be written is no cache: prepared again next time)

    def prune(self, max_bytes: int = MAX_BYTES, max_age: float = MAX_AGE) -> None:
        with contextlib.suppress(OSError):
            prune_files((path for sub in self.folder.iterdir() for path in sub.iterdir()),
                        max_bytes, max_age)
