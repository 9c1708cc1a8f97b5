"""GitHub Pages or plain Jekyll: which plugins run, decided from the site's own files."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kbbook.cli import app
from kbbook.site.plugins import build_mode, read_gemfile

from sitemaker import make_site, page

runner = CliRunner()

OWN_GEMFILE = 'source "https://rubygems.org"\ngem "jekyll", "~> 4.3"\ngem "just-the-docs"\n'
PAGES_GEMFILE = "source 'https://rubygems.org'\ngem 'github-pages', group: :jekyll_plugins\n"


@pytest.mark.parametrize(("files", "github_pages", "reason", "major"), [
    ({}, True, "the site has no Gemfile", 3),
    ({"Gemfile": PAGES_GEMFILE}, True, "its Gemfile uses the github-pages gem", 3),
    ({"Gemfile": OWN_GEMFILE}, False, "its Gemfile does not use the github-pages gem", 4),
    ({"Gemfile": OWN_GEMFILE.replace("4.3", "3.9")}, False,
     "its Gemfile does not use the github-pages gem", 3),
    ({"Gemfile": PAGES_GEMFILE, "Gemfile.lock": "GEM\n  specs:\n    jekyll (3.10.0)\n"},
     True, "its Gemfile uses the github-pages gem", 3),
    ({"Gemfile": OWN_GEMFILE, "Gemfile.lock": "GEM\n  specs:\n    jekyll (4.3.3)\n"},
     False, "its Gemfile does not use the github-pages gem", 4),
])
def test_mode_from_the_gemfile(tmp_path: Path, files: dict[str, str], github_pages: bool,
                               reason: str, major: int) -> None:
    make_site(tmp_path, files)
    mode = build_mode(tmp_path, {}, None)
    assert (mode.github_pages, mode.reason, mode.jekyll_major) == (github_pages, reason, major)
    assert mode.optional_front_matter is github_pages
    assert mode.readme_index is github_pages and mode.titles_from_headings is github_pages


def test_plain_jekyll_runs_the_plugins_config_and_gemfile_name(tmp_path: Path) -> None:
    make_site(tmp_path, {"Gemfile": OWN_GEMFILE + "group :jekyll_plugins do\n"
                                   '  gem "jekyll-titles-from-headings" # titles\nend\n'
                                   'gem "jekyll-readme-index", group: [:jekyll_plugins]\n'})
    gemfile = read_gemfile(tmp_path)
    assert gemfile is not None
    assert gemfile.plugin_group == ("jekyll-titles-from-headings", "jekyll-readme-index")
    mode = build_mode(tmp_path, {"plugins": ["jekyll-optional-front-matter"]}, None)
    assert not mode.github_pages
    assert mode.optional_front_matter and mode.readme_index and mode.titles_from_headings
    # each plugin's own switch in _config.yml
    off = build_mode(tmp_path, {"plugins": ["jekyll-optional-front-matter"],
                                "optional_front_matter": {"enabled": False},
                                "titles_from_headings": {"enabled": False}}, None)
    assert not off.optional_front_matter and not off.titles_from_headings
    assert not build_mode(tmp_path, {"require_front_matter": True},
                          True).optional_front_matter


def test_the_command_line_overrides_and_check_says_which_mode(tmp_path: Path) -> None:
    """A repository's own files without front matter are pages only where GitHub Pages
    builds the site; `check` says which way kbbook read it and why."""
    make_site(tmp_path, {
        "Gemfile": OWN_GEMFILE,
        "index.md": page("Home", nav_order=1),
        "MAINTAINERS.md": "# Maintainers\n\nWho looks after this site.\n",
    })
    result = runner.invoke(app, ["toc", str(tmp_path)])
    assert result.stdout.strip() == "Home"
    result = runner.invoke(app, ["toc", str(tmp_path), "--github-pages"])
    assert result.stdout.strip() == "Home\nMaintainers"
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 0
    assert ("kbbook: read as plain Jekyll builds it (its Gemfile does not use the "
            "github-pages gem)") in result.stderr
    assert "Jekyll 4 (the Gemfile's jekyll version)" in result.stderr
    (tmp_path / "Gemfile").unlink()
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert "kbbook: read as GitHub Pages builds it (the site has no Gemfile)" in result.stderr
    assert "2 pages in the book" in result.stderr
    result = runner.invoke(app, ["check", str(tmp_path), "--no-github-pages"])
    assert "read as plain Jekyll builds it (--no-github-pages)" in result.stderr
    assert "1 page in the book" in result.stderr
