"""Every page of the book rendered, in two passes, into `RenderedPage` records.

Pass 1, per page: Liquid, Markdown (with kramdown's syntax); once every page is HTML, the
diagrams drawn; then per page a tree, sanitised; the nav-buttons block removed, images
checked, figures, callouts, book-unique ids, the TOC, the diagrams in their places.
Pass 2, once every page's ids are known: links resolved, the XHTML tree made.

What the trees contain, for the writers (besides `data-kb-link` and `data-kb-image`, see
`model.py`):
- ids are XML NCNames unique in the book: a page's start is `p-` + its source path
  (`p-docs-a-b`); a heading keeps kramdown's GFM id (`what-is-it`) unless the book already
  used it, then `-1`, `-2`…; an id that cannot start an NCName gets `id-` (`id-1-intro`);
  footnotes are `PAGEID-fn-N` / `PAGEID-fnref-N`.
- `class="kb-external"` on links out of the book; `<span class="kb-unlinked">` where a
  link led nowhere; `<span class="kb-missing-image">` for an image left out (its alt text);
  `<p class="kb-embed">` (or span) for an iframe/video's address.
- callouts: `<div class="callout callout-NAME callout-color-COLOR">` whose first child is
  `<p class="callout-title">` when there is a title; `<figure><img/><figcaption>` for an
  image followed by an emphasised caption; `<pre class="highlight"><code class="language-X">`
  with Pygments' short class names (see `highlight.py`); table alignment as `align-left|
  center|right`; task boxes as `<span class="task-list-item-checkbox [checked]">☐|☑</span>`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from lxml import etree
from lxml.html import HtmlElement
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..errors import Diagnostics
from ..site import LinkResolver, Page
from ..site.liquid import SiteLiquid
from ..words import words
from .cache import DrawingCache
from .children import children_contents
from .context import PageContext
from .diagrams import Drawings, diagram_sources, place_diagrams
from .html import HTML_DEPTH, element, parse_fragment
from .ids import PageAnchors, assign_ids, expand_tocs, page_id_for, starts_with_title, unique
from .kramdown import lazy_quote_ials
from .links import resolve_links
from .markdown import MAX_NESTING, create_markdown, markdownify
from .math import SVG_NS, typeset_math
from .mathsyntax import MathSyntax
from .model import Heading, ImageRef, NavLink, RenderedPage
from .nesting import MARKDOWN_DEPTH, cap_nesting
from .rewrite import (
    apply_callouts,
    label_footnotes,
    make_figures,
    open_details,
    remove_nav_buttons,
    resolve_images,
    soft_breaks,
    title_icon,
)
from .sanitise import sanitise
from .sitejs import site_scripts
from .svgids import scope_ids
from .typography import site_quotes
from .xhtml import to_xhtml


@dataclass(frozen=True)
class _Draft:
    """A page after pass 1: its tree still needs its links."""

    ctx: PageContext
    root: HtmlElement
    headings: tuple[Heading, ...]
    anchors: PageAnchors
    title_heading: bool
    images: tuple[ImageRef, ...]
    nav_links: tuple[NavLink, ...]
    title_icon: int | None = None


class _DeepWarning:
    """Reports, once per page, that structure nested too deeply was flattened; other
    warnings pass through to the page's context."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.done = False

    def flattened(self, line: int | None, message: str) -> None:
        if not self.done:
            self.done = True
            self.ctx.diagnostics.warning(self.ctx.page.rel, line, "too-deep", message)

    def warn(self, el: HtmlElement | None, code: str, message: str) -> None:
        if code == "too-deep":
            self.flattened(self.ctx.line(el), message)
        else:
            self.ctx.warn(el, code, message)


def _too_deep(tokens: Sequence[Token]) -> Token | None:
    deepest = max(tokens, key=lambda t: t.level, default=None)
    return deepest if deepest is not None and deepest.level >= MAX_NESTING - 1 else None


def _markdown_html(md: MarkdownIt, text: str, ctx: PageContext, deep: _DeepWarning) -> str:
    page_line = ctx.source.page_line
    text, first = cap_nesting(lazy_quote_ials(text))
    if first is not None:
        deep.flattened(page_line(first + 1), f"blockquotes or lists nested more than "
                       f"{MARKDOWN_DEPTH} levels deep are flattened (their text is kept)")
    env: dict[str, object] = {}
    tokens = md.parse(text, env)
    deepest = _too_deep(tokens)
    if deepest is not None:  # (structure cap_nesting does not follow, such as definitions)
        line = page_line(deepest.map[0] + 1) if deepest.map else None
        ctx.diagnostics.warning(ctx.page.rel, line, "too-deep",
                                f"Markdown nested more than {MAX_NESTING} levels deep; "
                                "the deeper content is left out")
    return md.renderer.render(tokens, md.options, env)


def _html_tree(html: str, ctx: PageContext, deep: _DeepWarning) -> HtmlElement:
    root, deep_html = parse_fragment(html)
    if deep_html is not None:
        line = ctx.source.page_line(deep_html.line) if deep_html.line is not None else None
        if deep_html.lost:
            ctx.diagnostics.warning(ctx.page.rel, line, "too-deep", "HTML nested thousands "
                                    "of levels deep; the deepest content is left out")
        else:
            deep.flattened(line, f"HTML nested more than {HTML_DEPTH} levels deep is "
                           "flattened (its text is kept)")
    return root


@dataclass(frozen=True)
class _Markup:
    """A page after Liquid and Markdown: its HTML, not yet a tree (None: too deep to render)."""

    ctx: PageContext
    html: str | None
    deep: _DeepWarning


