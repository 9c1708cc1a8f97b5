"""Every `<a href>` of a page resolved once, into the `Link` records the writers map.

Runs when every page's ids are known. A link kbbook keeps becomes `<a data-kb-link="N">`
with `links[N]` saying where it leads; one that leads nowhere keeps only its text, with a
warning naming file and line.
"""

from __future__ import annotations

from collections.abc import Mapping

from lxml.html import HtmlElement

from ..site import TargetKind
from .context import PageContext
from .html import add_class, element, plain_text, remove, replace, url_fragment, valid_web_url
from .ids import PageAnchors
from .model import LINK_ATTR, Link, LinkKind

UNLINKED = "kb-unlinked"
"""The class of a link's text kept without its link, in every output."""


def unlink(a: HtmlElement) -> None:
    """Keep the link's text (and its id, which something may point to), drop the link."""
    span = element("span", a.text, class_=UNLINKED)
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


class _Links:
    """The links of one page, numbered as they are found."""

    def __init__(self, ctx: PageContext, book: Mapping[str, PageAnchors]) -> None:
        self.ctx = ctx
        self.book = book
        self.found: list[Link] = []

    def keep(self, a: HtmlElement, link: Link) -> None:
        a.set("href", "#" + link.anchor if link.kind is LinkKind.PAGE else link.url)
        if link.kind is LinkKind.WEB:
            add_class(a, "kb-external")
        a.set(LINK_ATTR, str(len(self.found)))
        self.found.append(link)

    def drop(self, a: HtmlElement, code: str, message: str) -> None:
        self.ctx.warn(a, code, message)
        unlink(a)

    def resolve(self, a: HtmlElement) -> None:
        ctx, href = self.ctx, a.get("href") or ""
        line = ctx.line(a)
        made_by = a.attrib.pop("data-kb-page", None)
        if made_by is not None:  # kbbook's own contents list: already an id of the book
            self.keep(a, Link(LinkKind.PAGE, None, page=made_by, anchor=href[1:]))
            return
        resolver = ctx.resolver
        target = resolver.resolve_link(href, ctx.page)
        if target.kind is TargetKind.PAGE and target.page is not None:
            web = resolver.web_url(target.page)
            known = self.book.get(target.page.rel)
            if known is None and web:
                self.keep(a, Link(LinkKind.WEB, line, href,
                                  url=web + url_fragment(target.fragment)))
            elif known is None:
                self.drop(a, "link-outside-book", f"link to '{href}' leads to "
                          f"{target.page.rel}, which is not in the book; its text is kept "
                          "without a link")
            else:
                anchor, site_id = known.page_id, target.fragment
                if target.fragment:
                    found = _find(known.ids, target.fragment)
                    if found is None:
                        ctx.warn(a, "broken-anchor", f"link to '{href}': {target.page.rel} "
                                 f"has no heading or anchor '{target.fragment}'; the link "
                                 "leads to the start of that page")
                    else:
                        site_id, anchor = found
                self.keep(a, Link(LinkKind.PAGE, line, href, page=target.page.rel,
                                  anchor=anchor,
                                  url=web + url_fragment(site_id) if web else ""))
        elif target.kind is TargetKind.EXTERNAL and not valid_web_url(target.url):
            self.drop(a, "bad-url", f"link to '{href[:80]}' is not a valid web address; its "
                      "text is kept without a link")
        elif target.kind is TargetKind.EXTERNAL:
            self.keep(a, Link(LinkKind.WEB, line, href, url=target.url))
        elif target.kind is TargetKind.FILE and resolver.config.site_url:
            self.keep(a, Link(LinkKind.WEB, line, href,
                              url=f"{resolver.config.site_url}/{target.rel}"))
        elif target.kind is TargetKind.FILE:
            self.drop(a, "file-link", f"link to '{href}' leads to the file {target.rel}, "
                      "which the book does not contain; its text is kept without a link "
                      "(set url: in _config.yml to link to it on the web)")
        elif target.kind is TargetKind.UNSAFE:
            self.drop(a, "unsafe-link", f"link to '{href[:80]}' uses a scheme a book never "
                      "includes; its text is kept without a link")
        else:
            self.drop(a, "broken-link", f"link to '{href}' leads to no page or file of the "
                      "site; its text is kept without a link")


def resolve_links(root: HtmlElement, ctx: PageContext,
                  book: Mapping[str, PageAnchors]) -> tuple[Link, ...]:
    """Resolve every `<a href>` below `root`; `book` maps each page of the book to its page
    id and its author's ids -> book ids. Returns the page's links, by index."""
    links = _Links(ctx, book)
    for a in list(root.iter("a")):
        if a.get("href") is None:
            continue
        if not plain_text(a) and next(a.iter("img"), None) is None:
            # Nothing to show or tap (a Liquid loop that gave nothing, say): the website
            # shows nothing either. An id on it stays, as something may point to it.
            if a.get("id"):
                unlink(a)
            else:
                remove(a)
            continue
        links.resolve(a)
    return tuple(links.found)
