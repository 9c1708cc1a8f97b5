"""TeX typeset as MathML (for the tree both writers share) and MathML drawn as SVG (for the
PDF: WeasyPrint has no MathML), with ziamath, in pure Python.

`typeset_math` replaces each `<code class="kb-tex">` that `mathsyntax.py` left with a
`<math>` element in the MathML namespace whose `alttext` is the TeX. A formula ziamath
cannot read, or one naming a command it does not know, stays as code, with a warning
naming file and line.
"""

from __future__ import annotations

import re
import threading
import warnings
from functools import lru_cache

from lxml import etree
from lxml.html import HtmlElement

from .context import PageContext
from .html import classes, replace
from .mathsyntax import MATH_ATTR, TEX_CLASS

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
SVG_NS = "http://www.w3.org/2000/svg"
SVG_SIZE = 16.0
"""The font size (px) ziamath draws at; the SVG is then sized in em, so a formula takes the
size of the text around it."""
_lock = threading.Lock()  # ziamath's settings are global
_UNKNOWN = re.compile(r"<m[io]>(\\[A-Za-z]+)</m[io]>")
_TOP_BREAK = re.compile(r"\\\\")


class MathError(Exception):
    """A formula that cannot be typeset; the message says why."""


def _prepared(tex: str) -> str:
    """A top-level `\\\\` breaks lines only inside an environment (MathJax shows rows)."""
    if _TOP_BREAK.search(tex) and "\\begin" not in tex:
        return "\\begin{array}{c}" + tex + "\\end{array}"
    return tex


@lru_cache(maxsize=4096)
def _mathml_text(tex: str, display: bool) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # (how ziamath finds its font)
            from ziamath.tex import tex2mml

            text = tex2mml(_prepared(tex), inline=not display)
    except Exception as exc:  # the converter raises many types on malformed TeX
        raise MathError(f"ziamath cannot read it ({type(exc).__name__}"
                        + (f": {exc}" if str(exc) else "") + ")") from None
    unknown = _UNKNOWN.search(text)
    if unknown:
        raise MathError(f"{unknown.group(1)} is not a command ziamath knows")
    return text


def mathml(tex: str, display: bool) -> etree._Element:
    """The formula as a `<math>` element (its TeX in `alttext`); MathError if it fails."""
    text = _mathml_text(tex.strip(), display)
    try:
        root = etree.fromstring(text.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise MathError(f"ziamath gave no well-formed MathML ({exc.msg})") from None
    if root.tag != f"{{{MATHML_NS}}}math":
        raise MathError("ziamath gave no <math> element")
    root.set("alttext", " ".join(tex.split()))
    root.set("display", "block" if display else "inline")
    return root


def typeset_math(root: HtmlElement, ctx: PageContext) -> int:
    """Replace the page's TeX placeholders by MathML; returns how many were typeset."""
    done = 0
    for code in [el for el in root.iter("code") if el.get(MATH_ATTR) is not None]:
        if TEX_CLASS not in classes(code):
            continue
        display = code.get(MATH_ATTR) == "display"
        tex = code.text_content()
        try:
            math = mathml(tex, display)
        except MathError as exc:
            ctx.warn(code, "math", f"formula '{_short(tex)}' cannot be typeset: {exc}; it is "
                     "shown as TeX")
            del code.attrib[MATH_ATTR]
            continue
        replace(code, math)
        parent = math.getparent()
        if parent is not None and "kb-math-block" in classes(parent):
            parent.set("class", " ".join(c for c in classes(parent) if c) + " kb-typeset")
        done += 1
    return done


def _short(tex: str) -> str:
    text = " ".join(tex.split())
    return text if len(text) <= 60 else text[:57] + "..."


# -- SVG for print ---------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _svg_text(mathml_text: str) -> str:
    import ziamath

    with _lock, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # (how ziamath finds its font)
        saved = ziamath.config.svg2
        ziamath.config.svg2 = False  # plain paths: no <symbol>/<use>, nothing to resolve
        try:
            return ziamath.Math(mathml_text, size=SVG_SIZE).svg()
        finally:
            ziamath.config.svg2 = saved


def math_svg(math: etree._Element) -> etree._Element:
    """A `<math>` element drawn as an SVG sized in em, on the text's baseline when inline;
    MathError if ziamath cannot draw it."""
    source = etree.tostring(math, encoding="unicode", with_tail=False)
    try:
        svg = etree.fromstring(_svg_text(source).encode("utf-8"))
    except Exception as exc:
        raise MathError(f"ziamath cannot draw it ({type(exc).__name__})") from None
    box = [float(v) for v in (svg.get("viewBox") or "0 0 0 0").replace(",", " ").split()]
    if len(box) != 4 or box[2] <= 0 or box[3] <= 0:
        raise MathError("ziamath drew an empty formula")
    _x, y, width, height = box
    style = f"width: {width / SVG_SIZE:.3f}em; height: {height / SVG_SIZE:.3f}em"
    if math.get("display") != "block":
        # y = 0 is the baseline: what lies below it hangs below the line's baseline.
        style += f"; vertical-align: {-(y + height) / SVG_SIZE:.3f}em"
    for attr in ("width", "height"):
        svg.attrib.pop(attr, None)
    svg.set("style", style)
    svg.set("role", "img")
    svg.set("aria-label", math.get("alttext") or "")
    if math.get("alttext"):  # (the tagged PDF's alternative text for the figure)
        title = etree.Element(f"{{{SVG_NS}}}title")
        title.text = math.get("alttext")
        svg.insert(0, title)
    svg.set("class", "kb-math-svg" + (" kb-math-display" if math.get("display") == "block"
                                      else ""))
    return svg
