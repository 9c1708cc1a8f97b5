"""The generated cover: size, determinism, wrapping, and a font on any machine."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from kbbook.writers.epub import cover
from kbbook.writers.epub.cover import cover_font, generate_cover, wrap


def test_cover_is_a_1600x2560_png_and_the_same_every_time() -> None:
    first = generate_cover("The kbbook Handbook", "A description.", ("Ann", "Bob"))
    assert first == generate_cover("The kbbook Handbook", "A description.", ("Ann", "Bob"))
    with Image.open(io.BytesIO(first)) as im:
        assert im.format == "PNG" and im.size == (1600, 2560)
        # dark type on white: mostly paper, some ink
        colors = dict((c, n) for n, c in im.convert("L").getcolors(256) or [])
        assert colors.get(255, 0) > 0.6 * 1600 * 2560
        assert any(c < 80 for c in colors)


def test_different_titles_give_different_covers() -> None:
    assert generate_cover("One") != generate_cover("Two")


def test_long_titles_wrap_within_the_margins() -> None:
    font = cover_font(120, bold=True)
    title = "A Very Long Title About Product Management And Everything Around It " * 2
    lines = wrap(title, font, 1320)
    assert len(lines) > 2
    assert all(font.getlength(line) <= 1320 for line in lines)
    assert " ".join(lines) == " ".join(title.split())


def test_a_word_longer_than_a_line_is_cut() -> None:
    font = cover_font(100)
    lines = wrap("Supercalifragilistic" * 5, font, 600)
    assert len(lines) > 1 and all(font.getlength(line) <= 600 for line in lines)


def test_very_long_everything_still_draws() -> None:
    data = generate_cover("word " * 200, "description " * 300, tuple(f"Author {i}" for i in
                                                                    range(40)))
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (1600, 2560)


def test_without_system_fonts_pillow_font_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cover, "_font_file", lambda bold: None)
    font = cover_font(90)
    assert font.getlength("Title") > 150  # scaled, not the tiny bitmap font
    with Image.open(io.BytesIO(generate_cover("Title", "Text", ("Me",)))) as im:
        assert im.size == (1600, 2560)
