"""One page's Liquid: the Markdown for markdown-it, a line map, and the problems found."""

from __future__ import annotations

from dataclasses import dataclass, field

from liquid.exceptions import ResourceLimitError

from ..pages import Page
from . import limits
from .environment import JekyllEnvironment
from .limits import Problem, Run
from .linemap import IdentityLineMap, Lines, MappedBuffer
from .nodes import KbContext


@dataclass(frozen=True)
class RenderResult:
    """A page after Liquid."""

    text: str
    """The Markdown."""
    lines: Lines
    """`lines[i]` says where line i+1 of `text` comes from."""
    problems: tuple[Problem, ...] = field(default=())
    """What went wrong, each with its file and line."""
    liquid_ran: bool = True
    """False when the page's Liquid was abandoned (a limit) and `text` is the source."""


def _identity(page: Page) -> IdentityLineMap:
    body = page.body
    count = body.count("\n") + (0 if body.endswith("\n") or not body else 1)
    return IdentityLineMap(page.rel, page.body_line, count)


def render_page(env: JekyllEnvironment, page: Page) -> RenderResult:
    """The page's Liquid run as Jekyll runs it; never raises."""
    body = page.body
    # Jekyll 4 honours `render_with_liquid: false`; Jekyll 3 renders the Liquid anyway.
    skip = env.jekyll_major >= 4 and page.meta.get("render_with_liquid") is False
    if skip or ("{%" not in body and "{{" not in body):
        return RenderResult(body, _identity(page))
    run = Run(page.rel, env.limits)
    reset = limits.start(run)
    try:
        try:
            template = env.parse_file(body, page.rel, page.body_line)
            page_key = next(k for k, v in run.sources.items() if v.name == page.rel)
            for code, line, message in getattr(template, "kb_problems", ()):
                run.warn_line(code, message, page.rel, line)
            context = KbContext(template, globals=template.make_globals(
                env.site.globals_for(page)))
            buffer = MappedBuffer(env.output_stream_limit, run.callsite, run.check_time)
            template.render_with_context(context, buffer)
            return RenderResult(buffer.getvalue(), buffer.line_map(run.sources, page_key),
                                tuple(run.problems))
        except ResourceLimitError as err:
            tok = err.token
            run.callsite.clear()
            run.warn("liquid-limit", f"{err.message}; the page's Liquid is not run and its "
                     "text is kept as written",
                     tok.source if tok else None, tok.start_index if tok else None,
                     where=getattr(err, "kb_where", None))
        except Exception as err:  # a bug, or Python's own limits: one page never stops the book
            run.callsite.clear()
            run.warn("liquid-error", f"{type(err).__name__}: {err}; the page's Liquid is "
                     "not run and its text is kept as written")
        return RenderResult(body, _identity(page), tuple(run.problems), False)
    finally:
        limits.stop(reset)
