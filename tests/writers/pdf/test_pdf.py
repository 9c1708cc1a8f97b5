"""The PDF as a reader meets it, read back with pypdf: bookmarks, contents page numbers,
links, images, fonts, metadata, paper and handouts. Each PDF is built once per module."""

from __future__ import annotations

import itertools
import posixpath
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import pytest
from lxml import html as lxml_html
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from typer.testing import CliRunner

from kbbook import __version__
from kbbook.book import Node, select_parts
from kbbook.cli import app
from kbbook.errors import Diagnostics
from kbbook.pipeline import SiteOptions, read_and_render
from kbbook.render import LinkKind, RenderedBook
from kbbook.writers.pdf import KBBOOK_CSS, build_print_document, stylesheets, write_pdf

from pdfcompare import same_book
from shared import CONTENT, PRODUCTBRAIN, needs_productbrain
from sitemaker import make_site, page

runner = CliRunner()
HANDOUT = "Roadmapping and Planning"
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc=[\"']([^\"']+)", re.IGNORECASE)


# -- reading a PDF back --------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """A PDF bookmark."""

    title: str
    page: int
    children: tuple[Mark, ...] = ()


@dataclass
class Built:
    """A PDF with what it was built from."""

    path: Path
    reader: PdfReader
    rendered: RenderedBook
    parts: tuple[Node, ...] | None
    print_html: str
    diagnostics: Diagnostics
    _texts: list[str] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        if not self._texts:
            self._texts.extend(p.extract_text() for p in self.reader.pages)
        return self._texts

    def marks(self) -> list[Mark]:
        return _marks(self.reader, self.reader.outline)

    def nodes(self) -> Sequence[Node]:
        return self.parts if self.parts is not None else self.rendered.book.roots

    def dest_page(self, name: str) -> int:
        return self.reader.get_destination_page_number(self.reader.named_destinations[name])


def _marks(reader: PdfReader, outline: list) -> list[Mark]:
    marks: list[Mark] = []
    for item in outline:
        if isinstance(item, list):
            marks[-1] = Mark(marks[-1].title, marks[-1].page, tuple(_marks(reader, item)))
        else:
            marks.append(Mark(item.title, reader.get_destination_page_number(item)))
    return marks


def squash(text: str) -> str:
    """Text as pypdf gives it back, comparable: no spaces, hyphens, emoji selectors."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\u00ad\u200d\ufe0e\ufe0f\-\u2010]+", "", text)


def _resources(reader: PdfReader) -> Iterator[DictionaryObject]:
    """Every resource dictionary: pages, form XObjects, Type 3 fonts."""
    seen: set[int] = set()
    stack = [p.get("/Resources") for p in reader.pages]
    while stack:
        res = stack.pop()
        if res is None:
            continue
        res = res.get_object()
        if id(res) in seen:
            continue
        seen.add(id(res))
        yield res
        for xobj in (res.get("/XObject") or {}).values():
            xobj = xobj.get_object()
            if xobj.get("/Subtype") == "/Form":
                stack.append(xobj.get("/Resources"))
        for font in (res.get("/Font") or {}).values():
            stack.append(font.get_object().get("/Resources"))


def _link_targets(reader: PdfReader) -> Iterator[tuple[int, str]]:
    """(page index, destination name) of every internal link annotation."""
    for index, pdf_page in enumerate(reader.pages):
        for annot in pdf_page.get("/Annots") or []:
            annot = annot.get_object()
            dest = annot.get("/Dest")
            if dest is None and "/A" in annot and annot["/A"].get("/S") == "/GoTo":
                dest = annot["/A"].get("/D")
            if isinstance(dest, str):
                yield index, str(dest)


def _uris(reader: PdfReader) -> set[str]:
    return {
        str(a.get_object()["/A"]["/URI"])
        for p in reader.pages for a in p.get("/Annots") or []
        if "/URI" in (a.get_object().get("/A") or {})
    }


def _cli_pdf(out: Path, *args: str | Path) -> None:
    result = runner.invoke(app, ["pdf", *map(str, args), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert "pdf-render" not in result.output and "pdf-refused" not in result.output


def _built(out: Path, site: Path, only: Sequence[str] = ()) -> Built:
    diagnostics = Diagnostics()
    rendered = read_and_render(SiteOptions(site), diagnostics)
    parts = select_parts(rendered.book, only) if only else None
    document = build_print_document(rendered, parts=parts)
    return Built(out, PdfReader(out), rendered, parts, document.html, diagnostics)


# -- the books, built once -----------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def _one_day() -> Iterator[None]:
    """The module's books and the single renders they are compared with print the same day."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        yield


