"""kramdown syntax on markdown-it: attribute lists, header ids, TOC markers, Markdown inside
HTML blocks, and kramdown's (not CommonMark's) end of raw HTML blocks."""

from __future__ import annotations

import re

import pytest

from kbbook.render.kramdown import Ial, gfm_slug, parse_ial
from kbbook.render.markdown import create_markdown

MD = create_markdown()


def html(source: str) -> str:
    """Rendered HTML without kbbook's internal markers, blank lines dropped."""
    out = re.sub(r' data-kb-(?:line|md)="[^"]*"', "", MD.render(source))
    return "\n".join(line for line in out.splitlines() if line.strip())


@pytest.mark.parametrize(("text", "slug"), [
    # from kramdown-parser-gfm's header_ids test
    ("variable_name", "variable_name"),
    ("abc def öúß", "abc-def-öúß"),
    ("192 abc 192", "192-abc-192"),
    (";.;;", ""),
    ("before \tafter tab", "before--after-tab"),
    ("with code", "with-code"),
    ("With “smart” quotes", "with-smart-quotes"),
    # what just-the-docs sites write
    ("What is the Framework?", "what-is-the-framework"),
    ("About Me 👋", "about-me-"),
    ("What You’ll Learn", "what-youll-learn"),
    ("A -- B", "a--b"),
])
def test_gfm_slug(text: str, slug: str) -> None:
    assert gfm_slug(text) == slug


def test_parse_ial() -> None:
    assert parse_ial(' .a #x .b key="v w" k2=\'q\' k3=bare toc ') == Ial(
        classes=("a", "b"), id="x", attrs=(("key", "v w"), ("k2", "q"), ("k3", "bare")),
        refs=("toc",))


@pytest.mark.parametrize(("source", "expected"), [
    ("Para\n{: .a}\n", '<p class="a">Para</p>'),
    ("{: .a}\nPara\n", '<p class="a">Para</p>'),
    ("{:.a}\n{: #b}\nPara\n", '<p class="a" id="b">Para</p>'),
    ("P1\n{: .a}\nP2\n", '<p class="a">P1</p>\n<p>P2</p>'),
    ("P1\n\n{: .a}\n\nP2\n", "<p>P1</p>\n<p>P2</p>"),
    ("{: .lead}\n# Title\n", '<h1 class="lead">Title</h1>'),
    ("## T {#x}\n", '<h2 id="x">T</h2>'),
    ("## T\n{: .no_toc #y}\n", '<h2 class="no_toc" id="y">T</h2>'),
    ("> q\n{: .note}\n", '<blockquote class="note">\n<p>q</p>\n</blockquote>'),
    ("- a\n- b\n{: .c}\n", '<ul class="c">\n<li>a</li>\n<li>b</li>\n</ul>'),
    ("| a |\n|---|\n{: .t}\n", '<table class="t">\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n'
                              "</table>"),
    ("```\nx\n```\n{: .c #i}\n", '<pre class="c" id="i"><code>x\n</code></pre>'),
    ("{:ald: .x}\nP\n", "<p>P</p>"),
    ('{: onclick="x()" .a}\nP\n', '<p class="a">P</p>'),
    ("    {: .code}\n", "<pre><code>{: .code}\n</code></pre>"),
])
def test_block_ial(source: str, expected: str) -> None:
    assert html(source) == expected


def test_span_ial() -> None:
    assert html("[a](b){: .btn} *e*{: .x} `c`{:.y} **s**{: .w} text{: .z} end") == (
        '<p><a href="b" class="btn">a</a> <em class="x">e</em> <code class="y">c</code> '
        '<strong class="w">s</strong> text end</p>')


@pytest.mark.parametrize("source", ["1. TOC\n{:toc}\n", "* TOC\n{:toc}\n", "- x\n{: toc}\n"])
def test_toc_marker(source: str) -> None:
    assert 'data-kb-toc="1"' in MD.render(source)


def test_toc_marker_only_on_lists() -> None:
    assert "data-kb-toc" not in MD.render("TOC\n{:toc}\n")


def test_markdown_inside_html_blocks() -> None:
    source = ('<details open markdown="block">\n  <summary>\n    Contents\n  </summary>\n'
              "  {: .text-delta }\n1. TOC\n{:toc}\n</details>\n\n"
              '<div class="a" markdown="1">\n## Head\n\n<div markdown="span">\n*x*\n</div>\n'
              "</div>\n")
    out = html(source)
    assert out.startswith("<details open>\n  <summary>\n    Contents\n  </summary>\n<ol")
    assert '<ol data-kb-toc="1">' in out
    assert '<div class="a">\n<h2>Head</h2>\n<div>\n<p><em>x</em></p>\n</div>\n</div>' in out
    assert "markdown=" not in out


def test_markdown_attribute_without_closing_tag_stays_raw_html() -> None:
    assert html('<div markdown="1">\n*x*\n') == '<div markdown="1">\n*x*'


def test_html_block_ends_at_its_closing_tag_as_in_kramdown() -> None:
    assert html('<div class="x">\nraw *a*\n</div>\n*b*\n') == (
        '<div class="x">\nraw *a*\n</div>\n<p><em>b</em></p>')
    # nested elements of the same name are counted
    assert html("<div>\n<div>\n</div>\n*raw*\n</div>\n*md*\n").endswith(
        "*raw*\n</div>\n<p><em>md</em></p>")


def test_line_with_only_a_span_tag_starts_a_paragraph() -> None:
    assert html('<img src="a.png">\n*caption*\n') == '<p><img src="a.png">\n<em>caption</em></p>'
    assert html("Text\n<span>\nmore\n") == "<p>Text\n<span>\nmore</p>"


def test_lines_are_recorded() -> None:
    out = MD.render("# One\n\nTwo [x](y)\nthree [z](w)\n\n<div>\n<a href='q'>\n</div>\n")
    assert '<h1 data-kb-md="1" data-kb-line="1">' in out
    assert '<a href="y" data-kb-line="3">' in out and '<a href="w" data-kb-line="4">' in out
    assert "<a data-kb-line=\"7\" href='q'>" in out
