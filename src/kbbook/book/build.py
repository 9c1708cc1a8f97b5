"""The whole sidebar as the theme builds it: the site's pages, then each collection that
`just_the_docs.collections` lists, under its name; and why each page left out is left out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..errors import Diagnostics
from ..site import CollectionSpec, Page, PageKind, SiteConfig, SourceFile
from .model import Book, HiddenPage, Node
from .nav import TreeBuilder


def part_page(config: SiteConfig, rel: str, title: str, order: int = 0) -> Page:
    """A heading the book adds (a collection's name, the appendix) as a page without text."""
    return Page(SourceFile(config.root, rel), "", title, False, None, None, None, None, False,
                None, None, {}, "", 1, nav_title=None, kind=PageKind.PART, order=order)


def _flatten(roots: Iterable[Node]) -> list[Page]:
    return [node.page for root in roots for _, node in root.walk()]


def _parent_chain_loops(page: Page, by_title: Mapping[str, list[Page]]) -> list[str] | None:
    """The titles of a parent loop that `page` is in or leads to, else None."""
    chain = [page.nav_title or ""]
    current = page
    seen = {page.nav_title}
    while current.parent is not None:
        parents = by_title.get(current.parent)
        if not parents:
            return None
        current = parents[0]
        chain.append(current.nav_title or "")
        if current.nav_title in seen:
            return chain
        seen.add(current.nav_title)
    return None


def _why_hidden(page: Page, config: SiteConfig, by_title: Mapping[str, list[Page]]) -> str:
    if page.nav_title is None:
        if page.problem is not None:
            return ("its front matter is not valid YAML, so Jekyll builds it without one "
                    "(and without a title)")
        return "has no title"
    if page.parent is not None and page.parent == page.nav_title:
        return "names itself as its parent"
    loop = _parent_chain_loops(page, by_title)
    if loop is not None:
        return "its parents form a loop: " + " -> ".join(loop)
    if page.parent is not None and page.parent not in by_title:
        where = f" of the collection {page.collection!r}" if page.collection else ""
        return f"its parent {page.parent!r} is not the title of any page{where}"
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


@dataclass
class _Group:
    """One list the sidebar builds: the site's pages, or one collection's documents."""

    pages: list[Page]
    visible: tuple[Node, ...] = ()
    full: tuple[Node, ...] = ()
    builder: TreeBuilder | None = None


def _build_group(config: SiteConfig, group: _Group, hidden: list[HiddenPage],
                 diagnostics: Diagnostics) -> tuple[Node, ...]:
    visible_builder = TreeBuilder(config, group.pages, show_excluded=False)
    full_builder = TreeBuilder(config, group.pages, show_excluded=True)
    visible, full = visible_builder.build(), full_builder.build()
    in_visible = {p.rel for p in _flatten(visible)}
    in_full = {p.rel for p in _flatten(full)}
    by_title: dict[str, list[Page]] = defaultdict(list)
    for page in group.pages:
        if page.nav_title is not None:
            by_title[page.nav_title].append(page)
    for page in group.pages:
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
        if page.nav_title is not None:
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
    return full if config.include_hidden else visible


def _listed_collections(config: SiteConfig) -> int:
    jtd = config.variables.get("just_the_docs")
    listed = jtd.get("collections") if isinstance(jtd, Mapping) else None
    return len(listed) if isinstance(listed, Mapping) else 0


def _unshown(spec: CollectionSpec, docs: Sequence[Page], config: SiteConfig,
             hidden: list[HiddenPage], diagnostics: Diagnostics) -> None:
    """Documents of a collection the sidebar does not show: left out, and said so."""
    if spec.sidebar is not None and spec.sidebar.excluded:
        reason = (f"its collection {spec.label!r} has nav_exclude: true under "
                  "just_the_docs.collections")
    else:
        reason = (f"its collection {spec.label!r} is not listed under "
                  "just_the_docs.collections, so the sidebar does not show it")
        if docs:
            diagnostics.warning("_config.yml", spec.line, "collection",
                                f"the collection {spec.label!r} has {len(docs)} document"
                                f"{'s' if len(docs) != 1 else ''}, but just_the_docs."
                                "collections does not list it, so the sidebar (and the book) "
                                "leaves them out; list it there with a name: to show them")
    hidden.extend(HiddenPage(doc, reason) for doc in docs)


def build_book(config: SiteConfig, pages: Sequence[Page], diagnostics: Diagnostics) -> Book:
    """Order the pages as the sidebar does (the site's pages, then the collections it shows,
    each under its name); report what it leaves out."""
    hidden: list[HiddenPage] = []
    site_pages = [p for p in pages if p.kind is PageKind.PAGE]
    roots = list(_build_group(config, _Group(site_pages), hidden, diagnostics))
    external_at = len(roots)
    top_pages = sum(1 for p in site_pages if p.nav_title is not None and p.parent is None
                    and not p.nav_exclude)
    docs: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        if page.kind is PageKind.DOCUMENT and page.collection is not None:
            docs[page.collection].append(page)
    shown = sorted((s for s in config.collections if s.sidebar is not None),
                   key=lambda s: s.sidebar.position if s.sidebar else 0)
    for spec in config.collections:
        if spec.sidebar is None or (spec.sidebar.excluded and not config.include_hidden):
            _unshown(spec, docs[spec.label], config, hidden, diagnostics)
    headings = _listed_collections(config) > 1 or top_pages > 0
    for spec in shown:
        sidebar = spec.sidebar
        if sidebar is None or (sidebar.excluded and not config.include_hidden):
            continue
        nodes = _build_group(config, _Group(docs[spec.label]), hidden, diagnostics)
        if not headings or not nodes:  # (a heading over nothing is left out of the book)
            roots.extend(nodes)
            continue
        name = sidebar.name.strip()
        if not name:
            name = spec.label
            diagnostics.warning("_config.yml", spec.line, "collection",
                                f"just_the_docs.collections.{spec.label} has no name:; the "
                                f"sidebar shows an empty heading, the book calls it {name!r}")
        part = part_page(config, spec.folder + "/", name)
        roots.append(Node(part, nodes, inline=not sidebar.fold))
    return Book(config, tuple(roots), tuple(_flatten(roots)), tuple(hidden),
                external_links=config.external_links, external_at=external_at)
