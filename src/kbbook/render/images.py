"""Image files checked once, while rendering, for both writers: damaged files, decompression
bombs and things that are no image are found here (with the page and line); SVG images are
made safe wherever they are used.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from lxml import etree
from PIL import Image, ImageFile, UnidentifiedImageError

from .css import clean_declarations, clean_stylesheet
from .html import remove

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


class ImageError(Exception):
    """An image that cannot go into the book; the message says why, for the user."""


def _quiet(line: int | None, what: str) -> None:
    """An SVG's CSS that names a file is dropped without a message: the image is the
    author's, the reference could never work in a book."""


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
        if node.text:
            node.text = clean_stylesheet(node.text, _quiet, keep_local=True)
    for node in root.iter(etree.Element):
        for name, value in list(node.attrib.items()):
            local = etree.QName(name).localname
            handler = local.lower().startswith("on")
            outside = (local == "href" or name == XLINK_HREF) and not value.startswith("#")
            if handler or outside:
                del node.attrib[name]
            elif local == "style":
                node.set(name, clean_declarations(value, _quiet, keep_local=True))
    # An <image> or <use> whose outside reference was just removed would point at nothing.
    for node in list(root.iter(f"{{{SVG_NS}}}image", f"{{{SVG_NS}}}use")):
        if node.get("href") is None and node.get(XLINK_HREF) is None:
            remove(node)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def looks_like_svg(path: Path, data: bytes) -> bool:
    if path.suffix.lower() in (".svg", ".svgz"):
        return True
    head = data[:1024].lstrip()
    return head.startswith((b"<?xml", b"<svg")) and b"<svg" in data[:4096]


_strict_lock = threading.Lock()
_strict_users = 0
_strict_saved = False


@contextmanager
def strict_decoding() -> Iterator[None]:
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


def check_pixels(im: Image.Image) -> None:
    """Refuse decompression bombs explicitly: warning filters are not thread-safe."""
    if im.width * im.height > (Image.MAX_IMAGE_PIXELS or 0) > 0:
        raise Image.DecompressionBombError("too many pixels")


@contextmanager
def decoding() -> Iterator[None]:
    """Turn every way Pillow can fail on hostile input into an ImageError with a reason."""
    try:
        with warnings.catch_warnings(), strict_decoding():
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
    try:
        if looks_like_svg(path, data):
            sanitize_svg(data)  # (each writer sanitises its own copy again)
            return None
        # Opening reads the header (a decompression bomb fails here); verify() walks the
        # file's chunks and checksums without decoding pixels, which catches truncation
        # cheaply. JPEG has no checksums: a complete one ends with the EOI marker.
        with decoding(), Image.open(io.BytesIO(data)) as im:
            check_pixels(im)
            verify(im, data)
    except ImageError as exc:
        return str(exc)
    return None


def verify(im: Image.Image, data: bytes) -> None:
    """Walk the file's chunks and checksums without decoding pixels: catches truncation
    cheaply. JPEG has no checksums; a complete one ends with its EOI marker."""
    im.verify()
    if im.format == "JPEG" and not data.rstrip(b"\0").endswith(b"\xff\xd9"):
        raise OSError("image file is truncated")
