"""The one print HTML of a book (or a handout): cover, contents, then every page in order,
built as an lxml tree from the rendered pages.

Everything WeasyPrint needs to know about the book's structure is decided here, in the HTML:
which elements make bookmarks and at which level (`bookmark-level` inline, because depth is
unbounded), which titles feed the running header (`data-title`), which links are cross-
references, and which links leave the book. `styles/print.css` only says how it all looks.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lxml import etree

from ...book import ContentsEntry, Node, contents
from ...render import RenderedBook
from ...render.diagrams import ICON_CREDIT, uses_icons
from ...render.model import XHTML_NS, xhtml
from ...version import __version__
from ...words import direction, words
from ..common import add_web_links, nested_lists
from .page import MAX_BOOKMARK_LEVEL, PrintContext, print_body
from .policy import FetchPolicy

Paper = str  # "a4" | "letter"
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
CONTENTS_NESTING = 12
"""The printed contents nest no deeper: each level indents, and the page has a width."""
# Languages whose hyphenation dictionary goes by another tag (WeasyPrint hyphenates by
# `lang`; Pyphen knows Norwegian Bokmål as nb, not as the macrolanguage no).
_HYPHENATION_LANG = {"no": "nb"}


def print_lang(lang: str) -> str:
    """The `lang` of the print HTML: the site's, or the tag its hyphenation goes by."""
    primary, _, rest = lang.partition("-")
    mapped = _HYPHENATION_LANG.get(primary.lower())
    return mapped + (f"-{rest}" if rest else "") if mapped else lang


PART_SIZE = 140_000
"""Characters of print HTML after which a chapter goes on in a new part (from a page break
before one of its pages): what one worker of the chunked print lays out at most, about 40
pages and 200 MB (chunks.MAX_CHUNK). Long enough that few chapters have parts."""
_PART_CUTS = 3
"""From half a part on, a part ends before about one page in this many: where is decided by
the page's id, not its size, so that an edit moves no page to another part."""


_NOTES = etree.XPath("descendant::*[contains(concat(' ', @class, ' '), ' kb-url-note ') or "
                     "contains(concat(' ', @class, ' '), ' kb-footnote ')]")
"""The notes printed at the page's foot (`float: footnote` in print.css): each one numbered."""


def _goes_on(size: int, page_id: str) -> bool:
    """Whether the chapter goes on in a new part before the page `page_id`, after `size`
    characters of its current part."""
    return size >= PART_SIZE or (size >= PART_SIZE // 2
                                 and zlib.crc32(page_id.encode()) % _PART_CUTS == 0)


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


def _add(parent: etree._Element, tag: str, text: str | None = None,
         **attrs: str) -> etree._Element:
    """A child element on a line of its own."""
    el = etree.SubElement(parent, xhtml(tag), {k.rstrip("_").replace("_", "-"): v
                                               for k, v in attrs.items()})
    el.text = text
    el.tail = "\n"
    return el


def _head(html: etree._Element, rendered: RenderedBook, title: str, day: date) -> None:
    config = rendered.book.config
    head = _add(html, "head", "\n")
    _add(head, "meta", charset="utf-8")
    _add(head, "title", title)
    for author in config.authors:
        _add(head, "meta", name="author", content=author)
    if config.description:
        _add(head, "meta", name="description", content=config.description)
    _add(head, "meta", name="generator", content=f"kbbook {__version__}")
    _add(head, "meta", name="dcterms.created", content=day.isoformat())
    _add(head, "meta", name="dcterms.modified", content=day.isoformat())


def _cover(body: etree._Element, rendered: RenderedBook, part_titles: Sequence[str],
           day: date) -> None:
    config = rendered.book.config
    cover = _add(body, "section", "\n", class_="kb-cover", id="kb-print-cover")
    if rendered.cover is not None:
        _add(cover, "img", class_="kb-cover-image", src=rendered.cover.rel, alt="")
    _add(cover, "h1", config.title, class_="kb-cover-title")
    if part_titles:
        _add(cover, "p", " · ".join(part_titles), class_="kb-cover-parts")
    if config.description:
        _add(cover, "p", config.description, class_="kb-cover-description")
    if config.authors:
        _add(cover, "p", ", ".join(config.authors), class_="kb-cover-authors")
    stamp = _add(cover, "p", class_="kb-cover-date")
    time = etree.SubElement(stamp, xhtml("time"), datetime=day.isoformat())
    time.text = day.isoformat()
    if config.book.publisher:
        _add(cover, "p", config.book.publisher, class_="kb-cover-publisher")


def _contents(body: etree._Element, roots: Sequence[Node], page_ids: dict[str, str],
              label: str, depth: int, credits: Sequence[str] = (),
              rendered: RenderedBook | None = None) -> None:
    nav = _add(body, "nav", "\n", class_="kb-contents", id="kb-print-contents")
    _add(nav, "h1", label, class_="kb-contents-title")

    def item(entry: ContentsEntry) -> etree._Element:
        li = etree.Element(xhtml("li"))
        a = etree.SubElement(li, xhtml("a"), href="#" + page_ids[entry.node.page.rel])
        a.text = entry.node.page.title or entry.node.page.rel
        return li

    lists = nested_lists(contents(roots, depth, CONTENTS_NESTING), xhtml, item)
    if rendered is not None:  # (the whole book, not a handout: the site's web links too)
        book = rendered.book
        add_web_links(lists, book.external_links, book.external_at, xhtml)
    lists.tail = "\n"
    nav.append(lists)
    for credit in credits:
        _add(nav, "p", credit, class_="kb-credits")


