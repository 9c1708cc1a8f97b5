"""Images for the EPUB: the files the renderer checked, converted and downscaled.

E-readers reliably show only JPEG, PNG, GIF and SVG; anything else becomes PNG (or JPEG for
photos). Pillow's decompression-bomb limit applies, and a file that cannot be decoded is a
warning naming the page and the image, never a traceback.
"""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
import re
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree
from PIL import Image, ImageChops, ImageOps

from ...errors import Diagnostics
from ...render.html import missing_image
from ...render.html import replace as replace_element
from ...render.ids import unique
from ...render.images import (
    ImageError,
    check_pixels,
    decoding,
    looks_like_svg,
    sanitize_svg,
    strict_decoding,
    verify,
)
from ...render.model import IMAGE_ATTR, ImageRef, RenderedPage, xhtml
from ..palette import invisible_palette
from .imagecache import ImageCache

if TYPE_CHECKING:
    from ...site import Page

KEPT_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"),
                "GIF": ("gif", "image/gif")}
SVG_TYPE = ("svg", "image/svg+xml")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class PreparedImage:
    """Image bytes ready for the EPUB."""

    data: bytes
    """The file's content, converted and downscaled where needed."""
    extension: str
    """File extension matching the real format (without the dot)."""
    media_type: str
    """The manifest media type."""
    animated: bool = False
    """The file moves (an animated GIF or PNG): the book holds its first frame."""


@dataclass(frozen=True)
class EmbeddedImage:
    """One image file of the book, embedded once however many pages show it."""

    site_rel: str
    """Site-relative path of the source file."""
    href: str
    """Path inside the EPUB content folder, e.g. `images/chart.png`."""
    item_id: str
    """Manifest id."""
    image: PreparedImage
    """The bytes and media type."""


# -- one file ---------------------------------------------------------------------------


def _is_photo(im: Image.Image) -> bool:
    """Many colours and no transparency: JPEG keeps it small; anything else stays lossless."""
    if im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in im.info:
        return False
    sample = im.convert("RGB")
    sample.thumbnail((256, 256))
    return sample.getcolors(4096) is None


def _encode(im: Image.Image, fmt: str, icc: bytes | None, quality: int = 88) -> PreparedImage:
    out = io.BytesIO()
    extra = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        if im.mode not in ("RGB", "L", "CMYK"):
            im = im.convert("L" if im.mode in ("LA", "La") else "RGB")
        im.save(out, "JPEG", quality=quality, **extra)
    else:
        if im.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            im = im.convert("RGBA" if "A" in im.mode or "transparency" in im.info else "RGB")
        im.save(out, "PNG", optimize=quality < 88, **extra)
    ext, media_type = KEPT_FORMATS[fmt]
    return PreparedImage(out.getvalue(), ext, media_type)


PNG_OPTIMISE_ABOVE = 100_000
"""PNG files larger than this are re-encoded (without loss, or in 256 colours where no
difference shows) when that makes them smaller."""

