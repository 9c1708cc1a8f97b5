"""site.*, page.*, jekyll.*, and undefined variables that print nothing (as in Jekyll) but
are reported with file and line."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from liquid_util import expand, render, site_liquid

DATA = {
    "_data/team.yml": "- name: Ann\n  role: lead\n- name: Bob\n",
    "_data/nav/main.json": '{"links": [{"t": "Home", "u": "/"}]}',
    "_data/prices.csv": "item,price\ntea,3\ncake,4\n",
    "_data/my file-name.yml": "k: v\n",
}


def test_site_config_and_data(tmp_path: Path) -> None:
    r = render(tmp_path, "{{ site.title }}|{{ site.baseurl }}|{{ site.url }}|"
               "{{ site.data.team[0].name }}/{{ site.data.team | size }}|"
               "{{ site.data.nav.main.links[0].t }}|{{ site.data.prices[1].price }}|"
               "{{ site.data.my_file-name.k }}|{{ site.nested.deep }}",
               DATA, {"title": "KB", "baseurl": "/kb/", "url": "https://ex.org/",
                      "nested": {"deep": 1}})
    assert r.text == "KB|/kb|https://ex.org|Ann/2|Home|4|v|1"
    assert not r.problems


def test_a_broken_data_file_is_named_with_its_line(tmp_path: Path) -> None:
    r = render(tmp_path, "[{{ site.data.bad.x }}]",
               {"_data/bad.yml": "a: 1\nb: [unclosed\n", "_data/ok.json": "{"})
    assert r.text == "[]"
    found = sorted((p.path, p.line, p.code) for p in r.problems if p.code == "data")
    assert found == [("_data/bad.yml", 2, "data"), ("_data/ok.json", 1, "data")]


def test_site_pages_collections_and_documents(tmp_path: Path) -> None:
    liquid, pages = site_liquid(tmp_path, {
        "a.md": "---\ntitle: A\nnav_order: 2\n---\n", "b/index.md": "---\ntitle: B\n---\n",
        "_recipes/soup.md": "---\ntitle: Soup\n---\n",
        "page.md": ("---\ntitle: P\n---\n{% assign ps = site.pages | sort: 'path' %}"
                    "{% for p in ps %}{{ p.path }}={{ p.url }}({{ p.title }});{% endfor %}"
                    "{{ site.html_pages | size }}|"
                    "{{ site.pages | where: 'nav_order', 2 | map: 'title' }}|"
                    "{{ site.recipes | map: 'title' }}|{{ site.documents | size }}|"
                    "{{ site.collections | map: 'label' | join: ',' }}")},
        {"collections": {"recipes": {"output": True}}})
    r = expand(liquid, pages["page.md"])
    assert r.text == ("a.md=/a.html(A);b/index.md=/b/(B);page.md=/page.html(P);3|A|Soup|1|"
                      "posts,recipes")


def test_page_variables(tmp_path: Path) -> None:
    liquid, pages = site_liquid(tmp_path, {
        "docs/x.md": "---\ntitle: X\ntags: [t1, t2]\npermalink: /xx/\n---\n"
                     "{{ page.title }}|{{ page.url }}|{{ page.path }}|{{ page.name }}|"
                     "{{ page.dir }}|{{ page.tags | join: ',' }}|{{ page.content | size }}"})
    page = pages["docs/x.md"]
    assert expand(liquid, page).text == f"X|/xx/|docs/x.md|x.md|/xx/|t1,t2|{len(page.body)}"


def test_jekyll_variables(tmp_path: Path) -> None:
    assert render(tmp_path, "{{ jekyll.environment }} {{ jekyll.version }}",
                  jekyll=3).text == "production 3.10.0"


def test_site_time_is_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert render(tmp_path, "{{ site.time | date: '%Y-%m-%d %H:%M' }}").text == "2023-11-14 22:13"
    assert render(tmp_path, "{{ 'now' | date: '%Y' }}").text == "2023"


def test_no_absolute_path_leaks(tmp_path: Path) -> None:
    r = render(tmp_path, "[{{ site.source }}]")
    assert r.text == "[]" and str(tmp_path) not in r.text


def test_undefined_prints_nothing_and_is_reported_with_its_line(tmp_path: Path) -> None:
    r = render(tmp_path, "a\nb {{ nope }} c\n{{ page.missing }}\n{{ site.data.x.y }}\n")
    assert r.text == "a\nb  c\n\n\n"
    assert [(p.path, p.line, p.message.split(";")[0]) for p in r.problems] == [
        ("page.md", 5, "'nope' is undefined"), ("page.md", 6, "page.missing is undefined"),
        ("page.md", 7, "site.data.x is undefined")]


def test_tests_and_defaults_of_undefined_are_quiet(tmp_path: Path) -> None:
    r = render(tmp_path, "{% if page.missing %}x{% endif %}{{ page.missing | default: 'd' }}"
               "{% unless nope %}u{% endunless %}{% for i in nope %}{% endfor %}"
               "{% if page.missing == nil %}n{% endif %}")
    assert r.text == "dun" and not r.problems


def test_undefined_inside_an_include_names_both_files(tmp_path: Path) -> None:
    r = render(tmp_path, "one\n{% include a.html %}\n",
               {"_includes/a.html": "line1\n{{ include.nothing }}\n"})
    (p,) = r.problems
    assert (p.path, p.line) == ("_includes/a.html", 2)
    assert p.message.endswith("(included from page.md:5)")


def test_undefined_in_a_loop_is_reported_once(tmp_path: Path) -> None:
    assert len(render(tmp_path, "{% for i in (1..50) %}{{ nope }}{% endfor %}").problems) == 1


def test_arrays_hashes_and_times_print_as_ruby_prints_them(tmp_path: Path) -> None:
    r = render(tmp_path, "{{ site.a }}|{{ site.h }}|{{ site.f }}|{{ site.t }}|{{ site.n }}",
               {}, {"a": ["x", ["y", 1]], "h": {"k": "v", "n": None}, "f": 2.0,
                    "t": datetime.datetime(2020, 1, 2, 3, 4, 5), "n": None})
    assert r.text == 'xy1|{"k"=>"v", "n"=>nil}|2.0|2020-01-02 03:04:05 +0000|'


def test_now_and_today_are_not_variables(tmp_path: Path) -> None:
    assert render(tmp_path, "[{{ now }}][{{ today }}]").text == "[][]"


def test_render_with_liquid_false_only_in_jekyll_4(tmp_path: Path) -> None:
    files = {"page.md": "---\nrender_with_liquid: false\n---\n{{ x }}"}
    liquid, pages = site_liquid(tmp_path, files, jekyll=4)
    assert expand(liquid, pages["page.md"]).text == "{{ x }}"
    liquid, pages = site_liquid(tmp_path, files, jekyll=3)
    assert expand(liquid, pages["page.md"]).text == ""
