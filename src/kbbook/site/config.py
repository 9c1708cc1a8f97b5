"""The site's `_config.yml` and the book settings, frozen into one `SiteConfig`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from ..errors import Diagnostics, KbbookError
from .collections import CollectionSpec, collections_dir, read_collections
from .defaults import DefaultSet, read_defaults
from .files import site_file
from .plugins import GITHUB_PAGES, BuildMode, build_mode
from .yamlread import KeyLines, load_yaml

NavRules = Literal["modern", "legacy"]

# Jekyll's own default `exclude:` list (jekyll/configuration.rb).
JEKYLL_DEFAULT_EXCLUDE = (
    ".sass-cache",
    ".jekyll-cache",
    "gemfiles",
    "Gemfile",
    "Gemfile.lock",
    "node_modules",
    "vendor/bundle/",
    "vendor/cache/",
    "vendor/gems/",
    "vendor/ruby/",
)

# just-the-docs' default callout titles are empty; these are used only when `_config.yml`
# names a callout without a title.
_VERSION_RE = re.compile(r"@v?(\d+)\.(\d+)(?:\.(\d+))?")
_LOCK_RE = re.compile(r"^\s{4}just-the-docs \((\d+)\.(\d+)(?:\.(\d+))?", re.MULTILINE)


@dataclass(frozen=True)
class Callout:
    """A just-the-docs callout class declared in `_config.yml`."""

    title: str | None
    """Heading shown above the callout's text, if any."""
    color: str | None
    """The theme colour name (purple, blue, green, yellow, red, grey)."""


@dataclass(frozen=True)
class ExternalLink:
    """One of the theme's `nav_external_links`: shown after the pages in the sidebar."""

    title: str
    """The link's text."""
    url: str
    """Where it leads (absolute)."""


COMMAND_SETTINGS = frozenset({
    "strict", "nav_rules", "github_pages", "include_hidden", "linked_pages", "allow_remote",
    "css", "output", "verbose", "device", "paper", "pdf_variant", "jobs", "image_dpi",
    "cache", "cache_dir", "quiet", "only", "split_depth", "formats"})
"""The commands' options, which the `kbbook:` section may also hold (kbbook.settings reads
and checks them)."""


@dataclass(frozen=True)
class BookSettings:
    """The `kbbook:` section of `_config.yml`."""

    cover: str | None = None
    """Cover image, as a path inside the site."""
    identifier: str | None = None
    """Stable book identifier; derived from url and title when absent."""
    publisher: str | None = None
    """Publisher written into the metadata."""
    image_max_size: int | None = None
    """Images larger than this on their long side are scaled down in the EPUB (None: as the
    reader it is made for wants, `--device`)."""
    image_palette: bool = True
    """Large PNGs of the EPUB in 256 colours where no difference shows; False keeps every
    colour of every image."""
    toc_depth: int = 3
    """How many levels of the book tree the contents pages list."""


