"""What rendering hands the writers: one `RenderedPage` per page, as data.

A page's body is well-formed XHTML, not loose text: each writer takes its own tree of it
(`body`) and maps what it holds. Every link kbbook keeps is an `<a data-kb-link="N">`
whose target is `links[N]`, resolved once here; every picture is an `<img data-kb-image="N">`
whose file is `images[N]`, checked once here.
Both records carry the source line, so a writer's warning names file and line. Writers never
resolve a link or look for a file again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

from lxml import etree

from ..book import Book
from ..site import Page

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
NSMAP = {None: XHTML_NS, "epub": EPUB_NS}
LINK_ATTR = "data-kb-link"
IMAGE_ATTR = "data-kb-image"
_PARSER = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True,
                          remove_blank_text=False)


def xhtml(tag: str) -> str:
    """The qualified name of an XHTML element."""
    return f"{{{XHTML_NS}}}{tag}"


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


class LinkKind(StrEnum):
    PAGE = "page"
    """A page of the book: `page` and `anchor` say where."""
    WEB = "web"
    """An address outside the book: `url`."""


@dataclass(frozen=True)
class Link:
    """Where one `<a data-kb-link>` of a page leads, resolved once for every writer."""

    kind: LinkKind
    """A page of the book, or the web."""
    line: int | None
    """Line of the link in the page's source file (None for links kbbook made)."""
    href: str = ""
    """The href as the author wrote it ('' for links kbbook made)."""
    page: str = ""
    """PAGE: the source path of the page it leads to."""
    anchor: str = ""
    """PAGE: the book id it lands on: the page's id for its start, else a heading's or an
    anchor's."""
    url: str = ""
    """WEB: the address. PAGE: the same place on the website ('' when the site declares no
    `url`), for a print that leaves that page out."""


@dataclass(frozen=True)
class ImageRef:
    """One `<img data-kb-image>` of a page: a file inside the site, or (with
    `--allow-remote`) a web address."""

    rel: str
    """Site-relative path of the file ('' for a remote image)."""
    path: Path | None
    """The file, always inside the site folder (None for a remote image)."""
    url: str
    """The web address of a remote image ('' for a file)."""
    alt: str
    """The alternative text ('' when the author gave none)."""
    line: int | None
    """Line of the image in the page's source file."""


@dataclass(frozen=True)
class RenderedPage:
    """A page rendered for the book."""

    page: Page
    """The page."""
    page_id: str
    """Unique id (XML NCName) for the start of the page; writers put it on the page's wrapper."""
    xhtml: bytes
    """The page's content: an XHTML `<div>`, sanitised and well-formed by construction,
    serialised (as a tree it takes many times the memory, and a big book's pages wait in
    memory for every writer). `body` parses it."""
    headings: tuple[Heading, ...]
    """h1-h6 of the body, in document order, with their unique ids."""
    links: tuple[Link, ...]
    """The targets of the body's `data-kb-link` elements, by index."""
    images: tuple[ImageRef, ...]
    """The files of the body's `data-kb-image` elements, by index."""
    title_heading: bool
    """The body opens with its own page heading (an h1, or a heading repeating the title):
    writers print no title above it."""
    nav_links: tuple[NavLink, ...]
    """The prev/next links of the removed nav-buttons block."""
    anchors: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """The ids the author knows (kramdown's, `{: #id}`, `fn:1`) -> the book's ids."""
    title_icon: int | None = None
    """The image of an HTML title (`title: <img src=...> Name`), as an index of `images`:
    the sidebar shows it before the title's text, and so does the book's title heading."""

    @property
    def body(self) -> etree._Element:
        """The page's content as a tree, a new one each time: the caller may change it."""
        return etree.fromstring(self.xhtml, _PARSER)

    @property
    def files(self) -> tuple[str, ...]:
        """Site-relative paths of the image files shown, each once, in order."""
        return tuple(dict.fromkeys(image.rel for image in self.images if image.rel))


@dataclass(frozen=True)
class RenderedBook:
    """A book with every page rendered: what the writers take."""

    book: Book
    """The ordered book."""
    pages: tuple[RenderedPage, ...]
    """Rendered pages in reading order."""
    cover: ImageRef | None = None
    """The site's cover image (`kbbook.cover`), checked; None to draw one."""
