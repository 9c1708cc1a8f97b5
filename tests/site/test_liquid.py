"""The Liquid pre-pass: what Jekyll would expand, with every line kept in place."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kbbook.cli import app
from kbbook.errors import Diagnostics
from kbbook.site import Page, SourceFile
from kbbook.site.liquid import expand_liquid

from markdown_util import GOLDEN, load_site

PAGES, RESOLVER, _ = load_site(GOLDEN)
runner = CliRunner()
BODY_LINE = 5


def liquid(body: str, **meta: object) -> tuple[str, Diagnostics]:
    meta = {"title": "The Title", "text": "one\ntwo\n", **meta}
    page = Page(SourceFile(GOLDEN / "docs" / "p.md", "docs/p.md"), "/docs/p.html", "The Title",
                False, None, None, None, None, False, None, None, MappingProxyType(meta), body,
                BODY_LINE)
    d = Diagnostics()
    return expand_liquid(page, RESOLVER, d), d


def warnings(d: Diagnostics) -> list[tuple[int | None, str]]:
    return [(x.line, x.message) for x in d]


def test_text_without_liquid_is_untouched() -> None:
    text = "# Title\n\nPlain {text} with { braces } and 100% } stuff.\n"
    assert liquid(text)[0] == text


@pytest.mark.parametrize(("source", "expected"), [
    ("{{ site.baseurl }}/docs/", "/kb/docs/"),
    ("{{site.url}}", "https://example.org"),
    ("{{ site.title }}", "Golden fixtures"),
    ("{{ site.product.name }}", "Widget"),
    ("{{ site.product.versions }}", "12"),
    ("{{ site.product.versions[1] }}", "2"),
    ("{{ page.title }}", "The Title"),
    ("{{ page.extra }}", "from front matter"),
    ("{{ '/assets/x.css' | relative_url }}", "/kb/assets/x.css"),
    ('{{ "docs" | absolute_url }}', "https://example.org/kb/docs"),
    ("{{ 'https://other.example/x' | relative_url }}", "https://other.example/x"),
    ("{{ site.missing | default: 'none' }}", "none"),
    ("{{ site.title | upcase | append: '!' }}", "GOLDEN FIXTURES!"),
    ("{{- site.title -}}", "Golden fixtures"),
    ("{% link docs/guide.md %}", "/kb/docs/guide.html"),
    ("{% link /docs/guide.md %}", "/kb/docs/guide.html"),
    ("{% link docs/manual.pdf %}", "/kb/docs/manual.pdf"),
])
def test_values(source: str, expected: str) -> None:
    text, d = liquid(source, extra="from front matter")
    assert (text, warnings(d)) == (expected, [])


def test_raw_is_passed_through_even_inside_code_fences() -> None:
    body = "```\n{% raw %}{{ site.title }} {% include x %}\n{% endraw %}```\n{{ site.title }}\n"
    text, d = liquid(body)
    assert text == "```\n{{ site.title }} {% include x %}\n```\nGolden fixtures\n"
    assert not list(d)


def test_liquid_inside_code_fences_is_expanded_as_jekyll_does() -> None:
    assert liquid("```\n{{ site.baseurl }}\n```\n")[0] == "```\n/kb\n```\n"


def test_unsupported_tags_and_unknown_variables_are_removed_with_their_line() -> None:
    body = ("one\n{% include nav.html %}\nthree {% if x %}shown{% else %}too{% endif %}\n"
            "{{ nope }}\n")
    text, d = liquid(body)
    assert text == "one\n\nthree showntoo\n\n"
    assert warnings(d) == [
        (BODY_LINE + 1, "Liquid tag '{% include nav.html %}' is not supported by kbbook; removed"),
        (BODY_LINE + 2, "Liquid tag '{% if x %}' is not supported by kbbook; removed"),
        (BODY_LINE + 3, "'{{ nope }}': nope is not known to kbbook; removed"),
    ]


def test_unknown_link_target_is_reported_and_kept_as_a_path() -> None:
    text, d = liquid("x\n[a]({% link docs/none.md %})")
    assert text == "x\n[a](/docs/none.md)"
    assert [x.line for x in d] == [BODY_LINE + 1]


def test_comment_and_multiline_tags_keep_every_line() -> None:
    body = "a\n{% comment %}\nhidden\n{% endcomment %}\nb {{\n  site.title\n}} c\nd\n"
    text, d = liquid(body)
    assert text == "a\n\n\n\nb Golden fixtures\n\n c\nd\n"
    assert not list(d)


def test_highlight_tag_becomes_a_fence() -> None:
    text, _ = liquid("{% highlight ruby linenos %}\nputs 1\n{% endhighlight %}\n")
    assert text == "~~~ruby\nputs 1\n~~~\n"


def test_unclosed_markup_is_kept_and_reported() -> None:
    text, d = liquid("a\n{{ never closed\n")
    assert text == "a\n{{ never closed\n"
    assert [x.line for x in d] == [BODY_LINE + 1]
    text, d = liquid("{% raw %}\n{{ x }}\n")
    assert text == "\n{{ x }}\n"
    assert [x.line for x in d] == [BODY_LINE]


def test_multiline_values_stay_on_one_line() -> None:
    assert liquid("a {{ page.text }} b\nc")[0] == "a one two  b\nc"


def test_unknown_filter_is_reported() -> None:
    text, d = liquid("{{ site.title | shout }}")
    assert text == "Golden fixtures"
    assert "shout" in d.items[0].message


_PIECES = st.sampled_from([
    "{%", "%}", "{{", "}}", "{% raw %}", "{% endraw %}", "{% comment %}", "{% endcomment %}",
    "{% link docs/guide.md %}", "{% if x %}", "{{ site.title }}", "{{ page.title | upcase }}",
    "{%- include x -%}", "{{ page.text }}", "|", "'", '"', "\n", "\n\n", " ", "x", "{", "}",
    "%",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES | st.text(max_size=4), max_size=40).map("".join))
def test_line_count_is_always_kept(body: str) -> None:
    text, _ = liquid(body)
    assert text.count("\n") == body.count("\n")


@pytest.mark.parametrize("target", ["loop", "outside.md"])
def test_link_to_a_looping_or_outside_link_is_a_warning(tmp_path: Path, target: str) -> None:
    """`{% link %}` to a symlink that loops (or leads out of the site) reads nothing and says
    so on the tag's line; it never stops the build."""
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "outside.txt").write_text("outside")
    (site / "loop").symlink_to(site / "loop")
    (site / "outside.md").symlink_to(tmp_path / "outside.txt")
    (site / "index.md").write_text(f"---\ntitle: Home\n---\nOne.\n\n[x]({{% link {target} %}})\n")
    result = runner.invoke(app, ["check", str(site)])
    assert result.exit_code == 0, result.output
    assert f"index.md:6: warning: {{% link {target} %}} names no file of the site" in result.stdout
    assert "internal error" not in result.output
