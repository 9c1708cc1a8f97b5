"""Which files are pages, and how their front matter is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbbook.errors import Diagnostics
from kbbook.site import load_pages
from kbbook.site.config import load_config

from sitemaker import book_of, make_site, page


def pages_of(root: Path, **options: object) -> tuple[list, Diagnostics]:
    diagnostics = Diagnostics()
    config = load_config(root, diagnostics, **options)  # type: ignore[arg-type]
    return load_pages(config, diagnostics), diagnostics


def test_jekyll_skips_underscore_dot_and_excluded_but_honours_include(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "_config.yml": "exclude: [drafts, notes.md]\ninclude: [_guides]\n",
        "index.md": page("Home"),
        "_drafts/a.md": page("Draft"),
        ".hidden/b.md": page("Hidden"),
        "drafts/c.md": page("Excluded"),
        "notes.md": page("Notes"),
        "_guides/d.md": page("Included"),
        "node_modules/x.md": page("Module"),
        "post.markdown": page("Markdown extension"),
        "unpublished.md": page("Unpublished", published="false"),
    })
    pages, _ = pages_of(tmp_path)
    assert sorted(p.rel for p in pages) == ["_guides/d.md", "index.md", "node_modules/x.md",
                                            "post.markdown"]


def test_default_exclude_list_applies_without_exclude_key(tmp_path: Path) -> None:
    make_site(tmp_path, {"index.md": page("Home"), "node_modules/x.md": page("Module"),
                         "vendor/bundle/y.md": page("Gem")})
    pages, _ = pages_of(tmp_path)
    assert [p.rel for p in pages] == ["index.md"]


def test_bom_crlf_and_dots_closing_fence(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "bom.md": b"\xef\xbb\xbf---\ntitle: With BOM\n---\nBody\n",
        "crlf.md": b"---\r\ntitle: With CRLF\r\nnav_order: 2\r\n---\r\nLine one\r\nLine two\r\n",
        "dots.md": "---\ntitle: Dots\n...\nBody after dots\n",
    })
    pages, diagnostics = pages_of(tmp_path)
    by_rel = {p.rel: p for p in pages}
    assert by_rel["bom.md"].title == "With BOM"
    assert by_rel["crlf.md"].title == "With CRLF"
    assert by_rel["crlf.md"].nav_order == 2
    assert by_rel["crlf.md"].body == "Line one\nLine two\n"
    assert by_rel["crlf.md"].body_line == 5
    assert by_rel["dots.md"].body == "Body after dots\n"
    assert not diagnostics.items


def test_broken_front_matter_makes_a_page_without_front_matter(tmp_path: Path) -> None:
    """As in Jekyll: YAML that does not parse leaves the page without front matter (a
    warning names the line and the fix); a list instead of a mapping, or a fence never
    closed, stops Jekyll: errors."""
    make_site(tmp_path, {
        "ok.md": page("Fine"),
        "bad.md": '---\ntitle: Fine\nparent: "unclosed\nnav_order: 2\n---\n# Bad heading\n',
        "colon.md": "---\ntitle: Setup: the hard way\n---\nText first.\n",
        "list.md": "---\n- a\n- b\n---\n",
        "open.md": "---\ntitle: never closed\n",
        "dup.md": "---\ntitle: A\ntitle: B\n---\n",
    })
    pages, diagnostics = pages_of(tmp_path, github_pages=False)
    # Jekyll keeps a page with a key given twice (the last value wins): so does kbbook,
    # with a warning.
    assert [(p.rel, p.title, p.body) for p in pages] == [
        ("bad.md", None, "# Bad heading\n"), ("colon.md", None, "Text first.\n"),
        ("dup.md", "B", ""), ("ok.md", "Fine", "")]
    errors = {d.path: d for d in diagnostics.errors}
    assert set(errors) == {"list.md", "open.md"}
    warnings = {d.path: d for d in diagnostics.warnings}
    assert set(warnings) == {"bad.md", "colon.md", "dup.md"}
    assert warnings["bad.md"].line == 3 and "not valid YAML" in warnings["bad.md"].message
    assert "without its front matter" in warnings["bad.md"].message
    assert str(warnings["colon.md"]).startswith(
        "colon.md:2: warning: front matter is not valid YAML: mapping values are not allowed")
    assert 'needs quotes, e.g. title: "Setup: the hard way"' in warnings["colon.md"].message
    assert errors["open.md"].line == 1 and "never closed" in errors["open.md"].message
    assert "mapping" in errors["list.md"].message
    assert str(warnings["dup.md"]).startswith("dup.md:3: warning: duplicate key 'title'")
    # With GitHub Pages' plugins the page takes its first heading as title, as on the site.
    pages, _ = pages_of(tmp_path, github_pages=True)
    assert {p.rel: p.title for p in pages}["bad.md"] == "Bad heading"


def test_strict_front_matter_stops_at_broken_yaml(tmp_path: Path) -> None:
    make_site(tmp_path, {"_config.yml": "strict_front_matter: true\n",
                         "bad.md": "---\ntitle: a: b\n---\n", "ok.md": page("Fine")})
    pages, diagnostics = pages_of(tmp_path)
    assert [p.rel for p in pages] == ["ok.md"]
    (error,) = diagnostics.errors
    assert (error.path, error.line) == ("bad.md", 2) and "strict_front_matter" in error.message


def test_odd_front_matter_values_warn_and_never_raise(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "nan.md": page("NaN", nav_order=".nan"),
        "list.md": page("List", nav_order="[1]"),
        "num.md": page(123),
        "empty.md": page("", body="# Heading title\n"),  # (`title:` with no value: null)
        "date.md": page("Date", nav_order="2023-05-01"),
    })
    pages, diagnostics = pages_of(tmp_path, github_pages=True)
    by_rel = {p.rel: p for p in pages}
    assert by_rel["nan.md"].nav_order is None
    assert by_rel["list.md"].nav_order is None
    assert by_rel["num.md"].title == "123" and by_rel["num.md"].title_is_number
    assert by_rel["empty.md"].title == "Heading title"  # GitHub Pages' titles from headings
    assert by_rel["date.md"].nav_order == "2023-05-01"
    assert sorted((d.path, d.line) for d in diagnostics.warnings) == [("list.md", 3),
                                                                      ("nan.md", 3)]


def test_github_pages_plugins_and_their_switch(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "index.md": page("Home", nav_order=1),
        "plain.md": "# Plain page\n\nNo front matter.\n",
        "guide/README.md": "Guide\n=====\n\nThe folder's index.\n",
        "LICENSE.md": "MIT\n",
        "CONTRIBUTING.md": "# Contributing\n",
    })
    pages, _ = pages_of(tmp_path)  # no Gemfile: GitHub Pages builds the site
    by_rel = {p.rel: p for p in pages}
    assert sorted(by_rel) == ["guide/README.md", "index.md", "plain.md"]
    assert by_rel["plain.md"].title == "Plain page"
    assert by_rel["guide/README.md"].title == "Guide"
    assert by_rel["guide/README.md"].url == "/guide/"
    pages, _ = pages_of(tmp_path, github_pages=False)
    assert [p.rel for p in pages] == ["index.md"]


def test_latin1_and_binary_files(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "latin.md": "---\ntitle: Café\n---\nNaïve\n".encode("latin-1"),
        "binary.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    })
    pages, diagnostics = pages_of(tmp_path)
    assert [p.title for p in pages] == ["Café"]
    assert [(d.path, d.severity.value) for d in diagnostics.sorted()] == [
        ("binary.md", "error"), ("latin.md", "warning")]


def test_urls_follow_jekyll_permalinks(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "index.md": page("Home"),
        "docs/a.md": page("A"),
        "docs/index.md": page("Docs"),
        "docs/p.md": page("P", permalink="/custom/place/"),
    })
    pages, _ = pages_of(tmp_path)
    assert {p.rel: p.url for p in pages} == {
        "index.md": "/", "docs/a.md": "/docs/a.html", "docs/index.md": "/docs/",
        "docs/p.md": "/custom/place/"}


def test_symlink_out_of_the_site_is_skipped(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(page("Outside"))
    site = make_site(tmp_path / "site", {"index.md": page("Home")})
    (site / "link.md").symlink_to(outside)
    book, diagnostics = book_of(site)
    assert [p.rel for p in book.reading_order] == ["index.md"]
    assert [(d.path, d.code) for d in diagnostics.warnings] == [("link.md", "outside-site")]


def test_titles_and_parents_are_read_in_nfc(tmp_path: Path) -> None:
    """`Über` typed as u + combining diaeresis is the same title as the precomposed one: it
    reaches the nav precomposed, and a child of that title is seen to fall under both
    pages (the sidebar would show it twice: reported) rather than under one by accident."""
    decomposed, composed = "U\u0308ber", "\u00dcber"
    make_site(tmp_path, {
        "a.md": page(decomposed, nav_order=1),
        "b.md": page("Kind", parent=composed),
        "c.md": page(composed, nav_order=2),
    })
    book, diagnostics = book_of(tmp_path)
    assert book.outline() == f"{composed}\n  Kind\n{composed}"
    assert [(d.path, d.code) for d in diagnostics.warnings] == [("b.md", "duplicate-title")]


def test_repository_files_follow_the_plugins_own_list(tmp_path: Path) -> None:
    """jekyll-optional-front-matter leaves README, LICENSE, CONTRIBUTING and the like alone,
    but a CHANGELOG, SECURITY or MAINTAINERS file without front matter is a page."""
    make_site(tmp_path, {name: f"# {name.split('.')[0].title()}\n\nText.\n" for name in (
        "README.md", "LICENSE.md", "LICENCE.md", "COPYING.md", "CODE_OF_CONDUCT.md",
        "CONTRIBUTING.md", "ISSUE_TEMPLATE.md", "PULL_REQUEST_TEMPLATE.md", "CHANGELOG.md",
        "HISTORY.md", "SECURITY.md", "MAINTAINERS.md", "readme.md")} | {"index.md": page("Home")})
    pages, _ = pages_of(tmp_path)
    assert sorted(p.rel for p in pages) == ["CHANGELOG.md", "HISTORY.md", "MAINTAINERS.md",
                                            "SECURITY.md", "index.md"]


@pytest.mark.parametrize(("body", "title"), [
    ("# Level one\n\nText.\n", "Level one"),
    ("\n\n### Level *three* [link](x.md)\n", "Level three link"),
    ("# Closing hashes #\n", "Closing hashes #"),  # the plugin keeps them
    ("Setext title\n============\n\nText.\n", "Setext title"),
    ("Dashes setext\n---\n", "Dashes setext"),
    ("#### Level four\n", None),  # only levels 1 to 3
    ("A paragraph first.\n\n# Later heading\n", None),  # only a heading that comes first
    ("# Note[^1] &amp; `code`\n\n[^1]: x\n", "Note & code"),
])
def test_titles_from_headings_as_the_plugin_takes_them(tmp_path: Path, body: str,
                                                       title: str | None) -> None:
    make_site(tmp_path, {"index.md": page("Home"), "a.md": body,
                         "b.md": "---\nnav_order: 2\n---\n" + body})
    pages, _ = pages_of(tmp_path)
    by_rel = {p.rel: p for p in pages}
    assert by_rel["a.md"].title == title  # no front matter
    assert by_rel["b.md"].title == title  # front matter without a title


def test_an_empty_title_is_a_title(tmp_path: Path) -> None:
    """`title: ""` is in the sidebar (an empty link); `title:` alone is no title. The book
    needs words: the page's first heading, with a warning."""
    make_site(tmp_path, {"quoted.md": '---\ntitle: ""\n---\n\n## Its heading\n',
                         "blank.md": '---\ntitle: "   "\n---\nNo heading.\n',
                         "null.md": "---\ntitle:\n---\n# Null heading\n"})
    pages, diagnostics = pages_of(tmp_path, github_pages=False)
    by_rel = {p.rel: p for p in pages}
    assert (by_rel["quoted.md"].nav_title, by_rel["quoted.md"].title) == ("", "Its heading")
    assert (by_rel["blank.md"].nav_title, by_rel["blank.md"].title) == ("   ", "Blank")
    assert (by_rel["null.md"].nav_title, by_rel["null.md"].title) == (None, None)
    assert sorted((d.path, d.line) for d in diagnostics.warnings) == [
        ("blank.md", 2), ("quoted.md", 2)]
    pages, _ = pages_of(tmp_path, github_pages=True)
    assert {p.rel: p.title for p in pages}["null.md"] == "Null heading"


