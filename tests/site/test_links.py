"""Every link form of ARCHITECTURE.md resolves through one resolver."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbbook.errors import Diagnostics
from kbbook.site import load_pages
from kbbook.site.config import load_config
from kbbook.site.files import Place, locate, site_file
from kbbook.site.links import LinkResolver, TargetKind

from sitemaker import make_site, page


@pytest.fixture
def site(tmp_path: Path) -> tuple[LinkResolver, dict]:
    make_site(tmp_path, {
        "_config.yml": "baseurl: /kb\nurl: https://example.org\n",
        "index.md": page("Home"),
        "docs/guide/index.md": page("Guide"),
        "docs/guide/intro.md": page("Intro"),
        "docs/guide/setup.md": page("Setup"),
        "docs/ref/api.md": page("API"),
        "docs/ref/moved.md": page("Moved", permalink="/reference/moved/"),
        "assets/img/logo.png": b"\x89PNG fake",
        "assets/files/sheet.pdf": b"%PDF fake",
    })
    diagnostics = Diagnostics()
    config = load_config(tmp_path, diagnostics)
    pages = load_pages(config, diagnostics)
    return LinkResolver(config, pages), {p.rel: p for p in pages}


@pytest.mark.parametrize(("href", "target", "fragment"), [
    ("setup", "docs/guide/setup.md", ""),
    ("setup.md", "docs/guide/setup.md", ""),
    ("setup.html#install", "docs/guide/setup.md", "install"),
    ("./setup/", "docs/guide/setup.md", ""),
    ("../ref/api", "docs/ref/api.md", ""),
    ("../ref/api.html#get", "docs/ref/api.md", "get"),
    ("../ref/api.md#get", "docs/ref/api.md", "get"),
    ("../guide/", "docs/guide/index.md", ""),
    ("../../docs/guide/index.md", "docs/guide/index.md", ""),
    ("/docs/ref/api", "docs/ref/api.md", ""),
    ("/kb/docs/ref/api/", "docs/ref/api.md", ""),
    ("/kb/docs/ref/api.html#x", "docs/ref/api.md", "x"),
    ("/reference/moved/", "docs/ref/moved.md", ""),
    ("/kb/reference/moved", "docs/ref/moved.md", ""),
    ("https://example.org/kb/docs/ref/api#y", "docs/ref/api.md", "y"),
    ("/kb/", "index.md", ""),
    ("#local", "docs/guide/intro.md", "local"),
    ("setup#caf%C3%A9", "docs/guide/setup.md", "café"),
])
def test_page_link_forms(site: tuple[LinkResolver, dict], href: str, target: str,
                         fragment: str) -> None:
    resolver, pages = site
    found = resolver.resolve_link(href, pages["docs/guide/intro.md"])
    assert found.kind is TargetKind.PAGE
    assert found.page is not None and found.page.rel == target
    assert found.fragment == fragment


@pytest.mark.parametrize(("href", "kind"), [
    ("https://other.example/x", TargetKind.EXTERNAL),
    ("mailto:someone@example.org", TargetKind.EXTERNAL),
    ("javascript:alert(1)", TargetKind.UNSAFE),
    ("JavaScript:alert(1)", TargetKind.UNSAFE),
    ("data:text/html,hi", TargetKind.UNSAFE),
    ("file:///etc/passwd", TargetKind.UNSAFE),
    ("missing-page", TargetKind.UNRESOLVED),
    ("../../../../etc/passwd", TargetKind.UNRESOLVED),
    ("/assets/files/sheet.pdf", TargetKind.FILE),
])
def test_other_link_kinds(site: tuple[LinkResolver, dict], href: str, kind: TargetKind) -> None:
    resolver, pages = site
    assert resolver.resolve_link(href, pages["docs/guide/intro.md"]).kind is kind


def test_images_resolve_inside_the_site_only(site: tuple[LinkResolver, dict],
                                             tmp_path: Path) -> None:
    resolver, pages = site
    intro = pages["docs/guide/intro.md"]
    for src in ("../../assets/img/logo.png", "/assets/img/logo.png", "/kb/assets/img/logo.png"):
        found = resolver.resolve_image(src, intro)
        assert found.kind is TargetKind.FILE, src
        assert found.rel == "assets/img/logo.png"
    assert resolver.resolve_image("/etc/hostname", intro).kind is TargetKind.UNRESOLVED
    assert resolver.resolve_image("../../../../../etc/passwd", intro).kind is TargetKind.UNRESOLVED
    assert resolver.resolve_image("file:///etc/passwd", intro).kind is TargetKind.UNSAFE
    assert resolver.resolve_image("https://cdn.example/x.png", intro).kind is TargetKind.EXTERNAL
    outside = tmp_path.parent / "secret.png"
    outside.write_bytes(b"secret")
    (tmp_path / "assets/img/link.png").symlink_to(outside)
    assert resolver.resolve_image("/assets/img/link.png", intro).kind is TargetKind.UNRESOLVED


def test_urls_for_outputs(site: tuple[LinkResolver, dict]) -> None:
    resolver, pages = site
    api = pages["docs/ref/api.md"]
    assert resolver.site_url(api) == "/kb/docs/ref/api.html"
    assert resolver.web_url(api) == "https://example.org/kb/docs/ref/api.html"
    assert resolver.page_for_source("docs/ref/api.md") is api


def test_site_file_stays_inside(site: tuple[LinkResolver, dict]) -> None:
    """The one rule every reader of a site file goes through."""
    resolver, _ = site
    root = resolver.root
    assert locate(root, "assets/img/logo.png").place is Place.INSIDE
    assert locate(root, "/assets/img/logo.png").rel == "assets/img/logo.png"
    assert locate(root, "../../etc/passwd").place is Place.OUTSIDE
    assert locate(root, "assets/img/none.png").place is Place.MISSING
    assert locate(root, "assets/img").place is Place.MISSING  # a folder is no file
    assert site_file(root, "assets/img/logo.png") == root / "assets/img/logo.png"


def test_links_that_loop_or_lead_out_are_not_followed(tmp_path: Path) -> None:
    (tmp_path / "inside.png").write_bytes(b"x")
    (tmp_path / "site").mkdir()
    root = (tmp_path / "site").resolve()
    (root / "loop").symlink_to(root / "loop")
    (root / "out.png").symlink_to(tmp_path / "inside.png")
    (root / "dangling.png").symlink_to(tmp_path / "nothing.png")
    assert locate(root, "loop").place is Place.MISSING
    assert locate(root, "out.png").place is Place.OUTSIDE
    assert locate(root, "dangling.png").place is Place.OUTSIDE


@pytest.mark.parametrize(("plugins", "found"), [("[jekyll-redirect-from]", True), ("[]", False)])
def test_old_addresses_of_jekyll_redirect_from(tmp_path: Path, plugins: str, found: bool) -> None:
    """With jekyll-redirect-from, a page's `redirect_from` addresses lead to it on the
    website, so links to them lead to it in the book."""
    make_site(tmp_path, {
        "_config.yml": f"plugins: {plugins}\n", "Gemfile": 'gem "jekyll"\n',
        "index.md": page("Home"),
        "new.md": page("New", redirect_from="[/old/place/, /older.html]"),
    })
    diagnostics = Diagnostics()
    config = load_config(tmp_path, diagnostics)
    resolver = LinkResolver(config, load_pages(config, diagnostics))
    home = next(p for p in resolver.pages if p.rel == "index.md")
    for href in ("/old/place/", "/older.html", "old/place"):
        target = resolver.resolve_link(href, home)
        assert (target.kind is TargetKind.PAGE and target.page is not None
                and target.page.rel == "new.md") is found, href


def test_a_doubled_slash_after_the_baseurl(site: tuple[LinkResolver, dict]) -> None:
    resolver, pages = site
    target = resolver.resolve_link("/kb//docs/guide/setup.html", pages["index.md"])
    assert target.page is not None and target.page.rel == "docs/guide/setup.md"
