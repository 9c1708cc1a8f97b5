"""The state of one page's Liquid render: its limits and deadline, the sources seen, the
problems found.

It lives in a ContextVar so that the undefined values, filters, tags and the output buffer
(which python-liquid creates or calls without passing anything of ours) can reach it; each
thread has its own.
"""

from __future__ import annotations

import contextvars
import time
from dataclasses import dataclass, field

from liquid.exceptions import ResourceLimitError

from .linemap import SourceIndex


class RenderTimeLimitError(ResourceLimitError):
    """The page took longer than `Limits.seconds` to render."""


class IterationBudgetError(ResourceLimitError):
    """All loops of the page together ran more than `Limits.total_iterations` times."""


class ValueSizeError(ResourceLimitError):
    """A filter made or was given a value larger than `Limits.value_size`."""


@dataclass(frozen=True)
class Limits:
    """Bounds for one page, so that a hostile site cannot hang or exhaust kbbook."""

    seconds: float = 5.0
    """Wall-clock time for the Liquid of one page, its includes included."""
    total_iterations: int = 1_000_000
    """Loop iterations of the page added up (python-liquid's `loop_iteration_limit` bounds
    only the product of one nest of loops, not loops one after another)."""
    value_size: int = 4_000_000
    """Characters of a string, or items of an array or range, that a filter may take or
    return (stops `(1..100000000) | sort` and doubling strings before memory runs out)."""
    include_bytes: int = 1_000_000
    """The largest file `include` / `include_relative` reads."""
    source_chars: int = 2_000_000
    """The largest page (or include) given to the lexer at all."""
    markup_count: int = 20_000
    """Most `{{` plus `{%` in one page or include. Parsing is not covered by `seconds`
    (python-liquid parses in one go, about 50-100 us a tag), so this bounds it."""
    output_bytes: int = 8_000_000
    """The most a page's Liquid may write (captures count too)."""


DEFAULT_LIMITS = Limits()

Position = tuple[int, int]
"""(source key, offset): a place in a registered source text."""


@dataclass(eq=False)
class Problem:
    """A warning about a page's Liquid."""

    file: str
    """Site-relative file the problem is in (the page, or an include)."""
    line: int | None
    """1-based line in `file`."""
    page_line: int | None
    """1-based line in the page (of the include tag, for a problem inside an include)."""
    code: str
    """A short stable identifier."""
    message: str
    """What is wrong."""


@dataclass(eq=False)
class Run:
    """One page's render."""

    page_file: str
    limits: Limits
    deadline: float = 0.0
    iterations: int = 0
    sources: dict[int, SourceIndex] = field(default_factory=dict)
    _keep: list[str] = field(default_factory=list)  # keeps the ids of registered texts valid
    problems: list[Problem] = field(default_factory=list)
    _seen: set[tuple[object, ...]] = field(default_factory=set)
    callsite: list[Position] = field(default_factory=list)
    """The include tags being rendered, outermost first."""

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.limits.seconds

    # -- sources -----------------------------------------------------------------------

    def register(self, name: str, text: str, first_line: int = 1) -> int:
        key = id(text)
        if key not in self.sources:
            self.sources[key] = SourceIndex(name, text, first_line)
            self._keep.append(text)
        return key

    def where(self, source: str | None, offset: int | None
              ) -> tuple[str, int | None, int | None]:
        """(file, line in file, line in page) of a source position."""
        index = self.sources.get(id(source)) if source is not None else None
        page_line = self._callsite_line()
        if index is None or offset is None or offset < 0:
            return (index.name if index else self.page_file), None, page_line
        line = index.line(offset)
        if page_line is None:
            page_line = line if index.name == self.page_file else None
        return index.name, line, page_line

    def _callsite_line(self) -> int | None:
        if not self.callsite:
            return None
        key, offset = self.callsite[0]
        return self.sources[key].line(offset)

    # -- problems ----------------------------------------------------------------------

    def _add(self, problem: Problem) -> None:
        key = (problem.file, problem.line, problem.page_line, problem.code, problem.message)
        if key not in self._seen:
            self._seen.add(key)
            self.problems.append(problem)

    def warn(self, code: str, message: str, source: str | None = None,
             offset: int | None = None,
             where: tuple[str, int | None, int | None] | None = None) -> None:
        file, line, page_line = where or self.where(source, offset)
        self._add(Problem(file, line, page_line, code, message))

    def warn_line(self, code: str, message: str, file: str, line: int | None) -> None:
        """A problem already located by line (parse problems, possibly of a cached include)."""
        page_line = self._callsite_line()
        if page_line is None and file == self.page_file:
            page_line = line
        self._add(Problem(file, line, page_line, code, message))

    # -- limits ------------------------------------------------------------------------

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderTimeLimitError(
                f"rendering took longer than {self.limits.seconds:g} s", token=None)

    def add_iterations(self, n: int) -> None:
        self.iterations += n
        if self.iterations > self.limits.total_iterations:
            raise IterationBudgetError(
                f"the page's loops ran more than {self.limits.total_iterations:,} times "
                "in all", token=None)


_CURRENT: contextvars.ContextVar[Run | None] = contextvars.ContextVar("kb_liquid_run",
                                                                      default=None)


def current() -> Run | None:
    """The render under way in this thread, if any."""
    return _CURRENT.get()


def start(run: Run) -> contextvars.Token[Run | None]:
    return _CURRENT.set(run)


def stop(token: contextvars.Token[Run | None]) -> None:
    _CURRENT.reset(token)
