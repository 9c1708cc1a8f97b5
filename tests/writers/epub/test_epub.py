"""The EPUB writer: EPUBCheck-clean books of our handbook and of productbrain, read back and
compared with the book outline, the site's images and the pages' source text.

Each real site is built once per test session (module-scoped fixtures), so the whole module
runs EPUBCheck twice. Small books written for each test check the link, image and metadata
rules one at a time.
"""

from __future__ import annotations

import html
import io
import os
import posixpath
import re
import struct
import subprocess
import sys
import uuid
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image
from typer.testing import CliRunner

from kbbook import __version__
from kbbook.cli import app
from kbbook.errors import Diagnostics
from kbbook.pipeline import SiteOptions, build_epub, read_and_render
from kbbook.render import RenderedBook
from kbbook.writers.epub import DEVICES, write_epub

from epubcheck_util import EpubCheckUnavailable, run_epubcheck
from shared import CONTENT, PRODUCTBRAIN
from sitemaker import make_site, page

NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "container": "urn:oasis:names:tc:opendocument:xmlns:container",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MISSING_IN_PRODUCTBRAIN = {"assets/images/pedro-reis.png"}  # absent on purpose (corpora/README)


# -- reading an EPUB back ----------------------------------------------------------------------


class EpubFile:
    """An EPUB opened with zipfile and lxml."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        container = etree.fromstring(self.zip.read("META-INF/container.xml"))
        self.opf_path = container.find(".//container:rootfile", NS).get("full-path")
        self.folder = posixpath.dirname(self.opf_path)
        self.opf = etree.fromstring(self.zip.read(self.opf_path))

    def path(self, href: str, base: str | None = None) -> str:
        """Zip path of an href written in the document at zip path `base` (or the OPF)."""
        folder = posixpath.dirname(base) if base else self.folder
        return posixpath.normpath(posixpath.join(folder, href))

    @cached_property
    def manifest(self) -> dict[str, etree._Element]:
        return {item.get("id"): item for item in self.opf.iterfind(".//opf:manifest/opf:item",
                                                                    NS)}

    def item_path(self, item: etree._Element) -> str:
        return self.path(item.get("href"))

    @cached_property
    def spine(self) -> list[str]:
        """Zip paths of the spine documents, in order."""
        return [self.item_path(self.manifest[ref.get("idref")])
                for ref in self.opf.iterfind(".//opf:spine/opf:itemref", NS)]

    def xml(self, zip_path: str) -> etree._Element:
        return etree.fromstring(self.zip.read(zip_path))

    @cached_property
    def xhtml(self) -> dict[str, etree._Element]:
        return {self.item_path(i): self.xml(self.item_path(i)) for i in self.manifest.values()
                if i.get("media-type") == "application/xhtml+xml"}

    def item_with(self, prop: str) -> etree._Element:
        return next(i for i in self.manifest.values() if prop in (i.get("properties") or ""))

    def meta(self, prop: str) -> list[str]:
        return [m.text or "" for m in self.opf.iterfind(f".//opf:meta[@property='{prop}']", NS)]

    def dc(self, name: str) -> list[str]:
        return [e.text or "" for e in self.opf.iterfind(f".//dc:{name}", NS)]


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def nav_outline(ol: etree._Element | None, depth: int = 0) -> list[str]:
    """A nav `<ol>` as outline lines (two spaces a level), like `Book.outline()`."""
    lines: list[str] = []
    if ol is None:
        return lines
    assert len(ol) > 0, "empty <ol> in a nav list"
    for li in ol.iterfind("x:li", NS):
        lines.append("  " * depth + _text(li.find("x:a", NS)))
        lines.extend(nav_outline(li.find("x:ol", NS), depth + 1))
    return lines


def ncx_outline(parent: etree._Element, depth: int = 0) -> list[str]:
    lines: list[str] = []
    for point in parent.iterfind("ncx:navPoint", NS):
        lines.append("  " * depth + _text(point.find("ncx:navLabel/ncx:text", NS)))
        lines.extend(ncx_outline(point, depth + 1))
    return lines


def outline_to_depth(outline: str, depth: int) -> str:
    return "\n".join(line for line in outline.splitlines()
                     if (len(line) - len(line.lstrip(" "))) // 2 < depth)


# -- the real sites, built once -----------------------------------------------------------------


@dataclass
class Built:
    """A site rendered and written as an EPUB, with EPUBCheck's verdict on demand."""

    site: Path
    rendered: RenderedBook
    diagnostics: Diagnostics
    path: Path
    epub: EpubFile = field(init=False)

    def __post_init__(self) -> None:
        self.epub = EpubFile(self.path.read_bytes())

    @cached_property
    def check(self):  # type: ignore[no-untyped-def]
        try:
            return run_epubcheck(self.path)
        except EpubCheckUnavailable as exc:
            pytest.fail(f"EPUBCheck cannot run: {exc}")

    def page_doc(self, index: int) -> etree._Element:
        """The XHTML of the page at `index` in reading order (after cover and contents)."""
        return self.epub.xhtml[self.epub.spine[2 + index]]


