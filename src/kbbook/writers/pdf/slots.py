"""Page numbers printed after the layout: each chunk is laid out once, before the pages of
the other chunks are known.

A number a chunk shows (the page a link leads to, a page's own number, the book's page
count) is laid out with digits of the right count, between two invisible marks that say
what it is (`delimit`, `page_css`). While the chunk is drawn, the text that holds one is
wrapped in a `/KbNum` marked-content sequence that says which of its glyphs are which
number's digits and which glyphs the font has for 0-9 (`install`); the fonts keep those ten
glyphs. Once the merge knows every page, it puts the real digits in those glyphs' place
and drops the marks (`stamp`). A number of the same digit count takes the same room (each
glyph's width is made up where digits differ), so nothing on the page moves: the chunk's
render depends only on how many digits each number has (`digits`).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

TARGET = "\u2060"
"""Around the page number of a link's target (WORD JOINER: drawn as nothing)."""
PAGE = "\u2062"
"""Around a page's own number (`counter(page)`)."""
PAGES = "\u2063"
"""Around the book's page count (`counter(pages)`)."""
_KINDS = {TARGET: "target", PAGE: "page", PAGES: "pages"}
_TAG = "KbNum"
MARK = b"/" + _TAG.encode()
"""What a content stream with a number to stamp holds."""
_COUNTER = re.compile(r"counter\(\s*(pages?)\s*(?:,\s*decimal\s*)?\)", re.IGNORECASE)


def delimit(number: int | None) -> str:
    """A link target's page number as a chunk shows it ('' for a target on no page)."""
    return "" if number is None else f"{TARGET}{number}{TARGET}"


def counters_css(css: str) -> str:
    """A stylesheet whose page numbers and page counts (decimal) are marked as slots."""
    def mark(match: re.Match[str]) -> str:
        sign = PAGES if match[1].lower() == "pages" else PAGE
        return f'"\\{ord(sign):x} " {match[0]} "\\{ord(sign):x} "'
    return _COUNTER.sub(mark, css)


def digits(number: int | None) -> int:
    """How much room a number takes: what a chunk's layout depends on."""
    return 0 if number is None else len(str(number))


# -- while a chunk is drawn (in its worker) ------------------------------------------------

_ACTIVE = [False]
_UNMARKED = [0]
"""Numbers drawn but not marked since `drawing` opened (a font without digits of its own)."""


def _slots(text: str) -> list[tuple[str, int, int]]:
    """(kind, first, end) character ranges of the marked digits in `text`."""
    found, i = [], 0
    while i < len(text):
        kind = _KINDS.get(text[i])
        if kind is not None:
            end = text.find(text[i], i + 1)
            if end < 0:
                break
            if end > i + 1 and text[i + 1:end].isdigit():
                found.append((kind, i + 1, end))
            i = end + 1
        else:
            i += 1
    return found


def _target(textbox: Any) -> str | None:
    element = getattr(textbox, "element", None)
    href = element.get("href") if element is not None else None
    if not href:
        return None
    from .chunks import CROSS_CHUNK

    if href.startswith("#"):
        return href[1:]
    return href[len(CROSS_CHUNK):] if href.startswith(CROSS_CHUNK) else None


def _runs(layout: Any) -> Iterator[tuple[Any, Any]]:
    """(pango font, glyph item) of each run of a layout's first line, in drawing order."""
    from weasyprint.text.ffi import ffi

    line, _ = layout.get_first_line()
    run = line.runs[0]
    while run != ffi.NULL:
        item = run.data
        run = run.next
        yield item.item.analysis.font, item


def _font(stream: Any, pango_font: Any, style: Any) -> tuple[Any, float]:
    from weasyprint.text.ffi import pango

    font, size = stream.add_font(pango_font)
    if pango.pango_version() < 14802 or font.png:  # as WeasyPrint draws it
        size = style["font_size"]
    return font, size


