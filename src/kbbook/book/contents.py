"""The book's contents as one flat list of entries: the EPUB nav, its NCX, the EPUB
contents page and the PDF contents pages are all built from it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from .model import Node


@dataclass(frozen=True)
class ContentsEntry:
    """One line of the contents."""

    node: Node
    """The page's node."""
    order: int
    """1-based position of the page in reading order among the roots given."""
    depth: int
    """0 for the top level."""
    level: int
    """The list it stands in, 0 for the outermost: its depth, but never deeper than the
    nesting limit (deeper entries join the deepest list)."""


def contents(roots: Iterable[Node], max_depth: int | None = None,
             nesting: int | None = None) -> tuple[ContentsEntry, ...]:
    """The nodes of `roots` down to `max_depth` levels (all with None), in reading order."""
    entries: list[ContentsEntry] = []
    order = 0
    for root in roots:
        for depth, node in root.walk():
            order += 1
            if max_depth is None or depth < max_depth:
                level = depth if nesting is None else min(depth, nesting - 1)
                entries.append(ContentsEntry(node, order, depth, level))
    return tuple(entries)


E = TypeVar("E")  # an element of the document being built


def nest(entries: Iterable[ContentsEntry], top: E, item: Callable[[ContentsEntry], E],
         append: Callable[[E, E], None], children: Callable[[E], E]) -> E:
    """Put each entry's `item` into `top`, or into the `children(item)` container of the entry
    it is nested under: nested lists built without recursion, for any depth."""
    containers: list[E] = [top]  # containers[k]: the open list at level k
    last: E | None = None
    for entry in entries:
        del containers[entry.level + 1:]
        if entry.level == len(containers) and last is not None:
            containers.append(children(last))
        element = item(entry)
        append(containers[-1], element)
        last = element
    return top

