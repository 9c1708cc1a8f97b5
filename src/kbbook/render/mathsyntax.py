"""Math in Markdown, kept intact as TeX: markdown-it rules for kramdown's `$$` and for the
delimiters a math engine on the site reads (`\\(...\\)`, `\\[...\\]`, maybe `$...$`).

kramdown's rule: `$$...$$` standing alone between block boundaries (blank lines, the start
or end) is display math; anywhere inside text it is inline math; `\\$$` is no math. The
TeX between the delimiters reaches the tree untouched (no emphasis, no escapes eaten) as
`<code class="kb-tex" data-kb-math="inline|display">TeX</code>`, which `math.py` typesets;
a formula that cannot be typeset stays that code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

TEX_CLASS = "kb-tex"
MATH_ATTR = "data-kb-math"


@dataclass(frozen=True)
class MathSyntax:
    """Which delimiters are math."""

    brackets: bool = False
    """`\\(...\\)` inline and `\\[...\\]` display (MathJax's and KaTeX's defaults)."""
    single_dollar: bool = False
    """`$...$` inline (only where the site's engine is told so)."""


def _closing(src: str, start: int, end: str, limit: int) -> int:
    """Index of `end` in src[start:limit] not preceded by a backslash, else -1."""
    pos = start
    while True:
        found = src.find(end, pos, limit)
        if found < 0:
            return -1
        backslashes = len(src[:found]) - len(src[:found].rstrip("\\"))
        if backslashes % 2 == 0 or end[0] == "\\":
            return found
        pos = found + 1


def _push(state: StateInline, tex: str, display: bool) -> None:
    token = state.push("kb_math_inline", "code", 0)
    token.content = tex
    token.meta = {"display": display}


def math_inline(syntax: MathSyntax):  # type: ignore[no-untyped-def]
    def rule(state: StateInline, silent: bool) -> bool:
        src, pos, limit = state.src, state.pos, state.posMax
        if src.startswith("$$", pos):
            close = _closing(src, pos + 2, "$$", limit)
            if close < 0:
                return False
            if not silent:
                _push(state, src[pos + 2 : close], False)
            state.pos = close + 2
            return True
        if syntax.brackets and src.startswith(("\\(", "\\["), pos):
            end = "\\)" if src[pos + 1] == "(" else "\\]"
            close = _closing(src, pos + 2, end, limit)
            if close < 0:
                return False
            if not silent:
                _push(state, src[pos + 2 : close], end == "\\]")
            state.pos = close + 2
            return True
        if syntax.single_dollar and src.startswith("$", pos) and not src.startswith("$$", pos):
            close = _closing(src, pos + 1, "$", limit)
            if close <= pos + 1 or src[pos + 1].isspace() or src[close - 1].isspace():
                return False
            if close + 1 < limit and src[close + 1].isdigit():
                return False  # "$5 and $6": prices, not math
            if not silent:
                _push(state, src[pos + 1 : close], False)
            state.pos = close + 1
            return True
        return False

    return rule


def _escaped_dollar(state: StateInline, silent: bool) -> bool:
    """`\\$` stays a dollar sign (and `\\$$` no math), as in kramdown."""
    if not state.src.startswith("\\$", state.pos):
        return False
    if not silent:
        state.pending += "$"
    state.pos += 2
    return True


def math_block(syntax: MathSyntax):  # type: ignore[no-untyped-def]
    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if state.is_code_block(start):
            return False
        begin = state.bMarks[start] + state.tShift[start]
        src = state.src
        if src.startswith("$$", begin):
            closer = "$$"
        elif syntax.brackets and src.startswith("\\[", begin):
            closer = "\\]"
        else:
            return False
        # The whole block up to the next blank line; the formula must fill it.
        last = start
        while last + 1 < end and not state.isEmpty(last + 1):
            last += 1
        limit = state.eMarks[last]
        close = _closing(src, begin + 2, closer, limit)
        if close < 0 or src[close + 2 : limit].strip():
            return False
        if silent:
            return True
        token = state.push("kb_math_block", "code", 0)
        token.block = True
        token.content = src[begin + 2 : close]
        token.map = [start, last + 1]
        state.line = last + 1
        return True

    return rule


def _render(tokens: Sequence[Token], idx: int, display: bool) -> str:
    token = tokens[idx]
    line = token.meta.get("kb_line") if token.meta else None
    mark = f' data-kb-line="{line}"' if line is not None else ""
    kind = "display" if display else "inline"
    return (f'<code class="{TEX_CLASS}" {MATH_ATTR}="{kind}"{mark}>'
            f"{escapeHtml(token.content)}</code>")


def _render_inline(self: RendererHTML, tokens: Sequence[Token], idx: int,
                   options: OptionsDict, env: EnvType) -> str:
    return _render(tokens, idx, bool(tokens[idx].meta.get("display")))


def _render_block(self: RendererHTML, tokens: Sequence[Token], idx: int,
                  options: OptionsDict, env: EnvType) -> str:
    line = tokens[idx].map[0] + 1 if tokens[idx].map else None
    tokens[idx].meta = {**(tokens[idx].meta or {}), "kb_line": line}
    return f'<div class="kb-math-block">{_render(tokens, idx, True)}</div>\n'


def math_plugin(md: MarkdownIt, syntax: MathSyntax) -> None:
    """Teach `md` the math delimiters of `syntax` (kramdown's `$$` always)."""
    md.inline.ruler.before("escape", "kb_math_escaped_dollar", _escaped_dollar)
    md.inline.ruler.before("escape", "kb_math_inline", math_inline(syntax))
    md.block.ruler.before("paragraph", "kb_math_block", math_block(syntax),
                          {"alt": []})
    md.add_render_rule("kb_math_inline", _render_inline)
    md.add_render_rule("kb_math_block", _render_block)
