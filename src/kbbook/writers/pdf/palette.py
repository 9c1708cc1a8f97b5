"""The book's large pictures in 256 colours where nobody could tell (`..palette`), as the
merge takes each one in: WeasyPrint writes every PNG as full RGB, so a screenshot of a few
real colours and thousands of antialiasing shades keeps all of them. An image that passes
becomes an Indexed image (a colour table and one byte a pixel), about a third of its size;
photos and gradients fail the test and stay as they are.

Each decision is kept in the build cache by the image's content, so a rebuild quantises
nothing it has seen; an entry that does not check out is ignored and made again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import zlib
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pikepdf
import PIL
from pikepdf import Array, Name, PdfImage
from PIL import Image

from ..palette import PALETTE_MAX_AREA_ERROR, PALETTE_MIN_PSNR, invisible_palette

VERSION = b"kbbook-palette 1\n"
"""Starts every cache entry; changes when the test or the encoding does."""
MIN_BYTES = 32_000
"""Images smaller than this (as stored) are left alone: too little to gain."""
MIN_GAIN = 0.9
"""The Indexed image is used only when at most this fraction of the original's size."""
_KEEP = b""


_DECIDED_BY = (f"{VERSION!r} Pillow {PIL.__version__} zlib {zlib.ZLIB_RUNTIME_VERSION} "
               f"{PALETTE_MIN_PSNR} {PALETTE_MAX_AREA_ERROR} {MIN_BYTES} {MIN_GAIN}").encode()
"""What a decision depends on besides the image: its name in the cache hashes it too."""


def _candidate(image: pikepdf.Stream) -> bool:
    """An 8-bit RGB image in Flate, as WeasyPrint writes PNGs, without masks of its own
    (its size is looked at apart: reading it copies the stream)."""
    if image.get("/ColorSpace") != Name.DeviceRGB or image.get("/BitsPerComponent") != 8:
        return False
    if image.get("/Filter") != Name.FlateDecode or "/Decode" in image \
            or image.get("/ImageMask", False) or "/Mask" in image:
        return False  # (a colour-key mask names RGB values, which an Indexed image has not)
    smask = image.get("/SMask")
    if smask is not None and "/Matte" in smask:
        return False  # (its Matte has one value per colour component)
    parms = image.get("/DecodeParms")
    return parms is None or isinstance(parms, pikepdf.Dictionary)


def _picture(image: pikepdf.Stream) -> Image.Image | None:
    """The image's pixels (without its soft mask, which stays as it is), or None."""
    try:
        picture = PdfImage(image).as_pil_image()
    except Exception:  # (pikepdf raises many kinds: the image stays as it is)
        return None
    if picture.mode == "RGBA":
        picture = picture.convert("RGB")
    return picture if picture.mode == "RGB" else None


def _indexed(picture: Image.Image | None, stored: int) -> bytes:
    """The Indexed form of `picture` (stored in `stored` bytes): colour count (2 bytes),
    colour table, compressed indices; empty when it should keep every colour."""
    palette = None if picture is None else invisible_palette(picture)
    if palette is None:
        return _KEEP
    table = bytes(palette.getpalette() or [])
    colours = len(table) // 3
    data = zlib.compress(palette.tobytes(), 9)
    if not colours or len(data) > MIN_GAIN * stored:
        return _KEEP
    return struct.pack(">H", colours) + table[:3 * colours] + data


class Palettes:
    """Turns the book's images into Indexed images where no difference shows; decisions
    are kept in `folder` (none: made afresh each build)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError:
                self.folder = None
        self.indexed = 0
        self.saved = 0
        """Bytes the Indexed images saved."""

    def apply(self, images: Sequence[tuple[pikepdf.Stream, bytes]]) -> None:
        """Each of `images` (in the merged book; with its content's key) made Indexed if it
        passes. Those not decided before are tested two at a time (Pillow and zlib let go
        of the interpreter), pikepdf read in this thread only: at most three pictures are
        held at once."""
        todo = []
        for image, key in images:
            if not _candidate(image):
                continue
            stored = len(image.read_raw_bytes())
            if stored < MIN_BYTES:
                continue
            name = hashlib.blake2b(_DECIDED_BY + key, digest_size=20).hexdigest()
            found = self._read(name)
            if found is None:
                todo.append((image, stored, name))
            else:
                self._use(image, stored, found)
        if not todo:
            return
        with ThreadPoolExecutor(2) as pool:
            pending: deque[tuple[pikepdf.Stream, int, str, Future[bytes]]] = deque()
            for image, stored, name in todo:
                pending.append((image, stored, name,
                                pool.submit(_indexed, _picture(image), stored)))
                if len(pending) == 2:
                    self._decided(*pending.popleft())
            while pending:
                self._decided(*pending.popleft())

    def _decided(self, image: pikepdf.Stream, stored: int, name: str,
                 decision: Future[bytes]) -> None:
        found = decision.result()
        self._write(name, found)
        self._use(image, stored, found)

    def _use(self, image: pikepdf.Stream, stored: int, found: bytes) -> None:
        """`image` (`stored` bytes as it is) made Indexed as `found` says, if it says so."""
        if found == _KEEP:
            return
        (colours,) = struct.unpack(">H", found[:2])
        table, data = found[2:2 + 3 * colours], found[2 + 3 * colours:]
        image.write(data, filter=Name.FlateDecode)
        if "/DecodeParms" in image:
            del image["/DecodeParms"]
        image.ColorSpace = Array([Name.Indexed, Name.DeviceRGB, colours - 1,
                                  pikepdf.String(table)])
        self.indexed += 1
        self.saved += stored - len(data)

    def _read(self, name: str) -> bytes | None:
        if self.folder is None:
            return None
        try:
            entry = (self.folder / name).read_bytes()
        except OSError:
            return None
        head, digest, body = entry[:len(VERSION)], entry[len(VERSION):len(VERSION) + 20], \
            entry[len(VERSION) + 20:]
        if head != VERSION or hashlib.blake2b(body, digest_size=20).digest() != digest:
            return None  # torn, corrupt or foreign: made again
        if body and not (len(body) > 2 and 1 <= struct.unpack(">H", body[:2])[0] <= 256
                         and len(body) > 2 + 3 * struct.unpack(">H", body[:2])[0]):
            return None  # (a colour count PDF cannot hold, or no pixels)
        with contextlib.suppress(OSError):
            os.utime(self.folder / name)
        return body

    def _write(self, name: str, body: bytes) -> None:
        if self.folder is None:
            return
        path = self.folder / name
        tmp = path.with_name(f".{name}.{os.getpid()}.part")
        try:
            tmp.write_bytes(VERSION + hashlib.blake2b(body, digest_size=20).digest() + body)
            os.replace(tmp, path)
        except OSError:  # (a cache that cannot be written is no cache)
            with contextlib.suppress(OSError):
                tmp.unlink()
