"""The EPUB's XHTML documents built as lxml trees: one per page (the rendered body copied in,
its links mapped to files of the book), the cover, the contents page, the nav and the NCX."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree

from ...book import ContentsEntry, nest
from ...render import LinkKind, RenderedPage
from ...render.ids import unique
from ...render.math import MATHML_NS, SVG_NS
from ...render.model import EPUB_NS, IMAGE_ATTR, LINK_ATTR, NSMAP, xhtml
from ...site import ExternalLink
from ...words import direction
from ..common import add_web_links, nested_lists

COVER_FILE, CONTENTS_FILE = "cover.xhtml", "contents.xhtml"
NAV_FILE, NCX_FILE = "nav.xhtml", "toc.ncx"
NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = f"{{{EPUB_NS}}}type"
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Document:
    """One XHTML document of the spine."""

    item_id: str
    """Manifest id."""
    file_name: str
    """Path inside the content folder (all documents sit side by side)."""
    root: etree._Element
    """The whole document; the image step still rewrites it in place."""
    rendered: RenderedPage | None = None
    """The page it shows; None for the cover and the contents page."""
    properties: tuple[str, ...] = ()
    """Manifest properties: `mathml`, `svg` when it holds them inline."""

    def content(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="utf-8",
                              doctype="<!DOCTYPE html>")


def _line(parent: etree._Element, tag: str, text: str | None = None,
          attrs: dict[str, str] | None = None) -> etree._Element:
    """A child on a line of its own."""
    el = etree.SubElement(parent, tag, attrs or {})
    el.text = text
    el.tail = "\n"
    return el


def skeleton(lang: str, title: str, stylesheets: Sequence[str],
             body_type: str) -> tuple[etree._Element, etree._Element]:
    """An empty XHTML document with kbbook's head: (html, body)."""
    attrs = {"lang": lang, XML_LANG: lang}
    if direction(lang) == "rtl":
        attrs["dir"] = "rtl"
    html = etree.Element(xhtml("html"), attrs, nsmap=NSMAP)  # type: ignore[arg-type]
    html.text = "\n"
    head = _line(html, xhtml("head"))
    head.text = "\n"
    _line(head, xhtml("meta"), attrs={"charset": "utf-8"})
    _line(head, xhtml("title"), title)
    for href in stylesheets:
        _line(head, xhtml("link"), attrs={"rel": "stylesheet", "type": "text/css",
                                          "href": href})
    body = _line(html, xhtml("body"), "\n", {EPUB_TYPE: body_type} if body_type else {})
    return html, body


def page_file_names(pages: Sequence[RenderedPage]) -> list[str]:
    """`docs/a/index.md` -> `docs-a-index.xhtml`: readable, unique, ASCII."""
    used = {COVER_FILE, CONTENTS_FILE, NAV_FILE}
    return [unique(_SLUG.sub("-", rp.page.rel.rsplit(".", 1)[0].lower()).strip("-") or "page",
                   used, suffix=".xhtml", first=2) for rp in pages]


def _map_links(root: etree._Element, rendered: RenderedPage, files: dict[str, str],
               starts: dict[str, str]) -> None:
    """Each `<a data-kb-link>` to its place: a file of the book (with the anchor, unless it
    is the page's start), the same document for the page's own anchors (footnotes stay
    local, for pop-up notes), or the web."""
    for a in [el for el in root.iter(xhtml("a")) if el.get(LINK_ATTR) is not None]:
        link = rendered.links[int(a.attrib.pop(LINK_ATTR))]
        if link.kind is LinkKind.WEB:
            a.set("href", link.url)
        elif link.page == rendered.page.rel:
            a.set("href", "#" + link.anchor)
        elif link.anchor == starts[link.page]:
            a.set("href", files[link.page])
        else:
            a.set("href", f"{files[link.page]}#{link.anchor}")


