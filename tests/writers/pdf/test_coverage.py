"""Every script in the PDF: characters no installed font has are named with their page,
line and the package to install; the scripts `.ci/setup` installs fonts for are drawn."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from kbbook.errors import Diagnostics
from kbbook.pipeline import SiteOptions, read_and_render
from kbbook.writers.pdf import write_pdf
from kbbook.writers.pdf.coverage import installed_ranges, package_for

from sitemaker import make_site, page

SCRIPTS = {
    "Korean": "한국어 문서입니다",
    "Chinese": "中文文档",
    "Japanese": "日本語のかな",
    "Arabic": "نص عربي",
    "Hebrew": "טקסט בעברית",
    "Devanagari": "हिन्दी पाठ",
    "Thai": "ภาษาไทย",
    "Greek and Cyrillic": "Ελληνικά и русский",
}


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for pdf_page in reader.pages:
        for font in (pdf_page.get("/Resources", {}).get("/Font") or {}).values():
            names.add(str(font.get_object().get("/BaseFont")))
    return names


def test_every_major_script_is_drawn_without_a_warning(tmp_path: Path) -> None:
    body = "\n\n".join(f"{name}: {text}" for name, text in SCRIPTS.items()) + "\n"
    site = make_site(tmp_path / "site", {"_config.yml": "title: Scripts\n",
                                          "index.md": page("Scripts", body)})
    diagnostics = Diagnostics()
    rendered = read_and_render(SiteOptions(site), diagnostics)
    write_pdf(rendered, tmp_path / "scripts.pdf", diagnostics)
    assert not [d for d in diagnostics if d.code == "missing-font"]
    fonts = " ".join(_fonts(PdfReader(tmp_path / "scripts.pdf")))
    assert "CJK" in fonts  # (Hangul and Han from Noto CJK: no empty boxes)
    assert "Hebrew" in fonts and "Devanagari" in fonts and "Thai" in fonts


def test_characters_no_font_has_are_named_with_line_and_package(tmp_path: Path) -> None:
    rare = "\U00031350"  # CJK Extension H: in no font Debian installs by default
    private = "\ue0ff"
    assert installed_ranges() is not None
    site = make_site(tmp_path / "site", {"_config.yml": "title: Rare\n",
                                          "index.md": page("Rare", f"Fine.\n\nOdd {rare}.\n\n"
                                                           f"Private use {private} is none.\n")})
    diagnostics = Diagnostics()
    rendered = read_and_render(SiteOptions(site), diagnostics)
    write_pdf(rendered, tmp_path / "rare.pdf", diagnostics)
    private_use, warning = [d for d in diagnostics if d.code == "missing-font"]
    assert (warning.path, warning.line) == ("index.md", 6)
    assert "U+31350" in warning.message and "apt-get install fonts-noto-cjk-extra" in \
        warning.message
    assert private_use.line == 8 and "private-use" in private_use.message
    assert package_for("한") == "fonts-noto-cjk"
