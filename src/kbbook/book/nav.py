"""The just-the-docs sidebar rules: from pages to the book tree and its reading order.

Siblings whose sort keys are equal keep Jekyll's own order of the pages (`Page.order`): the
theme's sort is stable, and Jekyll sorts `site.pages` by file name before it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from ..site import Page, SiteConfig
from .model import Node


def _ascii_fold(text: str) -> str:
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def sort_siblings(pages: Iterable[Page], case_insensitive: bool) -> list[Page]:
    """The four buckets of `_includes/components/nav/sorted.html`, concatenated."""
    fold = _ascii_fold if case_insensitive else (lambda s: s)
    number_order, string_order, number_title, string_title = [], [], [], []
    for page in pages:
        if isinstance(page.nav_order, str):
            string_order.append(page)
        elif page.nav_order is not None:
            number_order.append(page)
        elif page.title_is_number:
            number_title.append(page)
        else:
            string_title.append(page)
    number_order.sort(key=lambda p: (p.nav_order, p.order))
    string_order.sort(key=lambda p: (fold(str(p.nav_order)), p.order))
    number_title.sort(key=lambda p: (p.meta["title"], p.order))
    string_title.sort(key=lambda p: (fold(p.nav_title or ""), p.order))
    return number_order + string_order + number_title + string_title


class _Ancestors:
    """The titles above the page being placed, nearest last; `in` takes constant time."""

    def __init__(self) -> None:
        self.titles: list[str] = []
        self.counts: dict[str, int] = defaultdict(int)

    def push(self, title: str) -> None:
        self.titles.append(title)
        self.counts[title] += 1

    def pop(self) -> None:
        title = self.titles.pop()
        self.counts[title] -= 1

    def __contains__(self, title: object) -> bool:
        return self.counts.get(title, 0) > 0  # type: ignore[call-overload]

    def __len__(self) -> int:
        return len(self.titles)

    @property
    def last(self) -> str:
        return self.titles[-1] if self.titles else ""


class TreeBuilder:
    """Builds the sidebar tree under one set of rules; `show_excluded` lists hidden pages too."""

    def __init__(self, config: SiteConfig, pages: Sequence[Page], show_excluded: bool) -> None:
        self.config = config
        self.show_excluded = show_excluded
        self.titled = [p for p in pages if p.nav_title is not None]
        # (top-level pages under None: a page titled "" does not take them as children,
        # which the theme would show again under it)
        self.by_parent: dict[str | None, list[Page]] = defaultdict(list)
        for page in self.titled:
            self.by_parent[page.parent].append(page)
        self.top_titles = {p.nav_title for p in self.by_parent.get(None, [])}
        self.placed: set[str] = set()
        self.duplicates: list[tuple[Page, str]] = []

    def sort(self, pages: Iterable[Page]) -> list[Page]:
        return sort_siblings(pages, self.config.nav_sort_case_insensitive)

    def _accepts(self, node: Page, child: Page, ancestors: _Ancestors) -> bool:
        if child.grand_parent is not None and child.grand_parent != node.parent:
            return False
        if (
            child.ancestor is not None
            and child.ancestor != node.nav_title
            and child.ancestor not in ancestors
        ):
            return False
        # The theme's rule for sites written for three levels: a child that could be
        # second-level is not taken as third-level.
        return not (
            child.grand_parent is None
            and child.ancestor is None
            and child.parent in self.top_titles
            and len(ancestors) >= 1
        )

    def _place(self, page: Page, via: str) -> bool:
        if page.rel in self.placed:
            self.duplicates.append((page, via))
            return False
        self.placed.add(page.rel)
        return True

    def modern(self) -> tuple[Node, ...]:
        return self._links(self.sort(self.by_parent.get(None, [])))

    def _links(self, pages: list[Page]) -> tuple[Node, ...]:
        """The theme's recursive `nav/links.html`, walked with a stack of our own so any depth
        of parents can be followed."""
        top: list[Node] = []
        ancestors = _Ancestors()
        # One frame per list being filled: its pages left, its nodes so far, the page it
        # belongs to (None for the top level).
        stack: list[tuple[Iterator[Page], list[Node], Page | None]] = [(iter(pages), top, None)]
        while stack:
            pages_left, nodes, owner = stack[-1]
            page = next(pages_left, None)
            if page is None:  # the list is complete: its page's node can be made
                stack.pop()
                if owner is not None:
                    ancestors.pop()
                    stack[-1][1].append(Node(owner, tuple(nodes)))
                continue
            if page.nav_exclude and not self.show_excluded:
                continue
            if page.nav_title in ancestors:
                continue  # the theme shows a dead "∞" link; the page is reported as hidden
            if not self._place(page, ancestors.last):
                continue
            children: list[Page] = []
            if page.has_children is not False:
                children = self.sort(
                    c for c in self.by_parent.get(page.nav_title or "", [])
                    if self._accepts(page, c, ancestors)
                )
            if page.child_nav_order in ("desc", "reversed"):
                children.reverse()
            ancestors.push(page.nav_title or "")
            stack.append((iter(children), [], page))
        return tuple(top)

    def legacy(self) -> tuple[Node, ...]:
        """Theme 0.7 to 0.9 (`_includes/components/nav.html`): three levels at most."""
        pages = self.sort(p for p in self.titled if self.show_excluded or not p.nav_exclude)
        first = [p for p in pages if p.parent is None]
        second = [p for p in pages if p.parent is not None and p.grand_parent is None]
        third = [p for p in pages if p.grand_parent is not None]
        roots = []
        for top in first:
            if not self._place(top, ""):
                continue
            kids = ([c for c in second if c.parent == top.nav_title] if top.has_children
                    else [])
            if top.child_nav_order in ("desc", "reversed"):
                kids.reverse()
            child_nodes = []
            for child in kids:
                if not self._place(child, top.nav_title or ""):
                    continue
                grand = (
                    [g for g in third
                     if g.parent == child.nav_title and g.grand_parent == top.nav_title]
                    if child.has_children
                    else []
                )
                if child.child_nav_order in ("desc", "reversed"):
                    grand.reverse()
                leaves = tuple(Node(g, ()) for g in grand
                               if self._place(g, child.nav_title or ""))
                child_nodes.append(Node(child, leaves))
            roots.append(Node(top, tuple(child_nodes)))
        return tuple(roots)

    def build(self) -> tuple[Node, ...]:
        return self.legacy() if self.config.nav_rules == "legacy" else self.modern()
