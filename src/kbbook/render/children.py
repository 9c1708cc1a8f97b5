"""The list of child pages the theme shows at the foot of a parent page ("Table of
contents", unless `has_toc: false`), as links inside the book.

just-the-docs writes `<hr>`, `<h2 class="text-delta">Table of contents</h2>` (its
`_includes/toc_heading_custom.html`, which a site may replace) and a list of links to the
children, each followed by " - " and the child's `summary` when it has one. Theme 0.10 and
later show it under every page with children; older ones (and the legacy sidebar rules) only
under `has_children: true`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from lxml.html import HtmlElement

from ..site import Page, SiteConfig, site_file
from ..words import words
from .html import element

_TAG = re.compile(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}|<[^>]*>"
                  r"|\{[{%].*?[%}]\}", re.DOTALL)


@lru_cache(maxsize=8)
def _custom_heading(root: Path) -> str | None:
    """The text of the site's own `_includes/toc_heading_custom.html`, if it has one."""
    path = site_file(root, "_includes/toc_heading_custom.html")
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    words_of = " ".join(_TAG.sub(" ", text).split())
    return words_of or None


def shows_children(page: Page, config: SiteConfig) -> bool:
    """Whether the theme lists this page's children under it."""
    if page.meta.get("has_toc") is False:
        return False
    if config.nav_rules == "legacy" or (config.theme_version or (99,)) < (0, 10):
        return page.has_children is True
    return page.has_children is not False


def children_contents(page: Page, children: Sequence[Page], page_ids: Mapping[str, str],
                      config: SiteConfig) -> list[HtmlElement]:
    """The rule, heading and list to append to a parent page's body (none when the theme
    shows none). Links carry `data-kb-page`, as kbbook's own contents lists do."""
    if not children or not shows_children(page, config):
        return []
    heading = element("h2", _custom_heading(config.root) or words(config.lang).child_pages,
                      class_="text-delta kb-child-pages")
    ul = element("ul", class_="kb-child-pages")
    for child in children:
        li = element("li")
        li.append(element("a", child.title or child.rel, href="#" + page_ids[child.rel],
                          data_kb_page=child.rel))
        summary = child.meta.get("summary")
        if summary is not None and str(summary).strip():
            li[-1].tail = " - " + " ".join(str(summary).split())
        ul.append(li)
    return [element("hr"), heading, ul]
