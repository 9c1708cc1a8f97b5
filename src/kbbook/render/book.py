"""A whole book rendered: its pages, the nav-buttons checked against the reading order,
and its cover image checked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..book import Book
from ..errors import Diagnostics
from ..site import LinkResolver, PageKind, SiteConfig, site_file
from .images import image_problem
from .model import ImageRef, RenderedBook, RenderedPage
from .pages import render_pages


def render_book(book: Book, diagnostics: Diagnostics, *,
                on_image: Callable[[Path], None] | None = None) -> RenderedBook:
    """Render every page of book.reading_order, in that order; `on_image` is told of each
    usable image file as soon as a page shows it. Links may lead to pages the sidebar hides:
    they go to the website (or lose their link)."""
    resolver = LinkResolver(book.config, [p for p in (*book.reading_order,
                                                      *(h.page for h in book.hidden))
                                          if p.kind is not PageKind.PART])
    children = {node.page.rel: tuple(child.page for child in node.children)
                for _, node in book.walk()}
    pages = render_pages(book.reading_order, resolver, diagnostics, liquid=book.liquid,
                         on_image=on_image, children=children)
    # (the headings the book adds, and the appendix, are not in the site's own sequence)
    appendix = {p.rel for p in book.appendix}
    check_nav_buttons([rp for rp in pages if rp.page.kind is not PageKind.PART
                       and rp.page.rel not in appendix], diagnostics)
    return RenderedBook(book, pages, cover_image(book.config, diagnostics))


def cover_image(config: SiteConfig, diagnostics: Diagnostics) -> ImageRef | None:
    """`kbbook.cover` when it is an image kbbook can use (else a warning naming its line)."""
    rel = config.book.cover
    path = site_file(config.root, rel) if rel else None
    if rel is None or path is None:
        return None  # (load_config reported a cover that is no file inside the site)
    line = config.lines.line("kbbook", "cover")
    problem = image_problem(path)
    if problem is not None:
        diagnostics.warning("_config.yml", line, "cover", f"cover image {rel} {problem}; a "
                            "cover is drawn from the title instead")
        return None
    return ImageRef(path.relative_to(config.root).as_posix(), path, "", "", line)


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
