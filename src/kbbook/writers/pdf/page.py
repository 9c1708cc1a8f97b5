"""One page of the site made ready for print: its XHTML tree copied and rewritten.

- headings get their bookmark level (below their page's) and a clean label; a first heading
  that only repeats the page title gets none, the page's own bookmark names it;
- author footnotes move to the foot of the page (`float: footnote`), beside link notes;
- internal links stay clickable and become cross-references ("p. 12"); links to pages the
  print leaves out go to the website or lose their link; external links get their URL noted;
- images point at their file (or web address); `epub:` attributes go;
- blockquotes and lists nested very deep stop indenting, so their text keeps its width.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

from lxml import etree

from ...render import Heading, LinkKind, RenderedPage
from ...render.html import add_class, classes, plain_text, remove
from ...render.links import UNLINKED
from ...render.math import MATHML_NS, MathError, math_svg
from ...render.model import EPUB_NS, IMAGE_ATTR, LINK_ATTR, XHTML_NS, xhtml

_HEADING = re.compile(r"h[1-6]")


MAX_BOOKMARK_LEVEL = 100
"""Deeper pages and headings get bookmarks at this level: WeasyPrint writes the outline
recursively, one level of Python calls per bookmark level."""


@dataclass(frozen=True)
class PrintContext:
    """What the link rewriting of every page needs to know about the print."""

    printed: frozenset[str]
    """Source paths of the pages in this print."""
    chapters: Mapping[str, str] = field(default_factory=dict)
    """Each page of the book -> the title of its chapter (for "see ..." in a handout)."""
    see: str = "see"
    """The book's word for it."""


def _local(tag: object) -> str:
    """The element name without the XHTML namespace; '' for comments and the like."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1] if tag.startswith("{" + XHTML_NS + "}") else tag


def _unlink(el: etree._Element) -> None:
    """Keep the link's text (and its id, which something may point to), drop the link."""
    for attr in [a for a in el.attrib if a != "id"]:
        del el.attrib[attr]
    el.tag = xhtml("span")
    el.set("class", UNLINKED)


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + " ".join(escaped.split()) + '"'


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
            add_class(title_el, "kb-title")
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
    add_class(el, "kb-external")
    text = plain_text(el)
    if text and _bare(text) != _bare(href):
        note = etree.Element(xhtml("span"))
        note.set("class", "kb-url-note")
        note.text = href.removeprefix("mailto:")
        note.tail, el.tail = el.tail, None
        el.addnext(note)


_BLOCKS_IN_NOTES = frozenset({"ul", "ol", "dl", "table", "pre", "blockquote", "figure", "img",
                              "h1", "h2", "h3", "h4", "h5", "h6", "section", "aside", "hr"})


def _is_note_ref(el: etree._Element) -> bool:
    return "footnote-ref" in classes(el) or el.get(f"{{{EPUB_NS}}}type") == "noteref"


def _is_backref(el: etree._Element) -> bool:
    return (any(c.startswith("footnote-back") for c in classes(el))
            or el.get(f"{{{EPUB_NS}}}type") in ("backlink", "referrer"))


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
        if isinstance(container.tag, str) and "footnotes" in classes(container):
            for el in container.iter():
                if isinstance(el.tag, str) and el.get("id") and _local(el.tag) in ("aside", "li"):
                    notes[el.get("id")] = el
    moved: dict[etree._Element, str] = {}  # note -> the id of the place it is called from
    for ref in [a for a in tree.iter(xhtml("a")) if _is_note_ref(a)]:
        note = notes.get(unquote((ref.get("href") or "").removeprefix("#")))
        if note is not None and note in moved:
            _call_again(ref, moved[note])
            continue
        if note is None or any(_local(d.tag) in _BLOCKS_IN_NOTES
                               for d in note.iterdescendants()):
            continue
        for back in [d for d in note.iterdescendants() if isinstance(d.tag, str)
                     and _is_backref(d)]:
            remove(back)
        span = etree.Element(xhtml("span"))
        span.set("class", "kb-footnote")
        if note.get("id"):
            span.set("id", note.get("id"))
        span.text = note.text
        for child in list(note):
            span.append(child)
        for el in [d for d in span.iterdescendants() if "footnote-label" in classes(d)]:
            remove(el)  # the "1." label: ::footnote-marker numbers the note
        for el in span.iterdescendants():
            if _local(el.tag) in ("p", "div"):
                el.tag = xhtml("span")  # a <p> cannot live inside a paragraph's <span>
                el.tail = " " + (el.tail or "")
        _collapse_space(span)
        anchor = ref
        parent = ref.getparent()
        if parent is not None and _local(parent.tag) == "sup" and len(parent) == 1:
            anchor = parent
        # Right after the call, the footnote counter holds the note's number: repeated
        # calls of the same note read it there (target-counter), so they show its number.
        at = etree.Element(xhtml("span"))
        at.set("class", "kb-footnote-at")
        at.set("id", (note.get("id") or f"kb-note-{len(moved)}") + "-at")
        at.tail = anchor.tail
        anchor.getparent().replace(anchor, span)
        span.addnext(at)
        moved[note] = at.get("id") or ""
    for note in moved:
        note.getparent().remove(note)
    for container in list(tree.iter()):
        if (isinstance(container.tag, str) and "footnotes" in classes(container)
                and not any(_local(d.tag) in ("aside", "li") for d in container.iterdescendants())
                and container.getparent() is not None):
            _drop_bare_heading(container)
            remove(container)


