"""Which files are pages, and how their front matter is read."""

from __future__ import annotations

from pathlib import Path

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


def test_broken_front_matter_is_an_error_with_file_and_line(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "ok.md": page("Fine"),
        "bad.md": '---\ntitle: Fine\nparent: "unclosed\nnav_order: 2\n---\nBody\n',
        "list.md": "---\n- a\n- b\n---\n",
        "open.md": "---\ntitle: never closed\n",
        "dup.md": "---\ntitle: A\ntitle: B\n---\n",
    })
    pages, diagnostics = pages_of(tmp_path)
    # Jekyll keeps a page with a key given twice (the last value wins): so does kbbook,
    # with a warning.
    assert [(p.rel, p.title) for p in pages] == [("dup.md", "B"), ("ok.md", "Fine")]
    errors = {d.path: d for d in diagnostics.errors}
    assert set(errors) == {"bad.md", "list.md", "open.md"}
    (dup,) = diagnostics.warnings
    assert errors["bad.md"].line == 3 and "not valid YAML" in errors["bad.md"].message
    assert errors["open.md"].line == 1 and "never closed" in errors["open.md"].message
    assert "mapping" in errors["list.md"].message
    assert str(dup).startswith("dup.md:3: warning: duplicate key 'title'; the last value")


def test_odd_front_matter_values_warn_and_never_raise(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "nan.md": page("NaN", nav_order=".nan"),
        "list.md": page("List", nav_order="[1]"),
        "num.md": page(123),
        "empty.md": page("", body="# Heading title\n"),
        "date.md": page("Date", nav_order="2023-05-01"),
    })
    pages, diagnostics = pages_of(tmp_path)
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
    pages, _ = pages_of(tmp_path)
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
