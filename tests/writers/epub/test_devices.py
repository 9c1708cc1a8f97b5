"""`--device`: the EPUB each kind of reader needs, built from the handbook and a real site."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image, ImageChops

import kbbook
from kbbook import Diagnostics
from kbbook.pipeline import SiteOptions, read_and_render
from kbbook.writers.epub import DEVICES, write_epub
from kbbook.writers.epub.devices import Device

from epubcheck_util import run_epubcheck
from pictures import screenshot
from shared import CONTENT, PRODUCTBRAIN, needs_productbrain

X = "{http://www.w3.org/1999/xhtml}"
CALIBRE = shutil.which("ebook-convert")
needs_calibre = pytest.mark.skipif(CALIBRE is None, reason="calibre is not installed")
SITES = [pytest.param(CONTENT, id="content"),
         pytest.param(PRODUCTBRAIN, id="productbrain", marks=needs_productbrain)]


class _Books(dict):
    """Each device's book of a site, built the first time a test asks for it."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def __missing__(self, key: tuple[str, str]) -> Path:
        site, name = key
        path = self.folder / f"{site}-{name}{DEVICES[name].suffix}"
        kbbook.build_epub(CONTENT if site == "content" else PRODUCTBRAIN, path, device=name)
        self[key] = path
        return path


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> _Books:
    return _Books(tmp_path_factory.mktemp("devices"))


def _images(book: Path) -> dict[str, Image.Image]:
    with zipfile.ZipFile(book) as z:
        return {name: Image.open(io.BytesIO(z.read(name))) for name in z.namelist()
                if name.startswith("EPUB/images/") and not name.endswith(".svg")}


@pytest.mark.parametrize(("site", "device"), [
    *((CONTENT, name) for name in DEVICES if name != "default"),  # (test_epub.py checks it)
    *(pytest.param(PRODUCTBRAIN, name, marks=needs_productbrain)
      for name in ("kobo",)),  # (the Kobo book's spans around every sentence)
])
def test_every_device_book_passes_epubcheck(books: dict, site: Path, device: str) -> None:
    result = run_epubcheck(books[(site.name, device)])
    assert result.problems == 0, "\n".join(result.messages)


@needs_productbrain
def test_images_follow_the_device(books: dict) -> None:
    """productbrain's comics are 4800 px square: each device scales them to its screen and
    keeps every image within its budget (or at the smallest readable size)."""
    for name, device in DEVICES.items():
        for image_name, image in _images(books[("productbrain", name)]).items():
            if "cover" in image_name:
                continue
            assert max(image.size) <= device.image_long_side, (name, image_name)
            with zipfile.ZipFile(books[("productbrain", name)]) as z:
                size = z.getinfo(image_name).file_size
            assert size <= device.image_budget or max(image.size) < 560, (name, image_name)
    sides = {name: max(max(im.size) for n, im in _images(books[("productbrain", name)]).items()
                       if "cover" not in n) for name in DEVICES}
    assert sides == {"default": 1600, "tablet": 2048, "kobo": 1680, "kindle": 1600,
                     "eink": 1448}


@pytest.mark.parametrize("site", SITES)
def test_eink_books_are_grey_with_code_in_type_styles(books: dict, site: Path) -> None:
    book = books[(site.name, "eink")]
    for name, image in _images(book).items():
        red, green, blue = image.convert("RGB").split()
        assert ImageChops.difference(red, green).getbbox() is None, name
        assert ImageChops.difference(green, blue).getbbox() is None, name
    with zipfile.ZipFile(book) as z:
        css = z.read("EPUB/styles/epub.css").decode()
    code = css.split("/* Code highlighting (Pygments) */", 1)[1]
    assert "font-weight: bold" in code and "font-style: italic" in code
    assert not re.search(r"(?<![-\w])color\s*:\s*#", code)  # no colour in the code
    assert "color: inherit !important" in css  # nor in the text


def test_kbbook_image_max_size_wins_over_the_device(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "img").mkdir(parents=True)
    Image.new("RGB", (3000, 1000), "red").save(site / "img" / "wide.png")
    (site / "_config.yml").write_text("title: T\nkbbook:\n  image_max_size: 500\n")
    (site / "index.md").write_text("---\ntitle: Home\n---\n![wide](img/wide.png)\n")
    kbbook.build_epub(site, tmp_path / "book.epub", device="tablet")
    (image,) = [im for n, im in _images(tmp_path / "book.epub").items() if "cover" not in n]
    assert image.size == (500, 167)


