"""A picture of each formula, for reading systems without MathML: ziamath's SVG as an image
of the book, named by the formula's `altimg` (its TeX stays in `alttext`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from ebooklib import epub
from lxml import etree

from ...render.math import MATHML_NS, SVG_SIZE, MathError, math_svg

FOLDER = "images/math"
_PX = 16 / SVG_SIZE  # (ziamath draws at SVG_SIZE px; a reader's text is about 16 px)


def _picture(math: etree._Element) -> tuple[bytes, float, float, float] | None:
    """The formula as an SVG file, with its width, height and depth below the baseline."""
    try:
        svg = math_svg(math)
    except MathError:
        return None
    _x, y, width, height = (float(v) for v in svg.get("viewBox", "0 0 0 0").split())
    for attr in ("style", "role", "aria-label", "class"):
        svg.attrib.pop(attr, None)
    svg.set("width", f"{width * _PX:.2f}")
    svg.set("height", f"{height * _PX:.2f}")
    data = etree.tostring(svg, xml_declaration=True, encoding="utf-8")
    return data, width * _PX, height * _PX, (y + height) * _PX


def math_pictures(roots: Iterable[etree._Element]) -> list[epub.EpubItem]:
    """Give every formula in the documents `roots` its picture; the images to add."""
    items: dict[str, epub.EpubItem] = {}
    for root in roots:
        for math in root.iter(f"{{{MATHML_NS}}}math"):
            source = etree.tostring(math, encoding="utf-8", with_tail=False)
            name = f"{FOLDER}/m-{hashlib.sha256(source).hexdigest()[:16]}.svg"
            picture = _picture(math)
            if picture is None:
                continue
            data, width, height, depth = picture
            if name not in items:
                items[name] = epub.EpubItem(uid="math-" + name.rsplit("-", 1)[1][:-4],
                                            file_name=name, media_type="image/svg+xml",
                                            content=data)
            # (the documents sit beside images/, so the path is the same from each)
            math.set("altimg", name)
            math.set("altimg-width", f"{width:.1f}px")
            math.set("altimg-height", f"{height:.1f}px")
            math.set("altimg-valign", f"{-depth:.1f}px")
    return list(items.values())
