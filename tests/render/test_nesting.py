"""Deep nesting never loses text: blockquotes and lists nested beyond markdown-it's limit and
HTML nested beyond libxml2's are flattened, with one warning naming file and line."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from kbbook.errors import Diagnostic, Diagnostics
from kbbook.render import markdown
from kbbook.render.html import flatten_html, max_depth, parse_fragment
from kbbook.render.markdown import create_markdown
from kbbook.render.nesting import MARKDOWN_DEPTH, cap_nesting

from markdown_util import FIXTURES, html_of, render_text

# front matter is lines 1-3, so body line N is line N + 3 of the file
DEEP_HTML = "before\n\n" + "<div>" * 5000 + "payload-text" + "\n\nafter\n"
DEEP_QUOTES = "> " * 10_000 + "deep\n\nquotes-after\n"
DEEP_LIST = "".join("  " * i + "- item\n" for i in range(3000)) + "\nlist-after\n"


def render_deep(tmp_path: Path, body: str) -> tuple[str, list[Diagnostic], Diagnostics]:
    """The page's XHTML text (well-formed), its too-deep warnings, all its diagnostics.
    (How long this takes is measured by benchmarks/bench_render.py, not asserted here.)"""
    rendered, d = render_text(tmp_path, body)
    return html_of(rendered), [x for x in d if x.code == "too-deep"], d


def test_html_nested_beyond_the_parser_keeps_its_text(tmp_path: Path) -> None:
    html, deep, _ = render_deep(tmp_path, DEEP_HTML)
    for text in ("before", "payload-text", "after"):
        assert text in html, text
    assert html.index("payload-text") < html.index("after")
    assert len(deep) == 1
    assert deep[0].path == "page.md" and deep[0].line == 6  # the line of the <div>s
    assert "flattened" in deep[0].message and "left out" not in deep[0].message


def test_blockquotes_nested_beyond_the_limit_keep_their_text(tmp_path: Path) -> None:
    html, deep, _ = render_deep(tmp_path, DEEP_QUOTES)
    assert "deep" in html and "quotes-after" in html
    assert html.count("<blockquote") == MARKDOWN_DEPTH
    assert [(d.line, "flattened" in d.message) for d in deep] == [(4, True)]


def test_lists_nested_beyond_the_limit_keep_every_item(tmp_path: Path) -> None:
    html, deep, _ = render_deep(tmp_path, DEEP_LIST)
    tree = etree.fromstring('<div xmlns="http://www.w3.org/1999/xhtml">' + html + "</div>")
    items = [li for li in tree.iter("{*}li") if (li.text or "").strip() == "item"]
    assert len(items) == 3000
    assert "list-after" in html
    # the first MARKDOWN_DEPTH / 2 levels stay nested, the deeper items share one list
    assert html.count("<ul") == MARKDOWN_DEPTH // 2 + 1
    depth = MARKDOWN_DEPTH // 2
    assert [(d.line, "flattened" in d.message) for d in deep] == [(4 + depth, True)]


@pytest.mark.parametrize("structure", [
    "- " * 10_000 + "deep\n",
    "1. " * 10_000 + "deep\n",
    ">" * 10_000 + " deep\n",
    "> - " * 5_000 + "deep\n",
    "<span>" * 10_000 + "deep\n",
    '<div markdown="1">\n' * 600 + "deep\n" + "</div>\n" * 600,  # (past both depth caps)
    "- " * 60 + "x\n" + "  " * 60 + "```\n" + "  " * 60 + "deep\n" + "  " * 60 + "```\n",
])
def test_other_deep_structures_keep_their_text(tmp_path: Path, structure: str) -> None:
    """The text inside the deep structure survives, and the paragraph after it stays a
    paragraph of its own after the structure (not swallowed into it)."""
    html, deep, d = render_deep(tmp_path, structure + "\nafter\n")
    assert "deep" in html
    assert html.rstrip().endswith("<p>after</p>")
    assert len(deep) == 1 and "left out" not in deep[0].message
    assert not d.errors


# -- the Markdown pre-pass -----------------------------------------------------------------


def test_cap_nesting_leaves_ordinary_markdown_alone() -> None:
    for path in FIXTURES.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert cap_nesting(text) == (text, None), path


def test_cap_nesting_keeps_lines_and_code() -> None:
    text = ("```\n" + ">" * 200 + "\n```\n\n<pre>\n" + "> " * 100 + "\n</pre>\n\n"
            + "> " * 60 + "x\n" + "> " * 60 + "y\n")
    capped, first = cap_nesting(text)
    lines = capped.split("\n")
    assert len(lines) == len(text.split("\n")) and first == 8
    assert lines[:8] == text.split("\n")[:8]
    assert lines[8] == "> " * MARKDOWN_DEPTH + "x" and lines[9] == "> " * MARKDOWN_DEPTH + "y"


def _words(md_text: str) -> Counter[str]:
    html = create_markdown().render(md_text)
    return Counter(re.findall(r"w\d+", lxml.html.fromstring(f"<div>{html}</div>").text_content()))


def test_cap_nesting_never_loses_a_word(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "MAX_NESTING", 1000)  # the reference keeps everything
    pieces = ["> ", "- ", "* ", "1. ", "2) ", "  ", "    ", "\t", "```\n", "~~~\n", "\n",
              "para ", "# h ", "---", "<pre>\n", "</pre>\n", "> > > ", "- - ", "\n\n"]
    rng = random.Random(7)
    for _ in range(400):
        parts = []
        for i in range(rng.randint(5, 60)):
            parts.append(rng.choice(pieces))
            if rng.random() < 0.4:
                parts.append(f"w{i} ")
        text = "".join(parts)
        capped, _ = cap_nesting(text, 6)
        assert capped.count("\n") == text.count("\n")
        assert _words(capped) == _words(text), text


# -- the HTML pre-pass ---------------------------------------------------------------------


def test_flatten_html_drops_deep_tags_and_keeps_text() -> None:
    html = ('<div data-kb-line="3">' + "<div><b>x</b>" * 300 + "deep" + "</div>" * 300
            + "<p>after</p><ul>" + "<li>item" * 400 + "</ul></div>")
    flat, line = flatten_html(html, 50)
    assert line == 3
    body, _ = parse_fragment(flat)
    assert max_depth(body) <= 51
    text = body.text_content()
    assert text.count("x") == 300 and "deep" in text and "after" in text
    assert text.count("item") == 400 and len(body.findall(".//li")) == 400  # siblings stay


def test_parse_fragment_reparses_only_what_the_parser_would_cut() -> None:
    body, deep = parse_fragment("<div>" * 1000 + "x")
    assert deep is None and max_depth(body) == 1000
    body, deep = parse_fragment("<div>" * 3000 + "x" + "<script>'<div>'</script><p>after</p>")
    assert deep is not None and not deep.lost
    assert "x" in body.text_content() and "after" in body.text_content()
