"""Numbers stamped after the layout: a chunk laid out with guessed numbers, stamped with the
real ones, is the page WeasyPrint draws with the real numbers, glyph for glyph."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest

from kbbook.writers.pdf.chunkrender import Job, render
from kbbook.writers.pdf.fetcher import FetchPolicy
from kbbook.writers.pdf.merge import merge
from kbbook.writers.pdf.slots import MARK, counters_css, delimit, page_value, stamp
from kbbook.writers.pdf.weasy import Stylesheet

CSS = """
@page { size: A6; margin: 15mm;
        @bottom-center { content: "page " counter(page) " of " counter(pages);
                         font: 9pt "Noto Sans"; } }
body { font: 11pt "Noto Serif"; }
a.x::after { content: "\\00a0(p.\\00a0" attr(data-kb-page) ")"; }
"""
PROPORTIONAL = "body { font-variant-numeric: proportional-nums; font-family: 'Noto Sans'; }"


def _html(number: str) -> str:
    return (f'<html><body><p>See <a class="x" href="#t" data-kb-page="{number}">there</a> '
            'for the rest, and more words after it.</p><p id="t">The target.</p></body></html>')


def _render(tmp_path: Path, name: str, html: str, css: str, first: int, total: int) -> Path:
    out = tmp_path / name
    sheets = (Stylesheet(css, None, "test"),
              Stylesheet(f"@page :first {{ counter-reset: page {first}; }}", None, "test"))
    render(Job(0, html, sheets, tmp_path.as_uri() + "/", FetchPolicy.create([tmp_path], []),
               total, str(out), 96))
    return out


def _glyphs(path: Path) -> list[tuple[str, float, float]]:
    """(character, x, y) of every glyph drawn on the first page, from its content stream."""
    with pikepdf.open(path) as pdf:
        return _page_glyphs(pdf.pages[0])


def _page_glyphs(page: pikepdf.Page) -> list[tuple[str, float, float]]:
    fonts: dict[str, tuple[dict[int, float], dict[int, str]]] = {}
    for name, font in page.Resources.Font.items():
        widths: dict[int, float] = {}
        w = list(font.DescendantFonts[0].get("/W", []))
        i = 0
        while i < len(w):
            if isinstance(w[i + 1], pikepdf.Array):
                widths.update({int(w[i]) + k: float(v) for k, v in enumerate(w[i + 1])})
                i += 2
            else:
                widths.update({g: float(w[i + 2]) for g in range(int(w[i]), int(w[i + 1]) + 1)})
                i += 3
        chars: dict[int, str] = {}
        cmap = font.ToUnicode.read_bytes().decode()
        for line in cmap.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0].startswith("<") and parts[1].startswith("<"):
                chars[int(parts[0][1:-1], 16)] = bytes.fromhex(parts[1][1:-1]).decode(
                    "utf-16-be")
        fonts[name] = (widths, chars)
    out = []
    font, size, x, y = "", 0.0, 0.0, 0.0
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "Tf":
            font, size = str(operands[0]), float(operands[1])
        elif op == "Tm":
            x, y = float(operands[4]), float(operands[5])
        elif op == "TJ":
            widths, chars = fonts[font]
            for item in operands[0]:
                if isinstance(item, pikepdf.String):
                    data = bytes(item)
                    for k in range(0, len(data), 2):
                        gid = int.from_bytes(data[k:k + 2], "big")
                        out.append((chars.get(gid, "?"), round(x, 2), round(y, 2)))
                        x += widths.get(gid, 0) / 1000 * size
                else:
                    x -= float(item) / 1000 * size
    return out


def _stamped(tmp_path: Path, chunk: Path, page: int, total: int, target: int) -> Path:
    out = tmp_path / f"stamped-{chunk.name}"
    merge([chunk], [frozenset({"t"})], out,
          stamps=lambda n: page_value(n + page - 1, total, {"t": target}))
    return out


def test_stamped_numbers_are_drawn_as_the_real_ones(tmp_path: Path) -> None:
    # Laid out as page 3 of 40 with the target on page 12; the book says 7 of 58 and 47.
    chunk = _render(tmp_path, "chunk.pdf", _html(delimit(12)), counters_css(CSS), 3, 40)
    with pikepdf.open(chunk) as pdf:
        assert MARK in pdf.pages[0].Contents.read_bytes()
    stamped = _stamped(tmp_path, chunk, 7, 58, 47)
    real = _render(tmp_path, "real.pdf", _html("47"), CSS, 7, 58)
    text = "".join(char for char, _, _ in _glyphs(stamped))
    assert "(p.\u00a047)" in text and "page 7 of 58" in text
    assert _glyphs(stamped) == _glyphs(real)
    with pikepdf.open(stamped) as pdf:
        assert MARK not in pdf.pages[0].Contents.read_bytes()


def test_digits_of_other_widths_leave_the_rest_of_the_line_in_place(tmp_path: Path) -> None:
    css = CSS + PROPORTIONAL
    chunk = _render(tmp_path, "chunk.pdf", _html(delimit(11)), counters_css(css), 1, 11)
    stamped = _stamped(tmp_path, chunk, 8, 88, 88)
    before, after = _glyphs(chunk), _glyphs(stamped)
    ones = [g for g in before if g[0] == "1"]
    eights = [g for g in after if g[0] == "8"]
    assert len(ones) == len(eights) == 2 + 1 + 2  # the link's number, the page's, the count
    real = _glyphs(_render(tmp_path, "real.pdf", _html("88"), css, 8, 88))
    assert after != real, "proportional digits: the test needs digits of other widths"
    # Every glyph but the digits is where the chunk's layout put it.
    assert [g for g in after if g[0] != "8"] == [g for g in before if g[0] != "1"]


@pytest.mark.parametrize(("new", "expected"), [("47", "47"), ("7", "7"), ("123", "123"),
                                               ("", "")])
def test_a_number_of_another_digit_count_is_still_printed(new: str, expected: str) -> None:
    # Two glyphs of room for a number: gids 0x11 and 0x12 ("1", "2"; 0x10-0x19 are 0-9).
    record = ('{"n":[["target","t",2]],"g":[[1,0,0,"F"],[2,0,1,"F"]],'
              '"f":{"F":[[16,17,18,19,20,21,22,23,24,25],[500,500,500,500,500,500,500,500,'
              '500,500]]}}')
    data = (b"/KbNum <</J <" + record.encode().hex().encode() + b">>> BDC\nBT\n"
            b"[<000300110012>-20<0004>] TJ\nET\nEMC\n")
    out, fits = stamp(data, lambda kind, target: int(new) if new else None)
    assert fits is (len(new) == 2)
    assert MARK not in out and b"EMC" not in out
    hexes = _hexes(out)
    assert "".join(str(int(h, 16) - 16) for h in hexes if 16 <= int(h, 16) <= 25) == expected
    # What follows the number stays where it was (every glyph here is 500 wide).
    assert 500 * len(hexes) - _adjustments(out) == 500 * 4 + 20


def _hexes(data: bytes) -> list[str]:
    return [run[i:i + 4].decode() for run in re.findall(rb"<([0-9a-f]*)>", data)
            for i in range(0, len(run), 4)]


def _adjustments(data: bytes) -> float:
    array = re.search(rb"\[(.*)\] TJ", data)
    assert array is not None
    return sum(float(n) for n in re.findall(rb"(?<![0-9a-f])-?[0-9]+(?:\.[0-9]+)?(?![0-9a-f]*>)",
                                            re.sub(rb"<[0-9a-f]*>", b" ", array[1])))


def test_a_number_that_cannot_be_marked_is_reported(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from kbbook.writers.pdf import slots

    monkeypatch.setattr(slots, "_digit_glyphs", lambda stream, textbox: {})  # (no digits)
    # The link's number, and the footer's two.
    out = tmp_path / "chunk.pdf"
    sheets = (Stylesheet(counters_css(CSS), None, "test"),)
    result = render(Job(0, _html(delimit(12)), sheets, tmp_path.as_uri() + "/",
                        FetchPolicy.create([tmp_path], []), 1, str(out), 96))
    assert any("3 page numbers are in a font without digits" in message
               for _, message in result.problems), result.problems
    with pikepdf.open(out) as pdf:
        assert MARK not in pdf.pages[0].Contents.read_bytes()
