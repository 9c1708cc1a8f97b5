"""Characters no installed font can draw: the PDF would show empty boxes for them, so each
page that uses one is named, with the line, and the Debian package that has a font for it.

The fonts are fontconfig's (what WeasyPrint's Pango falls back to), read with one
`fc-list --format '%{charset}'` call per run (a quarter of a second), as ranges.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache

from ...errors import Diagnostics
from ...render import RenderedPage

_RANGE = re.compile(r"([0-9a-f]+)(?:-([0-9a-f]+))?")
# Where the fonts for a script are, in Debian and Ubuntu (fonts-noto-core has most).
_PACKAGES = (
    ((0x1100, 0x11FF), "fonts-noto-cjk"), ((0x2E80, 0x9FFF), "fonts-noto-cjk"),
    ((0xA960, 0xA97F), "fonts-noto-cjk"), ((0xAC00, 0xD7FF), "fonts-noto-cjk"),
    ((0xF900, 0xFAFF), "fonts-noto-cjk"), ((0xFE30, 0xFE4F), "fonts-noto-cjk"),
    ((0xFF00, 0xFFEF), "fonts-noto-cjk"), ((0x20000, 0x3FFFF), "fonts-noto-cjk-extra"),
    ((0x1F000, 0x1FAFF), "fonts-noto-color-emoji"),
)
_SKIP = frozenset({"Cc", "Cf", "Zl", "Zp", "Zs", "Cs"})


@lru_cache(maxsize=1)
def installed_ranges() -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """The code points some installed font has, as sorted (starts, ends); None when
    fontconfig cannot say (then nothing is checked)."""
    if shutil.which("fc-list") is None:
        return None
    try:
        out = subprocess.run(["fc-list", "--format", "%{charset}\n"], capture_output=True,
                             text=True, timeout=60, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    spans: list[tuple[int, int]] = []
    for m in _RANGE.finditer(out):
        start = int(m.group(1), 16)
        spans.append((start, int(m.group(2), 16) if m.group(2) else start))
    if not spans:
        return None
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple(s for s, _ in merged), tuple(e for _, e in merged)


def _covered(ranges: tuple[tuple[int, ...], tuple[int, ...]], char: str) -> bool:
    starts, ends = ranges
    i = bisect_right(starts, ord(char)) - 1
    return i >= 0 and ord(char) <= ends[i]


def package_for(char: str) -> str:
    """The Debian package with a font for `char` ('' for a private-use character, which
    only the font it was made for has)."""
    if unicodedata.category(char) == "Co":
        return ""
    code = ord(char)
    return next((name for (low, high), name in _PACKAGES if low <= code <= high),
                "fonts-noto-core or fonts-noto-extra")


def _text_of(rp: RenderedPage) -> Iterable[str]:
    yield rp.page.title or ""
    for el in rp.body.iter():
        if isinstance(el.tag, str) and not el.tag.startswith("{http://www.w3.org/2000/svg}"):
            yield el.text or ""
        yield el.tail or ""


def check_fonts(pages: Iterable[RenderedPage], diagnostics: Diagnostics) -> None:
    """Warn, once per page and script, about characters no installed font has."""
    ranges = installed_ranges()
    if ranges is None:
        return
    for rp in pages:
        missing: dict[str, list[str]] = {}
        for char in set("".join(_text_of(rp))):
            if ord(char) < 0x80 or unicodedata.category(char) in _SKIP:
                continue
            if not _covered(ranges, char):
                missing.setdefault(package_for(char), []).append(char)
        for package, chars in sorted(missing.items()):
            chars.sort()
            line = _first_line(rp, chars)
            shown = " ".join(f"{c} (U+{ord(c):04X})" for c in chars[:5])
            more = f" and {len(chars) - 5} more" if len(chars) > 5 else ""
            what = (f"Install a font that has them (on Debian or Ubuntu: apt-get install "
                    f"{package})" if package else "They are private-use characters, which "
                    "only the font they were made for has")
            diagnostics.warning(rp.page.rel, line, "missing-font",
                                f"no installed font has {shown}{more}; the PDF shows empty "
                                f"boxes for them. {what}")


def _first_line(rp: RenderedPage, chars: list[str]) -> int | None:
    """The first line of the page's source holding one of `chars`."""
    wanted = set(chars)
    for n, text in enumerate(rp.page.body.split("\n")):
        if wanted & set(text):
            return rp.page.body_line + n
    return None
