"""The steps every command shares: read the site, order it, render it, check it."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .config import NavRules, SiteConfig, load_config
from .errors import Diagnostics, KbbookError
from .nav import Book, Node, build_book
from .site import load_pages

if TYPE_CHECKING:
    from .assets import ImagePreparer
    from .links import LinkResolver
    from .markdown import RenderedPage


@dataclass(frozen=True)
class SiteOptions:
    """How to read the site: the command-line flags shared by every command."""

    site: Path
    """The site folder."""
    nav_rules: NavRules | None = None
    """Force the modern or legacy sidebar rules; None follows the pinned theme version."""
    github_pages: bool = True
    """Follow GitHub Pages' default plugins."""
    include_hidden: bool = False
    """Put nav_exclude pages back in the book."""
    allow_remote: bool = False
    """Fetch remote images."""


@dataclass(frozen=True)
class RenderedBook:
    """A book with every page rendered, ready for a writer."""

    book: Book
    """The ordered book."""
    pages: tuple[RenderedPage, ...]
    """Rendered pages in reading order."""
    resolver: LinkResolver
    """The link resolver the pages were rendered with."""
    images: ImagePreparer | None = None
    """Images already being prepared for the EPUB, when asked for."""


def load_book(options: SiteOptions, diagnostics: Diagnostics) -> Book:
    """Read and order the site (no rendering: fast, for `toc`)."""
    config = load_config(
        options.site,
        diagnostics,
        nav_rules=options.nav_rules,
        github_pages=options.github_pages,
        include_hidden=options.include_hidden,
        allow_remote=options.allow_remote,
    )
    pages = load_pages(config, diagnostics)
    if not pages and not diagnostics.errors:
        raise KbbookError(
            f"{options.site}: no pages found; a just-the-docs site has Markdown files (.md) "
            "with front matter such as 'title: Home'"
        )
    return build_book(config, pages, diagnostics)


def render_book(options: SiteOptions, diagnostics: Diagnostics,
                images: ImagePreparer | None = None) -> RenderedBook:
    """Read, order and render every page; check the nav-buttons against the reading order.
    With `images`, each usable image starts being prepared (on other threads) as soon as a
    page shows it, while the rest of the book is still being rendered."""
    from .links import LinkResolver
    from .markdown import render_book as render_pages

    book = load_book(options, diagnostics)
    if not book.reading_order:
        raise KbbookError(
            f"{options.site}: no page would be in the book; run 'kbbook toc {options.site}' "
            "to see which pages were left out and why"
        )
    resolver = LinkResolver(book.config, [*book.reading_order, *(h.page for h in book.hidden)])
    on_image = None
    if images is not None:
        images.configure(book.config.book.image_max_size)
        on_image = images.submit
    rendered = render_pages(book, resolver, diagnostics, on_image=on_image)
    check_nav_buttons(rendered, diagnostics)
    return RenderedBook(book, rendered, resolver, images)


def check_nav_buttons(pages: Sequence[RenderedPage], diagnostics: Diagnostics) -> None:
    """Warn where a page's previous/next buttons disagree with the book's reading order."""
    for i, rendered in enumerate(pages):
        expected = {
            "previous": pages[i - 1].page if i > 0 else None,
            "next": pages[i + 1].page if i + 1 < len(pages) else None,
        }
        for link in rendered.nav_links:
            want = expected.get(link.label)
            if link.target is None:
                continue  # the renderer reports the broken link itself
            if want is None:
                diagnostics.warning(rendered.page.rel, link.line, "nav-buttons",
                                    f"the {link.label} button leads to {link.target.title!r}, but "
                                    f"this page has no {link.label} page in the book")
            elif link.target.rel != want.rel:
                diagnostics.warning(rendered.page.rel, link.line, "nav-buttons",
                                    f"the {link.label} button leads to {link.target.title!r}, but "
                                    f"the {link.label} page in the book is {want.title!r}")


def select_parts(book: Book, titles: Sequence[str]) -> tuple[Node, ...]:
    """The subtrees named by `--only` (a title, or a source file when titles repeat), in
    reading order; an unknown or ambiguous title is an error."""
    chosen: list[Node] = []
    for title in titles:
        nodes = [n for _, n in book.walk() if n.page.rel == title.lstrip("./")]
        nodes = nodes or book.find(title)
        if len(nodes) > 1:
            raise KbbookError(
                f"--only {title!r}: {len(nodes)} pages have this title ("
                + ", ".join(n.page.rel for n in nodes)
                + "); give the source file of the one you mean instead")
        if not nodes:
            known = [n.page.title or "" for _, n in book.walk()]
            close = difflib.get_close_matches(title, known, n=3, cutoff=0.5)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else (
                "; run 'kbbook toc' to see the titles")
            raise KbbookError(f"--only {title!r}: no page of the book has this title{hint}")
        chosen.extend(nodes)
    order = {node.page.rel: i for i, (_, node) in enumerate(book.walk())}
    # A part inside another chosen part is already printed with it.
    inside = {n.page.rel for node in chosen for _, n in node.walk() if n is not node}
    unique = {n.page.rel: n for n in chosen if n.page.rel not in inside}
    return tuple(sorted(unique.values(), key=lambda n: order[n.page.rel]))


def default_output(config: SiteConfig, suffix: str) -> Path:
    """The site title as a file name, in the current folder."""
    safe = "".join(c if c.isalnum() or c in " -_.," else "-" for c in config.title).strip(" .")
    # File systems allow 255 bytes in a name; leave room for the suffix and temporary files.
    while len(safe.encode()) > 120:
        safe = safe[:-1]
    return Path((safe.rstrip(" .") or "book") + suffix)
