"""kramdown's extensions (`{::name ... /}` and `{::name}...{:/name}`), which sites bring in
with shared includes (just-the-docs' "Table of contents" block ends with
`{::options toc_levels="2" /}`):

- `options` is read for `toc_levels` (which headings `{:toc}` lists) and leaves no text;
- `comment` leaves nothing; `nomarkdown` passes its text through as raw HTML;
- any other extension is dropped, as kramdown drops (and warns about) one it does not know.

Also kramdown's link definitions, whose URL (unlike CommonMark's) may hold spaces: a stray
word after it (`[x]: /a.html#b %}`, a typo the site never shows) leaves no text behind.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import normalizeReference
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore

_SELF_CLOSING = re.compile(r"^\{::(\w+)((?:\s[^{}]*)?)/\}\s*$")
_OPENING = re.compile(r"^\{::(\w+)((?:\s[^{}]*)?)\}\s*$")
_OPTION = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
TOC_LEVELS_ATTR = "data-kb-toc-levels"
# kramdown's LINK_DEFINITION_START, for one line
_LINK_DEFINITION = re.compile(
    r"""^\[([^\n\]]+)\]:[ \t]*(?:<(.*?)>|(\S.*?))(?:[ \t]+(["'])(.+?)\4)?[ \t]*$""")


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]]


def _options(state: StateBlock, text: str) -> None:
    for m in _OPTION.finditer(text):
        value = next(g for g in m.groups()[1:] if g is not None)
        if m.group(1) == "toc_levels":
            state.env["kb_toc_levels"] = value


def extension_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.is_code_block(start):
        return False
    text = _line(state, start)
    if not text.startswith("{::"):
        return False
    one = _SELF_CLOSING.match(text)
    if one is not None:
        if silent:
            return True
        if one.group(1) == "options":
            _options(state, one.group(2))
        token = state.push("kramdown_extension", "", 0)
        token.map = [start, start + 1]
        token.hidden = True
        state.line = start + 1
        return True
    block = _OPENING.match(text)
    if block is None:
        return False
    name = block.group(1)
    closing = re.compile(rf"^\{{:/(?:{name})?\}}\s*$")
    close = next((n for n in range(start + 1, end) if closing.match(_line(state, n))), None)
    if close is None:
        return False
    if silent:
        return True
    if name == "nomarkdown":
        token = state.push("html_block", "", 0)
        token.content = state.getLines(start + 1, close, state.blkIndent, True)
    else:
        token = state.push("kramdown_extension", "", 0)
        token.hidden = True
    token.map = [start, close + 1]
    state.line = close + 1
    return True


def link_definition(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A link definition whose URL holds a space: CommonMark would show it as text."""
    if state.is_code_block(start):
        return False
    m = _LINK_DEFINITION.match(_line(state, start))
    if m is None or m.group(2) is not None or not re.search(r"\s", m.group(3)):
        return False  # (CommonMark's own rule reads the others)
    if silent:
        return True
    references = state.env.setdefault("references", {})
    label = normalizeReference(m.group(1))
    references.setdefault(label, {"title": m.group(5) or "", "href": m.group(3),
                                  "map": [start, start + 1]})
    state.line = start + 1
    return True


def _toc_levels(state: StateCore) -> None:
    levels = state.env.get("kb_toc_levels")
    if not levels:
        return
    for token in state.tokens:
        if token.attrGet("data-kb-toc") is not None:
            token.attrSet(TOC_LEVELS_ATTR, str(levels))


def parse_levels(text: str | None, default: tuple[int, ...]) -> tuple[int, ...]:
    """kramdown's `toc_levels`: `2`, `2..3` or `1,2,3`."""
    if not text:
        return default
    m = re.fullmatch(r"\s*([1-6])\s*\.\.\s*([1-6])\s*", text)
    if m:
        return tuple(range(int(m.group(1)), int(m.group(2)) + 1))
    found = tuple(int(n) for n in re.findall(r"[1-6]", text))
    return found or default


def extensions_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before("paragraph", "kramdown_extension", extension_block,
                          {"alt": ["paragraph", "reference", "blockquote"]})
    md.block.ruler.before("reference", "kramdown_link_definition", link_definition)
    md.core.ruler.push("kramdown_toc_levels", _toc_levels)
    md.add_render_rule("kramdown_extension", lambda *args: "")
