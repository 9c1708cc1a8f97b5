"""The kramdown syntax that just-the-docs sites use, as markdown-it rules.

- block IALs (`{: .note #id key="v"}` on their own line): kramdown applies one to the block
  it directly follows, else to the block it directly precedes, else to nothing;
- `{:toc}` on a one-item list marks the table of contents (filled in later, from the
  page's headings);
- header ids (`## Title {#id}`) and span IALs (`[link](x){: .btn}`);
- HTML blocks with `markdown="1"` / `"block"`, whose content is Markdown (the "Table of
  contents" `<details>` box), and raw HTML blocks ending as kramdown ends them
  (`kramdown_html.py`);
- GFM-style automatic heading ids (kramdown's GFM parser, Jekyll's default input).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

_IAL_LINE = re.compile(r"^\{:(?!:)(.*)\}\s*$")
_ALD_LINE = re.compile(r"^\{:[\w][\w-]*:.*\}\s*$")
_IAL_PART = re.compile(
    r"""\.([^\s.#{}"'=]+)|#([^\s.#{}"'=]+)|([A-Za-z_][\w:.-]*)=(?:"([^"]*)"|'([^']*)'|([^\s"']*))"""
    r"""|([A-Za-z_][\w-]*)"""
)
_HEADER_ATTRS = re.compile(r"^(.*?)[ \t]*\{(#[A-Za-z][\w:.-]*|:[^{}\n]*)\}[ \t]*$", re.DOTALL)
_SPAN_IAL = re.compile(r"\{:([^{}\n]*)\}")


@dataclass(frozen=True)
class Ial:
    """What an inline attribute list says."""

    classes: tuple[str, ...] = ()
    """`.name` parts."""
    id: str | None = None
    """The last `#name` part."""
    attrs: tuple[tuple[str, str], ...] = ()
    """`key="value"` parts."""
    refs: tuple[str, ...] = ()
    """Bare names (references to attribute list definitions, e.g. `toc`)."""

    def __add__(self, other: Ial) -> Ial:
        return Ial(self.classes + other.classes, other.id or self.id,
                   self.attrs + other.attrs, self.refs + other.refs)


def parse_ial(text: str) -> Ial:
    classes, attrs, refs = [], [], []
    ident = None
    for m in _IAL_PART.finditer(text):
        if m.group(1):
            classes.append(m.group(1))
        elif m.group(2):
            ident = m.group(2)
        elif m.group(3):
            value = next((g for g in m.group(4, 5, 6) if g is not None), "")
            attrs.append((m.group(3), value))
        elif m.group(7):
            refs.append(m.group(7))
    return Ial(tuple(classes), ident, tuple(attrs), tuple(refs))


def apply_ial(token: Token, ial: Ial) -> None:
    """Add the IAL's attributes to an opening (or self-contained) token."""
    for name in ial.classes:
        token.attrJoin("class", name)
    if ial.id:
        token.attrSet("id", ial.id)
    for key, value in ial.attrs:
        if key.lower() not in ("class", "id") and not key.lower().startswith("on"):
            token.attrSet(key, value)
    if "toc" in ial.refs and token.type in ("bullet_list_open", "ordered_list_open"):
        token.attrSet("data-kb-toc", "1")


def gfm_slug(text: str) -> str:
    """kramdown's GFM heading id: lowercase, keep word characters, '-', spaces and tabs, then
    spaces and tabs to '-'. `--` and `---` are dashes to kramdown (typographic symbols), so
    they vanish too. Emoji and punctuation disappear; the result may be empty."""
    text = re.sub(r"---|--", "", text).lower()
    text = re.sub(r"[^\w\- \t]", "", text)
    return re.sub(r"[ \t]", "-", text)


# -- source pre-pass -----------------------------------------------------------------------

_QUOTE_IAL = re.compile(r"^( {0,3}(?:>[ \t]?)+)\{:(?!:)[^}\n]*\}[ \t]*$")
_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def lazy_quote_ials(text: str) -> str:
    """A kramdown blockquote runs to the next blank line, `>` or not, so in

        > {: .highlight }
        A paragraph.

    the paragraph is inside the quote and takes the IAL. CommonMark would end the quote after
    the IAL line; this gives the lines that follow it their `>` (every line stays where it
    was). Lines inside code fences are left alone."""
    if "{:" not in text:
        return text
    lines = text.split("\n")
    prefix: str | None = None
    fence: str | None = None
    for i, line in enumerate(lines):
        if prefix is not None:
            if line.strip() and not line.lstrip().startswith(">"):
                lines[i] = prefix + line
                continue
            prefix = None
        marker = _FENCE_LINE.match(line)
        if marker is not None:
            fence = None if fence and marker.group(1).startswith(fence) else (
                fence or marker.group(1)[:3])
        elif fence is None and (m := _QUOTE_IAL.match(line)):
            prefix = m.group(1) if m.group(1).endswith((" ", "\t")) else m.group(1) + " "
    return "\n".join(lines)


# -- block rules ---------------------------------------------------------------------------


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _is_ial_line(state: StateBlock, line: int) -> bool:
    if state.is_code_block(line):
        return False
    text = _line(state, line)
    return text.startswith("{:") and bool(_IAL_LINE.match(text) or _ALD_LINE.match(text))


def ial_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """One or more consecutive IAL (or ALD) lines become one hidden `kramdown_ial` token."""
    if not _is_ial_line(state, start):
        return False
    if silent:
        return True
    line = start
    ial = Ial()
    while line < end and _is_ial_line(state, line):
        text = _line(state, line)
        if not _ALD_LINE.match(text):
            m = _IAL_LINE.match(text)
            ial = ial + parse_ial(m.group(1) if m else "")
        line += 1
    token = state.push("kramdown_ial", "", 0)
    token.map = [start, line]
    token.meta = {"ial": ial}
    token.hidden = True
    state.line = line
    return True


# -- core rules ----------------------------------------------------------------------------


def _blank_lines(src: str) -> list[bool]:
    return [not line.strip() for line in src.split("\n")]


def _previous_sibling(tokens: Sequence[Token], i: int) -> Token | None:
    level = tokens[i].level
    depth = 0
    for j in range(i - 1, -1, -1):
        tok = tokens[j]
        if tok.level < level:
            return None
        if tok.level > level:
            continue
        if tok.nesting == -1:
            depth += 1
        elif tok.nesting == 1:
            depth -= 1
            if depth == 0:
                return tok
        elif depth == 0:
            return tok
    return None


def _next_sibling(tokens: Sequence[Token], i: int) -> Token | None:
    level = tokens[i].level
    for tok in tokens[i + 1 :]:
        if tok.level < level:
            return None
        if tok.level == level and tok.nesting >= 0:
            return tok
    return None


def _can_take(token: Token | None) -> bool:
    return token is not None and token.map is not None and token.type not in (
        "html_block", "kramdown_ial"
    )


def apply_block_ials(state: StateCore) -> None:
    """Attach each IAL token's attributes to the block kramdown would give them to."""
    tokens = state.tokens
    blank = _blank_lines(state.src)
    for i, token in enumerate(tokens):
        if token.type != "kramdown_ial" or token.map is None:
            continue
        first, after = token.map
        prev = _previous_sibling(tokens, i)
        nxt = _next_sibling(tokens, i)
        target = None
        if (prev is not None and prev.map is not None and first > 0 and not blank[first - 1]
                and prev.map[0] <= first - 1 < prev.map[1]):
            target = prev
        elif nxt is not None and nxt.map is not None and nxt.map[0] == after:
            target = nxt
        if target is not None and _can_take(target):
            apply_ial(target, token.meta["ial"])


def header_attributes(state: StateCore) -> None:
    """`## Title {#id}` (and `## Title {: .class}`): strip the braces, set the attributes."""
    tokens = state.tokens
    for i, token in enumerate(tokens[:-1]):
        if token.type != "heading_open":
            continue
        inline = tokens[i + 1]
        m = _HEADER_ATTRS.match(inline.content)
        if m is None or not m.group(1).strip():
            continue
        inline.content = m.group(1)
        spec = m.group(2)
        apply_ial(token, Ial(id=spec[1:]) if spec.startswith("#") else parse_ial(spec[1:]))


# -- inline rule ---------------------------------------------------------------------------


def span_ial(state: StateInline, silent: bool) -> bool:
    """`{: ...}` inside a paragraph becomes a hidden marker token; `apply_span_ials` gives
    its attributes to the element right before it once emphasis is resolved."""
    if state.src[state.pos : state.pos + 2] != "{:":
        return False
    m = _SPAN_IAL.match(state.src, state.pos)
    if m is None:
        return False
    if not silent:
        token = state.push("kramdown_span_ial", "", 0)
        token.meta = {"ial": parse_ial(m.group(1))}
    state.pos = m.end()
    return True


def apply_span_ials(state: StateCore) -> None:
    """A span IAL right after a link, emphasis, code span or image applies to it; elsewhere
    it is dropped (kramdown would apply it to the text before, which has no element)."""
    for token in state.tokens:
        children = token.children
        if token.type != "inline" or not children:
            continue
        for i, child in enumerate(children):
            if child.type == "kramdown_span_ial":
                target = _span_target(children[:i])
                if target is not None:
                    apply_ial(target, child.meta["ial"])
        token.children = [c for c in children if c.type != "kramdown_span_ial"]


def _span_target(tokens: list[Token]) -> Token | None:
    while tokens and tokens[-1].type == "text" and not tokens[-1].content:
        tokens = tokens[:-1]  # what is left of emphasis delimiters
    if not tokens:
        return None
    last = tokens[-1]
    if last.type in ("image", "code_inline"):
        return last
    if last.nesting == -1:
        depth = 0
        for tok in reversed(tokens):
            depth += tok.nesting
            if depth == 0:
                return tok
    return None


def kramdown_plugin(md: MarkdownIt) -> None:
    """Teach `md` the kramdown syntax above (and the raw HTML rules of kramdown_html.py)."""
    from .kramdown_html import html_markdown_block, kramdown_html_block
    alt = ["paragraph", "reference", "blockquote", "list"]
    md.block.ruler.before("table", "kramdown_ial", ial_block, {"alt": alt})
    md.block.ruler.before("html_block", "html_markdown", html_markdown_block,
                          {"alt": ["paragraph", "reference", "blockquote"]})
    md.block.ruler.before("html_block", "kramdown_html", kramdown_html_block,
                          {"alt": ["paragraph", "reference", "blockquote"]})
    md.core.ruler.after("block", "kramdown_block_ial", apply_block_ials)
    md.core.ruler.after("kramdown_block_ial", "kramdown_header_attrs", header_attributes)
    md.inline.ruler.push("kramdown_span_ial", span_ial)
    md.core.ruler.after("inline", "kramdown_span_ial", apply_span_ials)
    md.add_render_rule("kramdown_ial", lambda *args: "")