def _digit_glyphs(stream: Any, textbox: Any) -> dict[str, tuple[list[int], list[int]]]:
    """For each font the digits 0-9 come in (by its hash): their glyphs and widths, as the
    PDF's font says them; the glyphs are kept in the font's subset."""
    from weasyprint.text.ffi import FROM_UNITS, pango
    from weasyprint.text.line_break import Layout

    layout = Layout(textbox.style)
    layout.set_text("0123456789")
    fonts: dict[str, tuple[list[int], list[int]]] = {}
    found: dict[int, tuple[str, int, int]] = {}
    for pango_font, item in _runs(layout):
        font, size = _font(stream, pango_font, textbox.style)
        glyphs = item.glyphs
        for i in range(glyphs.num_glyphs):
            glyph = glyphs.glyphs[i].glyph
            index = item.item.offset + glyphs.log_clusters[i]
            if glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG or glyph == pango.PANGO_GLYPH_EMPTY \
                    or not 0 <= index < 10:
                continue
            if glyph not in font.widths:
                pango.pango_font_get_glyph_extents(pango_font, glyph, stream.ink_rect,
                                                   stream.logical_rect)
                font.widths[glyph] = round(stream.logical_rect.width * 1000 * FROM_UNITS
                                           / size)
            font.to_unicode.setdefault(glyph, str(index))
            found[index] = (font.hash, glyph, font.widths[glyph])
    for index in range(10):
        if index in found:
            key, glyph, width = found[index]
            gids, widths = fonts.setdefault(key, ([0] * 10, [0] * 10))
            gids[index], widths[index] = glyph, width
    complete = {key for key in fonts
                if all(found.get(i, ("",))[0] == key for i in range(10))}
    return {key: value for key, value in fonts.items() if key in complete}


def _mark(stream: Any, textbox: Any) -> bytes | None:
    """The marked-content properties that say which glyphs of `textbox` are digits of
    which numbers, or None when it holds none."""
    from weasyprint.text.ffi import pango

    layout = textbox.pango_layout
    text = layout.text
    slots = _slots(text)
    if not slots:
        return None
    starts = [0]
    for char in text:
        starts.append(starts[-1] + len(char.encode()))
    owner = {}
    for number, (_, first, end) in enumerate(slots):
        for char in range(first, end):
            owner[starts[char]] = (number, char - first)
    glyphs: list[list[Any]] = []
    fonts: set[str] = set()
    ordinal = 0
    for pango_font, item in _runs(layout):
        font, _ = _font(stream, pango_font, textbox.style)
        if font.bitmap:
            _UNMARKED[0] += len(slots)
            return None
        string = item.glyphs
        for i in range(string.num_glyphs):
            if string.glyphs[i].glyph == pango.PANGO_GLYPH_EMPTY:
                continue
            place = owner.get(item.item.offset + string.log_clusters[i])
            if place is not None:
                glyphs.append([ordinal, *place, font.hash])
                fonts.add(font.hash)
            ordinal += 1
    digit_fonts = _digit_glyphs(stream, textbox) if glyphs else {}
    if not glyphs or not fonts <= digit_fonts.keys():
        _UNMARKED[0] += len(slots)
        return None
    target = _target(textbox)
    record = {"n": [[kind, target if kind == "target" else None, end - first]
                    for kind, first, end in slots],
              "g": glyphs, "f": {key: digit_fonts[key] for key in fonts}}
    return json.dumps(record, separators=(",", ":")).encode().hex().encode()


def install() -> None:
    """Mark the numbers of a chunk's text as WeasyPrint draws it (`drawing` switches it on)."""
    import weasyprint.draw as draw

    original = draw.draw_text
    if getattr(original, "kbbook", False):
        return

    def draw_text(stream: Any, textbox: Any, *args: Any, **kwargs: Any) -> Any:
        text = textbox.text
        if not _ACTIVE[0] or textbox.style["visibility"] != "visible" \
                or (TARGET not in text and PAGE not in text and PAGES not in text):
            return original(stream, textbox, *args, **kwargs)
        textbox.pango_layout.reactivate(textbox.style)
        try:
            mark = _mark(stream, textbox)
        finally:
            textbox.pango_layout.deactivate()
        if mark is None:
            return original(stream, textbox, *args, **kwargs)
        stream.stream.append(b"/" + _TAG.encode() + b" <</J <" + mark + b">>> BDC")
        try:
            return original(stream, textbox, *args, **kwargs)
        finally:
            stream.stream.append(b"EMC")

    draw_text.kbbook = True  # type: ignore[attr-defined]
    draw.draw_text = draw_text


@contextlib.contextmanager
def drawing(unmarked: list[int]) -> Iterator[None]:
    """Numbers are marked while this is open (a chunk's render), not otherwise; how many
    could not be (their digits would be printed as laid out) goes into `unmarked`."""
    install()
    _ACTIVE[0], _UNMARKED[0] = True, 0
    try:
        yield
    finally:
        _ACTIVE[0] = False
        unmarked.append(_UNMARKED[0])


