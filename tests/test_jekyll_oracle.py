"""`kbbook toc` equals the real sidebar: golden outlines of our fixture sites (built, when
`jekyll` is here, by real Jekyll over each released theme version), and the shared sites
compared with their own real build.

Set KBBOOK_ORACLE_THEMES=all to build with all five theme versions (default: the newest of
each set of sidebar rules), KBBOOK_SLOW_TESTS=1 to compare lakeFS too (a slow build),
KBBOOK_UPDATE_GOLDEN=1 to write the golden outlines from the real builds.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kbbook.cli import app

from jekyll_oracle import build, jekyll_available, sidebar
from shared import CONTENT, LAKEFS, MPTCP, PRODUCTBRAIN, THEMES

FIXTURES = Path(__file__).parent / "fixtures" / "oracle"
ALL = ("0.12.0", "0.10.1", "0.9.0", "0.8.2", "0.7.0")
VERSIONS = ALL if os.environ.get("KBBOOK_ORACLE_THEMES") == "all" else ("0.12.0", "0.9.0")
UPDATE = bool(os.environ.get("KBBOOK_UPDATE_GOLDEN"))
PLAIN_GEMFILE = 'source "https://rubygems.org"\ngem "jekyll", "~> 4.3"\n'
runner = CliRunner()

needs_jekyll = pytest.mark.skipif(
    not jekyll_available() or not THEMES.is_dir(),
    reason="the real-build oracle needs Debian's jekyll (.ci/setup installs it) and "
           "../shared/themes")


def _rules(version: str) -> str:
    return "modern" if tuple(map(int, version.split("."))) >= (0, 10, 0) else "legacy"


def _site(tmp: Path, name: str, mode: str) -> Path:
    """The fixture, as GitHub Pages builds it (no Gemfile) or with a Gemfile of its own."""
    site = tmp / f"{name}-{mode}"
    if not site.exists():
        shutil.copytree(FIXTURES / name, site)
        if mode == "plain":
            (site / "Gemfile").write_text(PLAIN_GEMFILE)
    return site


def _toc(site: Path, *args: str) -> str:
    result = runner.invoke(app, ["toc", str(site), "--paths", "--no-linked-pages", *args])
    assert result.exit_code == 0, result.output
    return result.stdout.split("\n\nLeft out of the book")[0].rstrip("\n")


def _golden(name: str, mode: str, rules: str) -> Path:
    return FIXTURES / f"{name}.{mode}.{rules}.txt"


CASES = [(name, mode, rules) for name in ("sidebar",) for mode in ("pages", "plain")
         for rules in ("modern", "legacy")]


@pytest.mark.parametrize(("name", "mode", "rules"), CASES)
def test_toc_equals_the_golden_outline(tmp_path: Path, name: str, mode: str,
                                       rules: str) -> None:
    golden = _golden(name, mode, rules)
    if UPDATE and not golden.exists():
        pytest.skip("the golden outline is being written from the real build")
    assert _toc(_site(tmp_path, name, mode), "--nav-rules", rules) == golden.read_text().rstrip()


@needs_jekyll
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("mode", ["pages", "plain"])
def test_the_golden_outline_is_the_real_sidebar(tmp_path: Path, version: str,
                                                mode: str) -> None:
    site = _site(tmp_path, "sidebar", mode)
    real = sidebar(build(site, THEMES / f"just-the-docs-v{version}", tmp_path / "work"))
    golden = _golden("sidebar", mode, _rules(version))
    if UPDATE:
        golden.write_text(real + "\n")
    assert real == golden.read_text().rstrip()


# -- the shared sites, against their own real build -------------------------------------------


def _pages_only(outline: str) -> str:
    """Without the links a site's own nav adds to its page's headings (`page.md#part`), and
    the section labels of lakeFS's own nav (`[[Name]]`)."""
    return "\n".join(line for line in outline.splitlines()
                     if "#" not in line.split("  <- ")[-1] and not line.strip().startswith("[["))


SITES = {"mptcp": (MPTCP, "0.9.0"), "productbrain": (PRODUCTBRAIN, "0.8.2"),
         "content": (CONTENT, "0.12.0"), "lakefs": (LAKEFS, "0.7.0")}


@needs_jekyll
@pytest.mark.parametrize("name", sorted(SITES))
def test_the_shared_sites_as_their_real_build_shows_them(tmp_path: Path, name: str) -> None:
    site, version = SITES[name]
    if not site.is_dir():
        pytest.skip(f"{site} is not here (../shared/corpora is only in the workplace)")
    if name == "lakefs" and not os.environ.get("KBBOOK_SLOW_TESTS"):
        pytest.skip("lakeFS takes a minute to build; KBBOOK_SLOW_TESTS=1 compares it")
    real = sidebar(build(site, THEMES / f"just-the-docs-v{version}", tmp_path / "work"))
    assert _toc(site) == _pages_only(real)
