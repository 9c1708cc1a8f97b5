"""A python-liquid Environment that runs a page's Liquid as Jekyll (Liquid 4.0) does, with
kbbook's limits, and that never loses the author's text over a broken tag.

Extension points used (public API of python-liquid 2.3): `Environment.add_tag` and
`add_filter`; a loader (`loader.py`); `undefined=`; `Environment.error()`, which every parse
and render error goes through in WARN mode (overridden to collect them); the limits given as
instance attributes; `template_class` for kbbook's render context.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from pathlib import Path
from typing import Any

from liquid import Environment, Mode
from liquid.exceptions import (
    LiquidError,
    LiquidSyntaxError,
    ResourceLimitError,
    TemplateNotFoundError,
    UnknownFilterError,
)
from liquid.template import BoundTemplate
from liquid.token import TOKEN_CONTENT, Token

from . import limits
from .limits import DEFAULT_LIMITS, Limits
from .loader import SiteIncludeLoader
from .nodes import (
    JekyllUndefined,
    KbTemplate,
    MarkedContentNode,
    MarkedLiteral,
    MarkedOutput,
    line_aware,
)

RAW_OPEN, RAW_CLOSE = "{% raw %}", "{% endraw %}"
# python-liquid's tags that Liquid 4.0 (Jekyll 3.10 and 4.3) lacks: unknown there, so here.
NOT_IN_LIQUID4 = ("render", "echo", "liquid", "#", "doc")
MAX_REPAIRS = 50
ParseProblem = tuple[str, int | None, str]
"""(code, line, message) found while parsing a file."""

_PARSE_LOG: contextvars.ContextVar[list[LiquidError] | None] = contextvars.ContextVar(
    "kb_parse_log", default=None)


def _snippet(text: str, pos: int) -> str:
    """The tag at `pos` as written, on one line, for messages."""
    ends = [i for i in (text.find("}}", pos), text.find("%}", pos)) if i >= 0]
    end = min(ends) + 2 if ends else len(text)
    eol = text.find("\n", pos)
    if 0 <= eol < end:
        end = eol
    snippet = text[pos:end]
    return snippet if len(snippet) <= 60 else snippet[:57] + "..."


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, max(offset, 0)) + 1


def describe(err: LiquidError) -> tuple[str, str]:
    """(code, message) for a python-liquid error, in words for kbbook's users."""
    message = str(err.message)
    token = err.token
    if isinstance(err, TemplateNotFoundError):
        return "liquid-include", f"{message.strip(chr(39))}; nothing is inserted"
    if isinstance(err, UnknownFilterError):
        return "liquid-filter", message
    if isinstance(err, LiquidSyntaxError):
        if message.startswith("unexpected tag") and token is not None:
            name = token.value
            if name == "raw":
                return "liquid-syntax", "{% raw %} is never closed by {% endraw %}; removed"
            if name.startswith("end") or name in ("else", "elsif", "when"):
                return "liquid-syntax", f"'{{% {name} %}}' closes nothing; removed"
            return "liquid-tag", (f"Liquid tag '{{% {name} %}}' is not known to kbbook "
                                  "(a Jekyll plugin's?); removed")
        return "liquid-syntax", message
    return "liquid-render", message


