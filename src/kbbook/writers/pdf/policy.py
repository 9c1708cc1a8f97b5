"""What the print may read: files inside the site folder, files named one by one (the user's
`--css`), no symlink out of them, and the network only when the user allowed remote images.

Kept apart from the fetcher that obeys it (`fetcher.py`), which needs WeasyPrint: the main
process of a chunked print checks paths with it and never loads WeasyPrint.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

_REMOTE = frozenset({"http", "https"})


class RefusedURL(ValueError):
    """A URL the print fetcher will not read; WeasyPrint reports it and carries on."""


@dataclass(frozen=True)
class FetchPolicy:
    """What the print fetcher may read."""

    roots: tuple[Path, ...]
    """Folders whose files may be read (resolved; symlinks must stay inside)."""
    files: tuple[Path, ...] = ()
    """Single files that may be read wherever they are (the user's own stylesheets)."""
    allow_remote: bool = False
    """Whether http(s) URLs may be fetched."""

    @classmethod
    def create(cls, roots: Iterable[Path], files: Iterable[Path] = (), *,
               allow_remote: bool = False) -> FetchPolicy:
        return cls(
            tuple(Path(r).resolve() for r in roots),
            tuple(Path(f).resolve() for f in files),
            allow_remote,
        )

    def local_path(self, url: str) -> Path:
        """The file a `file:` URL may be read from, or RefusedURL saying why not."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            raise RefusedURL(f"{url}: not a file URL")
        if parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"{url}: files on other hosts are never read")
        raw = url2pathname(unquote(parts.path))
        if not raw or not os.path.isabs(raw):
            raise RefusedURL(f"{url}: not an absolute path")
        # Lexical check first, so `..` never escapes even through a folder that exists.
        if ".." in Path(raw).parts:
            raise RefusedURL(f"{url}: '..' in a path is never followed")
        try:
            real = Path(raw).resolve()  # follows every symlink that exists
        except (OSError, RuntimeError):
            raise RefusedURL(f"{url}: cannot be resolved (a symlink loop?)") from None
        # Where it leads first: whether a file outside exists is none of the page's business.
        if not (real in self.files or any(real.is_relative_to(root) for root in self.roots)):
            raise RefusedURL(f"{url}: outside the site folder; not read")
        if not real.is_file():
            raise RefusedURL(f"{url}: no such file")
        return real

    def check(self, url: str) -> str:
        """The kind of source ('file', 'remote') when `url` may be read."""
        scheme = urlsplit(url).scheme.lower()
        if scheme == "file":
            self.local_path(url)
            return "file"
        if scheme == "data":
            raise RefusedURL("data: URLs are never read (kbbook's print names only files)")
        if scheme in _REMOTE:
            if self.allow_remote:
                return "remote"
            raise RefusedURL(f"{url}: remote resources are fetched only with --allow-remote")
        if not scheme:
            raise RefusedURL(f"{url}: not an absolute URL")
        raise RefusedURL(f"{url}: the {scheme}: scheme is never read")
