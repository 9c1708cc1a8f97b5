"""One page of the site made ready for print: its XHTML fragment parsed, cleaned and rewritten.

- headings get their bookmark level (below their page's) and a clean label; a first heading
  that only repeats the page title gets none, the page's own bookmark names it;
- author footnotes move to the foot of the page (`float: footnote`), beside link notes;
- internal links stay clickable and become cross-references ("p. 12"); links to pages the
  print leaves out go to the website or lose their link; external links get their URL noted;
- images that are missing, outside the site or remote (without --allow-remote) become their
  alt text; nav-buttons, scripts and `epub:` attributes go;
- blockquotes and lists nested very deep stop indenting, so their text keeps its width.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from lxml import etree
from lxml import html as lxml_html
from markupsafe import Markup

from .xhtml import remove, url_fragment

if TYPE_CHECKING:
    from .markdown import Heading, RenderedPage

_HEADING = re.compile(r"h[1-6]")
_EPUB_NS = "http://www.idpf.org/2007/ops"
_XHTML_NS = "http://www.w3.org/1999/xhtml"
_XA = f"{{{_XHTML_NS}}}a"
_XIMG = f"{{{_XHTML_NS}}}img"


MAX_BOOKMARK_LEVEL = 100
"""Deeper pages and headings get bookmarks at this level: WeasyPrint writes the outline
recursively, one level of Python calls per bookmark level."""


@dataclass(frozen=True)
class LinkContext:
    """What the link and image rewriting of every page needs to know."""

    root: Path
    """The site folder (resolved): images must be files inside it."""
    printed: frozenset[str]
    """Source paths of the pages in this print."""
    page_ids: dict[str, str]
    """Source path -> page_id, for pages in this print."""
    ids: frozenset[str]
    """Every id the print will contain."""
    web_urls: dict[str, str]
    """Source path -> the page's URL on the web (only when the site declares `url`)."""
    site_url: str
    """The site's absolute URL, '' when it declares none."""
    allow_remote: bool
    """Whether http(s) images may stay (--allow-remote)."""


def _local(tag: object) -> str:
    """The element name without the XHTML namespace; '' for comments and the like."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1] if tag.startswith("{" + _XHTML_NS + "}") else tag


def _parse(fragment: str) -> etree._Element:
    """The fragment inside one `<div>`; XML first (the contract), HTML as a fallback."""
    try:
        return etree.fromstring(
            f'<div xmlns:epub="{_EPUB_NS}">{fragment}</div>',
            etree.XMLParser(resolve_entities=False, huge_tree=True),
        )
    except etree.XMLSyntaxError:
        return lxml_html.fragment_fromstring(fragment, create_parent="div")


def _classes(el: etree._Element) -> list[str]:
    return (el.get("class") or "").split()


def _add_class(el: etree._Element, name: str) -> None:
    classes = _classes(el)
    if name not in classes:
        el.set("class", " ".join([*classes, name]))


def _unlink(el: etree._Element, css_class: str = "kb-unlinked") -> None:
    """Keep the link's text (and its id, which something may point to), drop the link."""
    for attr in [a for a in el.attrib if a != "id"]:
        del el.attrib[attr]
    el.tag = "span"
    el.set("class", css_class)


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + " ".join(escaped.split()) + '"'


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def _heading_levels(headings: Sequence[Heading], page_level: int) -> dict[str, int]:
    """Bookmark levels below the page's, without gaps (an h4 after an h2 nests one deeper),
    and no deeper than MAX_BOOKMARK_LEVEL."""
    if not headings:
        return {}
    top = min(h.level for h in headings)
    levels, previous = {}, page_level
    for h in headings:
        level = min(page_level + 1 + h.level - top, previous + 1, MAX_BOOKMARK_LEVEL)
        levels[h.id] = previous = level
    return levels


def _heading_element(el: etree._Element | None) -> etree._Element | None:
    """The h1-h6 an id belongs to (the id may sit on an anchor inside it)."""
    while el is not None and not _HEADING.fullmatch(_local(el.tag)):
        el = el.getparent()
    return el


def _mark_headings(tree: etree._Element, rp: RenderedPage, page_level: int) -> None:
    by_id = {el.get("id"): el for el in tree.iter() if isinstance(el.tag, str) and el.get("id")}
    title_el = None
    if rp.title_heading:
        title_el = next((el for el in tree.iter() if _HEADING.fullmatch(_local(el.tag))), None)
        if title_el is not None:
            _add_class(title_el, "kb-title")
            title_el.set("style", "bookmark-level: none")  # the page's own bookmark names it
    found = [(h, _heading_element(by_id.get(h.id))) for h in rp.headings]
    found = [(h, el) for h, el in found if el is not None and el is not title_el]
    levels = _heading_levels([h for h, _ in found], page_level)
    for heading, el in found:
        el.set("style", f"bookmark-level: {levels[heading.id]}; "
                        f"bookmark-label: {_css_string(heading.text)}")


