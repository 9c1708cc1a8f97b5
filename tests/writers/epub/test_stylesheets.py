"""A user's stylesheet (`--css`) as it goes into the EPUB: `@import` rules and declarations
that name a file are gone, with a warning naming the stylesheet and line; everything else
(comments and strings that only look like `url(` included) is kept; a file that is not UTF-8
text is refused with one clear message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kbbook.errors import Diagnostics, KbbookError
from kbbook.writers.epub.stylesheets import read_user_css

WHY = "removed: an EPUB may only use files it contains"


def clean(tmp_path: Path, css: str | bytes) -> tuple[str, list[tuple[str, int | None, str]]]:
    """The cleaned CSS and the warnings as (path, line, message)."""
    path = tmp_path / "mine.css"
    if isinstance(css, str):
        path.write_text(css, encoding="utf-8")
    else:
        path.write_bytes(css)
    diagnostics = Diagnostics()
    out = read_user_css(path, diagnostics)
    assert not diagnostics.errors
    assert all(d.code == "user-css" for d in diagnostics.warnings)
    return out, [(d.path, d.line, d.message) for d in diagnostics.warnings]


def rules(css: str) -> str:
    """The CSS without comments, whitespace squeezed and `;` before `}` dropped: what
    a reader applies, comparable as text."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    css = re.sub(r"\s+", " ", css)
    return re.sub(r"\s*([{};:])\s*", r"\1", css).replace(";}", "}").strip()


def test_hostile_stylesheet_keeps_only_what_is_inside_the_book(tmp_path: Path) -> None:
    out, warnings = clean(tmp_path, "@import url(http://x/y.css);\n"
                                    "body{background:url(file:///etc/passwd)}\n"
                                    "p{color:red}\n")
    assert rules(out) == "body{}p{color:red}"
    assert not re.search(r"url\(|@import|file:|http:", out)
    path = str(tmp_path / "mine.css")
    assert warnings == [
        (path, 1, f"@import url(http://x/y.css) {WHY}"),
        (path, 2, f"url(file:///etc/passwd) {WHY}"),
    ]


def test_an_ordinary_stylesheet_is_kept(tmp_path: Path) -> None:
    css = ("/* House style */\nbody { font-family: Georgia, serif; line-height: 1.5; }\n"
           "h1, h2 { color: #333 !important }\n"
           "@media (min-width: 30em) { p { margin: 0 0 1em } }\n"
           "@page { margin: 2cm; }\n")
    out, warnings = clean(tmp_path, css)
    assert warnings == []
    assert rules(out) == rules(css)
    assert "/* House style */" in out


def test_each_file_reference_is_removed_and_reported_on_its_line(tmp_path: Path) -> None:
    css = """\
@import "plain-string.css" screen;
@font-face {
  font-family: Mine;
  src: local(Mine), url(fonts/mine.woff2) format("woff2");
}
@media print {
  h1 { list-style-image: URL( "http://example.org/dot.png" ); color: navy }
}
@page { @top-center { content: url(data:text/plain,x) } margin: 1cm }
.a { background-image: image-set("a.png" 1x, "a2.png" 2x); border: 1px solid }
.b { cursor: \\75rl(hand.cur), auto; --bg: url(ftp://x/y) }
"""
    out, warnings = clean(tmp_path, css)
    assert [(line, message.removesuffix(" " + WHY)) for _, line, message in warnings] == [
        (1, '@import "plain-string.css" screen'), (4, "url(fonts/mine.woff2)"),
        (7, 'URL( "http://example.org/dot.png" )'), (9, "url(data:text/plain,x)"),
        (10, 'image-set("a.png" 1x, "a2.png" 2x)'), (11, "url(hand.cur)"),
        (11, "url(ftp://x/y)"),
    ]
    assert not re.search(r"url\(|@import|\\75rl|image-set|\.woff2|\.png|\.cur", out, re.I)
    assert rules(out) == ("@font-face{font-family:Mine}@media print{h1{color:navy}}"
                          "@page{@top-center{}margin:1cm}.a{border:1px solid}.b{}")


def test_comments_and_strings_that_look_like_urls_stay(tmp_path: Path) -> None:
    css = ('/* background: url(http://example.org/x.png) */\n'
           'a::after { content: "url(http://example.org)"; quotes: "@import" "x" }\n')
    out, warnings = clean(tmp_path, css)
    assert warnings == []
    assert rules(out) == rules(css)
    assert "url(http://example.org/x.png)" in out and '"url(http://example.org)"' in out


def test_namespace_is_kept_as_a_string(tmp_path: Path) -> None:
    out, warnings = clean(tmp_path, "@namespace epub url(http://www.idpf.org/2007/ops);\n"
                                    "epub|x { color: red }\n")
    assert warnings == []
    assert rules(out) == '@namespace epub "http://www.idpf.org/2007/ops";epub|x{color:red}'


def test_byte_order_mark_and_charset_are_dropped(tmp_path: Path) -> None:
    out, warnings = clean(tmp_path, '\ufeff@charset "utf-8";\np { color: red }\n'.encode())
    assert warnings == []
    assert rules(out) == "p{color:red}"
    assert "\ufeff" not in out and "@charset" not in out


def test_malformed_css_never_breaks_what_follows(tmp_path: Path) -> None:
    out, warnings = clean(tmp_path, 'a { background: url(a b); color: red }\n'
                                    'b { content: "unclosed\n; color: blue }\n'
                                    '}} c { color: green }\n')
    assert [line for _, line, _ in warnings] == [1]  # the malformed url(a b)
    assert "url" not in out
    assert "color: red" in out and "color: blue" in out


@pytest.mark.parametrize(("data", "why"), [
    (b"p { content: \"caf\xe9\" }", "is not valid UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a binary file"),
    (b"p { color: red }\x00", "is a binary file"),
])
def test_a_file_that_is_not_utf8_text_is_refused(tmp_path: Path, data: bytes, why: str
                                                 ) -> None:
    path = tmp_path / "odd.css"
    path.write_bytes(data)
    with pytest.raises(KbbookError) as raised:
        read_user_css(path, Diagnostics())
    message = raised.value.message
    assert str(path) in message and why in message
    assert "\n" not in message
