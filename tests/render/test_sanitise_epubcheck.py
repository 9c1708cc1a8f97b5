"""The fragments are valid EPUB 3 content: put them in a bare EPUB and let EPUBCheck judge.

This builds its own minimal package (not kbbook's EPUB writer), so it tests only what
rendering produces.
"""

from __future__ import annotations

import copy
import dataclasses
import mimetypes
import random
import zipfile
from pathlib import Path

from lxml import etree

from kbbook.errors import Diagnostics
from kbbook.render import LinkKind, RenderedPage, render_pages
from kbbook.render.model import IMAGE_ATTR, LINK_ATTR
from kbbook.writers.epub.documents import inline_properties

from epubcheck_util import run_epubcheck
from markdown_util import GOLDEN, XHTML_NS, load_site, render_site
from shared import PRODUCTBRAIN, needs_productbrain

_DOC = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" \
xml:lang="en" lang="en">
<head><meta charset="utf-8"/><title>{title}</title></head>
<body><section id="{page_id}">{html}</section></body>
</html>
"""
_CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/book.opf" media-type="application/oebps-package+xml"/>
</rootfiles></container>
"""
_OPF = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="uid">urn:uuid:8c1f3b0e-0000-4000-8000-000000000001</dc:identifier>
<dc:title>Fragments</dc:title><dc:language>en</dc:language>
<meta property="dcterms:modified">2024-01-01T00:00:00Z</meta>
</metadata>
<manifest>
<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
{items}
</manifest>
<spine>{spine}</spine>
</package>
"""
_NAV = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
<head><title>Contents</title></head>
<body><nav epub:type="toc"><ol>{entries}</ol></nav></body>
</html>
"""


def _linked(rendered: RenderedPage, files: dict[str, str]) -> str:
    """The body with its links pointing at the page files (as a writer would)."""
    tree = copy.deepcopy(rendered.body)
    for a in tree.iter(f"{{{XHTML_NS}}}a"):
        number = a.attrib.pop(LINK_ATTR, None)
        if number is not None:
            link = rendered.links[int(number)]
            a.set("href", files[link.page] + "#" + link.anchor if link.kind is LinkKind.PAGE
                  else link.url)
    for img in tree.iter(f"{{{XHTML_NS}}}img"):
        img.attrib.pop(IMAGE_ATTR, None)
    inner = etree.tostring(tree, encoding="unicode")
    return inner[inner.index(">") + 1 : inner.rindex("<")]


def _epub(site: Path, rendered: tuple[RenderedPage, ...], out: Path) -> Path:
    files = {rp.page.rel: f"p{n}.xhtml" for n, rp in enumerate(rendered)}
    items, spine, entries = [], [], []
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", _CONTAINER)
        images: dict[str, None] = {}
        for n, rp in enumerate(rendered):
            name = files[rp.page.rel]
            html = _linked(rp, files).replace(f' xmlns="{XHTML_NS}"', "")
            z.writestr(f"OEBPS/{name}", _DOC.format(title=f"Page {n}", page_id=rp.page_id,
                                                   html=html))
            properties = " ".join(inline_properties(rp.body))  # (mathml, svg)
            props = f' properties="{properties}"' if properties else ""
            items.append(f'<item id="p{n}" href="{name}" media-type="application/xhtml+xml"'
                         f'{props}/>')
            spine.append(f'<itemref idref="p{n}"/>')
            entries.append(f'<li><a href="{name}">Page {n}</a></li>')
            images.update(dict.fromkeys(rp.files))
        for n, rel in enumerate(images):
            z.write(site / rel, f"OEBPS/{rel}")
            kind = mimetypes.guess_type(rel)[0]
            items.append(f'<item id="i{n}" href="{rel}" media-type="{kind}"/>')
        z.writestr("OEBPS/nav.xhtml", _NAV.format(entries="".join(entries)))
        z.writestr("OEBPS/book.opf", _OPF.format(items="\n".join(items), spine="".join(spine)))
    return out


def _check(site: Path, tmp_path: Path, rendered: tuple[RenderedPage, ...] | None = None) -> None:
    if rendered is None:
        rendered, _ = render_site(site)
    result = run_epubcheck(_epub(site, rendered, tmp_path / "book.epub"))
    errors = [m for m in result.messages if not m.startswith("WARNING")]
    assert not errors, "\n".join(errors)


def test_golden_fragments_pass_epubcheck(tmp_path: Path) -> None:
    _check(GOLDEN, tmp_path)


@needs_productbrain
def test_productbrain_fragments_pass_epubcheck(tmp_path: Path) -> None:
    _check(PRODUCTBRAIN, tmp_path)


# Tag soup that libxml2 turns into trees an HTML5 parser never would.
_SOUP = [
    "<table>", "<tr>", "<td>", "<th>", "</td>", "</tr>", "</table>", "<thead>", "<tbody>",
    "<caption>", "<colgroup>", "<col>", "<ul>", "<ol>", "<li>", "</li>", "</ul>", "<dl>",
    "<dt>", "<dd>", "<h2>", "<span>", "</span>", '<a href="x">', "<a>", "</a>", "<figure>",
    "<figcaption>", "<blockquote>", "<pre>", "<code>", "<ruby>", "<rt>", "<section>",
    "<aside>", "<q>", "<sub>", "<hr>", "<details open>", "<summary>", "</summary>",
    "</details>", "<main>", "<header>", "<footer>", "<address>", "<label>", "<button>",
    "<select>", "<option>", '<p class="note">', "<p>", "</p>", "<div>", "</div>",
    '<div markdown="1">', "<em>", "</em>", "<strong>", '<h1 id="1">', "<h3 id=dup>",
    "<p id=dup>", "<iframe src=http://e/>", "<embed>", "<svg>", "<br>", "&nbsp;", "\u00a0",
    "text", " ", "\n", "\n\n", "- ", "1. ", "> ", "# ", "|a|\n|-|\n", "```\n", "[^1]",
    "[^1]: ", "{: .note}\n", "{:toc}\n", "*", "_", "`", "[", "](x)", "![i](x.png)",
    '<img src="assets/images/diagram.png">',
]


def test_tag_soup_fragments_pass_epubcheck(tmp_path: Path) -> None:
    site_pages, resolver, _ = load_site(GOLDEN)
    base = next(p for p in site_pages if p.rel == "tables.md")
    rng = random.Random(20240601)
    pages = []
    for n in range(200):
        body = "".join(rng.choice(_SOUP) for _ in range(rng.randint(5, 60)))
        source = dataclasses.replace(base.source, rel=f"soup{n}.md")
        pages.append(dataclasses.replace(base, body=body, source=source))
    rendered = render_pages(pages, resolver, Diagnostics())
    _check(GOLDEN, tmp_path, rendered)

