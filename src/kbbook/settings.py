"""The commands' options, each settable on the command line or in the `kbbook:` section of
`_config.yml` (the command line wins), and where each value in effect came from (`kbbook
config`). Paths in `_config.yml` are relative to the site folder; stylesheets must lie
inside it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Diagnostics, KbbookError
from .site import SiteConfig, load_config, site_file
from .site.config import COMMAND_SETTINGS
from .writers.common import DEFAULT_VARIANT, VARIANTS

BOOKS = ("epub", "pdf", "build", "watch")
SITE = ("toc", "check", *BOOKS)
PRINT = ("pdf", "build", "watch")

Parse = Callable[[Any, Path], Any]
"""A value as `_config.yml` gives it (and the site folder) -> the setting, or ValueError
saying what is wrong."""


def _bool(value: Any, _root: Path) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _choice(*choices: str) -> Parse:
    def parse(value: Any, _root: Path) -> str:
        if not isinstance(value, str) or value.lower() not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return value.lower()
    return parse


def _number(low: int, high: int) -> Parse:
    def parse(value: Any, _root: Path) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return value
    return parse


def _texts(value: Any, _root: Path) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
        raise ValueError("must be a title or a list of titles")
    return tuple(items)


def _stylesheets(value: Any, root: Path) -> tuple[Path, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("must be a stylesheet, or a list of them, as paths in the site")
    sheets = []
    for item in items:
        path = site_file(root, item)
        if path is None:
            raise ValueError(f"{item!r} is not a file inside the site")
        sheets.append(path)
    return tuple(sheets)


def _folder(value: Any, root: Path) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a folder (a path; relative ones start at the site folder)")
    return root / value


def formats(value: Any, _root: Path | None = None) -> tuple[str, ...]:
    """`epub,pdf`, `pdf` or a list: the books `build` writes."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items:
        raise ValueError("must be epub, pdf or both (epub,pdf)")
    chosen = []
    for item in items:
        name = str(item).strip().lower()
        if name not in ("epub", "pdf"):
            raise ValueError(f"{item!r} is not a format kbbook writes; use epub, pdf or both")
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)


@dataclass(frozen=True)
class Option:
    """One option of the commands."""

    name: str
    """Its key in `kbbook:` (and the Python name)."""
    flag: str
    """On the command line."""
    default: Any
    parse: Parse
    commands: tuple[str, ...]
    """The commands that take it."""
    unset: str = "(automatic)"
    """How `kbbook config` shows a default of None."""


OPTIONS: tuple[Option, ...] = (
    Option("strict", "--strict", False, _bool, ("check", *BOOKS)),
    Option("nav_rules", "--nav-rules", None, _choice("modern", "legacy"), SITE,
           "(from the theme version)"),
    Option("github_pages", "--github-pages/--no-github-pages", None, _bool, SITE,
           "(from the Gemfile)"),
    Option("include_hidden", "--include-hidden", False, _bool, SITE),
    Option("linked_pages", "--linked-pages/--no-linked-pages", True, _bool, SITE),
    Option("allow_remote", "--allow-remote", False, _bool, BOOKS),
    Option("css", "--css", (), _stylesheets, BOOKS),
    Option("output", "-o/--output", None, _folder, BOOKS, "(here)"),
    Option("verbose", "--verbose", False, _bool, BOOKS),
    Option("device", "--device", "default",
           _choice("default", "tablet", "kobo", "kindle", "eink"), ("epub", "build", "watch")),
    Option("paper", "--paper", "a4", _choice("a4", "letter"), PRINT),
    Option("pdf_variant", "--pdf-variant", DEFAULT_VARIANT, _choice(*VARIANTS), PRINT),
    Option("jobs", "--jobs", None, _number(1, 256), PRINT, "(one per core)"),
    Option("image_dpi", "--image-dpi", 300, _number(72, 2400), PRINT),
    Option("cache", "--cache/--no-cache", True, _bool, BOOKS),
    Option("cache_dir", "--cache-dir", None, _folder, PRINT,
           "(the user's cache folder)"),
    Option("quiet", "--quiet", False, _bool, PRINT),
    Option("only", "--only", (), _texts, ("pdf",)),
    Option("split_depth", "--split/--split-depth", None, _number(0, 20), ("pdf",),
           "(off)"),
    Option("formats", "--format", ("epub", "pdf"), formats, ("build", "watch")),
)
assert {o.name for o in OPTIONS} == COMMAND_SETTINGS, "site/config.py must know every option"


@dataclass(frozen=True)
class Setting:
    """A value in effect and where it came from."""

    option: Option
    value: Any
    source: str
    """"command line", "_config.yml:LINE" or "default"."""


def _given(value: Any) -> bool:
    return value is not None and value != () and value != []


def read_config(site: Path) -> SiteConfig:
    """The site's configuration as the settings see it (its problems are the build's to
    report)."""
    return load_config(site, Diagnostics())


def resolve(command: str, config: SiteConfig, given: Mapping[str, Any]) -> dict[str, Setting]:
    """Every option of `command`: from `given` (the command line; None or empty: not
    given), else `_config.yml`'s `kbbook:` section, else its default. A value in
    `_config.yml` that is wrong is a KbbookError naming its line."""
    section = config.variables.get("kbbook")
    section = section if isinstance(section, Mapping) else {}
    found: dict[str, Setting] = {}
    for option in OPTIONS:
        if command not in option.commands:
            continue
        if _given(given.get(option.name)):
            found[option.name] = Setting(option, given[option.name], "command line")
        elif option.name in section and section[option.name] is not None:
            line = config.lines.line("kbbook", option.name)
            try:
                value = option.parse(section[option.name], config.root)
            except ValueError as exc:
                # (a wrong option, as on the command line: exit code 2)
                raise KbbookError(f"{config.root / '_config.yml'}:{line}: kbbook.{option.name} "
                                  f"{exc}", exit_code=2) from None
            found[option.name] = Setting(option, value, f"_config.yml:{line}")
        else:
            found[option.name] = Setting(option, option.default, "default")
    return found


def values(settings: Mapping[str, Setting]) -> dict[str, Any]:
    return {name: s.value for name, s in settings.items()}


def describe(settings: Mapping[str, Setting], command: str) -> Sequence[str]:
    """`kbbook config`'s lines: each setting, its value and where it came from."""
    width = max((len(name) for name in settings), default=0)
    lines = [f"{command}:"]
    for name, setting in settings.items():
        value = setting.value
        if isinstance(value, tuple):
            value = ",".join(str(v) for v in value) or "(none)"
        elif value is None:
            value = setting.option.unset
        elif isinstance(value, bool):
            value = "true" if value else "false"
        lines.append(f"  {name:<{width}}  {value}  ({setting.source})")
    return lines
