"""Raw HTML blocks as kramdown reads them, as markdown-it rules: an element with
`markdown="1"` / `"block"` whose content is Markdown (also inside a raw HTML block: tabs
holding code), an IAL after its closing tag (`</details> {: .x}`), and block elements that
end at their closing tag rather than at the next blank line."""

from __future__ import annotations

import html
import re

from markdown_it.common.html_blocks import block_names
from markdown_it.rules_block import StateBlock, paragraph

from .kramdown import _IAL_LINE, Ial, _line, parse_ial

_MD_OPEN = re.compile(r"^<([A-Za-z][A-Za-z0-9-]*)(\s[^<>]*)?>\s*$")
_MD_ATTR = re.compile(r"""\s+markdown\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_MAX_HTML_MARKDOWN_DEPTH = 16
_BLOCK_TAG = re.compile(r"^<(" + "|".join(block_names) + r")(?=[\s/>]|$)", re.IGNORECASE)
_SPAN_TAG_LINE = re.compile(
    r"^</?(a|abbr|b|bdi|bdo|br|cite|code|del|dfn|em|i|img|ins|kbd|mark|q|s|samp|small|span"
    r"|strong|sub|sup|time|u|var|wbr)(?=[\s/>])[^<>]*>\s*$", re.IGNORECASE
)


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
    found = _closing_line(state, start, end, tag)
    if found is None or depth >= _MAX_HTML_MARKDOWN_DEPTH:
        return False
    close, ial = found
    token = state.push("html_block", "", 0)
    token.map = [start, start + 1]
    token.content = _with_ial(_MD_ATTR.sub("", opening), ial) + "\n"
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


def _closing_line(state: StateBlock, start: int, end: int, tag: str
                  ) -> tuple[int, Ial] | None:
    """The line holding only the element's `</tag>` (perhaps followed by an IAL,
    `</details> {: .x}`, which then applies to the element), and that IAL."""
    opener = re.compile(rf"<{tag}(?=[\s>/])", re.IGNORECASE)
    closer = re.compile(rf"</{tag}\s*>", re.IGNORECASE)
    depth = 1
    for line in range(start + 1, end):
        text = _line(state, line)
        depth += len(opener.findall(text)) - len(closer.findall(text))
        if depth <= 0:
            m = closer.match(text.strip())
            if depth < 0 or m is None:
                return None
            rest = text.strip()[m.end():].strip()
            ial = _IAL_LINE.match(rest) if rest else None
            if rest and ial is None:
                return None
            return line, parse_ial(ial.group(1)) if ial else Ial()
    return None


_CLASS_ATTR = re.compile(r"""(\sclass\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""",
                         re.IGNORECASE)
_ID_ATTR = re.compile(r"""\sid\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+)""", re.IGNORECASE)


def _with_ial(opening: str, ial: Ial) -> str:
    """An HTML start tag with an IAL's classes, id and attributes added."""
    if ial == Ial():
        return opening
    tag, close = opening.rstrip()[:-1], ">"
    if tag.endswith("/"):
        tag, close = tag[:-1], "/>"
    if ial.classes:
        m = _CLASS_ATTR.search(tag)
        if m:
            old = next(g for g in m.group(2, 3, 4) if g is not None)
            value = html.escape(" ".join([old, *ial.classes]).strip())
            tag = tag[:m.start()] + f'{m.group(1)}"{value}"' + tag[m.end():]
        else:
            tag += f' class="{html.escape(" ".join(ial.classes))}"'
    if ial.id:
        tag = _ID_ATTR.sub("", tag) + f' id="{html.escape(ial.id)}"'
    for key, value in ial.attrs:
        if key.lower() not in ("class", "id") and not key.lower().startswith("on") and not \
                re.search(rf"\s{re.escape(key)}\s*=", tag, re.IGNORECASE):
            tag += f' {key}="{html.escape(value)}"'
    return tag + close


def _summary_end(state: StateBlock, start: int, end: int) -> int | None:
    """Line after `</summary>` when the block starts with a `<summary>` element."""
    first = state.skipEmptyLines(start)
    if first >= end or not _line(state, first).lower().startswith("<summary"):
        return None
    for line in range(first, end):
        if "</summary>" in _line(state, line).lower():
            return line + 1
    return None


def _nested_markdown(state: StateBlock, start: int, end: int) -> int | None:
    """The first line after `start`, before the raw HTML block would end at a blank line,
    that opens an element whose content is Markdown (see `html_markdown_block`)."""
    for line in range(start + 1, end):
        if state.isEmpty(line):
            return None
        if _line(state, line).startswith("<") and html_markdown_block(state, line, end, True):
            m = _MD_OPEN.match(_line(state, line))
            if m and _closing_line(state, line, end, m.group(1).lower()) is not None:
                return line
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
    nested = _nested_markdown(state, start, end)
    if nested is not None:
        # kramdown parses the content of an element with `markdown="1"` as Markdown even
        # inside a raw HTML block (tabs holding code): the raw part ends before it.
        if silent:
            return True
        token = state.push("html_block", "", 0)
        token.map = [start, nested]
        token.content = state.getLines(start, nested, state.blkIndent, True)
        state.line = nested
        return True
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
