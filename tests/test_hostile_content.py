"""Hostile pages and resources, built into a real EPUB and PDF: nothing from outside the site
reaches the book, nothing active survives, every problem is a message naming file and line."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from typer.testing import CliRunner

from kbbook.cli import app

from sitemaker import make_site, page

runner = CliRunner()
SECRET = "KBBOOK-SECRET-7f3a9c"


def png_bytes(size: tuple[int, int] = (40, 30), colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def bomb_png() -> bytes:
    """A small valid PNG whose header claims 50,000 x 50,000 pixels."""
    data = bytearray(png_bytes((1, 1)))
    ihdr = struct.pack(">II", 50_000, 50_000) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


# name -> (page body, warning codes or text expected for the page, text that must not appear)
PAGES: dict[str, tuple[str, list[str], list[str]]] = {
    "nested-quotes": ("> " * 10_000 + "deep\n\nquotes-after\n", ["flattened"], []),
    "nested-lists": ("".join("  " * i + f"- item-{i}\n" for i in range(3_000))
                     + "\nlists-after\n", ["flattened"], []),
    "nested-html": ("before\n\n" + "<div>" * 5_000 + "payload-text\n\nhtml-after\n",
                    ["flattened"], []),
    "unclosed-tags": ("<div><span>open <b>bold\n\ntext after\n", [], []),
    "script": ("Before\n\n<script>document.write('pwned')</script>\n\nAfter\n", [],
               ["<script", "pwned"]),
    "handlers": ('<p onclick="steal()">Click</p>\n\n<img src="x.png" onerror="steal()">\n',
                 [], ["onclick", "onerror", "steal()"]),
    "js-link": ("[click](javascript:alert(1)) and [data](data:text/html,hi)\n",
                ["javascript:", "data:"], ["javascript:", "data:text"]),
    "iframe": ('<iframe src="https://video.example/embed/1"></iframe>\n\n'
               '<object data="https://obj.example/x.swf"></object>\n',
               [], ["<iframe", "<object"]),
    "style": ("<style>@import url('file:///etc/passwd'); body { background: "
              "url(file:///etc/passwd) }</style>\n\nText\n", [], ["@import", "file://"]),
    "missing-image": ("![gone](nowhere.png)\n", ["nowhere.png"], []),
    "truncated-png": ("![cut](truncated.png)\n", ["truncated or damaged"], []),
    "bomb": ("![bomb](bomb.png)\n", ["decompression bomb"], []),
    "svg-entity": ("![svg](evil.svg)\n", [], ["/etc/passwd", SECRET]),
    "dotdot": ("![up](../../../../etc/passwd)\n", ["etc/passwd"], []),
    "absolute": ("![abs](/etc/hostname)\n", ["etc/hostname"], []),
    "file-url": ("![file](file:///etc/passwd)\n", ["file:///etc/passwd"], []),
    "symlink": ("![link](leak.png)\n", ["lies outside the site folder"], []),
    "outside": ("![outside](../outside.png)\n", ["outside.png"], []),
    "remote": ("![remote](http://images.example/cat.png)\n", ["--allow-remote"], []),
}


# name -> text after the deep part, which must reach the book
DEEP_TEXT = {
    "nested-quotes": ["deep", "quotes-after"],
    "nested-lists": ["item-2999", "lists-after"],
    "nested-html": ["payload-text", "html-after"],
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("hostile")
    (base / "outside.png").write_bytes(png_bytes(colour="blue"))
    (base / "secret.txt").write_text(SECRET)
    files: dict[str, str | bytes] = {
        "_config.yml": "title: Hostile\n",
        "index.md": page("\"</title><b>Bold</b> &amp; <script>alert(1)</script>\"", nav_order=0,
                         body="Start.\n"),
        "truncated.png": png_bytes((400, 300))[:200],
        "bomb.png": bomb_png(),
        "good.png": png_bytes(),
        "evil.svg": (f'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM '
                     f'"file://{base}/secret.txt">]>\n<svg xmlns="http://www.w3.org/2000/svg" '
                     'xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'
                     '<text>&x;</text><image xlink:href="file:///etc/passwd"/>'
                     '<script>alert(1)</script></svg>\n'),
    }
    for i, (name, (body, _, _)) in enumerate(PAGES.items(), start=1):
        files[f"{name}.md"] = page(name, nav_order=i, body="Intro line.\n\n" + body)
    site = make_site(base / "site", files)
    (site / "leak.png").symlink_to(base / "outside.png")
    epub, pdf = base / "book.epub", base / "book.pdf"
    e = runner.invoke(app, ["epub", str(site), "-o", str(epub)])
    p = runner.invoke(app, ["pdf", str(site), "-o", str(pdf), "--quiet"])
    return {"site": site, "epub": epub, "pdf": pdf, "epub_result": e, "pdf_result": p}


def test_builds_succeed_without_traceback(hostile: dict) -> None:
    for key in ("epub_result", "pdf_result"):
        result = hostile[key]
        assert "Traceback" not in result.output
        assert result.exit_code == 0, result.output[-3000:]
        # Unusable images were left out while rendering: the writers meet none of them.
        assert "(pdf)" not in result.output and "Failed to load" not in result.output
    assert hostile["epub"].is_file() and hostile["pdf"].is_file()


def _epub_page(hostile: dict, name: str) -> str:
    with zipfile.ZipFile(hostile["epub"]) as z:
        match = [n for n in z.namelist() if n.endswith(f"/{name}.xhtml")]
        assert match, name
        return z.read(match[0]).decode()


@pytest.mark.parametrize("name", list(PAGES))
def test_each_hostile_page(hostile: dict, name: str) -> None:
    _, warnings, forbidden = PAGES[name]
    xhtml = _epub_page(hostile, name)
    assert "Intro line." in xhtml  # the page is there, not dropped
    for text in forbidden:
        assert text not in xhtml, f"{text!r} survived in {name}"
    lines = [line for line in hostile["epub_result"].output.splitlines()
             if line.startswith(f"{name}.md")]
    for text in warnings:
        assert any(text in line and "warning" in line for line in lines), (text, lines)
    # Every problem found in a page names its line (front matter is 4 lines, then the intro).
    for line in lines:
        assert re.match(rf"{re.escape(name)}\.md:\d+: (warning|error): ", line), line


@pytest.mark.parametrize("name", list(DEEP_TEXT))
def test_deep_pages_keep_their_deepest_text(hostile: dict, name: str) -> None:
    xhtml = _epub_page(hostile, name)
    for text in DEEP_TEXT[name]:
        assert text in xhtml, (name, text)
    if name == "nested-lists":
        assert sorted(map(int, re.findall(r"item-(\d+)", xhtml))) == list(range(3_000))
    lines = [line for line in hostile["epub_result"].output.splitlines()
             if line.startswith(f"{name}.md:") and "nested" in line]
    assert len(lines) == 1 and "flattened" in lines[0], lines
    reader = PdfReader(hostile["pdf"])
    text = "".join(p.extract_text() for p in reader.pages)
    for word in DEEP_TEXT[name]:
        assert word in text, (name, word)


def test_iframe_becomes_link_to_its_source(hostile: dict) -> None:
    xhtml = _epub_page(hostile, "iframe")
    assert 'href="https://video.example/embed/1"' in xhtml
    assert 'href="https://obj.example/x.swf"' in xhtml


def test_html_in_a_title_is_shown_as_the_sidebar_shows_it(hostile: dict) -> None:
    """The theme prints a title as HTML: the book shows its text, never its markup (and
    never a script)."""
    xhtml = _epub_page(hostile, "index")
    assert "<script" not in xhtml and "alert(1)" not in xhtml
    assert "<title>Bold &amp;</title>" in xhtml and "<h1>Bold &amp;</h1>" in xhtml


def test_nothing_from_outside_the_site_in_the_epub(hostile: dict) -> None:
    passwd = Path("/etc/passwd").read_bytes()[:40]
    outside = (hostile["site"].parent / "outside.png").read_bytes()
    with zipfile.ZipFile(hostile["epub"]) as z:
        for name in z.namelist():
            data = z.read(name)
            assert SECRET.encode() not in data, name
            assert passwd not in data, name
            assert data != outside, name
        images = sorted(n for n in z.namelist() if "/images/" in n and "cover" not in n)
    # Only the site's own usable image (good.png is unreferenced, so none) and the sanitised SVG.
    assert all("outside" not in n and "leak" not in n for n in images)


def test_nothing_from_outside_the_site_in_the_pdf(hostile: dict) -> None:
    reader = PdfReader(hostile["pdf"])
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert SECRET not in text
    assert "root:x:0" not in text
    drawn = [img for p in reader.pages for img in p.images]
    # No page may draw the blue outside image (through ../ or the symlink).
    for img in drawn:
        pixels = img.image.convert("RGB").getcolors(10_000) or []
        assert not any(c == (0, 0, 255) for _, c in pixels)
