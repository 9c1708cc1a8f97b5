"""The printable PDF: the print HTML of printhtml.py rendered by WeasyPrint.

WeasyPrint reads only through `SafeFetcher` (the site folder, kbbook's styles, the user's
stylesheets), its warnings become diagnostics, and its progress steps feed the display.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import Diagnostics
from .fetcher import SafeFetcher
from .nav import Node
from .printhtml import PrintDocument, build_print_document

if TYPE_CHECKING:
    from .build import RenderedBook

__all__ = ["PrintDocument", "build_print_document", "render_document", "write_pdf"]

_DIAGNOSTIC_PATH = "(pdf)"


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


def render_document(document: PrintDocument, target: Path | Any,
                    on_step: Callable[[str], None] | None = None,
                    on_problem: Callable[[str], None] | None = None) -> SafeFetcher:
    """Render `document` to `target` (a path or a binary file) with the safe fetcher."""
    import weasyprint

    fetcher = SafeFetcher(document.policy)
    with _listening(on_problem or (lambda _m: None), on_step):
        weasyprint.HTML(string=document.html, base_url=document.base_url,
                        url_fetcher=fetcher).write_pdf(target, finisher=_finisher)
    return fetcher


class _Progress:
    """What the command is doing, on the terminal (rich), or nothing at all."""

    def __init__(self, enabled: bool) -> None:
        self._progress: Any = None
        self._task: Any = None
        if enabled:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                      TimeElapsedColumn(), console=Console(stderr=True),
                                      transient=True)

    def __enter__(self) -> _Progress:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task("PDF: assembling the print HTML", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def say(self, text: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, description=f"PDF: {text}")

    def weasyprint_step(self, message: str) -> None:
        self.say(describe_step(message))


def describe_step(message: str) -> str:
    """WeasyPrint's progress log line in the words of the progress display."""
    m = re.match(r"Step (\d) - [^-]*(?: - (.*))?$", message)
    if m is None:
        return message
    step, detail = int(m[1]), m[2] or ""
    if step == 5:
        page = re.match(r"Page (\d+)", detail)
        passes = re.match(r"Repagination #(\d+)", detail)
        if page:
            return f"laying out page {page[1]}"
        return f"laying out again for page numbers (pass {passes[1]})" if passes else \
            "laying out pages"
    if step == 2:
        return f"reading stylesheet {detail.rsplit('/', 1)[-1]}" if detail else \
            "reading stylesheets"
    return _STEPS.get(step, message)


_STEPS = {1: "reading the print HTML", 3: "applying the stylesheets",
          4: "building the page boxes", 6: "writing the PDF", 7: "adding the metadata"}


def write_pdf(
    rendered: RenderedBook,
    out: Path,
    *,
    css: tuple[Path, ...] = (),
    paper: str = "a4",
    parts: Sequence[Node] | None = None,
    progress: bool = False,
    diagnostics: Diagnostics | None = None,
) -> None:
    """Write the book (or the subtrees `parts`, a handout) as a PDF at `out`."""
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    with _Progress(progress) as display:
        document = build_print_document(rendered, css=css, paper=paper, parts=parts,
                                        diagnostics=diagnostics)
        display.say("rendering with WeasyPrint")
        problems: list[str] = []
        fetcher = render_document(document, out, on_step=display.weasyprint_step,
                                  on_problem=problems.append)
    for refused in dict.fromkeys(fetcher.refused):
        diagnostics.warning(_DIAGNOSTIC_PATH, None, "pdf-refused", f"not read: {refused}")
    # A refused URL is reported above, with the reason; WeasyPrint's echo of it is noise.
    for message in dict.fromkeys(m for m in problems if "RefusedURL:" not in m):
        diagnostics.warning(_DIAGNOSTIC_PATH, None, "pdf-render", f"WeasyPrint: {message}")
