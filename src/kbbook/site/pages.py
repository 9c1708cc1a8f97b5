"""Which files of a site are pages, as Jekyll (and GitHub Pages' default plugins) decide,
and what their front matter says."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any

from ..errors import Diagnostics
from .config import SiteConfig
from .files import MARKDOWN_EXTENSIONS, SourceFile, discover
from .yamlread import NOT_XML, KeyLines, liquid_text, load_yaml

# jekyll-optional-front-matter leaves these alone: they describe the repository, not the site.
_REPOSITORY_FILES = frozenset(
    {"README", "LICENSE", "LICENCE", "COPYING", "CODE_OF_CONDUCT", "CONTRIBUTING",
     "CHANGELOG", "HISTORY", "SECURITY", "ISSUE_TEMPLATE", "PULL_REQUEST_TEMPLATE"}
)
_OPEN_FENCE = re.compile(r"---[ \t]*\n")
_CLOSE_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_SETEXT_HEADING = re.compile(r"^ {0,3}(\S[^\n]*)\n {0,3}(?:=+|-+)[ \t]*$", re.MULTILINE)
_INLINE_MARKUP = re.compile(r"[*_`]|!?\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class Page:
    """A Markdown page with its front matter read."""

    source: SourceFile
    """Where the page comes from."""
    url: str
    """Its URL on the site, without baseurl: `/docs/a/b.html`, `/docs/a/` for an index."""
    title: str | None
    """Title as shown in the sidebar, or None when the page has none."""
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
    """The whole front matter."""
    body: str
    """The Markdown after the front matter, with LF line ends."""
    body_line: int
    """Line of the file on which `body` starts (1-based)."""
    lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """Line of the file of each front-matter key, for messages about it."""

    @property
    def rel(self) -> str:
        return self.source.rel


def _decode(source: SourceFile, data: bytes, diagnostics: Diagnostics) -> str | None:
    if b"\x00" in data[:8192]:
        diagnostics.error(source.rel, None, "binary",
                          "is not a text file (it contains NUL bytes); remove it or rename it "
                          "so it does not end in a Markdown extension")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        diagnostics.warning(source.rel, line, "encoding",
                            "is not valid UTF-8; read as Latin-1. Save the file as UTF-8 "
                            "to be sure every character comes out right")
        text = data.decode("latin-1")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = NOT_XML.search(text)
    if bad is not None:
        # Terminal escapes and other control characters cannot be in a book (XML forbids
        # them) and would reach the terminal through `toc`.
        diagnostics.warning(source.rel, text.count("\n", 0, bad.start()) + 1, "encoding",
                            f"contains control characters (U+{ord(bad.group()):04X} first); "
                            "they are shown as \ufffd")
        text = NOT_XML.sub("\ufffd", text)
    return text


def _split_front_matter(
    source: SourceFile, text: str, diagnostics: Diagnostics
) -> tuple[str | None, str, int] | None:
    """(yaml text or None when there is no front matter, body, body line); None on error."""
    if not _OPEN_FENCE.match(text):
        return None, text, 1
    start = _OPEN_FENCE.match(text).end()  # type: ignore[union-attr]
    close = _CLOSE_FENCE.search(text, start)
    if close is None:
        diagnostics.error(source.rel, 1, "front-matter",
                          "front matter opened with --- on line 1 is never closed; "
                          "add a line with --- after it")
        return None
    yaml_text = text[start : close.start()]
    after = close.end()
    if after < len(text) and text[after] == "\n":
        after += 1
    body_line = text.count("\n", 0, after) + 1
    return yaml_text, text[after:], body_line


def _title_from_heading(body: str) -> str | None:
    candidates = [m for m in (_ATX_HEADING.search(body), _SETEXT_HEADING.search(body)) if m]
    if not candidates:
        return None
    first = min(candidates, key=lambda m: m.start())
    title = _INLINE_MARKUP.sub(lambda m: m.group(1) or "", first.group(1)).strip()
    return title or None


def _page_url(rel: str, meta: Mapping[str, Any], config: SiteConfig, is_index: bool) -> str:
    permalink = meta.get("permalink")
    if isinstance(permalink, str) and permalink.startswith("/"):
        return permalink
    path = PurePosixPath(rel)
    folder = "" if str(path.parent) == "." else str(path.parent) + "/"
    if is_index:
        return "/" + folder
    if config.variables.get("permalink") == "pretty":
        return f"/{folder}{path.stem}/"
    return f"/{folder}{path.stem}.html"


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


def read_page(source: SourceFile, config: SiteConfig, diagnostics: Diagnostics) -> Page | None:
    """Read one file; None when it is not a page (reported when that is a problem)."""
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        diagnostics.error(source.rel, None, "unreadable", f"cannot be read: {exc.strerror}")
        return None
    text = _decode(source, data, diagnostics)
    if text is None:
        return None
    split = _split_front_matter(source, text, diagnostics)
    if split is None:
        return None
    yaml_text, body, body_line = split
    stem = PurePosixPath(source.rel).stem
    is_index = stem == "index" or (
        config.github_pages
        and stem.upper() == "README"
        and not any((source.path.parent / f"index{ext}").exists()
                    for ext in (*MARKDOWN_EXTENSIONS, ".html"))
    )
    if yaml_text is None:
        # jekyll-optional-front-matter: a plain Markdown file is a page, except the
        # repository's own files; jekyll-readme-index keeps a README that indexes its folder.
        if not config.github_pages or (stem.upper() in _REPOSITORY_FILES and not is_index):
            return None
        meta: Mapping[str, Any] = {}
        key_lines = KeyLines()
    else:
        result = load_yaml(yaml_text)
        loaded, problem, key_lines = result.value, result.problem, result.lines
        for dup in result.duplicates:
            diagnostics.warning(source.rel, 1 + dup.line, "front-matter", dup.message)
        if result.replaced_characters:
            diagnostics.warning(source.rel, 2, "front-matter",
                                "front matter holds control characters that a book cannot "
                                "contain; they are shown as \ufffd")
        if problem is not None:
            diagnostics.error(source.rel, 1 + problem.line, "front-matter",
                              f"front matter is not valid YAML: {problem.message}; the page "
                              "is left out until this is fixed")
            return None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, Mapping):
            diagnostics.error(source.rel, 2, "front-matter",
                              "front matter must be a mapping of `key: value` lines, not a "
                              f"{type(loaded).__name__}; the page is left out")
            return None
        meta = MappingProxyType(dict(loaded))

    # Lines of the front matter's keys in the file (the opening fence is line 1).
    lines = {path[0]: 1 + line for path, line in key_lines.by_path.items()
             if len(path) == 1}
    raw_title = meta.get("title")
    title_is_number = isinstance(raw_title, int | float) and not isinstance(raw_title, bool)
    title = _text(raw_title)
    if (title is not None and not isinstance(raw_title, str | int | float)) or isinstance(
        raw_title, bool
    ):
        diagnostics.warning(source.rel, lines.get("title", 2), "title",
                            f"title {raw_title!r} is not text; shown as {title!r}")
    if title is not None:
        title = " ".join(title.split()) or None
    if title is None and config.github_pages:
        title = _title_from_heading(body)
        title = unicodedata.normalize("NFC", title) if title else None

    has_children = meta.get("has_children")
    return Page(
        source=source,
        url=_page_url(source.rel, meta, config, is_index),
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
        lines=MappingProxyType(lines),
    )


def load_pages(config: SiteConfig, diagnostics: Diagnostics) -> list[Page]:
    """Every page of the site, sorted by source path; `published: false` pages are skipped."""
    pages = []
    for source in discover(config, diagnostics):
        page = read_page(source, config, diagnostics)
        if page is not None and page.meta.get("published") is not False:
            pages.append(page)
    return pages
