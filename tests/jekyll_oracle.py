"""Real just-the-docs sidebars from real Jekyll builds: the oracle for kbbook's order.

Debian's `jekyll` (4.3, with the ruby-jekyll-* plugins `.ci/setup` installs) builds a site
here the way its real build does, offline: the theme folder of a released version
(`../shared/themes`), the site's own files laid over it, and a second config that turns
`theme` and `remote_theme` off (`false`: Jekyll keeps the old value of a key set to null)
and lists the plugins. GitHub Pages' default plugins are added when the site is built
there (no Gemfile, or one with the github-pages gem), as kbbook decides.

`sidebar(built)` reads `<nav id="site-nav">` of the built home page into the outline
`kbbook toc --paths` prints: two spaces a level, `Title  <- source` (from a Ruby hook that
lists every page Jekyll made), `[Name]` for a collection's heading, `Title  <- URL` for an
external link.
"""

from __future__ import annotations

import html.parser
import json
import os
import re
import shutil
import subprocess
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from kbbook.site.plugins import GITHUB_PAGES_DEFAULTS, build_mode

THEME_GEMS = ("jekyll-seo-tag", "jekyll-include-cache")
DUMP = "_kb_pages.json"
HOOK = r'''
require "json"
Jekyll::Hooks.register :site, :post_write do |site|
  rows = site.pages.map { |p| {"url" => p.url, "path" => p.relative_path} }
  site.collections.each_value do |c|
    c.docs.each { |d| rows << {"url" => d.url, "path" => d.relative_path} }
  end
  File.write(File.join(site.dest, "_kb_pages.json"), JSON.generate(rows))
end
'''


def jekyll_available() -> bool:
    return shutil.which("jekyll") is not None and shutil.which("ruby") is not None


def _installed(gems: list[str]) -> set[str]:
    script = ("require 'json'; puts JSON.generate(ARGV.select { |n| "
              "Gem::Specification.find_all_by_name(n).any? rescue false })")
    out = subprocess.run(["ruby", "-e", script, *gems], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    return set(json.loads(out))


def build(site: Path, theme: Path, work: Path, *, timeout: float = 600) -> Path:
    """Build `site` over `theme` in `work`; the built folder."""
    source, out = work / "source", work / "built"
    for folder in (source, out):
        if folder.exists():
            shutil.rmtree(folder)
    shutil.copytree(theme, source, ignore=shutil.ignore_patterns(".git"))
    shutil.copytree(site, source, dirs_exist_ok=True, symlinks=True)
    hooks = work / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "kb_pages.rb").write_text(HOOK)
    config = source / "_config.yml"
    mode = build_mode(site, {}, None)
    wanted = [*THEME_GEMS, *(sorted(GITHUB_PAGES_DEFAULTS) if mode.github_pages else [])]
    listed = re.findall(r"^\s*-\s*(jekyll-[\w-]+)", config.read_text() if config.is_file()
                        else "", re.MULTILINE)
    plugins = sorted(_installed([*wanted, *listed]))
    override = work / "_config.override.yml"
    # (JSON is YAML)
    override.write_text(json.dumps({"theme": False, "remote_theme": False, "plugins": plugins,
                                    "plugins_dir": [str(hooks)]}))
    configs = ",".join(str(c) for c in (config, override) if c.is_file())
    command = ["jekyll", "build", "--source", str(source), "--destination", str(out),
               "--config", configs]
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"],
                                                  capture_output=True).returncode == 0:
        command = ["unshare", "-n", "--", *command]  # no network, as in a book's build
    env = {**os.environ, "JEKYLL_NO_BUNDLER_REQUIRE": "true", "JEKYLL_ENV": "production",
           "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    result = subprocess.run(command, cwd=source, env=env, capture_output=True, text=True,
                            timeout=timeout, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"jekyll build of {site} failed:\n{result.stderr[-3000:]}")
    return out


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    parent: _Node | None
    children: list[_Node | str] = field(default_factory=list)

    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def elements(self) -> list[_Node]:
        return [c for c in self.children if isinstance(c, _Node)]

    def text(self) -> str:
        """The text a reader sees as the link's title (a site's own badges left out)."""
        return "".join(c if isinstance(c, str) else
                       ("" if c.tag in ("svg", "script") or "badge" in c.classes()
                        else c.text()) for c in self.children)

    def is_category(self) -> bool:
        """A collection's heading (not a site's own version picker)."""
        return (self.tag == "div" and "nav-category" in self.classes()
                and _find(self, "select") is None and _find(self, "input") is None)


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


class _Parser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in _VOID:
            self.current = node

    def handle_endtag(self, tag: str) -> None:
        node: _Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def _find(node: _Node, tag: str, **attrs: str) -> _Node | None:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.tag == tag and all(current.attrs.get(k) == v for k, v in attrs.items()):
            return current
        stack.extend(reversed(current.elements()))
    return None


def sidebar(built: Path, page: str = "index.html") -> str:
    """The sidebar of the built `page`, in the form of `kbbook toc --paths`."""
    parser = _Parser()
    parser.feed((built / page).read_text(encoding="utf-8"))
    nav = _find(parser.root, "nav", id="site-nav")
    if nav is None:
        raise ValueError(f"no site nav in {built / page}")
    sources = {row["url"]: row["path"] for row in json.loads((built / DUMP).read_text())}
    lines: list[str] = []

    def source(href: str) -> str:
        parts = urllib.parse.urlsplit(href)
        path = urllib.parse.unquote(parts.path)
        found = sources.get(path) or sources.get(path + "/")
        if found is None:
            return "?" + href
        return found + (f"#{parts.fragment}" if parts.fragment else "")

    def walk(node: _Node, depth: int) -> None:
        for child in node.elements():
            if child.tag == "ul" and "nav-list" in child.classes():
                walk(child, depth)
            elif child.tag == "li":
                for part in child.elements():
                    if part.tag == "a" and "nav-list-link" in part.classes():
                        title = " ".join(part.text().split())
                        external = "external" in part.classes()
                        where = part.attrs.get("href", "") if external else source(
                            part.attrs.get("href", ""))
                        lines.append("  " * depth + f"{title}  <- {where}")
                    elif part.is_category():
                        lines.append("  " * depth + f"[{' '.join(part.text().split())}]")
                    elif part.tag == "ul":
                        walk(part, depth + 1)
            elif child.is_category():
                lines.append("  " * depth + f"[{' '.join(child.text().split())}]")
            elif child.tag not in ("script", "style", "svg", "button"):
                walk(child, depth)

    walk(nav, 0)
    return "\n".join(lines)
