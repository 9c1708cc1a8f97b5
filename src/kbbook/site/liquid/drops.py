"""The variables a page's Liquid sees: `site.*`, `page.*`, `jekyll.*`, built from kbbook's
own reading of the site.

Everything is plain mappings, lists and strings: python-liquid only looks items up, never
attributes, so a template cannot reach a Python object. What costs a walk of the site
(`site.static_files`, `site.posts`, `site.data`) is made when a page first asks for it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..config import SiteConfig
from ..files import Place, locate
from ..pages import Page, PageKind
from ..plugins import GITHUB_METADATA
from .data import Warn, load_data

POST_FILE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)\.(md|markdown|mkdn|mkd|html)$")
MAX_STATIC_FILES = 100_000


class LazyDrop(Mapping[str, Any]):
    """A mapping whose costly values are made on first use (they take the place of a
    `_config.yml` key of the same name, as Jekyll's do: `site.collections`)."""

    def __init__(self, values: dict[str, Any], lazy: dict[str, Callable[[], Any]]) -> None:
        self._values = values
        self._lazy = lazy
        self._made: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key in self._lazy:
            if key not in self._made:
                self._made[key] = self._lazy[key]()
            return self._made[key]
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        yield from self._lazy
        yield from (k for k in self._values if k not in self._lazy)

    def __len__(self) -> int:
        return len(set(self._values) | set(self._lazy))

    def __contains__(self, key: object) -> bool:
        return key in self._values or key in self._lazy


def _build_time(tz: dt.tzinfo) -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz)
    return dt.datetime.now(tz).replace(microsecond=0)


