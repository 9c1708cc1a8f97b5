"""Jekyll's filters (and which of them python-liquid already had)."""

from __future__ import annotations

from pathlib import Path

import liquid
import pytest

from kbbook.site.liquid import filters_lists, filters_text

from liquid_util import render

CONFIG = {"baseurl": "/kb", "url": "https://ex.org", "timezone": "UTC",
          "people": [{"name": "Ann", "year": 2014, "tags": ["a", "b"]},
                     {"name": "bob", "year": 2013},
                     {"name": "Cy", "year": 2014, "tags": ["b"]},
                     {"name": "Di"}],
          "when": "2008-11-07T13:07:54-08:00", "esc": "a <b> & \"c\" 'd'"}

CASES = [
    ("{{ '/a b/é.css' | relative_url }}", "/kb/a%20b/%C3%A9.css"),
    ("{{ 'x' | relative_url }}|{{ 'https://o.org/x' | relative_url }}", "/kb/x|https://o.org/x"),
    ("{{ '/x' | absolute_url }}", "https://ex.org/kb/x"),
    ("{{ nil | relative_url }}", ""),
    ("{{ '*hi*' | markdownify }}", "<p><em>hi</em></p>\n"),
    ("{{ site.people | where: 'year', 2014 | map: 'name' | join: ',' }}", "Ann,Cy"),
    ("{{ site.people | where: 'year', '2014' | size }}", "2"),
    ("{{ site.people | where: 'tags', 'b' | map: 'name' | join: ',' }}", "Ann,Cy"),
    ("{{ site.people | where: 'year', nil | map: 'name' | join: ',' }}", "Di"),
    ("{{ site.people | where_exp: 'p', 'p.year > 2013 and p.name != \"Cy\"' "
     "| map: 'name' | join }}", "Ann"),
    ("{{ site.people | where_exp: 'p', 'p.tags contains \"a\"' | map: 'name' | join }}", "Ann"),
    ("{{ site.people | find: 'name', 'bob' | map: 'year' }}", "2013"),
    ("{{ site.people | find_exp: 'p', 'p.year == 2014' | map: 'name' }}", "Ann"),
    ("{% assign g = site.people | group_by: 'year' %}"
     "{% for x in g %}{{ x.name }}:{{ x.size }};{% endfor %}",
     "2014:2;2013:1;:1;"),
    ("{% assign g = site.people | group_by_exp: 'p', 'p.name | downcase | slice: 0' %}"
     "{{ g | map: 'name' | join }}",
     "a b c d"),
    ("{{ site.people | sort: 'year' | map: 'name' | join: ',' }}", "Di,bob,Ann,Cy"),
    ("{{ site.people | sort: 'year', 'last' | map: 'name' | join: ',' }}", "bob,Ann,Cy,Di"),
    ("{{ site.people | map: 'name' | sort | join: ',' }}", "Ann,Cy,Di,bob"),
    ("{{ 'Hello, World! é_x' | slugify }}", "hello-world-é-x"),
    ("{{ 'The _config.yml file' | slugify: 'pretty' }}", "the-_config.yml-file"),
    ("{{ 'Él Niño' | slugify: 'latin' }}|{{ 'Él Niño' | slugify: 'ascii' }}|"
     "{{ 'a  b' | slugify: 'raw' }}",
     "el-nino|l-ni-o|a-b"),
    ("{{ site.when | date: '%Y-%m-%d %-d %e %^b %j %L %:z %s' }}",
     "2008-11-07 7  7 NOV 312 000 -08:00 1226092074"),
    ("{{ site.when | date_to_string }}|{{ site.when | date_to_string: 'ordinal', 'US' }}",
     "07 Nov 2008|Nov 7th, 2008"),
    ("{{ site.when | date_to_long_string: 'ordinal' }}", "7th November 2008"),
    ("{{ site.when | date_to_xmlschema }}|{{ site.when | date_to_rfc822 }}",
     "2008-11-07T21:07:54+00:00|Fri, 07 Nov 2008 21:07:54 +0000"),
    ("{{ '2020-02-03' | date: '%a %d %B %Y' }}", "Mon 03 February 2020"),
    ("{{ site.people[0] | jsonify }}", '{"name":"Ann","year":2014,"tags":["a","b"]}'),
    ("{{ site.esc | xml_escape }}", "a &lt;b&gt; &amp; &quot;c&quot; 'd'"),
    ("{{ 'foo,bar;baz? ~' | cgi_escape }}", "foo%2Cbar%3Bbaz%3F+~"),
    ("{{ 'foo, bar \\baz?' | uri_escape }}", "foo,%20bar%20%5Cbaz?"),
    ("{{ 'one two\n three' | number_of_words }}", "3"),
    ("{{ site.people | map: 'name' | array_to_sentence_string }}", "Ann, bob, Cy, and Di"),
    ("{{ site.people | map: 'name' | slice: 0, 2 | array_to_sentence_string: 'or' }}",
     "Ann or bob"),
    ("{{ '  a \n\t b  ' | normalize_whitespace }}", "a b"),
    ("{{ 'He said \"hi\" -- ok...' | smartify }}", "He said \u201chi\u201d \u2013 ok\u2026"),
    ("{% assign a = site.people | map: 'name' %}{{ a | pop | join }}|{{ a | pop: 2 | join }}|"
     "{{ a | push: 'Ed' | last }}|{{ a | shift | first }}|{{ a | unshift: 'Z' | first }}",
     "Ann bob Cy|Ann bob|Ed|bob|Z"),
    ("{% assign a = site.people | map: 'name' %}{{ a | sample }}|{{ a | sample: 2 | size }}", None),
    ("{{ site.people[1] | inspect }}",
     "{&quot;name&quot;=&gt;&quot;bob&quot;, &quot;year&quot;=&gt;2013}"),
    ("{{ '12abc' | to_integer | plus: 1 }}", "13"),
    # a few standard ones python-liquid already has
    ("{{ 'a,b' | split: ',' | join: '-' | upcase | append: '!' }}", "A-B!"),
    ("{{ 7 | divided_by: 2 }}|{{ 7.0 | divided_by: 2 }}|{{ '  x ' | strip }}", "3|3.5|x"),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_filter(tmp_path: Path, source: str, expected: str | None) -> None:
    r = render(tmp_path, source, {}, CONFIG)
    assert not r.problems, r.problems
    if expected is not None:
        assert r.text == expected


def test_sample_is_the_same_every_build(tmp_path: Path) -> None:
    a = render(tmp_path, "{{ site.people | sample: 2 | map: 'name' | join }}", {}, CONFIG).text
    b = render(tmp_path, "{{ site.people | sample: 2 | map: 'name' | join }}", {}, CONFIG).text
    assert a == b


def test_which_filters_python_liquid_has_and_which_we_add() -> None:
    standard = set(liquid.Environment().filters)
    jekyll = set(filters_text.FILTERS) | set(filters_lists.FILTERS)
    overridden = jekyll & standard
    assert overridden == {"date", "where", "sort", "find"}
    added = jekyll - standard
    assert {"relative_url", "where_exp", "group_by", "slugify", "jsonify", "markdownify",
            "xml_escape", "cgi_escape", "uri_escape", "number_of_words",
            "array_to_sentence_string", "normalize_whitespace", "smartify", "sample", "pop",
            "push", "shift", "unshift", "inspect", "date_to_xmlschema"} <= added


def test_filter_errors_name_the_line_and_keep_going(tmp_path: Path) -> None:
    r = render(tmp_path, "a\n{{ site.people | sort }}\n"
               "{{ site.people | sort: 'year', 'middle' }}\nb", {}, CONFIG)
    assert r.text == "a\n\n\nb"
    assert [(p.line, p.code) for p in r.problems] == [(5, "liquid-render"), (6, "liquid-render")]