@dataclass(frozen=True)
class SiteConfig:
    """Everything kbbook reads from the site's configuration and its command line."""

    root: Path
    """The site folder, resolved."""
    title: str
    """Book title: `_config.yml`'s title, else the folder name."""
    description: str = ""
    """One-line description."""
    authors: tuple[str, ...] = ()
    """Author names."""
    lang: str = "en"
    """BCP 47 language tag."""
    lang_given: bool = True
    """`_config.yml` sets `lang` (else kbbook reads the language from the pages)."""
    url: str = ""
    """The site's absolute URL without a trailing slash (e.g. https://example.org)."""
    baseurl: str = ""
    """Path prefix of the site, '' or '/name'."""
    nav_sort_case_insensitive: bool = False
    """`nav_sort: case_insensitive`."""
    callouts: Mapping[str, Callout] = field(default_factory=lambda: MappingProxyType({}))
    """Callout classes by name."""
    theme_version: tuple[int, int, int] | None = None
    """The pinned just-the-docs version, if the site pins one."""
    nav_rules: NavRules = "modern"
    """Which sidebar rules apply."""
    mode: BuildMode = GITHUB_PAGES
    """How the site is built: GitHub Pages or plain Jekyll, its plugins, Jekyll's version."""
    include_hidden: bool = False
    """Put `nav_exclude` pages back into the book."""
    allow_remote: bool = False
    """Fetch `http(s)` images."""
    exclude: tuple[str, ...] = JEKYLL_DEFAULT_EXCLUDE
    """Jekyll `exclude:` patterns."""
    include: tuple[str, ...] = ()
    """Jekyll `include:` patterns."""
    collections: tuple[CollectionSpec, ...] = ()
    """The collections `_config.yml` declares."""
    collections_dir: str = ""
    """`collections_dir:`: the folder holding the collections' folders ('' = the site)."""
    defaults: tuple[DefaultSet, ...] = ()
    """Front matter defaults (`defaults:`)."""
    external_links: tuple[ExternalLink, ...] = ()
    """The theme's `nav_external_links`."""
    permalink: str = "date"
    """The site's `permalink:` style (`date`, `pretty`, ... or a template)."""
    parse_block_html: bool = False
    """`kramdown: parse_block_html: true`: Markdown inside HTML blocks is Markdown."""
    includes_dir: str = "_includes"
    """Where `{% include %}` reads (`includes_dir:`)."""
    data_dir: str = "_data"
    """Where `site.data` comes from (`data_dir:`)."""
    strict_front_matter: bool = False
    """`strict_front_matter: true`: Jekyll stops at front matter it cannot read."""
    variables: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """The whole `_config.yml`, for `{{ site.VAR }}`."""
    book: BookSettings = BookSettings()
    """The `kbbook:` section."""
    lines: KeyLines = field(default_factory=KeyLines)
    """Where each setting is in `_config.yml`, for messages about it."""

    @property
    def github_pages(self) -> bool:
        """Built by GitHub Pages, whose default plugins apply."""
        return self.mode.github_pages

    @property
    def site_url(self) -> str:
        """Absolute URL of the site root, '' when the site has no `url`."""
        return (self.url + self.baseurl) if self.url else ""


def _theme_version(root: Path, data: Mapping[str, Any]) -> tuple[int, int, int] | None:
    remote = data.get("remote_theme")
    if isinstance(remote, str) and "just-the-docs" in remote:
        m = _VERSION_RE.search(remote)
        return (int(m[1]), int(m[2]), int(m[3] or 0)) if m else None
    lock = site_file(root, "Gemfile.lock")
    if lock is not None:
        m = _LOCK_RE.search(lock.read_text(encoding="utf-8", errors="replace"))
        if m:
            return (int(m[1]), int(m[2]), int(m[3] or 0))
    return None


def _authors(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, Mapping):
        name = value.get("name")
        return (str(name),) if name else ()
    if isinstance(value, list):
        return tuple(a for item in value for a in _authors(item))
    return ()


def _str(value: Any, default: str = "") -> str:
    return default if value is None else str(value)


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value if v is not None)
    return (str(value),) if isinstance(value, str) else ()


def _callouts(value: Any) -> Mapping[str, Callout]:
    out: dict[str, Callout] = {}
    if isinstance(value, Mapping):
        for name, spec in value.items():
            spec = spec if isinstance(spec, Mapping) else {}
            title = spec.get("title")
            out[str(name)] = Callout(
                str(title) if title is not None else None,
                str(spec["color"]) if spec.get("color") else None,
            )
    return MappingProxyType(out)


_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def _positive_int(value: Any, default: int | None, key: str, diagnostics: Diagnostics,
                  where: KeyLines) -> int | None:
    if value is None:
        return default
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    instead = f"using {default}" if default is not None else "ignored"
    diagnostics.warning("_config.yml", where.line("kbbook", key), "config", f"kbbook.{key} "
                        f"must be a positive whole number, not {value!r}; {instead}")
    return default


