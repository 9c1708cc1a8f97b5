"""How the site is built, as its own files say: by GitHub Pages (with its default plugins)
or by plain Jekyll with only the plugins the site names, and with which Jekyll version.

GitHub Pages builds a site that has no `Gemfile`, or whose `Gemfile` uses the `github-pages`
gem; it then adds its default plugins. A site with a `Gemfile` of its own is built with
`bundle exec jekyll`: only the plugins `_config.yml` lists (and the Gemfile's
`:jekyll_plugins` group) run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .files import site_file

# GitHubPages::Plugins::DEFAULT_PLUGINS: what GitHub Pages adds to every site's plugins.
GITHUB_PAGES_DEFAULTS = frozenset({
    "jekyll-coffeescript", "jekyll-commonmark-ghpages", "jekyll-default-layout",
    "jekyll-gist", "jekyll-github-metadata", "jekyll-optional-front-matter",
    "jekyll-paginate", "jekyll-readme-index", "jekyll-relative-links",
    "jekyll-titles-from-headings",
})
OPTIONAL_FRONT_MATTER = "jekyll-optional-front-matter"
README_INDEX = "jekyll-readme-index"
TITLES_FROM_HEADINGS = "jekyll-titles-from-headings"
GITHUB_METADATA = "jekyll-github-metadata"
REDIRECT_FROM = "jekyll-redirect-from"

_GEM = re.compile(r"""^\s*gem\s+["']([^"']+)["'](.*)$""")
_GROUP_START = re.compile(r"^\s*group\b(.*)\bdo\b")
_IN_GROUP = re.compile(r"group:\s*\[?[^\n]*:jekyll_plugins|:group\s*=>\s*\[?[^\n]*:jekyll_plugins")
_LOCK_GEM = re.compile(r"^    (jekyll|github-pages) \((\d+)[.)]", re.MULTILINE)
_JEKYLL_REQUIREMENT = re.compile(r"""^\s*gem\s+["']jekyll["']\s*,\s*["'][~>=<\s]*(\d+)""",
                                 re.MULTILINE)


@dataclass(frozen=True)
class Gemfile:
    """What a site's `Gemfile` says, as far as the build is concerned."""

    gems: tuple[str, ...]
    """Every gem it names (comments left out)."""
    plugin_group: tuple[str, ...]
    """The gems of its `:jekyll_plugins` group, which Bundler loads as plugins."""


@dataclass(frozen=True)
class BuildMode:
    """How the site is built."""

    github_pages: bool
    """Built by GitHub Pages, whose default plugins apply."""
    reason: str
    """Why kbbook thinks so, in words for the user."""
    plugins: frozenset[str]
    """The plugins that run."""
    jekyll_major: int
    """3 (GitHub Pages, Jekyll 3.10) or 4."""
    jekyll_reason: str
    """Where the version comes from."""
    optional_front_matter: bool = False
    """jekyll-optional-front-matter runs: Markdown files without front matter are pages."""
    readme_index: bool = False
    """jekyll-readme-index runs: a README without front matter indexes a folder that has no
    index."""
    readme_with_front_matter: bool = False
    """`readme_index: with_frontmatter: true`: a README with front matter indexes too."""
    titles_from_headings: bool = False
    """jekyll-titles-from-headings runs: an untitled page takes its first heading."""
    strip_title: bool = False
    """`titles_from_headings: strip_title: true`: that heading leaves the page's body."""
    titles_for_collections: bool = False
    """`titles_from_headings: collections: true`: collection documents take it too."""

    def has(self, plugin: str) -> bool:
        return plugin in self.plugins

    def describe(self) -> str:
        """One line for `kbbook check`."""
        if self.github_pages:
            what = ("read as GitHub Pages builds it (" + self.reason + "): Markdown files "
                    "without front matter are pages, a README is its folder's index, untitled "
                    "pages take their first heading; --no-github-pages reads it as plain Jekyll")
        else:
            what = ("read as plain Jekyll builds it (" + self.reason + "): only the plugins "
                    "_config.yml and the Gemfile name apply; --github-pages reads it as GitHub "
                    "Pages would")
        return f"{what}. Jekyll {self.jekyll_major} ({self.jekyll_reason})"