def page_documents(pages: Sequence[RenderedPage], lang: str,
                   stylesheets: Sequence[str]) -> list[Document]:
    """One document per page, in reading order, its links mapped."""
    names = page_file_names(pages)
    files = {rp.page.rel: name for rp, name in zip(pages, names, strict=True)}
    starts = {rp.page.rel: rp.page_id for rp in pages}
    docs = []
    for rp, name in zip(pages, names, strict=True):
        html, body = skeleton(lang, rp.page.title or "", stylesheets, "bodymatter")
        section = _line(body, xhtml("section"), "\n", {"id": rp.page_id, "class": "kb-page"})
        if not rp.title_heading:
            heading = _line(section, xhtml("h1"), rp.page.title or "")
            if rp.title_icon is not None:  # (the image the sidebar shows before the title)
                icon = etree.SubElement(heading, xhtml("img"), {
                    "src": rp.images[rp.title_icon].rel, "alt": "", "class": "kb-title-icon",
                    IMAGE_ATTR: str(rp.title_icon)})
                icon.tail, heading.text = " " + (heading.text or ""), None
        content = rp.body
        if content.text:
            if len(section):
                section[-1].tail = (section[-1].tail or "") + content.text
            else:
                section.text = (section.text or "") + content.text
        section.extend(list(content))
        if len(section):
            section[-1].tail = (section[-1].tail or "") + "\n"
        _map_links(section, rp, files, starts)
        if direction(lang) == "rtl":
            for pre in section.iter(xhtml("pre")):
                pre.set("dir", "ltr")  # code reads left to right in any book
        docs.append(Document("page-" + name.removesuffix(".xhtml"), name, html, rp,
                             inline_properties(section)))
    return docs


def inline_properties(root: etree._Element) -> tuple[str, ...]:
    """The manifest properties an EPUB document needs for what it holds inline."""
    found = []
    if next(root.iter(f"{{{MATHML_NS}}}math"), None) is not None:
        found.append("mathml")
    if next(root.iter(f"{{{SVG_NS}}}svg"), None) is not None:
        found.append("svg")
    return tuple(found)


def cover_document(lang: str, stylesheets: Sequence[str], image_href: str,
                   alt: str, title: str = "Cover") -> Document:
    html, body = skeleton(lang, title, stylesheets, "cover")
    section = _line(body, xhtml("section"), "\n", {"class": "kb-cover", EPUB_TYPE: "cover"})
    _line(section, xhtml("img"), attrs={"role": "doc-cover", "src": image_href, "alt": alt})
    return Document("cover", COVER_FILE, html)


def _item(files: dict[str, str]) -> Callable[[ContentsEntry], etree._Element]:
    """A contents entry as `<li><a href=FILE>TITLE</a></li>`."""
    def item(entry: ContentsEntry) -> etree._Element:
        li = etree.Element(xhtml("li"))
        a = etree.SubElement(li, xhtml("a"), {"href": files[entry.node.page.rel]})
        a.text = entry.node.page.title or ""
        return li
    return item


def _contents_nav(parent: etree._Element, attrs: dict[str, str], heading_id: str,
                  heading: str, entries: tuple[ContentsEntry, ...],
                  files: dict[str, str], web: tuple[Sequence[ExternalLink], int] = ((), 0)
                  ) -> etree._Element:
    nav = _line(parent, xhtml("nav"), "\n", {**attrs, "aria-labelledby": heading_id})
    _line(nav, xhtml("h1"), heading, {"id": heading_id})
    lists = nested_lists(entries, xhtml, _item(files))
    add_web_links(lists, web[0], web[1], xhtml)
    lists.tail = "\n"
    nav.append(lists)
    return nav


