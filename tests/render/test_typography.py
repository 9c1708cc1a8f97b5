"""kramdown's typography: the quotes, dashes and ellipses the site shows."""

from __future__ import annotations

import pytest

from kbbook.render.markdown import create_markdown
from kbbook.render.typography import ENGLISH, site_quotes


def render(text: str, quotes: tuple[str, str, str, str] = ENGLISH) -> str:
    html = create_markdown(quotes=quotes).render(text)
    return html.split(">", 1)[1].rsplit("</p>", 1)[0]  # the paragraph's content


@pytest.mark.parametrize(("source", "expected"), [
    ('"Quoted" and \'single\' and it\'s',
     "\u201cQuoted\u201d and \u2018single\u2019 and it\u2019s"),
    ("a -- b --- c ...", "a \u2013 b \u2014 c \u2026"),
    ("<< guillemets >> and 1 << 2", "\u00ab\u00a0guillemets\u00a0\u00bb and 1 \u00ab\u00a02"),
    ("(c) and +- stay", "(c) and +- stay"),  # kramdown has no such symbols
    ('`code "x" -- y...`', '<code>code &quot;x&quot; -- y...</code>'),
    ("[a--b](https://ex.org/a--b)", '<a href="https://ex.org/a--b" data-kb-line="1">a\u2013b</a>'),
    ("<https://ex.org/a--b>", '<a href="https://ex.org/a--b" data-kb-line="1">https://ex.org/a--b</a>'),
])
def test_kramdown_typography(source: str, expected: str) -> None:
    assert render(source) == expected


def test_code_blocks_keep_straight_quotes() -> None:
    html = create_markdown().render('```\nprint("a -- b")\n```\n')
    assert 'print("a -- b")' in html


@pytest.mark.parametrize(("kramdown", "lang", "expected"), [
    ({}, "en", ENGLISH),
    ({}, "en-GB", ENGLISH),
    ({}, "de", ("\u201e", "\u201c", "\u201a", "\u2018")),
    ({}, "de-CH", ("\u201e", "\u201c", "\u201a", "\u2018")),
    ({}, "xx", ENGLISH),
    # kramdown lists single left, single right, double left, double right
    ({"smart_quotes": "sbquo,lsquo,bdquo,ldquo"}, "en", ("\u201e", "\u201c", "\u201a", "\u2018")),
    ({"smart_quotes": "171,187,8249,8250"}, "de", ("\u2039", "\u203a", "\u00ab", "\u00bb")),
    ({"smart_quotes": "nonsense"}, "fr", site_quotes({}, "fr")),
])
def test_quotes_follow_smart_quotes_then_the_language(kramdown: dict[str, str], lang: str,
                                                       expected: tuple[str, ...]) -> None:
    assert site_quotes(kramdown, lang) == expected


def test_language_quotes_in_a_page() -> None:
    assert render('"Bonjour"', site_quotes({}, "fr")) == "\u00ab\u202fBonjour\u202f\u00bb"
    assert render('"Hallo"', site_quotes({}, "de")) == "\u201eHallo\u201c"
