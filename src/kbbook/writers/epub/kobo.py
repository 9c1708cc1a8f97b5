"""The Kobo EPUB (KEPUB): the markup Kobo's own reading engine wants in every page.

Kobo's engine counts reading progress, turns pages and anchors highlights by `koboSpan`
elements: each sentence of the text, and each image, in a
`<span class="koboSpan" id="kobo.P.S">` (P numbers the paragraphs of the document, S the
sentences of a paragraph), with the body's content inside `<div id="book-columns"><div
id="book-inner">`, which its pagination styles address. The book stays a valid EPUB 3:
other readers ignore all of it. Code blocks, SVG and MathML are left as they are.
"""

from __future__ import annotations

import re

from lxml import etree

from ...render.model import xhtml

SPAN_CLASS = "koboSpan"
# Elements whose text starts a paragraph of its own (Kobo counts them one by one).
_BLOCKS = frozenset(xhtml(tag) for tag in (
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "td", "th", "caption",
    "figcaption", "blockquote", "div", "section", "aside", "summary", "details", "figure",
    "header", "footer", "nav", "address", "table", "ul", "ol", "dl"))
_LEAVE = frozenset({xhtml("pre"), "{http://www.w3.org/2000/svg}svg",
                    "{http://www.w3.org/1998/Math/MathML}math"})
# A sentence ends after . ! ? (and their CJK forms) and the spaces that follow.
_SENTENCE = re.compile(r"[^.!?\u3002\uff01\uff1f]*(?:[.!?\u3002\uff01\uff1f]+[\s\"')\]]*|$)")
_STYLE = "div#book-inner { margin-top: 0; margin-bottom: 0; }"


def _sentences(text: str) -> list[str]:
    return [m.group() for m in _SENTENCE.finditer(text) if m.group()]


class _Counter:
    def __init__(self) -> None:
        self.paragraph = 0
        self.sentence = 0

    def next_paragraph(self) -> None:
        self.paragraph += 1
        self.sentence = 0

    def span(self) -> etree._Element:
        if self.paragraph == 0:
            self.next_paragraph()
        self.sentence += 1
        return etree.Element(xhtml("span"), {"class": SPAN_CLASS,
                                              "id": f"kobo.{self.paragraph}.{self.sentence}"})


def _spans(text: str, counter: _Counter) -> list[etree._Element]:
    spans = []
    for sentence in _sentences(text):
        span = counter.span()
        span.text = sentence
        spans.append(span)
    return spans


def _own_text(el: etree._Element, counter: _Counter) -> None:
    """The sentences of `el`'s text, before its first child, into spans."""
    if el.text and el.text.strip():
        for index, span in enumerate(_spans(el.text, counter)):
            el.insert(index, span)
        el.text = None


def _tail(el: etree._Element, counter: _Counter) -> None:
    """The sentences of the text after `el` (its tail), into spans after it."""
    parent = el.getparent()
    if parent is None or not (el.tail and el.tail.strip()):
        return
    position = parent.index(el) + 1
    for offset, span in enumerate(_spans(el.tail, counter)):
        parent.insert(position + offset, span)
    el.tail = None


def add_kobo_spans(html: etree._Element) -> None:
    """Make one XHTML document (the whole `<html>`) a KEPUB document, in place."""
    head = html.find(xhtml("head"))
    if head is not None:
        style = etree.SubElement(head, xhtml("style"), {"type": "text/css",
                                                        "id": "kobostylehacks"})
        style.text = _STYLE
        style.tail = "\n"
    body = html.find(xhtml("body"))
    if body is None:
        return
    counter = _Counter()
    # In document order, with a stack of our own (pages may nest deeply): an element's own
    # text, then its children, then the text after it.
    stack: list[tuple[etree._Element, bool]] = [(body, False)]
    while stack:
        el, done = stack.pop()
        if done:
            if el is not body:
                _tail(el, counter)
            continue
        stack.append((el, True))
        if el.tag in _LEAVE or el.get("class") == SPAN_CLASS:
            continue
        if el.tag in _BLOCKS:
            counter.next_paragraph()
        if el.tag == xhtml("img"):
            span = counter.span()
            span.tail, el.tail = el.tail, None
            el.addprevious(span)
            span.append(el)
            stack[-1] = (span, True)  # the text after the image follows its span
            continue
        _own_text(el, counter)
        stack.extend((child, False) for child in reversed(el) if isinstance(child.tag, str)
                     and child.get("class") != SPAN_CLASS)
    columns = etree.Element(xhtml("div"), {"id": "book-columns"})
    inner = etree.SubElement(columns, xhtml("div"), {"id": "book-inner"})
    inner.text, body.text = body.text, "\n"
    for child in list(body):
        inner.append(child)
    columns.tail = "\n"
    body.append(columns)
