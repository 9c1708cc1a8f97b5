"""Stand-ins for photos and screenshots in the layout pass: empty SVG files of the same size.

The layout pass only needs to know how much room each image takes, which its pixel size
(turned as its EXIF orientation says, as WeasyPrint turns it) decides; decoding every picture
to lay the book out once more would cost as much again as the final render's decoding.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from PIL import Image

_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")', re.IGNORECASE)
_TURNED = {5, 6, 7, 8}
"""EXIF orientations that swap width and height."""


class StandIns:
    """Empty SVG files, one per image size, in `folder`."""

    def __init__(self, folder: Path, base_url: str) -> None:
        self.folder = folder
        self.base_url = base_url
        self._sizes: dict[str, tuple[int, int] | None] = {}

    def _size(self, url: str) -> tuple[int, int] | None:
        if url not in self._sizes:
            size = None
            parts = urlsplit(url)
            path = Path(unquote(parts.path))
            if parts.scheme == "file" and path.suffix.lower() != ".svg":
                try:
                    with Image.open(path) as im:
                        width, height = im.size
                        if im.getexif().get(0x0112) in _TURNED:
                            width, height = height, width
                        size = (width, height)
                except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
                    size = None  # left as it is: WeasyPrint will say what is wrong
            self._sizes[url] = size
        return self._sizes[url]

    def _file(self, size: tuple[int, int]) -> str:
        path = self.folder / f"{size[0]}x{size[1]}.svg"
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" width="{size[0]}" '
                            f'height="{size[1]}"/>', encoding="ascii")
        return path.resolve().as_uri()

    def apply(self, html: str) -> str:
        """`html` with each local raster image replaced by a stand-in of its size."""
        def swap(m: re.Match[str]) -> str:
            size = self._size(urljoin(self.base_url, m[2].replace("&amp;", "&")))
            return m[0] if size is None else f"{m[1]}{self._file(size)}{m[3]}"

        return _IMG_SRC.sub(swap, html)