def build(site: Path, out: Path, css: tuple[Path, ...] = ()) -> Built:
    diagnostics = Diagnostics()
    rendered = read_and_render(SiteOptions(site), diagnostics)
    write_epub(rendered, out, diagnostics, css=css)
    return Built(site, rendered, diagnostics, out)


SITES = {"content": CONTENT, "productbrain": PRODUCTBRAIN}


@pytest.fixture(scope="module", params=sorted(SITES))
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    site = SITES[request.param]
    if not site.is_dir():
        pytest.skip(f"{site} is not here (../shared/corpora is only in the workplace)")
    return build(site, tmp_path_factory.mktemp(request.param) / "book.epub")


def test_epubcheck_reports_nothing(built: Built) -> None:
    result = built.check
    assert result.problems == 0, "\n".join(result.messages)


def test_nav_is_the_book_outline(built: Built) -> None:
    nav_path = built.epub.item_path(built.epub.item_with("nav"))
    nav = built.epub.xhtml[nav_path]
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    assert "\n".join(nav_outline(toc.find("x:ol", NS))) == built.rendered.book.outline(
        sidebar=False)
    landmarks = {a.get(f"{{{NS['epub']}}}type"): a.get("href")
                 for a in nav.iterfind(".//x:nav[@epub:type='landmarks']//x:a", NS)}
    assert set(landmarks) == {"cover", "toc", "bodymatter"}
    spine = built.epub.spine
    assert built.epub.path(landmarks["cover"], nav_path) == spine[0]
    assert built.epub.path(landmarks["toc"], nav_path) == spine[1]
    assert built.epub.path(landmarks["bodymatter"], nav_path) == spine[2]


def test_ncx_is_the_book_outline(built: Built) -> None:
    ncx_item = built.epub.manifest["ncx"]
    assert ncx_item.get("media-type") == "application/x-dtbncx+xml"
    ncx = built.epub.xml(built.epub.item_path(ncx_item))
    assert "\n".join(ncx_outline(ncx.find("ncx:navMap", NS))) == built.rendered.book.outline(
        sidebar=False)
    orders = [int(p.get("playOrder")) for p in ncx.iter(f"{{{NS['ncx']}}}navPoint")]
    assert orders == list(range(1, len(built.rendered.pages) + 1))
    uid = ncx.find("ncx:head/ncx:meta[@name='dtb:uid']", NS).get("content")
    assert uid == built.epub.dc("identifier")[0]


def test_spine_is_cover_contents_then_reading_order(built: Built) -> None:
    epub = built.epub
    assert epub.opf.find(".//opf:spine", NS).get("toc") == "ncx"
    cover = epub.xhtml[epub.spine[0]]
    img = cover.find(".//x:img", NS)
    assert epub.path(img.get("src"), epub.spine[0]) == epub.item_path(
        epub.item_with("cover-image"))
    contents = epub.xhtml[epub.spine[1]]
    depth = built.rendered.book.config.book.toc_depth
    listed = contents.find(".//x:nav/x:ol", NS)
    web = [li for li in listed.iterfind("x:li", NS)
           if li.find("x:a[@class='kb-external']", NS) is not None]
    assert [_text(li) for li in web] == [w.title for w in built.rendered.book.external_links]
    for li in web:  # (the site's web links, checked above; the rest is the book)
        listed.remove(li)
    assert "\n".join(nav_outline(listed)) == outline_to_depth(
        built.rendered.book.outline(sidebar=False), depth)
    assert len(epub.spine) == 2 + len(built.rendered.pages)
    for i, rp in enumerate(built.rendered.pages):
        section = built.page_doc(i).find(".//x:body/x:section", NS)
        assert section.get("id") == rp.page_id
        # The page's own opening heading, as on the website, else the title.
        first = _text(section.find(".//x:h1", NS))
        if rp.title_heading:
            assert first == _text(rp.body[0])
        else:
            assert first == " ".join(rp.page.title.split())


def test_every_link_resolves_inside_the_book(built: Built) -> None:
    epub = built.epub
    names = set(epub.zip.namelist())
    ids = {path: set(doc.xpath("//@id")) for path, doc in epub.xhtml.items()}
    problems = []
    for path, doc in epub.xhtml.items():
        refs = [("a", a.get("href")) for a in doc.iterfind(".//x:a[@href]", NS)]
        refs += [("img", i.get("src")) for i in doc.iterfind(".//x:img", NS)]
        refs += [("link", lk.get("href")) for lk in doc.iterfind(".//x:link", NS)]
        assert not doc.xpath("//@data-kb-page"), f"{path} still has data-kb-page"
        for kind, ref in refs:
            if re.match(r"^[a-z][a-z0-9+.-]*:", ref or ""):
                assert kind == "a", f"{path}: remote {kind} {ref}"
                continue
            file, _, fragment = (ref or "").partition("#")
            target = epub.path(file, path) if file else path
            if target not in names:
                problems.append(f"{path}: {ref} (no file {target})")
            elif fragment and fragment not in ids.get(target, set()):
                problems.append(f"{path}: {ref} (no id {fragment} in {target})")
    for item in epub.manifest.values():
        assert epub.item_path(item) in names, item.get("href")
    assert not problems, "\n".join(problems)


