"""The ```` ```mermaid ```` blocks of a book drawn where the site draws them: each becomes
`<figure class="kb-diagram">` holding the SVG, made fit for a book (sanitised, ids unique in
the book, sized from its viewBox, no animation). A diagram that cannot be drawn stays code,
with a warning naming file and line and what to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import tinycss2
from lxml import etree
from lxml.html import HtmlElement

from ..words import words
from .cache import DrawingCache
from .context import PageContext
from .html import classes, element, parse_fragment, replace
from .images import ImageError, sanitize_svg
from .math import SVG_NS
from .mermaid import DiagramError, Drawn, draw
from .svgids import scope_ids

MERMAID_CLASS = "kb-mermaid"
ICON_CLASS = "kb-icon"
ICON_CREDIT = ("Icons in diagrams: Font Awesome Free by Fonticons, Inc., "
               "CC BY 4.0 (fontawesome.com/license/free).")
_ERROR_LINE = re.compile(r"\bon line (\d+)")
_PRE = re.compile(r"""<pre\b((?:[^>"']|"[^"]*"|'[^']*')*)>.*?</pre\s*>""",  # (">" in quotes)
                  re.DOTALL | re.IGNORECASE)
_CLASS = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_DROPPED_ATTRS = ("aria-roledescription",)


@dataclass(frozen=True)
class _Block:
    ctx: PageContext
    pre: HtmlElement
    source: str


def _without_animation(css: str) -> str:
    rules = tinycss2.parse_stylesheet(css, skip_comments=True)
    return "".join(rule.serialize() for rule in rules
                   if not (isinstance(rule, tinycss2.ast.AtRule)
                           and rule.lower_at_keyword.endswith("keyframes")))


def finish_svg(svg: str, prefix: str, label: str = "Diagram") -> etree._Element:
    """Mermaid's SVG as a book can hold it; DiagramError when it is not plain SVG."""
    if "<foreignObject" in svg:
        raise DiagramError("Mermaid wrote HTML labels (foreignObject), which books cannot "
                           "show")
    try:
        root = etree.fromstring(sanitize_svg(svg.encode("utf-8")))
    except (ImageError, etree.XMLSyntaxError) as exc:
        raise DiagramError(f"Mermaid's drawing is no valid SVG ({exc})") from None
    for style in root.iter(f"{{{SVG_NS}}}style"):
        if style.text:
            style.text = _without_animation(style.text)
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) != 4:
        raise DiagramError("Mermaid's drawing has no size (viewBox)")
    width, height = float(box[2]), float(box[3])
    if width <= 0 or height <= 0:
        raise DiagramError("Mermaid's drawing is empty")
    root.set("width", f"{width:.2f}")
    root.set("height", f"{height:.2f}")
    style = re.sub(r"max-width:\s*[\d.]+px;?\s*", "", root.get("style") or "").strip()
    if style:
        root.set("style", style)
    else:
        root.attrib.pop("style", None)
    for el in root.iter():
        for name in _DROPPED_ATTRS:
            el.attrib.pop(name, None)
    scope_ids(root, prefix)
    root.set("class", " ".join([*classes(root), "kb-diagram-svg"]))
    _name(root, label)
    return root


def _name(root: etree._Element, name: str) -> None:
    """A title for the drawing, its accessible name (a screen reader's, the tagged PDF's
    alternative text): Mermaid's own (`accTitle`), else the labels it shows, in order."""
    own = root.find(f"{{{SVG_NS}}}title")
    if own is not None and (own.text or "").strip():
        return
    labels: list[str] = []
    for text in root.iter(f"{{{SVG_NS}}}text"):
        shown = " ".join(" ".join(text.itertext()).split())  # (a tspan per line or word)
        if shown and shown not in labels:
            labels.append(shown)
    title = etree.Element(f"{{{SVG_NS}}}title")
    title.text = (f"{name}: " + ", ".join(labels))[:500] if labels else name
    if own is not None:
        root.remove(own)
    root.insert(0, title)


def _blocks(pages: Sequence[tuple[PageContext, HtmlElement]]) -> list[_Block]:
    return [_Block(ctx, pre, pre.text_content()) for ctx, root in pages
            for pre in root.iter("pre") if MERMAID_CLASS in classes(pre)]


def _warn(block: _Block, why: str, where: str = "") -> None:
    line = block.ctx.line(block.pre)
    m = _ERROR_LINE.search(why)
    if m and line is not None:
        line += int(m.group(1))  # (the fence is its line 0)
    block.ctx.diagnostics.warning(block.ctx.page.rel, line, "diagram",
                                  f"Mermaid diagram not drawn: {why}{where}; it is shown as "
                                  "its source")


def diagram_sources(html: str) -> list[str]:
    """The Mermaid sources in a page's rendered HTML, as its tree will hold them."""
    return [parse_fragment(m.group(0))[0].text_content() for m in _PRE.finditer(html)
            if any(MERMAID_CLASS in "".join(c.groups("")).split()
                   for c in _CLASS.finditer(m.group(1)))]


class Drawings:
    """A book's diagrams, drawn by source. `draw` them all before the pages' trees are built:
    the browser (some 430 MB) then runs beside a small process, not beside every page's
    tree. A source not drawn before is drawn when it is asked for."""

    def __init__(self, cache: DrawingCache | None = None) -> None:
        self._cache = cache
        self._drawn: dict[str, Drawn | DiagramError] = {}

    def draw(self, sources: Iterable[str]) -> None:
        """Draw those of `sources` not drawn yet, in one browser run."""
        todo = list(dict.fromkeys(s for s in sources if s not in self._drawn))
        if todo:
            self._drawn.update(zip(todo, draw(todo, self._cache), strict=True))

    def drawn(self, sources: Iterable[str]) -> bool:
        return all(source in self._drawn for source in sources)

    def results(self, sources: Sequence[str]) -> list[Drawn | DiagramError]:
        self.draw(sources)
        return [self._drawn[source] for source in sources]


def place_diagrams(pages: Sequence[tuple[PageContext, HtmlElement]], drawings: Drawings,
                   later: list[tuple[PageContext, HtmlElement]] | None = None) -> int:
    """Put the drawing of every Mermaid block of `pages` in its block's place; returns how
    many were placed. Those `drawings` lacks are drawn, or, given `later`, their pages go
    there untouched, for one call (one browser run) once every page is a tree."""
    blocks = _blocks(pages)
    if not blocks:
        return 0
    if later is not None and not drawings.drawn(b.source for b in blocks):
        later.extend(pages)
        return 0
    results = drawings.results([b.source for b in blocks])
    placed = 0
    counters: dict[str, int] = {}
    for block, result in zip(blocks, results, strict=True):
        if isinstance(result, DiagramError):
            _warn(block, str(result))
            continue
        assert isinstance(result, Drawn)
        n = counters[block.ctx.page_id] = counters.get(block.ctx.page_id, 0) + 1
        try:
            svg = finish_svg(result.svg, f"{block.ctx.page_id}-d{n}",
                             words(block.ctx.resolver.config.lang).diagram)
        except DiagramError as exc:
            _warn(block, str(exc))
            continue
        figure = element("figure", class_="kb-diagram")
        if block.pre.get("data-kb-line"):
            figure.set("data-kb-line", block.pre.get("data-kb-line") or "")
        figure.append(svg)
        replace(block.pre, figure)
        placed += 1
    return placed


def uses_icons(bodies: Iterable[etree._Element]) -> bool:
    """Whether a drawn diagram shows a Font Awesome icon (the book then credits them).
    `bodies` may be made as they are read: each is dropped when looked at."""
    return any(ICON_CLASS in (el.get("class") or "").split()
               for body in bodies for el in body.iter(f"{{{SVG_NS}}}path"))
