"""Rendering pages for the book: golden fixtures, link forms, the contract the writers use,
and the real corpus."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import pytest
from lxml import etree

from kbbook.errors import Diagnostics
from kbbook.render import Heading, ImageRef, Link, LinkKind, NavLink, RenderedPage, render_pages
from kbbook.render.highlight import pygments_css
from kbbook.render.model import LINK_ATTR

from markdown_util import (
    FIXTURES,
    GOLDEN,
    html_of,
    load_site,
    render_one,
    render_site,
    render_text,
    write_site,
)
from shared import PRODUCTBRAIN, needs_productbrain

CASES = sorted(p.stem for p in GOLDEN.glob("*.md"))
UPDATE = bool(os.environ.get("KBBOOK_UPDATE_GOLDEN"))


def _comment(text: str) -> str:
    return f"<!-- {text.replace('--', '- -')} -->\n"  # ('--' would end an XML comment)


def golden_text(rendered: RenderedPage, diagnostics: Diagnostics) -> str:
    """The XHTML body, then one comment per link and image record (what `data-kb-link` and
    `data-kb-image` number) and per diagnostic."""
    notes = [f"link {i}: {link.kind} line={link.line} href={link.href!r} page={link.page!r} "
             f"anchor={link.anchor!r} url={link.url!r}" for i, link in enumerate(rendered.links)]
    notes += [f"image {i}: rel={image.rel!r} url={image.url!r} alt={image.alt!r} "
              f"line={image.line}" for i, image in enumerate(rendered.images)]
    notes += [str(d) for d in diagnostics]
    text = html_of(rendered)
    return text + ("\n" + "".join(map(_comment, notes)) if notes else "")


# -- golden fixtures -----------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str) -> None:
    rendered, diagnostics = render_one(GOLDEN, f"{name}.md")
    actual = golden_text(rendered, diagnostics)
    expected_path = GOLDEN / f"{name}.xhtml"
    if UPDATE:
        expected_path.write_text(actual, encoding="utf-8")
    assert expected_path.exists(), f"no {expected_path.name}; run with KBBOOK_UPDATE_GOLDEN=1"
    assert actual == expected_path.read_text(encoding="utf-8")


def test_every_golden_input_has_its_output() -> None:
    outputs = {p.stem for p in GOLDEN.glob("*.xhtml")}
    assert outputs == set(CASES)


def test_golden_site_as_one_book_has_unique_ids_and_no_dangling_fragment() -> None:
    rendered, _ = render_site(GOLDEN)
    ids: list[str] = [rp.page_id for rp in rendered]
    hrefs: list[str] = []
    for rp in rendered:
        tree = rp.body
        ids += [el.get("id") for el in tree.iter() if el.get("id")]
        hrefs += [a.get("href") for a in tree.iter("{*}a") if (a.get("href") or "").startswith("#")]
    assert len(ids) == len(set(ids))
    assert {h[1:] for h in hrefs} <= set(ids)


# -- what the writers rely on --------------------------------------------------------------


def test_rendered_page_fields(tmp_path: Path) -> None:
    rendered, d = render_text(tmp_path, "# Page 🎉\n\n## Part two\n\nText[^n].\n\n[^n]: Note.\n")
    assert isinstance(rendered, RenderedPage)
    assert rendered.page_id == "p-page"
    assert rendered.title_heading
    assert rendered.headings == (Heading(1, "Page 🎉", "page-"), Heading(2, "Part two", "part-two"))
    assert rendered.images == () and rendered.nav_links == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        rendered.xhtml = b""  # type: ignore[misc]
    rendered.body.clear()  # a tree of the caller's own: the page is unchanged
    assert len(rendered.xhtml) < 1000
    tree = rendered.body
    ref = tree.find(".//{*}a[@class='footnote-ref']")
    assert ref is not None and ref.get("{http://www.idpf.org/2007/ops}type") == "noteref"
    assert ref.get("href") == "#p-page-fn-1" and ref.get("id") == "p-page-fnref-1"
    note = tree.find(".//{*}aside")
    assert note is not None and note.get("id") == "p-page-fn-1"
    assert note.get("{http://www.idpf.org/2007/ops}type") == "footnote"
    assert note.getparent().get("role") == "doc-endnotes"
    assert not list(d)


@pytest.mark.parametrize(("body", "expected"), [
    ("# Page\n\nText.", True),
    ("## PAGE!!! 🚀\n", True),
    ("Intro.\n\n# Page\n", False),
    ("# Page and more\n", True),  # its own h1 is the page's heading, as on the site
    ("## Page and more\n", False),
    ("<!-- note -->\n# Page\n", True),
    ("<!-- note -->\n# Accessing pages\n\nText.\n", True),
])
def test_title_heading(tmp_path: Path, body: str, expected: bool) -> None:
    rendered, _ = render_text(tmp_path, body)
    assert rendered.title_heading is expected


def test_footnote_and_heading_ids_are_unique_across_pages(tmp_path: Path) -> None:
    body = "# Intro\n\nA note[^1].\n\n[^1]: Text.\n"
    write_site(tmp_path, {
        "_config.yml": "title: T\nurl: https://ex.org\n",
        "a.md": "---\ntitle: A\nnav_order: 1\n---\n" + body + "\n[on](b#intro)\n",
        "b.md": "---\ntitle: B\nnav_order: 2\n---\n" + body,
    })
    a, b = render_site(tmp_path)[0]
    assert [h.id for h in a.headings] == ["intro"]
    assert [h.id for h in b.headings] == ["intro-1"]
    assert 'id="p-a-fn-1"' in html_of(a) and 'id="p-b-fn-1"' in html_of(b)
    # The link lands on the book's id; its web address keeps the id the website gives the
    # heading, for a print that leaves b.md out.
    (on,) = [link for link in a.links if link.href == "b#intro"]
    assert on == Link(LinkKind.PAGE, 11, "b#intro", page="b.md", anchor="intro-1",
                      url="https://ex.org/b.html#intro")


def test_reserved_ids_are_not_used(tmp_path: Path) -> None:
    write_site(tmp_path, {"_config.yml": "title: T\n", "a.md": "---\ntitle: A\n---\n# Contents\n"})
    (a,), _ = render_site(tmp_path)
    assert a.headings[0].id == "contents"
    pages, resolver, d = load_site(tmp_path)
    (a,) = render_pages(pages, resolver, d, reserved_ids={"contents", "p-a"})
    assert (a.page_id, a.headings[0].id) == ("p-a-1", "contents-1")


def test_relative_html_link_from_a_top_level_page(tmp_path: Path) -> None:
    write_site(tmp_path, {
        "_config.yml": "title: T\n",
        "a.md": "---\ntitle: A\nnav_order: 1\n---\n[to b](b.html)\n",
        "b.md": "---\ntitle: B\nnav_order: 2\n---\nB\n",
    })
    (a, _b), d = render_site(tmp_path)
    assert [(link.kind, link.page) for link in a.links] == [(LinkKind.PAGE, "b.md")]
    assert not list(d)


def test_code_is_highlighted_with_classes_not_styles(tmp_path: Path) -> None:
    rendered, _ = render_text(tmp_path, "```python\nx = 1  # one\n```\n\n```nope\n<b>\n```\n")
    html = html_of(rendered)
    assert '<pre class="highlight"><code class="language-python"><span class="n">x</span>' in html
    assert "style=" not in html
    assert "<pre><code>&lt;b&gt;\n</code></pre>" in html


def test_pygments_css_is_scoped_to_highlight() -> None:
    css = pygments_css()
    assert ".highlight .k {" in css and ".highlight .c {" in css
    assert all(line.startswith(".highlight") for line in css.splitlines())


def test_remote_images_are_kept_when_allowed(tmp_path: Path) -> None:
    body = "![Remote](https://example.com/a.png)\n"
    kept, d = render_text(tmp_path, body, allow_remote=True)
    assert kept.images == (ImageRef("", None, "https://example.com/a.png", "Remote", 4),)
    assert '<img src="https://example.com/a.png" alt="Remote" data-kb-image="0"/>' in html_of(
        kept) and not list(d)
    dropped, d = render_text(tmp_path, body)
    # Left out, but the reader can still open it: its alt text is a link to it.
    assert ('<a href="https://example.com/a.png" class="kb-missing-image kb-external" '
            'data-kb-link="0">Remote</a>') in html_of(dropped)
    assert [(x.code, x.line) for x in d] == [("remote-image", 4)]


def test_images_are_listed_once_in_order() -> None:
    rendered, _ = render_one(GOLDEN, "images.md")
    assert rendered.files == ("assets/images/diagram.png", "assets/images/photo.png")


def test_nav_buttons_are_removed_and_recorded() -> None:
    rendered, d = render_one(GOLDEN, "navbuttons.md")
    assert "nav-buttons" not in html_of(rendered) and "Previous" not in html_of(rendered)
    assert "<hr" not in html_of(rendered)  # the rule that only introduced the buttons goes too
    assert [(n.label, n.target.rel if n.target else None, n.href, n.line)
            for n in rendered.nav_links] == [
        ("previous", "tables.md", "tables", 10),
        ("next", "code.md", "/kb/code.html", 11),
        ("next", None, "nowhere", 12),
    ]
    assert all(isinstance(n, NavLink) for n in rendered.nav_links)
    assert [(x.code, x.line) for x in d] == [("broken-link", 12)]


# -- every link form -----------------------------------------------------------------------

LINKS = FIXTURES / "sites" / "links"
DIR_PAGE = ("docs/dir/page.md", "p-docs-dir-page")
EXPECTED_LINKS = [
    ("docs/a/sibling.md", "p-docs-a-sibling"),  # sibling
    ("docs/a/sibling.md", "p-docs-a-sibling"),  # sibling.md
    DIR_PAGE, DIR_PAGE,  # ../dir/page, ../dir/page.html
    ("docs/a/sub/index.md", "p-docs-a-sub-index"),  # sub/
    ("docs/dir/index.md", "p-docs-dir-index"),  # ../dir/
    DIR_PAGE, DIR_PAGE, DIR_PAGE, DIR_PAGE,  # /docs/…, /kb/docs/…, {% link %}, {{ site.baseurl }}
    ("docs/perm.md", "p-docs-perm"),  # permalink
    ("docs/a/sibling.md", "sibling-part"), ("docs/a/sibling.md", "sibling-part"),
    ("docs/dir/page.md", "target-heading"), ("docs/dir/page.md", "target-heading"),
    ("docs/a/sub/index.md", "sub-part"), ("docs/dir/index.md", "dir-part"),
    ("docs/dir/page.md", "target-heading"), ("docs/dir/page.md", "target-heading"),
    ("docs/dir/page.md", "explicit-id"), ("docs/dir/page.md", "target-heading"),
    ("docs/perm.md", "perm-part"),
    ("docs/a/links.md", "links"), ("docs/a/links.md", "p-docs-a-links"),
]


def test_every_link_form_resolves_inside_the_book() -> None:
    rendered, _ = render_site(LINKS)
    page = next(rp for rp in rendered if rp.page.rel == "docs/a/links.md")
    items = page.body.find("{*}ol").findall("{*}li")
    links = [page.links[int(li[0].get(LINK_ATTR))] for li in items]
    assert [(link.page, link.anchor) for link in links] == EXPECTED_LINKS
    assert all(link.kind is LinkKind.PAGE for link in links)


def test_link_problems_keep_the_text_and_warn() -> None:
    rendered, d = render_site(LINKS)
    page = next(rp for rp in rendered if rp.page.rel == "docs/a/links.md")
    html = html_of(page)
    for text in ("missing page", "hidden page", "a file"):
        assert f'<span class="kb-unlinked">{text}</span>' in html
    by_text = {a.text: page.links[int(a.get(LINK_ATTR))] for a in page.body.iter("{*}a")}
    assert (by_text["missing anchor"].page, by_text["missing anchor"].anchor) == (
        "docs/dir/page.md", "p-docs-dir-page")
    assert by_text["web"] == Link(LinkKind.WEB, 37, "https://example.com/path?q=1#top",
                                  url="https://example.com/path?q=1#top")
    assert by_text["mail"].url == "mailto:someone@example.com"
    assert '<a href="mailto:someone@example.com" class="kb-external" data-kb-link=' in html
    assert [(x.path, x.line, x.code) for x in d] == [
        ("docs/a/links.md", 34, "broken-link"),
        ("docs/a/links.md", 34, "broken-anchor"),
        ("docs/a/links.md", 35, "link-outside-book"),
        ("docs/a/links.md", 35, "file-link"),
    ]


def test_same_heading_text_on_two_pages_gets_two_ids() -> None:
    rendered, _ = render_site(LINKS)
    ids = {rp.page.rel: [h.id for h in rp.headings] for rp in rendered}
    assert ids["docs/a/links.md"] == ["links"]
    assert ids["docs/dir/page.md"] == ["dir-page", "links-1", "target-heading", "explicit-id"]


# -- robustness ----------------------------------------------------------------------------

DEEP = {
    "blockquotes": ">" * 10_000 + " deep\n",
    "list items": "- " * 10_000 + "deep\n",
    "ordered list items": "1. " * 10_000 + "deep\n",
    "html divs": "<div>" * 10_000 + "deep" + "</div>" * 10_000 + "\n",
    "markdown divs": '<div markdown="1">\n' * 2_000 + "deep\n" + "</div>\n" * 2_000,
    "emphasis": "*" * 10_000 + "deep" + "*" * 10_000 + "\n",
    "links": "[" * 10_000 + "deep" + "](x)" * 10_000 + "\n",
    "spans": "<span>" * 10_000 + "deep\n",
}


@pytest.mark.parametrize("name", DEEP)
def test_deep_nesting_renders_and_is_reported(tmp_path: Path, name: str) -> None:
    rendered, d = render_text(tmp_path, DEEP[name])
    etree.fromstring(etree.tostring(rendered.body))  # well-formed
    if name not in ("emphasis", "links"):  # (those stay text: nothing is lost)
        assert "too-deep" in [x.code for x in d]


# -- the real corpus -----------------------------------------------------------------------


@needs_productbrain
def test_productbrain() -> None:
    rendered, d = render_site(PRODUCTBRAIN)
    assert len(rendered) == 44
    ids: set[str] = {rp.page_id for rp in rendered}
    internal: list[str] = []
    for rp in rendered:
        tree = rp.body
        text = "".join(tree.itertext())
        buttons = re.findall(r'class="btn[^"]*">([^<]+)</a>', rp.page.body)
        assert all(label not in text for label in buttons), rp.page.rel
        assert "Previous:" not in text and "👉" not in text, rp.page.rel
        assert "nav-buttons" not in html_of(rp)
        for el in tree.iter():
            if el.get("id"):
                assert el.get("id") not in ids, f"duplicate id {el.get('id')}"
                ids.add(el.get("id"))
        internal += [a.get("href")[1:] for a in tree.iter("{*}a")
                     if (a.get("href") or "").startswith("#")]
    assert set(internal) <= ids
    about_line = next(n for n, line in enumerate(
        (PRODUCTBRAIN / "about.md").read_text(encoding="utf-8").splitlines(), 1)
        if "pedro-reis.png" in line)
    tools = ("docs/2-product-discovery-and-customer-insights/"
             "tools-and-resources-for-product-discovery.md")
    tools_line = next(n for n, line in enumerate(
        (PRODUCTBRAIN / tools).read_text(encoding="utf-8").splitlines(), 1)
        if "roadmap-for-product-discovery" in line)
    assert [(x.path, x.line, x.code) for x in d.sorted() if x.code != "nav-buttons"] == [
        ("about.md", about_line, "missing-image"),
        (tools, tools_line, "broken-link"),
    ]
    missing = next(x for x in d if x.code == "missing-image")
    assert "assets/images/pedro-reis.png" in missing.message
    nav = next(x for x in d if x.code == "broken-link")
    assert "roadmap-for-product-discovery" in nav.message
    pages_with_buttons = [rp for rp in rendered if rp.nav_links]
    assert len(pages_with_buttons) > 30
    assert all(link.label in ("previous", "next") for rp in rendered for link in rp.nav_links)
