"""Book-unique ids and names, and the `{:toc}` lists.

Authors link to kramdown's ids (`#what-is-it`, `{: #custom}`, `#fn:1`) of one page; in a
book every id must be unique, so each page keeps a map from the ids its author knows to
the ids the book uses (`links.py` resolves links with it once every page's map exists).
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lxml.html import HtmlElement

from ..site import Page
from .context import PageContext
from .html import classes, element, ncname, plain_text, replace
from .kramdown import gfm_slug
from .kramdown_ext import TOC_LEVELS_ATTR, parse_levels
from .model import Heading

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


def unique(stem: str, used: set[str], *, suffix: str = "", first: int = 1,
           fold: bool = False) -> str:
    """`stem + suffix`, or `stem-N + suffix` with the first N from `first` up that is still
    free in `used` (compared case-folded with `fold`, for file names); then taken."""
    result, n = stem + suffix, first - 1
    while (result.lower() if fold else result) in used:
        n += 1
        result = f"{stem}-{n}{suffix}"
    used.add(result.lower() if fold else result)
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
    """Replace each `{:toc}` list by links to the page's headings of the levels kramdown's
    `toc_levels` names (h2 and h3 unless `{::options}` says otherwise), without `.no_toc`."""
    markers = [el for el in root.iter("ol", "ul") if el.get("data-kb-toc") is not None]
    if not markers:
        return
    headings = list(headings)
    for marker in markers:
        levels = parse_levels(marker.get(TOC_LEVELS_ATTR), TOC_LEVELS)
        entries = [h for h, el in headings if h.level in levels and "no_toc" not in classes(el)]
        toc = element(marker.tag)
        for name, value in marker.attrib.items():
            if name not in ("data-kb-toc", TOC_LEVELS_ATTR, "id"):
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
    """The body opens with its own page heading, as the website shows it: an h1, or a
    heading of any level that only repeats `title` (ignoring emoji, punctuation and case).
    The writers then print no title above it; the title still names the page in the
    contents, bookmarks and running headers."""
    if (root.text or "").strip() or not len(root):
        return False
    first = root[0]
    if first.tag == "h1":
        return True
    return (title is not None and first.tag in HEADINGS
            and _words(heading_text(first)) == _words(title))
