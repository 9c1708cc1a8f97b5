"""Book-unique ids, the `{:toc}` lists, and links rewritten to point inside the book.

Authors link to kramdown's ids (`#what-is-it`, `{: #custom}`, `#fn:1`) of one page; in a
book every id must be unique, so each page keeps a map from the ids its author knows to
the ids the book uses. Links are resolved once every page's map exists.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lxml.html import HtmlElement

from .kramdown import gfm_slug
from .links import TargetKind
from .pagetree import PageContext
from .rendered import Heading
from .site import Page
from .xhtml import (
    add_class,
    classes,
    element,
    ncname,
    plain_text,
    replace,
    url_fragment,
    valid_web_url,
)

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
TOC_LEVELS = (2, 3)


@dataclass(frozen=True)
class PageAnchors:
    """The ids of one rendered page."""

    page_id: str
    """The id of the page's start."""
    ids: Mapping[str, str] = field(default_factory=dict)
    """Author's id (kramdown auto id, explicit id, `fn:1`) → book id."""


def page_id_for(page: Page) -> str:
    stem = re.sub(r"\.[^./]+$", "", page.rel)
    return "p-" + (re.sub(r"[^A-Za-z0-9_]+", "-", stem).strip("-") or "page")


def unique(candidate: str, used: set[str]) -> str:
    """`candidate`, or `candidate-1`, `-2`… whichever is still free; then taken."""
    result, n = candidate, 0
    while result in used:
        n += 1
        result = f"{candidate}-{n}"
    used.add(result)
    return result


def heading_text(el: HtmlElement) -> str:
    """A heading's text without footnote markers."""
    clone = copy.deepcopy(el)
    for ref in clone.xpath('.//a[contains(concat(" ", @class, " "), " footnote-ref ")]'):
        ref.drop_tree()
    return plain_text(clone)


def assign_ids(
    root: HtmlElement, ctx: PageContext, used: set[str]
) -> tuple[list[tuple[Heading, HtmlElement]], dict[str, str]]:
    """Give every heading an id and make every id unique in the book. Markdown headings
    without an explicit id get kramdown's GFM id (numbered -1, -2 within the page, as
    kramdown does) so authors' fragments find them."""
    counter: dict[str, int] = defaultdict(lambda: -1)
    ids: dict[str, str] = {}
    headings: list[tuple[Heading, HtmlElement]] = []
    for el in root.iter():
        author = el.get("id")
        is_heading = el.tag in HEADINGS
        if author is None and not is_heading:
            continue
        text = heading_text(el) if is_heading else ""
        if author is None and el.get("data-kb-md") is not None:
            slug = gfm_slug(text)
            counter[slug] += 1
            author = slug + (f"-{counter[slug]}" if counter[slug] > 0 else "")
        candidate = author or "section"
        if el.get("data-kb-fn") is not None and author:
            candidate = f"{ctx.page_id}-{author.replace(':', '-')}"
        book_id = unique(ncname(candidate), used)
        el.set("id", book_id)
        if author:
            ids.setdefault(author, book_id)
        if is_heading:
            headings.append((Heading(int(el.tag[1]), text, book_id), el))
    return headings, ids


def expand_tocs(
    root: HtmlElement, headings: Iterable[tuple[Heading, HtmlElement]], rel: str
) -> None:
    """Replace each `{:toc}` list by links to the page's h2 and h3 (without `.no_toc`)."""
    markers = [el for el in root.iter("ol", "ul") if el.get("data-kb-toc") is not None]
    if not markers:
        return
    entries = [h for h, el in headings
               if h.level in TOC_LEVELS and "no_toc" not in classes(el)]
    for marker in markers:
        toc = element(marker.tag)
        for name, value in marker.attrib.items():
            if name not in ("data-kb-toc", "id"):
                toc.set(name, value)
        # (level of the heading owning the list, list): an h3 goes under the h2 before it.
        stack: list[tuple[int, HtmlElement]] = [(0, toc)]
        for heading in entries:
            while len(stack) > 1 and stack[-1][0] >= heading.level:
                stack.pop()
            item = element("li")
            item.append(element("a", heading.text, href="#" + heading.id, data_kb_page=rel))
            stack[-1][1].append(item)
            sub = element(marker.tag)
            item.append(sub)
            stack.append((heading.level, sub))
        for sub in list(toc.iter("ol", "ul")):
            if sub is not toc and not len(sub):
                sub.getparent().remove(sub)  # type: ignore[union-attr]
        if len(toc):
            replace(marker, toc)
        else:
            marker.getparent().remove(marker)  # type: ignore[union-attr]


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.casefold())


