"""kramdown's extensions, its link definitions and `parse_block_html`: what the shared
includes of real sites bring, leaving no syntax in the text."""

from __future__ import annotations

import re
from pathlib import Path

from kbbook.render.markdown import create_markdown

from markdown_util import html_of, render_text


def html(source: str, **options: bool) -> str:
    out = re.sub(r' data-kb-(?:line|md|toc|toc-levels)="[^"]*"', "",
                 create_markdown(**options).render(source))
    return "\n".join(line for line in out.splitlines() if line.strip())


def test_extensions_leave_no_text() -> None:
    source = ("a\n\n{::options toc_levels=\"2\" /}\n\n{::comment}\nhidden\n{:/comment}\n\n"
              "{::nomarkdown}\n<b>raw</b> *not emphasis*\n{:/}\n\n{::unknown /}\n\nb\n")
    assert html(source) == "<p>a</p>\n<b>raw</b> *not emphasis*\n<p>b</p>"


def test_a_link_definition_with_a_space_in_its_url() -> None:
    source = "[one][a], [two][b]\n\n[a]:  /x.html#part %}\n[b]: /y.html\n"
    assert html(source) == '<p><a href="/x.html#part %}">one</a>, <a href="/y.html">two</a></p>'


def test_parse_block_html_makes_markdown_inside_html_blocks_markdown() -> None:
    source = '<div class="box">\n## Inside\n\n*emphasis*\n</div>\n'
    assert "<h2>Inside</h2>" in html(source, parse_block_html=True)
    assert "<em>emphasis</em>" in html(source, parse_block_html=True)
    assert "## Inside" in html(source)  # (CommonMark keeps it as raw HTML text)
    opted_out = '<div markdown="0">\n## Kept\n</div>\n'
    assert "## Kept" in html(opted_out, parse_block_html=True)


def test_the_theme_s_contents_block_with_its_toc_levels(tmp_path: Path) -> None:
    body = ('<div class="toc-block">\n## Contents\n{: .no_toc }\n\n1. TOC\n{:toc}\n'
            '{::options toc_levels="2" /}\n</div>\n\n## One\n\n### One and a half\n\n## Two\n')
    rendered, diagnostics = render_text(tmp_path, body,
                                        "title: T\nkramdown:\n  parse_block_html: true\n")
    text = html_of(rendered)
    assert "{:" not in text and "TOC" not in text
    assert [a.text for a in rendered.body.iter("{*}a")] == ["One", "Two"]
    assert not list(diagnostics)
