"""The one print HTML of a book (or a handout): cover, contents, then every page in order.

Everything WeasyPrint needs to know about the book's structure is decided here, in the HTML:
which elements make bookmarks and at which level (`bookmark-level` inline, because depth is
unbounded), which titles feed the running header (`data-title`), which links are cross-
references, and which links leave the book. `styles/print.css` only says how it all looks.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from . import __version__
from .errors import Diagnostics
from .fetcher import FetchPolicy
from .nav import Node
from .printpage import (
    MAX_BOOKMARK_LEVEL,
    LinkContext,
    element_ids,
    finish_page,
    parse_page,
)

if TYPE_CHECKING:
    from .build import RenderedBook

Paper = str  # "a4" | "letter"
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
_TEMPLATES = Path(__file__).parent / "templates"
# The contents heading in the book's language (the rest of the print is the author's words).
_CONTENTS = {"en": "Contents", "de": "Inhalt", "fr": "Table des matières", "es": "Índice",
             "it": "Indice", "pt": "Sumário", "nl": "Inhoud", "sv": "Innehåll", "da": "Indhold",
             "nb": "Innhold", "fi": "Sisällys", "pl": "Spis treści", "cs": "Obsah"}


def styles_dir() -> Path:
    """kbbook's own stylesheets: the checkout's `styles/`, else the copy inside the wheel."""
    for candidate in (Path(__file__).parents[2] / "styles", Path(__file__).parent / "styles"):
        if (candidate / "print.css").is_file():
            return candidate
    raise FileNotFoundError("kbbook's styles/print.css is missing; reinstall kbbook")


def book_date() -> date:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date()
    return date.today()


@dataclass(frozen=True)
class PrintPage:
    """One page of the book as the template prints it."""

    page_id: str
    """Id of the page's `<section>`; every link to the page lands here."""
    title: str
    """The sidebar title: bookmark, running header and (when the body has none) heading."""
    depth: int
    """0 for a chapter (or a handout's part), 1 for its children, and so on."""
    body: Markup
    """The processed XHTML fragment."""
    own_title: bool
    """Whether the template adds the `<h1>` title (the body does not start with one)."""

    @property
    def bookmark_level(self) -> int:
        return min(self.depth + 1, MAX_BOOKMARK_LEVEL)


@dataclass(frozen=True)
class Chapter:
    """A top-level part of the print: it starts on a new page and names the running header."""

    title: str
    """The chapter's title."""
    pages: tuple[PrintPage, ...]
    """The chapter page, then its descendants, in reading order."""


CONTENTS_NESTING = 12
"""The printed contents nest no deeper: each level indents, and the page has a width."""


@dataclass
class TocEntry:
    """A line of the contents pages. The lines come as one flat list, in reading order (the
    template loops, as a recursive macro could not at a few hundred levels)."""

    page_id: str
    """Where the entry links to (and whose page number it shows)."""
    title: str
    """The page title."""
    opens: bool = False
    """Whether the list of its children (down to `toc_depth` levels) follows."""
    closes: int = 0
    """How many lists of children end after it."""


@dataclass(frozen=True)
class PrintDocument:
    """The print HTML and what WeasyPrint needs to read it safely."""

    html: str
    """The complete HTML document."""
    base_url: str
    """The site folder as a `file:` URL with a trailing slash (images are site-relative)."""
    policy: FetchPolicy
    """What the fetcher may read while rendering it."""
    title: str
    """The PDF title."""


# -- assembly -----------------------------------------------------------------------------


def _printed_nodes(rendered: RenderedBook, parts: Sequence[Node] | None
                   ) -> list[tuple[Node, list[tuple[int, Node]]]]:
    """(chapter node, its nodes with depth) for each chapter of this print."""
    roots = rendered.book.roots if parts is None else tuple(parts)
    return [(root, list(root.walk())) for root in roots]


