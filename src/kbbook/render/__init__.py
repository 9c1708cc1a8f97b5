"""Rendering: every page of the book from Markdown to an XHTML tree, with its links, anchors
and images resolved once, as data for the writers."""

from .book import render_book
from .model import (
    Heading,
    ImageRef,
    Link,
    LinkKind,
    NavLink,
    RenderedBook,
    RenderedPage,
)
from .pages import render_pages

__all__ = [
    "Heading",
    "ImageRef",
    "Link",
    "LinkKind",
    "NavLink",
    "RenderedBook",
    "RenderedPage",
    "render_book",
    "render_pages",
]