def _call_again(ref: etree._Element, at: str) -> None:
    """Another call of a note that moved to the page foot: it shows that note's number."""
    for attr in [a for a in ref.attrib if a != "id"]:
        del ref.attrib[attr]
    ref.set("href", "#" + at)
    ref.set("class", "kb-footnote-again")
    for child in list(ref):
        ref.remove(child)
    ref.text = None


def _drop_bare_heading(container: etree._Element) -> None:
    """A heading the author put over the notes ("Footnotes") heads nothing once they all
    moved to the page foot: it goes with them."""
    before = container.getprevious()
    if (before is not None and _HEADING.fullmatch(_local(before.tag))
            and not (before.tail or "").strip() and container.getnext() is None):
        remove(before)


def _map_link(a: etree._Element, rendered: RenderedPage, ctx: PrintContext) -> None:
    """A link inside the print stays clickable and becomes a cross-reference ("p. 12"); one
    to a page this handout leaves out goes to the website (to the anchor's id there), or
    keeps only its words; one to the web gets its URL noted."""
    link = rendered.links[int(a.attrib.pop(LINK_ATTR))]
    if link.kind is LinkKind.WEB:
        _external(a, link.url)
    elif link.page not in ctx.printed:
        if link.url:
            _external(a, link.url)
        else:
            chapter = ctx.chapters.get(link.page or "")
            if chapter:  # (a handout of a site with no address: say where it is)
                note = etree.Element(xhtml("span"), {"class": "kb-see"})
                note.text = f" ({ctx.see} {chapter})"
                note.tail, a.tail = a.tail, None
                a.addnext(note)
            _unlink(a)
    else:
        a.set("href", "#" + link.anchor)
        own_heading = any(el.get("id") == link.anchor for el in a.iterancestors())
        if not own_heading and not any(c.startswith("footnote") for c in classes(a)):
            add_class(a, "kb-xref")


def _map_images(tree: etree._Element, rendered: RenderedPage) -> None:
    """Each image from its file (site-relative: the print's base URL is the site folder), or
    its web address (--allow-remote). A paragraph holding only an image is a figure: kept
    whole, centred."""
    for img in [el for el in tree.iter(xhtml("img")) if el.get(IMAGE_ATTR) is not None]:
        image = rendered.images[int(img.attrib.pop(IMAGE_ATTR))]
        img.set("src", image.rel or image.url)
        parent = img.getparent()
        if (parent is not None and _local(parent.tag) == "p" and len(parent) == 1
                and not (parent.text or "").strip()):
            add_class(parent, "kb-figure")


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


def _drop_epub_attributes(tree: etree._Element) -> None:
    """`epub:` attributes mean nothing on paper."""
    for el in tree.iter():
        for attr in [a for a in el.attrib if a.startswith("{" + EPUB_NS + "}")]:
            del el.attrib[attr]


def _draw_math(tree: etree._Element) -> None:
    """Formulas as SVG (WeasyPrint has no MathML); one ziamath cannot draw keeps its TeX."""
    for math in list(tree.iter(f"{{{MATHML_NS}}}math")):
        try:
            drawn = math_svg(math)
        except MathError:
            drawn = etree.Element(xhtml("code"))
            drawn.text = math.get("alttext") or "".join(math.itertext())
        drawn.tail = math.tail
        math.getparent().replace(math, drawn)


def print_body(rendered: RenderedPage, page_level: int, ctx: PrintContext) -> etree._Element:
    """A copy of the page's body made ready for print."""
    tree = rendered.body
    _draw_math(tree)
    _move_footnotes(tree)
    _drop_epub_attributes(tree)
    _limit_indentation(tree)
    _mark_headings(tree, rendered, page_level)
    for a in [el for el in tree.iter(xhtml("a")) if el.get(LINK_ATTR) is not None]:
        _map_link(a, rendered, ctx)
    _map_images(tree, rendered)
    return tree
