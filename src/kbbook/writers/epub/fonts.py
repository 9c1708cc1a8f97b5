"""The fonts an EPUB carries for what kbbook drew, so readers show it as it was measured:
STIX Two Math (ziamath's, SIL Open Font License) for formulas, so fences and roots stretch;
and DejaVu Sans, cut down to the characters the diagrams use, for diagram labels (Mermaid
measured them in it). Each comes with the stylesheet that uses it, only when a page needs it.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from collections.abc import Sequence
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from ebooklib import epub

from ...render import RenderedPage
from ...render.math import MATHML_NS, SVG_NS
from ...render.mermaid import FONT

MATH_FONT = "fonts/STIXTwoMath-Regular.ttf"
LABEL_FONT = "fonts/DejaVuSans-labels.ttf"
STYLE_FILE = "styles/drawings.css"
_MATH_CSS = f"""/* Formulas (MathML): STIX Two Math, which the book carries. */
@font-face {{
  font-family: "STIX Two Math";
  src: url("../{MATH_FONT}");
}}
math {{ font-family: "STIX Two Math", math; }}
div.kb-math-block {{ margin: 0.8em 0; text-align: center; }}
"""
_LABEL_CSS = f"""/* Diagram labels: the font Mermaid measured them in, cut down to what they use. */
@font-face {{
  font-family: "{FONT}";
  src: url("../{LABEL_FONT}");
}}
"""


def _has_math(pages: Sequence[RenderedPage]) -> bool:
    return any(next(rp.body.iter(f"{{{MATHML_NS}}}math"), None) is not None for rp in pages)


def _label_text(pages: Sequence[RenderedPage]) -> str:
    """Every character of the diagrams' text."""
    chars: set[str] = set()
    for rp in pages:
        for figure in rp.body.iter("{http://www.w3.org/1999/xhtml}figure"):
            if "kb-diagram" in (figure.get("class") or "").split():
                for text in figure.iter(f"{{{SVG_NS}}}text"):
                    chars.update("".join(text.itertext()))
    return "".join(sorted(chars))


@lru_cache(maxsize=1)
def _label_font_file() -> Path | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(["fc-match", f"{FONT}:style=Book", "--format=%{file}"],
                             capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    path = Path(out.strip())
    return path if path.name.startswith("DejaVuSans") and path.is_file() else None


def _subset(path: Path, text: str) -> bytes:
    from fontTools import subset

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # (its notes on dropped tables)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]  # (the licence and the name stay in the font)
    font = subset.load_font(str(path), options)
    font.recalcTimestamp = False  # (the same bytes every build)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text + " ")
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def font_items(pages: Sequence[RenderedPage]) -> list[epub.EpubItem]:
    """The fonts and their stylesheet that the book's pages need; nothing for a book
    without formulas or diagrams."""
    items: list[epub.EpubItem] = []
    css = ""
    if _has_math(pages):
        font = files("ziamath").joinpath("fonts", "STIXTwoMath-Regular.ttf").read_bytes()
        items.append(epub.EpubItem(uid="math-font", file_name=MATH_FONT,
                                   media_type="font/ttf", content=font))
        css += _MATH_CSS
    labels = _label_text(pages)
    source = _label_font_file() if labels else None
    if source is not None:
        items.append(epub.EpubItem(uid="label-font", file_name=LABEL_FONT,
                                   media_type="font/ttf", content=_subset(source, labels)))
        css += _LABEL_CSS
    if css:
        items.insert(0, epub.EpubItem(uid="drawings-style", file_name=STYLE_FILE,
                                      media_type="text/css", content=css.encode("utf-8")))
    return items