@pytest.fixture(scope="module")
def handbook(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Our handbook, through the command line as a user runs it."""
    out = tmp_path_factory.mktemp("pdf") / "handbook.pdf"
    _cli_pdf(out, CONTENT)
    return _built(out, CONTENT)


@pytest.fixture(scope="module")
def productbrain(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A real knowledge base, through the API."""
    if not PRODUCTBRAIN.is_dir():
        pytest.skip("../shared/corpora/productbrain is not beside the checkout")
    out = tmp_path_factory.mktemp("pdf") / "productbrain.pdf"
    diagnostics = Diagnostics()
    rendered = read_and_render(SiteOptions(PRODUCTBRAIN), diagnostics)
    write_pdf(rendered, out, diagnostics)
    built = _built(out, PRODUCTBRAIN)
    built.diagnostics = diagnostics
    return built


@pytest.fixture(scope="module")
def handout(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """One chapter of productbrain on US letter paper, through the command line."""
    if not PRODUCTBRAIN.is_dir():
        pytest.skip("../shared/corpora/productbrain is not beside the checkout")
    out = tmp_path_factory.mktemp("pdf") / "handout.pdf"
    _cli_pdf(out, PRODUCTBRAIN, "--only", HANDOUT, "--paper", "letter")
    return _built(out, PRODUCTBRAIN, [HANDOUT])


BOOKS = ["handbook", pytest.param("productbrain", marks=needs_productbrain)]


@pytest.fixture(params=BOOKS)
def book(request: pytest.FixtureRequest) -> Built:
    return request.getfixturevalue(request.param)


# -- structure -----------------------------------------------------------------------------


def _skeleton(marks: Sequence[Mark], nodes: Sequence[Node]) -> list[tuple[str, list]]:
    """The page-level bookmarks under `marks`, matched in order against `nodes`; the marks
    in between are the pages' own headings."""
    out, wanted = [], list(nodes)
    for mark in marks:
        if wanted and mark.title == wanted[0].page.title:
            node = wanted.pop(0)
            out.append((mark.title, _skeleton(mark.children, node.children)))
    return out


def _expected(nodes: Sequence[Node]) -> list[tuple[str, list]]:
    return [(n.page.title, _expected(n.children)) for n in nodes]


def test_the_chunked_book_is_the_single_render(book: Built, tmp_path: Path) -> None:
    """The books are printed in chunks by workers; one WeasyPrint document of the whole book
    is the oracle: the same pages, texts, bookmarks, link targets and metadata."""
    single = tmp_path / "single.pdf"
    write_pdf(book.rendered, single, Diagnostics(), chunked=False)
    assert len(book.rendered.book.roots) > 3  # (several chunks)
    same_book(book.path, single)


def test_bookmarks_nest_as_the_book(book: Built) -> None:
    marks = book.marks()
    # Top level: exactly the chapters; headings always sit below their page.
    assert [m.title for m in marks] == [n.page.title for n in book.nodes()]
    assert _skeleton(marks, book.nodes()) == _expected(book.nodes())
    pages = sum(1 for n in book.nodes() for _ in n.walk())
    assert pages == len(book.rendered.pages)


def test_no_bookmark_repeats_its_page_title(book: Built) -> None:
    def check(marks: Sequence[Mark]) -> None:
        for mark in marks:
            if mark.children:
                assert squash(mark.children[0].title).casefold() != squash(mark.title).casefold()
            check(mark.children)

    check(book.marks())


def test_bookmarks_of_headings_sit_under_their_page(book: Built) -> None:
    def walk(marks: Sequence[Mark], parent_page: int) -> None:
        for mark in marks:
            assert mark.page >= parent_page
            walk(mark.children, mark.page)

    walk(book.marks(), 0)


def test_contents_page_numbers_are_where_the_titles_are(book: Built) -> None:
    first_body_page = book.marks()[0].page
    assert first_body_page >= 2  # cover, contents, then the book
    contents = squash("".join(book.texts[1:first_body_page]))
    depth = book.rendered.book.config.book.toc_depth
    position = 0
    checked = 0
    for root in book.nodes():
        for d, node in root.walk():
            if d >= depth:
                continue
            title = squash(node.page.title or "")
            m = re.compile(re.escape(title) + r"\.+(\d+)").search(contents, position)
            assert m, f"{node.page.title!r} missing from the contents"
            position = m.end()
            number = int(m[1])
            page_id = next(p.page_id for p in book.rendered.pages if p.page is node.page)
            assert number == book.dest_page(page_id) + 1
            assert title in squash(book.texts[number - 1]), (node.page.title, number)
            checked += 1
    assert checked >= 10


def test_no_nav_buttons(book: Built) -> None:
    # "Next:" alone is fair prose (Now-Next-Later); a button names a page after it.
    titles = [squash(rp.page.title or "") for rp in book.rendered.pages]
    for text in map(squash, book.texts):
        for title in titles:
            assert f"Previous:{title}" not in text and f"Next:{title}" not in text
    assert any(rp.nav_links for rp in book.rendered.pages), "the site should have buttons"
    assert "nav-buttons" not in book.print_html


def _target_texts(print_html: str) -> dict[str, str]:
    """For each id in the print HTML: text its landing page must show."""
    tree = lxml_html.document_fromstring(print_html)
    out = {}
    for el in tree.iter():
        name = el.get("id") if isinstance(el.tag, str) else None
        if not name:
            continue
        if "kb-page" in (el.get("class") or "").split():
            out[name] = el.get("data-title") or ""
        else:
            out[name] = squash(el.text_content())[:30]
    return out


def test_internal_links_land_on_their_target(book: Built) -> None:
    targets = _target_texts(book.print_html)
    links = set(_link_targets(book.reader))
    assert len(links) > 20
    for _, name in links:
        assert name in targets, f"link to #{name}, which the book does not hold"
        text = squash(targets[name])
        if text:
            assert text in squash(book.texts[book.dest_page(name)]), name


def _all_marks(marks: Sequence[Mark]) -> Iterator[Mark]:
    for mark in marks:
        yield mark
        yield from _all_marks(mark.children)


def test_cross_references_show_the_page_of_their_target(book: Built) -> None:
    """A link to another page of the book is printed as "text (p. N)", and page N is where
    that page begins: its bookmark leads there and its title is printed there."""
    first_body_page = book.marks()[0].page
    body = squash("".join(book.texts[first_body_page:]))
    titles = {rp.page_id: rp.page.title or "" for rp in book.rendered.pages}
    targets: dict[str, set[str]] = {}  # link text -> where its links lead in the book
    for section in lxml_html.document_fromstring(book.print_html).find_class("kb-page"):
        for a in section.iter("a"):
            href = a.get("href") or ""
            if href.startswith("#") and href != "#" + section.get("id", ""):
                targets.setdefault(squash(a.text_content()), set()).add(href[1:])
    starts: dict[str, set[int]] = {}  # page title -> 1-based pages its bookmarks lead to
    for mark in _all_marks(book.marks()):
        starts.setdefault(mark.title, set()).add(mark.page + 1)
    checked = 0
    for text, (target, *others) in targets.items():
        # Only link texts that lead to the start of one other page, and that are not the end
        # of another link's text.
        if others or target not in titles or not text or any(
                o != text and o.endswith(text) for o in targets):
            continue
        title = titles[target]
        numbers = {int(n) for n in re.findall(re.escape(text) + r"\(p\.(\d+)\)", body)}
        assert len(numbers) == 1, f"link {text!r} to {title!r} is printed with pages {numbers}"
        (number,) = numbers
        assert number in starts.get(title, set()), (text, title, number)
        assert squash(title) in squash(book.texts[number - 1]), (text, title, number)
        checked += 1
    assert checked >= 3, "both sample books link between their pages"


def _site_images(book: Built) -> Counter[tuple[int, int]]:
    """Pixel sizes of the image files the printed pages' sources show, found without the
    renderer: Markdown and HTML image syntax, resolved against the page's folder (or the
    site root for `/...`), kept when the file exists inside the site. Each file counts once
    (a PDF holds an image once, however often it is shown). SVG is left out: WeasyPrint
    draws it as vectors."""
    root = book.rendered.book.config.root.resolve()
    printed = {n.page.rel for r in book.nodes() for _, n in r.walk()}
    files: set[Path] = set()
    for rp in book.rendered.pages:
        if rp.page.rel not in printed:
            continue
        for src in _MD_IMAGE.findall(rp.page.body) + _HTML_IMAGE.findall(rp.page.body):
            src = unquote(src.split("#")[0].split("?")[0])
            if re.match(r"^[a-z][a-z0-9+.-]*:|^//", src, re.IGNORECASE):
                continue
            folder = "" if src.startswith("/") else posixpath.dirname(rp.page.rel)
            path = (root / posixpath.join(folder, src.lstrip("/"))).resolve()
            if path.is_file() and path.is_relative_to(root) and path.suffix.lower() != ".svg":
                files.add(path)
    sizes: Counter[tuple[int, int]] = Counter()
    for path in files:
        with Image.open(path) as im:
            sizes[_printed_pixels(*im.size)] += 1
    return sizes


TEXT_WIDTH_IN, MAX_HEIGHT_IN = 170 / 25.4, 180 / 25.4  # A4's text block; print.css's cap


def _printed_pixels(width: int, height: int, dpi: int = 300) -> tuple[int, int]:
    """The pixels an image keeps in the PDF: at most `dpi` at the size it is printed (its
    CSS size, 96 pixels an inch, within the text block's width and print.css's height)."""
    shown_w = min(width / 96, TEXT_WIDTH_IN)
    shown_h = shown_w * height / width
    if shown_h > MAX_HEIGHT_IN:
        shown_w, shown_h = shown_w * MAX_HEIGHT_IN / shown_h, MAX_HEIGHT_IN
    scale = dpi / max(width / shown_w, height / shown_h)
    if scale >= 1:
        return width, height
    return round(width * scale), round(height * scale)


def _drawn_images(reader: PdfReader) -> Counter[tuple[int, int]]:
    """Pixel sizes of the PDF's image objects, each counted once, without the bitmaps of
    colour emoji glyphs (named after their font: `/i` + the font's resource name)."""
    fonts = {str(key).lstrip("/") for res in _resources(reader)
             for key in (res.get("/Font") or {})}
    seen: set[int] = set()
    sizes: Counter[tuple[int, int]] = Counter()
    for res in _resources(reader):
        for name, ref in (res.get("/XObject") or {}).items():
            xobj = ref.get_object()
            key = getattr(ref, "idnum", None) or id(xobj)
            if xobj.get("/Subtype") != "/Image" or key in seen:
                continue
            seen.add(key)
            if any(str(name).startswith("/i" + font) for font in fonts):
                continue
            sizes[(int(xobj["/Width"]), int(xobj["/Height"]))] += 1
    return sizes


def test_present_images_are_all_drawn(book: Built) -> None:
    """Each image once (however many chunks show it), downsampled to 300 dpi."""
    expected = _site_images(book)
    assert expected, "the site should have images"
    drawn = _drawn_images(book.reader)
    assert drawn.total() == expected.total()
    # To within a pixel: Pillow rounds a thumbnail to keep its aspect.
    for (w, h), (ew, eh) in zip(sorted(drawn.elements()), sorted(expected.elements()),
                                strict=True):
        assert abs(w - ew) <= 1 and abs(h - eh) <= 1, ((w, h), (ew, eh))


def test_external_links_show_their_address(book: Built) -> None:
    uris = _uris(book.reader)
    assert uris, "both sample books link to other websites"
    body = squash("".join(book.texts))
    # In a footnote, or already the link's own words (scheme and www. left out).
    shown = [u for u in uris if squash(u.removeprefix("mailto:")) in body
             or squash(re.sub(r"^[a-z]+://(www\.)?", "", u).rstrip("/")) in body]
    assert len(shown) == len(uris), sorted(uris - set(shown))


# -- print quality -------------------------------------------------------------------------


def test_fonts_are_embedded_and_emoji_in_colour(book: Built) -> None:
    emoji_fonts = []
    for res in _resources(book.reader):
        for key, font in (res.get("/Font") or {}).items():
            font = font.get_object()
            if font["/Subtype"] == "/Type3":
                continue
            descriptor_owner = font["/DescendantFonts"][0].get_object() \
                if font["/Subtype"] == "/Type0" else font
            descriptor = descriptor_owner["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), \
                font["/BaseFont"]
            if "Color-Emoji" in str(font["/BaseFont"]):
                emoji_fonts.append(str(key).lstrip("/"))
    assert emoji_fonts, "emoji should come from Noto Color Emoji"
    # Colour emoji glyphs are drawn as bitmaps named after their font.
    names = [str(n) for res in _resources(book.reader) for n in (res.get("/XObject") or {})]
    assert any(n.startswith("/i" + f) for f in emoji_fonts for n in names)


def test_metadata(book: Built) -> None:
    config = book.rendered.book.config
    info = book.reader.metadata
    assert info.title == config.title
    for author in config.authors:
        assert author in (info.author or "")
    assert f"kbbook {__version__}" in (info.creator or "")
    assert f"kbbook {__version__}" in (info.producer or "")
    assert book.reader.trailer["/Root"]["/Lang"] == config.lang
    assert f'<html lang="{config.lang}">' in book.print_html


def test_a4_is_the_default(book: Built) -> None:
    box = book.reader.pages[0].mediabox
    assert (round(box.width), round(box.height)) == (595, 842)


def _bare_numbers(text: str) -> list[str]:
    return re.findall(r"^\s*(\d+)\s*$", text, re.MULTILINE)


def test_running_header_and_page_numbers(book: Built) -> None:
    first = book.marks()[0].page
    assert squash(book.rendered.book.config.title) in squash(book.texts[0])
    for index in range(first):  # cover and contents: no number, no header
        assert _bare_numbers(book.texts[index]) == []
    for index in range(first, len(book.texts)):
        assert str(index + 1) in _bare_numbers(book.texts[index])
    # The second page of a chapter names the chapter at its head.
    marks = book.marks()
    long_chapters = [m for m, after in itertools.pairwise(marks)
                     if after.page > m.page + 1]
    assert long_chapters
    for chapter in long_chapters:
        assert squash(chapter.title) in squash(book.texts[chapter.page + 1])


def test_render_is_clean(productbrain: Built) -> None:
    codes = {d.code for d in productbrain.diagnostics}
    assert not codes & {"pdf-render", "pdf-refused"}, productbrain.diagnostics.sorted()


# -- handouts and paper --------------------------------------------------------------------


@needs_productbrain
def test_handout_holds_exactly_its_chapter(handout: Built) -> None:
    marks = handout.marks()
    assert [m.title for m in marks] == [HANDOUT]
    (chapter,) = handout.parts or ()
    children = [n.page.title for n in chapter.children]
    assert len(children) == 5
    assert _skeleton(marks, [chapter]) == _expected([chapter])
    # Other chapters are not in it, not even on the contents pages.
    body = squash("".join(handout.texts))
    assert squash("Foundations of Product Management") not in body


def _web_address(site_url: str, rel: str, fragment: str | None) -> str:
    """Where Jekyll publishes a page with no permalink (both sites keep Jekyll's default
    `permalink` setting): `dir/name.md` at `/dir/name.html`, `dir/index.md` at `/dir/`."""
    path = PurePosixPath(rel)
    folder = "" if str(path.parent) == "." else f"{path.parent}/"
    address = f"{site_url}/{folder}" + ("" if path.stem == "index" else f"{path.stem}.html")
    return address + (f"#{fragment}" if fragment else "")


@pytest.fixture(scope="module")
def handbook_handout(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The handbook's Troubleshooting chapter, which links to pages of other chapters."""
    out = tmp_path_factory.mktemp("pdf") / "troubleshooting.pdf"
    _cli_pdf(out, CONTENT, "--only", "Troubleshooting")
    return _built(out, CONTENT, ["Troubleshooting"])


@pytest.mark.parametrize("which", ["handbook_handout",
                                   pytest.param("handout", marks=needs_productbrain)])
def test_handout_links_to_left_out_pages_go_to_the_web(request: pytest.FixtureRequest,
                                                      which: str) -> None:
    built: Built = request.getfixturevalue(which)
    config = built.rendered.book.config
    assert config.site_url and "permalink" not in config.variables
    printed = {node.page.rel for part in built.parts or () for _, node in part.walk()}
    left_out = {rp.page_id for rp in built.rendered.pages if rp.page.rel not in printed}
    assert not any(name in left_out for _, name in _link_targets(built.reader))
    # Every link of the printed pages to a page left out leads to that page on the site.
    expected = set()
    for rp in built.rendered.pages:
        if rp.page.rel not in printed:
            continue
        for link in rp.links:
            if link.kind is LinkKind.PAGE and link.page not in printed:
                target = next(p.page for p in built.rendered.pages if p.page.rel == link.page)
                assert "permalink" not in target.meta, link.page
                site_id = link.href.partition("#")[2] or None
                expected.add(_web_address(config.site_url, link.page, site_id))
    web = {u for u in _uris(built.reader) if u.startswith(config.site_url)}
    assert web == expected
    if which == "handbook_handout":  # Troubleshooting links to three other chapters
        assert len(expected) >= 3
    else:  # productbrain's chapter links only inside itself: no address of the site at all
        assert expected == set()


@needs_productbrain
def test_letter_paper(handout: Built) -> None:
    for pdf_page in handout.reader.pages:
        assert (round(pdf_page.mediabox.width), round(pdf_page.mediabox.height)) == (612, 792)


def _small_site(root: Path, url: str = "") -> Path:
    config = f"title: Small\nurl: {url}\n" if url else "title: Small\n"
    return make_site(root, {
        "_config.yml": config,
        "a.md": page("Alpha", nav_order=1, body="# Alpha\n\nSee [Beta](b.md) and "
                     "[the web](https://example.org/x).\n\n<div class=\"nav-buttons\">"
                     "<a href=\"b\">Next: Beta</a></div>\n"),
        "b.md": page("Beta", nav_order=2, body="Back to [Alpha](a.md#alpha).\n"),
    })


@pytest.mark.parametrize("url", ["", "https://small.example"])
def test_handout_link_without_or_with_a_site_url(tmp_path: Path, url: str) -> None:
    site = _small_site(tmp_path, url)
    rendered = read_and_render(SiteOptions(site), Diagnostics())
    html = build_print_document(rendered, parts=select_parts(rendered.book, ["Alpha"])).html
    beta = next(p for p in rendered.pages if p.page.title == "Beta")
    assert f'href="#{beta.page_id}"' not in html
    assert "Beta" in html  # the words stay
    if url:
        assert 'href="https://small.example/b.html"' in html
    else:
        assert "small.example" not in html
    assert "Next: Beta" not in html
    whole = build_print_document(rendered).html
    assert f'href="#{beta.page_id}"' in whole and "kb-xref" in whole


def test_handout_links_to_left_out_pages_keep_the_site_fragment(tmp_path: Path) -> None:
    """The web gets the anchor's id on the site (kramdown's), not the book's (`sec-two-1`,
    as the book already holds a `sec-two`)."""
    site = make_site(tmp_path / "site", {
        "_config.yml": "title: Web\nurl: https://example.org\nbaseurl: /kb\n",
        "docs/other.md": page("Other", nav_order=1, body="## Sec two\n\nFirst.\n"),
        "docs/b.md": page("B", nav_order=2, body="## Intro\n\n## Sec two\n\nText.\n\n"
                          "## Sec two\n\nAgain.\n"),
        "docs/chapter.md": page("Chapter", nav_order=3, body=(
            "See [B sec](b#sec-two), [B again](b.md#Sec-Two-1), [B](b.md), "
            "[gone](b#no-such-heading) and [here](#own).\n\n## Own\n")),
    })
    rendered = read_and_render(SiteOptions(site), Diagnostics())
    b = next(rp for rp in rendered.pages if rp.page.title == "B")
    assert [h.id for h in b.headings] == ["intro", "sec-two-1", "sec-two-1-1"]
    out = tmp_path / "handout.pdf"
    _cli_pdf(out, site, "--only", "Chapter")
    web = "https://example.org/kb/docs/b.html"
    assert {u for u in _uris(PdfReader(out)) if u.startswith(web)} == {
        f"{web}#sec-two", f"{web}#sec-two-1", web, f"{web}#no-such-heading"}
    # The whole book links inside itself, and no writer leaves the marks behind.
    html = build_print_document(rendered).html
    assert "data-kb-" not in html and 'href="#sec-two-1-1"' in html
    epub = tmp_path / "book.epub"
    result = runner.invoke(app, ["epub", str(site), "-o", str(epub)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(epub) as z:
        chapter = next(z.read(n).decode() for n in z.namelist() if n.endswith("chapter.xhtml"))
        assert not [n for n in z.namelist() if b"data-kb-" in z.read(n)]
    assert 'href="docs-b.xhtml#sec-two-1-1"' in chapter


# -- the print HTML, quickly (no WeasyPrint) -----------------------------------------------


def _nested_site(root: Path, toc_depth: int = 3, lang: str = "de") -> RenderedBook:
    make_site(root, {
        "_config.yml": f"title: Nested\nlang: {lang}\nkbbook:\n  toc_depth: {toc_depth}\n",
        "a.md": page("Top", nav_order=1, body="# Top\n\n## Intro\n\n#### Deep\n\nText[^1]\n\n"
                     "[^1]: A note with [a link](https://example.org/n).\n"),
        "b.md": page("Middle", parent="Top", body="Middle text.\n\n### Only h3\n"),
        "c.md": page("Bottom", parent="Middle", body="# Another title\n\nBottom text.\n"),
    })
    return read_and_render(SiteOptions(root), Diagnostics())


def test_bookmark_levels_follow_depth_and_shift_headings(tmp_path: Path) -> None:
    rendered = _nested_site(tmp_path)
    html = build_print_document(rendered).html
    tree = lxml_html.document_fromstring(html)
    levels = {s.get("data-title"): s.get("style") for s in tree.find_class("kb-page")}
    assert levels == {"Top": "bookmark-level: 1", "Middle": "bookmark-level: 2",
                      "Bottom": "bookmark-level: 3"}
    styles = {h.text_content().strip(): h.get("style") for h in tree.iter("h1", "h2", "h3", "h4")}
    assert styles["Top"] == "bookmark-level: none"  # repeats the page title
    assert styles["Intro"].startswith("bookmark-level: 2;")
    assert styles["Deep"].startswith("bookmark-level: 3;")  # no gap after h2
    assert styles["Only h3"].startswith("bookmark-level: 3;")
    # A page opening with its own h1 shows that heading only, as the website does; its
    # bookmark, contents line and running header keep the front-matter title.
    assert styles["Another title"] == "bookmark-level: none"
    assert "Bottom" not in styles
    assert "Middle" in styles  # the template adds the title a page without h1 lacks
    assert '<html lang="de">' in html and "Inhalt" in html


def test_footnotes_move_to_the_page_foot(tmp_path: Path) -> None:
    html = build_print_document(_nested_site(tmp_path)).html
    tree = lxml_html.document_fromstring(html)
    (note,) = tree.find_class("kb-footnote")
    assert note.text_content().strip().startswith("A note with a link")
    assert not tree.find_class("footnotes")  # the endnote section is gone
    assert [n.text for n in tree.find_class("kb-url-note")] == ["https://example.org/n"]


def test_a_note_called_twice_shows_one_number_and_no_bare_notes_heading(
        tmp_path: Path) -> None:
    """The page-foot counter numbers notes in order (a link note first here); a second call
    of the same note shows the number it got, and the author's "Footnotes" heading, with
    nothing left under it, goes."""
    site = make_site(tmp_path / "site", {
        "_config.yml": "title: Notes\n",
        "a.md": page("Notes", body="See [the web](https://example.org/x).\n\n"
                     "First call[^a], other[^b], again[^a].\n\n## Footnotes\n\n"
                     "[^a]: Note alpha.\n[^b]: Note beta.\n"),
    })
    rendered = read_and_render(SiteOptions(site), Diagnostics())
    html = build_print_document(rendered).html
    tree = lxml_html.document_fromstring(html)
    assert [h.text_content() for h in tree.iter("h2")] == []
    (again,) = tree.find_class("kb-footnote-again")
    assert tree.get_element_by_id(again.get("href")[1:]).getprevious().text_content().strip() \
        == "Note alpha."
    out = tmp_path / "notes.pdf"
    write_pdf(rendered, out, Diagnostics())
    text = squash(PdfReader(out).pages[2].extract_text())
    assert "Firstcall2,other3,again2." in text, text
    assert "2.Notealpha." in text and "3.Notebeta." in text and "Footnotes" not in text


@pytest.mark.parametrize(("lang", "contents", "page_ref", "html_attrs"), [
    ("de", "Inhalt", "(S.12)", 'lang="de"'),
    ('"no"', "Innhold", "(s.12)", 'lang="nb"'),  # hyphenated as Bokmål
    ("ja", "目次", "(12ページ)", 'lang="ja"'),
    # (pypdf gives the tagged PDF's right-to-left runs in visual order: number first)
    ("he", "תוכן העניינים", "(12עמ׳)", 'lang="he" dir="rtl"'),
])
def test_the_book_s_own_words_follow_the_site_language(
        tmp_path: Path, lang: str, contents: str, page_ref: str, html_attrs: str) -> None:
    rendered = _nested_site(tmp_path, lang=lang)
    html = build_print_document(rendered).html
    assert f"<html {html_attrs}>" in html
    out = tmp_path / "words.pdf"
    write_pdf(rendered, out, Diagnostics())
    texts = [squash(p.extract_text()) for p in PdfReader(out).pages]
    assert contents.replace(" ", "") in texts[1]
    # The child list and links name their pages' numbers, in the book's words.
    number = next(i for i, t in enumerate(texts) if "Middletext" in t) + 1
    assert page_ref.replace("12", str(number)) in "".join(texts), texts


def test_handout_of_a_deep_page_starts_at_level_one(tmp_path: Path) -> None:
    rendered = _nested_site(tmp_path)
    html = build_print_document(rendered, parts=select_parts(rendered.book, ["Middle"])).html
    tree = lxml_html.document_fromstring(html)
    assert [(s.get("data-title"), s.get("style")) for s in tree.find_class("kb-page")] == [
        ("Middle", "bookmark-level: 1"), ("Bottom", "bookmark-level: 2")]
    assert "Top" not in [a.text for a in tree.find_class("kb-contents")[0].iter("a")]


def test_contents_depth_follows_toc_depth(tmp_path: Path) -> None:
    html = build_print_document(_nested_site(tmp_path, toc_depth=2)).html
    contents = lxml_html.document_fromstring(html).find_class("kb-contents")[0]
    assert [a.text for a in contents.iter("a")] == ["Top", "Middle"]


def test_cover_date_and_stylesheet_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")
    user_css = tmp_path / "mine.css"
    user_css.write_text("body { color: #333 }")
    rendered = _nested_site(tmp_path / "site")
    out = tmp_path / "book.pdf"
    diagnostics = Diagnostics()
    write_pdf(rendered, out, diagnostics, css=[user_css], paper="letter")
    reader = PdfReader(out)
    assert "2001-09-09" in reader.pages[0].extract_text()  # the cover's date
    assert [float(x) for x in reader.pages[0].mediabox[2:]] == [612, 792]
    assert not diagnostics.items
    # kbbook's (code colours, print.css, the paper size, its words), then the user's.
    sheets = stylesheets([user_css], "letter", "de")
    assert [sheet.source for sheet in sheets] == [KBBOOK_CSS] * 4 + [str(user_css)]
    assert ".highlight" in sheets[0].text and "@page" in sheets[1].text
    assert sheets[2].text == "@page { size: letter; }" and '"S.' in sheets[3].text
    assert sheets[4].text == user_css.read_text()
    document = build_print_document(rendered, css=[user_css])
    assert user_css.resolve() in document.policy.files


def test_bad_source_date_epoch_is_a_warning_in_the_pdf_too(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    diagnostics = Diagnostics()
    write_pdf(_nested_site(tmp_path / "site"), tmp_path / "book.pdf", diagnostics)
    assert [(d.path, d.code) for d in diagnostics.warnings] == [
        ("SOURCE_DATE_EPOCH", "source-date-epoch")]


def test_progress_display_names_the_steps() -> None:
    from kbbook.writers.pdf.progress import describe_step

    assert describe_step("Step 5 - Creating layout - Page 12") == "laying out page 12"
    assert describe_step("Step 2 - Fetching and parsing CSS - file:///x/print.css") == \
        "reading stylesheet print.css"
    assert describe_step("Step 6 - Creating PDF") == "writing the PDF"


def test_write_pdf_with_progress(tmp_path: Path) -> None:
    rendered = _nested_site(tmp_path / "site")
    out = tmp_path / "nested.pdf"
    write_pdf(rendered, out, Diagnostics(), progress=True)
    reader = PdfReader(out)
    assert [m.title for m in _marks(reader, reader.outline)] == ["Top"]


def test_same_source_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    rendered = _nested_site(tmp_path / "site")
    first, second = tmp_path / "1.pdf", tmp_path / "2.pdf"
    write_pdf(rendered, first, Diagnostics())
    write_pdf(rendered, second, Diagnostics())
    assert first.read_bytes() == second.read_bytes()
    assert PdfReader(first).metadata["/CreationDate"].startswith("D:20231114")


def test_folded_details_are_printed_open(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"index.md": page(
        "Home", '<details markdown="1">\n<summary>Setup</summary>\n\nFolded text.\n</details>\n')})
    out = tmp_path / "book.pdf"
    write_pdf(read_and_render(SiteOptions(site), Diagnostics()), out, Diagnostics())
    text = "".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Setup" in text and "Folded text." in text


def test_a_callout_title_never_ends_a_page() -> None:
    """A callout longer than what is left of the page breaks, but not right after its title
    (print.css): wherever the callout starts, no page ends with the title."""
    import io

    import weasyprint

    from kbbook.writers.common import style_text

    css = weasyprint.CSS(string=style_text("print.css") + "@page { size: A6; margin: 8mm }")
    endings = []
    for paragraphs in range(6, 18):
        html = ("<html><body>" + "<p>Some words to fill the page with.</p>" * paragraphs
                + '<div class="callout"><p class="callout-title">TITLE</p><p>'
                + "More words in the callout. " * 120 + "</p></div></body></html>")
        pdf = io.BytesIO(weasyprint.HTML(string=html).write_pdf(stylesheets=[css]))
        endings += [p.extract_text().strip().splitlines()[-1] for p in PdfReader(pdf).pages
                    if p.extract_text().strip()]
    assert "TITLE" not in [line.strip() for line in endings]