def _bare(url: str) -> str:
    """A URL as people write it in text: no scheme, no www., no trailing slash."""
    url = re.sub(r"^(?:[a-z][a-z0-9+.-]*:)(?://)?", "", url.strip(), flags=re.I)
    return url.removeprefix("www.").rstrip("/")


def _external(el: etree._Element, href: str) -> None:
    """An external link: clickable, and its URL printed in a footnote unless already shown."""
    el.set("href", href)
    _add_class(el, "kb-external")
    text = _text(el)
    if text and _bare(text) != _bare(href):
        note = etree.Element("span")
        note.set("class", "kb-url-note")
        note.text = href.removeprefix("mailto:")
        note.tail, el.tail = el.tail, None
        el.addnext(note)


_BLOCKS_IN_NOTES = frozenset({"ul", "ol", "dl", "table", "pre", "blockquote", "figure", "img",
                              "h1", "h2", "h3", "h4", "h5", "h6", "section", "aside", "hr"})


def _is_note_ref(el: etree._Element) -> bool:
    return "footnote-ref" in _classes(el) or el.get(f"{{{_EPUB_NS}}}type") == "noteref"


def _is_backref(el: etree._Element) -> bool:
    return (any(c.startswith("footnote-back") for c in _classes(el))
            or el.get(f"{{{_EPUB_NS}}}type") in ("backlink", "referrer"))


def _collapse_space(el: etree._Element) -> None:
    """One space for each run of white space, none at the ends (WeasyPrint asserts on a
    footnote whose text holds a bare line break between two of its lines)."""
    nodes = [el, *el.iterdescendants()]
    for node in nodes:
        if node.text:
            node.text = re.sub(r"\s+", " ", node.text)
        if node is not el and node.tail:
            node.tail = re.sub(r"\s+", " ", node.tail)
    if el.text:
        el.text = el.text.lstrip()
    children = list(el)
    if children:
        children[-1].tail = (children[-1].tail or "").rstrip()
    elif el.text:
        el.text = el.text.rstrip()


def _move_footnotes(tree: etree._Element) -> None:
    """Author footnotes go to the foot of the page they are called on, numbered in one
    sequence with the link notes. Notes holding lists, code or tables stay endnotes."""
    notes = {}
    for container in tree.iter():
        if isinstance(container.tag, str) and "footnotes" in _classes(container):
            for el in container.iter():
                if isinstance(el.tag, str) and el.get("id") and _local(el.tag) in ("aside", "li"):
                    notes[el.get("id")] = el
    moved: set[etree._Element] = set()
    for ref in [a for a in tree.iter("a", _XA) if _is_note_ref(a)]:
        note = notes.get(unquote((ref.get("href") or "").removeprefix("#")))
        if note is None or note in moved or any(
                _local(d.tag) in _BLOCKS_IN_NOTES for d in note.iterdescendants()):
            continue
        for back in [d for d in note.iterdescendants() if isinstance(d.tag, str)
                     and _is_backref(d)]:
            remove(back)
        span = etree.Element("span")
        span.set("class", "kb-footnote")
        if note.get("id"):
            span.set("id", note.get("id"))
        span.text = note.text
        for child in list(note):
            span.append(child)
        for el in [d for d in span.iterdescendants() if "footnote-label" in _classes(d)]:
            remove(el)  # the "1." label: ::footnote-marker numbers the note
        for el in span.iterdescendants():
            if _local(el.tag) in ("p", "div"):
                el.tag = "span"  # a <p> cannot live inside a paragraph's <span>
                el.tail = " " + (el.tail or "")
        _collapse_space(span)
        anchor = ref
        parent = ref.getparent()
        if parent is not None and _local(parent.tag) == "sup" and len(parent) == 1:
            anchor = parent
        span.tail = anchor.tail
        anchor.getparent().replace(anchor, span)
        moved.add(note)
    for note in moved:
        note.getparent().remove(note)
    for container in list(tree.iter()):
        if (isinstance(container.tag, str) and "footnotes" in _classes(container)
                and not any(_local(d.tag) in ("aside", "li") for d in container.iterdescendants())
                and container.getparent() is not None):
            remove(container)


