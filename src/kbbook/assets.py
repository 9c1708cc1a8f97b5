"""Images for the EPUB: found through the link resolver, checked, converted and downscaled.

E-readers reliably show only JPEG, PNG, GIF and SVG; anything else becomes PNG (or JPEG for
photos). Pillow's decompression-bomb limit applies, and a file that cannot be decoded is a
warning naming the page and the image, never a traceback.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import threading
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from .errors import Diagnostics
from .links import TargetKind
from .xhtml import remove

if TYPE_CHECKING:
    from .links import LinkResolver
    from .site import Page

SVG_NS = "http://www.w3.org/2000/svg"
XHTML_NS = "http://www.w3.org/1999/xhtml"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
KEPT_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"),
                "GIF": ("gif", "image/gif")}
SVG_TYPE = ("svg", "image/svg+xml")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")
_REMOTE = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*['\"]?(?!#)|@import", re.IGNORECASE)


class ImageError(Exception):
    """An image that cannot go into the book; the message says why, for the user."""


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


def sanitize_svg(data: bytes) -> bytes:
    """The SVG without DTD, entities, scripts, event handlers or links outside the image."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             remove_comments=True, remove_pis=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ImageError(f"is not a readable SVG file ({exc.msg})") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ImageError("is not an SVG image (its root element is not <svg> in the SVG "
                         "namespace)")
    for node in list(root.iter(etree.Entity)):  # unresolved entities would be undefined
        remove(node)
    for node in list(root.iter(f"{{{SVG_NS}}}script", "script", f"{{{SVG_NS}}}foreignObject")):
        remove(node)
    for node in root.iter(f"{{{SVG_NS}}}style", "style"):
        if node.text and _CSS_URL.search(node.text):
            node.text = ""
    for node in root.iter(etree.Element):
        for name, value in list(node.attrib.items()):
            local = etree.QName(name).localname
            handler = local.lower().startswith("on")
            outside = (local == "href" or name == XLINK_HREF) and not value.startswith("#")
            if handler or outside or (local == "style" and _CSS_URL.search(value)):
                del node.attrib[name]
    # An <image> or <use> whose outside reference was just removed would point at nothing.
    for node in list(root.iter(f"{{{SVG_NS}}}image", f"{{{SVG_NS}}}use")):
        if node.get("href") is None and node.get(XLINK_HREF) is None:
            remove(node)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _looks_like_svg(path: Path, data: bytes) -> bool:
    if path.suffix.lower() in (".svg", ".svgz"):
        return True
    head = data[:1024].lstrip()
    return head.startswith((b"<?xml", b"<svg")) and b"<svg" in data[:4096]


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


_strict_lock = threading.Lock()
_strict_users = 0
_strict_saved = False


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """A truncated file must fail to load. WeasyPrint switches Pillow's global
    LOAD_TRUNCATED_IMAGES on when imported (in-process API users may load both). The switch
    is global, so threads share one hold on it: the first saves it, the last restores it."""
    global _strict_users, _strict_saved
    with _strict_lock:
        if _strict_users == 0:
            _strict_saved = ImageFile.LOAD_TRUNCATED_IMAGES
            ImageFile.LOAD_TRUNCATED_IMAGES = False
        _strict_users += 1
    try:
        yield
    finally:
        with _strict_lock:
            _strict_users -= 1
            if _strict_users == 0:
                ImageFile.LOAD_TRUNCATED_IMAGES = _strict_saved


def _check_pixels(im: Image.Image) -> None:
    """Refuse decompression bombs explicitly: warning filters are not thread-safe."""
    if im.width * im.height > (Image.MAX_IMAGE_PIXELS or 0) > 0:
        raise Image.DecompressionBombError("too many pixels")


@contextmanager
def _decoding() -> Iterator[None]:
    """Turn every way Pillow can fail on hostile input into an ImageError with a reason."""
    try:
        with warnings.catch_warnings(), _strict_decoding():
            warnings.simplefilter("ignore")  # Pillow's "corrupt EXIF" chatter on stderr
            # Past MAX_IMAGE_PIXELS Pillow only warns; treat that as refusal, too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"is too large to decode safely (over {Image.MAX_IMAGE_PIXELS:,} "
                         "pixels); it may be a decompression bomb") from None
    except UnidentifiedImageError:
        raise ImageError("is not an image format kbbook can read") from None
    except Exception as exc:  # Pillow's plugins raise many types (struct.error, IndexError…)
        # on damaged input; whatever it is, the image is left out, never the build.
        raise ImageError(f"cannot be decoded ({type(exc).__name__}: {exc}); it may be "
                         "truncated or damaged") from None


def image_problem(path: Path) -> str | None:
    """Why an image file cannot go into a book (damaged, a decompression bomb, not an
    image), or None. Checked once while rendering, so both writers leave the same images
    out and the warning can name the page and line."""
    try:
        stat = path.stat()
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    return _image_problem(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4096)
def _image_problem(path: Path, _mtime: int, _size: int) -> str | None:
    """`image_problem`, remembered per file version: pages often share an image."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if _looks_like_svg(path, data):
        return None  # sanitised by whoever embeds it
    try:
        # Opening reads the header (a decompression bomb fails here); verify() walks the
        # file's chunks and checksums without decoding pixels, which catches truncation
        # cheaply. JPEG has no checksums: a complete one ends with the EOI marker.
        with _decoding(), Image.open(io.BytesIO(data)) as im:
            _check_pixels(im)
            _verify(im, data)
    except ImageError as exc:
        return str(exc)
    return None


def prepare_image(path: Path, max_size: int) -> PreparedImage:
    """Read, check and convert one image file; raises ImageError with a readable reason."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageError(f"cannot be read ({exc.strerror})") from None
    if _looks_like_svg(path, data):
        return PreparedImage(sanitize_svg(data), *SVG_TYPE)
    with _decoding(), Image.open(io.BytesIO(data)) as im:
        _check_pixels(im)
        fmt = im.format or ""
        if fmt in KEPT_FORMATS and max(im.size) <= max_size:
            # The author's file, byte for byte: checked, but no need to decode its pixels.
            _verify(im, data)
            return PreparedImage(data, *KEPT_FORMATS[fmt])
        im.load()  # decode now: a truncated file fails here, not later
        return _convert(im, max_size)


