"""The book's structure in both outputs, end to end: collections as parts under their names,
the theme's external links in the contents as web links, the linked pages' appendix, and
links into it that stay in the book."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image
from pypdf import PdfReader
from typer.testing import CliRunner

from kbbook.cli import app

from epubcheck_util import run_epubcheck
from sitemaker import make_site, page

XHTML = {"x": "http://www.w3.org/1999/xhtml"}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "teal").save(out, "PNG")
    return out.getvalue()


SITE = {
    "_config.yml": (
        "title: Structure\nurl: https://kb.example.org\n"
        "collections:\n  recipes: {output: true}\n  tools: {output: true}\n"
        "just_the_docs:\n  collections:\n    recipes: {name: Recipes}\n"
        "    tools: {name: Tools, nav_fold: true}\n"
        "nav_external_links:\n  - title: The project's site\n    url: https://project.example.org/\n"),
    "index.md": page("Home", nav_order=1, body="Read the [reference](reference.md).\n"),
    "about.md": page("'<img src=\"/assets/icon.png\" alt=\"\"> About &amp; more'", nav_order=2,
                     body="Text.\n"),
    "about-us.md": page("Us", parent="'<img src=\"/assets/icon.png\" alt=\"\"> About &amp; more'"),
    "assets/icon.png": _png(),
    "reference.md": page("Reference", nav_exclude="true", body="The reference.\n"),
    "_recipes/soup.md": page("Soup", nav_order=1),
    "_recipes/bread.md": page("Bread", nav_order=2),
    "_tools/knife.md": page("Knife"),
}


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("structure")
    site = make_site(base / "site", SITE)
    runner = CliRunner()
    out = {}
    for kind in ("epub", "pdf"):
        out[kind] = base / f"book.{kind}"
        args = [kind, str(site), "-o", str(out[kind])] + (["--quiet"] if kind == "pdf" else [])
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    return out


def _tree(lists: etree._Element) -> list[object]:
    items: list[object] = []
    for li in lists.findall("x:li", XHTML):
        label = "".join(li.find("x:a", XHTML).itertext())
        sub = li.find("x:ol", XHTML)
        items.append((label, _tree(sub)) if sub is not None else label)
    return items


def test_epub_parts_web_links_and_appendix(books: dict[str, Path]) -> None:
    with zipfile.ZipFile(books["epub"]) as z:
        nav = etree.fromstring(z.read("EPUB/nav.xhtml"))
        contents = etree.fromstring(z.read("EPUB/contents.xhtml"))
        home = z.read("EPUB/index.xhtml").decode()
        about = z.read("EPUB/about.xhtml").decode()
    expected = ["Home", ("About & more", ["Us"]), ("Recipes", ["Soup", "Bread"]),
                ("Tools", ["Knife"]), ("Appendix", ["Reference"])]
    toc = nav.find(".//x:nav[@id='toc']/x:ol", XHTML)
    assert _tree(toc) == expected  # (no web address in the navigation: EPUB forbids it)
    listed = contents.find(".//x:ol", XHTML)
    assert _tree(listed) == [*expected[:2], "The project's site", *expected[2:]]
    web = listed.findall("x:li/x:a[@class='kb-external']", XHTML)
    assert [a.get("href") for a in web] == ["https://project.example.org/"]
    assert 'href="reference.xhtml"' in home  # the link into the appendix stays in the book
    # an HTML title: its text everywhere, and the icon before it in the page's heading
    assert ('<h1><img src="images/icon.png" alt="" class="kb-title-icon"/> About &amp; '
            'more</h1>') in about
    assert "<title>About &amp; more</title>" in about
    result = run_epubcheck(books["epub"])
    assert result.problems == 0, result.messages


def test_pdf_bookmarks_and_contents(books: dict[str, Path]) -> None:
    reader = PdfReader(books["pdf"])

    def marks(outline: list) -> list[object]:
        out: list[object] = []
        for item in outline:
            if isinstance(item, list):
                out[-1] = (out[-1], marks(item))
            else:
                out.append(item.title)
        return out

    assert marks(reader.outline) == ["Home", ("About & more", ["Us"]),
                                     ("Recipes", ["Soup", "Bread"]), ("Tools", ["Knife"]),
                                     ("Appendix", ["Reference"])]
    assert "About & more" in reader.pages[3].extract_text()  # (its running header too)
    contents = " ".join(reader.pages[1].extract_text().split())
    assert "The project's site" in contents and "https://project.example.org/" in contents
    uris = {str(a.get_object()["/A"]["/URI"]) for p in reader.pages
            for a in p.get("/Annots") or [] if "/URI" in (a.get_object().get("/A") or {})}
    assert "https://project.example.org/" in uris
    assert not any("reference" in u for u in uris)  # the reference is a page of the book
