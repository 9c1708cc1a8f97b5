"""A hostile page cannot hang or exhaust the build. Each limit is hit by a page written to
hit it: its Liquid is abandoned, its text kept, a warning given, and the next page renders
normally."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kbbook.site.liquid import Limits

from liquid_util import render

LIMITS = Limits(seconds=1.0)

HOSTILE = {
    # python-liquid's loop_iteration_limit (the product of one nest of loops)
    "huge range": ("{% for i in (1..100000000) %}x{% endfor %}", "loops ran more than"),
    "nested loops": ("{% for a in (1..1000) %}{% for b in (1..1000) %}{% endfor %}{% endfor %}",
                     "loop iteration limit"),
    "loops inside includes": ("{% for i in (1..400) %}{% include l.html %}{% endfor %}",
                              "loop iteration limit"),
    # kbbook's time limit: loops one after another
    "sequential loops": ("{% for i in (1..90000) %}{% endfor %}" * 200, "longer than"),
    "slow filters": ("{% for i in (1..90000) %}{% assign x = site.list | join: ',' %}"
                     "{% endfor %}", "longer than"),
    # python-liquid's output_stream_limit, for capture buffers too
    "output size": ("{% for i in (1..9000) %}" + "x" * 2000 + "{% endfor %}",
                    "output stream limit"),
    "capture doubling": ("{% assign s = 'xxxxxxxxxx' %}{% for i in (1..40) %}{% capture s %}"
                         "{{ s }}{{ s }}{% endcapture %}{% endfor %}", "output stream limit"),
    # kbbook's filter guard: values that would exhaust memory before any output
    "append doubling": ("{% assign s = 'xxxxxxxxxx' %}{% for i in (1..40) %}"
                        "{% assign s = s | append: s %}{% endfor %}", "made a value of more than"),
    "sort a huge range": ("{{ (1..100000000) | sort | size }}", "was given a value of more than"),
    # python-liquid's context_depth_limit
    "include itself": ("{% include self.html %}", "maximum context depth"),
    "includes each other": ("{% include a.html %}", "maximum context depth"),
    # python-liquid's block_nesting_limit (when parsing)
    "deep nesting": ("{% if a %}" * 40 + "x" + "{% endif %}" * 40, "block nesting limit"),
    # kbbook's count of tags (parsing cannot be interrupted)
    "too many tags": ("{{ a }}" * 25000, "Liquid tags (more than"),
    # Python's limit on converting huge integers to text
    "huge integer": ("{% assign n = 10 %}{% for i in (1..5000) %}{% assign n = n | times: 10 %}"
                     "{% endfor %}{{ n }}", "integer string conversion"),
}
FILES = {
    "_includes/self.html": "x{% include self.html %}",
    "_includes/a.html": "a{% include b.html %}", "_includes/b.html": "b{% include a.html %}",
    "_includes/l.html": "{% for j in (1..300) %}{% for k in (1..300) %}{% endfor %}{% endfor %}",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_page_is_stopped(tmp_path: Path, name: str) -> None:
    body, message = HOSTILE[name]
    started = time.perf_counter()
    r = render(tmp_path, body, FILES, {"list": list(range(2000))}, limits=LIMITS)
    elapsed = time.perf_counter() - started
    assert elapsed < LIMITS.seconds + 3, elapsed  # (slack for a busy machine)
    assert any(message in p.message for p in r.problems), r.problems
    assert len(r.text) <= len(body) + 1000  # the text kept as written, nothing blown up


def test_limits_are_per_page_and_normal_pages_still_render(tmp_path: Path) -> None:
    r = render(tmp_path, HOSTILE["sequential loops"][0], limits=LIMITS)
    assert [p.code for p in r.problems] == ["liquid-limit"]
    assert r.text == HOSTILE["sequential loops"][0]
    r = render(tmp_path, "{% for p in (1..3) %}{{ p }}{% endfor %}", limits=LIMITS)
    assert r.text == "123" and not r.problems


def test_a_realistic_heavy_page_is_well_inside_the_limits(tmp_path: Path) -> None:
    # a nav over 300 pages, nested twice: 90,000 iterations
    pages = [{"title": f"p{i}", "parent": f"p{i % 10}"} for i in range(300)]
    r = render(tmp_path, "{% for a in site.ps %}{% for b in site.ps %}"
               "{% if b.parent == a.title %}{% endif %}{% endfor %}{% endfor %}ok", {},
               {"ps": pages})
    assert r.text == "ok" and not r.problems


def test_unclosed_markup_at_scale_is_repaired_in_one_pass(tmp_path: Path) -> None:
    started = time.perf_counter()
    r = render(tmp_path, "{{ x }" * 5000, limits=LIMITS)
    assert time.perf_counter() - started < 4
    assert r.text == "{{ x }" * 5000
