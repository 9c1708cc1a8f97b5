"""Jekyll's Liquid, run on each page's Markdown before it is rendered, with python-liquid.

Jekyll runs Liquid on the Markdown (inside code fences too: hence `{% raw %}`), with its own
tags (`include`, `include_relative`, `link`, `post_url`, `highlight`) and filters, and the
`site`, `page` and `jekyll` variables; so does kbbook. An include's text is inserted where
its tag stands, and a line map says where every line of the result comes from, so a
problem found later (a broken link, a missing image) names the file and line it is on:
the include's, "included from" the page's line.

Untrusted sites: nothing is read outside the site, and loops, output, values and time are
bounded (`Limits`); past a limit the page keeps its text as written, with a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ...errors import Diagnostics
from ..config import SiteConfig
from ..pages import Page
from .drops import JekyllSite
from .environment import JekyllEnvironment
from .limits import DEFAULT_LIMITS, Limits, Problem
from .linemap import Lines, Origin
from .render import render_page

__all__ = ["Expanded", "Limits", "Origin", "SiteLiquid"]


@dataclass(frozen=True)
class Expanded:
    """A page's Markdown after Liquid, and where each of its lines comes from."""

    text: str
    """The Markdown."""
    lines: Lines
    """One Origin per line of `text`."""
    page: str
    """The page's source file."""
    body_line: int
    """The file's line on which the page's body starts."""

    def origin(self, line: int) -> Origin:
        """Where the 1-based `line` of `text` comes from (the nearest line for one past the
        end)."""
        if not len(self.lines):
            return Origin(self.page, self.body_line, self.body_line, True)
        return self.lines[min(max(line, 1), len(self.lines)) - 1]

    def page_line(self, line: int) -> int:
        """The page's own line for the 1-based `line` of `text` (an include's tag line)."""
        return self.origin(line).page_line


def _where(problem: Problem, page: Page) -> str:
    if problem.file == page.rel:
        return ""
    at = f":{problem.page_line}" if problem.page_line else ""
    return f" (included from {page.rel}{at})"


class SiteLiquid:
    """The Liquid of one site: one environment, the site's variables, and each page's
    expansion, made once and kept."""

    def __init__(self, config: SiteConfig, pages: Sequence[Page], *,
                 markdownify: Callable[[str], str] | None = None,
                 limits: Limits = DEFAULT_LIMITS) -> None:
        self._pending: list[tuple[str, int | None, str]] = []
        self.env = JekyllEnvironment(config.root, jekyll_major=config.mode.jekyll_major,
                                     limits=limits, includes_dir=config.includes_dir,
                                     markdownify=markdownify)
        self.env.site = JekyllSite(config, pages,
                                   lambda f, line, m: self._pending.append((f, line, m)))
        self._done: dict[str, Expanded] = {}

    def expand(self, page: Page, diagnostics: Diagnostics) -> Expanded:
        """The page's Markdown with its Liquid run; its problems go to `diagnostics` the
        first time."""
        done = self._done.get(page.rel)
        if done is not None:
            return done
        result = render_page(self.env, page)
        for problem in result.problems:
            diagnostics.warning(problem.file, problem.line, problem.code,
                                problem.message + _where(problem, page))
        for file, line, message in self._pending:
            diagnostics.warning(file, line, "data", message)
        self._pending.clear()
        done = self._done[page.rel] = Expanded(result.text, result.lines, page.rel,
                                               page.body_line)
        return done