def _rewrite_link(el: etree._Element, ctx: LinkContext) -> None:
    href = (el.get("href") or "").strip()
    target_rel = el.attrib.pop("data-kb-page", None)
    site_fragment = el.attrib.pop("data-kb-fragment", None)
    if not href:
        return
    scheme = urlsplit(href).scheme.lower()
    if href.startswith("#"):
        fragment = unquote(href[1:])
        if target_rel is not None and target_rel not in ctx.printed:
            # A page this handout leaves out: send the reader to the site (to the anchor's id
            # there, not the book's), or keep the words.
            web = ctx.web_urls.get(target_rel)
            if web:
                _external(el, web + url_fragment(site_fragment))
            else:
                _unlink(el)
            return
        if fragment not in ctx.ids:
            if target_rel in ctx.page_ids:
                href, fragment = "#" + ctx.page_ids[target_rel], ctx.page_ids[target_rel]
            else:
                _unlink(el)
                return
        el.set("href", href)
        classes = _classes(el)
        own_heading = any(a.get("id") == fragment for a in el.iterancestors())
        if (target_rel is not None and not own_heading
                and not any(c.startswith("footnote") for c in classes)):
            _add_class(el, "kb-xref")
        return
    if scheme in ("http", "https", "mailto", "ftp", "tel") or "kb-external" in _classes(el):
        _external(el, href)
        return
    if scheme:
        _unlink(el)  # javascript:, file:, data: ... never reach the PDF
        return
    # A site path that is not a page (a download): it lives on the web, not in the book.
    if ctx.site_url:
        _external(el, ctx.site_url + "/" + posixpath.normpath(href.lstrip("/")))
    else:
        _unlink(el)


def _image_ok(src: str, ctx: LinkContext) -> bool:
    parts = urlsplit(src)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return ctx.allow_remote
    if scheme or not parts.path:
        return False
    rel = posixpath.normpath(unquote(parts.path).lstrip("/"))
    if rel.startswith(".."):
        return False
    try:
        real = (ctx.root / rel).resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    return real.is_relative_to(ctx.root) and real.is_file()


def _rewrite_images(tree: etree._Element, ctx: LinkContext) -> None:
    for img in list(tree.iter("img", _XIMG)):
        src = (img.get("src") or "").strip()
        if _image_ok(src, ctx):
            parent = img.getparent()
            # A paragraph holding only an image is a figure: kept whole, centred.
            if (parent is not None and _local(parent.tag) == "p" and len(parent) == 1
                    and not (parent.text or "").strip()):
                _add_class(parent, "kb-figure")
            continue
        # Missing or not allowed (markdown.py reports it with file and line): keep the words.
        alt = img.get("alt") or ""
        span = etree.Element("span")
        span.set("class", "kb-missing-image")
        span.text = f"[{alt}]" if alt else ""
        span.tail = img.tail
        img.getparent().replace(img, span)


_INDENTING = frozenset({"blockquote", "ul", "ol", "dd"})
PRINT_INDENT_LEVELS = 12
"""Blockquotes and lists nested deeper are not indented further: some fifty levels would
leave their text no width at all on the page."""


def _limit_indentation(tree: etree._Element) -> None:
    stack = [(tree, 0)]
    while stack:
        el, levels = stack.pop()
        for child in el:
            if not isinstance(child.tag, str):
                continue
            inner = levels
            if _local(child.tag) in _INDENTING:
                if levels >= PRINT_INDENT_LEVELS:
                    style = "margin-left: 0; padding-left: 0; border-left: none"
                    child.set("style", "; ".join(filter(None, [child.get("style"), style])))
                else:
                    inner += 1
            stack.append((child, inner))


def _clean(tree: etree._Element) -> None:
    """Drop what has no place on paper: nav-buttons, scripts, epub: attributes."""
    for el in list(tree.iter()):
        if not isinstance(el.tag, str):
            continue
        name = _local(el.tag)
        if (name in ("script", "iframe", "object", "embed")
                or (name == "div" and "nav-buttons" in _classes(el))):
            parent = el.getparent()
            if parent is not None:
                remove(el)
            continue
        for attr in [a for a in el.attrib if a.startswith("{" + _EPUB_NS + "}")]:
            del el.attrib[attr]
    etree.cleanup_namespaces(tree)


def _serialize(tree: etree._Element) -> Markup:
    tree.tag = "div"
    tree.attrib.clear()
    tree.set("class", "kb-body")
    return Markup(etree.tostring(tree, method="html", encoding="unicode"))


# -- the steps, in order -------------------------------------------------------------------


def parse_page(html: str) -> etree._Element:
    """The fragment as a tree, its footnotes moved and what has no place on paper gone."""
    tree = _parse(html)
    _move_footnotes(tree)
    _clean(tree)
    _limit_indentation(tree)
    return tree


def element_ids(tree: etree._Element) -> set[str]:
    return {el.get("id") for el in tree.iter() if isinstance(el.tag, str) and el.get("id")}


def finish_page(tree: etree._Element, rp: RenderedPage, page_level: int,
                ctx: LinkContext) -> Markup:
    """Bookmarks, links and images rewritten once every page's ids are known; the HTML."""
    _mark_headings(tree, rp, page_level)
    for a in list(tree.iter("a", _XA)):
        _rewrite_link(a, ctx)
    _rewrite_images(tree, ctx)
    return _serialize(tree)
