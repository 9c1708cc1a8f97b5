"""The pieces of python-liquid that kbbook replaces: undefined values that say where they
are, text and output nodes that mark the line map, tags that report errors on their own
line, and a render context with kbbook's limits."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from liquid.ast import IllegalNode, Node
from liquid.builtin.content import ContentNode, Literal
from liquid.builtin.output import Output, OutputNode
from liquid.context import RenderContext
from liquid.exceptions import FilterError, LiquidError
from liquid.parser import eat_block
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.template import BoundTemplate
from liquid.token import Token
from liquid.undefined import Undefined
from liquid.utils import ReadOnlyChainMap

from . import limits
from .limits import Run, ValueSizeError
from .ruby import to_s

RAW_RE = re.compile(r"\{%-?\s*raw\s*-?%\}(?P<raw>.*?)\{%-?\s*endraw\s*-?%\}", re.DOTALL)


class JekyllUndefined(Undefined):
    """Renders as nothing, as in Jekyll (strict_variables off), but says where it is.

    Only *printing* an undefined value warns: `{% if page.x %}` and
    `{{ page.x | default: "y" }}` test for it on purpose and stay quiet.
    """

    __slots__ = ()

    def __str__(self) -> str:
        run = limits.current()
        if run is not None:
            token = self.token
            what = self.hint or f"'{self.name}' is undefined"
            run.warn("liquid-undefined", f"{what}; it renders as nothing (as in Jekyll)",
                     token.source if token else None, token.start_index if token else None)
        return ""


# -- nodes that mark the line map ----------------------------------------------------------


def _mark(buffer: Any) -> Callable[[int, int, bool], None] | None:
    return getattr(buffer, "mark", None)


class MarkedContentNode(ContentNode):
    """Template text, marked as a copy of its source."""

    __slots__ = ("offset",)

    def __init__(self, token: Token, text: str) -> None:
        super().__init__(token, text)
        source, start = token.source, token.start_index
        if source.startswith("{%", start):  # the body of {% raw %}
            m = RAW_RE.match(source, start)
            self.offset = m.start("raw") if m else start
        else:  # whitespace control may have stripped the front of the text
            found = source.find(text, start) if text else start
            self.offset = found if found >= 0 else start

    def render_to_output(self, context: RenderContext, buffer: Any) -> int:
        mark = _mark(buffer)
        if mark is None:
            return int(buffer.write(self.text))
        key = id(self.token.source)
        mark(key, self.offset, True)
        written = int(buffer.write(self.text))
        mark(key, self.offset + len(self.text), False)
        return written


class MarkedLiteral(Literal):
    node_class = MarkedContentNode


def _flatten(items: Iterable[Any], out: list[Any], depth: int = 0) -> list[Any]:
    for item in items:
        if isinstance(item, list | tuple) and depth < 100:
            _flatten(item, out, depth + 1)
        else:
            out.append(item)
    return out


def liquid_text(value: object) -> str:
    """What Ruby's Liquid 4 prints for a value: arrays flattened and joined with nothing,
    hashes and times as Ruby prints them (python-liquid would print Python reprs)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "".join(liquid_text(v) for v in _flatten(value, []))
    if isinstance(value, Undefined):
        return str(value)  # (which reports it)
    if isinstance(value, Mapping | dt.datetime | float | bool) or value is None:
        return to_s(value)
    if isinstance(value, range):
        return f"{value.start}..{value.stop - 1}"
    return str(value)


class MarkedOutputNode(OutputNode):
    """`{{ ... }}`, marked as text made on the tag's line."""

    __slots__ = ()

    def render_to_output(self, context: RenderContext, buffer: Any) -> int:
        mark = _mark(buffer)
        if mark is not None:
            mark(id(self.token.source), self.token.start_index, False)
        return int(buffer.write(liquid_text(self.expression.evaluate(context))))


class MarkedOutput(Output):
    node_class = MarkedOutputNode


