"""The print tree cut into chunks: documents of whole chapters that WeasyPrint lays out one
by one, in parallel, and that are merged back into one PDF.

A chunk starts on a forced page break (the front matter, a chapter, a long chapter's part),
so laid out alone it breaks its pages exactly as it would inside the whole book. What a chunk
cannot know alone, the page numbers of places in other chunks, is left as a slot in its HTML:

- every internal link carries `data-kb-page="#ID"`, filled in with the page number of ID
  as far as it is known when the chunk is rendered (`fill`; the merge stamps the real one,
  `slots.py`); kbbook's stylesheets (and the user's) show it where they said
  `target-counter(attr(href), page)` (`uses_numbers`, `number_css`);
- a link to another chunk's place becomes `kbbook:ID`, which WeasyPrint writes as a link to
  a URI and the merge turns back into a link to the named destination ID.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from lxml import etree

from .document import PrintTree, serialize
from .page import MAX_BOOKMARK_LEVEL
from .slots import delimit

CROSS_CHUNK = "kbbook:"
"""The URI scheme of a link into another chunk, until the merge resolves it."""
NUMBER_ATTR = "data-kb-page"
_SLOT = re.compile(NUMBER_ATTR + r'="#([^"]*)"')
_TARGET_PAGE = re.compile(
    r"target-counter\(\s*attr\(\s*href(?:\s+url)?\s*\)\s*,\s*page\s*\)", re.IGNORECASE)
MIN_CHUNK = 40_000
"""Characters of print HTML below which chapters share a chunk: each document costs a fixed
time to set up (stylesheets, fonts)."""
MAX_CHUNK = 140_000
"""Characters above which chapters never share a chunk: a worker's memory follows the size
of its chunk (a long chapter is printed in parts of about this size, document.PART_SIZE,
each a chunk of its own). About 40 pages, which a worker lays out and writes in some 200 MB:
two workers and the main process of a big book's build stay under 600 MB."""


@dataclass(frozen=True)
class Chunk:
    """One document of the chunked print."""

    index: int
    """0 for the front matter (cover and contents), then in reading order."""
    name: str
    """What the progress display and messages call it: its first chapter's title."""
    identity: str
    """What stays the same when the chunk's text changes (its first element's id): the
    previous build's layout of the same chunk predicts this one's."""
    template: str
    """The HTML, with `data-kb-page="#ID"` slots."""
    owned: frozenset[str]
    """The ids inside it."""
    targets: tuple[str, ...]
    """The ids whose page numbers it shows, sorted."""
    ghosts: int = 0
    """How many bookmarks it opens with that stand for the pages its first page is under
    (a long chapter's later part): the merge hangs what follows them under the bookmarks of
    the chunks before."""

    def fill(self, pages: Mapping[str, int]) -> str:
        """The HTML with each slot set to the page of its id, marked as a number to stamp
        (`slots.delimit`; '' for an id on no page)."""
        return _SLOT.sub(lambda m: f'{NUMBER_ATTR}="{delimit(pages.get(m[1]))}"',
                         self.template)

    def numbers(self, pages: Mapping[str, int]) -> tuple[int | None, ...]:
        """The numbers this chunk shows, in `targets` order: what its render depends on."""
        return tuple(pages.get(target) for target in self.targets)


def uses_numbers(css: str) -> bool:
    """Whether a stylesheet shows the page a link leads to."""
    return _TARGET_PAGE.search(css) is not None


def number_css(css: str) -> str:
    """A stylesheet with `target-counter(attr(href), page)` read from the link's slot."""
    return _TARGET_PAGE.sub(f"attr({NUMBER_ATTR})", css)


def _size(elements: Iterable[etree._Element]) -> int:
    return sum(len(etree.tostring(el, method="html", encoding="unicode")) for el in elements)


