"""Images for the EPUB: kept, converted, downscaled, refused, and SVG sanitised."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image, ImageChops, ImageFile, ImageStat

from kbbook.errors import Diagnostics
from kbbook.pipeline import SiteOptions, read_and_render
from kbbook.render.images import ImageError, sanitize_svg
from kbbook.writers.epub.images import ImageStore, prepare_image

from pictures import screenshot

SVG = "http://www.w3.org/2000/svg"


def save(path: Path, image: Image.Image, fmt: str, **options: object) -> Path:
    image.save(path, fmt, **options)
    return path


def noisy(size: tuple[int, int] = (120, 90)) -> Image.Image:
    """A photo-like image: thousands of colours."""
    return Image.merge("RGB", [Image.effect_noise(size, 60) for _ in range(3)])


@pytest.mark.parametrize(("fmt", "ext", "media_type"), [
    ("PNG", "png", "image/png"), ("JPEG", "jpg", "image/jpeg"), ("GIF", "gif", "image/gif"),
])
def test_readers_formats_are_kept_byte_for_byte(tmp_path: Path, fmt: str, ext: str,
                                                media_type: str) -> None:
    path = save(tmp_path / f"a.{ext}", Image.new("RGB", (30, 20), "red"), fmt)
    prepared = prepare_image(path, 1600)
    assert prepared.data == path.read_bytes()
    assert (prepared.extension, prepared.media_type) == (ext, media_type)


def test_the_real_format_wins_over_the_extension(tmp_path: Path) -> None:
    path = save(tmp_path / "photo.png", Image.new("RGB", (30, 20)), "JPEG")
    assert prepare_image(path, 1600).media_type == "image/jpeg"


@pytest.mark.parametrize("fmt", ["WEBP", "BMP", "TIFF", "ICO"])
def test_other_formats_become_png(tmp_path: Path, fmt: str) -> None:
    path = save(tmp_path / f"a.{fmt.lower()}", Image.new("RGBA", (32, 32), (1, 2, 3, 200)), fmt)
    prepared = prepare_image(path, 1600)
    assert prepared.media_type == "image/png"
    with Image.open(io.BytesIO(prepared.data)) as im:
        assert im.format == "PNG" and im.size == (32, 32)


def test_photos_in_other_formats_become_jpeg(tmp_path: Path) -> None:
    path = save(tmp_path / "photo.webp", noisy(), "WEBP", quality=90)
    prepared = prepare_image(path, 1600)
    assert prepared.media_type == "image/jpeg" and prepared.extension == "jpg"


@pytest.mark.parametrize(("fmt", "expected"), [("PNG", "PNG"), ("JPEG", "JPEG"),
                                                 ("GIF", "PNG"), ("WEBP", "PNG")])
def test_large_images_are_scaled_to_the_limit(tmp_path: Path, fmt: str, expected: str) -> None:
    path = save(tmp_path / f"big.{fmt.lower()}", Image.new("RGB", (500, 200), "green"), fmt)
    prepared = prepare_image(path, 100)
    with Image.open(io.BytesIO(prepared.data)) as im:
        assert im.format == expected and im.size == (100, 40)


@pytest.mark.parametrize("pillow_lenient", [False, True])
def test_truncated_image_is_an_error_not_a_traceback(tmp_path: Path, pillow_lenient: bool,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # WeasyPrint sets LOAD_TRUNCATED_IMAGES = True when imported; it must not matter here.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", pillow_lenient)
    full = save(tmp_path / "full.png", noisy((200, 200)), "PNG").read_bytes()
    path = tmp_path / "cut.png"
    path.write_bytes(full[: len(full) // 2])
    with pytest.raises(ImageError, match="truncated"):
        prepare_image(path, 1600)
    assert pillow_lenient is ImageFile.LOAD_TRUNCATED_IMAGES  # restored


def test_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "fake.png"
    path.write_text("hello")
    with pytest.raises(ImageError, match="not an image format"):
        prepare_image(path, 1600)


def test_pixel_limit_applies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = save(tmp_path / "a.png", Image.new("L", (100, 100)), "PNG")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 5000)  # warning level: still refused
    with pytest.raises(ImageError, match="decompression bomb"):
        prepare_image(path, 1600)


def test_svg_is_sanitised(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    path = tmp_path / "a.svg"
    path.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file://{secret}"><!ENTITY lol "lol">]>
<svg xmlns="{SVG}" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">
  <script>alert(2)</script>
  <defs><linearGradient id="g"/></defs>
  <text>&xxe; &lol;</text>
  <use xlink:href="#g"/><use href="#g"/>
  <image xlink:href="https://evil.example/x.png"/>
  <a href="https://evil.example/"><rect onclick="x()" fill="url(#g)"/></a>
  <style>@import url(https://evil.example/a.css);</style>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">html</div></foreignObject>
</svg>""")
    prepared = prepare_image(path, 1600)
    assert prepared.media_type == "image/svg+xml"
    text = prepared.data.decode()
    for bad in ("TOP-SECRET", "script", "alert", "onload", "onclick", "evil.example",
                "DOCTYPE", "ENTITY", "&xxe;", "foreignObject"):
        assert bad not in text, bad
    root = etree.fromstring(prepared.data)
    uses = root.findall(f"{{{SVG}}}use")
    assert [u.get("{http://www.w3.org/1999/xlink}href") or u.get("href") for u in uses] == [
        "#g", "#g"]


