"""The just-the-docs sidebar rules: from pages to the book tree and its reading order.

Ties between siblings with equal sort keys have no defined order in Jekyll; kbbook breaks
them by source path so every build gives the same book.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from ..errors import Diagnostics
from ..site import Page, SiteConfig
from .model import Book, HiddenPage, Node


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
    number_order.sort(key=lambda p: (p.nav_order, p.rel))
    string_order.sort(key=lambda p: (fold(str(p.nav_order)), p.rel))
    number_title.sort(key=lambda p: (p.meta["title"], p.rel))
    string_title.sort(key=lambda p: (fold(p.title or ""), p.rel))
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


class _TreeBuilder:
    """Builds the sidebar tree under one set of rules; `show_excluded` lists hidden pages too."""

    def __init__(self, config: SiteConfig, pages: Sequence[Page], show_excluded: bool) -> None:
        self.config = config
        self.show_excluded = show_excluded
        self.titled = [p for p in pages if p.title is not None]
        self.by_parent: dict[str, list[Page]] = defaultdict(list)
        for page in self.titled:
            self.by_parent[page.parent or ""].append(page)
        self.top_titles = {p.title for p in self.by_parent.get("", [])}
        self.placed: set[str] = set()
        self.duplicates: list[tuple[Page, str]] = []

    def sort(self, pages: Iterable[Page]) -> list[Page]:
        return sort_siblings(pages, self.config.nav_sort_case_insensitive)

    def _accepts(self, node: Page, child: Page, ancestors: _Ancestors) -> bool:
        if child.grand_parent is not None and child.grand_parent != node.parent:
            return False
        if (
            child.ancestor is not None
            and child.ancestor != node.title
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
        return self._links(self.sort(self.by_parent.get("", [])))

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
            if page.title in ancestors:
                continue  # the theme shows a dead "∞" link; the page is reported as hidden
            if not self._place(page, ancestors.last):
                continue
            children: list[Page] = []
            if page.has_children is not False:
                children = self.sort(
                    c for c in self.by_parent.get(page.title or "", [])
                    if self._accepts(page, c, ancestors)
                )
            if page.child_nav_order in ("desc", "reversed"):
                children.reverse()
            ancestors.push(page.title or "")
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
            kids = [c for c in second if c.parent == top.title] if top.has_children else []
            if top.child_nav_order in ("desc", "reversed"):
                kids.reverse()
            child_nodes = []
            for child in kids:
                if not self._place(child, top.title or ""):
                    continue
                grand = (
                    [g for g in third if g.parent == child.title and g.grand_parent == top.title]
                    if child.has_children
                    else []
                )
                if child.child_nav_order in ("desc", "reversed"):
                    grand.reverse()
                leaves = tuple(Node(g, ()) for g in grand if self._place(g, child.title or ""))
                child_nodes.append(Node(child, leaves))
            roots.append(Node(top, tuple(child_nodes)))
        return tuple(roots)

    def build(self) -> tuple[Node, ...]:
        return self.legacy() if self.config.nav_rules == "legacy" else self.modern()


def _flatten(roots: Iterable[Node]) -> list[Page]:
    return [node.page for root in roots for _, node in root.walk()]


def _parent_chain_loops(page: Page, by_title: dict[str, list[Page]]) -> list[str] | None:
    """The titles of a parent loop that `page` is in or leads to, else None."""
    chain = [page.title or ""]
    current = page
    seen = {page.title}
    while current.parent is not None:
        parents = by_title.get(current.parent)
        if not parents:
            return None
        current = parents[0]
        chain.append(current.title or "")
        if current.title in seen:
            return chain
        seen.add(current.title)
    return None


def _why_hidden(page: Page, config: SiteConfig, by_title: dict[str, list[Page]]) -> str:
    if page.title is None:
        return "has no title"
    if page.parent is not None and page.parent == page.title:
        return "names itself as its parent"
    loop = _parent_chain_loops(page, by_title)
    if loop is not None:
        return "its parents form a loop: " + " -> ".join(loop)
    if page.parent is not None and page.parent not in by_title:
        return f"its parent {page.parent!r} is not the title of any page"
    if config.nav_rules == "legacy":
        return ("the sidebar of theme versions before 0.10 does not show it (three levels at "
                "most, children only under has_children: true)")
    parents = by_title.get(page.parent or "", [])
    if parents and all(p.has_children is False for p in parents):
        return f"its parent {page.parent!r} says has_children: false"
    if page.grand_parent is not None:
        return (f"no page titled {page.parent!r} has the parent {page.grand_parent!r} "
                "named by its grand_parent")
    if page.ancestor is not None:
        return f"no page titled {page.parent!r} lies under its ancestor {page.ancestor!r}"
    return f"no page titled {page.parent!r} in the sidebar takes it as a child"


def build_book(config: SiteConfig, pages: Sequence[Page], diagnostics: Diagnostics) -> Book:
    """Order the pages as the sidebar does; report what it leaves out."""
    visible_builder = _TreeBuilder(config, pages, show_excluded=False)
    visible = visible_builder.build()
    full_builder = _TreeBuilder(config, pages, show_excluded=True)
    full = full_builder.build()
    roots = full if config.include_hidden else visible
    order = _flatten(roots)

    in_visible = {p.rel for p in _flatten(visible)}
    in_full = {p.rel for p in _flatten(full)}
    by_title: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        if page.title is not None:
            by_title[page.title].append(page)

    hidden: list[HiddenPage] = []
    for page in pages:
        if page.rel in in_visible:
            continue
        if page.rel in in_full:
            if config.include_hidden:
                continue
            reason = ("nav_exclude: true" if page.nav_exclude
                      else "it lies under a page with nav_exclude: true")
            hidden.append(HiddenPage(page, f"excluded from the sidebar ({reason})"))
            continue
        reason = _why_hidden(page, config, by_title)
        hidden.append(HiddenPage(page, reason))
        if page.title is not None:
            code = "parent-cycle" if "loop" in reason or "itself" in reason else "orphan"
            line = page.lines.get("parent") or page.lines.get("title")
            diagnostics.warning(page.rel, line, code,
                                f"left out of the book: {reason}; fix its parent: "
                                "or grand_parent: so the sidebar shows it")

    builder = full_builder if config.include_hidden else visible_builder
    for page, via in builder.duplicates:
        diagnostics.warning(page.rel, page.lines.get("parent"), "duplicate-title",
                            f"the sidebar would show this page again under another page titled "
                            f"{via!r}; the book keeps its first place only. Give it a "
                            "grand_parent: (or ancestor:) to say which one is meant")
    return Book(config, roots, tuple(order), tuple(hidden))
