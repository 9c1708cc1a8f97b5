"""Collections: which documents Jekyll reads, their URLs, titles and order."""

from __future__ import annotations

from pathlib import Path

from kbbook.errors import Diagnostics
from kbbook.site import PageKind, load_config, load_pages

from sitemaker import make_site, page

CONFIG = """\
collections:
  recipes:
    output: true
    permalink: /:collection/:path/
  tools:
    output: true
  notes: {}
just_the_docs:
  collections:
    tools: {name: Tools, nav_fold: true}
    recipes: {name: Recipes}
"""


def documents(root: Path) -> tuple[dict[str, list], Diagnostics]:
    diagnostics = Diagnostics()
    config = load_config(root, diagnostics)
    by: dict[str, list] = {}
    for p in load_pages(config, diagnostics):
        by.setdefault(p.collection or "", []).append(p)
    return by, diagnostics


def test_documents_of_each_collection(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "_config.yml": CONFIG,
        "index.md": page("Home"),
        "_recipes/soup.md": page("Soup"),
        "_recipes/soup-stock.md": page(None),  # Jekyll titles it from the file name
        "_recipes/sub/bread.md": page("Bread"),
        "_recipes/_draft.md": page("Draft"),  # names starting with _ . # ~ are skipped
        "_recipes/sub/.hidden.md": page("Hidden"),
        "_recipes/plain.md": "# No front matter: a static file of the collection\n",
        "_recipes/old.md": page("Old", published="false"),
        "_tools/knife.md": page("Knife"),
        "_notes/n.md": page("Note"),
        "_other/x.md": page("Not a collection"),
    })
    by, diagnostics = documents(tmp_path)
    assert [p.rel for p in by[""]] == ["index.md"]
    recipes = by["recipes"]
    assert [(p.rel, p.title, p.url, p.order) for p in recipes] == [
        ("_recipes/soup-stock.md", "Soup Stock", "/recipes/soup-stock/", 0),
        ("_recipes/soup.md", "Soup", "/recipes/soup/", 1),
        ("_recipes/sub/bread.md", "Bread", "/recipes/sub/bread/", 2)]
    assert all(p.kind is PageKind.DOCUMENT and p.output for p in recipes)
    assert [(p.url, p.output) for p in by["tools"]] == [("/tools/knife.html", True)]
    assert [(p.url, p.output) for p in by["notes"]] == [("/notes/n.html", False)]
    # (a _folder that is no collection is skipped, as Jekyll skips it, but said)
    assert [(d.path, d.code) for d in diagnostics.items] == [("_other/", "not-a-collection")]


def test_collections_dir_sort_by_and_order(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "_config.yml": ("collections_dir: kb\ncollections:\n"
                        "  a: {output: true, sort_by: rank}\n"
                        "  b: {output: true, order: [z.md, x.md]}\n"),
        "kb/_a/one.md": page("One", rank=2),
        "kb/_a/two.md": page("Two", rank=1),
        "kb/_a/three.md": page("Three"),
        "kb/_b/x.md": page("X"), "kb/_b/y.md": page("Y"), "kb/_b/z.md": page("Z"),
        "_a/ignored.md": page("Not in collections_dir"),
    })
    by, _ = documents(tmp_path)
    assert [p.title for p in by["a"]] == ["Two", "One", "Three"]
    assert [p.title for p in by["b"]] == ["Z", "X", "Y"]


def test_config_mistakes_are_said(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "_config.yml": ("collections: 3\njust_the_docs:\n  collections:\n"
                        "    ghost: {name: Ghost}\n"),
        "index.md": page("Home"),
    })
    _, diagnostics = documents(tmp_path)
    assert sorted((d.path, d.line, d.message.split(";")[0]) for d in diagnostics) == [
        ("_config.yml", 1, "collections must be a mapping (or a list) of collection names"),
        ("_config.yml", 3, "just_the_docs.collections names 'ghost', which is not a "
                           "collection of collections:"),
    ]
