"""HTML in, well-formed XHTML out: lenient parsing, tree helpers, NCName ids, and our own
serialiser, so every fragment is well-formed XML whatever the author wrote (`sanitise.py`
decides what may stay)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote as url_quote
from urllib.parse import urlsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

# libxml2 stops nesting at 256 levels (2048 with huge_tree) and silently drops what lies
# deeper: a fragment that reaches that depth is parsed again with the tags nested beyond
# HTML_DEPTH dropped (their text kept), see `parse_fragment`.
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
PARSER_DEPTH_LIMIT = 2000
HTML_DEPTH = 256
# Internal markers the renderer puts on elements while it works; `to_xhtml` drops them. An
# author's copy of one is removed by the sanitiser.
KEPT_INTERNAL = frozenset({"data-kb-line", "data-kb-md", "data-kb-fn", "data-kb-toc",
                           "data-kb-math", "data-kb-toc-levels"})

# ---------------------------------------------------------------------------------------
# Raw HTML as written by authors


_RAW_TOKEN = re.compile(
    r"""<!--.*?(?:-->|\Z)|<(/?)([A-Za-z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)(>?)""", re.DOTALL
)
# Document-structure tags would end the parser's body early and lose what follows.
_STRUCTURE = frozenset({"html", "head", "body", "frameset", "plaintext"})
# Void in HTML5 but not to libxml2, which would put everything after them inside them.
_VOID_UNKNOWN_TO_LIBXML = frozenset({"embed", "source", "track", "wbr", "keygen", "bgsound"})


def prepare_raw_html(html: str, line: int | None) -> str:
    """Mark each start tag of raw author HTML with its source line (`data-kb-line`) and
    remove document-structure tags; `line` is the line of the first character."""
    out: list[str] = []
    pos = 0
    current = line
    for m in _RAW_TOKEN.finditer(html):
        if current is not None:
            current += html.count("\n", pos, m.start())
        out.append(html[pos : m.start()])
        pos = m.end()
        name = (m.group(2) or "").lower()
        if name in _STRUCTURE:
            pass  # dropped
        elif m.group(2) and not m.group(1):
            mark = f' data-kb-line="{current}"' if current is not None else ""
            out.append(f"<{m.group(2)}{mark}{m.group(3)}{m.group(4)}")
            if name in _VOID_UNKNOWN_TO_LIBXML and m.group(4):
                out.append(f"</{m.group(2)}>")
        else:
            out.append(m.group(0))
        if current is not None:
            current += m.group(0).count("\n")
    out.append(html[pos:])
    return "".join(out)


# ---------------------------------------------------------------------------------------
# Parsing and tree helpers

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class DeepHtml:
    """What `parse_fragment` did about a fragment nested beyond the parser's limit."""

    line: int | None
    """`data-kb-line` of the first tag dropped (or of the nearest element around it)."""
    lost: bool = False
    """Content was lost all the same (the parser still reached its limit)."""


def _parse(html: str) -> HtmlElement:
    doc = lxml.html.document_fromstring("<!DOCTYPE html><html><body>" + html, parser=_PARSER)
    body = doc.find("body")
    if body is None:  # pragma: no cover - libxml2 always creates one
        body = lxml.html.Element("body")
    return body


def parse_fragment(html: str) -> tuple[HtmlElement, DeepHtml | None]:
    """Parse an HTML fragment; the returned `body` element holds it. Where the fragment nests
    deep enough for the parser to drop content, it is parsed again with the tags nested
    beyond HTML_DEPTH left out (`flatten_html`) and the second value says so."""
    html = _XML_INVALID.sub("\ufffd", html)
    body = _parse(html)
    if max_depth(body) < PARSER_DEPTH_LIMIT:
        return body, None
    flat, line = flatten_html(html, HTML_DEPTH)
    body = _parse(flat)
    return body, DeepHtml(line, lost=max_depth(body) >= PARSER_DEPTH_LIMIT)


# libxml2's void elements (prepare_raw_html closes the others); script and style hold text.
_VOID_TO_LIBXML = frozenset({
    "area", "base", "basefont", "br", "col", "frame", "hr", "img", "input", "isindex", "link",
    "meta", "param",
})
_BLOCK_START = frozenset({
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
    "dl", "dd", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "menu", "nav", "ol", "p", "pre",
    "section", "summary", "table", "ul",
})
# An open element (the current one) that a start tag of these names closes, as in libxml2.
_CLOSED_BY = {
    "p": _BLOCK_START, "li": frozenset({"li"}), "dt": frozenset({"dt", "dd"}),
    "dd": frozenset({"dt", "dd"}), "tr": frozenset({"tr", "thead", "tbody", "tfoot"}),
    "td": frozenset({"td", "th", "tr", "thead", "tbody", "tfoot"}),
    "th": frozenset({"td", "th", "tr", "thead", "tbody", "tfoot"}),
    "thead": frozenset({"tbody", "tfoot"}), "tbody": frozenset({"tbody", "tfoot"}),
    "option": frozenset({"option", "optgroup"}),
}
_LINE_ATTR = re.compile(r'\bdata-kb-line="([0-9]+)"')


def flatten_html(html: str, limit: int) -> tuple[str, int | None]:
    """`html` without the start and end tags of elements nested more than `limit` deep; their
    text (and any void element) stays where it was. Also returns the `data-kb-line` of the
    first tag dropped, or of the nearest element around it that has one."""
    out: list[str] = []
    # The open elements, as the parser will see them: (name, dropped?, attributes).
    stack: list[tuple[str, bool, str]] = []
    where: dict[str, list[int]] = {}  # name -> indices in stack
    first: int | None = None
    found = False
    pos = 0

    def pop_to(index: int) -> None:
        while len(stack) > index:
            where[stack.pop()[0]].pop()

    for m in _RAW_TOKEN.finditer(html):
        if m.start() < pos:
            continue  # inside a script or style element
        out.append(html[pos : m.start()])
        pos = m.end()
        name = (m.group(2) or "").lower()
        if not name:  # a comment
            out.append(m.group(0))
        elif m.group(1):  # an end tag
            open_at = where.get(name)
            if not open_at:
                out.append(m.group(0))
                continue
            index = open_at[-1]
            dropped = stack[index][1]
            pop_to(index)
            if not dropped:
                out.append(m.group(0))
        elif name in _VOID_TO_LIBXML or m.group(3).rstrip().endswith("/"):
            out.append(m.group(0))
        else:
            while stack and name in _CLOSED_BY.get(stack[-1][0], ()):
                pop_to(len(stack) - 1)
            dropped = len(stack) >= limit
            if dropped and not found:
                found = True
                for _, _, attrs in [(name, True, m.group(3)), *reversed(stack)]:
                    line = _LINE_ATTR.search(attrs)
                    if line:
                        first = int(line.group(1))
                        break
            where.setdefault(name, []).append(len(stack))
            stack.append((name, dropped, m.group(3)))
            if not dropped:
                out.append(m.group(0))
            if name in ("script", "style"):
                close = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(html, pos)
                end = close.start() if close else len(html)
                out.append(html[pos:end])
                pos = end
    out.append(html[pos:])
    return "".join(out), first


def max_depth(root: HtmlElement) -> int:
    depth = 0
    stack = [(root, 0)]
    while stack:
        el, d = stack.pop()
        depth = max(depth, d)
        stack.extend((child, d + 1) for child in el)
    return depth


def remove(el: etree._Element) -> None:
    """Remove `el` and its content, keeping the text that follows it (any lxml element)."""
    parent = el.getparent()
    if parent is None:
        return
    _append_text(el, el.tail)
    parent.remove(el)


def _append_text(el: etree._Element, text: str | None) -> None:
    """Put `text` where `el` stands, as if `el` were gone (the previous sibling's tail or
    the parent's text)."""
    if not text:
        return
    prev = el.getprevious()
    parent = el.getparent()
    if prev is not None:
        prev.tail = (prev.tail or "") + text
    elif parent is not None:
        parent.text = (parent.text or "") + text


def unwrap(el: HtmlElement) -> None:
    """Replace `el` by its content."""
    parent = el.getparent()
    if parent is None:
        return
    index = parent.index(el)
    _append_text(el, el.text)
    children = list(el)
    if children:
        children[-1].tail = (children[-1].tail or "") + (el.tail or "")
    else:
        _append_text(el, el.tail)
    parent.remove(el)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)


