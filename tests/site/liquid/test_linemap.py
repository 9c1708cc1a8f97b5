"""Every line of the Markdown after Liquid maps back to a line of the page (and, for text
an include made, to the line of the included file), however many lines Liquid added or
took away."""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt

from liquid_util import Rendered, render


def where(r: Rendered) -> list[tuple[str, int, int]]:
    return [(o.file, o.line, o.page_line) for o in r.lines]


def test_a_plain_page_maps_one_to_one(tmp_path: Path) -> None:
    r = render(tmp_path, "a\n{{ page.title }}\n{% if true %}c{% endif %}\n")
    # the front matter is 3 lines: the body starts on line 4
    assert where(r) == [("page.md", 4, 4), ("page.md", 5, 5), ("page.md", 6, 6)]


def test_an_include_of_many_lines(tmp_path: Path) -> None:
    inc = "".join(f"inc {i}\n" for i in range(1, 11))
    r = render(tmp_path, "before\n{% include ten.html %}after\nlast\n",
               {"_includes/ten.html": inc})
    assert r.text.count("\n") == 13
    m = where(r)
    assert m[0] == ("page.md", 4, 4)
    assert m[1:11] == [("_includes/ten.html", i, 5) for i in range(1, 11)]
    # after the include: the rest of line 5 ("after"), then 6; no drift
    assert m[11] == ("page.md", 5, 5) and r.text.split("\n")[11] == "after"
    assert m[12] == ("page.md", 6, 6)


def test_nested_includes_map_to_the_outermost_tag(tmp_path: Path) -> None:
    r = render(tmp_path, "x\n{% include a.html %}\ny",
               {"_includes/a.html": "a1\n{% include b.html %}\na3",
                "_includes/b.html": "b1\nb2"})
    assert where(r) == [("page.md", 4, 4), ("_includes/a.html", 1, 5),
                        ("_includes/b.html", 1, 5), ("_includes/b.html", 2, 5),
                        ("_includes/a.html", 3, 5), ("page.md", 6, 6)]


def test_a_value_of_many_lines_and_the_lines_after_it(tmp_path: Path) -> None:
    r = render(tmp_path, "{{ site.text }}\nnext\n", {}, {"text": "one\ntwo\nthree"})
    assert r.text == "one\ntwo\nthree\nnext\n"  # Jekyll inserts the newlines as they are
    assert [o.page_line for o in r.lines] == [4, 4, 4, 5]
    assert [o.verbatim for o in r.lines] == [False, False, False, True]


def test_a_tag_split_over_two_lines(tmp_path: Path) -> None:
    r = render(tmp_path, "[a]({{ site.baseurl\n}}/docs/a.html) b\nc\n", {}, {"baseurl": "/kb"})
    assert r.text == "[a](/kb/docs/a.html) b\nc\n"
    assert [o.page_line for o in r.lines] == [4, 6]


def test_lines_liquid_takes_away(tmp_path: Path) -> None:
    r = render(tmp_path, "a\n{% comment %}\n1\n2\n{% endcomment %}\nb\n{%- if true -%}\n\nc\n"
               "{% endif %}\nd")
    # lines 5-8 (the comment) are gone; `{%-` and `-%}` joined lines 9 and 12
    assert r.text.split("\n") == ["a", "", "bc", "", "d"]
    assert [o.page_line for o in r.lines] == [4, 8, 9, 13, 14]


def test_the_lines_of_a_loop_body(tmp_path: Path) -> None:
    r = render(tmp_path, "{% for i in (1..2) %}\nrow {{ i }}\n{% endfor %}\nend")
    assert r.text == "\nrow 1\n\nrow 2\n\nend"
    # the blank output line 3 is the newline that ends the {% for %} line (4), repeated
    assert [o.page_line for o in r.lines] == [4, 5, 4, 5, 6, 7]


def test_markdown_it_block_lines_through_the_map(tmp_path: Path) -> None:
    r = render(tmp_path, "# Title\n\n{% include h.html %}\n## After\n\nMore {{ page.title }}\n",
               {"_includes/h.html": "## From the include\n\ntext\n\n"})
    tokens = MarkdownIt("commonmark").parse(r.text)
    heads = [(t.map[0], tokens[i + 1].content) for i, t in enumerate(tokens)
             if t.type == "heading_open" and t.map]
    located = [(text, r.lines[line].file, r.lines[line].line, r.expanded.page_line(line + 1))
               for line, text in heads]
    assert located == [("Title", "page.md", 4, 4),
                       ("From the include", "_includes/h.html", 1, 6),
                       ("After", "page.md", 7, 7)]


def test_highlight_and_raw_keep_their_lines(tmp_path: Path) -> None:
    r = render(tmp_path, "{% highlight py %}\nx = 1\ny = 2\n{% endhighlight %}\n{% raw %}\n"
               "{{ a }}\n{% endraw %}\nz")
    assert [o.page_line for o in r.lines] == [4, 5, 6, 7, 8, 9, 10, 11]