def read_image(path: Path) -> bytes:
    """The file's bytes; ImageError with a readable reason."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImageError(f"cannot be read ({exc.strerror})") from None


def prepare_image(path: Path, max_size: int, *, greyscale: bool = False,
                  budget: int | None = None, data: bytes | None = None,
                  palette: bool = True) -> PreparedImage:
    """Read (unless `data` holds the file's bytes), check and convert one image file: no
    larger than `max_size` on its long side, in greys with `greyscale`, within `budget`
    bytes where it can be, a large PNG in 256 colours where no difference shows
    (`palette`); raises ImageError with a readable reason. An animated image becomes its
    first frame (e-readers do not play them)."""
    if data is None:
        data = read_image(path)
    if looks_like_svg(path, data):
        return PreparedImage(sanitize_svg(data), *SVG_TYPE)
    with decoding(), Image.open(io.BytesIO(data)) as im:
        check_pixels(im)
        fmt = im.format or ""
        animated = bool(getattr(im, "is_animated", False))
        if (fmt in KEPT_FORMATS and max(im.size) <= max_size and not greyscale
                and not animated and (budget is None or len(data) <= budget)):
            # The author's file, byte for byte: checked, but no need to decode its pixels
            # unless it is a PNG worth making smaller.
            verify(im, data)
            if fmt != "PNG" or len(data) <= PNG_OPTIMISE_ABOVE:
                return PreparedImage(data, *KEPT_FORMATS[fmt])
            with Image.open(io.BytesIO(data)) as again:
                again.load()
                return _smaller_png(again, data, palette)
        im.load()  # decode now: a truncated file fails here, not later (frame 1 only)
        prepared = _convert(im, max_size, greyscale, budget, palette)
        return replace(prepared, animated=animated) if animated else prepared


def _smaller_png(im: Image.Image, data: bytes, palette: bool = True) -> PreparedImage:
    """The PNG re-encoded without any loss (a palette when it has 256 colours or fewer,
    the strongest compression), in 256 colours where no difference shows (`palette`), or
    the author's file when that is smaller."""
    icc = im.info.get("icc_profile")
    extra = {"icc_profile": icc} if icc else {}
    candidates = [data]
    work = im
    if im.mode == "RGB" and im.getcolors(256) is not None:
        exact = im.convert("P", palette=Image.Palette.ADAPTIVE, colors=256)
        if ImageChops.difference(exact.convert("RGB"), im).getbbox() is None:
            work = exact  # every colour kept exactly
    if work is im and palette:
        work = invisible_palette(im) or im
    out = io.BytesIO()
    work.save(out, "PNG", optimize=True, **extra)
    candidates.append(out.getvalue())
    return PreparedImage(min(candidates, key=len), *KEPT_FORMATS["PNG"])


def _convert(im: Image.Image, max_size: int, greyscale: bool = False,
             budget: int | None = None, palette_wanted: bool = True) -> PreparedImage:
    fmt = im.format or ""
    too_big = max(im.size) > max_size
    icc = im.info.get("icc_profile")
    if fmt == "JPEG":
        target = "JPEG"
    elif fmt == "PNG" or fmt == "GIF":
        target = "PNG"  # a downscaled GIF keeps its first frame only
    else:
        target = "JPEG" if _is_photo(im) else "PNG"
    work = ImageOps.exif_transpose(im) if fmt == "JPEG" else im
    palette = work.mode == "P"
    if greyscale:
        has_alpha = "A" in work.mode or "transparency" in work.info
        work, icc = work.convert("LA" if has_alpha else "L"), None
    if too_big:
        if work.mode in ("P", "1"):  # Pillow resizes palette images with NEAREST: jagged
            has_alpha = "transparency" in work.info
            work = work.convert("RGBA" if has_alpha else ("L" if work.mode == "1" else "RGB"))
        # A box reduction by a whole factor first, then Lanczos for the rest: much faster
        # on camera-sized images, and no visible loss at e-reader sizes.
        work.thumbnail((max_size, max_size), Image.Resampling.LANCZOS, reducing_gap=1.5)
        if palette and target == "PNG" and not greyscale:  # back to 256 colours: a quarter
            work = work.quantize(256, method=Image.Quantize.FASTOCTREE,
                                 dither=Image.Dither.NONE)
    prepared = _encode(work, target, icc)
    if target == "PNG" and palette_wanted and len(prepared.data) > PNG_OPTIMISE_ABOVE:
        near = invisible_palette(work)
        if near is not None:
            prepared = min(prepared, _encode(near, "PNG", icc, quality=80),
                           key=lambda p: len(p.data))
    return prepared if budget is None else _within(work, target, icc, prepared, budget,
                                                   palette_wanted)


MIN_SIDE = 480
"""No image is scaled below this on its long side to meet a budget: it would be unreadable."""


def _within(im: Image.Image, fmt: str, icc: bytes | None, prepared: PreparedImage,
            budget: int, palette: bool = True) -> PreparedImage:
    """`prepared` brought under `budget` bytes, each step only when the one before was not
    enough: a PNG compressed harder (no loss); a photo as a JPEG, at lower quality; other
    PNGs in 256 colours, dithered (unless `palette` is False: every colour kept); then
    smaller, never below MIN_SIDE."""
    if len(prepared.data) <= budget:
        return prepared
    if fmt == "PNG":
        prepared = min(prepared, _encode(im, fmt, icc, quality=80), key=lambda p: len(p.data))
        if len(prepared.data) <= budget:
            return prepared
        if _is_photo(im):
            fmt = "JPEG"
        elif palette and im.mode in ("RGB", "RGBA"):
            im = im.quantize(256, method=Image.Quantize.FASTOCTREE,
                             dither=Image.Dither.FLOYDSTEINBERG)
    quality = 70
    for quality in (88, 80, 70) if fmt == "JPEG" else (80,):
        prepared = _encode(im, fmt, icc, quality)
        if len(prepared.data) <= budget:
            return prepared
    while len(prepared.data) > budget and max(im.size) > MIN_SIDE:
        scale = max((budget / len(prepared.data)) ** 0.5 * 0.95, MIN_SIDE / max(im.size))
        if im.mode in ("P", "1"):
            im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))),
                       Image.Resampling.LANCZOS, reducing_gap=2.0)
        prepared = _encode(im, fmt, icc, quality)
    return prepared