def starts_with_title(root: HtmlElement, title: str | None) -> bool:
    """The body's first block is a heading that only repeats `title` (ignoring emoji,
    punctuation and case)."""
    if title is None or (root.text or "").strip() or not len(root):
        return False
    first = root[0]
    return first.tag in HEADINGS and _words(heading_text(first)) == _words(title)


# -- links ---------------------------------------------------------------------------------


def _unlink(a: HtmlElement, css: str = "kb-broken-link") -> None:
    span = element("span", a.text, class_=css)
    if a.get("id"):
        span.set("id", a.get("id") or "")
    for child in list(a):
        span.append(child)
    replace(a, span)


def _find(ids: Mapping[str, str], fragment: str) -> tuple[str, str] | None:
    """(the site's id, the book's id) of the anchor `fragment` names, if any."""
    if fragment in ids:
        return fragment, ids[fragment]
    folded = fragment.casefold()
    return next(((k, v) for k, v in ids.items() if k.casefold() == folded), None)


def resolve_links(
    root: HtmlElement, ctx: PageContext, book: Mapping[str, PageAnchors]
) -> None:
    """Rewrite every `<a href>`: inside the book to `#id` with `data-kb-page` (and, to another
    page's anchor, `data-kb-fragment`: that anchor's id on the website), outside it to an
    absolute URL with class `kb-external`; what leads nowhere keeps only its text."""
    config = ctx.resolver.config
    for a in list(root.iter("a")):
        href = a.get("href")
        if href is None:
            continue
        if a.get("data-kb-page") is not None and href.startswith("#"):
            continue  # made by kbbook (table of contents)
        target = ctx.resolver.resolve_link(href, ctx.page)
        if target.kind is TargetKind.PAGE and target.page is not None:
            anchors = book.get(target.page.rel)
            web = ctx.resolver.web_url(target.page)
            if anchors is None and web:
                a.set("href", web + url_fragment(target.fragment))
                add_class(a, "kb-external")
            elif anchors is None:
                ctx.warn(a, "link-outside-book", f"link to '{href}' leads to "
                         f"{target.page.rel}, which is not in the book; its text is kept "
                         "without a link")
                _unlink(a)
            else:
                anchor, site_id = anchors.page_id, target.fragment
                if target.fragment:
                    found = _find(anchors.ids, target.fragment)
                    if found is None:
                        ctx.warn(a, "broken-anchor", f"link to '{href}': {target.page.rel} "
                                 f"has no heading or anchor '{target.fragment}'; the link "
                                 "leads to the start of that page")
                    else:
                        site_id, anchor = found
                a.set("href", "#" + anchor)
                a.set("data-kb-page", target.page.rel)
                if site_id and target.page.rel != ctx.page.rel:
                    # (a print may leave that page out and link to the website instead)
                    a.set("data-kb-fragment", site_id)
        elif target.kind is TargetKind.EXTERNAL and not valid_web_url(target.url):
            ctx.warn(a, "bad-url", f"link to '{href[:80]}' is not a valid web address; its "
                     "text is kept without a link")
            _unlink(a)
        elif target.kind is TargetKind.EXTERNAL:
            a.set("href", target.url)
            add_class(a, "kb-external")
        elif target.kind is TargetKind.FILE and config.url:
            a.set("href", f"{config.url}{config.baseurl}/{target.rel}")
            add_class(a, "kb-external")
        elif target.kind is TargetKind.FILE:
            ctx.warn(a, "file-link", f"link to '{href}' leads to the file {target.rel}, "
                     "which the book does not contain; its text is kept without a link "
                     "(set url: in _config.yml to link to it on the web)")
            _unlink(a)
        elif target.kind is TargetKind.UNSAFE:
            ctx.warn(a, "unsafe-link", f"link to '{href[:80]}' uses a scheme a book never "
                     "includes; its text is kept without a link")
            _unlink(a)
        else:
            ctx.warn(a, "broken-link", f"link to '{href}' leads to no page or file of the "
                     "site; its text is kept without a link")
            _unlink(a)