class JekyllEnvironment(Environment):
    """One per site (python-liquid caches a parser per Environment)."""

    template_class = KbTemplate

    def __init__(self, site_root: Path, *, jekyll_major: int = 4, limits: Limits = DEFAULT_LIMITS,
                 includes_dir: str = "_includes",
                 markdownify: Callable[[str], str] | None = None) -> None:
        self.jekyll_major = jekyll_major
        self.limits = limits
        self.markdownify = markdownify
        self.site: Any = None  # the site's variables (drops.JekyllSite), set by its owner
        # python-liquid's own limits (instance attributes shadow the class variables)
        self.loop_iteration_limit = 100_000       # the product of one nest of loops
        self.output_stream_limit = limits.output_bytes
        self.local_namespace_limit = 16_000_000   # sys.getsizeof of assigned values
        self.context_depth_limit = 30             # include within include within ...
        self.block_nesting_limit = 30             # {% if %} within {% for %} within ...
        super().__init__(
            tolerance=Mode.WARN,  # errors go to self.error(), which collects them
            loader=SiteIncludeLoader(site_root, includes_dir=includes_dir,
                                     max_bytes=limits.include_bytes, jekyll_major=jekyll_major),
            undefined=JekyllUndefined,
            strict_filters=True,  # unknown filters are reported (and ignored) by KbContext
        )

    def setup_tags_and_filters(self, *, extra: bool = False) -> None:
        super().setup_tags_and_filters(extra=False)
        from . import filters_lists, filters_text, tags

        for name in NOT_IN_LIQUID4:
            self.tags.pop(name, None)
        self.add_tag(MarkedLiteral)
        self.add_tag(MarkedOutput)
        for tag in tags.JEKYLL_TAGS:
            self.add_tag(tag)
        for name, tag_obj in list(self.tags.items()):
            if name not in ("content", "illegal"):
                self.tags[name] = line_aware(type(tag_obj))(self)
        for name, func in {**filters_text.FILTERS, **filters_lists.FILTERS}.items():
            self.add_filter(name, func)

    # -- errors ----------------------------------------------------------------------------

    def error(self, exc: Any, msg: str | None = None, token: Token | None = None) -> None:
        if not isinstance(exc, LiquidError):
            exc = exc(msg, token=token)
        elif not exc.token:
            exc.token = token
        if isinstance(exc, ResourceLimitError):
            # the page is abandoned (its text kept as written); note where, while the
            # include tags being rendered are still known
            run = limits.current()
            if run is not None and not hasattr(exc, "kb_where"):
                tok = exc.token
                exc.kb_where = run.where(tok.source if tok else None,  # type: ignore[attr-defined]
                                         tok.start_index if tok else None)
            raise exc
        log = _PARSE_LOG.get()
        if log is not None:
            log.append(exc)
            return
        run = limits.current()
        if run is None:
            raise exc
        code, message = describe(exc)
        tok = exc.token
        run.warn(code, message, tok.source if tok else None, tok.start_index if tok else None)

    # -- parsing, with repairs ---------------------------------------------------------------

    def register_source(self, name: str, text: str, first_line: int = 1) -> None:
        run = limits.current()
        if run is not None:
            run.register(name, text, first_line)

    def parse_file(self, text: str, name: str, first_line: int = 1) -> BoundTemplate:
        """Parse `text` (from the file `name`, starting on its line `first_line`); never
        raises.

        Errors that would lose text (a `{{` or `{%` never closed; a block never ended or
        whose own markup is wrong, which python-liquid drops with its whole body) are
        repaired: that tag's `{%` or `{{` becomes literal text and the file is parsed
        again, so the tag shows as written and its body renders. Other errors drop only
        their tag. Each repair and error becomes a problem, `template.kb_problems`.
        """
        repairs: list[ParseProblem] = []
        if len(text) > self.limits.source_chars:
            repairs.append(("liquid-limit", None, f"more than {self.limits.source_chars:,} "
                            "characters: its Liquid is not run, the text is kept as written"))
            return self._text_template(text, name, first_line, repairs)
        markup = text.count("{{") + text.count("{%")
        if markup > self.limits.markup_count:
            repairs.append(("liquid-limit", None, f"{markup:,} Liquid tags (more than "
                            f"{self.limits.markup_count:,}): its Liquid is not run, the text "
                            "is kept as written"))
            return self._text_template(text, name, first_line, repairs)
        original = text
        for _attempt in range(MAX_REPAIRS):
            log: list[LiquidError] = []
            reset = _PARSE_LOG.set(log)
            try:
                template = self.from_string(text, name=name, path=name)
            except ResourceLimitError as err:  # block_nesting_limit
                repairs.append(("liquid-limit", None, f"{err.message}: its Liquid is not "
                                "run, the text is kept as written"))
                return self._text_template(text, name, first_line, repairs)
            except LiquidError as err:  # from the lexer: a delimiter never closed
                fixed = self._unclosed(text, err, original, first_line, repairs)
                if fixed is None:
                    break
                text = fixed
                continue
            finally:
                _PARSE_LOG.reset(reset)
            fixed = self._repair(text, log, first_line, repairs)
            if fixed is not None:
                text = fixed
                continue
            self.register_source(name, text, first_line)
            problems = list(repairs)
            for err in log:
                code, message = describe(err)
                tok = err.token
                line = (first_line - 1 + _line(text, tok.start_index)
                        if tok is not None and tok.start_index >= 0 else None)
                problems.append((code, line, message))
            template.kb_problems = problems  # type: ignore[attr-defined]
            return template
        repairs.append(("liquid-syntax", None, "its Liquid could not be repaired; the text "
                        "is kept as written"))
        return self._text_template(original, name, first_line, repairs)

    def _unclosed(self, text: str, err: LiquidError, original: str, first_line: int,
                  repairs: list[ParseProblem]) -> str | None:
        """The text with an unclosed `{{` / `{%` made literal (and every later one, when
        nothing after can close it), or None when the error is something else."""
        pos = err.token.start_index if err.token else -1
        if pos < 0 or text[pos:pos + 2] not in ("{{", "{%"):
            return None
        snippet = _snippet(text, pos)
        opener = text[pos:pos + 2]
        closer = "}}" if opener == "{{" else "%}"
        more = ""
        if text.find(closer, pos) < 0:
            n = text.count(opener, pos)
            text = text[:pos] + text[pos:].replace(opener, RAW_OPEN + opener + RAW_CLOSE)
            more = f" (and {n - 1} more after it)" if n > 1 else ""
        else:
            text = text[:pos] + RAW_OPEN + opener + RAW_CLOSE + text[pos + 2:]
        repairs.append(("liquid-syntax", first_line - 1 + _line(original, pos),
                        f"'{snippet}' opens a Liquid tag that is never closed{more}; kept "
                        "as text"))
        return text

    def _repair(self, text: str, log: list[LiquidError], first_line: int,
                repairs: list[ParseProblem]) -> str | None:
        """The text with the innermost broken block's opening tag made literal, or None
        when nothing needs repairing."""
        raw = next((e for e in log if e.token is not None and e.token.kind == "tag"
                    and e.token.value == "raw"), None)
        if raw is not None and raw.token is not None:  # {% raw %} never closed: to the end
            repairs.append(("liquid-syntax", first_line - 1 + _line(text, raw.token.start_index),
                            "{% raw %} is never closed by {% endraw %}; the rest of the "
                            "file is kept as text"))
            return text + RAW_CLOSE
        for e in log:
            tok = e.token
            if (tok is not None and tok.kind == "tag" and isinstance(e, LiquidSyntaxError)
                    and str(e.message).startswith("unexpected tag")):
                close = text.find("%}", tok.start_index)
                inner = text[tok.start_index:close if close >= 0 else len(text)]
                if "{%" in inner or "{{" in inner:  # it ran on into later tags
                    e.kb_repair = tok  # type: ignore[attr-defined]
        broken = [e for e in log if getattr(e, "kb_repair", None) is not None]
        if not broken:
            return None
        # the innermost (last) broken block first: an unclosed block inside another makes
        # the outer one look unclosed too
        err = max(broken, key=lambda e: e.kb_repair.start_index)  # type: ignore[attr-defined]
        pos = err.kb_repair.start_index  # type: ignore[attr-defined]
        if not text.startswith("{{", pos):
            pos = text.rfind("{%", 0, pos + 1)
        if pos < 0:
            return None
        reason = str(err.message)
        if reason.startswith("expected tag end") or "never closed" in reason:
            reason = "it is never closed"
        repairs.append(("liquid-syntax", first_line - 1 + _line(text, pos),
                        f"'{_snippet(text, pos)}': {reason}; the tag is kept as text"))
        return text[:pos] + RAW_OPEN + text[pos:pos + 2] + RAW_CLOSE + text[pos + 2:]

    def _text_template(self, text: str, name: str, first_line: int,
                       problems: list[ParseProblem]) -> BoundTemplate:
        """A template that writes `text` as it is (no Liquid)."""
        token = Token(TOKEN_CONTENT, text, 0, text)
        template = self.template_class(self, [MarkedContentNode(token, text)], name=name,
                                       path=name)
        self.register_source(name, text, first_line)
        template.kb_problems = problems  # type: ignore[attr-defined]
        return template

