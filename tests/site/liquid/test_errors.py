"""Syntax errors name file and line and never stop the book (Jekyll would stop). The rule:
never lose the author's text. Markup whose meaning is unknown is removed (an unknown tag,
bad include parameters); a tag that would swallow text (a block never closed, a `{{` or
`{%` never closed, a block or `{{ }}` whose markup is wrong, a raw never ended) is kept as
text, and the rest of the page renders."""

from __future__ import annotations

from pathlib import Path

import liquid
import pytest
from liquid.exceptions import LiquidSyntaxError

from liquid_util import expand, render, site_liquid

# (body, text expected, [(line, code)]): the body starts on line 4 of page.md
CASES = {
    "unknown tag removed": ("a\nb {% gist 123 %} c\n", "a\nb  c\n", [(5, "liquid-tag")]),
    "unknown block tags removed, body kept": ("{% tabs %}\nin\n{% endtabs %}\n", "\nin\n\n",
                                              [(4, "liquid-tag"), (6, "liquid-syntax")]),
    "unclosed if kept as text": ("l4\n{% if true %}\nl6\n", "l4\n{% if true %}\nl6\n",
                                 [(5, "liquid-syntax")]),
    "inner unclosed for, outer if fine": ("{% if true %}\n{% for x in (1..2) %}\n{% endif %}"
                                          "\nl7", "\n{% for x in (1..2) %}\n\nl7",
                                          [(5, "liquid-syntax")]),
    "unclosed {{ kept, next line renders": ("l4 {{ page.title \nl5 {{ page.title }}\n",
                                            "l4 {{ page.title \nl5 The page\n",
                                            [(4, "liquid-syntax")]),
    "{% never closed": ("l4\nl5 {% if \nl6 {{ page.title }}\n", "l4\nl5 {% if \nl6 The page\n",
                        [(5, "liquid-syntax")]),
    "bad output expression kept": ("{{ page.title | }}\nok", "{{ page.title | }}\nok",
                                   [(4, "liquid-syntax")]),
    "bad if expression: tag kept, body shown": ("{% if a == %}\nbody\n{% endif %}\nz",
                                                "{% if a == %}\nbody\n\nz",
                                                [(4, "liquid-syntax"), (6, "liquid-syntax")]),
    "stray end tag removed": ("a\n{% endif %}\nb", "a\n\nb", [(5, "liquid-syntax")]),
    "raw never closed: raw to the end": ("a\n{% raw %}\n{{ .Go }}\n", "a\n\n{{ .Go }}\n",
                                         [(5, "liquid-syntax")]),
    "comment never closed: kept": ("a\n{% comment %}\nnote\n", "a\n{% comment %}\nnote\n",
                                   [(5, "liquid-syntax")]),
    "render error drops one output": ("{{ 1 | divided_by: 0 }}\n{{ page.title }}", "\nThe page",
                                      [(4, "liquid-render")]),
    "missing include": ("a\n{% include nope.html %}\nb", "a\n\nb", [(5, "liquid-include")]),
}


@pytest.mark.parametrize("name", CASES)
def test_error_cases(tmp_path: Path, name: str) -> None:
    body, text, problems = CASES[name]
    r = render(tmp_path, body)
    assert r.text == text
    assert [(p.line, p.code) for p in r.problems] == problems
    assert all(p.path == "page.md" for p in r.problems)


def test_errors_in_an_include_name_the_include_and_the_page_line(tmp_path: Path) -> None:
    r = render(tmp_path, "x\n{% include bad.html %}",
               {"_includes/bad.html": "ok\n{% if %}\n{% foo %}"})
    got = [(p.path, p.line, p.code, p.message.endswith("(included from page.md:5)"))
           for p in r.problems]
    assert ("_includes/bad.html", 3, "liquid-tag", True) in got
    assert ("_includes/bad.html", 2, "liquid-syntax", True) in got


def test_include_errors_are_reported_for_every_page_that_uses_it(tmp_path: Path) -> None:
    liquid_site, pages = site_liquid(tmp_path, {"a.md": "---\n---\n{% include b.html %}",
                                                "c.md": "---\n---\n{% include b.html %}",
                                                "_includes/b.html": "{% foo %}"})
    for rel in ("a.md", "c.md"):  # the include is parsed once (cached), reported twice
        (problem,) = expand(liquid_site, pages[rel]).problems
        assert problem.message.endswith(f"(included from {rel}:3)")


# -- what python-liquid itself gives (the API kbbook builds on) ------------------------------


def test_python_liquid_errors_carry_a_token_with_the_position() -> None:
    env = liquid.Environment()  # tolerance=Mode.STRICT: raise
    with pytest.raises(LiquidSyntaxError) as info:
        env.from_string("a\nb\n{% foo %}")
    assert info.value.token is not None and info.value.token.start_index == 7


def test_python_liquid_loses_the_line_of_unclosed_blocks() -> None:
    # (hence kbbook's own line-aware tags)
    with pytest.raises(LiquidSyntaxError) as info:
        liquid.Environment().from_string("a\n{% if x %}\nb")
    assert info.value.token is not None and info.value.token.start_index == -1
