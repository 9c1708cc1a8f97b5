"""Images for the EPUB: the files the renderer checked, converted and downscaled.

E-readers reliably show only JPEG, PNG, GIF and SVG; anything else becomes PNG (or JPEG for
photos). Pillow's decompression-bomb limit applies, and a file that cannot be decoded is a
warning naming the page and the image, never a traceback.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree
from PIL import Image, ImageOps

from ...errors import Diagnostics
from ...render.html import missing_image, replace
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


def _encode(im: Image.Image, fmt: str, icc: bytes | None) -> PreparedImage:
    out = io.BytesIO()
    extra = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        if im.mode not in ("RGB", "L", "CMYK"):
            im = im.convert("RGB")
        im.save(out, "JPEG", quality=88, **extra)
    else:
        if im.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            im = im.convert("RGBA" if "A" in im.mode or "transparency" in im.info else "RGB")
        im.save(out, "PNG", **extra)
    ext, media_type = KEPT_FORMATS[fmt]
    return PreparedImage(out.getvalue(), ext, media_type)


def prepare_image(path: Path, max_size: int) -> PreparedImage:
    """Read, check and convert one image file; raises ImageError with a readable reason."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageError(f"cannot be read ({exc.strerror})") from None
    if looks_like_svg(path, data):
        return PreparedImage(sanitize_svg(data), *SVG_TYPE)
    with decoding(), Image.open(io.BytesIO(data)) as im:
        check_pixels(im)
        fmt = im.format or ""
        if fmt in KEPT_FORMATS and max(im.size) <= max_size:
            # The author's file, byte for byte: checked, but no need to decode its pixels.
            verify(im, data)
            return PreparedImage(data, *KEPT_FORMATS[fmt])
        im.load()  # decode now: a truncated file fails here, not later
        return _convert(im, max_size)


def _convert(im: Image.Image, max_size: int) -> PreparedImage:
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
    if too_big:
        palette = work.mode == "P"
        if work.mode in ("P", "1"):  # Pillow resizes palette images with NEAREST: jagged
            has_alpha = "transparency" in work.info
            work = work.convert("RGBA" if has_alpha else ("L" if work.mode == "1" else "RGB"))
        # A box reduction by a whole factor first, then Lanczos for the rest: much faster
        # on camera-sized images, and no visible loss at e-reader sizes.
        work.thumbnail((max_size, max_size), Image.Resampling.LANCZOS, reducing_gap=1.5)
        if palette and target == "PNG":  # back to 256 colours: a quarter of the RGB size
            work = work.quantize(256, method=Image.Quantize.FASTOCTREE,
                                 dither=Image.Dither.NONE)
    return _encode(work, target, icc)


# -- the book's images --------------------------------------------------------------------


class ImagePreparer:
    """Prepares images on worker threads, so the work can start while pages are still being
    rendered: Pillow releases the GIL while it decodes, scales and encodes, so both cores
    work. Use it as a context manager; leaving it cancels what was not started."""

    def __init__(self, max_size: int | None = None) -> None:
        self.max_size = max_size
        self._pool = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1),
                                        thread_name_prefix="kbbook-image")
        self._futures: dict[tuple[Path, int], Future[PreparedImage]] = {}

    def configure(self, max_size: int) -> None:
        """Set the size limit once the site's configuration is known."""
        self.max_size = max_size

    def submit(self, path: Path) -> None:
        """Start preparing `path` (once)."""
        if self.max_size is None:
            return
        key = (path, self.max_size)
        if key not in self._futures:
            self._futures[key] = self._pool.submit(self._prepare, path, self.max_size)

    @staticmethod
    def _prepare(path: Path, max_size: int) -> PreparedImage:
        with strict_decoding():
            return prepare_image(path, max_size)

    def result(self, path: Path) -> PreparedImage:
        """The prepared image; raises ImageError like `prepare_image`."""
        assert self.max_size is not None
        self.submit(path)
        return self._futures[(path, self.max_size)].result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ImagePreparer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ImageStore:
    """Embeds each site image once, under `images/`, and remembers what failed."""

    def __init__(self, max_size: int, diagnostics: Diagnostics, reserved: tuple[str, ...] = (),
                 preparer: ImagePreparer | None = None) -> None:
        self.max_size = max_size
        self.diagnostics = diagnostics
        self._by_rel: dict[str, EmbeddedImage | None] = {}
        self._names: set[str] = {name.lower() for name in reserved}
        self.preparer = preparer if preparer is not None else ImagePreparer()
        self.preparer.configure(max_size)

    def prefetch(self, images: Iterable[ImageRef]) -> None:
        """Start preparing these images in the background, ahead of `embed`."""
        for image in images:
            if image.path is not None:
                self.preparer.submit(image.path)

    @property
    def images(self) -> tuple[EmbeddedImage, ...]:
        """Embedded images, in the order pages first showed them."""
        return tuple(img for img in self._by_rel.values() if img is not None)

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
            stem = posixpath.splitext(posixpath.basename(image.rel))[0]
            name = unique(_UNSAFE_NAME.sub("-", stem).strip("-") or "image", self._names,
                          suffix="." + prepared.extension, first=2, fold=True)
            embedded = EmbeddedImage(image.rel, f"images/{name}",
                                     "img-" + name.replace(".", "-"), prepared)
        self._by_rel[image.rel] = embedded
        return embedded


def embed_images(pages: Iterable[tuple[etree._Element, RenderedPage]], store: ImageStore,
                 diagnostics: Diagnostics) -> bool:
    """Point each page's `<img data-kb-image>` at its embedded file, or put its alt text in
    its place. True when every image left has a non-empty alt."""
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
                replace(img, link)
                continue
            embedded = store.embed(image, rendered.page)
            if embedded is None:
                missing_image(img, image.rel)
                continue
            img.set("src", embedded.href)
            all_alt = all_alt and bool(image.alt.strip())
    return all_alt
