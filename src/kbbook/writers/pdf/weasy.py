"""WeasyPrint, run safely: it reads only through `SafeFetcher`, its warnings come back with
the stylesheet they belong to, its progress steps feed the display."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ...version import __version__
from ..common import DEFAULT_VARIANT

if TYPE_CHECKING:
    from .fetcher import SafeFetcher

JPEG_QUALITY = 85
"""For the photos WeasyPrint downsamples or re-encodes."""


def variant_options(variant: str | None) -> dict[str, Any]:
    """WeasyPrint's options for `variant`: every variant but `none` is tagged."""
    if variant in (None, "none"):
        return {}
    return {"pdf_variant": variant, "pdf_tags": True}

Problem = Callable[[str | None, str], None]
"""Told of each WeasyPrint warning: the stylesheet being read (None while the book is laid
out), and the message."""


@dataclass(frozen=True)
class Stylesheet:
    """A stylesheet of the print, read by kbbook, parsed by WeasyPrint on its own so its
    warnings can name it."""

    text: str
    """The CSS."""
    base_url: str | None
    """What its relative URLs resolve against (its own file's URL), None for kbbook's."""
    source: str
    """How messages name it: the user's file, or kbbook's own."""


class _Collect(logging.Handler):
    """Hands WeasyPrint's log records to a callback while the PDF renders."""

    def __init__(self, level: int, emit: Callable[[logging.LogRecord], None]) -> None:
        super().__init__(level)
        self._emit = emit

    def emit(self, record: logging.LogRecord) -> None:
        self._emit(record)


@contextlib.contextmanager
def _listening(on_problem: Callable[[str], None], on_step: Callable[[str], None] | None
               ) -> Iterator[None]:
    """Route WeasyPrint's warnings to `on_problem` and its progress steps to `on_step`."""
    main = logging.getLogger("weasyprint")
    steps = logging.getLogger("weasyprint.progress")
    problems = _Collect(logging.WARNING, lambda r: on_problem(r.getMessage()))
    saved = (main.level, main.propagate, steps.level, steps.propagate)
    main.addHandler(problems)
    main.setLevel(logging.WARNING)
    main.propagate = False  # ours now: no second copy on the root logger
    step_handler = None
    if on_step is not None:
        step_handler = _Collect(logging.INFO, lambda r: on_step(r.getMessage()))
        steps.addHandler(step_handler)
        steps.setLevel(logging.INFO)
        steps.propagate = False
    try:
        yield
    finally:
        main.removeHandler(problems)
        if step_handler is not None:
            steps.removeHandler(step_handler)
        main.level, main.propagate, steps.level, steps.propagate = saved


def _finisher(document: Any, pdf: Any) -> None:
    """Name kbbook as the producer too (WeasyPrint writes only its own name there)."""
    import pydyf
    import weasyprint

    producer = f"kbbook {__version__} (WeasyPrint {weasyprint.__version__})"
    pdf.info["Producer"] = pydyf.String(producer)


def render_pdf(html: str, base_url: str, stylesheets: Sequence[Stylesheet],
               fetcher: SafeFetcher, target: Path | BinaryIO, *,
               on_problem: Problem, on_step: Callable[[str], None] | None = None,
               dpi: int | None = None, variant: str | None = DEFAULT_VARIANT) -> None:
    """Render `html` with `stylesheets` (in that order, after WeasyPrint's own) to `target`.
    The stylesheets are given as WeasyPrint's user stylesheets, one cascade origin for all:
    the print HTML has none of its own."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    reading: list[str | None] = [None]
    fonts = FontConfiguration()
    with _listening(lambda message: on_problem(reading[0], message), on_step):
        sheets = []
        for sheet in stylesheets:
            reading[0] = sheet.source
            sheets.append(weasyprint.CSS(string=sheet.text, base_url=sheet.base_url,
                                         url_fetcher=fetcher, font_config=fonts))
        reading[0] = None
        weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
            target, stylesheets=sheets, font_config=fonts, finisher=_finisher, dpi=dpi,
            jpeg_quality=JPEG_QUALITY, **variant_options(variant))
