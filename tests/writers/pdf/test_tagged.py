"""The PDF is tagged for screen readers (PDF/UA-1) however many chunks it was laid out in,
and archival PDF/A when asked: checked with pdfua, and with tests/pdfcheck.py for the
structure tree's integrity and what PDF/A declares."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from pdfua import Severity, validate
from PIL import Image
from pypdf import PdfReader
from typer.testing import CliRunner

from kbbook.cli import app
from kbbook.errors import Diagnostics, KbbookError
from kbbook.pipeline import SiteOptions, build_pdf, read_and_render
from kbbook.writers.pdf import write_pdf
from pdfcheck import headings, pdfa_problems, structure_problems

from shared import CONTENT
from sitemaker import make_site, page


def _errors(path: Path) -> list[str]:
    report = validate(str(path))
    return [f"{f.rule_id}: {f.message}" for f in report.findings
            if f.severity is Severity.ERROR]


def _bookmark_pages(path: Path) -> list[int]:
    reader = PdfReader(path)
    return [reader.get_destination_page_number(item) + 1 for item in reader.outline
            if not isinstance(item, list)]


@pytest.fixture(scope="module")
def handbook(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    out = tmp_path_factory.mktemp("tagged") / "handbook.pdf"
    rendered = read_and_render(SiteOptions(CONTENT), Diagnostics())
    stats = write_pdf(rendered, out, Diagnostics(), jobs=2, cache=False)
    return out, stats.chunks


def test_the_handbook_is_one_tagged_document_across_its_chunks(handbook) -> None:  # type: ignore[no-untyped-def]
    path, chunks = handbook
    assert chunks > 1
    assert structure_problems(path) == []
    assert _errors(path) == []
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == "en"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        meta = pdf.open_metadata()
        assert meta.get("pdfuaid:part") == "1"
        assert meta.get("dc:title") == str(pdf.docinfo.Title)
        assert meta.get("pdf:Producer", "").startswith("kbbook")


def test_the_headings_are_read_in_the_order_of_the_pages(handbook) -> None:  # type: ignore[no-untyped-def]
    path, _ = handbook
    found = headings(path)
    pages = [page for _, page in found]
    assert pages == sorted(pages)  # the structure reads as the pages do
    # every chapter's bookmark lands on a page where the structure has a heading
    assert set(_bookmark_pages(path)) <= set(pages)


def _site(root: Path) -> Path:
    """Two chapters, an image with an alpha channel, a link to the web, a table."""
    picture = io.BytesIO()
    Image.new("RGBA", (60, 40), (200, 30, 30, 128)).save(picture, "PNG")
    return make_site(root, {
        "_config.yml": "title: Archive\n",
        "a.png": picture.getvalue(),
        "a.md": page("Alpha", nav_order=1, body="# Alpha\n\n![A red box](a.png)\n\n"
                     "See [the web](https://example.org).\n\n| k | v |\n|---|---|\n| a | b |\n"),
        "b.md": page("Beta", nav_order=2, body="# Beta\n\nMore, and [Alpha](a.md).\n"),
    })


@pytest.mark.parametrize(("variant", "part", "level"), [("pdf/a-2b", 2, "B"),
                                                       ("pdf/a-3u", 3, "U")])
def test_pdfa_declares_what_archiving_asks(tmp_path: Path, variant: str, part: int,
                                           level: str) -> None:
    out = build_pdf(_site(tmp_path / "site"), tmp_path / "book.pdf",
                    pdf_variant=variant).output
    assert pdfa_problems(out, part, level) == []
    assert structure_problems(out) == []


def test_untagged_when_asked_and_the_cache_keeps_them_apart(tmp_path: Path) -> None:
    cache, site = tmp_path / "cache", _site(tmp_path / "site")
    tagged = build_pdf(site, tmp_path / "a.pdf", cache_dir=cache).output
    plain = build_pdf(site, tmp_path / "b.pdf", cache_dir=cache, pdf_variant="none").output
    with pikepdf.open(tagged) as a, pikepdf.open(plain) as b:
        assert "/StructTreeRoot" in a.Root and "/StructTreeRoot" not in b.Root
        assert len(a.pages) == len(b.pages)
    assert structure_problems(plain) == ["no structure tree (the PDF is not tagged)"]


def test_a_variant_kbbook_does_not_write_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KbbookError, match=r"pdf/a-1b.*pdf/ua-1"):
        build_pdf(CONTENT, tmp_path / "a.pdf", pdf_variant="pdf/a-1b")
    result = CliRunner().invoke(app, ["pdf", str(CONTENT), "--pdf-variant", "pdf/x-4",
                                      "-o", str(tmp_path / "b.pdf")])
    assert result.exit_code == 2 and "pdf/x-4" in result.output
    assert not (tmp_path / "b.pdf").exists()


def test_an_image_without_alt_text_is_named_with_its_page_and_line(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    make_site(site, {"c.md": page("Gamma", nav_order=3, body="# Gamma\n\nText.\n\n![](a.png)\n")})
    built = build_pdf(site, tmp_path / "book.pdf")
    found = [(d.path, d.line, d.code) for d in built.diagnostics.warnings if d.code == "no-alt"]
    assert found == [("c.md", 9, "no-alt")]  # not a.md, whose picture has its words
    assert "(WeasyPrint)" not in {d.path for d in built.diagnostics.warnings}
