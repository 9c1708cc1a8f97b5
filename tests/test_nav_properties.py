"""Property: whatever the front matter, every page the sidebar shows is in the reading order
exactly once, after its parent and before its parent's next sibling, and nothing raises."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbbook.build import SiteOptions, load_book
from kbbook.errors import Diagnostics, KbbookError
from kbbook.nav import sort_siblings

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
    for _, node in book.walk():
        children = node.children
        start = position[node.page.rel]
        end = start + sum(1 for _ in node.walk())
        for child in children:
            assert start < position[child.page.rel] < end
        # Siblings keep the rules' order (reversed when the parent asks for it).
        expected = sort_siblings([c.page for c in children], insensitive)
        if node.page.child_nav_order in ("desc", "reversed"):
            expected.reverse()
        if not legacy:
            assert [c.page.rel for c in children] == [p.rel for p in expected]
    left_out = {h.page.rel for h in book.hidden}
    assert left_out.isdisjoint(order)
    assert left_out | set(order) == {f"p{i:02}.md" for i in range(len(pages))} - {
        d.path for d in diagnostics.errors}
