"""Property: whatever the front matter, every page the sidebar shows is in the reading order
exactly once, after its parent and before its parent's next sibling, siblings stand in the
order of the just-the-docs rules, and nothing raises.

The expected sibling order comes from a small oracle written here from the rules in
ARCHITECTURE.md (rule 2, 5 and 6), applied to the front matter as the test wrote it; it
shares no code with kbbook.nav.
"""

from __future__ import annotations

import datetime
import math
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbbook.errors import Diagnostics, KbbookError
from kbbook.pipeline import SiteOptions, load_book

from sitemaker import make_site

TITLES = ["A", "B", "a", "b", "C", "10", "2", "Setup", "Zeta"]
yaml_values = st.one_of(
    st.integers(-5, 20).map(str),
    st.sampled_from(['"2"', '"b"', '"B"', "010", "080", "2.5", ".nan", "[1]", "true",
                     "2024-01-01", "''", "null", "{a: 1}"]),
)


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    lines = []
    if draw(st.integers(0, 5)) > 0:  # sometimes untitled
        lines.append(f"title: {draw(st.sampled_from(TITLES))}")
    for key, values in (
        ("parent", st.sampled_from(TITLES)),
        ("grand_parent", st.sampled_from(TITLES)),
        ("ancestor", st.sampled_from(TITLES)),
        ("nav_order", yaml_values),
        ("nav_exclude", st.sampled_from(["true", "false"])),
        ("has_children", st.sampled_from(["true", "false"])),
        ("child_nav_order", st.sampled_from(["desc", "asc", "reversed"])),
    ):
        if draw(st.integers(0, 3)) == 0 or (key == "parent" and draw(st.booleans())):
            lines.append(f"{key}: {draw(values)}")
    return "---\n" + "\n".join(lines) + "\n---\nBody\n"


# -- the oracle: sibling order from the raw front matter ------------------------------------


def _front(text: str) -> dict[str, Any]:
    """The front matter as written by `front_matter`, read as YAML 1.1 (`010` is 8, `080` a
    string, a date a `datetime.date`), which PyYAML's safe loader implements."""
    return yaml.safe_load(text.split("---\n")[1]) or {}


def _ascii_lower(text: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _sort_key(meta: dict[str, Any], rel: str, insensitive: bool) -> tuple:
    """(bucket, value, file name): numeric nav_order, string nav_order, numeric title,
    string title; ties in Jekyll's order of its pages, by file name (the pages here are in
    one folder). A date is a string; NaN, booleans, lists and mappings count as no
    nav_order. Strings compare by code point (UTF-8 byte order), or with ASCII letters
    folded to lower case under `nav_sort: case_insensitive`."""
    fold = _ascii_lower if insensitive else str
    order = meta.get("nav_order")
    if isinstance(order, datetime.date):
        order = str(order)
    if isinstance(order, str):
        return (1, fold(order), rel)
    if _is_number(order) and math.isfinite(order):
        return (0, order, rel)
    title = meta["title"]
    if _is_number(title):
        return (2, title, rel)
    return (3, fold(str(title)), rel)


def expected_order(rels: list[str], metas: dict[str, dict[str, Any]], insensitive: bool,
                   parent: str | None) -> list[str]:
    """The sidebar order of sibling pages `rels` under the page `parent` (None: top level)."""
    ordered = sorted(rels, key=lambda rel: _sort_key(metas[rel], rel, insensitive))
    if parent is not None and metas[parent].get("child_nav_order") in ("desc", "reversed"):
        ordered.reverse()
    return ordered


def test_oracle_follows_the_rules() -> None:
    """The oracle itself, on a hand-checked example."""
    pages = {
        "a.md": "title: Zeta\nnav_order: 010",  # octal: 8
        "b.md": "title: Y\nnav_order: 9",
        "c.md": "title: X\nnav_order: 080",  # a string
        "d.md": "title: W\nnav_order: \"B\"",
        "e.md": "title: V\nnav_order: 2024-01-01",  # a date, sorted as a string
        "f.md": "title: 10\nnav_order: .nan",  # no nav_order, numeric title
        "g.md": "title: 2",
        "h.md": "title: a\nnav_order: [1]",
        "i.md": "title: B",
        "j.md": "title: B",
    }
    metas = {rel: _front(f"---\n{text}\n---\n") for rel, text in pages.items()}
    assert expected_order(list(pages)[::-1], metas, False, None) == [
        "a.md", "b.md", "c.md", "e.md", "d.md", "g.md", "f.md", "i.md", "j.md", "h.md"]
    assert expected_order(list(pages), metas, True, None)[-3:] == ["h.md", "i.md", "j.md"]


# -- the property ----------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages=st.lists(front_matter(), min_size=1, max_size=12),
       legacy=st.booleans(), include_hidden=st.booleans(), insensitive=st.booleans())
def test_reading_order_is_the_tree_in_order(pages: list[str], legacy: bool,
                                            include_hidden: bool, insensitive: bool) -> None:
    with TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = {f"p{i:02}.md": text for i, text in enumerate(pages)}
        if insensitive:
            files["_config.yml"] = "nav_sort: case_insensitive\n"
        make_site(root, files)
        diagnostics = Diagnostics()
        try:
            book = load_book(SiteOptions(root, nav_rules="legacy" if legacy else "modern",
                                         include_hidden=include_hidden), diagnostics)
        except KbbookError:
            return  # every page was rejected: reported as a message, not raised
    order = [p.rel for p in book.reading_order]
    assert len(order) == len(set(order)), "a page appears twice"
    walked = [node.page.rel for _, node in book.walk()]
    assert walked == order
    position = {rel: i for i, rel in enumerate(order)}
    metas = {rel: _front(text) for rel, text in files.items() if rel.endswith(".md")}
    # Siblings stand in the rules' order (reversed when the parent asks for it), at the top
    # level and under every page, under both the modern and the legacy rules.
    roots = [node.page.rel for node in book.roots]
    assert roots == expected_order(roots, metas, insensitive, None)
    for _, node in book.walk():
        children = [c.page.rel for c in node.children]
        start = position[node.page.rel]
        end = start + sum(1 for _ in node.walk())
        for child in children:
            assert start < position[child] < end
        assert children == expected_order(children, metas, insensitive, node.page.rel), (
            node.page.rel)
    left_out = {h.page.rel for h in book.hidden}
    assert left_out.isdisjoint(order)
    assert left_out | set(order) == {f"p{i:02}.md" for i in range(len(pages))} - {
        d.path for d in diagnostics.errors}
