"""Which files of a site are pages and collection documents, as Jekyll (and the plugins the
site is built with) decide; what their front matter says; and Jekyll's own order of them."""

from __future__ import annotations

import dataclasses
import os
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any

from ..errors import Diagnostics
from .collections import CollectionSpec
from .config import SiteConfig
from .defaults import deep_merge, defaults_for
from .files import MARKDOWN_EXTENSIONS, SourceFile, discover, discover_folder
from .frontmatter import FrontMatter, decode, read_front_matter
from .permalinks import document_url, page_url
from .titles import first_heading, title_from_heading, title_text, titleize_slug
from .yamlread import liquid_text

# jekyll-optional-front-matter's FILENAME_BLACKLIST: these describe the repository, not
# the site, and stay files unless they have front matter.
REPOSITORY_FILES = frozenset({"README", "LICENSE", "LICENCE", "COPYING", "CODE_OF_CONDUCT",
                              "CONTRIBUTING", "ISSUE_TEMPLATE", "PULL_REQUEST_TEMPLATE"})
_SAME = "\x00same as title"


class PageKind(StrEnum):
    PAGE = "page"
    """A page of the site."""
    DOCUMENT = "document"
    """A document of a collection."""
    PART = "part"
    """A heading the book adds: a collection's name in the sidebar, or the appendix."""


@dataclass(frozen=True)
class Page:
    """A Markdown page (or collection document) with its front matter read."""

    source: SourceFile
    """Where the page comes from."""
    url: str
    """Its URL on the site, without baseurl: `/docs/a/b.html`, `/docs/a/` for an index."""
    title: str | None
    """The title the book shows (contents, bookmarks, headers): its text, without markup;
    None when the page has none."""
    title_is_number: bool
    """The title was a YAML number (sorts before string titles)."""
    parent: str | None
    """`parent`, as a string."""
    grand_parent: str | None
    """`grand_parent`, as a string."""
    ancestor: str | None
    """`ancestor`, as a string."""
    nav_order: int | float | str | None
    """`nav_order`: a number, a string (dates become strings) or None."""
    nav_exclude: bool
    """`nav_exclude: true`."""
    has_children: bool | None
    """`has_children`, None when not given."""
    child_nav_order: str | None
    """`child_nav_order`, e.g. `desc`."""
    meta: Mapping[str, Any]
    """The whole front matter (with the site's `defaults:` beneath it)."""
    body: str
    """The Markdown after the front matter, with LF line ends."""
    body_line: int
    """Line of the file on which `body` starts (1-based)."""
    lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """Line of the file of each front-matter key, for messages about it."""
    nav_title: str | None = _SAME
    """The title as the sidebar compares it (with `parent:`, for sorting): the front
    matter's text as written, possibly empty or HTML; None when the sidebar has no title
    for the page. Defaults to `title`."""
    kind: PageKind = PageKind.PAGE
    """A page, a collection document, or a heading the book adds."""
    collection: str | None = None
    """The collection of a document."""
    order: int = 0
    """Its place in Jekyll's own order (`site.pages`, or the collection's documents), which
    decides between siblings that the sidebar's keys do not."""
    output: bool = True
    """Jekyll writes it as a page of the website (documents of a collection without
    `output: true` are not)."""
    problem: str | None = None
    """Why its front matter was not read, when it was not."""
    title_image: str | None = None
    """The `src` of an image in an HTML title (the sidebar shows it before the text)."""

    def __post_init__(self) -> None:
        if self.nav_title == _SAME:
            object.__setattr__(self, "nav_title", self.title)

    @property
    def rel(self) -> str:
        return self.source.rel


def _text(value: Any) -> str | None:
    """A front-matter value as text, in NFC: `Über` typed as u + combining diaeresis is the
    same title (and parent) as the precomposed one, and reaches the nav precomposed."""
    if value is None or value == "":
        return None
    return unicodedata.normalize("NFC", liquid_text(value))


