"""The pages a page links to, found without rendering it: its Markdown after Liquid, parsed
by the same markdown-it the renderer uses, every link and `<a href>` resolved. The linked
pages' appendix is built from this (`toc` needs it, fast); rendering later reuses the
Liquid already run."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import PurePosixPath
from urllib.parse import quote

from markdown_it.token import Token

from ..errors import Diagnostics
from ..site import LinkResolver, Page, TargetKind
from ..site.liquid import SiteLiquid
from .markdown import create_markdown

_HREF = re.compile(r"""<a\s[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""",
                   re.IGNORECASE)


def _hrefs(tokens: Sequence[Token]) -> Iterator[str]:
    stack = list(reversed(tokens))
    while stack:
        token = stack.pop()
        if token.type == "link_open":
            href = token.attrGet("href")
            if isinstance(href, str):
                yield href
        elif token.type in ("html_block", "html_inline"):
            for m in _HREF.finditer(token.content):
                yield next(g for g in m.groups() if g is not None)
        if token.children:
            stack.extend(reversed(token.children))


def _names(page: Page) -> set[str]:
    """Words any link to `page` holds, whichever form it takes (its URL, its source file,
    relative or not): the last part of its URL and of its path, or its folder's name for an
    index."""
    names = set()
    for path in (page.url, page.rel):
        pure = PurePosixPath(path.rstrip("/") or "/")
        stem = pure.stem
        if stem.lower() in ("index", "readme", ""):
            stem = pure.parent.name
        if stem:
            names.update((stem.lower(), quote(stem).lower()))
    return names


def page_links(liquid: SiteLiquid, resolver: LinkResolver, diagnostics: Diagnostics,
               targets: Iterable[Page] | None = None) -> Callable[[Page], list[Page]]:
    """A function giving the pages that a page links to, in the order of its links. With
    `targets`, only links to those are wanted: a page whose text names none of them is not
    parsed at all (the Liquid still runs, and is kept for rendering)."""
    md = create_markdown(parse_block_html=resolver.config.parse_block_html)
    names: set[str] | None = None
    if targets is not None:
        each = [_names(t) for t in targets]
        # (a page with no such word, the site's root page, could be named by a bare "/")
        names = set().union(*each) if all(each) else None

    def links_of(page: Page) -> list[Page]:
        text = liquid.expand(page, diagnostics).text
        if names is not None:
            lowered = text.lower()
            if not any(name in lowered for name in names):
                return []
        found: list[Page] = []
        for href in _hrefs(md.parse(text, {})):
            target = resolver.resolve_link(href, page)
            if target.kind is TargetKind.PAGE and target.page is not None:
                found.append(target.page)
        return found

    return links_of