def test_internal_links_cross_documents(built: Built) -> None:
    """Links between pages exist and point to other documents (not left as bare #ids)."""
    cross = sum(".xhtml" in a.get("href")
                for i in range(len(built.rendered.pages))
                for a in built.page_doc(i).iterfind(".//x:a[@href]", NS))
    assert cross > 0


_MD_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc=[\"']([^\"']+)")


def _site_images(built: Built) -> set[str]:
    """Images the pages' sources reference that exist in the site, found independently of
    the renderer: Markdown and HTML image syntax, resolved against the page's folder."""
    found = set()
    for rp in built.rendered.pages:
        for src in _MD_IMAGE.findall(rp.page.body) + _HTML_IMAGE.findall(rp.page.body):
            if re.match(r"^[a-z]+:|^//", src):
                continue
            folder = "" if src.startswith("/") else posixpath.dirname(rp.page.rel)
            rel = posixpath.normpath(posixpath.join(folder, src.lstrip("/")))
            if (built.site / rel).is_file():
                found.add(rel)
    return found


def test_every_present_image_is_embedded(built: Built) -> None:
    epub = built.epub
    cover = epub.item_path(epub.item_with("cover-image"))
    # (kbbook's own pictures of formulas, for readers without MathML, are no site image)
    embedded = [epub.item_path(i) for i in epub.manifest.values()
                if i.get("media-type", "").startswith("image/") and epub.item_path(i) != cover
                and not epub.item_path(i).startswith("EPUB/images/math/")]
    expected = _site_images(built)
    assert expected <= {rel for rp in built.rendered.pages for rel in rp.files}
    if built.site == PRODUCTBRAIN:
        assert len(expected) == 11  # 12 image files referenced, pedro-reis.png is missing
        assert MISSING_IN_PRODUCTBRAIN.isdisjoint(expected)
        assert not any(p.endswith(".webp") for p in epub.zip.namelist())
    assert len(embedded) == len(expected)
    assert all(Path(p).suffix in (".png", ".jpg", ".gif", ".svg") for p in embedded)
    for i, rp in enumerate(built.rendered.pages):
        present = [rel for rel in rp.files if (built.site / rel).is_file()]
        shown = {img.get("src") for img in built.page_doc(i).iterfind(".//x:img", NS)}
        assert len(shown) >= len(present), rp.page.rel
    limit = built.rendered.book.config.book.image_max_size or DEVICES["default"].image_long_side
    for path in embedded:
        if not path.endswith(".svg"):
            with Image.open(io.BytesIO(epub.zip.read(path))) as im:
                assert max(im.size) <= limit, path


@pytest.mark.parametrize("built", ["productbrain"], indirect=True)
def test_missing_image_is_reported_and_replaced_by_alt_text(built: Built) -> None:
    about = next(i for i, rp in enumerate(built.rendered.pages) if rp.page.rel == "about.md")
    doc = built.page_doc(about)
    assert all("pedro-reis" not in (img.get("src") or "") for img in doc.iter(
        f"{{{NS['x']}}}img"))
    assert "Pedro Reis" in _text(doc)
    assert any(d.path == "about.md" and "pedro-reis.png" in d.message
               for d in built.diagnostics)


def test_no_nav_button_text(built: Built) -> None:
    """The site's previous/next buttons are gone; the book's own navigation replaces them.
    ("Next:" alone may be real text: productbrain writes "**Next**: near-term priorities".)"""
    buttons = 0
    for i, rp in enumerate(built.rendered.pages):
        text = _text(built.page_doc(i))
        assert not re.search(r"👈\s*Previous:|Next:[^.]{0,80}👉", text), rp.page.rel
        for link in rp.nav_links:
            buttons += 1
            if link.target is not None:
                label = f"{link.label.capitalize()}: {link.target.title}"
                assert label not in text, (rp.page.rel, label)
        assert not built.page_doc(i).xpath("//*[contains(@class, 'nav-buttons')]")
    if built.site == PRODUCTBRAIN:
        assert buttons >= len(built.rendered.pages)  # the test did look at real buttons


