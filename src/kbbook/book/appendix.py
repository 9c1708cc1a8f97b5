"""The linked pages' appendix: pages the book links to that Jekyll publishes but the sidebar
does not show (API references, release notes, pages reached only through links). They go
after the book's own pages, in the order the book first links to them, so every link works
offline."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

from ..site import Page, PageKind
from ..site.titles import first_heading, titleize_slug
from .build import part_page
from .model import Book, Node

APPENDIX = "(appendix)"
"""The source path of the appendix's own heading (no file of a site has it)."""
APPENDIX_TITLE = "Appendix"
APPENDIX_TEXT = ("Pages of the site that this book links to, which the site's sidebar does "
                 "not show.\n")


def _titled(page: Page) -> Page:
    """The page, with a title for the book: its own, else its first heading, else its
    file name."""
    if page.title:
        return page
    title = first_heading(page.body) or titleize_slug(PurePosixPath(page.rel).name)
    return dataclasses.replace(page, title=title)


def add_linked_pages(book: Book, links_of: Callable[[Page], Iterable[Page]]) -> Book:
    """`book` with its linked pages' appendix (the same book when nothing is linked)."""
    candidates = {h.page.rel: h.page for h in book.hidden
                  if h.page.output and h.page.kind is not PageKind.PART}
    if not candidates:
        return book
    found: list[Page] = []
    taken: set[str] = set()
    queue = [p for p in book.reading_order if p.kind is not PageKind.PART]
    i = 0
    while i < len(queue):  # the appendix's pages may link on to more of them
        for target in links_of(queue[i]):
            if target.rel in candidates and target.rel not in taken:
                taken.add(target.rel)
                found.append(candidates[target.rel])
                queue.append(candidates[target.rel])
        i += 1
    if not found:
        return book
    pages = [_titled(p) for p in found]
    heading = dataclasses.replace(part_page(book.config, APPENDIX, APPENDIX_TITLE),
                                  body=APPENDIX_TEXT)
    node = Node(heading, tuple(Node(p, ()) for p in pages))
    return dataclasses.replace(
        book,
        roots=(*book.roots, node),
        reading_order=(*book.reading_order, heading, *pages),
        hidden=tuple(h for h in book.hidden if h.page.rel not in taken),
        appendix=tuple(pages),
    )
