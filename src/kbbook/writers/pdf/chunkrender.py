"""One chunk of the book laid out (and written) by WeasyPrint, in a worker process.

Everything a job carries is plain data (text, paths, numbers), so it crosses to another
process as it is; what comes back is the chunk's layout (its page count and the page each
anchor lands on), the messages WeasyPrint gave, and the chunk PDF when asked for.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .memory import release_memory
from .merge import tidy
from .policy import FetchPolicy
from .slots import drawing
from .weasy import JPEG_QUALITY, Stylesheet, _finisher, _listening, variant_options


@dataclass(frozen=True)
class Layout:
    """Where a chunk's pages fall: what the other chunks' page numbers depend on."""

    pages: int
    """How many pages it has."""
    anchors: dict[str, int] = field(default_factory=dict)
    """Each id that lands on a page -> the page's index within the chunk (from 0)."""


@dataclass(frozen=True)
class Job:
    """One chunk to lay out (and write, when `out` is set)."""

    index: int
    html: str
    sheets: tuple[Stylesheet, ...]
    base_url: str
    policy: FetchPolicy
    total_pages: int
    """The whole book's page count, for `counter(pages)` (0 while still unknown)."""
    out: str | None
    """Where to write the chunk PDF; None to lay it out only."""
    dpi: int
    """Images are downsampled to this resolution at their printed size."""
    variant: str | None = None
    """The PDF variant written (tagged unless None or `none`)."""


@dataclass(frozen=True)
class Result:
    index: int
    layout: Layout
    problems: tuple[tuple[str | None, str], ...]
    """(stylesheet or None, message) of each WeasyPrint warning."""
    refused: tuple[tuple[str, str], ...]
    """(URL, why) of each read the fetcher refused."""
    seconds: float
    pid: int
    wrote: tuple[float, float] | None = None
    """When the chunk PDF was written (start, end: `time.time()`), when it was."""


_TOTAL_PAGES = [0]
_FONTS: list[Any] = []
_WRITE_TURN: list[Any] = []


def write_in_turn(lock: Any) -> None:
    """Make this process write its chunks only while it holds `lock`, which the other
    workers share. Writing is a worker's heaviest moment (each image decoded and scaled
    down, the PDF's objects made on top of the layout): taken in turn, two of those
    moments never meet, and a book's peak memory is one writer's, not the sum of all."""
    _WRITE_TURN[:] = [lock]


@contextlib.contextmanager
def _turn() -> Iterator[None]:
    lock = _WRITE_TURN[0] if _WRITE_TURN else None
    # (a lock never released, by a worker that died, cannot hold the others for ever:
    # its death stops the build anyway)
    got = lock is not None and lock.acquire(timeout=600)
    try:
        yield
    finally:
        if got:
            lock.release()


def _patch_total_pages() -> None:
    """`counter(pages)` counts the book, not the chunk: WeasyPrint sets it from the
    document's own page count just before it lays out the page margins, where kbbook puts
    the book's total in its place. (CSS cannot: WeasyPrint drops `pages` from the counter
    properties of @page.)"""
    import weasyprint.layout as layout

    original = layout.make_margin_boxes
    if getattr(original, "kbbook", False):
        return

    def make_margin_boxes(context: Any, page: Any, state: Any) -> Any:
        if _TOTAL_PAGES[0] and isinstance(state, tuple) and len(state) > 1 \
                and isinstance(state[1], dict):
            state[1]["pages"] = [_TOTAL_PAGES[0]]
        return original(context, page, state)

    make_margin_boxes.kbbook = True  # type: ignore[attr-defined]
    layout.make_margin_boxes = make_margin_boxes


@contextlib.contextmanager
def _total_pages(total: int) -> Iterator[None]:
    _TOTAL_PAGES[0] = total
    try:
        yield
    finally:
        _TOTAL_PAGES[0] = 0


def _fonts() -> Any:
    """One font configuration per process: fontconfig is read once."""
    if not _FONTS:
        from weasyprint.text.fonts import FontConfiguration

        _FONTS.append(FontConfiguration())
    return _FONTS[0]


def render(job: Job, on_page: Callable[[int], None] | None = None) -> Result:
    """Lay out `job`'s chunk, write it to `job.out` when set, and say where its pages fall.
    `on_page(n)` is told of each page laid out."""
    import weasyprint

    from .fetcher import SafeFetcher

    _patch_total_pages()
    start = time.perf_counter()
    problems: list[tuple[str | None, str]] = []
    reading: list[str | None] = [None]
    fetcher = SafeFetcher(job.policy)
    fonts = _fonts()

    def step(message: str) -> None:
        if on_page is not None and message.startswith("Step 5 - Creating layout - Page"):
            with contextlib.suppress(ValueError, IndexError):
                on_page(int(message.rsplit("Page ", 1)[1].split()[0]))

    options = {"dpi": job.dpi, "jpeg_quality": JPEG_QUALITY}
    with _listening(lambda message: problems.append((reading[0], message)), step), \
            _total_pages(job.total_pages):
        sheets = []
        for sheet in job.sheets:
            reading[0] = sheet.source
            sheets.append(weasyprint.CSS(string=sheet.text, base_url=sheet.base_url,
                                         url_fetcher=fetcher, font_config=fonts))
        reading[0] = None
        document = weasyprint.HTML(string=job.html, base_url=job.base_url,
                                   url_fetcher=fetcher).render(
            stylesheets=sheets, font_config=fonts, **options)
        anchors: dict[str, int] = {}
        for number, page in enumerate(document.pages):
            for anchor in page.anchors:
                anchors.setdefault(anchor, number)
        layout = Layout(len(document.pages), anchors)
        wrote = None
        if job.out is not None:
            tmp = Path(f"{job.out}.{os.getpid()}.part")
            try:
                unmarked: list[int] = []
                with _turn(), drawing(unmarked):
                    began = time.time()
                    document.write_pdf(tmp, finisher=_finisher, **options,
                                       **variant_options(job.variant))
                    wrote = (began, time.time())
                if unmarked[0]:
                    problems.append((None, f"{unmarked[0]} page numbers are in a font without "
                                     "digits 0-9 of its own, so they show the numbers the "
                                     "chunk was laid out with, which may be a few pages off; "
                                     "give them a font with digits in your --css"))
                if variant_options(job.variant):  # (tagged)
                    tidy(tmp)
                os.replace(tmp, job.out)
            except BaseException:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                raise
    del document
    release_memory()
    return Result(job.index, layout, tuple(problems), tuple(fetcher.refused),
                  time.perf_counter() - start, os.getpid(), wrote)
