"""Markdown pages to XHTML fragments for the book: one configured MarkdownIt and
`render_book`, which renders every page of the reading order in two passes.

Pass 1, per page: Liquid, Markdown (with kramdown's syntax), parse into a tree, sanitise,
remove the nav-buttons block, resolve images, callouts, book-unique ids, the TOC.
Pass 2, once every page's ids are known: rewrite links, serialise.

What the fragments contain, for the writers:
- ids are XML NCNames unique in the book: a page's start is `p-` + its source path
  (`p-docs-a-b`); a heading keeps kramdown's GFM id (`what-is-it`) unless the book already
  used it, then `-1`, `-2`…; an id that cannot start an NCName gets `id-` (`id-1-intro`);
  footnotes are `PAGEID-fn-N` / `PAGEID-fnref-N`.
- `<a href="#ID" data-kb-page="SOURCE_REL">` inside the book; `class="kb-external"` outside;
  `<span class="kb-broken-link">` where a link led nowhere; `<span class="kb-missing-image">`
  for an image left out; `<p class="kb-embed">` (or span) for an iframe/video's address.
- callouts: `<div class="callout callout-NAME callout-color-COLOR">` whose first child is
  `<p class="callout-title">` when there is a title; `<figure><img/><figcaption>` for an
  image followed by an emphasised caption; `<pre class="highlight"><code class="language-X">`
  with Pygments' short class names (see `pygments_css`); table alignment as `align-left|
  center|right`; task boxes as `<span class="task-list-item-checkbox [checked]">☐|☑</span>`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml.html import HtmlElement
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from .anchors import (
    PageAnchors,
    assign_ids,
    expand_tocs,
    page_id_for,
    resolve_links,
    starts_with_title,
    unique,
)
from .errors import Diagnostics
from .highlight import highlight_code, pygments_css
from .kramdown import kramdown_plugin
from .links import LinkResolver
from .liquid import expand_liquid
from .nav import Book
from .pagetree import (
    PageContext,
    apply_callouts,
    label_footnotes,
    make_figures,
    remove_nav_buttons,
    resolve_images,
)
from .rendered import Heading, NavLink, RenderedPage
from .sanitise import sanitise
from .site import Page
from .xhtml import element, parse_fragment, prepare_raw_html, serialise

__all__ = [
    "Heading",
    "NavLink",
    "RenderedPage",
    "create_markdown",
    "pygments_css",
    "render_book",
    "render_pages",
]

MAX_NESTING = 40
"""markdown-it's nesting limit: deeper blocks are dropped (and reported), which keeps the
parser's recursion far from Python's limit."""

# -- markdown-it configuration -------------------------------------------------------------


def _fence(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict,
           env: EnvType) -> str:
    token = tokens[idx]
    html = highlight_code(token.content, token.info)
    opening, rest = html.split(">", 1)
    classes = ["highlight"] if 'class="highlight"' in opening else []
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
    return (f'<a href="#fn:{n}" class="footnote-ref" epub:type="noteref" role="doc-noteref" '
            f'id="{_fn_ref_id(token)}" data-kb-fn="1">{n}</a>')


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
            "inline", "html_block", "kramdown_ial"
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
                elif child.type == "html_inline":
                    child.meta["kb_line"] = line
                    line += child.content.count("\n")


def create_markdown() -> MarkdownIt:
    """markdown-it as kbbook uses it: CommonMark with GFM tables, strikethrough and task
    lists, footnotes, definition lists, raw HTML, kramdown syntax; no linkify, no
    typographer."""
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False,
                                   "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    # Every URL reaches the link and image passes, which report unsafe ones and keep the
    # text, rather than leaving the Markdown source visible.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.use(footnote_plugin).use(tasklists_plugin).use(deflist_plugin).use(kramdown_plugin)
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


# -- rendering -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Draft:
    """A page after pass 1: its tree still needs its links."""

    ctx: PageContext
    root: HtmlElement
    headings: tuple[Heading, ...]
    anchors: PageAnchors
    title_heading: bool
    images: tuple[str, ...]
    nav_links: tuple[NavLink, ...]


def _markdown_tree(md: MarkdownIt, text: str, ctx: PageContext) -> HtmlElement:
    env: dict[str, object] = {}
    tokens = md.parse(text, env)
    deepest = max(tokens, key=lambda t: t.level, default=None)
    if deepest is not None and deepest.level >= MAX_NESTING - 1:
        line = ctx.page.body_line + deepest.map[0] if deepest.map else None
        ctx.diagnostics.warning(ctx.page.rel, line, "too-deep",
                                f"Markdown nested more than {MAX_NESTING} levels deep; "
                                "the deeper content is left out")
    root, truncated = parse_fragment(md.renderer.render(tokens, md.options, env))
    if truncated:
        ctx.warn(None, "too-deep", "HTML nested thousands of levels deep; the deepest "
                 "content is left out")
    return root


def _draft(md: MarkdownIt, ctx: PageContext, used: set[str]) -> _Draft:
    page = ctx.page
    try:
        root = _markdown_tree(md, expand_liquid(page, ctx.resolver, ctx.diagnostics), ctx)
    except RecursionError:
        ctx.diagnostics.error(page.rel, None, "too-deep", "the page is nested too deeply to "
                              "render; its body is left out of the book")
        root = element("body")
        root.append(element("p", "(This page could not be rendered.)",
                            class_="kb-render-error"))
    sanitise(root, ctx.warn)
    nav_links = remove_nav_buttons(root, ctx)
    images = resolve_images(root, ctx)
    make_figures(root)
    apply_callouts(root, ctx.resolver.config.callouts)
    label_footnotes(root)
    headings, ids = assign_ids(root, ctx, used)
    expand_tocs(root, headings, page.rel)
    return _Draft(
        ctx=ctx,
        root=root,
        headings=tuple(h for h, _ in headings),
        anchors=PageAnchors(ctx.page_id, ids),
        title_heading=starts_with_title(root, page.title),
        images=images,
        nav_links=nav_links,
    )


def render_pages(pages: Sequence[Page], resolver: LinkResolver, diagnostics: Diagnostics,
                 *, reserved_ids: Iterable[str] = (),
                 on_image: Callable[[Path], None] | None = None) -> tuple[RenderedPage, ...]:
    """Render `pages` as one book, in that order: ids are unique across them (and differ
    from `reserved_ids`, which a writer may need for its own elements); links to a page
    outside them leave the book (web URL) or lose their link (with a warning)."""
    md = create_markdown()
    used: set[str] = set(reserved_ids)
    page_ids = {page.rel: unique(page_id_for(page), used) for page in pages}
    drafts = [_draft(md, PageContext(p, page_ids[p.rel], resolver, diagnostics, on_image), used)
              for p in pages]
    book = {d.ctx.page.rel: d.anchors for d in drafts}
    rendered = []
    for d in drafts:
        resolve_links(d.root, d.ctx, book)
        rendered.append(RenderedPage(
            page=d.ctx.page,
            page_id=d.ctx.page_id,
            html=serialise(d.root),
            headings=d.headings,
            title_heading=d.title_heading,
            images=d.images,
            nav_links=d.nav_links,
        ))
    return tuple(rendered)


def render_book(book: Book, resolver: LinkResolver, diagnostics: Diagnostics,
                *, reserved_ids: Iterable[str] = (),
                on_image: Callable[[Path], None] | None = None) -> tuple[RenderedPage, ...]:
    """Render every page of book.reading_order, in that order; `on_image` is told of each
    usable image file as soon as a page shows it."""
    return render_pages(book.reading_order, resolver, diagnostics, reserved_ids=reserved_ids,
                        on_image=on_image)
