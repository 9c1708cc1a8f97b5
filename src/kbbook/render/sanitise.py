"""The allowlist that turns any HTML into content valid in an EPUB 3 document.

Only HTML5 elements and attributes that EPUB readers and WeasyPrint accept survive; scripts,
forms and active content never do; embedded players become a link to what they showed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from ..words import Words, words
from .foreign import foreign_copy
from .html import KEPT_INTERNAL, add_class, element, remove, replace, unwrap, walk
from .structure import complete_structures

MAX_DEPTH = 64
"""Deeper elements are flattened to their text: readers and WeasyPrint recurse per level."""

KEEP = frozenset({
    "a", "abbr", "address", "article", "aside", "b", "bdi", "bdo", "blockquote", "br",
    "caption", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl",
    "dt", "em", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "i", "img", "ins", "kbd", "li", "mark", "nav", "ol", "p", "pre", "q",
    "s", "samp", "section", "small", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
})
RENAME = {"strike": "s", "tt": "code", "acronym": "abbr", "listing": "pre", "xmp": "pre",
          "plaintext": "pre", "dir": "ul", "menu": "ul"}
# Removed with everything inside: scripts, document metadata, form controls, unsupported media.
DROP = frozenset({
    "script", "style", "template", "head", "title", "meta", "link", "base", "noembed",
    "noframes", "select", "textarea", "input", "option", "optgroup", "datalist", "map", "area",
    "source", "track", "param", "frame", "frameset", "canvas", "dialog", "slot", "output",
    "progress", "meter",
})
EMBEDS = {"iframe": "src", "embed": "src", "object": "data", "video": "src", "audio": "src"}
# Kept in their own namespaces, through their own allowlists (`foreign.py`).
_FOREIGN = frozenset({"svg", "math"})
# Parents whose content must stay phrasing: an embed inside them becomes a span, not a p.
PHRASING = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "a", "abbr", "b", "bdi", "bdo", "cite", "code",
    "del", "dfn", "dt", "em", "i", "ins", "kbd", "mark", "pre", "q", "s", "samp", "small",
    "span", "strong", "sub", "sup", "summary", "time", "u", "var", "caption",
})

# Block elements; inside phrasing content (a <div> in a <span>) they are unwrapped.
FLOW_ONLY = frozenset({
    "address", "article", "aside", "blockquote", "details", "div", "dl", "figure", "footer",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre",
    "section", "table", "ul",
})

# Elements only valid inside certain parents; elsewhere they are unwrapped (stray <td>, <li>).
PARENTS = {
    "td": ("tr",), "th": ("tr",), "tr": ("table", "thead", "tbody", "tfoot"),
    "thead": ("table",), "tbody": ("table",), "tfoot": ("table",), "caption": ("table",),
    "colgroup": ("table",), "col": ("colgroup", "table"), "li": ("ul", "ol"),
    "dt": ("dl",), "dd": ("dl",), "summary": ("details",),
    "figcaption": ("figure",),
}
# Elements that may not stand inside these ancestors (HTML5 content models); unwrapped there.
NO_NESTING = {
    "a": ("a",), "header": ("header", "footer", "address"),
    "footer": ("header", "footer", "address"), "address": ("address",),
}

_INT = re.compile(r"^[0-9]{1,6}$")
_SIGNED = re.compile(r"^-?[0-9]{1,9}$")
_LANG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
_TOKENS = re.compile(r"^[A-Za-z][\w -]*$")
_ALIGN = re.compile(r"text-align\s*:\s*(left|right|center|justify)", re.IGNORECASE)


def _valid(pattern: re.Pattern[str]) -> Callable[[str], str | None]:
    return lambda v: v.strip() if pattern.match(v.strip()) else None


def _one_of(*values: str) -> Callable[[str], str | None]:
    return lambda v: v if v in values else None


def _http_url(value: str) -> str | None:
    return value.strip() if urlsplit(value.strip()).scheme.lower() in ("http", "https") else None


def _any(value: str) -> str:
    return value


def _flag(name: str) -> Callable[[str], str]:
    return lambda _v: name  # XHTML spells boolean attributes out: open="open"


GLOBAL_ATTRS: dict[str, Callable[[str], str | None]] = {
    "id": _any, "class": _any, "title": _any, "lang": _valid(_LANG),
    "dir": _one_of("ltr", "rtl", "auto"), "role": _valid(_TOKENS), "epub:type": _valid(_TOKENS),
}
_ATTRS: dict[str, dict[str, Callable[[str], str | None]]] = {
    "a": {"href": _any, "hreflang": _valid(_LANG)},
    "img": {"src": _any, "alt": _any, "width": _valid(_INT), "height": _valid(_INT)},
    "td": {"colspan": _valid(_INT), "rowspan": _valid(_INT)},
    "th": {"colspan": _valid(_INT), "rowspan": _valid(_INT),
           "scope": _one_of("row", "col", "rowgroup", "colgroup"), "abbr": _any},
    "ol": {"start": _valid(_SIGNED), "reversed": _flag("reversed"),
           "type": _one_of("1", "a", "A", "i", "I")},
    "li": {"value": _valid(_SIGNED)},
    "col": {"span": _valid(_INT)}, "colgroup": {"span": _valid(_INT)},
    "blockquote": {"cite": _http_url}, "q": {"cite": _http_url},
    "del": {"cite": _http_url, "datetime": _any}, "ins": {"cite": _http_url, "datetime": _any},
    "time": {"datetime": _any}, "details": {"open": _flag("open")},
}
# Attributes naming other ids would point nowhere once ids are made unique in the book.
_ARIA_IDREFS = frozenset({
    "aria-labelledby", "aria-describedby", "aria-controls", "aria-owns", "aria-flowto",
    "aria-activedescendant", "aria-details", "aria-errormessage",
})
# (`style` is dropped everywhere; its `text-align`, like the old `align`, becomes a class.)

Warn = Callable[[HtmlElement, str, str], None]
"""Callback (element, code, message) for problems found while sanitising."""


def _parent_tag(el: HtmlElement) -> str:
    parent = el.getparent()
    return parent.tag if parent is not None and isinstance(parent.tag, str) else ""


def in_phrasing(el: HtmlElement) -> bool:
    """`el` stands where only phrasing content (text-level elements) is allowed."""
    parent = el.getparent()
    while parent is not None:
        if parent.tag in PHRASING:
            return True
        if parent.tag in ("li", "td", "th", "dd", "div", "blockquote", "body", "section",
                          "aside", "figure", "details", "figcaption"):
            return False
        parent = parent.getparent()
    return False


def _embed_source(el: HtmlElement) -> str:
    src = (el.get(EMBEDS[el.tag]) or "").strip()
    if not src:
        for source in el.iter("source"):
            src = (source.get("src") or "").strip()
            if src:
                break
    return src


def _convert_embed(el: HtmlElement, warn: Warn, said: Words) -> None:
    src = _embed_source(el)
    scheme = urlsplit(src).scheme.lower()
    if not src or scheme not in ("", "http", "https"):
        warn(el, "embed", f"embedded <{el.tag}> has no web address to link to; left out")
        remove(el)
        return
    box = element("span" if in_phrasing(el) else "p", said.embedded, class_="kb-embed")
    if next(el.iterancestors("a"), None) is None:
        box.append(element("a", src, href=src))
    else:
        box.text = (box.text or "") + src  # (a link inside a link is not allowed)
    if el.get("data-kb-line"):
        box.set("data-kb-line", el.get("data-kb-line"))
    replace(el, box)


def _task_box(el: HtmlElement) -> None:
    checked = el.get("checked") is not None
    box = element("span", "\u2611" if checked else "\u2610", class_="task-list-item-checkbox")
    if checked:
        add_class(box, "checked")
    replace(el, box)


def _clean_attributes(el: HtmlElement) -> None:
    allowed = _ATTRS.get(el.tag, {})
    align = _ALIGN.search(el.get("style") or "") or re.match(
        r"^\s*(left|right|center|justify)\s*$", el.get("align") or "", re.IGNORECASE)
    if el.tag == "a" and el.get("name") and not el.get("id"):
        el.set("id", el.get("name") or "")
    for name, value in list(el.attrib.items()):
        check = GLOBAL_ATTRS.get(name) or allowed.get(name)
        if re.match(r"^aria-[a-z]+$", name) and name not in _ARIA_IDREFS:
            check = _any
        if name in KEPT_INTERNAL:
            continue
        cleaned = check(value) if check is not None else None
        if cleaned is None or (name == "class" and not value.split()) or (
            name == "id" and not value.strip()
        ):
            del el.attrib[name]
        elif cleaned != value:
            el.set(name, cleaned)
    if el.tag == "img" and el.get("src") is not None and el.get("alt") is None:
        el.set("alt", "")
    if align:
        add_class(el, "align-" + align.group(1).lower())


def sanitise(root: HtmlElement, warn: Warn, said: Words | None = None) -> None:
    """Reduce the tree below `root` to safe EPUB 3 XHTML content, in place; what kbbook
    writes itself (an embed's link) is in the words `said` (default English)."""
    said = said or words("en")
    flattened = False
    for el, depth in walk(root):
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = RENAME.get(tag, tag)
        if el.tag != tag and tag:
            el.tag = tag
        if tag == "input" and (el.get("type") or "").lower() == "checkbox":
            _task_box(el)
        elif tag in _FOREIGN:
            kept = foreign_copy(el)
            if kept is None or (not len(kept) and not (kept.text or "").strip()):
                remove(el)  # (it would draw nothing)
            else:
                kept.set("data-kb-line", el.get("data-kb-line") or "")
                replace(el, kept)
        elif tag in DROP or not tag:
            remove(el)
        elif tag in EMBEDS:
            _convert_embed(el, warn, said)
        elif tag == "hr" and in_phrasing(el):
            remove(el)
        elif tag not in KEEP or (tag in PARENTS and _parent_tag(el) not in PARENTS[tag]) or (
            tag in FLOW_ONLY and in_phrasing(el)
        ) or (tag in NO_NESTING and next(el.iterancestors(*NO_NESTING[tag]), None) is not None):
            unwrap(el)
        else:
            _clean_attributes(el)
            if depth >= MAX_DEPTH and len(el):
                if not flattened:
                    warn(el, "too-deep", f"content nested more than {MAX_DEPTH} levels deep "
                         "is flattened to its text")
                    flattened = True
                text = el.text_content()
                for child in list(el):
                    el.remove(child)
                el.text = text
    # A paragraph whose only content was removed (an <svg>, a <script>) would print empty.
    for p in list(root.iter("p")):
        if not len(p) and not (p.text or "").strip():
            remove(p)
    complete_structures(root, said.details)