# -- the book's images --------------------------------------------------------------------


@dataclass(frozen=True)
class ImageTarget:
    """How the book wants its images: the device's size, colours and budget."""

    max_size: int
    """Long side, in pixels."""
    greyscale: bool = False
    """In greys (e-ink)."""
    budget: int | None = None
    """Bytes an image may take."""
    palette: bool = True
    """Large PNGs in 256 colours where no difference shows (`kbbook.image_palette`)."""

    def prepare(self, path: Path, data: bytes | None = None) -> PreparedImage:
        return prepare_image(path, self.max_size, greyscale=self.greyscale,
                             budget=self.budget, data=data, palette=self.palette)


class ImagePreparer:
    """Prepares images on worker threads, so the work can start while pages are still being
    rendered: Pillow releases the GIL while it decodes, scales and encodes, so both cores
    work. Use it as a context manager; leaving it cancels what was not started. Prepared
    images are kept in `cache` (default: kbbook's cache folder; `cache=False`: none) for the
    next build."""

    def __init__(self, target: ImageTarget | None = None,
                 cache: ImageCache | bool = True) -> None:
        self.target = target
        self.cache = ImageCache() if cache is True else cache or None
        self._pool = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1),
                                        thread_name_prefix="kbbook-image")
        self._futures: dict[tuple[Path, ImageTarget], Future[PreparedImage]] = {}

    def configure(self, target: ImageTarget) -> None:
        """Say how images are wanted, once the site's configuration is known."""
        self.target = target

    def submit(self, path: Path) -> None:
        """Start preparing `path` (once)."""
        if self.target is None:
            return
        key = (path, self.target)
        if key not in self._futures:
            self._futures[key] = self._pool.submit(self._prepare, path, self.target)

    def _prepare(self, path: Path, target: ImageTarget) -> PreparedImage:
        if self.cache is None:
            with strict_decoding():
                return target.prepare(path)
        data = read_image(path)  # (read once: for its key, then to prepare it)
        key = self.cache.key(data, target)
        found = self.cache.get(key)
        if found is not None:
            fields, cached = found
            return PreparedImage(cached, str(fields["extension"]), str(fields["media_type"]),
                                 bool(fields.get("animated")))
        with strict_decoding():
            prepared = target.prepare(path, data)
        self.cache.put(key, {"extension": prepared.extension,
                                 "media_type": prepared.media_type,
                                 "animated": prepared.animated}, prepared.data)
        return prepared

    def result(self, path: Path) -> PreparedImage:
        """The prepared image; raises ImageError like `prepare_image`."""
        assert self.target is not None
        self.submit(path)
        return self._futures[(path, self.target)].result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self.cache is not None:
            self.cache.prune()

    def __enter__(self) -> ImagePreparer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ImageStore:
    """Embeds each site image once, under `images/`, and remembers what failed. Files with
    the same content under different paths (a versioned site's copies of its screenshots)
    are embedded once too."""

    def __init__(self, target: ImageTarget | int, diagnostics: Diagnostics,
                 reserved: tuple[str, ...] = (), preparer: ImagePreparer | None = None) -> None:
        self.target = target if isinstance(target, ImageTarget) else ImageTarget(target)
        self.diagnostics = diagnostics
        self._by_rel: dict[str, EmbeddedImage | None] = {}
        self._by_content: dict[bytes, EmbeddedImage] = {}
        self._names: set[str] = {name.lower() for name in reserved}
        self.preparer = preparer if preparer is not None else ImagePreparer()
        self.preparer.configure(self.target)

    def prefetch(self, images: Iterable[ImageRef]) -> None:
        """Start preparing these images in the background, ahead of `embed`."""
        for image in images:
            if image.path is not None:
                self.preparer.submit(image.path)

    @property
    def images(self) -> tuple[EmbeddedImage, ...]:
        """Embedded images, each file once, in the order pages first showed them."""
        return tuple(self._by_content.values())

    def embed(self, image: ImageRef, page: Page) -> EmbeddedImage | None:
        """The embedded file of a page's image, or None (reported, with the page's line)."""
        if image.rel in self._by_rel:
            return self._by_rel[image.rel]
        embedded = None
        assert image.path is not None
        try:
            prepared = self.preparer.result(image.path)
        except ImageError as exc:
            self.diagnostics.warning(page.rel, image.line, "image",
                                     f"image {image.rel} {exc}; its alt text is shown instead")
        else:
            content = hashlib.sha256(prepared.data).digest() + bytes([prepared.animated])
            embedded = self._by_content.get(content)
            if embedded is None:
                stem = posixpath.splitext(posixpath.basename(image.rel))[0]
                name = unique(_UNSAFE_NAME.sub("-", stem).strip("-") or "image", self._names,
                              suffix="." + prepared.extension, first=2, fold=True)
                embedded = EmbeddedImage(image.rel, f"images/{name}",
                                         "img-" + name.replace(".", "-"), prepared)
                self._by_content[content] = embedded
        self._by_rel[image.rel] = embedded
        return embedded


