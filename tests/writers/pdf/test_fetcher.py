"""The print fetcher reads the site and the user's stylesheets, nothing else."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from kbbook.writers.pdf.fetcher import FetchPolicy, RefusedURL, SafeFetcher
from kbbook.writers.pdf.weasy import Stylesheet, render_pdf


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "assets").mkdir(parents=True)
    (root / "assets" / "a.png").write_bytes(b"\x89PNG fake")
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "user.css").write_text("p { color: red }")
    (tmp_path / "other.css").write_text("p { color: blue }")
    os.symlink(tmp_path / "secret.txt", root / "assets" / "out.png")
    os.symlink(root / "assets" / "a.png", root / "inside.png")
    return root


@pytest.fixture
def fetcher(site: Path) -> SafeFetcher:
    policy = FetchPolicy.create([site], [site.parent / "user.css"])
    return SafeFetcher(policy)


def test_reads_site_files_and_named_stylesheets(site: Path, fetcher: SafeFetcher) -> None:
    response = fetcher.fetch((site / "assets" / "a.png").as_uri())
    assert response.read() == b"\x89PNG fake"
    assert response.content_type == "image/png"
    assert fetcher.fetch((site / "inside.png").as_uri()).read() == b"\x89PNG fake"
    assert fetcher.fetch((site.parent / "user.css").as_uri()).read() == b"p { color: red }"


@pytest.mark.parametrize("url", [
    "/etc/passwd",
    "file:///etc/passwd",
    "../../x",
    "../secret.txt",
    "file://otherhost/etc/passwd",
    "ftp://example.org/x",
    "javascript:alert(1)",
    "data:text/plain,hello",
    "http://example.org/tracker.png",
    "https://example.org/font.woff2",
])
def test_refuses(fetcher: SafeFetcher, url: str) -> None:
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused


def test_refuses_escapes_and_symlinks_out(site: Path, fetcher: SafeFetcher) -> None:
    for url in [
        site.as_uri() + "/../secret.txt",
        site.as_uri() + "/assets/../../secret.txt",
        (site / "assets" / "out.png").as_uri(),  # a symlink to a file outside the site
        (site.parent / "secret.txt").as_uri(),
        (site.parent / "other.css").as_uri(),  # only the named stylesheets, not their folder
        (site / "assets").as_uri(),  # a folder
        (site / "missing.png").as_uri(),
    ]:
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_remote_only_when_allowed(site: Path) -> None:
    assert FetchPolicy.create([site], allow_remote=True).check("https://example.org/a.png") \
        == "remote"
    with pytest.raises(RefusedURL, match="--allow-remote"):
        FetchPolicy.create([site]).check("https://example.org/a.png")


def test_data_urls_are_never_read(site: Path) -> None:
    """kbbook's print names only files; a data: URL can only come from an author."""
    with pytest.raises(RefusedURL, match="never read"):
        FetchPolicy.create([site]).check("data:text/css,p%7Bcolor:red%7D")


def test_weasyprint_uses_it(site: Path) -> None:
    """A print HTML naming forbidden files still renders, without them, and says so."""
    html = f"""<!DOCTYPE html><html lang="en"><head><title>T</title>
    <link rel="stylesheet" href="{(site.parent / 'other.css').as_uri()}">
    </head><body><p>Hello</p><img src="/etc/passwd" alt="">
    <img src="../secret.txt" alt=""><img src="http://example.org/x.png" alt="">
    <img src="assets/out.png" alt=""></body></html>"""
    user = site.parent / "user.css"
    sheet = Stylesheet("@import url(other.css);\n" + user.read_text(), user.as_uri(),
                       str(user))
    fetcher = SafeFetcher(FetchPolicy.create([site], [user]))
    out = io.BytesIO()
    problems: list[tuple[str | None, str]] = []
    render_pdf(html, site.as_uri() + "/", [sheet], fetcher, out,
               on_problem=lambda source, message: problems.append((source, message)))
    assert "Hello" in PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text()
    refused = "\n".join(url for url, _ in fetcher.refused)
    for name in ("other.css", "/etc/passwd", "secret.txt", "example.org", "out.png"):
        assert name in refused
    # WeasyPrint's own report of what it could not load, while reading the stylesheet
    # (the @import) and while laying out the page (the images and the HTML's link).
    assert {source for source, _ in problems} == {str(user), None}