def _toc(roots: Sequence[Node], page_ids: dict[str, str], toc_depth: int) -> tuple[TocEntry, ...]:
    """The contents lines of `roots` and their printed descendants, `toc_depth` levels; lists
    nest CONTENTS_NESTING deep at most (deeper entries join the deepest list)."""
    entries: list[TocEntry] = []
    # (nodes left, whether they have a list of their own)
    stack: list[tuple[Iterator[Node], bool]] = [(iter(roots), True)]
    lists = 1
    while stack:
        nodes, own_list = stack[-1]
        node = next(nodes, None)
        if node is None:
            stack.pop()
            if own_list and stack:
                entries[-1].closes += 1
                lists -= 1
            continue
        children = []
        if len(stack) < toc_depth:
            children = [c for c in node.children if c.page.rel in page_ids]
        nest = bool(children) and lists < CONTENTS_NESTING
        entries.append(TocEntry(page_ids[node.page.rel], node.page.title or node.page.rel,
                                opens=nest))
        if children:
            stack.append((iter(children), nest))
            lists += nest
    return tuple(entries)


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)


def build_print_document(
    rendered: RenderedBook,
    *,
    css: Sequence[Path] = (),
    paper: Paper = "a4",
    parts: Sequence[Node] | None = None,
    diagnostics: Diagnostics | None = None,
) -> PrintDocument:
    """The print HTML of the book, or of the subtrees `parts` (a handout)."""
    from .markdown import pygments_css

    config = rendered.book.config
    by_rel = {rp.page.rel: rp for rp in rendered.pages}
    chapters_nodes = _printed_nodes(rendered, parts)
    printed = [(d, n) for _, nodes in chapters_nodes for d, n in nodes if n.page.rel in by_rel]
    page_ids = {n.page.rel: by_rel[n.page.rel].page_id for _, n in printed}

    trees = {rel: parse_page(by_rel[rel].html) for rel in page_ids}
    ids = set(page_ids.values())
    for tree in trees.values():
        ids.update(element_ids(tree))
    web_urls = {}
    for rp in rendered.pages:
        web = rendered.resolver.web_url(rp.page)
        if web:
            web_urls[rp.page.rel] = web
    ctx = LinkContext(
        root=config.root,
        printed=frozenset(page_ids),
        page_ids=page_ids,
        ids=frozenset(ids),
        web_urls=web_urls,
        site_url=config.site_url,
        allow_remote=config.allow_remote,
    )

    chapters = []
    for root, nodes in chapters_nodes:
        print_pages = []
        for depth, node in nodes:
            rp = by_rel.get(node.page.rel)
            if rp is None:
                continue
            body = finish_page(trees[node.page.rel], rp, depth + 1, ctx)
            print_pages.append(PrintPage(rp.page_id, node.page.title or node.page.rel, depth,
                                         body, not rp.title_heading))
        if print_pages:
            chapters.append(Chapter(root.page.title or root.page.rel, tuple(print_pages)))

    toc = _toc([root for root, _ in chapters_nodes if root.page.rel in page_ids], page_ids,
               config.book.toc_depth)
    part_titles = tuple(root.page.title or "" for root, _ in chapters_nodes) if parts else ()
    title = config.title + (f": {', '.join(part_titles)}" if part_titles else "")

    styles = styles_dir()
    cover = _cover_image(config.root, config.book.cover)
    the_date = book_date()
    html = _environment().get_template("print_book.html.j2").render(
        lang=config.lang,
        contents_label=_CONTENTS.get(config.lang.split("-")[0].lower(), "Contents"),
        title=config.title,
        pdf_title=title,
        description=config.description,
        authors=config.authors,
        publisher=config.book.publisher or "",
        date=the_date.isoformat(),
        generator=f"kbbook {__version__}",
        part_titles=part_titles,
        cover_image=cover,
        toc=toc,
        chapters=chapters,
        pygments_css=Markup(pygments_css()),
        print_css=(styles / "print.css").as_uri(),
        paper_size=PAPER_SIZES[paper],
        user_css=[Path(p).resolve().as_uri() for p in css],
    )
    policy = FetchPolicy.create([config.root, styles], css, allow_remote=config.allow_remote)
    if diagnostics is not None and cover is None and config.book.cover:
        diagnostics.warning("_config.yml", None, "cover",
                            f"kbbook.cover {config.book.cover!r} is not a file inside the site; "
                            "the PDF cover has no image")
    return PrintDocument(html, config.root.as_uri() + "/", policy, title)


def _cover_image(root: Path, cover: str | None) -> str | None:
    if not cover:
        return None
    rel = posixpath.normpath(cover.lstrip("/"))
    try:
        real = (root / rel).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return rel if real.is_relative_to(root) and real.is_file() else None
