"""`_config.yml` and the `kbbook:` section."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbbook.errors import Diagnostics, KbbookError
from kbbook.site.config import load_config

from sitemaker import make_site


def config_of(root: Path, **options: object):
    diagnostics = Diagnostics()
    return load_config(root, diagnostics, **options), diagnostics  # type: ignore[arg-type]


def test_reads_site_settings(tmp_path: Path) -> None:
    make_site(tmp_path, {"_config.yml": (
        "title: My KB\ndescription: All we know\nauthor: {name: Ada}\nlang: pt\n"
        "url: https://kb.example/\nbaseurl: docs/\nnav_sort: case_insensitive\n"
        "callouts:\n  note:\n    title: Note\n    color: blue\n  plain:\n"
        "kbbook:\n  cover: assets/cover.png\n  publisher: ACME\n  image_max_size: 1200\n"
        "  toc_depth: 2\n"
    ), "assets/cover.png": b"png"})
    config, diagnostics = config_of(tmp_path)
    assert (config.title, config.description, config.authors, config.lang) == (
        "My KB", "All we know", ("Ada",), "pt")
    assert (config.url, config.baseurl, config.site_url) == (
        "https://kb.example", "/docs", "https://kb.example/docs")
    assert config.nav_sort_case_insensitive
    assert config.callouts["note"].title == "Note" and config.callouts["plain"].title is None
    assert config.book.cover == "assets/cover.png" and config.book.publisher == "ACME"
    assert (config.book.image_max_size, config.book.toc_depth) == (1200, 2)
    assert not diagnostics.items


def test_defaults_without_config(tmp_path: Path) -> None:
    config, _ = config_of(tmp_path)
    assert config.title == tmp_path.name and config.lang == "en"
    # (no image size of its own: the EPUB's images follow --device)
    assert config.nav_rules == "modern" and config.book.image_max_size is None


def test_bad_settings_are_reported_not_raised(tmp_path: Path) -> None:
    make_site(tmp_path, {"_config.yml": "lang: ../../x\nkbbook:\n  toc_depth: deep\n"
                         "  colour: red\n  cover: ../outside.png\n"})
    (tmp_path.parent / "outside.png").write_bytes(b"png")
    config, diagnostics = config_of(tmp_path)
    assert (config.book.toc_depth, config.book.cover, config.lang) == (3, None, "en")
    assert [(d.line, d.message.split(";")[0]) for d in diagnostics.sorted()] == [
        (1, "lang '../../x' is not a language tag such as 'en' or 'pt-BR'"),
        (3, "kbbook.toc_depth must be a positive whole number, not 'deep'"),
        (4, "unknown setting kbbook.colour"),
        (5, "kbbook.cover '../outside.png' is not a file inside the site"),
    ]
    make_site(tmp_path, {"_config.yml": "title: [broken\n"})
    _, diagnostics = config_of(tmp_path)
    assert [(d.path, d.line, d.severity.value) for d in diagnostics] == [
        ("_config.yml", 1, "error")]


def test_theme_version_selects_rules_and_flag_overrides(tmp_path: Path) -> None:
    make_site(tmp_path, {"_config.yml": "remote_theme: just-the-docs/just-the-docs@v0.7.0\n"})
    assert config_of(tmp_path)[0].nav_rules == "legacy"
    assert config_of(tmp_path, nav_rules="modern")[0].nav_rules == "modern"
    make_site(tmp_path, {"_config.yml": "remote_theme: just-the-docs/just-the-docs\n"})
    assert config_of(tmp_path)[0].nav_rules == "modern"


def test_site_must_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "file.md").write_text("x")
    with pytest.raises(KbbookError, match="not a folder"):
        config_of(tmp_path / "file.md")
