"""The printable PDF: the print HTML of `document.py` rendered by WeasyPrint (`weasy.py`).

WeasyPrint reads only through `SafeFetcher` (the site folder and the user's stylesheets);
each of its warnings is reported against the file and line it comes from: the stylesheet
being read, the page and line of an image, the stylesheet line that names a refused file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urljoin

from ...book import Node
from ...errors import Diagnostics
from ...render import RenderedBook
from ...render.css import fetched
from ...render.highlight import pygments_css
from ...words import words
from ..common import build_time, read_css_file, style_text
from .coverage import check_fonts
from .document import PAPER_SIZES, PrintDocument, build_print_document
from .fetcher import SafeFetcher
from .progress import Progress
from .weasy import Stylesheet, render_pdf

__all__ = ["PrintDocument", "build_print_document", "stylesheets", "write_pdf"]

KBBOOK_CSS = "kbbook's print stylesheet"
_AT_LINE = re.compile(r"\bat (\d+):\d+")
_SVG_PROPERTY = re.compile(
    r"Ignored `(?:stroke|fill|marker|stop-|text-anchor|dominant-baseline|alignment-baseline|"
    r"baseline-shift|paint-order|vector-effect|shape-rendering|text-rendering|clip-rule|"
    r"flood-|lighting-color|color-interpolation|mask|r:|rx:|ry:|cx:|cy:|x:|y:|d:)[^`]*` at "
    r"\d+:\d+, unknown property")
_URL = re.compile(r"\b(?:file|https?|data):[^\s'\"`,)]+")


def _css_string(text: str) -> str:
    return '"' + "".join(c if c.isalnum() or c in " .,()" else f"\\{ord(c):06x}"
                         for c in text) + '"'


def language_css(lang: str) -> str:
    """The rules that carry kbbook's words in the book's language: "(p. 12)"."""
    said = words(lang)
    return (f"a.kb-xref::after {{ content: \"\\00a0(\" {_css_string(said.page_before)} "
            f"target-counter(attr(href), page) {_css_string(said.page_after)} \")\"; }}\n")


def stylesheets(css: Sequence[Path], paper: str, lang: str = "en") -> list[Stylesheet]:
    """kbbook's (code colours, print.css, the paper size, the book's words in `lang`), then
    the user's, in this order."""
    ours = [pygments_css(), style_text("print.css"), f"@page {{ size: {PAPER_SIZES[paper]}; }}",
            language_css(lang)]
    return [*(Stylesheet(text, None, KBBOOK_CSS) for text in ours),
            *(Stylesheet(read_css_file(path), path.resolve().as_uri(), str(path))
              for path in css)]


class _Problems:
    """Where each WeasyPrint message comes from: a stylesheet and its line, or the page and
    line of the image or stylesheet rule that names the URL it is about."""

    def __init__(self, rendered: RenderedBook, document: PrintDocument,
                 sheets: Sequence[Stylesheet], diagnostics: Diagnostics) -> None:
        self.diagnostics = diagnostics
        self.places: dict[str, list[tuple[str, int | None]]] = {}
        for rp in rendered.pages:
            for image in rp.images:
                url = image.url or urljoin(document.base_url, image.rel)
                self.places.setdefault(url, []).append((rp.page.rel, image.line))
        for sheet in sheets:
            if sheet.base_url is not None:
                for line, address in fetched(sheet.text):
                    self.places.setdefault(urljoin(sheet.base_url, address), []).append(
                        (sheet.source, line))

    def _report(self, url: str | None, code: str, message: str) -> None:
        for path, line in self.places.get(url or "", [("(WeasyPrint)", None)]):
            self.diagnostics.warning(path, line, code, message)

    def weasyprint(self, source: str | None, message: str) -> None:
        if "RefusedURL:" in message:
            return  # reported once, with its reason, by `refused`
        if source is None and _SVG_PROPERTY.match(message):
            return  # an SVG's own style: its renderer reads it, the HTML cascade does not
        if source is not None:
            line = _AT_LINE.search(message)
            self.diagnostics.warning(source, int(line.group(1)) if line else None,
                                     "pdf-css", f"WeasyPrint: {message}")
            return
        url = _URL.search(message)
        self._report(url.group(0) if url else None, "pdf-render", f"WeasyPrint: {message}")

    def refused(self, fetcher: SafeFetcher) -> None:
        for url, reason in dict.fromkeys(fetcher.refused):
            self._report(url, "pdf-refused", reason if reason.startswith(url)
                         else f"{url}: {reason}")


def write_pdf(rendered: RenderedBook, out: Path, diagnostics: Diagnostics, *,
              css: Sequence[Path] = (), paper: str = "a4", parts: Sequence[Node] | None = None,
              progress: bool = False) -> None:
    """Write the book (or the subtrees `parts`, a handout) as a PDF at `out`."""
    day = build_time(diagnostics).date()
    printed = None if parts is None else {n.page.rel for root in parts for _, n in root.walk()}
    check_fonts([rp for rp in rendered.pages if printed is None or rp.page.rel in printed],
                diagnostics)
    with Progress(progress) as display:
        document = build_print_document(rendered, paper=paper, parts=parts, day=day, css=css)
        sheets = stylesheets(css, paper, rendered.book.config.lang)
        problems = _Problems(rendered, document, sheets, diagnostics)
        fetcher = SafeFetcher(document.policy)
        display.say("rendering with WeasyPrint")
        render_pdf(document.html, document.base_url, sheets, fetcher, out,
                   on_problem=problems.weasyprint, on_step=display.weasyprint_step)
    problems.refused(fetcher)
