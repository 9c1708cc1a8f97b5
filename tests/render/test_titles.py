"""Titles written as HTML: the book shows what the sidebar shows, the text, and the image
when it is a file inside the site."""

from __future__ import annotations

from pathlib import Path

from kbbook.site.titles import title_text

from markdown_util import render_one, write_site


def test_the_text_and_image_of_an_html_title() -> None:
    shown = title_text('<img src="/x.png" alt="logo"> <b>Bold</b> &amp; <script>x()</script>'
                       "plain")
    assert (shown.text, shown.image) == ("Bold & plain", "/x.png")
    assert title_text("A < B & C").text == "A < B & C"
    assert title_text("  spaced   out ").text == "spaced out"


def test_an_icon_that_is_no_file_of_the_site_is_said(tmp_path: Path) -> None:
    write_site(tmp_path, {"p.md": "---\nnav_order: 1\ntitle: '<img src=\"gone.png\"> Gone'\n---\n"
                                  "Text.\n"})
    rendered, diagnostics = render_one(tmp_path, "p.md")
    assert rendered.page.title == "Gone" and rendered.title_icon is None
    assert [(d.path, d.line, d.code) for d in diagnostics] == [("p.md", 3, "title")]
    assert "the book shows the title's text only" in diagnostics.items[0].message