# The source text of a page, crudely stripped of Markdown: its front matter is already gone
# (Page.body), then the nav-buttons block, Liquid tags, kramdown attribute lists, link and
# image URLs, reference definitions, code-fence languages, ordered-list numbers and HTML tags
# are removed and entities decoded; the rest is split into word tokens (letters and digits;
# `_` and punctuation separate words). The XHTML side is the body's text (joined both with
# and without spaces, as highlighting splits `0.9em` into spans) plus alt and title texts.
_NAV_BUTTONS = re.compile(r"<div[^>]*class=\"nav-buttons\".*?</div>", re.S)
_LIQUID = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
_IAL = re.compile(r"\{:[^}\n]*\}")
_LINK_URL = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+.*$", re.M)
_TAG = re.compile(r"<[^>\n]+>")
_FENCE_INFO = re.compile(r"^(\s*(?:```+|~~~+))[^\n`]*$", re.M)
_LIST_NUMBER = re.compile(r"^(\s*)\d+[.)](?=\s)", re.M)
_WORD = re.compile(r"[^\W_]+")


def source_words(body: str) -> list[str]:
    text = _NAV_BUTTONS.sub(" ", body)
    text = _LIQUID.sub(" ", text)
    text = _IAL.sub(" ", text)
    text = _LINK_URL.sub("] ", text)
    text = _REF_DEF.sub(" ", text)
    text = _FENCE_INFO.sub(r"\1", text)
    text = _LIST_NUMBER.sub(r"\1", text)
    text = _TAG.sub(" ", text)
    return _WORD.findall(html.unescape(text).casefold())


def document_words(doc: etree._Element) -> set[str]:
    body = doc.find("x:body", NS)
    parts = list(body.itertext())
    attrs = [v for el in body.iter() for k, v in el.attrib.items() if k in ("alt", "title")]
    text = " ".join(parts + attrs) + " " + "".join(parts)
    return set(_WORD.findall(text.casefold()))


def test_page_text_is_kept(built: Built) -> None:
    """At least 99% of each page's source words appear in its XHTML."""
    failures = []
    for i, rp in enumerate(built.rendered.pages):
        words = source_words(rp.page.body)
        if not words:
            continue
        have = document_words(built.page_doc(i))
        missing = Counter(w for w in words if w not in have)
        kept = 1 - sum(missing.values()) / len(words)
        if kept < 0.99:
            failures.append(f"{rp.page.rel}: {kept:.1%} kept; missing {missing.most_common(8)}")
    assert not failures, "\n".join(failures)


def test_metadata(built: Built) -> None:
    epub = built.epub
    config = built.rendered.book.config
    assert epub.dc("title") == [config.title]
    assert epub.dc("language") == [config.lang]
    (identifier,) = epub.dc("identifier")
    if config.book.identifier:
        assert identifier == config.book.identifier
    else:  # derived from url and title (see SMALL_BOOK_ID): a name-based UUID
        assert uuid.UUID(identifier.removeprefix("urn:uuid:")).version == 5
    assert epub.dc("creator") == list(config.authors)
    if config.description:
        assert epub.dc("description") == [config.description]
    if config.book.publisher:
        assert epub.dc("publisher") == [config.book.publisher]
    generator = epub.opf.find(".//{http://www.idpf.org/2007/opf}meta[@name='generator']")
    assert generator is not None and generator.get("content") == f"kbbook {__version__}"
    (modified,) = epub.meta("dcterms:modified")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", modified)
    assert epub.meta("schema:accessibilityHazard") == ["none"]
    assert "textual" in epub.meta("schema:accessMode")
    features = epub.meta("schema:accessibilityFeature")
    assert {"tableOfContents", "readingOrder", "structuralNavigation"} <= set(features)
    assert epub.meta("schema:accessibilitySummary")
    if _site_images(built):
        assert "visual" in epub.meta("schema:accessMode")
    cover = epub.item_with("cover-image")
    assert epub.opf.find(".//opf:meta[@name='cover']", NS).get("content") == cover.get("id")
    for path, doc in epub.xhtml.items():
        assert doc.get("lang") == config.lang and doc.get(XML_LANG) == config.lang, path


def test_stylesheet(built: Built) -> None:
    css = built.epub.zip.read(built.epub.item_path(built.epub.manifest["style"])).decode()
    assert "white-space: pre-wrap" in css and "overflow-wrap: anywhere" in css
    assert ".callout" in css and "figcaption" in css and "max-width: 100%" in css
    assert not re.search(r"\d+px\s*;", css.split("/* Code highlighting")[0].replace(
        "1px solid", "")), "fixed pixel sizes in epub.css"
    assert not re.search(r"background", css.split("/* Code highlighting")[1])


# -- reproducible builds and the command line ---------------------------------------------------


def test_source_date_epoch_makes_builds_identical(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    first = build(CONTENT, tmp_path / "1.epub").path.read_bytes()
    second = build(CONTENT, tmp_path / "2.epub").path.read_bytes()
    assert first == second
    # Another process, another hash seed, through the command line: still the same bytes.
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "kbbook", "epub", str(CONTENT), "-o",
                    str(tmp_path / "3.epub")], check=True, capture_output=True, env=env)
    assert (tmp_path / "3.epub").read_bytes() == first
    epub = EpubFile(first)
    assert epub.meta("dcterms:modified") == ["2023-11-14T22:13:20Z"]
    infos = epub.zip.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert epub.zip.read("mimetype") == b"application/epub+zip"
    assert {i.date_time for i in infos} == {(2023, 11, 14, 22, 13, 20)}