def _nav_order(source: SourceFile, value: Any, line: int, diagnostics: Diagnostics
               ) -> int | float | str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        if hasattr(value, "isoformat"):  # a YAML date: Jekyll sorts it as a string
            return str(value)
        diagnostics.warning(source.rel, line, "nav-order",
                            f"nav_order {value!r} is neither a number nor text; "
                            "the page is ordered as if it had none")
        return None
    if (isinstance(value, float) and value != value) or value in (float("inf"), float("-inf")):
        diagnostics.warning(source.rel, line, "nav-order",
                            f"nav_order {value!r} is not a finite number; "
                            "the page is ordered as if it had none")
        return None
    return value


def _fallback_title(body: str, rel: str) -> str:
    """What the book calls a page whose title is blank: its first heading, else its name."""
    return first_heading(body) or titleize_slug(PurePosixPath(rel).name)


@dataclass(frozen=True)
class _Read:
    """A file read, before Jekyll's order is known."""

    source: SourceFile
    front: FrontMatter


def _read(source: SourceFile, config: SiteConfig, diagnostics: Diagnostics) -> _Read | None:
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        diagnostics.error(source.rel, None, "unreadable", f"cannot be read: {exc.strerror}")
        return None
    text = decode(source, data, diagnostics)
    if text is None:
        return None
    front = read_front_matter(source, text, diagnostics, config.strict_front_matter)
    return None if front is None else _Read(source, front)


def make_page(read: _Read, config: SiteConfig, diagnostics: Diagnostics, *,
              url: Callable[[Mapping[str, Any]], str], kind: PageKind = PageKind.PAGE,
              spec: CollectionSpec | None = None,
              defaults: Mapping[str, Any] | None = None) -> Page:
    """The page of a file read; `url` makes its URL from its front matter."""
    source, front = read.source, read.front
    meta: Mapping[str, Any] = front.meta
    if defaults:  # (Jekyll merges them beneath the front matter when Liquid reads a page)
        meta = MappingProxyType(deep_merge(defaults, front.meta))
    lines = front.lines
    body, body_line = front.body, front.body_line
    mode = config.mode
    raw_title = meta.get("title")
    heading = None
    if kind is PageKind.DOCUMENT:
        # Jekyll titles every document (from its file name); the plugin, when asked to,
        # replaces that by the first heading even when the front matter gives a title.
        if mode.titles_for_collections:
            heading = title_from_heading(body)
        if heading is not None:
            raw_title = heading.title
        elif raw_title is None:
            raw_title = titleize_slug(PurePosixPath(source.rel).name)
    elif raw_title is None and mode.titles_from_headings:
        heading = title_from_heading(body)
        raw_title = heading.title if heading is not None else None
    if heading is not None and (meta.get("strip_title") is True or (
            meta.get("strip_title") is None and mode.strip_title)):
        gap = body[heading.start:heading.end]
        body = body[:heading.start] + "\n" * gap.count("\n") + body[heading.end:]
    title_is_number = isinstance(raw_title, int | float) and not isinstance(raw_title, bool)
    # (in NFC: a title typed with combining marks is the same title as the precomposed one)
    nav_title = None if raw_title is None else unicodedata.normalize("NFC",
                                                                     liquid_text(raw_title))
    if nav_title is not None and (not isinstance(raw_title, str | int | float)
                                  or isinstance(raw_title, bool)):
        diagnostics.warning(source.rel, lines.get("title", 2), "title",
                            f"title {raw_title!r} is not text; shown as {nav_title!r}")
    title, image = None, None
    if nav_title is not None:
        shown = title_text(nav_title)
        title, image = shown.text, shown.image
        if not title:
            title = _fallback_title(body, source.rel)
            diagnostics.warning(source.rel, lines.get("title", 2), "title",
                                "the title is empty: the sidebar shows an empty link for this "
                                f"page; the book calls it {title!r}. Give it a title")
    has_children = meta.get("has_children")
    return Page(
        source=source,
        url=url(meta),
        title=title,
        title_is_number=title_is_number,
        parent=_text(meta.get("parent")),
        grand_parent=_text(meta.get("grand_parent")),
        ancestor=_text(meta.get("ancestor")),
        nav_order=_nav_order(source, meta.get("nav_order"), lines.get("nav_order", 2),
                             diagnostics),
        nav_exclude=meta.get("nav_exclude") is True,
        has_children=has_children if isinstance(has_children, bool) else None,
        child_nav_order=_text(meta.get("child_nav_order")),
        meta=meta,
        body=body,
        body_line=body_line,
        lines=lines,
        nav_title=nav_title,
        kind=kind,
        collection=spec.label if spec is not None else None,
        output=spec.output if spec is not None else True,
        problem=front.problem,
        title_image=image,
    )