def _flag(value: Any, default: bool, key: str, diagnostics: Diagnostics,
          where: KeyLines) -> bool:
    if value is None or isinstance(value, bool):
        return default if value is None else value
    diagnostics.warning("_config.yml", where.line("kbbook", key), "config",
                        f"kbbook.{key} must be true or false, not {value!r}; using "
                        f"{str(default).lower()}")
    return default


def _cover(value: Any, root: Path, diagnostics: Diagnostics, where: KeyLines) -> str | None:
    cover = _str(value).strip() or None
    if cover is None:
        return None
    if site_file(root, cover) is None:
        diagnostics.warning("_config.yml", where.line("kbbook", "cover"), "config",
                            f"kbbook.cover {cover!r} is not a file inside the site; a cover is "
                            "drawn from the title instead")
        return None
    return cover


def _book_settings(value: Any, root: Path, diagnostics: Diagnostics,
                   where: KeyLines) -> BookSettings:
    if value is None:
        return BookSettings()
    if not isinstance(value, Mapping):
        diagnostics.warning("_config.yml", where.line("kbbook"), "config",
                            "the kbbook: section must be a mapping of settings; ignored")
        return BookSettings()
    known = {"cover", "identifier", "publisher", "image_max_size", "image_palette", "toc_depth",
             *COMMAND_SETTINGS}
    for key in value:
        if key not in known:
            diagnostics.warning("_config.yml", where.line("kbbook", str(key)), "config",
                                f"unknown setting kbbook.{key}; known settings are "
                                f"{', '.join(sorted(known))}")
    return BookSettings(
        cover=_cover(value.get("cover"), root, diagnostics, where),
        identifier=_str(value.get("identifier")) or None,
        publisher=_str(value.get("publisher")) or None,
        image_max_size=_positive_int(value.get("image_max_size"), None, "image_max_size",
                                     diagnostics, where),
        image_palette=_flag(value.get("image_palette"), True, "image_palette", diagnostics,
                            where),
        toc_depth=_positive_int(value.get("toc_depth"), 3, "toc_depth", diagnostics,
                                where) or 3,
    )


def _lang(value: Any, diagnostics: Diagnostics, where: KeyLines) -> str:
    lang = _str(value).strip()
    if not lang:
        return "en"
    if not _LANG.match(lang):
        diagnostics.warning("_config.yml", where.line("lang"), "config",
                            f"lang {lang!r} is not a language tag such as 'en' or 'pt-BR'; "
                            "using 'en'")
        return "en"
    return lang


def _folder(value: Any, default: str) -> str:
    """A folder setting, inside the site (a leading / or .. cannot lead out)."""
    text = _str(value).strip().strip("/")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    return "/".join(parts) if parts and ".." not in parts else default


def _external_links(data: Mapping[str, Any], diagnostics: Diagnostics,
                    where: KeyLines) -> tuple[ExternalLink, ...]:
    value = data.get("nav_external_links")
    if value is None:
        return ()
    links = []
    items = value if isinstance(value, list) else []
    for item in items:
        title = item.get("title") if isinstance(item, Mapping) else None
        url = item.get("url") if isinstance(item, Mapping) else None
        if not isinstance(url, str) or not url.strip() or title is None:
            diagnostics.warning("_config.yml", where.line("nav_external_links"), "config",
                                "each of nav_external_links needs a title: and a url:; "
                                f"{item!r} is left out")
            continue
        url = url.strip()
        if url.startswith("//"):
            url = "https:" + url
        elif "://" not in url and not url.startswith("mailto:"):
            site = _str(data.get("url")).rstrip("/")
            base = _str(data.get("baseurl")).strip("/")
            if not site:
                diagnostics.warning("_config.yml", where.line("nav_external_links"), "config",
                                    f"nav_external_links: {url!r} is a path on the site, and "
                                    "_config.yml has no url: to make it a web address; left "
                                    "out of the contents")
                continue
            url = site + ("/" + base if base else "") + "/" + url.lstrip("/")
        links.append(ExternalLink(" ".join(str(title).split()), url))
    if not isinstance(value, list):
        diagnostics.warning("_config.yml", where.line("nav_external_links"), "config",
                            "nav_external_links must be a list of title: and url: pairs; "
                            "ignored")
    return tuple(links)


