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
- `<a href="#ID" data-kb-page="SOURCE_REL">` inside the book (with `data-kb-fragment="SITE_ID"`,
  the anchor's id on the website, for a link to another page's anchor: a print that leaves
  that page out links to the web); `class="kb-external"` outside;
  `<span class="kb-broken-link">` where a link led nowhere; `<span class="kb-missing-image">`
  for an image left out; `<p class="kb-embed">` (or span) for an iframe/video's address.
- callouts: `<div class="callout callout-NAME callout-color-COLOR">` whose first child is
  `<p class="callout-title">` when there is a title; `<figure><img/><figcaption>` for an
  image followed by an emphasised caption; `<pre class="highlight"><code class="language-X">`
  with Pygments' short class names (see `pygments_css`); table alignment as `align-left|
  center|right`; task boxes as `<span class="task-list-item-checkbox [checked]">☐|☑</span>`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
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
from .xhtml import HTML_DEPTH, element, parse_fragment, prepare_raw_html, serialise

__all__ = [
    "Heading",
    "NavLink",
    "RenderedPage",
    "create_markdown",
    "pygments_css",
    "render_book",
    "render_pages",
]

MAX_NESTING = 64
"""markdown-it's nesting limit (in its levels: a blockquote is one, a list item two): deeper
blocks would be dropped, so `cap_nesting` flattens them first; the limit keeps the parser's
recursion far from Python's."""
MARKDOWN_DEPTH = 48
"""Blockquotes and list items nested deeper (in markdown-it levels) are flattened, keeping
their text: 48 blockquotes, or 24 lists, one in another."""

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


# -- deep nesting --------------------------------------------------------------------------

_WS = re.compile(r"[ \t]*")
_LIST_MARKER = re.compile(r"(?:[-+*]|([0-9]{1,9})[.)])(?=[ \t]|$)")
_THEMATIC_BREAK = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"(`{3,})(?![^`\n]*`)|(~{3,})")
_FENCE_CLOSE = re.compile(r"(`{3,}|~{3,})[ \t]*$")
_ATX_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
_SETEXT_UNDERLINE = re.compile(r"(?:=+|-+)[ \t]*$")
# Raw HTML blocks whose lines are text, not Markdown (CommonMark's types 1 and 2).
_RAW_HTML_OPEN = re.compile(r"<(pre|script|style|textarea)(?=[\s>]|$)|<!--", re.IGNORECASE)


def _skip_blanks(line: str, pos: int) -> int:
    """The position of the first character at or after `pos` that is no space or tab."""
    m = _WS.match(line, pos)
    return m.end() if m else pos


def _column(line: str, start: int, end: int, col: int) -> int:
    """The column reached after the blanks line[start:end] when starting at `col`."""
    if line.find("\t", start, end) < 0:
        return col + end - start
    for ch in line[start:end]:
        col = col + 4 - col % 4 if ch == "\t" else col + 1
    return col


def _advance(line: str, pos: int, col: int, target: int) -> tuple[int, int]:
    """Skip blanks from `pos` (at `col`) until column `target` (or the first non-blank)."""
    end = _skip_blanks(line, pos)
    if line.find("\t", pos, end) < 0:
        step = min(end - pos, max(target - col, 0))
        return pos + step, col + step
    while pos < end and col < target:
        col = col + 4 - col % 4 if line[pos] == "\t" else col + 1
        pos += 1
    return pos, col


@dataclass
class _Box:
    """A blockquote or list item open while scanning Markdown source."""

    quote: bool
    width: int = 0
    """A list item: columns its content is indented by (from its parent's content)."""
    marker: int = 0
    """A list item: columns of its marker and the blanks after it."""
    virtual: bool = False
    """Beyond the depth limit: its markers are dropped and its content joins a shallower box."""


class _NestingCap:
    """The container blocks (blockquotes, list items) of Markdown source, followed line by
    line as CommonMark does, to find those nested beyond the limit: see `cap_nesting`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.boxes: list[_Box] = []
        self.ends: list[int] = []  # ends[k]: the widths of the list items in boxes[:k + 1]
        self.costs: list[int] = []  # costs[k]: markdown-it levels of boxes[:k + 1]
        self.quotes: list[int] = []  # indices of the blockquotes in boxes
        self.deep: int | None = None  # index of the first virtual box
        self.paragraph = False  # the last line was paragraph text (a lazy line may follow)
        self.fence: tuple[str, int, int] | None = None  # (character, length, depth)
        self.raw: tuple[re.Pattern[str], int] | None = None  # (end of a raw HTML block, depth)

    def truncate(self, k: int) -> None:
        if k >= len(self.boxes):
            return
        del self.boxes[k:], self.ends[k:], self.costs[k:]
        while self.quotes and self.quotes[-1] >= k:
            self.quotes.pop()
        if self.deep is not None and self.deep >= k:
            self.deep = None
        self.paragraph = False

    def push(self, box: _Box) -> None:
        cost = 1 if box.quote else 2  # a list and its item
        if self.deep is None and (self.costs[-1] if self.costs else 0) + cost > self.limit:
            self.deep = len(self.boxes)
        box.virtual = self.deep is not None
        if box.quote:
            self.quotes.append(len(self.boxes))
        self.ends.append((self.ends[-1] if self.ends else 0) + box.width)
        self.costs.append((self.costs[-1] if self.costs else 0) + cost)
        self.boxes.append(box)

    def line(self, line: str) -> str | None:
        """Take the next line; return it with the markers of virtual boxes dropped, or None
        when it is unchanged."""
        pos = col = 0
        cut: int | None = None  # where the prefix of the first virtual box starts
        keep = ""  # what stands for the virtual boxes' prefixes
        boxes = self.boxes
        k = 0
        while k < len(boxes):  # the boxes this line continues
            if boxes[k].quote:
                # (markdown-it takes a `>` after any indentation as the quote's continuation)
                p = _skip_blanks(line, pos)
                c = _column(line, pos, p, col)
                if p >= len(line) or line[p] != ">":
                    break
                if boxes[k].virtual and cut is None:
                    cut = pos
                pos, col = self._after_quote(line, p, c)
                k += 1
                continue
            q = bisect_right(self.quotes, k)
            j = self.quotes[q] if q < len(self.quotes) else len(boxes)  # items boxes[k:j]
            base = self.ends[k - 1] if k else 0
            p = _skip_blanks(line, pos)
            if p == len(line):  # a blank line continues every list item
                m = j
            else:
                m = bisect_right(self.ends, base + _column(line, pos, p, col) - col, k, j)
            if m > k:
                if boxes[m - 1].virtual:
                    if cut is None:
                        split = max(self.deep or 0, k)
                        cut = _advance(line, pos, col, col + (self.ends[split - 1] - base
                                                               if split > k else 0))[0]
                    keep = " " * boxes[m - 1].marker
                pos, col = _advance(line, pos, col, col + self.ends[m - 1] - base)
            k = m
            if m < j:
                break
        rest = _skip_blanks(line, pos)
        indent = _column(line, pos, rest, col) - col
        open_block = self.fence[2] if self.fence else self.raw[1] if self.raw else None
        if open_block is not None:  # a fence or raw HTML block opened at this depth
            if k >= open_block:
                self.truncate(open_block)
                if self.fence is not None:
                    close = _FENCE_CLOSE.match(line, rest)
                    if close and indent <= 3 and close.group(1)[0] == self.fence[0] and len(
                            close.group(1)) >= self.fence[1]:
                        self.fence = None
                elif self.raw is not None and self.raw[0].search(line, pos):
                    self.raw = None
                return self._cut(line, cut, keep, pos)
            self.fence = self.raw = None
        if k < len(boxes) and self.paragraph and rest < len(line) and (
            indent >= 4 or not self._starts_block(line, rest)
        ):
            return self._cut(line, cut, keep, pos)  # a lazy continuation line
        self.truncate(k)
        # (a thematic break such as `- - -` is no list item: only the line's end can be one)
        stripped = line.rstrip(" \t")
        rule_start = len(stripped.rstrip(stripped[-1:] + " \t")) if stripped else 0
        while True:  # the boxes this line opens
            rest = _skip_blanks(line, pos)
            c = _column(line, pos, rest, col)
            if c - col >= 4 or rest >= len(line):
                break
            if line[rest] == ">":
                self.push(_Box(quote=True))
                if boxes[-1].virtual and cut is None:
                    cut = pos
                pos, col = self._after_quote(line, rest, c)
                self.paragraph = False
                continue
            marker = _LIST_MARKER.match(line, rest)
            if marker is None or (rest >= rule_start and self._rule(line, rest)):
                break
            after = _skip_blanks(line, marker.end())
            empty = after >= len(line)
            if self.paragraph and (empty or int(marker.group(1) or 1) != 1):
                break  # cannot interrupt a paragraph
            marker_col = c + marker.end() - rest
            gap = _column(line, marker.end(), after, marker_col) - marker_col
            content = after
            if empty or gap > 4:
                gap, content = 1, min(marker.end() + 1, len(line))
            self.push(_Box(quote=False, width=marker_col + gap - col,
                           marker=marker_col + gap - c))
            if boxes[-1].virtual:
                if cut is None:
                    cut = pos
                keep = line[rest:content]
            pos, col = content, marker_col + gap
            self.paragraph = False
        self._classify(line, pos, col)
        return self._cut(line, cut, keep, pos)

    @staticmethod
    def _after_quote(line: str, p: int, c: int) -> tuple[int, int]:
        p, c = p + 1, c + 1
        if p < len(line) and line[p] in " \t":
            c = c + 4 - c % 4 if line[p] == "\t" else c + 1
            p += 1
        return p, c

    @staticmethod
    def _starts_block(line: str, rest: int) -> bool:
        return bool(line[rest] == ">" or _LIST_MARKER.match(line, rest) or _FENCE.match(
            line, rest) or _ATX_HEADING.match(line, rest) or _THEMATIC_BREAK.match(line, rest)
                    or _RAW_HTML_OPEN.match(line, rest))

    def _classify(self, line: str, pos: int, col: int) -> None:
        """What the rest of the line starts: a paragraph, a fence, a raw HTML block…"""
        rest = _skip_blanks(line, pos)
        indent = _column(line, pos, rest, col) - col
        if rest >= len(line):
            self.paragraph = False
        elif indent >= 4:
            pass  # indented code, or a paragraph's continuation
        elif fence := _FENCE.match(line, rest):
            self.fence = (fence.group(0)[0], len(fence.group(0)), len(self.boxes))
            self.paragraph = False
        elif raw := _RAW_HTML_OPEN.match(line, rest):
            end = re.compile("-->" if raw.group(1) is None else
                             rf"</{raw.group(1)}\s*>", re.IGNORECASE)
            if not end.search(line, raw.end()):
                self.raw = (end, len(self.boxes))
            self.paragraph = False
        else:
            self.paragraph = not (_ATX_HEADING.match(line, rest) or self._rule(line, rest))

    def _rule(self, line: str, rest: int) -> bool:
        """The line is a thematic break or the underline of a heading."""
        return bool(_THEMATIC_BREAK.match(line, rest) or (
            self.paragraph and _SETEXT_UNDERLINE.match(line, rest)))

    @staticmethod
    def _cut(line: str, cut: int | None, keep: str, pos: int) -> str | None:
        return None if cut is None else line[:cut] + keep + line[pos:]


def cap_nesting(text: str, limit: int = MARKDOWN_DEPTH) -> tuple[str, int | None]:
    """`text` with its blockquotes and list items nested beyond `limit` markdown-it levels
    (a blockquote counts one, a list item two) flattened: the `>` markers of deeper
    blockquotes are dropped, deeper list items become items of one list at the limit. Every
    line stays where it was, and every line within the limit is unchanged. Also returns the
    index of the first changed line (None when nothing changed)."""
    cap = _NestingCap(limit)
    lines = text.split("\n")
    first = None
    for n, line in enumerate(lines):
        changed = cap.line(line)
        if changed is not None:
            lines[n] = changed
            if first is None:
                first = n
    return ("\n".join(lines) if first is not None else text), first


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


def _markdown_tree(md: MarkdownIt, text: str, ctx: PageContext,
                   deep: _DeepWarning) -> HtmlElement:
    body_line = ctx.page.body_line
    text, first = cap_nesting(text)
    if first is not None:
        deep.flattened(body_line + first, f"blockquotes or lists nested more than "
                       f"{MARKDOWN_DEPTH} levels deep are flattened (their text is kept)")
    env: dict[str, object] = {}
    tokens = md.parse(text, env)
    deepest = _too_deep(tokens)
    if deepest is not None:  # (structure cap_nesting does not follow, such as definitions)
        line = body_line + deepest.map[0] if deepest.map else None
        ctx.diagnostics.warning(ctx.page.rel, line, "too-deep",
                                f"Markdown nested more than {MAX_NESTING} levels deep; "
                                "the deeper content is left out")
    root, deep_html = parse_fragment(md.renderer.render(tokens, md.options, env))
    if deep_html is not None:
        line = body_line + deep_html.line - 1 if deep_html.line is not None else None
        if deep_html.lost:
            ctx.diagnostics.warning(ctx.page.rel, line, "too-deep", "HTML nested thousands "
                                    "of levels deep; the deepest content is left out")
        else:
            deep.flattened(line, f"HTML nested more than {HTML_DEPTH} levels deep is "
                           "flattened (its text is kept)")
    return root


def _draft(md: MarkdownIt, ctx: PageContext, used: set[str]) -> _Draft:
    page = ctx.page
    deep = _DeepWarning(ctx)
    try:
        root = _markdown_tree(md, expand_liquid(page, ctx.resolver, ctx.diagnostics), ctx,
                              deep)
    except RecursionError:
        ctx.diagnostics.error(page.rel, None, "too-deep", "the page is nested too deeply to "
                              "render; its body is left out of the book")
        root = element("body")
        root.append(element("p", "(This page could not be rendered.)",
                            class_="kb-render-error"))
    sanitise(root, deep.warn)
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