def read_gemfile(root: Path) -> Gemfile | None:
    """The site's Gemfile, or None when it has none."""
    path = site_file(root, "Gemfile")
    if path is None:
        return None
    gems: list[str] = []
    group: list[str] = []
    depth = 0  # open `do ... end` blocks; `in_plugins` while inside the plugins group
    in_plugins = False
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        start = _GROUP_START.match(line)
        if start is not None:
            depth += 1
            if ":jekyll_plugins" in start.group(1):
                in_plugins = True
            continue
        if re.match(r"^\s*(platforms|install_if|source|git|path)\b.*\bdo\b", line):
            depth += 1
            continue
        if re.match(r"^\s*end\s*$", line) and depth:
            depth -= 1
            if depth == 0:
                in_plugins = False
            continue
        gem = _GEM.match(line)
        if gem is not None:
            gems.append(gem.group(1))
            if in_plugins or _IN_GROUP.search(gem.group(2)):
                group.append(gem.group(1))
    return Gemfile(tuple(gems), tuple(group))


def _config_plugins(data: Mapping[str, Any]) -> set[str]:
    names: set[str] = set()
    for key in ("plugins", "gems"):  # `gems:` is the name Jekyll 3 used before 3.5
        value = data.get(key)
        if isinstance(value, list):
            names.update(str(v) for v in value if isinstance(v, str))
        elif isinstance(value, str):
            names.add(value)
    return names


def _jekyll_major(root: Path, github_pages: bool, gemfile: Gemfile | None) -> tuple[int, str]:
    lock = site_file(root, "Gemfile.lock")
    if lock is not None:
        text = lock.read_text(encoding="utf-8", errors="replace")
        found = dict(_LOCK_GEM.findall(text))
        if "jekyll" in found:
            return int(found["jekyll"]), "Gemfile.lock"
        if "github-pages" in found:
            return 3, "Gemfile.lock pins github-pages"
    if github_pages:
        return 3, "GitHub Pages builds with Jekyll 3.10"
    if gemfile is not None:
        path = site_file(root, "Gemfile")
        text = path.read_text(encoding="utf-8", errors="replace") if path else ""
        wanted = _JEKYLL_REQUIREMENT.search(text)
        if wanted is not None:
            return int(wanted.group(1)), "the Gemfile's jekyll version"
    return 4, "the current Jekyll"


def _option(data: Mapping[str, Any], section: str, key: str) -> Any:
    value = data.get(section)
    return value.get(key) if isinstance(value, Mapping) else None


def build_mode(root: Path, data: Mapping[str, Any], github_pages: bool | None) -> BuildMode:
    """How `root` is built; `github_pages` forces the choice (None: decide from the files)."""
    gemfile = read_gemfile(root)
    if github_pages is not None:
        reason = "--github-pages" if github_pages else "--no-github-pages"
    elif gemfile is None:
        github_pages, reason = True, "the site has no Gemfile"
    elif "github-pages" in gemfile.gems:
        github_pages, reason = True, "its Gemfile uses the github-pages gem"
    else:
        github_pages, reason = False, "its Gemfile does not use the github-pages gem"
    plugins = _config_plugins(data)
    if gemfile is not None:
        plugins.update(gemfile.plugin_group)
    if github_pages:
        plugins |= GITHUB_PAGES_DEFAULTS
    major, why = _jekyll_major(root, github_pages, gemfile)
    require = data.get("require_front_matter") is True
    titles = (TITLES_FROM_HEADINGS in plugins
              and _option(data, "titles_from_headings", "enabled") is not False)
    return BuildMode(
        github_pages, reason, frozenset(plugins), major, why,
        optional_front_matter=(OPTIONAL_FRONT_MATTER in plugins and not require
                               and _option(data, "optional_front_matter", "enabled") is not False),
        readme_index=(README_INDEX in plugins
                      and _option(data, "readme_index", "enabled") is not False),
        readme_with_front_matter=_option(data, "readme_index", "with_frontmatter") is True,
        titles_from_headings=titles,
        strip_title=_option(data, "titles_from_headings", "strip_title") is True,
        titles_for_collections=titles and _option(data, "titles_from_headings",
                                                  "collections") is True,
    )


GITHUB_PAGES = BuildMode(True, "the site has no Gemfile", GITHUB_PAGES_DEFAULTS, 3,
                         "GitHub Pages builds with Jekyll 3.10", optional_front_matter=True,
                         readme_index=True, titles_from_headings=True)
"""A site without a Gemfile."""
