"""Math: kramdown's `$$` always, the delimiters of the site's math engine where it loads
one, the TeX kept intact through Markdown, typeset as MathML."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from kbbook.render.math import MATHML_NS, MathError, math_svg, mathml

from markdown_util import render_text, write_site

M = f"{{{MATHML_NS}}}"


def _formulas(tmp_path: Path, body: str, config: str = "title: T\n",
              files: dict[str, str] | None = None) -> list[tuple[str, str]]:
    write_site(tmp_path, files or {})
    rendered, diagnostics = render_text(tmp_path, body, config)
    assert not diagnostics.warnings, diagnostics.warnings
    return [(m.get("display"), m.get("alttext")) for m in rendered.body.iter(M + "math")]


def test_without_an_engine_only_kramdown_s_dollars_are_math(tmp_path: Path) -> None:
    body = r"A $$x_1 * y_2$$ b \(p_1\) c \[q\] d $e$." + "\n"
    assert _formulas(tmp_path, body) == [("inline", "x_1 * y_2")]


@pytest.mark.parametrize(("config", "files", "single"), [
    ("title: T\nmath: katex\n", {}, False),
    ("title: T\n", {"_includes/head_custom.html":
                    '<script src="https://cdn.example/mathjax/tex-mml-chtml.js"></script>'},
     False),
    ("title: T\n", {"_layouts/default.html": "<script>MathJax = {tex: {inlineMath: "
                    "[['$', '$'], ['\\\\(', '\\\\)']]}};</script>"}, True),
])
def test_an_engine_on_the_site_adds_its_delimiters(tmp_path: Path, config: str,
                                                  files: dict[str, str], single: bool) -> None:
    body = (r"Inline \(a_1 + b_2\), display \[\frac{1}{2}\] and $c_3$, priced $5 or $6."
            "\n\n" r"\[" "\n" r"e^{i\pi} + 1 = 0" "\n" r"\]" "\n")
    expected = [("inline", "a_1 + b_2"), ("block", r"\frac{1}{2}")]
    if single:
        expected.append(("inline", "c_3"))
    expected.append(("block", r"e^{i\pi} + 1 = 0"))
    assert _formulas(tmp_path, body, config, files) == expected


def test_a_block_formula_fills_its_paragraph(tmp_path: Path) -> None:
    rendered, _ = render_text(tmp_path, "$$\na^2\n$$\n\n$$b$$ and more\n")
    blocks = rendered.body.findall(".//{*}div[@class='kb-math-block kb-typeset']")
    assert len(blocks) == 1 and blocks[0][0].get("display") == "block"
    (inline,) = rendered.body.find(".//{*}p").iter(M + "math")
    assert inline.get("display") == "inline"


def test_a_formula_that_fails_stays_tex_with_its_line(tmp_path: Path) -> None:
    rendered, diagnostics = render_text(tmp_path, "Line one.\n\nSee $$\\frac{1}{$$ here.\n")
    code = rendered.body.find(".//{*}code")
    assert code.text == "\\frac{1}{" and code.get("class") == "kb-tex"
    (warning,) = diagnostics.warnings
    assert (warning.path, warning.line, warning.code) == ("page.md", 6, "math")


def test_mathml_and_its_drawing() -> None:
    math = mathml(r"\sqrt{x^2}", display=False)
    assert math.tag == M + "math" and math.get("alttext") == r"\sqrt{x^2}"
    assert etree.tostring(math).count(b"msqrt") == 2
    svg = math_svg(math)
    assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.get("width") is None
    assert "vertical-align: -" in svg.get("style") and "em" in svg.get("style")
    assert not list(svg.iter("{http://www.w3.org/2000/svg}text"))  # all paths: no font
    # its TeX is its name (the tagged PDF's alternative text for the figure)
    assert svg[0].tag == "{http://www.w3.org/2000/svg}title" and svg[0].text == r"\sqrt{x^2}"
    with pytest.raises(MathError):
        mathml(r"\left(", display=True)