def load_config(
    root: Path,
    diagnostics: Diagnostics,
    *,
    nav_rules: NavRules | None = None,
    github_pages: bool | None = None,
    include_hidden: bool = False,
    allow_remote: bool = False,
) -> SiteConfig:
    """Read `root/_config.yml` (optional) and combine it with the command-line choices;
    `github_pages` None decides from the site's Gemfile."""
    if not root.exists():
        raise KbbookError(f"{root}: no such folder; give the path of a just-the-docs site")
    if not root.is_dir():
        raise KbbookError(f"{root}: not a folder; give the path of a just-the-docs site")
    root = root.resolve()
    data: Mapping[str, Any] = {}
    cfg = site_file(root, "_config.yml")
    where = KeyLines()
    if cfg is None and (root / "_config.yml").is_symlink():
        diagnostics.warning("_config.yml", None, "outside-site",
                            "is a link to a file outside the site; not read (kbbook reads "
                            "only files inside the site folder)")
    if cfg is not None:
        raw = cfg.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            diagnostics.warning("_config.yml", raw[: exc.start].count(b"\n") + 1, "encoding",
                                "is not valid UTF-8; read as Latin-1. Save it as UTF-8")
            text = raw.decode("latin-1")
        result = load_yaml(text)
        loaded, problem = result.value, result.problem
        where = result.lines
        for dup in result.duplicates:
            diagnostics.warning("_config.yml", dup.line, "config", dup.message)
        if result.replaced_characters:
            diagnostics.warning("_config.yml", None, "config",
                                "holds control characters that a book cannot contain; they "
                                "are shown as \ufffd")
        if problem is not None:
            diagnostics.error("_config.yml", problem.line, "config",
                              f"cannot read _config.yml: {problem.message}")
        elif isinstance(loaded, Mapping):
            data = loaded
        elif loaded is not None:
            diagnostics.error("_config.yml", 1, "config",
                              "_config.yml must be a mapping of settings (key: value)")
    version = _theme_version(root, data)
    if nav_rules is None:
        nav_rules = "legacy" if version is not None and version < (0, 10, 0) else "modern"
    baseurl = _str(data.get("baseurl")).rstrip("/")
    if baseurl and not baseurl.startswith("/"):
        baseurl = "/" + baseurl
    exclude = _strings(data.get("exclude")) if "exclude" in data else JEKYLL_DEFAULT_EXCLUDE
    kramdown = data.get("kramdown")
    return SiteConfig(
        root=root,
        title=_str(data.get("title")).strip() or root.name,
        description=_str(data.get("description")).strip(),
        authors=_authors(data.get("author")),
        lang=_lang(data.get("lang"), diagnostics, where),
        lang_given=bool(_str(data.get("lang")).strip()),
        url=_str(data.get("url")).rstrip("/"),
        baseurl=baseurl,
        nav_sort_case_insensitive=data.get("nav_sort") == "case_insensitive",
        callouts=_callouts(data.get("callouts")),
        theme_version=version,
        nav_rules=nav_rules,
        mode=build_mode(root, data, github_pages),
        include_hidden=include_hidden,
        allow_remote=allow_remote,
        exclude=exclude,
        include=_strings(data.get("include")),
        collections=read_collections(data, diagnostics, where),
        collections_dir=collections_dir(data),
        defaults=read_defaults(data, diagnostics, where),
        external_links=_external_links(data, diagnostics, where),
        permalink=_str(data.get("permalink"), "date").strip() or "date",
        parse_block_html=isinstance(kramdown, Mapping) and kramdown.get("parse_block_html") is True,
        includes_dir=_folder(data.get("includes_dir"), "_includes"),
        data_dir=_folder(data.get("data_dir"), "_data"),
        strict_front_matter=data.get("strict_front_matter") is True,
        variables=MappingProxyType(dict(data)),
        book=_book_settings(data.get("kbbook"), root, diagnostics, where),
        lines=where,
    )
