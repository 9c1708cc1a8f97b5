"""The PDF's large pictures in 256 colours where no difference shows: a screenshot becomes
an Indexed image a fraction of WeasyPrint's RGB, a gradient keeps every colour, a site
that says no keeps them all, and the decisions come from the build cache next time."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops

import kbbook.writers.pdf.palette as palette
from kbbook import build_pdf
from kbbook.errors import Diagnostics
from kbbook.pipeline import SiteOptions, read_and_render
from kbbook.writers.palette import PALETTE_MAX_AREA_ERROR
from kbbook.writers.pdf import write_pdf

from pictures import screenshot
from sitemaker import make_site, page


def _gradient(w: int = 1000, h: int = 700) -> Image.Image:
    channels = [Image.linear_gradient("L").resize((w, h)),
                Image.linear_gradient("L").rotate(90).resize((w, h)),
                Image.radial_gradient("L").resize((w, h))]
    return Image.merge("RGB", channels)


def _site(root: Path, config: str = "") -> Path:
    site = make_site(root, {
        "_config.yml": "title: Pictures\n" + config,
        "index.md": page("Screens", "The screen:\n\n![The screen](screen.png)\n"),
        "more.md": page("Colours", nav_order=2, body="![Colours](gradient.png)\n\n"
                        "![A window](window.png)\n")})
    screenshot().save(site / "screen.png")
    window = screenshot((1200, 800)).convert("RGBA")  # (a window's shadow: alpha)
    window.putalpha(Image.new("L", window.size, 255).crop((0, 0, 1200, 800)))
    window.paste((0, 0, 0, 0), (1180, 0, 1200, 800))
    window.save(site / "window.png")
    _gradient().save(site / "gradient.png")
    return site


def _images(path: Path) -> dict[int, tuple[object, int, Image.Image]]:
    """Width -> (colour space, stored size, pixels) of each image in the PDF."""
    found = {}
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image":
                space = obj.ColorSpace
                found[int(obj.Width)] = (space[0] if isinstance(space, pikepdf.Array) else space,
                                         len(obj.read_raw_bytes()),
                                         pikepdf.PdfImage(obj).as_pil_image().convert("RGB"))
    return found


def test_a_screenshot_is_indexed_and_a_gradient_keeps_every_colour(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    build_pdf(site, tmp_path / "book.pdf", cache_dir=tmp_path / "cache")
    build_pdf(_site(tmp_path / "every", "kbbook:\n  image_palette: false\n"),
              tmp_path / "every.pdf", cache_dir=tmp_path / "cache")
    indexed, every = _images(tmp_path / "book.pdf"), _images(tmp_path / "every.pdf")
    space, size, shot = indexed[1400]
    assert space == "/Indexed" and size < 0.6 * every[1400][1]
    assert every[1400][0] == "/DeviceRGB"  # (the site said no)
    original = screenshot()
    assert shot.getpixel((5, 500)) == original.getpixel((5, 500)) == (255, 255, 255)
    assert shot.getpixel((70, 930)) == original.getpixel((70, 930)) == (245, 245, 245)
    areas = ImageChops.difference(shot, original).reduce(8)
    assert max(high for _, high in areas.getextrema()) <= PALETTE_MAX_AREA_ERROR
    with pikepdf.open(tmp_path / "book.pdf") as pdf:  # (its transparency kept beside)
        (window,) = [o for o in pdf.objects if isinstance(o, pikepdf.Stream)
                     and o.get("/Width") == 1200 and "/SMask" in o]
        assert window.ColorSpace[0] == "/Indexed" and window.SMask.ColorSpace == "/DeviceGray"
    gradient_space, _, gradient = indexed[1000]
    assert gradient_space == "/DeviceRGB" and gradient.tobytes() == _gradient().tobytes()
    # The single render (one WeasyPrint document) does the same.
    write_pdf(read_and_render(SiteOptions(site), Diagnostics()), tmp_path / "single.pdf",
              Diagnostics(), chunked=False)
    single = _images(tmp_path / "single.pdf")
    assert single[1400][0] == "/Indexed" and single[1000][0] == "/DeviceRGB"
    assert single[1400][2].tobytes() == shot.tobytes()


def test_the_decisions_come_from_the_cache_and_a_corrupt_one_is_made_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site, cache = _site(tmp_path / "site"), tmp_path / "cache"
    build_pdf(site, tmp_path / "first.pdf", cache_dir=cache)
    entries = sorted((cache / "images").iterdir())
    assert len(entries) == 3  # the screenshots (Indexed) and the gradient (kept)

    asked: list[int] = []
    real = palette.invisible_palette

    def counted(im: Image.Image) -> Image.Image | None:
        asked.append(im.width)
        return real(im)

    monkeypatch.setattr(palette, "invisible_palette", counted)
    more = site / "more.md"  # (an edit: the merge runs again, on the same pictures)
    more.write_text(more.read_text(encoding="utf-8").replace("![Colours]", "Edited.\n\n"
                                                             "![Colours]"), encoding="utf-8")
    build_pdf(site, tmp_path / "second.pdf", cache_dir=cache)
    assert asked == []  # nothing quantised again
    assert _images(tmp_path / "second.pdf")[1400][0] == "/Indexed"

    for entry in entries:
        data = bytearray(entry.read_bytes())
        data[-1] ^= 0xFF
        entry.write_bytes(bytes(data))
    build_pdf(site, tmp_path / "third.pdf", cache_dir=cache)
    assert sorted(asked) == [1000, 1200, 1400]  # made again, never trusted
    third = _images(tmp_path / "third.pdf")
    assert third[1400][0] == "/Indexed" and third[1000][0] == "/DeviceRGB"
    assert third[1400][2].tobytes() == _images(tmp_path / "first.pdf")[1400][2].tobytes()