def build_print_document(rendered: RenderedBook, *, paper: Paper = "a4",
                         parts: Sequence[Node] | None = None, day: date | None = None,
                         css: Sequence[Path] = ()) -> PrintDocument:
    """The print HTML of the book, or of the subtrees `parts` (a handout), dated `day`
    (default: today)."""
    tree = build_print_tree(rendered, paper=paper, parts=parts, day=day, css=css)
    return PrintDocument(serialize(tree.html), tree.base_url, tree.policy, tree.title)


@dataclass(frozen=True)
class PrintTree:
    """The print HTML as a tree (plain HTML names, no namespace), before it is written out:
    the chunked render cuts it into documents of a few chapters each."""

    html: etree._Element
    """`<html>`: `<head>`, then `<body>` with the cover, the contents and `<main>`."""
    base_url: str
    """As in `PrintDocument`."""
    policy: FetchPolicy
    """As in `PrintDocument`."""
    title: str
    """As in `PrintDocument`."""


def serialize(html: etree._Element) -> str:
    """A print tree as the HTML text WeasyPrint reads."""
    return etree.tostring(html, method="html", encoding="unicode", doctype="<!DOCTYPE html>")


def build_print_tree(rendered: RenderedBook, *, paper: Paper = "a4",
                     parts: Sequence[Node] | None = None, day: date | None = None,
                     css: Sequence[Path] = ()) -> PrintTree:
    """The print HTML as a tree; `build_print_document` writes it out."""
    day = day or date.today()
    config = rendered.book.config
    by_rel = {rp.page.rel: rp for rp in rendered.pages}
    roots = tuple(rendered.book.roots if parts is None else parts)
    page_ids = {n.page.rel: by_rel[n.page.rel].page_id
                for root in roots for _, n in root.walk()}
    chapters = {n.page.rel: root.page.title or "" for root in rendered.book.roots
                for _, n in root.walk()}
    ctx = PrintContext(frozenset(page_ids), chapters, words(config.lang).see)
    part_titles = tuple(root.page.title or "" for root in roots) if parts else ()
    title = config.title + (f": {', '.join(part_titles)}" if part_titles else "")

    html = etree.Element(xhtml("html"), lang=print_lang(config.lang), nsmap={None: XHTML_NS})
    if direction(config.lang) == "rtl":
        html.set("dir", "rtl")
    html.text = "\n"
    _head(html, rendered, title, day)
    body = _add(html, "body", "\n")
    _cover(body, rendered, part_titles, day)
    printed = (by_rel[n.page.rel].body for root in roots for _, n in root.walk())
    _contents(body, roots, page_ids, words(config.lang).contents, config.book.toc_depth,
              [ICON_CREDIT] if uses_icons(printed) else [],
              rendered if parts is None else None)
    book = _add(body, "main", "\n", class_="kb-book")
    for root in roots:
        chapter = _add(book, "div", "\n", class_="kb-chapter")
        size = notes = 0
        for depth, node in root.walk():
            rp = by_rel[node.page.rel]
            page_title = node.page.title or node.page.rel
            if _goes_on(size, rp.page_id):
                # A long chapter goes on in a part of its own, on a new page: the chunked
                # print lays out no more than about a part at once. Its notes go on
                # numbering from the part before.
                chapter = _add(book, "div", "\n", class_="kb-chapter kb-chapter-continued",
                               data_chapter=root.page.title or "", data_page=page_title,
                               style=f"counter-reset: footnote {notes}")
                size = 0
            classes = f"kb-page kb-depth-{depth}" + (" kb-chapter-start" if depth == 0 else "")
            section = _add(chapter, "section", "\n", id=rp.page_id, class_=classes,
                           data_title=page_title,
                           style=f"bookmark-level: {min(depth + 1, MAX_BOOKMARK_LEVEL)}")
            if not rp.title_heading:
                heading = _add(section, "h1", page_title, class_="kb-title")
                if rp.title_icon is not None:  # (the image the sidebar shows before it)
                    icon = etree.SubElement(heading, xhtml("img"), {
                        "src": rp.images[rp.title_icon].rel, "alt": "",
                        "class": "kb-title-icon"})
                    icon.tail, heading.text = " " + page_title, None
            content = print_body(rp, depth + 1, ctx)
            notes += sum(1 for _ in _NOTES(content))
            _add(section, "div", content.text, class_="kb-body").extend(list(content))
            size += len(etree.tostring(section, encoding="unicode"))
    # Plain HTML for WeasyPrint's HTML parser: in a namespace, lxml would write `<br></br>`.
    for el in html.iter():
        el.tag = etree.QName(el).localname
    etree.cleanup_namespaces(html)
    policy = FetchPolicy.create([config.root], css, allow_remote=config.allow_remote)
    return PrintTree(html, config.root.as_uri() + "/", policy, title)