def contents_document(lang: str, stylesheets: Sequence[str], heading: str,
                      entries: tuple[ContentsEntry, ...], files: dict[str, str],
                      credits: Sequence[str] = (),
                      web: tuple[Sequence[ExternalLink], int] = ((), 0)) -> Document:
    """The contents page in the spine (down to `kbbook.toc_depth` levels), with the site's
    external links (`web`: the links, and how many top-level entries come before them),
    which the navigation document may not hold, and below it the credits the book owes
    (the icons its diagrams show)."""
    html, body = skeleton(lang, heading, stylesheets, "frontmatter")
    _contents_nav(body, {"class": "kb-contents", EPUB_TYPE: "toc", "role": "doc-toc",
                         "id": "contents"}, "contents-title", heading, entries, files, web)
    for credit in credits:
        _line(body, xhtml("p"), credit, {"class": "kb-credits"})
    return Document("contents", CONTENTS_FILE, html)


def nav_document(lang: str, title: str, stylesheets: Sequence[str], heading: str,
                 entries: tuple[ContentsEntry, ...], files: dict[str, str],
                 landmarks: Sequence[tuple[str, str, str]], landmarks_heading: str) -> bytes:
    """The EPUB 3 navigation document: the whole tree, and the landmarks (type, href,
    title)."""
    html, body = skeleton(lang, title, stylesheets, "")
    _contents_nav(body, {EPUB_TYPE: "toc", "role": "doc-toc", "id": "toc"}, "toc-title",
                  heading, entries, files)
    nav = _line(body, xhtml("nav"), "\n", {EPUB_TYPE: "landmarks", "id": "landmarks",
                                           "aria-labelledby": "landmarks-title",
                                           "hidden": "hidden"})
    _line(nav, xhtml("h2"), landmarks_heading, {"id": "landmarks-title"})
    ol = _line(nav, xhtml("ol"))
    for kind, href, label in landmarks:
        li = _line(ol, xhtml("li"))
        a = etree.SubElement(li, xhtml("a"), {EPUB_TYPE: kind, "href": href})
        a.text = label
    ol.text = "\n"
    return (b'<?xml version="1.0" encoding="utf-8"?>\n'
            + etree.tostring(html, encoding="utf-8", doctype="<!DOCTYPE html>") + b"\n")


def ncx_document(lang: str, identifier: str, title: str, authors: Sequence[str],
                 entries: tuple[ContentsEntry, ...], files: dict[str, str]) -> bytes:
    """The EPUB 2 NCX, for older readers: the whole tree, numbered in reading order."""
    def ncx(tag: str) -> str:
        return f"{{{NCX_NS}}}{tag}"

    root = etree.Element(ncx("ncx"), {"version": "2005-1", XML_LANG: lang},
                         nsmap={None: NCX_NS})  # type: ignore[dict-item]
    root.text = "\n"
    head = _line(root, ncx("head"), "\n")
    depth = max((e.depth for e in entries), default=0) + 1
    for name, content in (("dtb:uid", identifier), ("dtb:depth", str(depth)),
                          ("dtb:totalPageCount", "0"), ("dtb:maxPageNumber", "0")):
        _line(head, ncx("meta"), attrs={"name": name, "content": content})
    for tag, text in (("docTitle", title), *(("docAuthor", a) for a in authors)):
        etree.SubElement(_line(root, ncx(tag)), ncx("text")).text = text
    nav_map = _line(root, ncx("navMap"), "\n")

    def point(entry: ContentsEntry) -> etree._Element:
        el = etree.Element(ncx("navPoint"), {"id": f"navpoint-{entry.order}",
                                             "playOrder": str(entry.order)})
        el.text = "\n"
        label = _line(el, ncx("navLabel"))
        etree.SubElement(label, ncx("text")).text = entry.node.page.title or ""
        _line(el, ncx("content"), attrs={"src": files[entry.node.page.rel]})
        return el

    def append(parent: etree._Element, child: etree._Element) -> None:
        child.tail = "\n"
        parent.append(child)

    nest(entries, nav_map, point, append, lambda el: el)
    return (b'<?xml version="1.0" encoding="utf-8"?>\n'
            + etree.tostring(root, encoding="utf-8") + b"\n")