def replace(old: etree._Element, new: etree._Element) -> None:
    """Put `new` in place of `old`; `new` inherits the text after `old`."""
    new.tail = old.tail
    old.tail = None
    parent = old.getparent()
    if parent is not None:
        parent.replace(old, new)


def walk(root: HtmlElement) -> Iterator[tuple[HtmlElement, int]]:
    """Every element below `root` with its depth (1 = child of root), in document order.
    Children are read when their parent is reached, so a caller may change an element's
    subtree (remove, unwrap, flatten) before it is walked."""
    stack: list[tuple[HtmlElement, int]] = [(c, 1) for c in reversed(root)]
    while stack:
        el, d = stack.pop()
        if el.getparent() is None:
            continue  # removed while walking
        before = list(el)
        yield el, d
        if el.getparent() is not None:
            stack.extend((c, d + 1) for c in reversed(el))
        else:  # unwrapped: its children moved up a level; removed: they went with it
            parent_of = [c for c in before if c.getparent() is not None and c.getparent() is not el]
            stack.extend((c, d) for c in reversed(parent_of))


def element(tag: str, text: str | None = None, **attrs: str) -> HtmlElement:
    el = lxml.html.Element(tag)
    for key, value in attrs.items():
        el.set(key.rstrip("_").replace("_", "-"), value)
    el.text = text
    return el


