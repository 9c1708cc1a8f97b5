"""Mermaid diagrams drawn where the site draws them: SVG with text labels, icons as
outlines, ids unique in the book, cached by source; a diagram that fails stays code with a
warning naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

import kbbook.render.diagrams as diagrams
import kbbook.render.mermaid as mermaid
import kbbook.render.pages as page_render
from kbbook.render.cache import DrawingCache
from kbbook.render.diagrams import finish_svg

from markdown_util import render_site
from sitemaker import make_site, page

SVG = "{http://www.w3.org/2000/svg}"
FLOW = "flowchart LR\n  A[Start<br/>here] --> B{fa:fa-check Ready?}\n  B -->|yes| C[Done]\n"
SEQUENCE = "sequenceDiagram\n  Alice->>Bob: Hello<br>there\n  Bob-->>Alice: Hi\n"
BROKEN = "flowchart TD\n  A --> B\n  B --> ]]oops\n"


def _site(root: Path, config: str = "mermaid:\n  version: 10.9.0\n") -> Path:
    body = (f"# Diagrams\n\n```mermaid\n{FLOW}```\n\nText.\n\n```mermaid\n{SEQUENCE}```\n\n"
            f"```mermaid\n{BROKEN}```\n")
    return make_site(root, {"_config.yml": "title: D\n" + config,
                            "index.md": page("Diagrams", body),
                            "two.md": page("Two", f"```mermaid\n{FLOW}```\n")})


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tools = mermaid.find_tools()
    assert not isinstance(tools, mermaid.DiagramError), f"{tools} (bash .ci/setup)"
    return render_site(_site(tmp_path_factory.mktemp("site")))


def _texts(svg: etree._Element) -> list[str]:
    return ["".join(t.itertext()).strip() for t in svg.iter(SVG + "text")]


def test_diagrams_are_svg_with_text_labels_and_icon_outlines(drawn) -> None:  # type: ignore[no-untyped-def]
    pages, _ = drawn
    first = pages[0].body
    figures = first.findall(".//{*}figure[@class='kb-diagram']")
    assert len(figures) == 2
    flow, sequence = (f[0] for f in figures)
    assert flow.tag == SVG + "svg" and "foreignObject" not in etree.tostring(flow).decode()
    words = " ".join(_texts(flow))
    assert "Start" in words and "here" in words and "Done" in words and "Ready?" in words
    assert "fa:" not in words and "<br" not in words
    assert flow.findall(f".//{SVG}path[@class='kb-icon']")  # the check mark, as an outline
    assert "Hello" in " ".join(_texts(sequence)) and "there" in " ".join(_texts(sequence))
    for svg in (flow, sequence):
        assert float(svg.get("width")) > 0 and float(svg.get("height")) > 0
        assert "@keyframes" not in "".join(s.text or "" for s in svg.iter(SVG + "style"))
    # Its accessible name (and the tagged PDF's alternative text): the labels, in order.
    assert flow[0].tag == SVG + "title"
    assert flow[0].text.startswith("Diagram: ") and "Done" in flow[0].text


def test_ids_are_unique_in_the_book_and_references_follow(drawn) -> None:  # type: ignore[no-untyped-def]
    pages, _ = drawn
    ids = [el.get("id") for rp in pages for el in rp.body.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    for rp in pages:
        for svg in rp.body.iter(SVG + "svg"):
            own = {el.get("id") for el in svg.iter() if el.get("id")}
            assert svg.get("id").startswith(rp.page_id + "-d")
            style = "".join(s.text or "" for s in svg.iter(SVG + "style"))
            assert "#" + svg.get("id") in style
            for el in svg.iter():
                for value in el.attrib.values():
                    if value.startswith("url(#"):
                        assert value[5:-1] in own


def test_a_diagram_mermaid_cannot_draw_stays_code_with_its_line(drawn) -> None:  # type: ignore[no-untyped-def]
    pages, diagnostics = drawn
    pre = pages[0].body.findall(".//{*}pre")
    assert len(pre) == 1 and "]]oops" in "".join(pre[0].itertext())
    (warning,) = [d for d in diagnostics if d.code == "diagram"]
    # The fence opens on line 20 of the file; Mermaid's error is on the diagram's line 3.
    assert (warning.path, warning.line) == ("index.md", 23)
    assert "Mermaid cannot draw it" in warning.message


def test_a_site_that_does_not_draw_diagrams_shows_their_code(tmp_path: Path) -> None:
    pages, diagnostics = render_site(_site(tmp_path, config=""))
    assert not list(pages[0].body.iter(SVG + "svg"))
    assert len(pages[0].body.findall(".//{*}pre")) == 3 and not diagnostics.warnings


def test_drawings_come_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = DrawingCache("diagrams", tmp_path / "cache")
    (first,) = mermaid.draw([SEQUENCE], cache)
    assert isinstance(first, mermaid.Drawn) and cache.misses == 1

    def no_browser(*args: object) -> None:
        raise AssertionError("Chromium started for a cached diagram")

    monkeypatch.setattr(mermaid, "_run", no_browser)
    (again,) = mermaid.draw([SEQUENCE], cache)
    assert isinstance(again, mermaid.Drawn) and again.svg == first.svg and cache.hits == 1
    tools = mermaid.find_tools()
    assert not isinstance(tools, mermaid.DiagramError)
    assert mermaid.cache_key(SEQUENCE, tools) != mermaid.cache_key(SEQUENCE + " ", tools)


def test_without_chromium_diagrams_stay_code_and_say_what_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mermaid, "find_tools", lambda: mermaid.DiagramError(
        "drawing diagrams needs Chromium (apt-get install chromium)"))
    pages, diagnostics = render_site(_site(tmp_path))
    assert not list(pages[0].body.iter(SVG + "svg"))
    warnings = [(d.path, d.line) for d in diagnostics if d.code == "diagram"]
    assert warnings == [("index.md", 6), ("index.md", 14), ("index.md", 20), ("two.md", 4)]
    assert all("apt-get install chromium" in d.message for d in diagnostics.warnings)


def test_chromium_cannot_reach_the_network(tmp_path: Path) -> None:
    tools = mermaid.find_tools()
    assert not isinstance(tools, mermaid.DiagramError)
    command = mermaid.chromium_command(tools, tmp_path / "p", tmp_path / "x.html", 1)
    assert "--proxy-server=http://127.0.0.1:9" in command
    assert "--host-resolver-rules=MAP * ~NOTFOUND" in command
    assert f"--user-data-dir={tmp_path / 'p'}" in command
    if mermaid.isolation():
        assert command[:2] == ["/usr/bin/unshare", "-rn"] or command[1] == "-rn"


def test_svg_with_html_labels_is_refused() -> None:
    with pytest.raises(mermaid.DiagramError, match="foreignObject"):
        finish_svg('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">'
                   "<foreignObject/></svg>", "x")


def _browser_runs_and_trees(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """What rendering does, in order: ("draw", how many sources) for each browser run,
    ("tree", 0) for each page made a tree."""
    events: list[tuple[str, int]] = []
    real_draw, real_tree = diagrams.draw, page_render._html_tree

    def draw(sources: list[str], cache: DrawingCache | None = None) -> list[object]:
        events.append(("draw", len(sources)))
        return real_draw(sources, cache)

    def tree(*args: object) -> object:
        events.append(("tree", 0))
        return real_tree(*args)

    monkeypatch.setattr(diagrams, "draw", draw)
    monkeypatch.setattr(page_render, "_html_tree", tree)
    return events


def test_every_diagram_is_drawn_in_one_browser_run_before_any_page_tree(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The browser (some 430 MB) runs beside a small process, not beside every page's tree;
    a diagram in Markdown inside HTML is found as well."""
    site = _site(tmp_path)
    nested = "flowchart TD\n  X --> Y\n"
    (site / "three.md").write_text(page("Three", f'<div markdown="1">\n\n```mermaid\n{nested}'
                                                 "```\n\n</div>\n"), encoding="utf-8")
    events = _browser_runs_and_trees(monkeypatch)
    rendered, _ = render_site(site)
    assert events[0] == ("draw", 4)  # (FLOW is on two pages: drawn once)
    assert events.count(("draw", 4)) == 1 and len(events) == 1 + len(rendered)
    three = next(rp for rp in rendered if rp.page.rel == "three.md")
    assert three.body.findall(".//{*}figure[@class='kb-diagram']")


def test_diagrams_the_html_scan_missed_are_drawn_in_one_run_after_the_trees(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events = _browser_runs_and_trees(monkeypatch)
    monkeypatch.setattr(page_render, "diagram_sources", lambda html: [])  # (a scan that misses)
    rendered, diagnostics = render_site(_site(tmp_path))
    assert events == [("tree", 0)] * len(rendered) + [("draw", 3)]
    assert len(rendered[0].body.findall(".//{*}figure[@class='kb-diagram']")) == 2
    assert rendered[1].body.findall(".//{*}figure[@class='kb-diagram']")
    assert [(d.path, d.line) for d in diagnostics if d.code == "diagram"] == [("index.md", 23)]