def test_a_readme_with_front_matter_is_no_index(tmp_path: Path) -> None:
    """jekyll-readme-index turns only a README without front matter into its folder's index
    (unless `readme_index: with_frontmatter: true`)."""
    make_site(tmp_path, {"a/README.md": page("A readme"), "b/README.md": "# B readme\n",
                         "c/README.md": "# C readme\n", "c/index.html": "<p>c</p>\n"})
    pages, _ = pages_of(tmp_path)
    assert {p.rel: p.url for p in pages} == {"a/README.md": "/a/README.html", "b/README.md": "/b/"}
    make_site(tmp_path, {"_config.yml": "readme_index:\n  with_frontmatter: true\n"})
    pages, _ = pages_of(tmp_path)
    assert {p.rel: p.url for p in pages}["a/README.md"] == "/a/"


def test_jekylls_order_of_its_pages(tmp_path: Path) -> None:
    """site.pages: pages with front matter sorted by file name (folders walked first where
    names repeat), then files without front matter by path, then READMEs that index a
    folder."""
    make_site(tmp_path, {
        "z.md": page("Z"), "docs/a.md": page("A"), "index.md": page("Home"),
        "docs/index.md": page("Docs"), "plain.md": "# Plain\n", "Upper.md": "# Upper\n",
        "guide/README.md": "# Guide\n",
    })
    pages, _ = pages_of(tmp_path)
    assert [(p.rel, p.order) for p in pages] == [
        ("docs/a.md", 0), ("docs/index.md", 1), ("index.md", 2), ("z.md", 3),
        ("Upper.md", 4), ("plain.md", 5), ("guide/README.md", 6)]