def test_cli_writes_the_epub(tmp_path: Path) -> None:
    out = tmp_path / "handbook.epub"
    result = CliRunner().invoke(app, ["epub", str(CONTENT), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and zipfile.is_zipfile(out)


def test_cli_default_output_is_the_site_title(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["epub", str(CONTENT)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "The kbbook Handbook.epub").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["The kbbook Handbook.epub"]


# -- small hand-made books: one rule at a time ---------------------------------------------------


def png(size: tuple[int, int] = (40, 30), color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def small_book(tmp_path: Path, bodies: dict[str, str], config: str = "",
               files: dict[str, bytes | str] | None = None, include_hidden: bool = False,
               css: tuple[Path, ...] = (), linked_pages: bool = True
               ) -> tuple[EpubFile, Diagnostics, RenderedBook]:
    """Pages Home (index.md), A (a.md), B (b.md, child of A), Secret (hidden); `bodies`
    maps a source path to its Markdown."""
    root = make_site(tmp_path / "site", {
        "_config.yml": "title: Small Book\nauthor: [Ann, Bob]\nurl: https://ex.org\n" + config,
        "index.md": page("Home", bodies.get("index.md", "Text.\n"), nav_order=1),
        "a.md": page("A", bodies.get("a.md", "Text.\n"), nav_order=2),
        "b.md": page("B", bodies.get("b.md", "Text.\n"), parent="A"),
        "secret.md": page("Secret", bodies.get("secret.md", "Text.\n"), nav_exclude="true"),
        **(files or {}),
    })
    diagnostics = Diagnostics()
    rendered = read_and_render(SiteOptions(root, include_hidden=include_hidden,
                                           linked_pages=linked_pages), diagnostics)
    out = tmp_path / "small.epub"
    write_epub(rendered, out, diagnostics, css=css)
    return EpubFile(out.read_bytes()), diagnostics, rendered


def doc(epub: EpubFile, name: str) -> etree._Element:
    return epub.xhtml[epub.path(name)]


def hrefs(el: etree._Element) -> list[str]:
    return [a.get("href") for a in el.iterfind(".//x:body//x:a", NS)]


def test_links_are_rewritten_to_files(tmp_path: Path) -> None:
    epub, diagnostics, _ = small_book(tmp_path, {
        "index.md": ("[A](a.md) [deep](b.md#deep) [here](#here) [by url](/b.html#deep) "
                     "note[^1]\n\n## Here\n\n[^1]: Note.\n"),
        "b.md": "## Deep\n",
    })
    home = doc(epub, "index.xhtml")
    # Footnotes stay in their document, for pop-up notes.
    assert hrefs(home) == ["a.xhtml", "b.xhtml#deep", "#here", "b.xhtml#deep",
                           "#p-index-fn-1", "#p-index-fnref-1"]
    assert not home.xpath("//@*[starts-with(name(), 'data-kb')]")
    assert not diagnostics.warnings


@pytest.mark.parametrize("linked_pages", [True, False])
def test_links_to_unknown_anchors_and_hidden_pages(tmp_path: Path, linked_pages: bool) -> None:
    epub, diagnostics, _ = small_book(tmp_path, {
        "index.md": ("[gone](#nowhere) [secret](secret.md) [a-missing](a.md#missing) "
                     "[js](javascript:alert(1)) [ext](https://example.com/x)\n"),
    }, linked_pages=linked_pages)
    home = doc(epub, "index.xhtml")
    # A missing anchor leads to its page's start; a hidden page is in the appendix, or (left
    # out) on the website.
    secret = "secret.xhtml" if linked_pages else "https://ex.org/secret.html"
    assert hrefs(home) == ["#p-index", secret, "a.xhtml", "https://example.com/x"]
    assert "js" in _text(home)
    warnings = [(d.path, d.line, d.code) for d in diagnostics.warnings]
    assert warnings == [("index.md", 5, "broken-anchor"), ("index.md", 5, "broken-anchor"),
                        ("index.md", 5, "unsafe-link")]
    messages = [d.message for d in diagnostics.warnings]
    assert "#nowhere" in messages[0] and "#missing" in messages[1]


def test_images_are_embedded_once_converted_and_scaled(tmp_path: Path) -> None:
    webp = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 128, 0, 128)).save(webp, "WEBP")
    epub, diagnostics, _ = small_book(tmp_path, {
        "index.md": "![A](img/a.png)![W](img/w.webp)\n",
        "a.md": "![A again](img/a.png)![Big](img/big.png)![Gone picture](img/gone.png)\n",
    }, config="kbbook:\n  image_max_size: 100\n", files={
        "img/a.png": png(), "img/w.webp": webp.getvalue(), "img/big.png": png((400, 200)),
    })
    images = sorted(n for n in epub.zip.namelist() if "/images/" in n and "cover" not in n)
    assert images == ["EPUB/images/a.png", "EPUB/images/big.png", "EPUB/images/w.png"]
    with Image.open(io.BytesIO(epub.zip.read("EPUB/images/big.png"))) as im:
        assert im.size == (100, 50)
    a = doc(epub, "a.xhtml")
    assert [i.get("src") for i in a.iterfind(".//x:img", NS)] == ["images/a.png",
                                                                  "images/big.png"]
    assert "Gone picture" in _text(a)
    assert [d.path for d in diagnostics.warnings] == ["a.md"]
    assert "alternativeText" in epub.meta("schema:accessibilityFeature")


def test_broken_image_is_a_warning_naming_page_and_image(tmp_path: Path) -> None:
    epub, diagnostics, _ = small_book(tmp_path, {
        "b.md": "See ![the cut chart](img/cut.png) here.\n",
    }, files={"img/cut.png": png((300, 300), "blue")[:200]})
    (warning,) = diagnostics.warnings
    assert warning.path == "b.md" and "img/cut.png" in warning.message
    assert "See the cut chart here." in _text(doc(epub, "b.xhtml"))


def bomb_png(side: int = 15000) -> bytes:
    """A real decompression bomb: a 1-bit PNG of side x side pixels, a few kB on disk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    row = b"\0" * (1 + (side + 7) // 8)
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(row * side, 9)) + chunk(b"IEND", b""))


def test_decompression_bomb_is_refused(tmp_path: Path) -> None:
    epub, diagnostics, _ = small_book(tmp_path, {
        "index.md": "![huge](img/huge.png)\n",
    }, files={"img/huge.png": bomb_png()})
    (warning,) = diagnostics.warnings
    assert warning.path == "index.md" and "img/huge.png" in warning.message
    assert "decompression bomb" in warning.message
    assert "huge" in _text(doc(epub, "index.xhtml"))
    assert not [n for n in epub.zip.namelist() if "huge" in n]


def test_alternative_text_is_claimed_only_when_true(tmp_path: Path) -> None:
    epub, _, _ = small_book(tmp_path, {"index.md": "![](a.png)\n"},
                            files={"a.png": png()})
    assert "alternativeText" not in epub.meta("schema:accessibilityFeature")
    assert epub.meta("schema:accessMode") == ["textual", "visual"]
    assert epub.meta("schema:accessModeSufficient") == ["textual,visual"]


def test_configured_cover_identifier_publisher_and_language(tmp_path: Path) -> None:
    epub, diagnostics, _ = small_book(
        tmp_path, {},
        config="lang: pt-BR\nkbbook:\n  cover: art/front.jpg\n  identifier: isbn:123\n"
               "  publisher: Pub\n",
        files={"art/front.jpg": (lambda b: (Image.new("RGB", (60, 90), "navy").save(b, "JPEG"),
                                            b.getvalue())[1])(io.BytesIO())})
    assert not diagnostics.warnings
    cover = epub.item_with("cover-image")
    assert cover.get("href") == "images/cover.jpg" and cover.get("media-type") == "image/jpeg"
    assert epub.dc("identifier") == ["isbn:123"] and epub.dc("publisher") == ["Pub"]
    assert epub.dc("language") == ["pt-BR"] and epub.dc("creator") == ["Ann", "Bob"]
    assert all(d.get("lang") == "pt-BR" for d in epub.xhtml.values())
    # The package document says its own language too (Ace's finding on every book).
    assert epub.opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "pt-BR"


def test_missing_cover_is_generated_with_a_warning(tmp_path: Path) -> None:
    epub, diagnostics, _ = small_book(tmp_path, {}, config="kbbook:\n  cover: ../outside.png\n")
    # Reported where the setting is, in _config.yml, when the configuration is read.
    (warning,) = diagnostics.warnings
    assert (warning.path, warning.code) == ("_config.yml", "config")
    config_lines = (tmp_path / "site" / "_config.yml").read_text().splitlines()
    assert warning.line is not None and "cover:" in config_lines[warning.line - 1]
    assert "kbbook.cover '../outside.png' is not a file inside the site" in str(
        diagnostics.warnings[0])
    cover = epub.item_with("cover-image")
    with Image.open(io.BytesIO(epub.zip.read(epub.item_path(cover)))) as im:
        assert im.size == (1600, 2560)


# The identifier of a book with no `kbbook.identifier`: a name-based UUID (version 5) in the
# URL namespace of "<url><baseurl>|<title>", here
#   uuid.uuid5(uuid.NAMESPACE_URL, "https://ex.org|Small Book")
# Readers and stores tell editions of a book apart by it, so it must never change between
# kbbook releases: this literal is written down once, not computed by the test.
SMALL_BOOK_ID = "urn:uuid:5d601132-21a4-5da3-b665-b283271fabbd"


def test_identifier_is_stable_and_derived_from_url_and_title(tmp_path: Path) -> None:
    first, _, _ = small_book(tmp_path / "1", {})
    second, _, _ = small_book(tmp_path / "2", {})
    assert first.dc("identifier") == second.dc("identifier") == [SMALL_BOOK_ID]
    ncx = first.xml(first.item_path(first.manifest["ncx"]))
    assert ncx.find("ncx:head/ncx:meta[@name='dtb:uid']", NS).get("content") == SMALL_BOOK_ID
    # Another site (another url) is another book.
    moved, _, _ = small_book(tmp_path / "3", {}, config="url: https://other.example\n")
    assert moved.dc("identifier") == ["urn:uuid:f4533a39-a755-5911-87da-342042117533"]


def test_user_css_comes_after_ours(tmp_path: Path) -> None:
    mine = tmp_path / "mine.css"
    mine.write_text("/* mine */\nbody { font-family: serif; }\n"
                    "@media (min-width: 30em) { p { margin: 0 0 1em; } }\n")
    epub, diagnostics, _ = small_book(tmp_path, {}, css=(mine,))
    links = [lk.get("href") for lk in doc(epub, "a.xhtml").iterfind(".//x:link", NS)]
    assert links == ["styles/epub.css", "styles/user-1.css"]
    # A stylesheet that names no other file arrives as written.
    assert epub.zip.read("EPUB/styles/user-1.css").decode() == mine.read_text()
    assert not diagnostics.warnings


def test_user_css_reaches_nothing_outside_the_book(tmp_path: Path) -> None:
    """`@import` and `url()` would make a reader fetch from the web or its own disk (and
    EPUBCheck refuse the book): they are removed, with a warning on the stylesheet's line."""
    mine = tmp_path / "hostile.css"
    mine.write_text("@import url(http://x/y.css);\n"
                    "body{background:url(file:///etc/passwd)}\n"
                    "p{color:red}\n")
    epub, diagnostics, _ = small_book(tmp_path, {}, css=(mine,))
    try:
        result = run_epubcheck(tmp_path / "small.epub")
    except EpubCheckUnavailable as exc:
        pytest.fail(f"EPUBCheck cannot run: {exc}")
    assert result.problems == 0, "\n".join(result.messages)
    sheets = {n: epub.zip.read(n).decode() for n in epub.zip.namelist() if n.endswith(".css")}
    assert sorted(sheets) == ["EPUB/styles/epub.css", "EPUB/styles/user-1.css"]
    user = sheets["EPUB/styles/user-1.css"]
    assert "color:red" in user
    assert not re.search(r"file:|https?:", user, re.IGNORECASE)
    for name, css in sheets.items():
        assert not re.search(r"url\(|@import", css, re.IGNORECASE), name
    warnings = [(d.path, d.line, d.code) for d in diagnostics.warnings]
    assert warnings == [(str(mine), 1, "user-css"), (str(mine), 2, "user-css")]
    assert "http://x/y.css" in diagnostics.warnings[0].message
    assert "file:///etc/passwd" in diagnostics.warnings[1].message


def test_title_heading_is_added_only_when_missing(tmp_path: Path) -> None:
    epub, _, _ = small_book(tmp_path, {"a.md": "No heading.\n"})
    assert [_text(h) for h in doc(epub, "a.xhtml").iterfind(".//x:h1", NS)] == ["A"]


def test_a_page_opening_with_its_own_h1_shows_one_title(tmp_path: Path) -> None:
    """As on the website: the content's h1 is the page heading; the front-matter title
    still names the page in the nav and the document title."""
    epub, _, _ = small_book(tmp_path, {"a.md": "# Accessing the A pages\n\nText.\n"})
    page_doc = doc(epub, "a.xhtml")
    assert [_text(h) for h in page_doc.iterfind(".//x:h1", NS)] == ["Accessing the A pages"]
    assert page_doc.findtext(".//x:title", namespaces=NS) == "A"
    nav = epub.xhtml[epub.item_path(epub.item_with("nav"))]
    assert "A" in [_text(a) for a in nav.iterfind(".//x:nav[@epub:type='toc']//x:a", NS)]


@pytest.mark.parametrize(("lang", "contents", "cover", "start", "direction"), [
    ("de", "Inhalt", "Umschlag", "Textanfang", None),
    ("ja", "目次", "表紙", "本文", None),
    ("pt-BR", "Sumário", "Capa", "Início do texto", None),
    ("ar", "المحتويات", "الغلاف", "بداية النص", "rtl"),
    ("ku-Arab", "Contents", "Cover", "Start of the text", "rtl"),  # no words: English
    ("xx", "Contents", "Cover", "Start of the text", None),
])
def test_the_book_s_own_words_follow_the_site_language(
        tmp_path: Path, lang: str, contents: str, cover: str, start: str,
        direction: str | None) -> None:
    epub, _, _ = small_book(tmp_path, {"a.md": "# A\n\n## Part\n"}, config=f"lang: {lang}\n")
    nav = epub.xhtml[epub.item_path(epub.item_with("nav"))]
    assert nav.findtext(".//x:nav[@epub:type='toc']/x:h1", namespaces=NS) == contents
    assert [_text(a) for a in nav.iterfind(".//x:nav[@epub:type='landmarks']//x:a", NS)] == [
        cover, contents, start]
    assert doc(epub, "contents.xhtml").findtext(".//x:h1", namespaces=NS) == contents
    assert doc(epub, "cover.xhtml").findtext(".//x:title", namespaces=NS) == cover
    for name in ("a.xhtml", "cover.xhtml", "contents.xhtml"):
        assert doc(epub, name).get("dir") == direction
    spine = epub.opf.find(".//opf:spine", NS)
    assert spine.get("page-progression-direction") == direction


def test_formulas_and_inline_svg_are_declared_and_carry_what_they_need(
        tmp_path: Path) -> None:
    """MathML and SVG pages are declared in the manifest; the math font and a picture of
    each formula (for readers without MathML) come with the book; EPUBCheck agrees."""
    epub, diagnostics, _ = small_book(tmp_path, {
        "a.md": "Inline $$x_1^2$$ and\n\n$$\n\\frac{a}{b}\n$$\n",
        "b.md": '<svg viewBox="0 0 4 4"><circle cx="2" cy="2" r="2"/></svg>\n',
    })
    assert not diagnostics.warnings
    properties = {item.get("href"): item.get("properties") for item in epub.manifest.values()}
    assert properties["a.xhtml"] == "mathml" and properties["b.xhtml"] == "svg"
    assert properties["index.xhtml"] is None
    maths = doc(epub, "a.xhtml").findall(".//{http://www.w3.org/1998/Math/MathML}math")
    assert [m.get("alttext") for m in maths] == ["x_1^2", "\\frac{a}{b}"]
    for math in maths:
        picture = epub.zip.read(epub.path(math.get("altimg"), epub.path("a.xhtml")))
        assert picture.startswith(b"<?xml") and b"<path" in picture
    names = epub.zip.namelist()
    assert "EPUB/fonts/STIXTwoMath-Regular.ttf" in names
    assert "STIX Two Math" in epub.zip.read("EPUB/styles/drawings.css").decode()
    result = run_epubcheck(tmp_path / "small.epub")
    assert result.problems == 0, "\n".join(result.messages)


def test_nav_nests_hidden_pages_when_included(tmp_path: Path) -> None:
    epub, _, rendered = small_book(tmp_path, {}, include_hidden=True)
    nav = epub.xhtml[epub.item_path(epub.item_with("nav"))]
    lines = nav_outline(nav.find(".//x:nav[@epub:type='toc']/x:ol", NS))
    assert "\n".join(lines) == rendered.book.outline()
    assert "Secret" in lines


def test_small_book_passes_epubcheck(tmp_path: Path) -> None:
    """Every rule above at once, checked by EPUBCheck."""
    small_book(tmp_path, {
        "index.md": "[A](a.md) ![x](a.png)[^1]\n\n[^1]: Note & more.\n",
        "b.md": "```python\ndef f(): pass\n```\n",
    }, files={"a.png": png()})
    try:
        result = run_epubcheck(tmp_path / "small.epub")
    except EpubCheckUnavailable as exc:
        pytest.fail(f"EPUBCheck cannot run: {exc}")
    assert result.problems == 0, "\n".join(result.messages)


def test_html_entities_and_malformed_html_make_valid_documents(tmp_path: Path) -> None:
    epub, diagnostics, _ = small_book(tmp_path, {
        "index.md": "<p>a&nbsp;b &copy; &amp; c</p>\n",
        "a.md": "<p>unclosed <b>bold</p><br>after\n",
    })
    assert "a\u00a0b © & c" in "".join(doc(epub, "index.xhtml").itertext())
    assert "unclosed bold" in _text(doc(epub, "a.xhtml")) and "after" in _text(doc(epub, "a.xhtml"))
    assert not diagnostics.warnings


def test_an_animated_gif_is_a_still_with_a_note_and_the_pages_web_address(
        tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "_config.yml": "title: Moving\nurl: https://example.org\n",
        "index.md": page("Home", body="![A spinner](spin.gif)\n"),
    })
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("red", "blue")]
    frames[0].save(site / "spin.gif", "GIF", save_all=True, append_images=frames[1:])
    out = tmp_path / "moving.epub"
    build_epub(site, out)
    assert run_epubcheck(out).problems == 0
    with zipfile.ZipFile(out) as book:
        names = book.namelist()
        page_text = next(book.read(n).decode() for n in names if n.endswith("index.xhtml"))
    assert any(n.endswith("spin.png") for n in names)
    assert 'class="kb-animation-note"' in page_text
    assert "moves on the website" in page_text and 'href="https://example.org/"' in page_text