def mark_generated(buffer: Any, token: Token) -> None:
    """For tags that write text themselves: it is text made on their line."""
    mark = _mark(buffer)
    if mark is not None:
        mark(id(token.source), token.start_index, False)


# -- tags that report errors on the tag that opened them ---------------------------------


def line_aware(tag_class: type[Tag]) -> type[Tag]:
    """The same tag, but an error found at the end of the template (python-liquid gives it
    no line) is pinned on the tag that opened it; and an error in a block tag is flagged
    `kb_repair`, so the page is repaired and parsed again rather than losing the block's
    body."""

    class LineAware(tag_class):  # type: ignore[misc, valid-type]
        def get_node(self, stream: TokenStream) -> Node:
            opener = stream.current
            try:
                return self.parse(stream)  # type: ignore[no-any-return]
            except LiquidError as err:
                if err.token is None or err.token.start_index < 0:
                    err.token = opener
                if self.block or self.name == "output":
                    # keep the tag as text rather than drop its body (or, for {{ }}, the
                    # text after a `{{` never closed, which it swallowed)
                    err.kb_repair = opener  # type: ignore[attr-defined]
                self.env.error(err)
                if self.block and getattr(self, "end", ""):
                    eat_block(stream, (self.end,))
                return IllegalNode(opener)

    LineAware.__name__ = LineAware.__qualname__ = f"LineAware{tag_class.__name__}"
    return LineAware


# -- the render context with kbbook's limits -----------------------------------------------


def _ticking(it: Iterable[Any], run: Run) -> Iterator[Any]:
    for n, item in enumerate(it, start=1):
        if not n & 63:
            run.check_time()
        yield item


def _no_op(left: Any, *args: Any, **kwargs: Any) -> Any:
    return left


def _too_big(value: object, limit: int) -> bool:
    return isinstance(value, str | list | tuple | range | dict) and len(value) > limit


class KbContext(RenderContext):
    """A RenderContext with kbbook's limits (time, iterations, a guard on every filter) and
    without python-liquid's `now` and `today`, which Ruby's Liquid lacks (they would put
    the build's time into the book)."""

    __slots__ = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = ReadOnlyChainMap(self.locals, self.globals, self.counters)

    def loop(self, namespace: Any, forloop: Any) -> Any:
        run = limits.current()
        if run is not None:
            run.check_time()
            run.add_iterations(forloop.length)
            if hasattr(forloop, "it"):
                forloop.it = _ticking(forloop.it, run)
        return super().loop(namespace, forloop)

    def extend(self, namespace: Any, template: Any = None) -> Any:
        run = limits.current()
        if run is not None:
            run.check_time()
        return super().extend(namespace, template)

    def filter(self, name: str, token: Token) -> Callable[..., object]:
        run = limits.current()
        if name not in self.env.filters:
            if run is not None:
                run.warn("liquid-filter", f"unknown filter '{name}' is ignored (Jekyll "
                         "ignores it too, its strict_filters being off)",
                         token.source if token else None, token.start_index if token else None)
            return _no_op
        func = super().filter(name, token)
        if run is None:
            return func
        limit = run.limits.value_size

        def guarded(left: Any, *args: Any, **kwargs: Any) -> Any:
            run.check_time()
            if _too_big(left, limit):
                raise ValueSizeError(f"'{name}' was given a value of more than {limit:,} "
                                     "characters or items", token=token)
            try:
                result = func(left, *args, **kwargs)
            except LiquidError as err:
                if err.token is None:
                    err.token = token
                raise
            except (ArithmeticError, LookupError, ValueError, TypeError, AttributeError,
                    RecursionError) as exc:
                raise FilterError(f"filter '{name}': {exc}", token=token) from None
            if _too_big(result, limit):
                raise ValueSizeError(f"'{name}' made a value of more than {limit:,} "
                                     "characters or items", token=token)
            return result

        return guarded


class KbTemplate(BoundTemplate):
    context_class = KbContext