ANIMATION_NOTE = "This picture moves on the website"


def _animation_note(img: etree._Element, url: str | None) -> None:
    """Under a still frame of an animated image: that it moves on the website, and where."""
    after = img
    for ancestor in img.iterancestors(xhtml("a")):
        after = ancestor  # a link cannot hold another
    br = etree.Element(xhtml("br"))
    note = etree.Element(xhtml("span"), {"class": "kb-animation-note"})
    if url:
        note.text = ANIMATION_NOTE + ": "
        link = etree.SubElement(note, xhtml("a"), {"href": url, "class": "kb-external"})
        link.text = url
        link.tail = "."
    else:
        note.text = ANIMATION_NOTE + "."
    note.tail, after.tail = after.tail, None
    after.addnext(br)
    br.addnext(note)


def embed_images(pages: Iterable[tuple[etree._Element, RenderedPage]], store: ImageStore,
                 diagnostics: Diagnostics, site_url: str = "") -> bool:
    """Point each page's `<img data-kb-image>` at its embedded file, or put its alt text in
    its place; a still frame of an animated image gets a note with the page's web address
    (when the site has a `url`). True when every image left has a non-empty alt."""
    all_alt = True
    for root, rendered in pages:
        for img in [el for el in root.iter(xhtml("img")) if el.get(IMAGE_ATTR) is not None]:
            image = rendered.images[int(img.attrib.pop(IMAGE_ATTR))]
            if image.url:
                # EPUB 3 forbids remote images; a link keeps the picture one tap away.
                diagnostics.warning(rendered.page.rel, image.line, "remote-image",
                                    f"image {image.url} is on the web and is not embedded; a "
                                    "link to it is shown instead")
                link = img.makeelement(xhtml("a"), {"href": image.url, "class": "kb-external"})
                link.text = image.alt.strip() or image.url
                replace_element(img, link)
                continue
            embedded = store.embed(image, rendered.page)
            if embedded is None:
                missing_image(img, image.rel)
                continue
            img.set("src", embedded.href)
            if embedded.image.animated:
                _animation_note(img, site_url + rendered.page.url if site_url else None)
            all_alt = all_alt and bool(image.alt.strip())
    return all_alt