@pytest.mark.parametrize("data", [b"<svg", b"<html xmlns='http://www.w3.org/1999/xhtml'/>"])
def test_bad_svg_is_refused(data: bytes) -> None:
    with pytest.raises(ImageError):
        sanitize_svg(data)


def test_store_embeds_each_file_once_and_only_inside_the_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "img").mkdir(parents=True)
    (site / "index.md").write_text("---\ntitle: Home\n---\n![a](img/a.png) ![a](/img/a.png) "
                                   "![b](a.png)\n\n![l](img/link.png)\n\n![o](../outside.png)\n")
    save(site / "img" / "a.png", Image.new("RGB", (5, 5)), "PNG")
    save(site / "a.png", Image.new("RGB", (6, 6)), "PNG")
    save(tmp_path / "outside.png", Image.new("RGB", (5, 5)), "PNG")
    (site / "img" / "link.png").symlink_to(tmp_path / "outside.png")
    diagnostics = Diagnostics()
    (home,) = read_and_render(SiteOptions(site), diagnostics).pages
    # The renderer found the files (and only those inside the site, each with its line).
    assert [(d.path, d.line, d.code) for d in diagnostics.warnings] == [
        ("index.md", 6, "outside-site"), ("index.md", 8, "missing-image")]
    assert [image.rel for image in home.images] == ["img/a.png", "img/a.png", "a.png"]
    store = ImageStore(1600, diagnostics)
    first = store.embed(home.images[0], home.page)
    assert first is not None and store.embed(home.images[1], home.page) is first
    other = store.embed(home.images[2], home.page)
    assert other is not None and other.href == "images/a-2.png"
    assert [img.href for img in store.images] == ["images/a.png", "images/a-2.png"]


def test_the_same_picture_under_two_paths_is_embedded_once(tmp_path: Path) -> None:
    # A versioned site keeps a copy of each screenshot per version: the book holds one.
    site = tmp_path / "site"
    shot = noisy((40, 30))
    for folder in ("v1", "v2"):
        (site / folder).mkdir(parents=True)
        save(site / folder / "shot.png", shot, "PNG")
    save(site / "v2" / "new.png", noisy((40, 30)), "PNG")
    (site / "index.md").write_text("---\ntitle: Home\n---\n![one](v1/shot.png)\n\n"
                                   "![two](v2/shot.png)\n\n![new](v2/new.png)\n")
    diagnostics = Diagnostics()
    (home,) = read_and_render(SiteOptions(site), diagnostics).pages
    store = ImageStore(1600, diagnostics)
    one, two, new = (store.embed(image, home.page) for image in home.images)
    assert one is not None and two is one
    assert new is not None and new.href != one.href
    assert [img.href for img in store.images] == [one.href, new.href]


