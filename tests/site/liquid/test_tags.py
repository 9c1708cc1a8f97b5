"""Jekyll's tags on python-liquid, rendered as Jekyll renders them."""

from __future__ import annotations

from pathlib import Path

from liquid_util import expand, render, site_liquid


def codes(r: object) -> list[str]:
    return [p.code for p in r.problems]  # type: ignore[attr-defined]


def test_include_with_params_and_variable_param(tmp_path: Path) -> None:
    r = render(tmp_path, '{% include note.html kind="tip" who=page.title n=3 %}',
               {"_includes/note.html": "[{{ include.kind }}|{{ include.who }}|"
                                       "{{ include.n | plus: 1 }}]"})
    assert r.text == "[tip|The page|4]"
    assert not r.problems


def test_include_single_quotes_and_escapes(tmp_path: Path) -> None:
    r = render(tmp_path, """{% include q.html a='it\\'s' b="say \\"hi\\"" %}""",
               {"_includes/q.html": "{{ include.a }} {{ include.b }}"})
    assert r.text == """it's say "hi\""""


def test_include_file_names_with_dots_dashes_and_folders(tmp_path: Path) -> None:
    # (python-liquid's own include would read `toc_2-3.html` as a variable path)
    r = render(tmp_path, "{% include toc_2-3.html %}|{% include parts/a.b.html %}",
               {"_includes/toc_2-3.html": "T", "_includes/parts/a.b.html": "AB"})
    assert r.text == "T|AB"


def test_dynamic_include_names(tmp_path: Path) -> None:
    r = render(tmp_path, "{% assign f = 'hi' %}{% include {{ f }}.html who='x' %}",
               {"_includes/hi.html": "hi {{ include.who }}"})
    assert r.text == "hi x"
    r = render(tmp_path, "{% include {{ page.title | downcase | remove: ' ' }}.html %}",
               {"_includes/thepage.html": "ok"})
    assert r.text == "ok"


def test_include_without_params_keeps_the_outer_include_variable(tmp_path: Path) -> None:
    # Jekyll sets `include` only when the tag has parameters
    r = render(tmp_path, "{% include a.html x='1' %}",
               {"_includes/a.html": "a{{ include.x }}[{% include b.html %}]",
                "_includes/b.html": "b{{ include.x }}"})
    assert r.text == "a1[b1]"


def test_assign_in_an_include_reaches_the_page_as_in_jekyll(tmp_path: Path) -> None:
    r = render(tmp_path, "{% include set.html %}{{ v }}",
               {"_includes/set.html": "{% assign v = 7 %}"})
    assert r.text == "7"


def test_include_relative_is_relative_to_the_page_even_when_nested(tmp_path: Path) -> None:
    liquid, pages = site_liquid(tmp_path, {
        "docs/guide.md": "---\n---\n{% include_relative parts/one.md %}",
        "docs/parts/one.md": "one {% include_relative parts/two.md %}",
        "docs/parts/two.md": "two"})
    assert expand(liquid, pages["docs/guide.md"]).text == "one two"


def test_includes_dir_from_the_config(tmp_path: Path) -> None:
    r = render(tmp_path, "{% include x.html %}", {"_inc2/x.html": "two"},
               {"includes_dir": "_inc2"})
    assert r.text == "two"


def test_link_tag_to_a_page_a_file_and_nothing(tmp_path: Path) -> None:
    r = render(tmp_path, "{% link docs/a b.md %} {% link assets/f.pdf %} {% link nope.md %}",
               {"docs/a b.md": "---\n---\nx", "assets/f.pdf": "%PDF"}, {"baseurl": "/kb"},
               jekyll=3)
    assert r.text == "/docs/a%20b.html /assets/f.pdf /nope.md"
    assert codes(r) == ["liquid-link"]


def test_link_tag_with_liquid_inside(tmp_path: Path) -> None:
    r = render(tmp_path, "{% assign p = 'x.md' %}{% link {{ p }} %}", {"x.md": "---\n---\n"})
    assert r.text == "/x.html"


def test_post_url(tmp_path: Path) -> None:
    files = {"_posts/2020-01-02-hello.md": "---\n---\nhi", "blog/_posts/2021-03-04-b.md": "x"}
    r = render(tmp_path, "{% post_url 2020-01-02-hello %} {% post_url 2021-03-04-b %} "
               "{% post_url 1999-01-01-none %}", files)
    assert r.text.startswith("/2020/01/02/hello.html /blog/2021/03/04/b.html ")
    assert any("no such post" in p.message for p in r.problems)


def test_highlight_becomes_a_fenced_code_block_with_the_same_lines(tmp_path: Path) -> None:
    body = "text\n{% highlight Ruby linenos %}\ndef x\n  ```\n{% endhighlight %}\nafter\n"
    r = render(tmp_path, body)
    assert r.text == "text\n````ruby\ndef x\n  ```\n````\nafter\n"
    assert r.text.count("\n") == body.count("\n")
    # Liquid inside highlight runs, as in Jekyll
    r = render(tmp_path, "{% highlight liquid %}\n{{ page.title }} {% raw %}{{ x }}{% endraw %}"
               "\n{% endhighlight %}")
    assert r.text == "```liquid\nThe page {{ x }}\n```"


def test_highlight_inline_gets_its_own_lines(tmp_path: Path) -> None:
    r = render(tmp_path, "para {% highlight js %}var x{% endhighlight %} end")
    assert r.text == "para \n```js\nvar x\n```\n end"


def test_highlight_in_a_list_item_keeps_the_indent(tmp_path: Path) -> None:
    r = render(tmp_path, "1. item\n\n   {% highlight sh %}\n   ls\n   {% endhighlight %}\n")
    assert r.text == "1. item\n\n   ```sh\nls\n   ```\n"  # Jekyll strips the first indent


def test_raw_and_comment(tmp_path: Path) -> None:
    r = render(tmp_path, "{% raw %}{{ x }} {% if %}{% endraw %}|{% comment %}{{ nope }}"
               "{% if x %}{% endcomment %}|{% raw %}{{{% endraw %} ENV.X {% raw %}}}{% endraw %}")
    assert r.text == "{{ x }} {% if %}||{{ ENV.X }}"
    assert not r.problems


def test_liquid_runs_inside_code_fences_as_in_jekyll(tmp_path: Path) -> None:
    r = render(tmp_path, "```\n{{ site.baseurl }}\n```\n", config={"baseurl": "/kb"})
    assert r.text == "```\n/kb\n```\n"


def test_standard_tags(tmp_path: Path) -> None:
    r = render(tmp_path, "{% assign a = 3 %}{% capture c %}x{{ a }}{% endcapture %}{{ c }}"
               "{% if a > 2 and c contains 'x' %}big{% elsif a %}no{% else %}no{% endif %}"
               "{% unless a == 3 %}no{% endunless %}{% case a %}{% when 1, 3 %}three{% endcase %}"
               "{% for i in (1..5) limit: 2 offset: 1 %}{{ i }}{{ forloop.index }}{% endfor %}"
               "{% increment n %}{% increment n %}{% decrement m %}"
               "{% for i in (1..3) %}{% if i == 2 %}{% break %}{% endif %}{{ i }}{% endfor %}")
    assert r.text == "x3bigthree" "2132" "01" "-1" "1"


def test_liquid_5_tags_are_unknown_as_in_jekyll(tmp_path: Path) -> None:
    r = render(tmp_path, "{% render 'x' %}{% echo 'a' %}")
    assert r.text == ""
    assert set(codes(r)) == {"liquid-tag"}
