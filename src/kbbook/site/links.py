"""One resolver for every way an author links to a page or an image of the site.

A link resolves to a page (and fragment), a file inside the site, an external URL, or nothing.
Both outputs use the same answer: the EPUB as `file.xhtml#id`, the PDF as `#id`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from .config import SiteConfig
from .files import MARKDOWN_EXTENSIONS, Place, locate
from .pages import Page
from .plugins import REDIRECT_FROM

SAFE_EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto", "ftp", "tel", "news", "irc"})


class TargetKind(StrEnum):
    PAGE = "page"
    """A page of the site; `page` and `fragment` say where."""
    FILE = "file"
    """A file inside the site that is not a page (an image, a download)."""
    EXTERNAL = "external"
    """A URL outside the site, kept as it is."""
    UNSAFE = "unsafe"
    """A scheme that must never reach the book (javascript:, data:, file:, vbscript:)."""
    UNRESOLVED = "unresolved"
    """Looks internal but names nothing in the site."""


@dataclass(frozen=True)
class Target:
    """Where a link or image reference leads."""

    kind: TargetKind
    """What sort of target this is."""
    page: Page | None = None
    """The page, for PAGE."""
    fragment: str = ""
    """The `#fragment` as written (decoded, without '#'), for PAGE."""
    path: Path | None = None
    """Absolute path of the file, for FILE (always inside the site folder)."""
    rel: str = ""
    """Site-relative path for FILE, or the site path tried for UNRESOLVED."""
    url: str = ""
    """The URL for EXTERNAL and UNSAFE."""
    outside: bool = False
    """For UNRESOLVED: the path leads out of the site folder (`..` or a link), so it was
    not read even if something is there."""


def _strip_page_suffix(path: str) -> str:
    """`/a/b.html`, `/a/b/`, `/a/b/index.html` and `/a/b` all name the same page."""
    for suffix in ("/index.html", "/index.htm", "/index", ".html", ".htm"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return path.rstrip("/") or "/"


class LinkResolver:
    """Resolves hrefs and image sources as written on a given page."""

    def __init__(self, config: SiteConfig, pages: Sequence[Page]) -> None:
        self.config = config
        self.root = config.root
        self.pages = tuple(pages)
        """The pages links can lead to."""
        self._by_url: dict[str, Page] = {}
        self._by_source: dict[str, Page] = {}
        redirects = config.mode.has(REDIRECT_FROM)
        for page in pages:
            self._by_url.setdefault(_strip_page_suffix(page.url), page)
            self._by_source[page.rel] = page
            stem, _ = posixpath.splitext(page.rel)
            self._by_url.setdefault(_strip_page_suffix("/" + stem), page)
        for page in pages if redirects else ():
            # jekyll-redirect-from: the page's old addresses lead to it on the website
            old = page.meta.get("redirect_from")
            for path in [old] if isinstance(old, str) else old if isinstance(old, list) else []:
                if isinstance(path, str) and path.strip():
                    self._by_url.setdefault(_strip_page_suffix("/" + path.strip().lstrip("/")),
                                            page)

    # -- pages -------------------------------------------------------------------------

    def page_for_source(self, rel: str) -> Page | None:
        """The page whose source file is `rel` (site-relative), e.g. for `{% link %}`."""
        return self._by_source.get(posixpath.normpath(rel.lstrip("/")))

    def site_url(self, page: Page) -> str:
        """The page's path on the site, with the baseurl."""
        return self.config.baseurl + page.url

    def web_url(self, page: Page) -> str | None:
        """The page's absolute URL on the web, when the site declares its `url`."""
        if not self.config.url:
            return None
        return self.config.url + self.config.baseurl + quote(page.url, safe="/%!$&'()*+,;=:@~")

    def _site_path(self, path: str) -> str | None:
        """A root-absolute path without the baseurl, or None when it is outside the site. A
        doubled slash (`{{ site.baseurl }}//docs/x`) reaches the same page on the web."""
        path = re.sub(r"/{2,}", "/", path)
        base = self.config.baseurl
        if base and (path == base or path.startswith(base + "/")):
            return path[len(base) :] or "/"
        return path

    def _absolute(self, href_path: str, page: Page) -> str:
        if href_path.startswith("/"):
            return posixpath.normpath(href_path)
        base_dir = page.url if page.url.endswith("/") else (
            posixpath.dirname(page.url).rstrip("/") + "/")
        return posixpath.normpath(posixpath.join(base_dir, href_path))

    def _source_relative(self, href_path: str, page: Page) -> str:
        folder = posixpath.dirname(page.rel)
        return posixpath.normpath(posixpath.join("/" + folder, href_path))

    def resolve_link(self, href: str, page: Page) -> Target:
        """Resolve an `<a href>` written on `page`."""
        href = href.strip()
        parts = urlsplit(href)
        scheme = parts.scheme.lower()
        if scheme:
            if scheme in SAFE_EXTERNAL_SCHEMES:
                internal = self._internal_url(href)
                if internal is None:
                    return Target(TargetKind.EXTERNAL, url=href)
                parts = urlsplit(internal)
            else:
                return Target(TargetKind.UNSAFE, url=href)
        elif href.startswith("//"):
            return Target(TargetKind.EXTERNAL, url="https:" + href)
        fragment = unquote(parts.fragment)
        path = unquote(parts.path)
        if not path:
            return Target(TargetKind.PAGE, page=page, fragment=fragment)
        if path.startswith("/"):
            site_path = self._site_path(path)
            found = self._lookup_url(posixpath.normpath(site_path or path))
            if found is None and site_path is not None:
                found = self._lookup_source(posixpath.normpath(site_path))
        else:
            found = self._lookup_url(self._absolute(path, page))
            if found is None:
                found = self._lookup_source(self._source_relative(path, page))
        if found is not None:
            return Target(TargetKind.PAGE, page=found, fragment=fragment)
        asset = self._file(path, page)
        if asset is not None:
            return asset
        tried = self._absolute(path, page) if not path.startswith("/") else path
        return Target(TargetKind.UNRESOLVED, rel=tried.lstrip("/"))

    def _internal_url(self, href: str) -> str | None:
        """`https://site.example/base/docs/x` → `/base/docs/x` when it is this site's URL."""
        if not self.config.url:
            return None
        site = self.config.url.split("://", 1)[-1]
        rest = href.split("://", 1)[-1]
        if rest == site or rest.startswith(site + "/") or rest.startswith(site + "#"):
            return rest[len(site) :] or "/"
        return None

    def _lookup_url(self, path: str) -> Page | None:
        return self._by_url.get(_strip_page_suffix(path))

    def _lookup_source(self, path: str) -> Page | None:
        rel = path.lstrip("/")
        page = self._by_source.get(rel)
        if page is None and not rel.lower().endswith(MARKDOWN_EXTENSIONS):
            for ext in MARKDOWN_EXTENSIONS:
                page = self._by_source.get(rel + ext) or self._by_source.get(rel + "/index" + ext)
                if page is not None:
                    break
        return page

    # -- files -------------------------------------------------------------------------

    def _file(self, path: str, page: Page) -> Target | None:
        candidates = []
        if path.startswith("/"):
            site_path = self._site_path(path)
            candidates.append(site_path if site_path is not None else path)
        else:
            candidates.append(self._source_relative(path, page))
            candidates.append(self._absolute(path, page))
        for candidate in candidates:
            found = locate(self.root, candidate)
            if found.place is Place.INSIDE:
                return Target(TargetKind.FILE, path=found.path, rel=found.rel)
        return None

    def resolve_image(self, src: str, page: Page) -> Target:
        """Resolve an image source: a file inside the site, an external URL, or nothing."""
        src = src.strip()
        parts = urlsplit(src)
        scheme = parts.scheme.lower()
        if scheme in ("http", "https") or src.startswith("//"):
            internal = self._internal_url(src)
            if internal is None:
                return Target(TargetKind.EXTERNAL, url=src if scheme else "https:" + src)
            parts = urlsplit(internal)
        elif scheme:
            return Target(TargetKind.UNSAFE, url=src)
        path = unquote(parts.path)
        if not path:
            return Target(TargetKind.UNRESOLVED, rel=src)
        found = self._file(path, page)
        if found is not None:
            return found
        tried = self._source_relative(path, page) if not path.startswith("/") else path
        located = locate(self.root, tried)
        return Target(TargetKind.UNRESOLVED, rel=located.rel,
                      outside=located.place is Place.OUTSIDE)
