"""The ordered book: its tree of pages, the reading order, and what the sidebar leaves out."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from ..errors import KbbookError
from ..site import ExternalLink, Page, PageKind, SiteConfig
from ..site.liquid import SiteLiquid


@dataclass(frozen=True)
class Node:
    """A page in the book tree."""

    page: Page
    """The page itself."""
    children: tuple[Node, ...]
    """Its child pages, in sidebar order."""
    inline: bool = False
    """For a part (a collection's name): the sidebar shows its pages at its own level, below
    the name (the book still groups them under it)."""

    def walk(self, depth: int = 0) -> Iterator[tuple[int, Node]]:
        """This node and its descendants, depth-first, with their depth (0 = this node)."""
        stack: list[tuple[int, Node]] = [(depth, self)]
        while stack:
            d, node = stack.pop()
            yield d, node
            stack.extend((d + 1, child) for child in reversed(node.children))


@dataclass(frozen=True)
class HiddenPage:
    """A page of the site that the sidebar does not show, and so the book leaves out."""

    page: Page
    """The page."""
    reason: str
    """Why, in words for the user."""


@dataclass(frozen=True)
class Book:
    """The ordered book: the tree, the flat reading order and what was left out."""

    config: SiteConfig
    """The site's configuration."""
    roots: tuple[Node, ...]
    """Top-level pages, in sidebar order."""
    reading_order: tuple[Page, ...]
    """Every page of the book, depth-first: a parent before its children."""
    hidden: tuple[HiddenPage, ...]
    """Pages left out, with the reason."""
    external_links: tuple[ExternalLink, ...] = ()
    """The theme's `nav_external_links`: the sidebar shows them after the site's pages."""
    external_at: int = 0
    """How many of `roots` come before them (the site's pages; the collections follow)."""
    appendix: tuple[Page, ...] = ()
    """The pages of the linked pages' appendix (in `roots` and `reading_order` too)."""
    liquid: SiteLiquid | None = None
    """The site's Liquid, with the pages it has already run (kbbook runs a page's Liquid
    once: to find the pages it links to, and to render it)."""

    def walk(self) -> Iterator[tuple[int, Node]]:
        """Every node with its depth (0 = top level), in reading order."""
        for root in self.roots:
            yield from root.walk()

    def outline(self, paths: bool = False, *, sidebar: bool = True) -> str:
        """The sidebar's outline: two spaces of indent per level, then the title (and
        `  <- source` with paths); a part the book adds (a collection's name, the appendix)
        in [brackets], its pages at its own level when the sidebar shows them so, and the
        site's external links where the sidebar shows them. With `sidebar=False`, the
        book's own outline, as its contents and navigation show it: every part a title over
        its pages, no web links."""
        lines = []
        shift: list[tuple[int, int]] = []  # (depth of an inline part, how far it shifts)
        at = [n for n, (depth, _) in enumerate(self.walk()) if depth == 0]
        external = at[self.external_at] if self.external_at < len(at) else None
        for n, (depth, node) in enumerate(self.walk()):
            if not sidebar:
                line = "  " * depth + (node.page.title or "")
                lines.append(f"{line}  <- {node.page.rel}" if paths else line)
                continue
            if n == external:
                lines.extend(self._external_lines(paths))
            while shift and depth <= shift[-1][0]:
                shift.pop()
            shown = depth - (shift[-1][1] if shift else 0)
            if node.page.kind is PageKind.PART:
                lines.append("  " * shown + f"[{node.page.title or ''}]")
                if node.inline:
                    shift.append((depth, (shift[-1][1] if shift else 0) + 1))
                continue
            line = "  " * shown + (node.page.title or "")
            lines.append(f"{line}  <- {node.page.rel}" if paths else line)
        if sidebar and external is None:
            lines.extend(self._external_lines(paths))
        return "\n".join(lines)

    def _external_lines(self, paths: bool) -> list[str]:
        return [f"{link.title}  <- {link.url}" if paths else link.title
                for link in self.external_links]

    def __str__(self) -> str:
        return self.outline()

    def find(self, title: str) -> list[Node]:
        """Nodes whose page has this title (exactly, then ignoring case)."""
        nodes = [n for _, n in self.walk() if n.page.title == title]
        if not nodes:
            folded = title.casefold()
            nodes = [n for _, n in self.walk() if (n.page.title or "").casefold() == folded]
        return nodes



T = TypeVar("T")


def fold(roots: Iterable[Node], make: Callable[[Node, int, list[T]], T]) -> list[T]:
    """One value per root, each made by `make(node, depth, values of its children)` from the
    leaves up, with a stack of our own: the tree may be any number of levels deep."""
    top: list[T] = []
    # (node, its depth, its children left, the values of those done)
    stack: list[tuple[Node, int, Iterator[Node], list[T]]] = []
    for root in roots:
        stack.append((root, 0, iter(root.children), []))
        while stack:
            node, depth, children, done = stack[-1]
            child = next(children, None)
            if child is not None:
                stack.append((child, depth + 1, iter(child.children), []))
                continue
            stack.pop()
            (stack[-1][3] if stack else top).append(make(node, depth, done))
    return top


def select_parts(book: Book, names: Iterable[str]) -> tuple[Node, ...]:
    """The subtrees named by `--only` (a title, or a source file when titles repeat), in
    reading order; an unknown or ambiguous name is an error."""
    chosen: list[Node] = []
    for name in names:
        nodes = [n for _, n in book.walk() if n.page.rel == name.lstrip("./")]
        nodes = nodes or book.find(name)
        if len(nodes) > 1:
            raise KbbookError(
                f"--only {name!r}: {len(nodes)} pages have this title ("
                + ", ".join(n.page.rel for n in nodes)
                + "); give the source file of the one you mean instead")
        if not nodes:
            known = [n.page.title or "" for _, n in book.walk()]
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else (
                "; run 'kbbook toc' to see the titles")
            raise KbbookError(f"--only {name!r}: no page of the book has this title{hint}")
        chosen.extend(nodes)
    order = {node.page.rel: i for i, (_, node) in enumerate(book.walk())}
    # A part inside another chosen part is already printed with it.
    inside = {n.page.rel for node in chosen for _, n in node.walk() if n is not node}
    unique = {n.page.rel: n for n in chosen if n.page.rel not in inside}
    return tuple(sorted(unique.values(), key=lambda n: order[n.page.rel]))


def split_parts(book: Book, depth: int = 0) -> tuple[Node, ...]:
    """The book cut into handouts, in reading order: each page at `depth` with its subtree,
    and each page above it on its own (with its subtree when nothing of it lies at
    `depth`), so every page is in exactly one handout."""
    parts: list[Node] = []
    for level, node in book.walk():
        if level == depth or (level < depth and not node.children):
            parts.append(node)
        elif level < depth and node.page.kind is not PageKind.PART:
            # (a part the book adds is a heading over its pages: nothing of its own)
            parts.append(dataclasses.replace(node, children=()))
    return tuple(parts)
