"""The kramdown syntax that just-the-docs sites use, as markdown-it rules.

- block IALs (`{: .note #id key="v"}` on their own line): kramdown applies one to the block
  it directly follows, else to the block it directly precedes, else to nothing;
- `{:toc}` on a one-item list marks the table of contents (filled in later, from the
  page's headings);
- header ids (`## Title {#id}`) and span IALs (`[link](x){: .btn}`);
- HTML blocks with `markdown="1"` / `"block"`, whose content is Markdown (the "Table of
  contents" `<details>` box);
- GFM-style automatic heading ids (kramdown's GFM parser, Jekyll's default input).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.html_blocks import block_names
from markdown_it.rules_block import StateBlock, paragraph
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
_MD_OPEN = re.compile(r"^<([A-Za-z][A-Za-z0-9-]*)(\s[^<>]*)?>\s*$")
_MD_ATTR = re.compile(r"""\s+markdown\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_MAX_HTML_MARKDOWN_DEPTH = 16
_BLOCK_TAG = re.compile(r"^<(" + "|".join(block_names) + r")(?=[\s/>]|$)", re.IGNORECASE)
_SPAN_TAG_LINE = re.compile(
    r"^</?(a|abbr|b|bdi|bdo|br|cite|code|del|dfn|em|i|img|ins|kbd|mark|q|s|samp|small|span"
    r"|strong|sub|sup|time|u|var|wbr)(?=[\s/>])[^<>]*>\s*$", re.IGNORECASE
)


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


PARSE_BLOCK_HTML_TAGS = frozenset({
    "div", "section", "article", "aside", "details", "figure", "footer", "header", "main",
    "nav", "blockquote", "center"})
"""Elements whose content kramdown parses as Markdown under `parse_block_html: true`."""


def html_markdown_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """`<tag markdown="1">` alone on a line, up to a line holding only `</tag>`: the tags stay
    HTML, the lines between are parsed as Markdown. With `kramdown: parse_block_html: true`
    in `_config.yml`, a block element needs no `markdown="1"` (`markdown="0"` opts out)."""
    if state.is_code_block(start):
        return False
    opening = _line(state, start)
    m = _MD_OPEN.match(opening)
    attr = _MD_ATTR.search(m.group(2)) if m and m.group(2) else None
    if m is None:
        return False
    if attr is not None:
        if next(g for g in attr.groups() if g is not None) not in ("1", "block", "span"):
            return False
    elif not (state.md.options.get("kb_parse_block_html")
              and m.group(1).lower() in PARSE_BLOCK_HTML_TAGS):
        return False
    if silent:
        return True
    depth = state.env.get("kb_html_markdown_depth", 0)
    tag = m.group(1).lower()
    close = _closing_line(state, start, end, tag)
    if close is None or depth >= _MAX_HTML_MARKDOWN_DEPTH:
        return False
    token = state.push("html_block", "", 0)
    token.map = [start, start + 1]
    token.content = _MD_ATTR.sub("", opening) + "\n"
    inner = start + 1
    summary_end = _summary_end(state, inner, close) if tag == "details" else None
    if summary_end is not None:
        token = state.push("html_block", "", 0)
        first = state.skipEmptyLines(inner)
        token.map = [first, summary_end]
        token.content = state.getLines(first, summary_end, state.blkIndent, True)
        inner = summary_end
    old_max, old_parent = state.lineMax, state.parentType
    state.lineMax = close
    state.env["kb_html_markdown_depth"] = depth + 1
    try:
        state.md.block.tokenize(state, inner, close)
    finally:
        state.lineMax, state.parentType = old_max, old_parent
        state.env["kb_html_markdown_depth"] = depth
    token = state.push("html_block", "", 0)
    token.map = [close, close + 1]
    token.content = f"</{m.group(1)}>\n"
    state.line = close + 1
    return True


def _closing_line(state: StateBlock, start: int, end: int, tag: str) -> int | None:
    opener = re.compile(rf"<{tag}(?=[\s>/])", re.IGNORECASE)
    closer = re.compile(rf"</{tag}\s*>", re.IGNORECASE)
    depth = 1
    for line in range(start + 1, end):
        text = _line(state, line)
        depth += len(opener.findall(text)) - len(closer.findall(text))
        if depth <= 0:
            return line if depth == 0 and closer.fullmatch(text.strip()) else None
    return None


def _summary_end(state: StateBlock, start: int, end: int) -> int | None:
    """Line after `</summary>` when the block starts with a `<summary>` element."""
    first = state.skipEmptyLines(start)
    if first >= end or not _line(state, first).lower().startswith("<summary"):
        return None
    for line in range(first, end):
        if "</summary>" in _line(state, line).lower():
            return line + 1
    return None


def kramdown_html_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Where kramdown and CommonMark part ways on raw HTML, follow kramdown (what the site
    shows): a block element ends at its closing tag, not at the next blank line, so Markdown
    right after `</div>` is Markdown; and a line holding only a span-level tag such as
    `<img ...>` starts a paragraph instead of a raw HTML block."""
    if state.is_code_block(start) or not state.md.options.get("html"):
        return False
    text = _line(state, start)
    if _SPAN_TAG_LINE.match(text):
        # like CommonMark's "type 7" HTML, it never interrupts a paragraph
        return False if silent else paragraph(state, start, end, silent)
    m = _BLOCK_TAG.match(text)
    if m is None:
        return False
    tag = m.group(1)
    opener = re.compile(rf"<{tag}(?=[\s>/])", re.IGNORECASE)
    closer = re.compile(rf"</{tag}\s*>", re.IGNORECASE)
    depth = 0
    for line in range(start, end):
        if state.isEmpty(line):
            return False  # CommonMark's rule gives the same block
        text = _line(state, line)
        depth += len(opener.findall(text)) - len(closer.findall(text))
        if depth > 0:
            continue
        last = list(closer.finditer(text))
        if depth < 0 or not last or text[last[-1].end() :].strip():
            return False
        if line + 1 >= end or state.isEmpty(line + 1):
            return False
        if silent:
            return True
        token = state.push("html_block", "", 0)
        token.map = [start, line + 1]
        token.content = state.getLines(start, line + 1, state.blkIndent, True)
        state.line = line + 1
        return True
    return False


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
    """Teach `md` the kramdown syntax above."""
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
