"""The files of a site: which ones Jekyll reads as pages, and the one rule for "a regular
file really inside the site" that every reader of a site file goes through."""

from __future__ import annotations

import fnmatch
import os
import posixpath
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..errors import Diagnostics

if TYPE_CHECKING:
    from .config import SiteConfig

MARKDOWN_EXTENSIONS = (".md", ".markdown", ".mkdown", ".mkdn", ".mkd")


@dataclass(frozen=True)
class SourceFile:
    """A Markdown file of the site."""

    path: Path
    """Absolute path on disk."""
    rel: str
    """Path relative to the site folder, with `/` separators; what messages show."""


class Place(StrEnum):
    """Where a site path leads."""

    INSIDE = "inside"
    """A regular file inside the site."""
    OUTSIDE = "outside"
    """Out of the site: `..`, or a link whose target lies elsewhere (never read)."""
    MISSING = "missing"
    """Nothing readable: no such file, a folder, a pipe, a link that leads nowhere."""


@dataclass(frozen=True)
class Located:
    """What `locate` found."""

    place: Place
    """Where the path leads."""
    path: Path | None = None
    """The real file, for INSIDE."""
    rel: str = ""
    """Its site-relative path (of the real file for INSIDE, else as normalised)."""


def locate(root: Path, rel: str) -> Located:
    """Where the site path `rel` leads. A leading `/` means the site root, never the
    filesystem root; a link is followed only while it stays inside the site (kbbook reads
    only files inside the site folder); only regular files count (a pipe would block)."""
    rel = posixpath.normpath(rel.lstrip("/"))
    if rel == ".." or rel.startswith("../"):
        return Located(Place.OUTSIDE, rel=rel)
    if rel == ".":
        return Located(Place.MISSING, rel="")
    path = root / rel
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a loop of links
        try:  # a dangling link may still point out of the site: say so
            outside = not path.resolve().is_relative_to(root)
        except (OSError, RuntimeError):
            outside = False
        return Located(Place.OUTSIDE if outside else Place.MISSING, rel=rel)
    if not real.is_relative_to(root):
        return Located(Place.OUTSIDE, rel=rel)
    if not real.is_file():
        return Located(Place.MISSING, rel=rel)
    return Located(Place.INSIDE, real, real.relative_to(root).as_posix())


def site_file(root: Path, rel: str) -> Path | None:
    """`root/rel` when it is a regular file really inside the site, else None."""
    return locate(root, rel).path


def _matches(rel: str, patterns: tuple[str, ...]) -> bool:
    for pattern in patterns:
        p = pattern.strip("/")
        if not p:
            continue
        if rel == p or rel.startswith(p + "/") or fnmatch.fnmatchcase(rel, p):
            return True
        if fnmatch.fnmatchcase(PurePosixPath(rel).name, p):
            return True
    return False


def _skipped_name(name: str) -> bool:
    return name.startswith(("_", ".", "#", "~")) or name.endswith("~")


def discover(config: SiteConfig, diagnostics: Diagnostics) -> list[SourceFile]:
    """Markdown files that Jekyll would process, sorted by path."""
    root = config.root
    found: list[SourceFile] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        rel_dir = here.relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        keep = []
        for d in sorted(dirnames):
            rel = rel_dir + d
            if _matches(rel, config.include) or not (
                _skipped_name(d) or _matches(rel, config.exclude)
            ):
                keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            rel = rel_dir + name
            if not name.lower().endswith(MARKDOWN_EXTENSIONS):
                continue
            if not _matches(rel, config.include) and (
                _skipped_name(name) or _matches(rel, config.exclude)
            ):
                continue
            source = _source(root, here / name, rel, diagnostics)
            if source is not None:
                found.append(source)
    found.sort(key=lambda s: s.rel)
    return found


def discover_folder(config: SiteConfig, folder: str,
                    diagnostics: Diagnostics) -> list[SourceFile]:
    """The Markdown files of a collection's folder, as Jekyll's collection reader takes them:
    every file below it, but not those whose path (inside the folder) or name starts with
    `_ . # ~` or ends with `~`, nor `exclude:`d ones (unless `include:`d)."""
    root = config.root
    top = locate(root, folder)
    base = root / folder
    if top.place is Place.OUTSIDE or not base.is_dir() or (
            base.is_symlink() and not base.resolve().is_relative_to(root)):
        return []
    found: list[SourceFile] = []
    for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
        inside = Path(dirpath).relative_to(base).as_posix()
        inside = "" if inside == "." else inside + "/"
        dirnames[:] = sorted(d for d in dirnames
                             if not _excluded(config, folder + "/" + inside + d))
        for name in sorted(filenames):
            entry = inside + name
            rel = folder + "/" + entry
            if not name.lower().endswith(MARKDOWN_EXTENSIONS):
                continue
            special = _skipped_name(entry) or _skipped_name(name)
            if not _matches(rel, config.include) and (special or _excluded(config, rel)):
                continue
            source = _source(root, Path(dirpath) / name, rel, diagnostics)
            if source is not None:
                found.append(source)
    return found


def _excluded(config: SiteConfig, rel: str) -> bool:
    return _matches(rel, config.exclude) and not _matches(rel, config.include)


def _source(root: Path, path: Path, rel: str, diagnostics: Diagnostics) -> SourceFile | None:
    """The file as a page source, or None with the reason reported."""
    located = locate(root, rel)
    if located.place is Place.INSIDE:
        return SourceFile(path, rel)
    if located.place is Place.OUTSIDE:
        diagnostics.warning(rel, None, "outside-site",
                            "is a link to a file outside the site; skipped "
                            "(kbbook reads only files inside the site folder)")
    elif path.is_symlink() and not path.exists():
        diagnostics.warning(rel, None, "unreadable",
                            "is a link that leads nowhere (or to itself); skipped")
    else:  # a pipe or device would block or never end
        diagnostics.warning(rel, None, "not-a-file",
                            "is not a regular file (a pipe, socket or device); skipped")
    return None