def _markup(md: MarkdownIt, ctx: PageContext) -> _Markup:
    deep = _DeepWarning(ctx)
    try:
        return _Markup(ctx, _markdown_html(md, ctx.source.text, ctx, deep), deep)
    except RecursionError:
        return _Markup(ctx, None, deep)


def _tree(markup: _Markup, said_not_rendered: str) -> HtmlElement:
    if markup.html is not None:
        try:
            return _html_tree(markup.html, markup.ctx, markup.deep)
        except RecursionError:
            pass
    markup.ctx.diagnostics.error(markup.ctx.page.rel, None, "too-deep", "the page is nested "
                                 "too deeply to render; its body is left out of the book")
    root = element("body")
    root.append(element("p", said_not_rendered, class_="kb-render-error"))
    return root


def _draft(markup: _Markup, used: set[str], child_list: list[HtmlElement],
           drawings: Drawings | None, later: list[tuple[PageContext, HtmlElement]]) -> _Draft:
    ctx, deep = markup.ctx, markup.deep
    page = ctx.page
    said = words(ctx.resolver.config.lang)
    root = _tree(markup, said.not_rendered)
    sanitise(root, deep.warn, said)
    scope_svg_ids(root, ctx.page_id)
    typeset_math(root, ctx)
    nav_links = remove_nav_buttons(root, ctx)
    images = resolve_images(root, ctx)
    make_figures(root)
    apply_callouts(root, ctx.resolver.config.callouts)
    label_footnotes(root)
    open_details(root)
    soft_breaks(root)
    headings, ids = assign_ids(root, ctx, used)
    expand_tocs(root, headings, page.rel)
    if drawings is not None:
        place_diagrams([(ctx, root)], drawings, later)
    root.extend(child_list)  # (after the ids: the theme's list is no heading of the page)
    icon = title_icon(ctx)
    return _Draft(
        ctx=ctx,
        root=root,
        headings=tuple(h for h, _ in headings),
        anchors=PageAnchors(ctx.page_id, ids),
        title_heading=starts_with_title(root, page.title),
        images=images + ((icon,) if icon is not None else ()),
        nav_links=nav_links,
        title_icon=len(images) if icon is not None else None,
    )


def scope_svg_ids(root: HtmlElement, page_id: str) -> None:
    """The ids inside each of the page's SVG images, made unique in the book."""
    for n, svg in enumerate(root.iter(f"{{{SVG_NS}}}svg"), 1):
        if svg.getparent() is not None and not any(
                a.tag == f"{{{SVG_NS}}}svg" for a in svg.iterancestors()):
            scope_ids(svg, f"{page_id}-svg{n}")


def render_pages(pages: Sequence[Page], resolver: LinkResolver, diagnostics: Diagnostics,
                 *, liquid: SiteLiquid | None = None, reserved_ids: Iterable[str] = (),
                 on_image: Callable[[Path], None] | None = None,
                 children: Mapping[str, Sequence[Page]] | None = None
                 ) -> tuple[RenderedPage, ...]:
    """Render `pages` as one book, in that order: ids are unique across them (and differ
    from `reserved_ids`, which a writer may need for its own elements); links to a page
    outside them leave the book (web URL) or lose their link (with a warning). `liquid`
    runs each page's Liquid (one is made for the resolver's pages when none is given).
    `on_image` is told of each usable image file as soon as a page shows it. `children`
    gives each page's child pages in the book, which the theme lists under a parent page."""
    config = resolver.config
    scripts = site_scripts(config)
    md = create_markdown(MathSyntax(brackets=scripts.math_engine,
                                    single_dollar=scripts.single_dollar),
                         site_quotes(config.variables.get("kramdown"), config.lang),
                         parse_block_html=config.parse_block_html)
    if liquid is None:
        liquid = SiteLiquid(config, resolver.pages, markdownify=markdownify)
    used: set[str] = set(reserved_ids)
    page_ids = {page.rel: unique(page_id_for(page), used) for page in pages}
    children = children or {}
    markups = [_markup(md, PageContext(p, page_ids[p.rel], resolver, diagnostics,
                                       liquid.expand(p, diagnostics), on_image))
               for p in pages]
    drawings = None
    if scripts.mermaid:
        drawings = Drawings(DrawingCache("diagrams"))
        drawings.draw(s for m in markups if m.html for s in diagram_sources(m.html))
    later: list[tuple[PageContext, HtmlElement]] = []  # (diagrams the HTML scan missed)
    drafts = []
    markups.reverse()
    while markups:  # (each page's HTML let go once it is a tree)
        m = markups.pop()
        drafts.append(_draft(m, used, children_contents(m.ctx.page,
                                                        children.get(m.ctx.page.rel, ()),
                                                        page_ids, config), drawings, later))
    if drawings is not None and later:
        place_diagrams(later, drawings)
    del drawings, later
    book = {d.ctx.page.rel: d.anchors for d in drafts}
    rendered = []
    for d in drafts:
        links = resolve_links(d.root, d.ctx, book)
        rendered.append(RenderedPage(
            page=d.ctx.page,
            page_id=d.ctx.page_id,
            xhtml=etree.tostring(to_xhtml(d.root)),
            headings=d.headings,
            links=links,
            images=d.images,
            title_heading=d.title_heading,
            nav_links=d.nav_links,
            anchors=MappingProxyType(dict(d.anchors.ids)),
            title_icon=d.title_icon,
        ))
    return tuple(rendered)