def _traversal_key(rel: str) -> tuple[tuple[int, str], ...]:
    """Jekyll's reader walks each folder's subfolders before the folder's own files (in
    the order the file system lists them, taken here as name order)."""
    parts = rel.split("/")
    return (*((0, p) for p in parts[:-1]), (1, parts[-1]))


def _is_readme(rel: str) -> bool:
    return PurePosixPath(rel).stem.upper() == "README"


def _folder_url(rel: str) -> str:
    folder = str(PurePosixPath(rel).parent)
    return "/" if folder == "." else f"/{folder}/"


def _has_index(config: SiteConfig, rel: str, urls: set[str]) -> bool:
    """jekyll-readme-index's `dir_has_index?`: a page at the folder's URL, or an index file."""
    folder = PurePosixPath(rel).parent
    if _folder_url(rel) in urls:
        return True
    return any((config.root / folder / f"index{ext}").is_file()
               for ext in (*MARKDOWN_EXTENSIONS, ".html", ".htm", ".xhtml", ".xml"))


def _site_pages(config: SiteConfig, diagnostics: Diagnostics) -> list[Page]:
    """`site.pages` in Jekyll's order: the files with front matter sorted by file name (a
    stable sort of the reader's walk), then those the plugins add: Markdown files without
    front matter, then READMEs that index their folder."""
    mode = config.mode
    with_header: list[_Read] = []
    without: list[_Read] = []
    for source in discover(config, diagnostics):
        read = _read(source, config, diagnostics)
        if read is not None:
            (with_header if read.front.has_header else without).append(read)
    with_header.sort(key=lambda r: (PurePosixPath(r.source.rel).name,
                                    _traversal_key(r.source.rel)))

    def page(read: _Read, index: bool) -> Page:
        rel = read.source.rel
        forced = _folder_url(rel) if index and _is_readme(rel) else None
        is_index = PurePosixPath(rel).stem == "index"
        return make_page(read, config, diagnostics,
                         url=lambda meta: page_url(rel, meta, config.permalink, is_index, forced),
                         defaults=defaults_for(config.defaults, rel, "pages"))

    pages: list[Page] = []
    urls: set[str] = set()
    readmes_with_header: list[_Read] = []
    for read in with_header:
        if _is_readme(read.source.rel) and mode.readme_index and mode.readme_with_front_matter:
            readmes_with_header.append(read)
        pages.append(page(read, False))
    urls.update(p.url for p in pages)
    if mode.optional_front_matter:
        for read in without:
            if PurePosixPath(read.source.rel).stem.upper() not in REPOSITORY_FILES:
                pages.append(page(read, False))
    urls.update(p.url for p in pages)
    if mode.readme_index:
        for read in without:
            if _is_readme(read.source.rel) and not _has_index(config, read.source.rel, urls):
                pages.append(page(read, True))
                urls.add(pages[-1].url)
        for read in readmes_with_header:  # `with_frontmatter`: the page moves to the folder
            if not _has_index(config, read.source.rel, urls - {f"/{read.source.rel}"}):
                i = next(i for i, p in enumerate(pages) if p.rel == read.source.rel)
                pages[i] = dataclasses.replace(pages[i], url=_folder_url(read.source.rel))
    return [dataclasses.replace(p, order=i) for i, p in enumerate(pages)]