def _verify(im: Image.Image, data: bytes) -> None:
    """Walk the file's chunks and checksums without decoding pixels: catches truncation
    cheaply. JPEG has no checksums; a complete one ends with its EOI marker."""
    im.verify()
    if im.format == "JPEG" and not data.rstrip(b"\0").endswith(b"\xff\xd9"):
        raise OSError("image file is truncated")


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
        with _strict_decoding():
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

    def __init__(self, resolver: LinkResolver, max_size: int, diagnostics: Diagnostics,
                 reserved: tuple[str, ...] = (), preparer: ImagePreparer | None = None) -> None:
        self.resolver = resolver
        self.max_size = max_size
        self.diagnostics = diagnostics
        self._by_rel: dict[str, EmbeddedImage | None] = {}
        self._names: set[str] = set(reserved)
        self.preparer = preparer if preparer is not None else ImagePreparer()
        self.preparer.configure(max_size)

    def prefetch(self, rels: Iterable[str]) -> None:
        """Start preparing these site images in the background, ahead of `embed`."""
        for rel in rels:
            target = self.resolver.site_file(rel)
            if target.kind is TargetKind.FILE and target.path is not None:
                self.preparer.submit(target.path)

    @property
    def images(self) -> tuple[EmbeddedImage, ...]:
        """Embedded images, in the order pages first showed them."""
        return tuple(img for img in self._by_rel.values() if img is not None)

    def embed(self, src: str, page: Page) -> EmbeddedImage | None:
        """The embedded image for a site path as written in a page, or None (reported)."""
        rel = posixpath.normpath(src.lstrip("/"))
        if rel in self._by_rel:
            return self._by_rel[rel]
        target = self.resolver.site_file(rel)
        embedded = None
        if target.kind is TargetKind.FILE and target.path is not None:
            try:
                prepared = self.preparer.result(target.path)
            except ImageError as exc:
                self.diagnostics.warning(page.rel, None, "image",
                                         f"image {target.rel} {exc}; its alt text is shown "
                                         "instead")
            else:
                embedded = self._add(target.rel, prepared)
        else:
            self.diagnostics.warning(page.rel, None, "image",
                                     f"image {rel} is not a file inside the site; its alt text "
                                     "is shown instead")
        self._by_rel[rel] = embedded
        return embedded

    def unique_name(self, stem: str, extension: str) -> str:
        """A file name under `images/` not used yet (ASCII, no spaces)."""
        base = _UNSAFE_NAME.sub("-", stem).strip("-") or "image"
        name, n = f"{base}.{extension}", 1
        while name.lower() in self._names:
            n += 1
            name = f"{base}-{n}.{extension}"
        self._names.add(name.lower())
        return name

    def _add(self, rel: str, prepared: PreparedImage) -> EmbeddedImage:
        name = self.unique_name(posixpath.splitext(posixpath.basename(rel))[0],
                                prepared.extension)
        item_id = "img-" + name.replace(".", "-")
        return EmbeddedImage(rel, f"images/{name}", item_id, prepared)


# -- the pages' <img> elements -------------------------------------------------------------


def _h(tag: str) -> str:
    return f"{{{XHTML_NS}}}{tag}"


def replace_with_text(el: etree._Element, text: str, css_class: str) -> None:
    """Put `text` (an image's alt) where `el` was; nothing when there is no text."""
    parent = el.getparent()
    if parent is None:
        return
    if text.strip():
        span = etree.Element(_h("span"), {"class": css_class})
        span.text = text
        span.tail = el.tail
        parent.replace(el, span)
    else:
        remove(el)


def embed_images(pages: Iterable[tuple[etree._Element, Page]], store: ImageStore,
                 diagnostics: Diagnostics) -> bool:
    """Point each XHTML `<img>` at its embedded file, or put its alt text in its place.
    True when every image left has a non-empty alt."""
    all_alt = True
    for root, page in pages:
        for img in list(root.iter(_h("img"))):
            src = (img.get("src") or "").strip()
            alt = img.get("alt") or ""
            if _REMOTE.match(src):
                # EPUB 3 forbids remote images; a link keeps the picture one tap away.
                diagnostics.warning(page.rel, None, "remote-image",
                                    f"image {src} is on the web and is not embedded; a link "
                                    "to it is shown instead")
                link = etree.Element(_h("a"), {"href": "https:" + src if src.startswith("//")
                                               else src, "class": "kb-external"})
                link.text = alt.strip() or src
                link.tail = img.tail
                img.getparent().replace(img, link)
                continue
            embedded = store.embed(src, page) if src else None
            if embedded is None:
                replace_with_text(img, alt, "kb-missing-image")
                continue
            img.set("src", embedded.href)
            img.set("alt", alt)
            all_alt = all_alt and bool(alt.strip())
    return all_alt