class JekyllSite:
    """What Liquid sees of the site; it also answers `{% link %}` and `{% post_url %}`."""

    def __init__(self, config: SiteConfig, pages: Sequence[Page], warn: Warn) -> None:
        self.config = config
        self.root = config.root
        self.baseurl = config.baseurl
        self.url = config.url
        self.jekyll_major = config.mode.jekyll_major
        zone = config.variables.get("timezone")
        try:
            self.timezone: dt.tzinfo = ZoneInfo(str(zone)) if zone else dt.UTC
        except (ZoneInfoNotFoundError, ValueError):
            self.timezone = dt.UTC
        self.time = _build_time(self.timezone)
        self.warn = warn
        self.pages = [p for p in pages if p.kind is not PageKind.PART]
        self._by_source = {p.rel: p for p in self.pages}
        self._drops: dict[str, Mapping[str, Any]] = {}
        self._posts: list[dict[str, Any]] | None = None
        self.site_drop = self._site_drop()
        self.jekyll_drop = MappingProxyType({
            "environment": "production",
            "version": "4.3.3" if self.jekyll_major >= 4 else "3.10.0",
        })

    # -- drops -------------------------------------------------------------------------

    def page_drop(self, page: Page) -> Mapping[str, Any]:
        drop = self._drops.get(page.rel)
        if drop is None:
            values = dict(page.meta)
            url = page.url
            values.update({
                "url": url, "path": page.rel, "name": PurePosixPath(page.rel).name,
                "dir": url if url.endswith("/") else url.rsplit("/", 1)[0] + "/",
                "content": page.body, "collection": page.collection,
                "relative_path": page.rel,
            })
            if page.nav_title is not None:
                values["title"] = page.nav_title
            drop = self._drops[page.rel] = MappingProxyType(values)
        return drop

    def _site_drop(self) -> Mapping[str, Any]:
        values = dict(self.config.variables)
        site_pages = [p for p in self.pages if p.kind is PageKind.PAGE]
        documents = [p for p in self.pages if p.kind is PageKind.DOCUMENT]

        def drops(pages: Sequence[Page]) -> list[Mapping[str, Any]]:
            return [self.page_drop(p) for p in pages]

        def collections() -> list[Mapping[str, Any]]:
            out = [MappingProxyType({"label": "posts", "docs": self.posts(), "files": [],
                                     "output": True, "relative_directory": "_posts"})]
            for spec in self.config.collections:
                docs = [p for p in documents if p.collection == spec.label]
                out.append(MappingProxyType({"label": spec.label, "docs": drops(docs),
                                             "files": [], "output": spec.output,
                                             "relative_directory": spec.folder}))
            return out

        values.update({"baseurl": self.baseurl, "url": self.url, "time": self.time,
                       "source": "", "destination": "",  # (no absolute path in a book)
                       "related_posts": [], "categories": {}, "tags": {}})
        lazy: dict[str, Callable[[], Any]] = {
            "pages": lambda: drops(site_pages),
            "html_pages": lambda: drops(site_pages),
            "documents": lambda: drops(documents),
            "collections": collections,
            "posts": self.posts,
            "static_files": self._static_file_drops,
            "data": lambda: load_data(self.root, self.config.data_dir, self.warn),
        }
        for spec in self.config.collections:
            lazy[spec.label] = (lambda label=spec.label: drops(
                [p for p in documents if p.collection == label]))
        if "github" not in values and self.config.mode.has(GITHUB_METADATA):
            values["github"] = self._github()
        return LazyDrop(values, lazy)

    def _github(self) -> Mapping[str, Any]:
        """What jekyll-github-metadata gives without the network: from `repository:`."""
        repo = str(self.config.variables.get("repository") or "")
        if "/" not in repo:
            return MappingProxyType({})
        owner, name = repo.split("/", 1)
        return MappingProxyType({
            "repository_nwo": repo, "repository_name": name, "owner_name": owner,
            "repository_url": f"https://github.com/{repo}",
            "url": self.url + self.baseurl, "baseurl": self.baseurl,
        })

    def globals_for(self, page: Page) -> dict[str, Any]:
        return {"site": self.site_drop, "page": self.page_drop(page),
                "jekyll": self.jekyll_drop, "layout": MappingProxyType({}), "paginator": None}

    # -- files -------------------------------------------------------------------------

    def _static_file_drops(self) -> list[Mapping[str, Any]]:
        found: list[Mapping[str, Any]] = []
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            here = Path(dirpath).relative_to(self.root).as_posix()
            here = "" if here == "." else here + "/"
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(("_", "."))
                                 and (here + d) not in self.config.exclude)
            for name in sorted(filenames):
                rel = here + name
                if name.startswith(("_", ".")) or rel in self._by_source:
                    continue
                path = PurePosixPath(rel)
                found.append(MappingProxyType({"path": "/" + rel, "name": path.name,
                                               "extname": path.suffix,
                                               "basename": path.stem, "modified_time": None}))
                if len(found) >= MAX_STATIC_FILES:
                    return found
        return found

    def url_of_file(self, rel: str) -> str | None:
        """`{% link %}`: the URL of a page or file given by its path in the site."""
        rel = PurePosixPath("/" + rel.strip()).as_posix().lstrip("/")
        rel = os.path.normpath(rel) if rel else rel
        if not rel or rel.startswith(".."):
            return None
        page = self._by_source.get(rel)
        if page is not None:
            return page.url
        if locate(self.root, rel).place is Place.INSIDE:
            return "/" + rel
        for post in self.posts():
            if post["path"] == rel:
                return str(post["url"])
        return None

    def posts(self) -> list[dict[str, Any]]:
        if self._posts is None:
            self._posts = self._read_posts()
        return self._posts

    def _read_posts(self) -> list[dict[str, Any]]:
        posts = []
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                                 and d not in ("_site", "node_modules", "vendor"))
            path = Path(dirpath)
            if path.name != "_posts":
                continue
            prefix = "/".join(path.relative_to(self.root).parts[:-1])
            for name in sorted(filenames):
                m = POST_FILE.match(name)
                if not m:
                    continue
                year, month, day, slug, _ = m.groups()
                rel = (path / name).relative_to(self.root).as_posix()
                url = f"/{prefix + '/' if prefix else ''}{year}/{month}/{day}/{slug}.html"
                posts.append({"path": rel, "url": url, "slug": slug, "title": slug,
                              "key": f"{year}-{month}-{day}-{slug}",
                              "date": dt.datetime(int(year), int(month), int(day))})
        return posts

    def url_of_post(self, name: str) -> str | None:
        """`{% post_url [folder/]YYYY-MM-DD-slug %}`."""
        name = name.strip().lstrip("/")
        folder, _, key = name.rpartition("/")
        for post in self.posts():
            path = str(post["path"])
            if post["key"] == key and (not folder or path.startswith(folder + "/")
                                       or path.startswith("_posts/" + folder + "/")):
                return str(post["url"])
        return None
