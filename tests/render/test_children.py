"""The child pages the theme lists under a parent page ("Table of contents")."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbbook.render import LinkKind

from markdown_util import html_of, render_site
from sitemaker import make_site, page


def _site(root: Path, config: str = "", **parent: object) -> Path:
    return make_site(root, {
        "_config.yml": "title: Kids\n" + config,
        "index.md": page("Parent", "# Parent\n\nIntro.\n", nav_order=1, **parent),
        "a.md": page("Alpha", "Text.\n", parent="Parent", nav_order=1,
                     summary="'First of all.'"),
        "b.md": page("Beta", "Text.\n", parent="Parent", nav_order=2),
        "c.md": page("Gamma", "Text.\n", parent="Beta"),
        "lone.md": page("Lone", "Text.\n", nav_order=2),
    })


def _lists(root: Path) -> dict[str, tuple[str, list[str]]]:
    pages, diagnostics = render_site(root)
    assert not diagnostics.warnings
    out = {}
    for rp in pages:
        body = rp.body
        heading = body.find(".//{*}h2[@class='text-delta kb-child-pages']")
        if heading is None:
            assert "kb-child-pages" not in html_of(rp)
            continue
        items = body.findall(".//{*}ul[@class='kb-child-pages']/{*}li")
        assert heading.getprevious().tag.endswith("}hr")
        assert rp.body[-1].tag.endswith("}ul")  # the list ends the page, as on the site
        out[rp.page.title] = (heading.text, ["".join(li.itertext()) for li in items])
        for a in body.iterfind(".//{*}ul[@class='kb-child-pages']//{*}a"):
            link = rp.links[int(a.get("data-kb-link"))]
            assert link.kind is LinkKind.PAGE and link.anchor == "p-" + link.page[:-3]
            assert link.line is None  # (kbbook's own link)
    return out


def test_parents_list_their_children_with_summaries(tmp_path: Path) -> None:
    assert _lists(_site(tmp_path, has_children="true")) == {
        "Parent": ("Table of contents", ["Alpha - First of all.", "Beta"]),
        "Beta": ("Table of contents", ["Gamma"]),
    }


def test_has_toc_false_and_no_heading_among_the_page_headings(tmp_path: Path) -> None:
    root = _site(tmp_path, has_children="true", has_toc="false")
    assert set(_lists(root)) == {"Beta"}
    pages, _ = render_site(root)
    assert all(h.text != "Table of contents" for rp in pages for h in rp.headings)


@pytest.mark.parametrize(("config", "parent", "expected"), [
    ("", {}, {"Parent", "Beta"}),  # theme 0.10+: every page with children
    ("remote_theme: just-the-docs/just-the-docs@v0.9.0\n", {"has_children": "true"},
     {"Parent"}),  # older: only under has_children: true
])
def test_which_theme_versions_show_it(tmp_path: Path, config: str, parent: dict[str, str],
                                      expected: set[str]) -> None:
    root = _site(tmp_path, config, **parent)
    if config:  # (the old sidebar would leave Gamma out, Beta lacking has_children)
        (root / "c.md").unlink()
    assert set(_lists(root)) == expected


def test_heading_in_the_site_language_or_from_the_site_include(tmp_path: Path) -> None:
    root = _site(tmp_path / "de", "lang: de-AT\n", has_children="true")
    assert _lists(root)["Parent"][0] == "Inhaltsverzeichnis"
    root = _site(tmp_path / "own", "", has_children="true")
    make_site(root, {"_includes/toc_heading_custom.html":
                     '<h2 class="text-delta">{% comment %}x{% endcomment %}Pages here</h2>\n'})
    assert _lists(root)["Parent"][0] == "Pages here"
