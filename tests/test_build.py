"""`kbbook build`: the EPUB and the PDF from one read and one render, the same books the
two commands write, into a folder, named after the site's title."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

import kbbook.pipeline as pipeline
from kbbook.cli import app

from sitemaker import make_site, page


def _site(root: Path) -> Path:
    return make_site(root, {
        "_config.yml": "title: Field Guide\n",
        "index.md": page("Home", nav_order=1, body="# Home\n\nWelcome. See [tools](tools.md).\n"),
        "tools.md": page("Tools", nav_order=2, body="# Tools\n\nA hammer.\n"),
    })


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_build_writes_the_books_the_two_commands_write(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    site = _site(tmp_path / "site")
    code, output = _run("build", str(site), "-o", str(tmp_path / "books"))
    assert code == 0, output
    books = tmp_path / "books"  # (made, as it did not exist)
    assert sorted(p.name for p in books.iterdir()) == ["Field Guide.epub", "Field Guide.pdf"]
    assert f"wrote {books / 'Field Guide.epub'}" in output
    assert _run("epub", str(site), "-o", str(tmp_path / "one.epub"))[0] == 0
    assert _run("pdf", str(site), "-o", str(tmp_path / "one.pdf"))[0] == 0
    assert (books / "Field Guide.epub").read_bytes() == (tmp_path / "one.epub").read_bytes()
    both, one = PdfReader(books / "Field Guide.pdf"), PdfReader(tmp_path / "one.pdf")
    assert [p.extract_text() for p in both.pages] == [p.extract_text() for p in one.pages]


def test_the_site_is_read_and_rendered_once(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = pipeline.read_and_render

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(pipeline, "read_and_render", counting)
    built = pipeline.build_books(_site(tmp_path / "site"), tmp_path)
    assert [b.output.suffix for b in built] == [".epub", ".pdf"] and calls == [1]


def test_format_chooses_the_books(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    code, output = _run("build", str(site), "-o", str(tmp_path), "--format", "pdf")
    assert code == 0, output
    assert [p.name for p in tmp_path.glob("*.*")] == ["Field Guide.pdf"]
    code, output = _run("build", str(site), "-o", str(tmp_path), "--format", "epub,mobi")
    assert code == 2 and "'mobi' is not a format kbbook writes" in output


def test_errors_leave_both_older_books_untouched(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    for name in ("Field Guide.epub", "Field Guide.pdf"):
        (tmp_path / name).write_bytes(b"older")
    make_site(site, {"broken.md": page("Broken", body="[x](missing.md)\n")})
    code, output = _run("build", str(site), "-o", str(tmp_path), "--strict")
    assert code == 1 and "not written" in output and "broken.md:" in output
    assert {p.read_bytes() for p in tmp_path.glob("Field Guide.*")} == {b"older"}
