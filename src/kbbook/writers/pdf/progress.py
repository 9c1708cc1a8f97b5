"""What `kbbook pdf` is doing: on a terminal (rich) a line with the pages laid out of about
how many, the chunk, the time spent and the time left; off a terminal, with `--verbose`, one
line per stage; otherwise nothing at all."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from typing import Any


class Progress:
    """What the command is doing, on the terminal (rich), as lines (`verbose`), or nothing."""

    def __init__(self, enabled: bool, verbose: bool = False) -> None:
        self._progress: Any = None
        self._task: Any = None
        self._verbose = verbose and not enabled
        self._start = time.monotonic()
        self._chunks = 0
        self._estimate: Callable[[], int] = lambda: 0
        self._pages: dict[int, int] = {}
        self._done: set[int] = set()
        self._stage = ""
        if enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                      BarColumn(bar_width=24), TimeElapsedColumn(),
                                      TextColumn("left"), TimeRemainingColumn(),
                                      console=Console(stderr=True), transient=True)

    def __enter__(self) -> Progress:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task("PDF: assembling the print HTML", total=None)
        elif self._verbose:
            self._line("assembling the print HTML")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def _line(self, text: str) -> None:
        print(f"kbbook: pdf: {text} ({time.monotonic() - self._start:.1f} s)",
              file=sys.stderr, flush=True)

    def say(self, text: str, chunks: int = 0, pages: int = 0) -> None:
        """A new stage; one that lays out `chunks` chunks of about `pages` pages shows
        their progress."""
        self._stage = text.split(":")[0]
        if chunks:
            self._chunks = chunks
            self._estimate = lambda: pages
        if self._progress is not None:
            self._pages.clear()
            self._done.clear()
            # A stage of its own speed: the time left is not measured on the last one.
            self._progress.reset(self._task, description=f"PDF: {text}", total=pages or None)
        elif self._verbose:
            self._line(text)

    def page(self, chunk: int, number: int) -> None:
        """Page `number` of chunk `chunk` is being laid out."""
        if self._progress is None:
            return
        self._pages[chunk] = max(number, self._pages.get(chunk, 0))
        if number == 1:
            self._done.add(chunk)
        laid_out = sum(self._pages.values())
        total = max(self._estimate(), laid_out, 1)
        self._progress.update(
            self._task, total=total, completed=laid_out,
            description=f"PDF: {self._stage}: page {laid_out} of about {total}, "
                        f"chunk {len(self._done)} of {self._chunks}")

    def weasyprint_step(self, message: str) -> None:
        """A progress line of WeasyPrint's own (one document for the whole book)."""
        if self._progress is not None:
            self._progress.update(self._task, description=f"PDF: {describe_step(message)}")


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
