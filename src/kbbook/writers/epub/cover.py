"""A plain, legible cover drawn with Pillow when the site names no cover image.

Large dark type on white (fine on e-ink in both day and night modes): the title wrapped to
fit, the description below it, the authors at the foot. The same inputs give the same PNG.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1600, 2560
MARGIN = 140
INK = (20, 20, 20)
RULE = (90, 90, 90)

# Common places of DejaVu and Noto on Linux, macOS and Windows; Pillow's own font otherwise.
_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/noto",
    "/usr/share/fonts/opentype/noto",
    "/Library/Fonts",
    "/System/Library/Fonts/Supplemental",
    "C:/Windows/Fonts",
)
_BOLD = ("DejaVuSans-Bold.ttf", "NotoSans-Bold.ttf", "Arial Bold.ttf", "arialbd.ttf")
_REGULAR = ("DejaVuSans.ttf", "NotoSans-Regular.ttf", "Arial.ttf", "arial.ttf")

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font_file(bold: bool) -> Path | None:
    for name in _BOLD if bold else _REGULAR:
        for folder in _FONT_DIRS:
            path = Path(folder) / name
            if path.is_file():
                return path
    return None


def cover_font(size: int, bold: bool = False) -> Font:
    """A scalable system font at `size` px, else Pillow's built-in one at that size."""
    path = _font_file(bold)
    if path is not None:
        try:
            return ImageFont.truetype(str(path), size)
        except OSError:
            pass
    return ImageFont.load_default(size)


def wrap(text: str, font: Font, width: int) -> list[str]:
    """Greedy word wrap by measured width; a word longer than a line is cut."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        while font.getlength(word) > width and len(word) > 1:
            # The longest prefix that fits, by bisection: words can be thousands long.
            low, high = 1, len(word) - 1
            while low < high:
                mid = (low + high + 1) // 2
                if font.getlength(word[:mid]) <= width:
                    low = mid
                else:
                    high = mid - 1
            cut = low
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{current} {word}".strip()
        if font.getlength(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _fit(text: str, bold: bool, sizes: Sequence[int], max_lines: int,
         width: int) -> tuple[Font, list[str]]:
    """The largest size at which `text` wraps into `max_lines` lines (else the smallest)."""
    # No cover shows more than a few hundred characters: don't measure the rest.
    text = text[: 60 * max_lines]
    for size in sizes:
        font = cover_font(size, bold)
        lines = wrap(text, font, width)
        if len(lines) <= max_lines:
            return font, lines
    font = cover_font(sizes[-1], bold)
    lines = wrap(text, font, width)
    return font, [*lines[: max_lines - 1], lines[max_lines - 1].rstrip() + " …"]


def _draw_lines(draw: ImageDraw.ImageDraw, lines: list[str], font: Font, top: int,
                spacing: float) -> int:
    size = getattr(font, "size", 40)
    for line in lines:
        draw.text((MARGIN, top), line, font=font, fill=INK)
        top += int(size * spacing)
    return top


def generate_cover(title: str, description: str = "", authors: Sequence[str] = ()) -> bytes:
    """A 1600x2560 PNG cover with the title, description and authors."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    width = WIDTH - 2 * MARGIN

    draw.rectangle((MARGIN, 300, MARGIN + 200, 320), fill=RULE)
    title_font, title_lines = _fit(title or "Untitled", True, (170, 150, 130, 110, 96, 84), 6,
                                   width)
    top = _draw_lines(draw, title_lines, title_font, 400, 1.2)

    if description:
        desc_font, desc_lines = _fit(description, False, (72, 64, 56, 48), 8, width)
        _draw_lines(draw, desc_lines, desc_font, top + 120, 1.35)

    if authors:
        author_font, author_lines = _fit(", ".join(authors), False, (80, 68, 56), 3, width)
        size = getattr(author_font, "size", 60)
        top = HEIGHT - 260 - int(size * 1.3) * (len(author_lines) - 1)
        draw.rectangle((MARGIN, top - 80, MARGIN + 200, top - 68), fill=RULE)
        _draw_lines(draw, author_lines, author_font, top, 1.3)

    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
