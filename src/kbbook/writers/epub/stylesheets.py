"""The EPUB's stylesheets: kbbook's own with the code colours for e-readers, then the
user's (`--css`), each without the `@import`s and `url()`s that would reach outside the book
(one warning, with file and line, for each thing removed)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ebooklib import epub

from ...errors import Diagnostics
from ...render.css import clean_stylesheet
from ...render.highlight import STYLE, reader_css
from ..common import read_css_file, style_text

STYLE_FILE = "styles/epub.css"
GREY_STYLE = "bw"
"""Pygments' style of bold keywords and italic comments, no colour: what e-ink can show."""
CODE = "user-css"
WHY = "removed: an EPUB may only use files it contains"


def read_user_css(path: Path, diagnostics: Diagnostics) -> str:
    """The stylesheet at `path` made safe for an EPUB; a warning on `str(path)`, with its
    line, for each thing removed. Raises KbbookError when the file is not UTF-8 text."""
    def report(line: int | None, what: str) -> None:
        diagnostics.warning(str(path), line, CODE, f"{what} {WHY}")

    return clean_stylesheet(read_css_file(path), report)


def stylesheet_items(user_css: Iterable[Path], diagnostics: Diagnostics, *,
                     greyscale: bool = False) -> list[epub.EpubItem]:
    """kbbook's stylesheet with the code colours (type styles on e-ink, `greyscale`), then
    the user's, in the order given."""
    ours = style_text("epub.css")
    if greyscale:
        ours += "\n" + style_text("eink.css")
    ours += "\n/* Code highlighting (Pygments) */\n" + reader_css(GREY_STYLE if greyscale
                                                                else STYLE)
    items = [epub.EpubItem(uid="style", file_name=STYLE_FILE, media_type="text/css",
                           content=ours.encode("utf-8"))]
    for i, path in enumerate(user_css, 1):
        css = read_user_css(path, diagnostics)
        items.append(epub.EpubItem(uid=f"user-style-{i}", file_name=f"styles/user-{i}.css",
                                   media_type="text/css", content=css.encode("utf-8")))
    return items