def _sort_documents(docs: list[Page], spec: CollectionSpec) -> list[Page]:
    """Collection#sort_docs!: `order:` first, else by `sort_by:` (documents without the key
    last), else by path."""
    docs.sort(key=lambda d: d.rel)
    if spec.order:
        place = {name: i for i, name in enumerate(spec.order)}
        inside = len(spec.folder) + 1
        return sorted(docs, key=lambda d: place.get(d.rel[inside:], len(place)))
    if spec.sort_by:
        key = spec.sort_by

        def sort_key(d: Page) -> tuple[int, str, Any]:
            value = d.meta.get(key)
            if value is None:
                return (1, "", "")
            return (0, type(value).__name__ if not isinstance(value, int | float) else "0",
                    value)
        try:
            return sorted(docs, key=sort_key)
        except TypeError:
            return sorted(docs, key=lambda d: (d.meta.get(key) is None, str(d.meta.get(key))))
    return docs


def load_documents(config: SiteConfig, spec: CollectionSpec,
                   diagnostics: Diagnostics) -> list[Page]:
    """The documents of one collection, in the collection's order; files without front
    matter are the collection's static files, not documents."""
    docs = []
    inside = len(spec.folder) + 1
    for source in discover_folder(config, spec.folder, diagnostics):
        read = _read(source, config, diagnostics)
        if read is None or not read.front.has_header:
            continue
        in_collection = source.rel[inside:]
        base = config.collections_dir
        # (a document's path for the defaults is relative to `collections_dir`)
        defaults = defaults_for(config.defaults, source.rel[len(base) + 1:] if base
                                else source.rel, spec.label, base)
        docs.append(make_page(
            read, config, diagnostics, kind=PageKind.DOCUMENT, spec=spec, defaults=defaults,
            url=lambda meta, path=in_collection: document_url(
                path, spec.label, meta, spec.permalink, config.permalink)))
    docs = [d for d in docs if d.meta.get("published") is not False]
    return [dataclasses.replace(d, order=i) for i, d in enumerate(_sort_documents(docs, spec))]


_JEKYLL_FOLDERS = frozenset({"_layouts", "_sass", "_site", "_posts", "_drafts", "_plugins"})


def _unread_folders(config: SiteConfig, diagnostics: Diagnostics) -> None:
    """Say so when a folder whose name starts with `_` holds Markdown files and is no
    collection: Jekyll skips it, and a site kept there would become a book without them."""
    own = {config.includes_dir, config.data_dir, *(s.folder for s in config.collections)}
    for base in dict.fromkeys(("", config.collections_dir)):
        top = config.root / base
        if not top.is_dir():
            continue
        for folder in sorted(top.iterdir()):
            rel = f"{base}/{folder.name}" if base else folder.name
            if (not folder.name.startswith("_") or folder.name in _JEKYLL_FOLDERS
                    or rel in own or folder.is_symlink() or not folder.is_dir()):
                continue
            count = 0
            for _, _, names in os.walk(folder):
                count += sum(1 for n in names if n.lower().endswith(MARKDOWN_EXTENSIONS))
                if count >= 10_000:
                    break
            if count:
                label = folder.name[1:]
                diagnostics.warning(rel + "/", None, "not-a-collection",
                                    f"holds {count:,} Markdown file{'s' if count != 1 else ''},"
                                    " but Jekyll skips folders whose name starts with '_' and "
                                    "it is no collection: they are not in the site nor the "
                                    f"book. To make them pages, declare '{label}' under "
                                    "collections: (output: true) in _config.yml, and list it "
                                    "under just_the_docs.collections")


def load_pages(config: SiteConfig, diagnostics: Diagnostics) -> list[Page]:
    """Every page of the site in Jekyll's order (`published: false` pages are skipped), then
    the documents of each collection."""
    pages = [p for p in _site_pages(config, diagnostics) if p.meta.get("published") is not False]
    for spec in config.collections:
        pages.extend(load_documents(config, spec, diagnostics))
    _unread_folders(config, diagnostics)
    return pages
