"""What differs between Jekyll 3 (GitHub Pages) and Jekyll 4, followed as the site is
built."""

from __future__ import annotations

from pathlib import Path

from liquid_util import render

FILES = {"my page.md": "---\n---\n", "_posts/2020-01-02-hi.md": "---\n---\n",
         "_includes/a(1).html": "paren"}


def test_link_and_post_url_add_the_baseurl_only_in_jekyll_4(tmp_path: Path) -> None:
    body = "{% link my page.md %}|{% post_url 2020-01-02-hi %}"
    j3 = render(tmp_path, body, FILES, {"baseurl": "/kb"}, jekyll=3).text
    j4 = render(tmp_path, body, FILES, {"baseurl": "/kb"}, jekyll=4).text
    assert j3 == "/my%20page.html|/2020/01/02/hi.html"
    assert j4 == "/kb/my%20page.html|/kb/2020/01/02/hi.html"


def test_baseurl_before_a_link_doubles_it_in_jekyll_4(tmp_path: Path) -> None:
    # the Jekyll 3 habit on a Jekyll 4 site: what that site itself shows
    body = "{{ site.baseurl }}{% link my page.md %}"
    assert render(tmp_path, body, FILES, {"baseurl": "/kb"}, jekyll=3).text == (
        "/kb/my%20page.html")
    assert render(tmp_path, body, FILES, {"baseurl": "/kb"}, jekyll=4).text == (
        "/kb/kb/my%20page.html")


def test_include_file_name_characters(tmp_path: Path) -> None:
    assert render(tmp_path, "{% include a(1).html %}", FILES, jekyll=4).text == "paren"
    r = render(tmp_path, "{% include a(1).html %}", FILES, jekyll=3)
    assert r.text == "" and "may not contain" in r.problems[0].message