def add_class(el: etree._Element, *names: str) -> None:
    classes = (el.get("class") or "").split()
    classes.extend(n for n in names if n not in classes)
    el.set("class", " ".join(classes))


def classes(el: etree._Element) -> list[str]:
    return (el.get("class") or "").split()


def plain_text(el: etree._Element) -> str:
    """The element's text, whitespace collapsed."""
    return " ".join("".join(el.itertext()).split())


def missing_image(img: etree._Element, source: str = "", link: str = "") -> None:
    """An image the book cannot show, in the renderer's tree and the writers' alike: its alt
    text in its place (`kb-missing-image`), or, when it has none, the file's name, so the
    reader sees that something is missing; a link to `link` (a web image) when given."""
    text = (img.get("alt") or "").strip()
    if any(etree.QName(a).localname == "a" for a in img.iterancestors()):
        link = ""  # (a link inside a link is not allowed; the outer one stays)
    name = posixpath.basename(source.split("?")[0].split("#")[0].rstrip("/"))
    text = text or (f"[image: {name}]" if name else "[image]")
    qname = etree.QName(img)
    tag = etree.QName(qname.namespace, "a" if link else "span") if qname.namespace else (
        "a" if link else "span")
    box = img.makeelement(tag, {"href": link, "class": "kb-missing-image"} if link
                          else {"class": "kb-missing-image"})
    box.text = text
    replace(img, box)


# ---------------------------------------------------------------------------------------
# NCName ids

_NAME_START = (
    "A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
_NAME_CHAR = _NAME_START + r"\-.0-9\u00b7\u0300-\u036f\u203f-\u2040"
_NCNAME = re.compile(f"^[{_NAME_START}][{_NAME_CHAR}]*$")
_NOT_NAME_CHAR = re.compile(f"[^{_NAME_CHAR}]")


def is_ncname(value: str) -> bool:
    return bool(_NCNAME.match(value))


def ncname(value: str, prefix: str = "id-") -> str:
    """`value` made into an XML NCName (what EPUBCheck wants for ids): invalid characters
    become '-', and a value that cannot start a name gets `prefix`."""
    value = _NOT_NAME_CHAR.sub("-", value)
    if not value or not _NCNAME.match(value):
        value = prefix + value
    return value


def url_fragment(fragment: str | None) -> str:
    """`#fragment` for the end of a URL (escaped where a URL needs it), '' for none."""
    return "#" + url_quote(fragment, safe="-._~!$&'()*+,;=:@/?") if fragment else ""


_HOST = re.compile(r"^(?:[^\W_]|[-.])+$|^\[[0-9A-Fa-f:.]+\]$")


def valid_web_url(url: str) -> bool:
    """An http(s)/ftp URL with a plausible host (EPUBCheck rejects the rest); other schemes
    (mailto:, tel:) pass."""
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a bad port
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https", "ftp"):
        return True
    host = parts.netloc.rpartition("@")[2]
    if port is not None or host.endswith(":"):
        host = host.rpartition(":")[0]
    return bool(host) and bool(_HOST.match(host))
