"""Inline SVG and MathML written into a page, kept (sanitised) in their own namespaces.

The lenient HTML parser lowercases names and knows no namespaces, so each element and
attribute on the allowlist gets its proper case back (as an HTML5 parser does: `viewbox` is
`viewBox`, `lineargradient` is `linearGradient`). Scripts, `foreignObject`, event handlers,
animation and every reference outside the image go; `<style>` and `style=""` keep only CSS
that names no file.
"""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement

from .css import clean_declarations, clean_stylesheet
from .math import MATHML_NS, SVG_NS

XLINK_NS = "http://www.w3.org/1999/xlink"

_SVG_ELEMENTS = {name.lower(): name for name in (
    "svg", "g", "defs", "title", "desc", "symbol", "use", "path", "rect", "circle", "ellipse",
    "line", "polyline", "polygon", "text", "tspan", "textPath", "linearGradient",
    "radialGradient", "stop", "clipPath", "mask", "pattern", "marker", "style", "switch",
    "filter", "feGaussianBlur", "feOffset", "feBlend", "feColorMatrix", "feFlood",
    "feComposite", "feMerge", "feMergeNode", "feDropShadow",
)}
_SVG_ATTRIBUTES = {name.lower(): name for name in (
    "id", "class", "style", "lang", "transform", "viewBox", "preserveAspectRatio", "width",
    "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "d",
    "points", "pathLength", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width",
    "stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-dasharray",
    "stroke-dashoffset", "stroke-miterlimit", "opacity", "color", "font-family",
    "font-size", "font-weight", "font-style", "text-anchor", "dominant-baseline",
    "alignment-baseline", "baseline-shift", "letter-spacing", "word-spacing",
    "text-decoration", "writing-mode", "dx", "dy", "rotate", "textLength", "lengthAdjust",
    "startOffset", "offset", "stop-color", "stop-opacity", "gradientUnits",
    "gradientTransform", "spreadMethod", "patternUnits", "patternContentUnits",
    "patternTransform", "clipPathUnits", "clip-path", "clip-rule", "mask", "maskUnits",
    "maskContentUnits", "markerWidth", "markerHeight", "markerUnits", "refX", "refY",
    "orient", "marker-start", "marker-mid", "marker-end", "visibility", "display",
    "overflow", "role", "aria-label", "aria-hidden", "filter", "filterUnits",
    "primitiveUnits", "stdDeviation", "in", "in2", "result", "mode", "type", "values",
    "operator", "flood-color", "flood-opacity", "xml:space", "vector-effect",
    "shape-rendering", "text-rendering", "paint-order", "version",
)}
_MATHML_ELEMENTS = frozenset({
    "math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt", "mroot",
    "mstyle", "merror", "mpadded", "mphantom", "mfenced", "menclose", "msub", "msup",
    "msubsup", "munder", "mover", "munderover", "mmultiscripts", "mprescripts", "none",
    "mtable", "mtr", "mtd", "mlabeledtr", "semantics", "annotation",
})
_MATHML_ATTRIBUTES = frozenset({
    "id", "class", "display", "alttext", "mathvariant", "mathsize", "mathcolor",
    "mathbackground", "dir", "displaystyle", "scriptlevel", "fence", "separator", "stretchy",
    "symmetric", "largeop", "movablelimits", "accent", "accentunder", "lspace", "rspace",
    "width", "height", "depth", "linethickness", "bevelled", "numalign", "denomalign",
    "columnalign", "rowalign", "columnspacing", "rowspacing", "columnlines", "rowlines",
    "frame", "framespacing", "equalrows", "equalcolumns", "notation", "open", "close",
    "separators", "rowspan", "columnspan", "encoding", "voffset", "minsize", "maxsize",
    "form", "scriptsizemultiplier", "scriptminsize", "lquote", "rquote", "align",
})
# Children that are always dropped with their content.
_DROP = frozenset({"script", "foreignobject", "animate", "animatemotion",
                   "animatetransform", "set", "image", "iframe", "maction"})


def _quiet(line: int | None, what: str) -> None:
    """CSS inside an author's image that names a file is dropped (it could never work)."""


def _local_href(value: str) -> bool:
    return value.startswith("#") and len(value) > 1


def _copy(source: HtmlElement, svg: bool) -> etree._Element | None:
    """An allowlisted, namespaced copy of `source` and its subtree, built with a stack."""
    ns = SVG_NS if svg else MATHML_NS
    root_tag = "svg" if svg else "math"
    out = etree.Element(f"{{{ns}}}{root_tag}", nsmap={None: ns} if not svg else {
        None: SVG_NS, "xlink": XLINK_NS})
    stack = [(source, out)]
    while stack:
        src, dst = stack.pop()
        _copy_attributes(src, dst, svg)
        dst.text = src.text
        for child in src:
            if not isinstance(child.tag, str):
                continue
            name = child.tag.lower()
            known = _SVG_ELEMENTS.get(name) if svg else (name if name in _MATHML_ELEMENTS
                                                         else None)
            if name in _DROP or known is None:  # (its tail text stays)
                if len(dst):
                    dst[-1].tail = (dst[-1].tail or "") + (child.tail or "")
                else:
                    dst.text = (dst.text or "") + (child.tail or "")
                continue
            copy = etree.SubElement(dst, f"{{{ns}}}{known}")
            copy.tail = child.tail
            if known == "style":
                copy.text = clean_stylesheet(child.text_content(), _quiet, keep_local=True)
                _copy_attributes(child, copy, svg)
                continue
            stack.append((child, copy))
    return out


def _copy_attributes(src: HtmlElement, dst: etree._Element, svg: bool) -> None:
    for name, value in src.attrib.items():
        lower = name.lower()
        if lower.startswith("on") or lower.startswith("data-kb-"):
            continue
        if lower in ("href", "xlink:href"):
            if svg and _local_href(value.strip()):
                dst.set(f"{{{XLINK_NS}}}href" if lower == "xlink:href" else "href",
                        value.strip())
            continue
        if lower == "style":
            cleaned = clean_declarations(value, _quiet, keep_local=True).strip()
            if cleaned:
                dst.set("style", cleaned)
            continue
        if svg:
            known = _SVG_ATTRIBUTES.get(lower)
            if known == "xml:space":
                dst.set("{http://www.w3.org/XML/1998/namespace}space", value)
            elif known is not None and "url(" not in value.replace("url(#", ""):
                dst.set(known, value)
        elif lower in _MATHML_ATTRIBUTES:
            dst.set(lower, value)


def foreign_copy(el: HtmlElement) -> etree._Element | None:
    """The sanitised SVG or MathML element for an author's `<svg>` or `<math>`. A link
    inside an SVG keeps its drawing, without the link."""
    for a in list(el.iter("a")):
        a.drop_tag()
    return _copy(el, el.tag == "svg")
