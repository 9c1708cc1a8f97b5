"""Collections in the sidebar, and so in the book: after the site's pages, each under its
name, in the order of `just_the_docs.collections`, folded or not; modern and legacy rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitemaker import book_of, make_site, outline, page

SITE = {
    "_config.yml": ("collections:\n  recipes: {output: true}\n  tools: {output: true}\n"
                    "  hidden: {output: true}\n"
                    "just_the_docs:\n  collections:\n"
                    "    recipes: {name: Recipes}\n    tools: {name: Tools, nav_fold: true}\n"),
    "index.md": page("Home", nav_order=1),
    "about.md": page("About", nav_order=2),
    "_recipes/soup.md": page("Soup", nav_order=1, has_children="true"),
    "_recipes/stock.md": page("Stock", parent="Soup"),
    "_recipes/bread.md": page("Bread", nav_order=2),
    "_recipes/zucchini.md": page("Zucchini"),
    "_recipes/about.md": page("About", parent="Home"),  # parents are found in its own list
    "_tools/knife.md": page("Knife"),
    "_tools/oven.md": page("Oven"),
    "_hidden/x.md": page("X"),
}


@pytest.mark.parametrize("rules", ["modern", "legacy"])
def test_collections_follow_the_pages(tmp_path: Path, rules: str) -> None:
    make_site(tmp_path, SITE)
    book, diagnostics = book_of(tmp_path, nav_rules=rules)
    assert book.outline(paths=True) == outline("""
        Home  <- index.md
        About  <- about.md
        [Recipes]
        Soup  <- _recipes/soup.md
          Stock  <- _recipes/stock.md
        Bread  <- _recipes/bread.md
        Zucchini  <- _recipes/zucchini.md
        [Tools]
          Knife  <- _tools/knife.md
          Oven  <- _tools/oven.md
    """)
    # The book groups every collection under its name (the sidebar only indents folded ones).
    assert [n.page.title for n in book.roots] == ["Home", "About", "Recipes", "Tools"]
    assert [n.page.title for n in book.roots[2].children] == ["Soup", "Bread", "Zucchini"]
    hidden = {h.page.rel: h.reason for h in book.hidden}
    assert hidden["_hidden/x.md"].startswith("its collection 'hidden' is not listed under")
    assert hidden["_recipes/about.md"] == ("its parent 'Home' is not the title of any page "
                                           "of the collection 'recipes'")
    (warning,) = [d for d in diagnostics if d.code == "collection"]
    assert (warning.path, warning.line) == ("_config.yml", 4)
    assert "the collection 'hidden' has 1 document" in warning.message


def test_one_collection_and_no_pages_shows_no_heading(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "_config.yml": ("collections:\n  docs: {output: true}\n"
                        "just_the_docs:\n  collections:\n    docs: {name: Docs}\n"),
        "index.md": page(None, body="Landing page without a title.\n"),
        "_docs/a.md": page("A", nav_order=1), "_docs/b.md": page("B", nav_order=2),
    })
    book, _ = book_of(tmp_path, github_pages=False)
    assert book.outline() == "A\nB"


def test_nav_exclude_of_a_collection_and_include_hidden(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "_config.yml": ("collections:\n  a: {output: true}\n  b: {output: true}\n"
                        "just_the_docs:\n  collections:\n    a: {name: A}\n"
                        "    b: {name: B, nav_exclude: true}\n"),
        "index.md": page("Home"),
        "_a/x.md": page("X"), "_b/y.md": page("Y"),
    })
    book, diagnostics = book_of(tmp_path)
    assert book.outline() == "Home\n[A]\nX"
    assert [h.reason for h in book.hidden] == [
        "its collection 'b' has nav_exclude: true under just_the_docs.collections"]
    assert not diagnostics.warnings
    book, _ = book_of(tmp_path, include_hidden=True)
    assert book.outline() == "Home\n[A]\nX\n[B]\nY"


def test_markdown_in_a_folder_jekyll_skips_is_said(tmp_path: Path) -> None:
    """A site kept in `_docs/` without declaring the collection: Jekyll skips the folder,
    the book has one page, and kbbook says why."""
    make_site(tmp_path, {"index.md": page("Home"),
                         **{f"_docs/p{i}.md": page(f"P{i}") for i in range(3)},
                         "_includes/note.md": "An include.\n", "_layouts/x.md": "x\n"})
    book, diagnostics = book_of(tmp_path)
    assert book.outline() == "Home"
    (warning,) = diagnostics.warnings
    assert (warning.path, warning.code) == ("_docs/", "not-a-collection")
    assert warning.message.startswith("holds 3 Markdown files, but Jekyll skips")
    assert "declare 'docs' under collections:" in warning.message
