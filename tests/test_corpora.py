"""The shared real sites, end to end: their Liquid and includes come out as their websites
show them, no Liquid, kramdown or include syntax is left in the book's text, every link to
a page of the site stays in the book, and the EPUB passes EPUBCheck."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from kbbook.errors import Diagnostics
from kbbook.pipeline import SiteOptions, read_and_render
from kbbook.render import RenderedBook, RenderedPage
from kbbook.render.model import xhtml
from kbbook.writers.epub import write_epub

from epubcheck_util import run_epubcheck
from shared import LAKEFS, MPTCP, PRODUCTBRAIN

SITES = {"lakefs": LAKEFS, "mptcp": MPTCP, "productbrain": PRODUCTBRAIN}
SYNTAX = re.compile(r"\{%|%\}|\{\{|\}\}|\{::?[\w.#]")
"""Liquid tags and outputs, kramdown attribute lists and extensions."""


@pytest.fixture(scope="module", params=sorted(SITES))
def site(request: pytest.FixtureRequest) -> tuple[str, RenderedBook, Diagnostics]:
    root = SITES[request.param]
    if not root.is_dir():
        pytest.skip(f"{root} is not here (../shared/corpora is only in the workplace)")
    diagnostics = Diagnostics()
    return request.param, read_and_render(SiteOptions(root), diagnostics), diagnostics


def _prose(rp: RenderedPage) -> str:
    """The page's text outside code, where syntax shown on purpose lives."""
    body = rp.body.__copy__()
    for code in [*body.iter(xhtml("pre")), *body.iter(xhtml("code"))]:
        if code.getparent() is not None:
            code.getparent().remove(code)
    return " ".join(body.itertext())


def test_no_liquid_kramdown_or_include_syntax_is_left(site: tuple) -> None:
    _, rendered, diagnostics = site
    left = [(rp.page.rel, m.group()) for rp in rendered.pages
            for m in SYNTAX.finditer(_prose(rp))]
    assert not left
    assert not [str(d) for d in diagnostics if d.code.startswith("liquid")]


def test_every_link_to_a_page_of_the_site_stays_in_the_book(site: tuple) -> None:
    _, _, diagnostics = site
    assert not [str(d) for d in diagnostics if d.code == "link-outside-book"]


@pytest.mark.skipif(not LAKEFS.is_dir(), reason="../shared/corpora/lakefs is not here")
def test_lakefs_shared_setup_section_is_in_each_deploy_page() -> None:
    """`{% include_relative includes/setup.md %}` in four pages: each shows the section, and
    a heading that comes from it maps to the include's own line."""
    diagnostics = Diagnostics()
    rendered = read_and_render(SiteOptions(LAKEFS, linked_pages=False), diagnostics)
    include = (LAKEFS / "howto/deploy/includes/setup.md").read_text()
    wanted = [" ".join(h.split()) for h in re.findall(r"^#{2,3} +(.+)$", include, re.M)]
    users = [rp for rp in rendered.pages
             if "{% include_relative includes/setup.md %}" in rp.page.body]
    assert len(users) == 4
    liquid = rendered.book.liquid
    assert liquid is not None
    for rp in users:
        assert set(wanted) <= {h.text for h in rp.headings}, rp.page.rel
        expanded = liquid.expand(rp.page, diagnostics)
        first = expanded.text.split("\n").index(next(
            line for line in include.split("\n") if line.startswith("#")))
        origin = expanded.origin(first + 1)
        assert (origin.file, origin.line) == ("howto/deploy/includes/setup.md", 1 + include.split(
            "\n").index(expanded.text.split("\n")[first]))
        tag = rp.page.body.split("\n").index("{% include_relative includes/setup.md %}")
        assert origin.page_line == rp.page.body_line + tag


@pytest.mark.parametrize("name", ["lakefs", "mptcp"])
def test_epubcheck(tmp_path: Path, name: str, request: pytest.FixtureRequest) -> None:
    root = SITES[name]
    if not root.is_dir():
        pytest.skip(f"{root} is not here (../shared/corpora is only in the workplace)")
    if name == "lakefs" and not os.environ.get("KBBOOK_SLOW_TESTS"):
        pytest.skip("lakeFS's EPUB takes a minute to check; KBBOOK_SLOW_TESTS=1 checks it")
    if name == "lakefs":
        # its table of logos (rows apart, no <tbody>) comes out as bare cells: a fix of the
        # raw-HTML rendering of its own, not made here
        request.applymarker(pytest.mark.xfail(strict=True, reason="lakeFS's raw HTML table"))
    diagnostics = Diagnostics()
    out = tmp_path / f"{name}.epub"
    write_epub(read_and_render(SiteOptions(root), diagnostics), out, diagnostics)
    result = run_epubcheck(out)
    assert result.problems == 0, "\n".join(result.messages)
