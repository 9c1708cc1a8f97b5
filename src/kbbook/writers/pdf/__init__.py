"""The printable PDF: the print HTML of `document.py` rendered by WeasyPrint (`weasy.py`).

WeasyPrint reads only through `SafeFetcher` (the site folder and the user's stylesheets);
each of its warnings is reported against the file and line it comes from: the stylesheet
being read, the page and line of an image, the stylesheet line that names a refused file.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from ...book import Node
from ...errors import Diagnostics
from ...render import RenderedBook
from ...render.css import fetched
from ...render.highlight import pygments_css
from ...words import words
from ..common import DEFAULT_VARIANT, VARIANTS, build_time, read_css_file, style_text
from .cache import BuildCache, default_folder
from .chunked import ChunkedPrint, Settings
from .chunks import split
from .coverage import check_fonts
from .document import (
    PAPER_SIZES,
    PrintDocument,
    PrintTree,
    build_print_document,
    build_print_tree,
    serialize,
)
from .memory import release_memory
from .merge import tidy
from .palette import Palettes
from .progress import Progress
from .weasy import Stylesheet, render_pdf
from .workers import WorkerDied, Workers, default_jobs, end_fork_server, warm_up

__all__ = ["DEFAULT_DPI", "DEFAULT_VARIANT", "VARIANTS", "PdfStats", "PrintDocument",
           "WorkerDied", "Workers", "build_print_document", "default_folder", "default_jobs",
           "stylesheets", "warm_up", "write_pdf"]

DEFAULT_DPI = 300
"""Images are downsampled to this resolution at the size they are printed."""

KBBOOK_CSS = "kbbook's print stylesheet"
_AT_LINE = re.compile(r"\bat (\d+):\d+")
_NO_ALT = re.compile(r'^Image "(.*)" has no required alt description$')
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

    def __init__(self, rendered: RenderedBook, document: PrintDocument | PrintTree,
                 sheets: Sequence[Stylesheet], diagnostics: Diagnostics) -> None:
        self.diagnostics = diagnostics
        self.base_url = document.base_url
        self.places: dict[str, list[tuple[str, int | None]]] = {}
        self.without_alt: dict[str, list[tuple[str, int | None]]] = {}
        for rp in rendered.pages:
            for image in rp.images:
                url = image.url or urljoin(document.base_url, image.rel)
                self.places.setdefault(url, []).append((rp.page.rel, image.line))
                if not image.alt.strip():
                    self.without_alt.setdefault(url, []).append((rp.page.rel, image.line))
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
        no_alt = _NO_ALT.match(message)
        if no_alt is not None:  # (the tagged PDF's figure has nothing to say)
            image = no_alt.group(1)
            url = urljoin(self.base_url, image)
            for path, line in self.without_alt.get(url) or self.places.get(url) or [
                    ("(WeasyPrint)", None)]:
                self.diagnostics.warning(
                    path, line, "no-alt", f"image {image} has no alternative text, so a "
                    "screen reader says only that there is a picture; describe it: "
                    f"![what it shows]({image})")
            return
        url = _URL.search(message)
        self._report(url.group(0) if url else None, "pdf-render", f"WeasyPrint: {message}")

    def refused(self, refused: Sequence[tuple[str, str]]) -> None:
        for url, reason in dict.fromkeys(refused):
            self._report(url, "pdf-refused", reason if reason.startswith(url)
                         else f"{url}: {reason}")


@dataclass(frozen=True)
class PdfStats:
    """What a PDF build did."""

    chunks: int
    """Documents the book was cut into (1 for a single render)."""
    renders: int
    """WeasyPrint renders it took (a chunk laid out again counts twice; 0 when all came
    from the cache)."""


RECYCLE_ABOVE = 1_000_000
"""Characters of print HTML (about 250 pages) above which each chunk gets a fresh worker,
whose memory ends with it; a smaller book is quicker with workers that stay."""


def write_pdf(rendered: RenderedBook, out: Path, diagnostics: Diagnostics, *,
              css: Sequence[Path] = (), paper: str = "a4", parts: Sequence[Node] | None = None,
              progress: bool = False, verbose: bool = False, jobs: int | None = None,
              cache: bool = True, cache_dir: Path | None = None, image_dpi: int = DEFAULT_DPI,
              variant: str = DEFAULT_VARIANT, chunked: bool = True,
              workers: Workers | None = None) -> PdfStats:
    """Write the book (or the subtrees `parts`, a handout) as a PDF at `out`: tagged PDF/UA
    by default, or the PDF/A (or untagged, `none`) `variant`.

    The book is laid out in chunks of whole chapters by `jobs` worker processes (default:
    one per core) and merged; chunk renders are kept in `cache_dir` (default: the user's
    cache folder; none with `cache=False`) for the next build. `chunked=False` lays the
    book out as one WeasyPrint document instead (one core, no cache). `workers` are worker
    processes to use (and leave running: handouts share them) instead of new ones."""
    day = build_time(diagnostics).date()
    palette = rendered.book.config.book.image_palette
    interpolate = not variant.startswith("pdf/a")  # (PDF/A forbids smoothed images)
    printed = None if parts is None else {n.page.rel for root in parts for _, n in root.walk()}
    check_fonts([rp for rp in rendered.pages if printed is None or rp.page.rel in printed],
                diagnostics)
    with Progress(progress, verbose) as display:
        tree = build_print_tree(rendered, paper=paper, parts=parts, day=day, css=css)
        sheets = stylesheets(css, paper, rendered.book.config.lang)
        problems = _Problems(rendered, tree, sheets, diagnostics)
        if not chunked:
            from .fetcher import SafeFetcher  # (the chunked print's main process never loads it)

            fetcher = SafeFetcher(tree.policy)
            display.say("rendering with WeasyPrint")
            render_pdf(serialize(tree.html), tree.base_url, sheets, fetcher, out,
                       on_problem=problems.weasyprint, on_step=display.weasyprint_step,
                       dpi=image_dpi, variant=variant)
            tidy(out, Palettes(None) if palette else None, interpolate=interpolate)
            problems.refused(fetcher.refused)
            return PdfStats(1, 1)
        workers_wanted = jobs or default_jobs()
        base_url, policy = tree.base_url, tree.policy
        chunks = split(tree, workers_wanted)
        del tree  # used up by the chunks
        release_memory()
        build_cache = BuildCache((cache_dir or default_folder()) if cache else None)
        own = workers is None
        pool = Workers(workers_wanted, recycle=sum(len(c.template) for c in chunks)
                       > RECYCLE_ABOVE) if workers is None else workers
        pool.on_page = display.page
        try:
            with pool if own else contextlib.nullcontext(pool):
                settings = Settings(tuple(sheets), base_url, policy, image_dpi,
                                    f"{paper}; {variant}", variant)
                printer = ChunkedPrint(chunks, settings, build_cache, pool, diagnostics,
                                       display.say)
                renders = printer.render()
            # (after the workers have ended: the merge needs the memory they held)
            if own and pool.recycle:
                end_fork_server()
            palettes = Palettes(build_cache.palettes) if palette else None
            printer.merge(out, palettes, interpolate=interpolate)
            if palettes is not None and palettes.indexed:
                display.say(f"{palettes.indexed} images in 256 colours, where no difference "
                            f"shows ({palettes.saved // 1000:,} kB less)")
        finally:
            build_cache.close()
        display.say(f"{printer.renders} chunk renders for {len(chunks)} chunks")
    for render in renders:
        for source, message in render.problems:
            problems.weasyprint(source, message)
        problems.refused(render.refused)
    return PdfStats(len(chunks), printer.renders)

