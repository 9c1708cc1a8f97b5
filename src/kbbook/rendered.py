"""What rendering gives the writers: one `RenderedPage` per page of the book.

Defined here so the render helpers can build them; `kbbook.markdown` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .site import Page


@dataclass(frozen=True)
class Heading:
    """A heading of a page's body."""

    level: int
    """1 to 6."""
    text: str
    """Plain text, whitespace collapsed, without footnote markers."""
    id: str
    """Its id, unique across the whole book (an XML NCName)."""


@dataclass(frozen=True)
class NavLink:
    """A link of the site's `<div class="nav-buttons">` block, which the book leaves out."""

    label: str
    """"previous" or "next"."""
    target: Page | None
    """The page it leads to, None when it leads to no page."""
    href: str
    """The href as written."""
    line: int
    """Line of the link in the source file."""


@dataclass(frozen=True)
class RenderedPage:
    """A page rendered for the book."""

    page: Page
    """The page."""
    page_id: str
    """Unique id (XML NCName) for the start of the page; writers put it on the page's wrapper."""
    html: str
    """The body as a well-formed XHTML fragment (no <html>/<body>), ready to embed. It uses
    the `epub:` prefix (footnotes), which the enclosing document must declare."""
    headings: tuple[Heading, ...]
    """h1-h6 of the body, in document order, with their unique ids."""
    title_heading: bool
    """The body starts with a heading that only repeats the page title."""
    images: tuple[str, ...]
    """Site-relative paths of the image files referenced, each once, in order."""
    nav_links: tuple[NavLink, ...]
    """The prev/next links of the removed nav-buttons block."""
