"""The build cache: rendered chunk PDFs and their layouts, so a rebuild lays out again only
the chunks an edit changed (and, in `images/`, palette.py's decisions).

Entries are keyed by a hash of everything a chunk's render depends on: its HTML (the page
sources, rendered), the content of the images it shows, the stylesheets, the options, the
page numbers it prints, and the versions of kbbook, WeasyPrint and pydyf. An entry is a PDF
and a JSON record naming its key and the PDF's hash; one whose record does not match (torn,
corrupt, written by something else) is ignored and rebuilt, never trusted. Used entries are
touched; the oldest go once the cache passes its size limit or were not used for a month.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from ...render.cache import cache_root, prune_files
from ...version import __version__
from .chunkrender import Layout

FORMAT = 1
"""Bumped whenever what an entry holds, or how keys are made, changes."""
MAX_BYTES = 2 * 1024**3
"""The cache is pruned, oldest first, to stay below this size."""
MAX_AGE = 30 * 24 * 3600
"""Entries not used for this long go."""


def default_folder() -> Path:
    """The user's cache folder for kbbook, the one its drawings use too."""
    return cache_root()


def digest(*parts: str | bytes) -> str:
    """A hash of `parts` (each length-prefixed, so no two lists give the same text)."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def versions() -> str:
    """The versions a rendered chunk depends on."""
    # (from the installed packages' metadata: this process need not load WeasyPrint)
    return f"cache {FORMAT}; kbbook {__version__}; WeasyPrint {version('weasyprint')}; " \
           f"pydyf {version('pydyf')}"


def file_hash(path: Path) -> str:
    """The hash of a file's content ('' when it cannot be read: WeasyPrint will say why)."""
    h = hashlib.blake2b(digest_size=20)
    try:
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                h.update(block)
    except OSError:
        return ""
    return h.hexdigest()


@dataclass(frozen=True)
class Rendered:
    """A chunk rendered: its PDF and what the render found."""

    pdf: Path
    layout: Layout
    problems: tuple[tuple[str | None, str], ...]
    refused: tuple[tuple[str, str], ...]


def _record(key: str, pdf_hash: str, rendered: Rendered) -> dict[str, object]:
    return {"format": FORMAT, "key": key, "pdf": pdf_hash, "pages": rendered.layout.pages,
            "anchors": rendered.layout.anchors, "problems": [list(p) for p in rendered.problems],
            "refused": [list(r) for r in rendered.refused]}


class BuildCache:
    """Chunk renders and layouts, in `folder`, or only for this build (`folder` None)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.enabled = folder is not None
        if folder is not None:
            try:
                (folder / "pdf").mkdir(parents=True, exist_ok=True)
                (folder / "layout").mkdir(exist_ok=True)
                self.work = Path(tempfile.mkdtemp(prefix="build-", dir=folder))
            except OSError:
                self.enabled = False  # a cache that cannot be written is no cache
        if not self.enabled:
            self.work = Path(tempfile.mkdtemp(prefix="kbbook-pdf-"))
        self._renders: dict[str, Rendered] = {}

    @property
    def palettes(self) -> Path | None:
        """Where palette.py keeps its decisions (None: nowhere, without a cache)."""
        return self.folder / "images" if self.enabled and self.folder is not None else None

    def scratch(self, name: str) -> Path:
        """A path for a worker's chunk PDF (removed with the build unless stored)."""
        return self.work / name

    # -- rendered chunks ------------------------------------------------------------------

    def rendered(self, key: str) -> Rendered | None:
        """The chunk rendered under `key`, in this build or an earlier one; None when there
        is none that can be trusted."""
        if key in self._renders:
            return self._renders[key]
        if not self.enabled:
            return None
        assert self.folder is not None
        pdf, meta = self.folder / "pdf" / f"{key}.pdf", self.folder / "pdf" / f"{key}.json"
        try:
            record = json.loads(meta.read_text(encoding="utf-8"))
            if record.get("format") != FORMAT or record.get("key") != key:
                return None
            if file_hash(pdf) != record["pdf"]:
                return None
            layout = Layout(int(record["pages"]),
                            {str(k): int(v) for k, v in record["anchors"].items()})
            found = Rendered(pdf, layout,
                             tuple((p[0], str(p[1])) for p in record["problems"]),
                             tuple((str(r[0]), str(r[1])) for r in record["refused"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
            return None
        now = time.time()
        with contextlib.suppress(OSError):
            os.utime(meta, (now, now))
            os.utime(pdf, (now, now))
        self._renders[key] = found
        return found

    def store(self, key: str, rendered: Rendered) -> Rendered:
        """Keep a chunk render (its PDF is moved into the cache); returns where it is now."""
        if self.enabled:
            assert self.folder is not None
            pdf = self.folder / "pdf" / f"{key}.pdf"
            meta = pdf.with_suffix(".json")
            try:
                pdf_hash = file_hash(rendered.pdf)
                os.replace(rendered.pdf, pdf)
                rendered = Rendered(pdf, rendered.layout, rendered.problems, rendered.refused)
                _write_json(meta, _record(key, pdf_hash, rendered))
            except OSError:
                pass  # disk full, say: the render is still good for this build
        self._renders[key] = rendered
        return rendered

    # -- layouts of earlier builds, as predictions ------------------------------------------

    def predicted(self, identity: str) -> Layout | None:
        """The layout a chunk had the last time it was built (a guess: always checked)."""
        if not self.enabled:
            return None
        assert self.folder is not None
        try:
            record = json.loads((self.folder / "layout" / f"{identity}.json")
                                .read_text(encoding="utf-8"))
            if record.get("format") != FORMAT:
                return None
            return Layout(int(record["pages"]),
                          {str(k): int(v) for k, v in record["anchors"].items()})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def remember(self, identity: str, layout: Layout) -> None:
        if not self.enabled:
            return
        assert self.folder is not None
        with contextlib.suppress(OSError):
            _write_json(self.folder / "layout" / f"{identity}.json",
                        {"format": FORMAT, "pages": layout.pages, "anchors": layout.anchors})

    # -- the end of a build -----------------------------------------------------------------

    def close(self) -> None:
        """Remove this build's scratch files, then prune the cache."""
        shutil.rmtree(self.work, ignore_errors=True)
        if self.enabled:
            assert self.folder is not None
            prune(self.folder)


def _write_json(path: Path, data: object) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _entries(folder: Path) -> Iterator[Path]:
    for sub in ("pdf", "layout", "images"):
        with contextlib.suppress(OSError):
            yield from (folder / sub).iterdir()


def prune(folder: Path, max_bytes: int = MAX_BYTES, max_age: float = MAX_AGE) -> None:
    """Remove entries unused for `max_age` seconds, then the oldest until the cache holds
    less than `max_bytes`; also scratch folders of builds that died."""
    now = time.time()
    with contextlib.suppress(OSError):
        for stale in folder.glob("build-*"):
            if now - stale.stat().st_mtime > 24 * 3600:
                shutil.rmtree(stale, ignore_errors=True)
    prune_files(_entries(folder), max_bytes, max_age)
