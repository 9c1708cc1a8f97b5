"""The Python API: build a book, refuse to write over errors, hand back what was found."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

import kbbook
from kbbook import BookNotWritten, Diagnostics, KbbookError, Severity

from sitemaker import make_site, page


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site", {
        "_config.yml": "title: API Book\n",
        "index.md": page("Home", "Welcome. See [the guide](guide.md).\n", nav_order=1),
        "guide.md": page("Guide", "Read this.\n\n![missing](none.png)\n", nav_order=2),
    })


def test_build_epub_writes_the_book_and_returns_what_it_found(site: Path,
                                                              tmp_path: Path) -> None:
    built = kbbook.build_epub(site, tmp_path / "book.epub")
    assert built.output == tmp_path / "book.epub"
    with zipfile.ZipFile(built.output) as z:
        assert "EPUB/guide.xhtml" in z.namelist()
    assert [(d.path, d.line, d.severity, d.code) for d in built.diagnostics] == [
        ("guide.md", 7, Severity.WARNING, "missing-image")]


def test_build_pdf_of_one_part(site: Path, tmp_path: Path) -> None:
    built = kbbook.build_pdf(site, tmp_path / "guide.pdf", only=["Guide"], paper="letter")
    reader = PdfReader(built.output)
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Read this." in text and "Welcome." not in text
    assert [o.title for o in reader.outline] == ["Guide"]


def test_no_book_over_errors_and_the_older_one_stays(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "book.epub"
    out.write_bytes(b"older")
    (site / "broken.md").write_text("---\n- a list, not a mapping\n---\n")
    with pytest.raises(BookNotWritten) as caught:
        kbbook.build_epub(site, out)
    assert out.read_bytes() == b"older"
    assert [(d.path, d.code) for d in caught.value.diagnostics.errors] == [
        ("broken.md", "front-matter")]
    assert "was not written" in str(caught.value)


def test_strict_refuses_warnings(site: Path, tmp_path: Path) -> None:
    with pytest.raises(BookNotWritten) as caught:
        kbbook.build_pdf(site, tmp_path / "book.pdf", strict=True)
    assert caught.value.diagnostics.warnings and not (tmp_path / "book.pdf").exists()


def test_the_steps_beneath(site: Path, tmp_path: Path) -> None:
    diagnostics = Diagnostics()
    book = kbbook.load_book(site, diagnostics)
    assert book.outline() == "Home\nGuide"
    rendered = kbbook.render_book(book, diagnostics)
    assert [rp.page.rel for rp in rendered.pages] == ["index.md", "guide.md"]
    (link,) = rendered.pages[0].links
    assert (link.page, link.anchor, link.line) == ("guide.md", "p-guide", 5)
    kbbook.write_epub(rendered, tmp_path / "a.epub", diagnostics)
    kbbook.write_pdf(rendered, tmp_path / "a.pdf", diagnostics)
    assert (tmp_path / "a.epub").stat().st_size and (tmp_path / "a.pdf").stat().st_size


def test_check_site_lists_problems_without_writing(site: Path) -> None:
    checked = kbbook.check_site(site)
    assert checked.pages == 2 and not checked.failed() and checked.failed(strict=True)


def test_a_folder_without_pages_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KbbookError, match="no pages found"):
        kbbook.build_epub(tmp_path, tmp_path / "x.epub")


def test_writer_messages_name_file_and_line(site: Path, tmp_path: Path) -> None:
    """Every warning a writer gives points at the stylesheet or page line it comes from."""
    css = tmp_path / "mine.css"
    css.write_text("p { colour: red }\nbody { background: url(../outside.png) }\n")
    (site / "guide.md").write_text(page("Guide", "Text.\n\n![pic](https://ex.org/p.png)\n",
                                        nav_order=2))
    pdf = kbbook.build_pdf(site, tmp_path / "b.pdf", css=[css])
    assert {(d.path, d.line, d.code) for d in pdf.diagnostics} == {
        (str(css), 1, "pdf-css"),  # WeasyPrint: unknown property
        (str(css), 2, "pdf-refused"),  # outside the site
        ("guide.md", 7, "remote-image")}  # not fetched without --allow-remote
    # (an EPUB never holds a remote image: it becomes a link to it)
    epub = kbbook.build_epub(site, tmp_path / "b.epub", css=[css], allow_remote=True)
    assert {(d.path, d.line, d.code) for d in epub.diagnostics} == {
        (str(css), 2, "user-css"), ("guide.md", 7, "remote-image")}
    assert all(d.line is not None for d in [*pdf.diagnostics, *epub.diagnostics])


@pytest.mark.parametrize("call", [
    "build_pdf({site!r}, {out!r}, jobs=2, cache=False)",
    "build_books({site!r}, {folder!r}, formats=('pdf',), jobs=2, cache=False)",
    "build_handouts({site!r}, {folder!r}, jobs=2, cache=False)",
])
def test_a_pdf_with_diagrams_to_draw_starts_its_workers_after_the_browser(
        tmp_path: Path, call: str) -> None:
    """Mermaid's browser (some 430 MB) and the PDF workers' fork server (60 MB) at once were
    a cold build's peak: the fork server starts once the diagrams are drawn."""
    import subprocess
    import sys

    site = make_site(tmp_path / "site", {
        "_config.yml": "title: D\nmermaid:\n  version: 10.9.0\n",
        "index.md": page("Diagrams", "```mermaid\nflowchart LR\n  A --> B\n```\n")})
    script = (
        "import os, sys\nimport kbbook.render.diagrams as diagrams\n"
        "from kbbook.pipeline import build_books, build_handouts, build_pdf\n"
        "original = diagrams.draw\n"
        "def draw(*args, **kwargs):\n"
        "    children = os.popen(f'ps -o args= --ppid {os.getpid()}').read()\n"
        "    print('fork server while drawing:', 'forkserver' in children)\n"
        "    return original(*args, **kwargs)\n"
        "diagrams.draw = draw\n"
        + call.format(site=str(site), out=str(tmp_path / "book.pdf"),
                      folder=str(tmp_path / "out")) + "\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "KBBOOK_CACHE_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "fork server while drawing: False"
    (book,) = [*tmp_path.glob("*.pdf"), *tmp_path.glob("out/*.pdf")]
    assert len(PdfReader(book).pages) >= 2  # (the book was written)
