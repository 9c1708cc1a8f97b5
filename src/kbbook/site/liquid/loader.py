"""The include loader: it reads only regular files inside one folder of the site.

python-liquid's own FileSystemLoader rejects `..` but (2.3.6) its `reject_symlinks` does
nothing, it reads files of any size and follows a link to another place inside the folder.
This one states the rules:

* the name must pass Jekyll's include-name check (no `..`, `./`, `//`; only the characters
  Jekyll allows); a leading `/` means the folder, never the filesystem root;
* the real path (links resolved) must be inside the folder, and the folder inside the site;
  a link leading out is refused, as in Jekyll's safe mode (which GitHub Pages uses);
* it must be a regular file no larger than the limit, opened with O_NOFOLLOW|O_NONBLOCK;
* text is decoded as UTF-8 (bad bytes replaced), CRLF becomes LF, characters XML forbids
  become U+FFFD, as for pages.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from liquid.exceptions import TemplateNotFoundError
from liquid.loader import BaseLoader, TemplateSource

from ..yamlread import NOT_XML

if TYPE_CHECKING:
    from liquid import BoundTemplate, Environment

# lib/jekyll/tags/include.rb: Jekyll 4 allows ()+~#@ too; Jekyll 3 only [\w/.-].
VALID_FILENAME_CHARS = {3: re.compile(r"^[\w/.\-]+$"), 4: re.compile(r"^[\w/.\-()+~#@]+$")}
INVALID_SEQUENCES = re.compile(r"[./]{2,}")


class IncludeNameError(TemplateNotFoundError):
    """The include name is not one Jekyll accepts."""


class UnsafeFileError(TemplateNotFoundError):
    """The name leads out of the folder, or to something that is not a regular file."""


def check_include_name(name: str, jekyll_major: int = 4) -> None:
    chars = VALID_FILENAME_CHARS[4 if jekyll_major >= 4 else 3]
    if INVALID_SEQUENCES.search(name) or not chars.match(name):
        raise IncludeNameError(
            f"'{name}': an include name may not contain '..', './' or '//' and may use "
            "only letters, digits and _ / . - (Jekyll refuses it too)")


def read_inside(folder: Path, name: str, max_bytes: int,
                site_root: Path | None = None) -> tuple[str, Path]:
    """The text of `folder/name`, which must really be a regular file inside `folder` (and
    `folder` itself, links resolved, inside `site_root`)."""
    folder = folder.resolve()
    if site_root is not None and not folder.is_relative_to(site_root.resolve()):
        raise UnsafeFileError(f"the folder for '{name}' is a link leading out of the site")
    rel = PurePosixPath(name.lstrip("/"))
    if not rel.parts or ".." in rel.parts:
        raise UnsafeFileError(f"'{name}' is not a file name inside {folder.name}/")
    path = folder.joinpath(*rel.parts)
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a loop of links
        raise TemplateNotFoundError(f"'{name}' does not exist") from None
    if not real.is_relative_to(folder):
        raise UnsafeFileError(f"'{name}' is a link to a file outside {folder.name}/; "
                              "kbbook reads only files inside it")
    try:
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise TemplateNotFoundError(f"'{name}' cannot be read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFileError(f"'{name}' is not a regular file")
        if info.st_size > max_bytes:
            raise UnsafeFileError(f"'{name}' is larger than {max_bytes:,} bytes")
        with os.fdopen(fd, "rb", closefd=True) as fh:
            fd = -1
            data = fh.read(max_bytes + 1)
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > max_bytes:
        raise UnsafeFileError(f"'{name}' is larger than {max_bytes:,} bytes")
    text = data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    return NOT_XML.sub("\ufffd", text), real


class SiteIncludeLoader(BaseLoader):
    """`include` reads from the site's `_includes`; `include_relative` from the page's folder
    (`tag=` and `base=` keyword arguments choose). Parsed templates are cached by folder and
    name, as Jekyll caches partials."""

    def __init__(self, site_root: Path, *, includes_dir: str = "_includes",
                 max_bytes: int = 1_000_000, jekyll_major: int = 4) -> None:
        self.root = site_root.resolve()
        self.includes = self.root.joinpath(*PurePosixPath(includes_dir).parts)
        self.max_bytes = max_bytes
        self.jekyll_major = jekyll_major
        self._cache: dict[tuple[Path, str], tuple[BoundTemplate, str, str]] = {}

    def folder(self, tag: str, base: str | None) -> Path:
        if tag == "include_relative":
            return self.root.joinpath(*PurePosixPath(base or "").parts)
        return self.includes

    def get_source(self, env: Environment, template_name: str, *,
                   context: Any = None, tag: str = "include", base: str | None = None,
                   **kwargs: Any) -> TemplateSource:
        check_include_name(template_name, self.jekyll_major)
        text, real = read_inside(self.folder(tag, base), template_name, self.max_bytes,
                                 self.root)
        return TemplateSource(text, real.relative_to(self.root).as_posix(), None)

    def load(self, env: Environment, name: str, *, globals: Any = None,
             context: Any = None, tag: str = "include", base: str | None = None,
             **kwargs: Any) -> BoundTemplate:
        check_include_name(name, self.jekyll_major)
        folder = self.folder(tag, base)
        key = (folder, name)
        cached = self._cache.get(key)
        if cached is None:
            text, real = read_inside(folder, name, self.max_bytes, self.root)
            rel = real.relative_to(self.root).as_posix()
            cached = (env.parse_file(text, rel), text, rel)  # type: ignore[attr-defined]
            self._cache[key] = cached
        template, text, rel = cached
        env.register_source(rel, text)  # type: ignore[attr-defined]  # for the line map
        return template