def test_kbbook_image_palette_false_keeps_every_colour(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "img").mkdir(parents=True)
    screenshot().save(site / "img" / "screen.png")
    (site / "index.md").write_text("---\ntitle: Home\n---\n![screen](img/screen.png)\n")
    screenshot().save(site / "img" / "cover.png")
    modes = {}
    for setting in ("true", "false", "'no'"):
        (site / "_config.yml").write_text(f"title: T\nkbbook:\n  image_palette: {setting}\n"
                                          "  cover: img/cover.png\n")
        built = kbbook.build_epub(site, tmp_path / "book.epub", cache=False)
        images = _images(tmp_path / "book.epub")
        (image,) = [im for n, im in images.items() if "cover" not in n]
        (cover,) = [im for n, im in images.items() if "cover" in n]
        modes[setting] = (image.mode, cover.mode)
        if setting == "'no'":  # not a flag: said, with its line, and the default kept
            (warning,) = [w for w in built.diagnostics.warnings if w.code == "config"]
            assert warning.line == 3 and "image_palette must be true or false" in warning.message
    assert modes == {"true": ("P", "P"), "false": ("RGB", "RGB"), "'no'": ("P", "P")}


# -- Kobo ----------------------------------------------------------------------------------


def _spanned(el: etree._Element) -> bool:
    """Whether text in `el` is put into koboSpans."""
    return el.tag != f"{X}pre" and el.tag.startswith(X)


def _body_text_outside_spans(body: etree._Element) -> list[str]:
    """Words of the body's text that no koboSpan holds (code blocks aside)."""
    loose = []
    for el in body.iter():
        # Code blocks, SVG drawings and MathML formulas are left as they are.
        if not isinstance(el.tag, str) or any(not _spanned(a) for a in (el, *el.iterancestors())):
            continue
        inside = el.get("class") == "koboSpan" or any(
            a.get("class") == "koboSpan" for a in el.iterancestors())
        if el.text and el.text.strip() and not inside:
            loose.append(el.text.strip())
        parent_inside = any(a.get("class") == "koboSpan" for a in el.iterancestors())
        if el.tail and el.tail.strip() and not parent_inside:
            loose.append(el.tail.strip())
    return loose


@pytest.mark.parametrize("site", SITES)
def test_kobo_book_is_a_kepub(books: dict, site: Path, tmp_path: Path) -> None:
    book = books[(site.name, "kobo")]
    assert book.name.endswith(".kepub.epub")
    with zipfile.ZipFile(book) as z:
        pages = [etree.fromstring(z.read(n)) for n in z.namelist()
                 if n.endswith(".xhtml") and n != "EPUB/nav.xhtml"]
    for html in pages:
        body = html.find(f"{X}body")
        (columns,) = body.findall(f"{X}div[@id='book-columns']")
        assert columns.find(f"{X}div[@id='book-inner']") is not None
        ids = [span.get("id") for span in body.iter(f"{X}span") if span.get("class") == "koboSpan"]
        assert ids and len(ids) == len(set(ids))
        numbers = [tuple(map(int, i.split(".")[1:])) for i in ids]
        assert numbers == sorted(numbers)  # paragraph by paragraph, sentence by sentence
        assert _body_text_outside_spans(body) == []
        assert all(img.getparent().get("class") == "koboSpan" for img in body.iter(f"{X}img"))


def test_default_name_ends_in_kepub_epub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    built = kbbook.build_epub(CONTENT, device="kobo")
    assert built.output.name == "The kbbook Handbook.kepub.epub"


@needs_calibre
def test_calibre_reads_the_kobo_book(books: dict, tmp_path: Path) -> None:
    book = books[("content", "kobo")]
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"}
    meta = subprocess.run(["ebook-meta", str(book)], capture_output=True, text=True, env=env,
                          timeout=120, check=True).stdout
    assert "The kbbook Handbook" in meta
    text = tmp_path / "book.txt"
    subprocess.run([CALIBRE, str(book), str(text)], capture_output=True, env=env, timeout=300,
                   check=True)
    assert "kbbook toc" in text.read_text(encoding="utf-8")


# -- Kindle --------------------------------------------------------------------------------


@needs_calibre
@pytest.mark.parametrize("site", SITES)
def test_kindle_book_converts_to_azw3_without_warnings(books: dict, site: Path,
                                                        tmp_path: Path) -> None:
    out = tmp_path / "book.azw3"
    result = subprocess.run([CALIBRE, str(books[(site.name, "kindle")]), str(out)],
                            capture_output=True, text=True, timeout=600, check=False,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
    log = result.stdout + result.stderr
    assert not re.findall(r"(?im)^.*(warn|error|ignoring|unsupported).*$", log)
    assert out.stat().st_size > 0


def test_a_book_over_the_readers_limit_is_reported(tmp_path: Path) -> None:
    tiny = Device("tiny", "a reader with a 100 kB limit", 1600, 800_000, book_limit=100_000)
    diagnostics = Diagnostics()
    rendered = read_and_render(SiteOptions(CONTENT), diagnostics)
    write_epub(rendered, tmp_path / "book.epub", diagnostics, device=tiny)
    (warning,) = [d for d in diagnostics.warnings if d.code == "book-size"]
    assert warning.path == "_config.yml" and "over the tiny limit of 98 kB" in warning.message
    assert "images are" in warning.message and "image_max_size" in warning.message
