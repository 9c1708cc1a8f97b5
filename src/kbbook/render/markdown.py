"""The one configured MarkdownIt: CommonMark with GFM tables, strikethrough and task lists,
footnotes, definition lists, raw HTML and kramdown's syntax (`kramdown.py`), with render
rules that mark each block's source line for later messages."""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from .highlight import highlight_code, language
from .html import prepare_raw_html
from .kramdown import kramdown_plugin
from .kramdown_ext import extensions_plugin
from .mathsyntax import MathSyntax, math_plugin
from .typography import ENGLISH, Quotes, typography_plugin

MAX_NESTING = 64
"""markdown-it's nesting limit (in its levels: a blockquote is one, a list item two): deeper
blocks would be dropped, so `cap_nesting` flattens them first; the limit keeps the parser's
recursion far from Python's."""

# -- markdown-it configuration -------------------------------------------------------------


def _fence(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict,
           env: EnvType) -> str:
    token = tokens[idx]
    html = highlight_code(token.content, token.info)
    opening, rest = html.split(">", 1)
    classes = ["highlight"] if 'class="highlight"' in opening else []
    if language(token.info) == "mermaid":
        classes.append("kb-mermaid")  # drawn where the site draws diagrams (diagrams.py)
    if token.attrGet("class"):
        classes.append(str(token.attrGet("class")))
    attrs = f' class="{escapeHtml(" ".join(classes))}"' if classes else ""
    attrs += "".join(f' {escapeHtml(k)}="{escapeHtml(str(v))}"'
                     for k, v in token.attrItems() if k != "class")
    return f"<pre{attrs}>{rest}"


def _html_block(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict,
                env: EnvType) -> str:
    token = tokens[idx]
    return prepare_raw_html(token.content, token.map[0] + 1 if token.map else None)


def _html_inline(self: RendererHTML, tokens: Sequence[Token], idx: int,
                 options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    return prepare_raw_html(token.content, token.meta.get("kb_line"))


def _fn_number(token: Token) -> str:
    return str(token.meta["id"] + 1)


def _fn_ref_id(token: Token) -> str:
    sub = token.meta.get("subId", 0)
    return f"fnref:{_fn_number(token)}" + (f":{sub + 1}" if sub > 0 else "")


def _footnote_ref(self: RendererHTML, tokens: Sequence[Token], idx: int,
                  options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    n = _fn_number(token)
    # A superscript, as kramdown writes it: raised even where the reader ignores our CSS.
    return (f'<sup><a href="#fn:{n}" class="footnote-ref" epub:type="noteref" '
            f'role="doc-noteref" id="{_fn_ref_id(token)}" data-kb-fn="1">{n}</a></sup>')


def _footnote_block_open(*args: object) -> str:
    return '<section class="footnotes" epub:type="footnotes" role="doc-endnotes">\n'


def _footnote_block_close(*args: object) -> str:
    return "</section>\n"


def _footnote_open(self: RendererHTML, tokens: Sequence[Token], idx: int,
                   options: OptionsDict, env: EnvType) -> str:
    n = _fn_number(tokens[idx])
    return (f'<aside id="fn:{n}" class="footnote" epub:type="footnote" role="doc-footnote" '
            'data-kb-fn="1">\n')


def _footnote_close(*args: object) -> str:
    return "</aside>\n"


def _footnote_anchor(self: RendererHTML, tokens: Sequence[Token], idx: int,
                     options: OptionsDict, env: EnvType) -> str:
    # U+FE0E keeps the arrow a text glyph (iOS would draw an emoji).
    return (f' <a href="#{_fn_ref_id(tokens[idx])}" class="footnote-backref" '
            'role="doc-backlink">\u21a9\ufe0e</a>')


def annotate_lines(state: StateCore) -> None:
    """Put each block's and link's body line on it (`data-kb-line`) so problems found later
    in the tree can name their line; mark Markdown headings (`data-kb-md`), which get
    kramdown's automatic ids."""
    for token in state.tokens:
        if token.type == "heading_open":
            token.attrSet("data-kb-md", "1")
        if token.map is not None and token.nesting >= 0 and token.type not in (
            "inline", "html_block", "kramdown_ial", "kb_math_block"
        ):
            token.attrSet("data-kb-line", str(token.map[0] + 1))
        if token.type == "inline" and token.children:
            line = token.map[0] + 1 if token.map else None
            for child in token.children:
                if line is None:
                    break
                if child.type in ("softbreak", "hardbreak"):
                    line += 1
                elif child.type in ("link_open", "image"):
                    child.attrSet("data-kb-line", str(line))
                elif child.type in ("html_inline", "kb_math_inline"):
                    child.meta["kb_line"] = line
                    line += child.content.count("\n")


def create_markdown(math: MathSyntax | None = None, quotes: Quotes = ENGLISH, *,
                    parse_block_html: bool = False) -> MarkdownIt:
    """markdown-it as kbbook uses it: CommonMark with GFM tables, strikethrough and task
    lists, footnotes, definition lists, raw HTML, kramdown syntax (with the site's
    `parse_block_html`) and extensions, math (kramdown's `$$`, and the delimiters `math`
    adds) and typography (`quotes` for the curly quotes); no linkify."""
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False,
                                   "maxNesting": MAX_NESTING,
                                   "kb_parse_block_html": parse_block_html})
    md.enable(["table", "strikethrough"])
    # Every URL reaches the link and image passes, which report unsafe ones and keep the
    # text, rather than leaving the Markdown source visible.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.use(footnote_plugin).use(tasklists_plugin).use(deflist_plugin).use(kramdown_plugin)
    md.use(extensions_plugin)
    md.use(math_plugin, math or MathSyntax())
    md.use(typography_plugin, quotes)
    md.add_render_rule("fence", _fence)
    md.add_render_rule("html_block", _html_block)
    md.add_render_rule("html_inline", _html_inline)
    md.add_render_rule("footnote_ref", _footnote_ref)
    md.add_render_rule("footnote_block_open", _footnote_block_open)
    md.add_render_rule("footnote_block_close", _footnote_block_close)
    md.add_render_rule("footnote_open", _footnote_open)
    md.add_render_rule("footnote_close", _footnote_close)
    md.add_render_rule("footnote_anchor", _footnote_anchor)
    md.core.ruler.push("kb_lines", annotate_lines)
    return md


_MARKDOWNIFY: list[MarkdownIt] = []


def markdownify(text: str) -> str:
    """The `markdownify` filter: Markdown to HTML, as kbbook renders pages, without the
    marks of source lines (the text is not the page's)."""
    if not _MARKDOWNIFY:
        md = create_markdown()
        md.core.ruler.disable("kb_lines")
        _MARKDOWNIFY.append(md)
    return _MARKDOWNIFY[0].render(text)