# -- once every page is known (in the merge) ------------------------------------------------

Value = Callable[[str, str | None], int | None]
"""The number of a slot: (kind, target id) -> its number, for the page being stamped."""

_MARKED = re.compile(MARK + rb"\s*<<\s*/J\s*<([0-9a-fA-F]*)>\s*>>\s*BDC")
_OPERATOR = re.compile(rb"\b(BDC|BMC|EMC)\b")
_TJ = re.compile(rb"\[([^\]]*)\]\s*TJ")
_TOKEN = re.compile(rb"<([0-9a-fA-F]*)>|(-?[0-9.]+)")


def _spread(new: str, count: int) -> list[str]:
    """The digits of `new` over `count` glyphs: one each when the counts agree; else the
    last ones one each, and the first glyph the rest (or nothing)."""
    if len(new) <= count:
        return [""] * (count - len(new)) + list(new)
    return [new[:len(new) - count + 1], *new[len(new) - count + 1:]]


def _segment(data: bytes, start: int) -> int:
    """Where the marked-content sequence opened before `start` ends (its EMC)."""
    depth = 1
    for found in _OPERATOR.finditer(data, start):
        depth += -1 if found[1] == b"EMC" else 1
        if depth == 0:
            return found.start()
    return len(data)


def _restamp(body: bytes, record: dict[str, Any], value: Value) -> tuple[bytes, bool]:
    """The TJ arrays of one marked text with each number's real digits; whether every
    number had the room it needed."""
    numbers = [value(kind, target) for kind, target, _ in record["n"]]
    fonts = record["f"]
    by_number: dict[int, list[list[Any]]] = {}
    for glyph in record["g"]:
        by_number.setdefault(glyph[1], []).append(glyph)
    fits = True
    put: dict[int, tuple[str, str]] = {}  # glyph ordinal -> (new digits, font)
    for number, glyphs in by_number.items():
        new = numbers[number]
        text = "" if new is None else str(new)
        fits = fits and len(text) == len(glyphs)
        for glyph, part in zip(sorted(glyphs, key=lambda g: g[2]),
                               _spread(text, len(glyphs)), strict=True):
            put[glyph[0]] = (part, glyph[3])
    ordinal = [0]

    def array(match: re.Match[bytes]) -> bytes:
        out: list[bytes] = []
        for token in _TOKEN.finditer(match[1]):
            if token[1] is None:
                out.append(token[2])
                continue
            hexes = token[1]
            run: list[bytes] = []
            for i in range(0, len(hexes) - 3, 4):
                old = hexes[i:i + 4]
                here = put.get(ordinal[0])
                ordinal[0] += 1
                if here is None:
                    run.append(old)
                    continue
                part, font = here
                gids, widths = fonts[font]
                old_gid = int(old, 16)
                old_width = widths[gids.index(old_gid)] if old_gid in gids else 0
                new_width = 0
                for digit in part:
                    run.append(f"{gids[int(digit)]:04x}".encode())
                    new_width += widths[int(digit)]
                if new_width != old_width:  # (the glyphs after it stay where they were)
                    if run:
                        out.append(b"<" + b"".join(run) + b">")
                    out.append(str(new_width - old_width).encode())
                    run = []
            if run or not out:
                out.append(b"<" + b"".join(run) + b">")
        return b"[" + b" ".join(out) + b"] TJ"

    return _TJ.sub(array, body), fits


def stamp(data: bytes, value: Value) -> tuple[bytes, bool]:
    """A content stream with its marked numbers stamped and the marks gone; whether every
    number had the room it needed."""
    out: list[bytes] = []
    fits = True
    at = 0
    while (found := _MARKED.search(data, at)) is not None:
        end = _segment(data, found.end())
        record = json.loads(bytes.fromhex(found[1].decode()))
        body, ok = _restamp(data[found.end():end], record, value)
        fits = fits and ok
        out += [data[at:found.start()], body]
        at = min(end + 3, len(data))  # (past its EMC)
    out.append(data[at:])
    return b"".join(out), fits


def page_value(page: int, total: int, pages: Mapping[str, int]) -> Value:
    """The numbers of the slots of book page `page` (from 1)."""
    def value(kind: str, target: str | None) -> int | None:
        if kind == "page":
            return page
        if kind == "pages":
            return total
        return pages.get(target or "")
    return value
