"""`kbbook pdf --split`: a handout for every chapter (or every page at a depth), each with
its own cover and contents; links to another handout go to the website, or say which
chapter holds their page."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from typer.testing import CliRunner

from kbbook.book import split_parts
from kbbook.cli import app

from sitemaker import book_of, make_site, page


def _site(root: Path, config: str = "title: Field Guide\n") -> Path:
    return make_site(root, {
        "_config.yml": config,
        "a.md": page("Alpha", nav_order=1, body="# Alpha\n\nOff to [the saw](c.md).\n"),
        "b.md": page("Beta", nav_order=2, has_children="true", body="# Beta\n\nParent.\n"),
        "b1.md": page("Beta one", parent="Beta", nav_order=1, body="# Beta one\n\nChild.\n"),
        "c.md": page("Gamma", nav_order=3, body="# Gamma\n\nThe saw.\n"),
    })


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _outline(reader: PdfReader) -> list[str]:
    out: list[str] = []
    stack = list(reversed(reader.outline))
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack += reversed(item)
        else:
            out.append(item.title)
    return out


def test_split_writes_a_handout_per_chapter(tmp_path: Path) -> None:
    code, output = _run("pdf", str(_site(tmp_path / "site")), "--split", "-o",
                        str(tmp_path / "out"))
    assert code == 0, output
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["01 Alpha.pdf", "02 Beta.pdf", "03 Gamma.pdf"]
    beta = PdfReader(tmp_path / "out" / "02 Beta.pdf")
    assert "Beta" in beta.pages[0].extract_text()  # its own cover line
    assert [t for t in _outline(beta) if t != "Contents"] == ["Beta", "Beta one"]
    alpha = PdfReader(tmp_path / "out" / "01 Alpha.pdf")
    text = " ".join(p.extract_text() for p in alpha.pages)
    assert "the saw (see Gamma)" in " ".join(text.split())  # (no url: where it is)
    dests = [str(a.get_object()["/Dest"]) for p in alpha.pages for a in p.get("/Annots") or []
             if "/Dest" in a.get_object()]
    assert dests and set(dests) <= set(alpha.named_destinations)  # none leads nowhere


def test_with_a_url_the_link_goes_to_the_website(tmp_path: Path) -> None:
    site = _site(tmp_path / "site", "title: Field Guide\nurl: https://guide.example\n")
    code, output = _run("pdf", str(site), "--split", "-o", str(tmp_path / "out"))
    assert code == 0, output
    alpha = PdfReader(tmp_path / "out" / "01 Alpha.pdf")
    uris = [str(a.get_object()["/A"]["/URI"]) for p in alpha.pages
            for a in p.get("/Annots") or [] if "/A" in a.get_object()]
    assert "https://guide.example/c.html" in uris


def test_split_depth_gives_each_page_at_that_depth_and_the_pages_above(tmp_path: Path) -> None:
    book, _ = book_of(_site(tmp_path / "site"))
    parts = split_parts(book, 1)
    assert [(p.page.title, len(p.children)) for p in parts] == [
        ("Alpha", 0), ("Beta", 0), ("Beta one", 0), ("Gamma", 0)]
    assert [p.page.title for p in split_parts(book, 0)] == ["Alpha", "Beta", "Gamma"]
    code, output = _run("pdf", str(tmp_path / "site"), "--split-depth", "1", "-o",
                        str(tmp_path / "out"))
    assert code == 0, output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "01 Alpha.pdf", "02 Beta.pdf", "03 Beta one.pdf", "04 Gamma.pdf"]


def test_split_and_only_do_not_mix(tmp_path: Path) -> None:
    code, output = _run("pdf", str(_site(tmp_path / "site")), "--split", "--only", "Beta")
    assert code == 2 and "--only and --split" in output