def _groups(chapters: Sequence[etree._Element], sizes: Sequence[int], jobs: int
            ) -> list[list[etree._Element]]:
    """Consecutive chapters in chunks of about an eighth of the book per worker, so that the
    workers share it out evenly and an edit renders little again."""
    target = min(max(sum(sizes) // max(4 * jobs, 8), MIN_CHUNK), MAX_CHUNK)
    groups: list[list[etree._Element]] = []
    size = 0
    for chapter, chapter_size in zip(chapters, sizes, strict=True):
        if not groups or (size + chapter_size > target and size >= MIN_CHUNK // 2):
            groups.append([])
            size = 0
        groups[-1].append(chapter)
        size += chapter_size
    return groups


def _document(head: etree._Element, elements: Sequence[etree._Element], lang: str | None,
              wrapper: etree._Element | None) -> etree._Element:
    html = etree.Element("html", lang=lang) if lang else etree.Element("html")
    html.text = "\n"
    html.append(copy.deepcopy(head))
    body = etree.SubElement(html, "body")
    body.text = body.tail = "\n"
    parent = body
    if wrapper is not None:
        parent = etree.SubElement(body, wrapper.tag, dict(wrapper.attrib))
        parent.text = wrapper.text
        parent.tail = "\n"
    for el in elements:
        parent.append(el)  # moved, not copied: the print tree is used up
    return html


_DEPTH = re.compile(r"\bkb-depth-(\d+)\b")


def _depth(section: etree._Element) -> int:
    """How deep a page's section is in the sidebar (0: a chapter)."""
    found = _DEPTH.search(section.get("class") or "")
    return int(found[1]) if found else 0


def _add_ghosts(chapters: Sequence[etree._Element], firsts: Sequence[etree._Element]
                ) -> dict[int, int]:
    """A chunk that opens with a later part of a long chapter (one of `firsts`) opens with
    bookmarks of the pages its first page is under, as the bookmarks of its chunk would nest
    from nothing otherwise; returns id(part) -> how many."""
    ghosts: dict[int, int] = {}
    titles: list[str] = []
    opening = {id(first) for first in firsts}
    for chapter in chapters:
        sections = [el for el in chapter if el.tag == "section"]
        if id(chapter) in opening and sections \
                and "kb-chapter-continued" in (chapter.get("class") or ""):
            depth = min(_depth(sections[0]), MAX_BOOKMARK_LEVEL - 1, len(titles))
            for level, title in reversed(list(enumerate(titles[:depth], 1))):
                chapter.insert(0, etree.Element("div", {
                    "class": "kb-ghost", "data-title": title,
                    "style": f"bookmark-level: {level}"}))
            ghosts[id(chapter)] = depth
        for section in sections:
            titles[_depth(section):] = [section.get("data-title") or ""]
    return ghosts


def split(tree: PrintTree, jobs: int) -> list[Chunk]:
    """Cut the print tree into chunks (it is used up): the front matter, then groups of
    whole chapters and parts of long ones."""
    html = tree.html
    head, body = html[0], html[1]
    main = next(el for el in body if el.get("class") == "kb-book")
    front = [el for el in body if el is not main]
    chapters = list(main)
    groups = [front, *_groups(chapters, [_size([c]) for c in chapters], jobs)]
    ghosts = _add_ghosts(chapters, [group[0] for group in groups[1:] if group])
    openings = [ghosts.get(id(group[0]), 0) for group in groups if group]
    lang = html.get("lang")
    docs = [_document(head, group, lang, None if i == 0 else main)
            for i, group in enumerate(groups) if group]
    owned = [frozenset(el.get("id") for el in doc.iter() if isinstance(el.tag, str)
                       and el.get("id")) for doc in docs]
    chunks = []
    for index, (doc, ids) in enumerate(zip(docs, owned, strict=True)):
        targets = set()
        for a in doc.iter("a"):
            href = a.get("href") or ""
            if href.startswith("#") and len(href) > 1:
                target = href[1:]
                targets.add(target)
                a.set(NUMBER_ATTR, href)
                if target not in ids:
                    a.set("href", CROSS_CHUNK + target)
        first = next((el for el in doc[1].iter() if el.get("id")), None)
        identity = first.get("id", "") if first is not None else ""
        title = first.get("data-title") if first is not None else None
        chunks.append(Chunk(index, "front matter" if index == 0 else title or identity,
                            identity, serialize(doc), ids, tuple(sorted(targets)),
                            openings[index]))
    return chunks


def page_css(first_page: int, left: bool) -> str:
    """The chunk's place in the book: its first page's number (and side, for `:left` and
    `:right` rules). The book's page count is not here: CSS cannot set `counter(pages)`, the
    worker does (chunkrender)."""
    rules = f"@page :first {{ counter-reset: page {first_page}; }}\n" if first_page > 1 else ""
    if left:
        rules += ".kb-book > :first-child { break-before: left; }\n"
    return rules
