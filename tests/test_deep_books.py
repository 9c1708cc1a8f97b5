"""Books nested hundreds of pages deep (each page the `parent:` of the next): the outline, the
EPUB (nav, NCX, contents page) and the PDF (contents, bookmarks) are all built, without
recursion limits, and the EPUB passes EPUBCheck."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html
from pypdf import PdfReader
from typer.testing import CliRunner

from kbbook.cli import app
from kbbook.errors import Diagnostics
from kbbook.pipeline import SiteOptions, read_and_render
from kbbook.writers.epub import CONTENTS_NESTING as EPUB_CONTENTS_NESTING
from kbbook.writers.pdf import build_print_document
from kbbook.writers.pdf.document import CONTENTS_NESTING
from kbbook.writers.pdf.page import MAX_BOOKMARK_LEVEL

from epubcheck_util import EpubCheckUnavailable, run_epubcheck
from sitemaker import book_of, make_site, page

runner = CliRunner()
NS = {"x": "http://www.w3.org/1999/xhtml", "ncx": "http://www.daisy.org/z3986/2005/ncx/",
      "epub": "http://www.idpf.org/2007/ops"}
DEEP = 1000
PDF_DEEP = 200


def chain_site(root: Path, depth: int, toc_depth: int = 3) -> Path:
    files = {"_config.yml": f"title: Deep\nkbbook:\n  toc_depth: {toc_depth}\n"}
    for i in range(depth):
        front = {"parent": f"'P{i - 1}'"} if i else {"nav_order": 1}
        files[f"p{i}.md"] = page(f"'P{i}'", body=f"Page {i}.\n\n## Part {i}\n\nText.\n",
                                 **front)
    return make_site(root, files)


@pytest.fixture(scope="module")
def deep_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return chain_site(tmp_path_factory.mktemp("deep") / "site", DEEP, toc_depth=2 * DEEP)


def _nesting(el: etree._Element, tag: str) -> int:
    """How many `tag` elements nest in one another at most below `el` (no recursion)."""
    deepest = 0
    stack = [(el, 0)]
    while stack:
        node, depth = stack.pop()
        if node.tag == tag:
            depth += 1
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in node if isinstance(child.tag, str))
    return deepest


def test_the_outline_follows_every_level(deep_site: Path) -> None:
    book, diagnostics = book_of(deep_site)
    assert [d for d, _ in book.walk()] == list(range(DEEP))
    assert not book.hidden and not diagnostics.warnings
    result = runner.invoke(app, ["toc", str(deep_site)])
    assert result.exit_code == 0, result.output[-2000:]
    assert result.output.splitlines()[DEEP - 1] == "  " * (DEEP - 1) + f"P{DEEP - 1}"


def test_the_json_outline_follows_every_level(deep_site: Path) -> None:
    result = runner.invoke(app, ["toc", str(deep_site), "--json"])
    assert result.exit_code == 0, result.output[-2000:]
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000)  # json.loads recurses once per level, too
    try:
        node, depth = json.loads(result.stdout)[0], 1
    finally:
        sys.setrecursionlimit(limit)
    while node["children"]:
        (node,) = node["children"]
        depth += 1
    assert (depth, node["title"]) == (DEEP, f"P{DEEP - 1}")


def test_epub_nav_and_ncx_nest_every_level(deep_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "deep.epub"
    result = runner.invoke(app, ["epub", str(deep_site), "-o", str(out)])
    assert result.exit_code == 0, result.output[-2000:]
    parser = etree.XMLParser(huge_tree=True)
    with zipfile.ZipFile(out) as z:
        nav = etree.fromstring(z.read("EPUB/nav.xhtml"), parser)
        ncx = etree.fromstring(z.read("EPUB/toc.ncx"), parser)
        contents = etree.fromstring(z.read("EPUB/contents.xhtml"), parser)
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    assert _nesting(toc, f"{{{NS['x']}}}ol") == DEEP
    assert len(toc.findall(".//x:li", NS)) == DEEP
    assert not [ol for ol in toc.iter(f"{{{NS['x']}}}ol") if len(ol) == 0]  # no empty <ol>
    assert _nesting(ncx, f"{{{NS['ncx']}}}navPoint") == DEEP
    assert ncx.find(".//ncx:meta[@name='dtb:depth']", NS).get("content") == str(DEEP)
    # toc_depth is 2,000: every page is on the contents page, in lists nested readably deep
    assert len(contents.findall(".//x:li", NS)) == DEEP
    assert _nesting(contents, f"{{{NS['x']}}}ol") == EPUB_CONTENTS_NESTING


def test_deep_epub_passes_epubcheck(tmp_path: Path) -> None:
    site = chain_site(tmp_path / "site", 300)
    out = tmp_path / "deep.epub"
    result = runner.invoke(app, ["epub", str(site), "-o", str(out)])
    assert result.exit_code == 0, result.output[-2000:]
    try:
        check = run_epubcheck(out)
    except EpubCheckUnavailable as exc:
        pytest.fail(f"EPUBCheck cannot run: {exc}")
    assert check.problems == 0, "\n".join(check.messages)


def test_print_contents_nest_a_readable_depth(deep_site: Path) -> None:
    diagnostics = Diagnostics()
    document = build_print_document(read_and_render(SiteOptions(deep_site), diagnostics))
    contents = lxml_html.document_fromstring(document.html).get_element_by_id(
        "kb-print-contents")
    assert [a.text for a in contents.iter("a")] == [f"P{i}" for i in range(DEEP)]
    assert _nesting(contents, "ol") == CONTENTS_NESTING
    assert not [ol for ol in contents.iter("ol") if len(ol) == 0]
    assert f"bookmark-level: {MAX_BOOKMARK_LEVEL}\"" in document.html
    assert f"bookmark-level: {MAX_BOOKMARK_LEVEL + 1}" not in document.html


def test_pdf_of_a_deep_book(tmp_path: Path) -> None:
    # (fewer levels: WeasyPrint takes its time over a thousand pages and their contents)
    site = chain_site(tmp_path / "site", PDF_DEEP, toc_depth=PDF_DEEP)
    out = tmp_path / "deep.pdf"
    result = runner.invoke(app, ["pdf", str(site), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output[-2000:]
    reader = PdfReader(out)
    titles, depth = [], 0
    stack = [(reader.outline, 1)]
    while stack:
        items, level = stack.pop()
        for item in reversed(items):
            if isinstance(item, list):
                stack.append((item, level + 1))
            else:
                titles.append(item.title)
                depth = max(depth, level)
    assert depth == MAX_BOOKMARK_LEVEL
    assert {f"P{i}" for i in range(PDF_DEEP)} <= set(titles)
    assert f"Part {PDF_DEEP - 1}" in titles
