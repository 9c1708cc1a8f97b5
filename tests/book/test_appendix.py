"""The linked pages' appendix: pages the book links to that Jekyll publishes but the sidebar
does not show, after the book's own pages, in the order the book first links to them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kbbook.cli import app
from kbbook.errors import Diagnostics
from kbbook.pipeline import SiteOptions, load_book
from kbbook.render import LinkKind, render_book

from sitemaker import book_of, make_site, outline, page

SITE = {
    "_config.yml": "collections:\n  notes: {output: false}\n",
    "index.md": page("Home", nav_order=1,
                     body="See [the API](api/b.md), [the first](api/a.html) and "
                          "[the note]({% link _notes/n.md %}).\n"),
    "guide.md": page("Guide", nav_order=2, body="Back to the [API](api/b.md#top).\n"),
    "api/a.md": page("Endpoint A", nav_exclude="true", body="Next: [more](../more.md)\n"),
    "api/b.md": page(None, body="# Endpoint B\n\n## Top {#top}\n"),
    "more.md": page("More", parent="Nobody", body="Text.\n"),
    "lonely.md": page("Lonely", nav_exclude="true"),
    "_notes/n.md": page("Note"),
}


def test_linked_pages_follow_the_book_in_link_order(tmp_path: Path) -> None:
    make_site(tmp_path, SITE)
    book, _ = book_of(tmp_path, github_pages=False)
    assert book.outline(paths=True) == outline("""
        Home  <- index.md
        Guide  <- guide.md
        [Appendix]
          Endpoint B  <- api/b.md
          Endpoint A  <- api/a.md
          More  <- more.md
    """)
    assert [p.rel for p in book.appendix] == ["api/b.md", "api/a.md", "more.md"]
    # the lonely page is linked from nowhere; the note's collection is not written
    assert sorted(h.page.rel for h in book.hidden) == ["_notes/n.md", "lonely.md"]


def test_links_to_the_appendix_stay_in_the_book(tmp_path: Path) -> None:
    make_site(tmp_path, SITE)
    diagnostics = Diagnostics()
    book = load_book(SiteOptions(tmp_path, github_pages=False), diagnostics)
    rendered = {rp.page.rel: rp for rp in render_book(book, diagnostics).pages}
    links = rendered["index.md"].links
    assert [(link.kind, link.page) for link in links[:2]] == [
        (LinkKind.PAGE, "api/b.md"), (LinkKind.PAGE, "api/a.md")]
    (back,) = rendered["guide.md"].links
    assert back.anchor == rendered["api/b.md"].anchors["top"]
    assert "(appendix)" in rendered  # its heading, with a sentence saying what it holds
    assert "sidebar does not show" in "".join(rendered["(appendix)"].body.itertext())


def test_no_linked_pages_leaves_them_out(tmp_path: Path) -> None:
    make_site(tmp_path, SITE)
    book, _ = book_of(tmp_path, github_pages=False, linked_pages=False)
    assert book.outline() == "Home\nGuide"
    assert len(book.hidden) == 5
    result = CliRunner().invoke(app, ["toc", str(tmp_path), "--no-github-pages",
                                      "--no-linked-pages"])
    assert result.stdout.startswith("Home\nGuide\n\nLeft out of the book")
    result = CliRunner().invoke(app, ["toc", str(tmp_path), "--no-github-pages"])
    assert result.stdout.startswith("Home\nGuide\n[Appendix]\n  Endpoint B\n")
