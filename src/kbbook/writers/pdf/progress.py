"""What `kbbook pdf` is doing, on the terminal (rich), or nothing at all."""

from __future__ import annotations

import re
from typing import Any


class Progress:
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

    def __enter__(self) -> Progress:
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