def test_front_matter_defaults_lie_beneath_the_page(tmp_path: Path) -> None:
    """`defaults:` of _config.yml, as Jekyll merges them: the most specific scope wins, the
    page's own front matter wins over all, but a key it gives no value keeps the default's
    (Jekyll's deep_merge_hashes)."""
    make_site(tmp_path, {
        "_config.yml": ("defaults:\n"
                        "  - scope: {path: ''}\n    values: {layout: default, nav_order: 9}\n"
                        "  - scope: {path: guide}\n    values: {parent: Guide}\n"
                        "  - scope: {path: guide/deep, type: pages}\n"
                        "    values: {parent: Deep, nav_exclude: true}\n"
                        "  - scope: {path: 'notes/*.md'}\n    values: {nav_exclude: true}\n"),
        "guide/index.md": page("Guide", parent="null"),
        "guide/a.md": page("A"),
        "guide/deep/b.md": page("B"),
        "notes/c.md": page("C", nav_order=1),
    })
    pages, _ = pages_of(tmp_path)
    by_rel = {p.rel: p for p in pages}
    assert by_rel["guide/index.md"].parent == "Guide"  # (`parent: null` keeps the default)
    assert (by_rel["guide/a.md"].parent, by_rel["guide/a.md"].nav_order) == ("Guide", 9)
    assert (by_rel["guide/deep/b.md"].parent, by_rel["guide/deep/b.md"].nav_exclude) == (
        "Deep", True)
    assert (by_rel["notes/c.md"].nav_exclude, by_rel["notes/c.md"].nav_order) == (True, 1)
    assert by_rel["notes/c.md"].meta["layout"] == "default"


def test_permalink_styles_and_placeholders(tmp_path: Path) -> None:
    make_site(tmp_path, {"_config.yml": "permalink: pretty\n", "docs/a.md": page("A"),
                         "docs/b.md": page("B", permalink="/:path/:basename:output_ext"),
                         "docs/index.md": page("Docs")})
    pages, _ = pages_of(tmp_path)
    assert {p.rel: p.url for p in pages} == {"docs/a.md": "/docs/a/",
                                            "docs/b.md": "/docs/b.html", "docs/index.md": "/docs/"}
