"""The content models EPUBCheck enforces, restored after lenient parsing.

libxml2 builds a tree from any tag soup but, unlike an HTML5 parser, leaves text inside a
`<ul>` or a `<table>`. These fixes follow what browsers do: stray list content goes into a
list item, stray table content moves in front of the table ("foster parenting").
"""

from __future__ import annotations

from lxml.html import HtmlElement

from .html import element, remove, unwrap

# Container → the only children it may have; other content is wrapped in the given element.
_WRAP = {"ul": ("li", "li"), "ol": ("li", "li"), "dl": (("dt", "dd"), "dd")}
_TABLE_CHILDREN = {
    "table": ("caption", "colgroup", "thead", "tbody", "tfoot", "tr"),
    "thead": ("tr",), "tbody": ("tr",), "tfoot": ("tr",), "tr": ("td", "th"),
    "colgroup": ("col",),
}


_TABLE_PARTS = frozenset(
    {"caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "td", "th"})


def _text(value: str | None) -> bool:
    """Not just inter-element whitespace (which excludes the no-break space)."""
    return bool(value and value.strip(" \t\n\r\f"))


def _wrap_strays(parent: HtmlElement, allowed: tuple[str, ...] | str, wrapper: str) -> None:
    """Put every run of content that may not stand in `parent` into a `wrapper` element."""
    pending: HtmlElement | None = None
    if _text(parent.text):
        pending = element(wrapper, parent.text)
        parent.text = None
        parent.insert(0, pending)
    for child in list(parent):
        if child is pending:
            continue
        if child.tag in allowed:
            pending = None
            if _text(child.tail):
                pending = element(wrapper, child.tail)
                child.tail = None
                child.addnext(pending)
        else:
            if pending is None:
                pending = element(wrapper)
                child.addprevious(pending)
            pending.append(child)  # (its tail text comes along)


def _text_before(el: HtmlElement, text: str) -> None:
    prev, parent = el.getprevious(), el.getparent()
    if prev is not None:
        prev.tail = (prev.tail or "") + text
    elif parent is not None:
        parent.text = (parent.text or "") + text


def _foster(part: HtmlElement, allowed: tuple[str, ...]) -> None:
    """Move what may not stand in a table part to just before its table."""
    table = part if part.tag == "table" else next(
        (a for a in part.iterancestors("table")), None)
    if table is None or table.getparent() is None:
        return
    if _text(part.text):
        _text_before(table, part.text or "")
        part.text = None
    for child in list(part):
        if child.tag in allowed:
            if _text(child.tail):
                _text_before(table, child.tail or "")
                child.tail = None
        else:
            table.addprevious(child)
            if child.tag in _TABLE_PARTS:
                unwrap(child)  # a cell or row out of place keeps only its content


_TABLE_RANK = {"caption": 0, "colgroup": 1, "thead": 2, "tbody": 3, "tr": 3, "tfoot": 4}


def _order_table(table: HtmlElement) -> None:
    """caption, colgroups, one thead, bodies (rows go into a tbody when there are other
    sections), one tfoot: the order EPUB's schema checks."""
    seen: set[str] = set()
    for child in list(table):
        if child.tag in seen and child.tag == "caption":
            child.tag = "div"  # a second caption becomes a block before the table
            table.addprevious(child)
        elif child.tag in seen and child.tag in ("thead", "tfoot"):
            child.tag = "tbody"  # a second thead or tfoot holds rows like any body
        seen.add(child.tag)
    children = sorted(table, key=lambda c: _TABLE_RANK.get(c.tag, 3))
    sections = any(c.tag in ("thead", "tbody", "tfoot") for c in children)
    for child in list(table):
        table.remove(child)
    body: HtmlElement | None = None
    for child in children:
        if child.tag == "tr" and sections:
            if body is None:
                body = element("tbody")
                table.append(body)
            body.append(child)
        else:
            body = None
            table.append(child)


def complete_structures(root: HtmlElement, summary_text: str = "Details") -> None:
    """Lists hold list items, tables hold rows, a <details> starts with its <summary>, a
    <dl> pairs terms with descriptions, a caption comes first and a figcaption last. A
    `<details>` without summary gets one saying `summary_text`."""
    for el in list(root.iter(*_TABLE_CHILDREN)):
        _foster(el, _TABLE_CHILDREN[el.tag])
    for el in list(root.iter(*_WRAP)):
        allowed, wrapper = _WRAP[el.tag]
        _wrap_strays(el, allowed, wrapper)
    for dl in root.iter("dl"):
        if len(dl) and dl[0].tag == "dd":
            dl.insert(0, element("dt"))
        if len(dl) and dl[-1].tag == "dt":
            dl.append(element("dd"))
    for details in root.iter("details"):
        summary = next((c for c in details if c.tag == "summary"), None)
        if summary is None:
            summary = element("summary", summary_text)
        elif summary is details[0] and not _text(details.text):
            continue
        else:
            remove(summary)  # (its tail text stays where it was)
            summary.tail = None
        summary.tail = (details.text or "") + (summary.tail or "")
        details.text = None
        details.insert(0, summary)
    for table in root.iter("table"):
        _order_table(table)
    for figure in root.iter("figure"):
        captions = [c for c in figure if c.tag == "figcaption"]
        for extra in captions[1:]:
            extra.tag = "div"
        if captions and captions[0] is not figure[0] and captions[0] is not figure[-1]:
            remove(captions[0])
            captions[0].tail = None
            figure.append(captions[0])