def test_palette_images_are_scaled_smoothly(tmp_path: Path) -> None:
    row = bytes(255 * ((x // 2) % 2) for x in range(400))
    stripes = Image.frombytes("L", (400, 400), row * 400)
    path = save(tmp_path / "p.png", stripes.convert("P"), "PNG")
    prepared = prepare_image(path, 100)
    with Image.open(io.BytesIO(prepared.data)) as im:
        assert im.size == (100, 100)
        # fine black/white stripes average to grey instead of aliasing to solid bands
        assert 60 < ImageStat.Stat(im.convert("L")).mean[0] < 195


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF", "ICO"])
def test_damaged_files_give_image_errors_only(tmp_path: Path, fmt: str) -> None:
    """Truncated and bit-flipped files of every format: converted or refused, no traceback."""
    good = io.BytesIO()
    noisy((64, 48)).save(good, fmt)
    data = good.getvalue()
    path = tmp_path / f"x.{fmt.lower()}"
    variants = [data[:n] for n in (0, 8, 16, 40, len(data) // 3, len(data) - 5)]
    for i in range(0, len(data), max(1, len(data) // 40)):
        variants.append(data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:])
    for variant in variants:
        path.write_bytes(variant)
        try:
            prepared = prepare_image(path, 32)
        except ImageError:
            continue
        assert prepared.media_type in ("image/png", "image/jpeg", "image/gif")


def _animated_gif(path: Path) -> Path:
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("red", "green", "blue")]
    frames[0].save(path, "GIF", save_all=True, append_images=frames[1:], duration=100,
                   loop=0)
    return path


def test_an_animated_gif_becomes_its_first_frame(tmp_path: Path) -> None:
    path = _animated_gif(tmp_path / "moving.gif")
    prepared = prepare_image(path, 1600)
    assert prepared.animated and prepared.media_type == "image/png"
    with Image.open(io.BytesIO(prepared.data)) as still, Image.open(path) as original:
        assert not getattr(still, "is_animated", False)
        assert still.convert("RGB").tobytes() == original.convert("RGB").tobytes()


def test_a_big_png_is_made_smaller_without_loss(tmp_path: Path) -> None:
    # A screenshot: few colours, stored with no compression at all.
    screen = Image.new("RGB", (900, 700), "white")
    for y in range(0, 700, 20):
        screen.paste((30, 60, 200), (40, 4 + y, 40 + (y * 7) % 800, 12 + y))
    path = save(tmp_path / "screen.png", screen, "PNG", compress_level=0)
    assert path.stat().st_size > 1_000_000
    prepared = prepare_image(path, 1600)
    assert len(prepared.data) < path.stat().st_size / 10
    with Image.open(io.BytesIO(prepared.data)) as im:
        assert im.convert("RGB").tobytes() == screen.tobytes()  # not a pixel changed


def area_error(a: Image.Image, b: Image.Image) -> int:
    """The largest average difference of any 8x8 area, in levels."""
    return max(high for _, high in ImageChops.difference(a, b).reduce(8).getextrema())


def test_a_screenshot_takes_256_colours_where_no_difference_shows(tmp_path: Path) -> None:
    screen = screenshot()
    assert screen.getcolors(256) is None  # a palette cannot keep every colour
    path = save(tmp_path / "screen.png", screen, "PNG", optimize=True)
    assert path.stat().st_size > 100_000
    prepared = prepare_image(path, 1600)
    assert len(prepared.data) < path.stat().st_size * 0.6
    with Image.open(io.BytesIO(prepared.data)) as im:
        assert im.mode == "P" and im.size == screen.size
        back = im.convert("RGB")
    # The panel stays as light as it was, the page as white: no area changed its shade.
    assert back.getpixel((30, 300)) == (255, 255, 255)
    assert back.getpixel((70, 125)) == (245, 245, 245)
    assert area_error(back, screen) <= 8
    # Scaled down for the reader, it takes 256 colours the same way.
    with Image.open(io.BytesIO(prepare_image(path, 700).data)) as small:
        assert small.mode == "P" and small.size == (700, 500)


def test_photos_gradients_and_a_site_that_says_no_keep_every_colour(tmp_path: Path) -> None:
    w, h = 1000, 700
    channels = [Image.linear_gradient("L").resize((w, h)),
                Image.linear_gradient("L").rotate(90).resize((w, h)),
                Image.radial_gradient("L").resize((w, h))]
    gradient = Image.merge("RGB", channels)
    path = save(tmp_path / "gradient.png", gradient, "PNG", compress_level=0)
    with Image.open(io.BytesIO(prepare_image(path, 1600).data)) as im:
        assert im.mode == "RGB" and im.tobytes() == gradient.tobytes()
    shot = save(tmp_path / "screen.png", screenshot(), "PNG")
    for max_size, budget in ((1600, None), (700, None), (1600, 60_000)):
        exact = prepare_image(shot, max_size, palette=False, budget=budget)
        with Image.open(io.BytesIO(exact.data)) as im:
            assert im.mode == "RGB"  # (over its budget: scaled down, still every colour)


def test_a_png_with_a_transparent_colour_keeps_it_in_256_colours(tmp_path: Path) -> None:
    screen = screenshot()
    path = save(tmp_path / "keyed.png", screen, "PNG", transparency=(255, 255, 255))
    with Image.open(io.BytesIO(prepare_image(path, 1600).data)) as im:
        assert im.mode == "P"
        back = im.convert("RGBA")
    assert back.getpixel((30, 300))[3] == 0  # the page's white: transparent, as it was
    r, g, b, a = back.getpixel((70, 125))  # the panel: its grey, to a level or two
    assert a == 255 and all(abs(c - 245) <= 2 for c in (r, g, b))


def test_a_photo_over_the_budget_becomes_a_jpeg_of_its_size(tmp_path: Path) -> None:
    """A photo saved as PNG: a JPEG meets the budget before any pixel is lost to scaling."""
    path = save(tmp_path / "noise.png", noisy((1600, 1200)), "PNG")
    assert path.stat().st_size > 1_000_000
    prepared = prepare_image(path, 1600, budget=1_000_000)
    assert len(prepared.data) <= 1_000_000 and prepared.media_type == "image/jpeg"
    with Image.open(io.BytesIO(prepared.data)) as im:
        assert im.size == (1600, 1200)


def test_prepared_images_come_from_the_cache_next_time(tmp_path: Path) -> None:
    from kbbook.writers.epub.imagecache import ImageCache
    from kbbook.writers.epub.images import ImagePreparer, ImageTarget

    path = save(tmp_path / "photo.png", noisy((900, 600)), "PNG")
    cache = ImageCache(tmp_path / "cache")
    small, grey = ImageTarget(400), ImageTarget(400, greyscale=True)
    with ImagePreparer(small, cache=cache) as first:
        made = first.result(path)
    with ImagePreparer(small, cache=cache) as second:
        again = second.result(path)
    assert (cache.misses, cache.hits) == (1, 1) and again == made
    with ImagePreparer(grey, cache=cache) as other:  # another device: prepared anew
        assert other.result(path) != made
    assert cache.misses == 2
    for entry in (tmp_path / "cache").rglob("*"):
        if entry.is_file():
            entry.write_bytes(entry.read_bytes()[:-10])  # torn: ignored, made again
    with ImagePreparer(small, cache=cache) as third:
        assert third.result(path) == made
    assert cache.misses == 3
    path.write_bytes(save(tmp_path / "other.png", noisy((300, 200)), "PNG").read_bytes())
    with ImagePreparer(small, cache=cache) as changed:  # the file changed: prepared anew
        assert changed.result(path) != made
